// fixreplay: the compliance tool over the gateway's journal (read-only; safe
// while fixgw runs). Usage and output are documented in docs/fixreplay.md:
//
//   fixreplay JOURNAL [--format F] [--order ID] [--account A] [--symbol S]
//                     [--session S] [--venue V] [--from TIME] [--to TIME]
//   fixreplay JOURNAL --as-of TIME [--format F] [--account A] [--symbol S]
//                     [--session S]
//   fixreplay JOURNAL [JOURNAL...] --verify
//   fixreplay JOURNAL --roll NEW [--reset-cash]
//
// Exit codes: 0 ok; 1 the journal is damaged (--verify found a bad entry or
// a break between files, --roll found the journal damaged, or an entry's
// event could not be decoded); 2 usage error, a filter naming an account,
// symbol, session or order the journal never saw, or the journal cannot be used
// (missing, not a journal, newer schema, unreadable), or the output cannot
// be written, or --roll refused (open orders, fixgw running, NEW exists).
//
// --roll is the one command that writes: it creates NEW (never JOURNAL,
// which it opens read-only) and is run at end of day while fixgw is
// stopped (rollover.h).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "fixgw_version.h"
#include "gateway/core/clock.h"
#include "gateway/fixreplay/render.h"
#include "gateway/fixreplay/replay_state.h"
#include "gateway/fixreplay/rollover.h"
#include "gateway/fixreplay/trail.h"
#include "store/journal.h"
#include "store/journal_head.h"

namespace {

using namespace fixgw;

constexpr int kOk = 0;
constexpr int kDamaged = 1;
constexpr int kUsage = 2;

struct Args {
  std::vector<std::string> journals;
  std::string journal;  // journals[0]
  std::string format = "text";
  std::optional<std::string> order, account, symbol, session, venue;
  std::optional<std::string> from, to, as_of;
  bool verify = false;
  std::optional<std::string> roll;
  bool reset_cash = false;
};

// Output through one large stdio buffer; the exit code tells if it failed.
class Out {
 public:
  Out() { std::setvbuf(stdout, nullptr, _IOFBF, 1 << 20); }
  void Write(const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
  }
  bool Finish() {
    if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
      fmt::print(stderr, "fixreplay: cannot write output: {}\n",
                 std::strerror(errno));
      return false;
    }
    return true;
  }
};

std::optional<Timestamp> Time(const std::optional<std::string>& text,
                              const char* option, bool* ok) {
  if (!text) return std::nullopt;
  Result<Timestamp> t = replay::ParseTimeArg(*text);
  if (!t.ok()) {
    fmt::print(stderr, "fixreplay: {}: {}\n", option, t.status().message());
    *ok = false;
    return std::nullopt;
  }
  return *t;
}

// The whole chain, and the head fixgw recorded beside the journal
// (store/journal_head.h) must be on it: a journal cut after its last
// recorded head is damaged too.
int Verify(const store::Journal& journal) {
  Result<store::StartCheck> check =
      store::CheckAtStart(journal, store::VerifyMode::kFull);
  if (!check.ok()) {
    fmt::print(stderr, "fixreplay: {}\n", check.status().message());
    return kUsage;
  }
  if (!check->ok()) {
    fmt::print("{}: DAMAGED: first bad entry is seq {}: {} ({} entries)\n",
               journal.path(), check->first_bad_seq.value_or(0),
               check->detail, check->entries);
    return kDamaged;
  }
  // The head hash, to be recorded elsewhere: it pins every entry up to it.
  const std::string head = check->entries > 0 ? check->head.hash : "-";
  const store::ChainSeed& seed = journal.seed();
  fmt::print(
      "{}: intact: {} entries, hash chain verified; head seq {} hash "
      "{}{}{}\n",
      journal.path(), check->entries, check->head.seq, head,
      seed.last_seq == 0 ? ""
                         : fmt::format("; continues {} after seq {}",
                                       seed.previous_file, seed.last_seq),
      check->recorded
          ? fmt::format("; reaches the head recorded at seq {} ({})",
                        check->recorded->point.seq, check->recorded->reason)
          : "");
  return kOk;
}

