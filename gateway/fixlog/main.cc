// fixlog: QuickFIX message and event logs (FileLogPath), or bare FIX text
// with SOH or '|' between fields, for people: one line per message with the
// message type, the header essentials and the fields by name, enum values
// by name, through the project's dictionary. Usage and output are
// documented in docs/operations.md ("Reading FIX logs"):
//
//   fixlog [FILE...] [--full] [--type D,8] [--grep TEXT] [--clordid ID]
//          [--format text|json] [--dict FIX44.xml] | --version
//
// No FILE, or "-", reads stdin. Exit codes: 0 ok; 1 some line was not FIX
// (each named on stderr as FILE:LINE, the others still printed); 2 usage
// error, a file that cannot be opened, no usable dictionary, or the output
// cannot be written.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "fixgw_version.h"
#include "gateway/fix/describe.h"
#include "gateway/fixlog/log_line.h"
#include "gateway/fixlog/render.h"

namespace {

using namespace fixgw;

constexpr int kOk = 0;
constexpr int kBadLine = 1;
constexpr int kUsage = 2;

struct Args {
  std::vector<std::string> files;
  std::string dict;
  std::string format = "text";
  std::vector<std::string> types;
  std::string grep;
  std::string cl_ord_id;
  bool full = false;
};

// The dictionary when --dict is not given: next to an installed fixlog
// (PREFIX/bin/fixlog -> PREFIX/share/fixgw/FIX44.xml), else the source
// tree's fixspec/FIX44.xml that this build was made from.
std::vector<std::string> DefaultDictionaries() {
  std::vector<std::string> paths;
  std::error_code ec;
  std::filesystem::path self =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    paths.push_back(
        (self.parent_path().parent_path() / "share/fixgw/FIX44.xml").string());
  }
  paths.push_back(FIXGW_FIX44_XML);
  return paths;
}

class Printer {
 public:
  Printer(const FIX::DataDictionary& dict, const fixlog::RenderOptions& options)
      : dict_(dict), options_(options) {
    std::setvbuf(stdout, nullptr, _IOFBF, 1 << 16);
  }

  // Prints every line of `in`; returns false if any was bad.
  bool Print(std::istream& in, const std::string& name, fixlog::LogKind kind) {
    bool all_good = true;
    std::string line;
    for (uint64_t number = 1; std::getline(in, line); ++number) {
      fixlog::LogLine parsed = fixlog::ParseLogLine(line, kind);
      switch (parsed.type) {
        case fixlog::LogLine::Type::kBlank:
          break;
        case fixlog::LogLine::Type::kBad:
          std::fflush(stdout);
          fmt::print(stderr, "fixlog: {}:{}: {}\n", name, number, parsed.text);
          all_good = false;
          break;
        case fixlog::LogLine::Type::kEvent:
          Write(fixlog::RenderEvent(parsed.time, parsed.text, options_));
          break;
        case fixlog::LogLine::Type::kMessages:
          for (const fixlog::Fields& fields : parsed.messages) {
            Write(fixlog::RenderMessage(dict_, parsed.time, fields, options_));
          }
          break;
      }
    }
    if (in.bad()) {
      std::fflush(stdout);
      fmt::print(stderr, "fixlog: {}: read error: {}\n", name,
                 std::strerror(errno));
      all_good = false;
    }
    return all_good;
  }

  bool Finish() {
    if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
      fmt::print(stderr, "fixlog: cannot write output: {}\n",
                 std::strerror(errno));
      return false;
    }
    return true;
  }

 private:
  void Write(const std::string& text) {
    if (text.empty()) return;
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
  }

  const FIX::DataDictionary& dict_;
  const fixlog::RenderOptions& options_;
};

