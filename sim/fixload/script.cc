// Script parsing and expectation matching; see script.h for the format.
// Pure functions, no I/O.
#include "sim/fixload/script.h"

#include <charconv>
#include <set>

#include "gateway/core/decimal.h"

namespace fixgw::load {
namespace {

constexpr char kSoh = '\x01';

struct Token {
  std::string text;     // with quotes removed
  bool quoted = false;  // some part of it was inside quotes
};

std::string LineError(int line, const std::string& what) {
  return "line " + std::to_string(line) + ": " + what;
}

struct TokenizedLine {
  std::vector<Token> tokens;
  size_t command_end = 0;  // where a comment starts, or the line's size
};

// Splits one line into tokens; stops at a comment. The error is a message
// without the line prefix.
Result<TokenizedLine> Tokenize(std::string_view line) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() &&
           (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) {
      ++i;
    }
    if (i == line.size() || line[i] == '#') break;
    Token token;
    bool in_quotes = false;
    for (; i < line.size(); ++i) {
      char c = line[i];
      if (in_quotes) {
        if (c == '"') {
          in_quotes = false;
        } else if (c == '\\' && i + 1 < line.size() &&
                   (line[i + 1] == '"' || line[i + 1] == '\\')) {
          token.text += line[++i];
        } else {
          token.text += c;
        }
      } else if (c == '"') {
        in_quotes = true;
        token.quoted = true;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        break;
      } else {
        token.text += c;
      }
    }
    if (in_quotes) {
      return Status::InvalidArgument("unterminated quote");
    }
    tokens.push_back(std::move(token));
  }
  return TokenizedLine{std::move(tokens), i};
}

std::optional<int64_t> ParseNonNegative(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < 0) return std::nullopt;
  return value;
}

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Result<FieldSpec> ParseField(const Token& token, StepKind kind,
                             const FieldResolver& resolver) {
  size_t eq = token.text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::InvalidArgument("expected Field=Value, got '" + token.text +
                                   "'");
  }
  FieldSpec spec;
  spec.name = token.text.substr(0, eq);
  spec.value = token.text.substr(eq + 1);
  if (AllDigits(spec.name)) {
    std::optional<int64_t> tag = ParseNonNegative(spec.name);
    if (!tag || *tag <= 0 || *tag > 999'999'999) {
      return Status::InvalidArgument("bad tag number '" + spec.name + "'");
    }
    spec.tag = static_cast<int>(*tag);
  } else {
    std::optional<int> tag;
    if (resolver.tag_of) tag = resolver.tag_of(spec.name);
    if (!tag) {
      return Status::InvalidArgument(
          "unknown field '" + spec.name + "'" +
          (resolver.tag_of ? std::string()
                           : " (no data dictionary: use tag numbers)"));
    }
    spec.tag = *tag;
  }
  if (!token.quoted && spec.value == "*") {
    if (kind == StepKind::kSend) {
      return Status::InvalidArgument("'" + spec.name +
                                     "=*' is only meaningful in expect");
    }
    spec.kind = FieldSpec::Kind::kPresent;
    spec.value.clear();
  } else if (!token.quoted && spec.value == "!") {
    spec.kind = FieldSpec::Kind::kAbsent;
    spec.value.clear();
  }
  spec.decimal = resolver.is_decimal && resolver.is_decimal(spec.tag);
  return spec;
}

Result<Step> ParseLine(const std::vector<Token>& tokens,
                       const FieldResolver& resolver) {
  Step step;
  const std::string& command = tokens[0].text;
  if (command == "send" || command == "expect") {
    step.kind = command == "send" ? StepKind::kSend : StepKind::kExpect;
    if (tokens.size() < 2 || tokens[1].text.empty() ||
        tokens[1].text.find('=') != std::string::npos) {
      return Status::InvalidArgument(command + " needs a MsgType first");
    }
    step.msg_type = tokens[1].text;
    std::set<int> seen;
    for (size_t i = 2; i < tokens.size(); ++i) {
      Result<FieldSpec> spec = ParseField(tokens[i], step.kind, resolver);
      if (!spec.ok()) return spec.status();
      if (step.kind == StepKind::kExpect && !seen.insert(spec->tag).second) {
        return Status::InvalidArgument("field '" + spec->name +
                                       "' is expected twice");
      }
      step.fields.push_back(std::move(spec).value());
    }
    return step;
  }
  if (command == "expect-none" || command == "sleep") {
    step.kind = command == "sleep" ? StepKind::kSleep : StepKind::kExpectNone;
    std::optional<int64_t> millis;
    if (tokens.size() == 2) millis = ParseNonNegative(tokens[1].text);
    if (!millis) {
      return Status::InvalidArgument(command +
                                     " needs one argument: milliseconds");
    }
    step.wait = std::chrono::milliseconds(*millis);
    return step;
  }
  return Status::InvalidArgument(
      "unknown command '" + command +
      "' (expected send, expect, expect-none or sleep)");
}