// --verify over several files in roll order (rollover.h).
int VerifyFiles(const std::vector<std::string>& paths) {
  Result<replay::ArchiveReport> archive = replay::VerifyArchive(paths);
  if (!archive.ok()) {
    fmt::print(stderr, "fixreplay: {}\n", archive.status().message());
    return kUsage;
  }
  for (size_t i = 0; i < archive->files.size(); ++i) {
    const replay::ArchiveFile& f = archive->files[i];
    if (archive->bad_file == i) {
      fmt::print("{}: DAMAGED: first bad entry is seq {}: {} (file {} of {})\n",
                 f.path, *archive->bad_seq, archive->problem, i + 1,
                 paths.size());
      return kDamaged;
    }
    fmt::print("{}: intact: {} entries, seqs {} to {}, head hash {}\n", f.path,
               f.report.entries, f.seed.last_seq + 1, f.report.head_seq,
               f.report.head_hash);
  }
  const replay::ArchiveFile& last = archive->files.back();
  fmt::print(
      "archive intact: {} files form one hash chain from seq {} to seq {}; "
      "head hash {}\n",
      paths.size(), archive->files.front().seed.last_seq + 1,
      last.report.head_seq, last.report.head_hash);
  return kOk;
}

// A filter that names what the journal never saw (a typo, another day's
// journal) is said on stderr, never answered with an empty report and exit
// 0. `stats` holds the names seen (TrailStats). False if one is unknown.
bool NamesSeen(const Args& args, const replay::TrailStats& stats) {
  bool ok = true;
  auto check = [&](const std::optional<std::string>& wanted,
                   const std::set<std::string>& seen, const char* what,
                   const char* plural, bool session) {
    if (!wanted) return;
    for (const std::string& name : seen) {
      if (session ? replay::SessionMatches(name, *wanted) : name == *wanted) {
        return;
      }
    }
    std::vector<std::string> shown(seen.begin(), seen.end());
    const size_t total = shown.size();
    if (shown.size() > 20) shown.resize(20);
    fmt::print(stderr, "fixreplay: {}: {} '{}' never occurs in this journal "
               "({} in it: {}{})\n",
               args.journal, what, *wanted, plural,
               shown.empty() ? "none" : fmt::format("{}", fmt::join(shown, ", ")),
               total > shown.size()
                   ? fmt::format(", ... {} in all", total)
                   : std::string());
    ok = false;
  };
  check(args.account, stats.accounts, "account", "accounts", false);
  check(args.symbol, stats.symbols, "symbol", "symbols", false);
  check(args.session, stats.sessions, "session", "sessions", true);
  check(args.venue, stats.venues, "venue", "venues", false);
  if (args.order && !stats.order_seen) {
    fmt::print(stderr,
               "fixreplay: {}: order '{}' never occurs in this journal (as a "
               "broker or exchange ClOrdID{})\n",
               args.journal, *args.order,
               args.session ? " of session " + *args.session : "");
    ok = false;
  }
  return ok;
}

int Roll(const Args& args) {
  replay::RollOptions options{args.journal, *args.roll, !args.reset_cash,
                              Now()};
  replay::RollResult result;
  if (Status st = replay::RollJournal(options, &result); !st.ok()) {
    fmt::print(stderr, "fixreplay: {}\n", st.message());
    return result.old_damaged ? kDamaged : kUsage;
  }
  const gw::JournalContinued& c = result.carried;
  fmt::print(
      "{}: rolled into {}: continues after seq {} hash {}; carried: risk "
      "limits {}, {} kill switch(es), {} account(s){}; {} FIX session(s) "
      "with {} stored message(s){}\n",
      args.journal, *args.roll, c.previous_last_seq, c.previous_last_hash,
      c.risk_source.empty() ? "none" : "from " + c.risk_source,
      c.kill_switches.size(), c.accounts.size(),
      args.reset_cash ? " (positions only)" : "", result.sessions,
      result.messages,
      result.disabled_sessions.empty()
          ? ""
          : fmt::format("; still disabled: {}",
                        fmt::join(result.disabled_sessions, ", ")));
  return kOk;
}