int Run(const Args& args) {
  fixlog::RenderOptions options;
  if (args.format == "text") {
    options.format = fixlog::Format::kText;
  } else if (args.format == "json") {
    options.format = fixlog::Format::kJson;
  } else {
    fmt::print(stderr, "fixlog: --format {}: want text or json\n", args.format);
    return kUsage;
  }
  options.full = args.full;
  options.types = args.types;
  options.grep = args.grep;
  options.cl_ord_id = args.cl_ord_id;

  std::vector<std::string> candidates =
      args.dict.empty() ? DefaultDictionaries()
                        : std::vector<std::string>{args.dict};
  std::unique_ptr<FIX::DataDictionary> dict;
  for (const std::string& path : candidates) {
    if (args.dict.empty() && !std::filesystem::exists(path)) continue;
    Result<std::unique_ptr<FIX::DataDictionary>> loaded =
        fix::LoadDictionary(path);
    if (!loaded.ok()) {
      fmt::print(stderr, "fixlog: dictionary {}\n", loaded.status().message());
      return kUsage;
    }
    dict = std::move(loaded).value();
    break;
  }
  if (!dict) {
    fmt::print(stderr,
               "fixlog: no dictionary found (looked for {}); give "
               "--dict FILE\n",
               fmt::join(candidates, ", "));
    return kUsage;
  }

  Printer printer(*dict, options);
  int code = kOk;
  std::vector<std::string> files = args.files;
  if (files.empty()) files.push_back("-");
  for (const std::string& file : files) {
    if (file == "-") {
      // Only std::cin reads stdin and nothing writes through std::cout, so
      // iostreams need not stay in step with stdio (which costs 2x).
      std::ios::sync_with_stdio(false);
      if (!printer.Print(std::cin, "stdin", fixlog::LogKind::kUnknown)) {
        code = std::max(code, kBadLine);
      }
      continue;
    }
    std::ifstream in(file, std::ios::binary);
    std::error_code ec;
    if (!in || std::filesystem::is_directory(file, ec)) {
      const int err = errno;
      std::fflush(stdout);
      fmt::print(stderr, "fixlog: {}: cannot open: {}\n", file,
                 std::filesystem::is_directory(file, ec) ? "is a directory"
                                                         : std::strerror(err));
      code = kUsage;
      continue;
    }
    if (!printer.Print(in, file, fixlog::KindOfPath(file))) {
      code = std::max(code, kBadLine);
    }
  }
  if (!printer.Finish()) return kUsage;
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "fixlog: FIX logs for people: message and field names, enum values by "
      "name, from the project's FIX 4.4 dictionary"};
  cli.set_version_flag("--version", "fixlog " FIXGW_VERSION);
  Args args;
  // Positional, so that "--type D FILE" does not read FILE as a type.
  cli.add_option("files", args.files,
                 "QuickFIX FileLog files (*.messages.current.log, "
                 "*.event.current.log) or files of FIX messages with SOH or "
                 "'|' separators; none or - reads stdin");
  cli.add_flag("--full", args.full, "every field, header and trailer included");
  cli.add_option("--type", args.types,
                 "only these message types, by MsgType or name "
                 "(--type D,8 or --type NewOrderSingle)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cli.add_option("--grep", args.grep,
                 "only messages with a field value containing TEXT (e.g. a "
                 "ClOrdID), and events containing it");
  cli.add_option("--clordid", args.cl_ord_id,
                 "only messages whose ClOrdID (11) or OrigClOrdID (41) is "
                 "exactly ID (--grep b1 also matches b10); leaves events out")
      ->type_name("ID");
  cli.add_option("--format", args.format, "text (default) or json");
  cli.add_option("--dict", args.dict,
                 "QuickFIX data dictionary (default: PREFIX/share/fixgw/"
                 "FIX44.xml next to an installed fixlog, else the source "
                 "tree's fixspec/FIX44.xml)");
  cli.footer(
      "Password (554) and NewPassword (925) values print as ****.\n"
      "Exit codes: 0 ok; 1 some line was not FIX (named on stderr as "
      "FILE:LINE, the rest printed); 2 usage error, a file that cannot be "
      "opened, or no usable dictionary.\nDocumentation: docs/operations.md");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "fixlog: {} (fixlog --help for usage)\n", e.what());
    return kUsage;
  }
  return Run(args);
}