// Decimal-aware equality: both sides parse as decimals on the Price grid
// and are equal, or (when either does not parse) the texts are equal.
bool ValuesEqual(const FieldSpec& spec, const std::string& got) {
  if (spec.decimal) {
    Result<Price> want = ParsePrice(spec.value);
    Result<Price> have = ParsePrice(got);
    if (want.ok() && have.ok()) return *want == *have;
  }
  return spec.value == got;
}

std::string Label(const FieldSpec& spec) {
  std::string tag = std::to_string(spec.tag);
  return spec.name == tag ? tag : spec.name + "(" + tag + ")";
}

}  // namespace

Result<std::vector<Step>> ParseScript(std::string_view text,
                                      const FieldResolver& resolver) {
  std::vector<Step> steps;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    ++line_no;
    pos = end + 1;

    Result<TokenizedLine> tokenized = Tokenize(line);
    if (!tokenized.ok()) {
      return Status::InvalidArgument(
          LineError(line_no, tokenized.status().message()));
    }
    if (tokenized->tokens.empty()) continue;
    Result<Step> step = ParseLine(tokenized->tokens, resolver);
    if (!step.ok()) {
      return Status::InvalidArgument(
          LineError(line_no, step.status().message()));
    }
    step->line = line_no;
    // The command as written, without comment and surrounding blanks.
    std::string_view command = line.substr(0, tokenized->command_end);
    size_t first = command.find_first_not_of(" \t\r");
    size_t last = command.find_last_not_of(" \t\r");
    step->text = std::string(command.substr(first, last - first + 1));
    steps.push_back(std::move(step).value());
  }
  return steps;
}

std::string Printable(std::string_view raw) {
  std::string out(raw);
  for (char& c : out) {
    if (c == kSoh) c = '|';
  }
  return out;
}

std::optional<std::string> FindField(const FieldList& fields, int tag) {
  for (const auto& [t, value] : fields) {
    if (t == tag) return value;
  }
  return std::nullopt;
}

std::vector<std::string> Mismatches(const Step& expect,
                                    const FieldList& received) {
  std::vector<std::string> out;
  std::optional<std::string> msg_type = FindField(received, 35);
  if (msg_type != expect.msg_type) {
    out.push_back("MsgType(35): expected " + expect.msg_type + ", got " +
                  (msg_type ? *msg_type : std::string("nothing")));
  }
  for (const FieldSpec& spec : expect.fields) {
    std::optional<std::string> got = FindField(received, spec.tag);
    switch (spec.kind) {
      case FieldSpec::Kind::kPresent:
        if (!got) out.push_back(Label(spec) + ": expected present, absent");
        break;
      case FieldSpec::Kind::kAbsent:
        if (got) {
          out.push_back(Label(spec) + ": expected absent, got " + *got);
        }
        break;
      case FieldSpec::Kind::kEquals:
        if (!got) {
          out.push_back(Label(spec) + ": expected " + spec.value + ", absent");
        } else if (!ValuesEqual(spec, *got)) {
          out.push_back(Label(spec) + ": expected " + spec.value + ", got " +
                        *got);
        }
        break;
    }
  }
  return out;
}

std::string DescribeFields(const std::vector<FieldSpec>& fields) {
  std::string out;
  for (const FieldSpec& spec : fields) {
    if (!out.empty()) out += ' ';
    out += spec.name + '=';
    switch (spec.kind) {
      case FieldSpec::Kind::kPresent:
        out += '*';
        break;
      case FieldSpec::Kind::kAbsent:
        out += '!';
        break;
      case FieldSpec::Kind::kEquals: {
        bool quote = spec.value.empty() || spec.value == "*" ||
                     spec.value == "!" ||
                     spec.value.find_first_of(" \t\"#") != std::string::npos;
        if (!quote) {
          out += spec.value;
          break;
        }
        out += '"';
        for (char c : spec.value) {
          if (c == '"' || c == '\\') out += '\\';
          out += c;
        }
        out += '"';
        break;
      }
    }
  }
  return out;
}

}  // namespace fixgw::load