int Run(const Args& args) {
  // state-json: the as-of state exactly as fixgw's admin GET /state shows
  // it, for a byte-for-byte comparison with a running gateway.
  const bool state_json = args.format == "state-json";
  std::optional<replay::Format> format =
      state_json ? replay::Format::kJson : replay::ParseFormat(args.format);
  if (!format) {
    fmt::print(stderr,
               "fixreplay: --format: '{}' is not one of text, csv, json, "
               "state-json\n",
               args.format);
    return kUsage;
  }
  const bool filtered = args.order || args.account || args.symbol ||
                        args.session || args.venue || args.from || args.to;
  if (state_json && (!args.as_of || filtered)) {
    fmt::print(stderr,
               "fixreplay: --format state-json is the whole state as of a "
               "time: it needs --as-of and takes no filter\n");
    return kUsage;
  }
  if (args.journals.size() > 1 && !args.verify) {
    fmt::print(stderr,
               "fixreplay: several journals are read only with --verify "
               "(an archive in roll order)\n");
    return kUsage;
  }
  if (args.roll &&
      (args.verify || filtered || args.as_of || args.format != "text")) {
    fmt::print(stderr,
               "fixreplay: --roll writes a new journal and takes no other "
               "mode, filter or --format\n");
    return kUsage;
  }
  if (args.reset_cash && !args.roll) {
    fmt::print(stderr, "fixreplay: --reset-cash goes with --roll\n");
    return kUsage;
  }
  if (args.verify && (filtered || args.as_of)) {
    fmt::print(stderr,
               "fixreplay: --verify checks the whole journal and takes no "
               "filter or --as-of\n");
    return kUsage;
  }
  if (args.as_of && (args.order || args.venue || args.from || args.to)) {
    fmt::print(stderr,
               "fixreplay: --as-of takes only --account, --symbol and "
               "--session as filters (not --order, --venue, --from, --to)\n");
    return kUsage;
  }
  bool ok = true;
  std::optional<Timestamp> from = Time(args.from, "--from", &ok);
  std::optional<Timestamp> to = Time(args.to, "--to", &ok);
  std::optional<Timestamp> as_of = Time(args.as_of, "--as-of", &ok);
  if (!ok) return kUsage;
  if (from && to && *from > *to) {
    fmt::print(stderr, "fixreplay: --from {} is after --to {}\n", *args.from,
               *args.to);
    return kUsage;
  }

  if (args.roll) return Roll(args);
  if (args.verify && args.journals.size() > 1) {
    return VerifyFiles(args.journals);
  }
  auto journal = store::Journal::OpenReadOnly(args.journal);
  if (!journal.ok()) {
    fmt::print(stderr, "fixreplay: {}\n", journal.status().message());
    return kUsage;
  }
  if (args.verify) return Verify(**journal);

  Out out;
  if (as_of && (args.account || args.symbol || args.session)) {
    Result<replay::TrailStats> seen = replay::ReplayTrail(
        **journal,
        replay::TrailFilter{std::nullopt, args.account, args.symbol,
                            args.session, std::nullopt, std::nullopt},
        [](const replay::TrailRow&) {});
    if (!seen.ok()) {
      fmt::print(stderr, "fixreplay: {}\n", seen.status().message());
      return kUsage;
    }
    if (!NamesSeen(args, *seen)) return kUsage;
  }
  if (as_of) {
    Result<replay::ReplayedState> state =
        replay::ReplayState(**journal, *as_of);
    if (!state.ok()) {
      fmt::print(stderr, "fixreplay: {}\n", state.status().message());
      return kDamaged;
    }
    if (state->unknown_kinds > 0) {
      fmt::print(stderr,
                 "fixreplay: warning: {} entries of kinds this version does "
                 "not know were skipped (first: {}); the state may be "
                 "incomplete\n",
                 state->unknown_kinds, state->first_unknown);
    }
    if (state->risk_errors > 0) {
      fmt::print(stderr,
                 "fixreplay: warning: the risk engine refused {} journaled "
                 "events while replaying (last: {})\n",
                 state->risk_errors, state->last_risk_error);
    }
    if (state_json) {
      out.Write(state->state_json + "\n");
    } else {
      out.Write(replay::RenderState(
          *format, *state,
          replay::StateFilter{args.account, args.symbol, args.session}));
    }
    return out.Finish() ? kOk : kUsage;
  }

  replay::TrailFilter filter{args.order,   args.account, args.symbol,
                             args.session, from,         to};
  filter.venue = args.venue;
  if (*format == replay::Format::kCsv) out.Write(replay::TrailCsvHeader());
  Result<replay::TrailStats> stats =
      replay::ReplayTrail(**journal, filter, [&](const replay::TrailRow& row) {
        out.Write(replay::RenderTrailRow(*format, row));
      });
  const bool written = out.Finish();
  if (!stats.ok()) {
    fmt::print(stderr, "fixreplay: {}\n", stats.status().message());
    return kUsage;
  }
  if (!NamesSeen(args, *stats)) return kUsage;
  if (stats->rows == 0 && filtered) {
    fmt::print(stderr, "fixreplay: no journal entry matches the filters\n");
  }
  if (stats->unknown_kinds > 0) {
    fmt::print(stderr,
               "fixreplay: warning: {} entries of kinds this version does not "
               "know, shown with their kind only ({})\n",
               stats->unknown_kinds, stats->first_problem);
  }
  if (stats->unreadable > 0) {
    fmt::print(stderr,
               "fixreplay: {}: {} entries could not be decoded (first: {})\n",
               args.journal, stats->unreadable, stats->first_problem);
    return kDamaged;
  }
  return written ? kOk : kUsage;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "fixreplay: audit trail, state as of a time and hash-chain check of a "
      "fixgw journal (read-only)"};
  cli.set_version_flag("--version", "fixreplay " FIXGW_VERSION);
  Args args;
  cli.add_option("journal", args.journals,
                 "the journal (fixgw JournalPath); with --verify, several "
                 "in roll order (an archive)")
      ->required();
  cli.add_option("--format", args.format,
                 "text (default), csv or json; with --as-of also state-json "
                 "(the document fixgw's admin GET /state serves)");
  cli.add_option("--order", args.order,
                 "an order's lifecycle: broker or exchange ClOrdID, any link "
                 "of its cancel/replace chain");
  cli.add_option("--account", args.account, "only this account");
  cli.add_option("--symbol", args.symbol, "only this symbol");
  cli.add_option("--session", args.session,
                 "only this broker session (full key or the broker's CompID)");
  cli.add_option("--venue", args.venue,
                 "only the orders routed to this venue (Venue= of a gateway "
                 "with several) and its session's changes");
  cli.add_option("--from", args.from, "from this UTC time (inclusive)");
  cli.add_option("--to", args.to, "up to this UTC time (inclusive)");
  cli.add_option("--as-of", args.as_of,
                 "open orders, positions, cash and reservations per account "
                 "at this UTC time");
  cli.add_flag("--verify", args.verify,
               "check the hash chain; exit 1 naming the first bad entry; "
               "with several journals also that each continues the one "
               "before");
  cli.add_option("--roll", args.roll,
                 "end of day, fixgw stopped: write the new journal NEW that "
                 "continues this one (the chain, risk limits, kill switches, "
                 "positions and cash, FIX sessions); refuses open orders");
  cli.add_flag("--reset-cash", args.reset_cash,
               "with --roll: carry positions but not the day's net cash");
  cli.footer(
      "Times are UTC: 2026-11-26T18:50:14.123456Z, 2026-11-26 or "
      "20261126-18:50:14.123456.\nExit codes: 0 ok; 1 the journal is damaged "
      "(--verify, or an entry that does not decode); 2 usage error, a "
      "filter naming what the journal never saw, or journal unusable.\nDocumentation: docs/fixreplay.md");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, like every other error.
    fmt::print(stderr, "fixreplay: {} (fixreplay --help for usage)\n",
               e.what());
    return kUsage;
  }
  args.journal = args.journals.front();
  return Run(args);
}
