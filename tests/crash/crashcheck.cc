// crashcheck: the crash battery's verdict (scripts/crashtest.sh). Reads the
// brokers' fixload --record files, each venue's fixsim message log of its
// GW session (--venue COMPID=NAME:SYMBOLS:LOG, or --sim-log for one venue), the
// drop-copy consumer's record and message log if there is one, the
// gateway's journal (read-only) and the gateway's final GET /state, and
// prints every bad case, then one line of counts not treated as failures,
// then one line per session (brokers, drop copy, venues), then the summary
// line (last):
//
//   crashtest: orders_sent=N kills=K lost=0 dup_at_exchange=0
//              reports_lost=0 reports_dup=0 state_mismatch=0 misrouted=0
//              dropcopy_lost=0 dropcopy_dup=0 dropcopy_unmarked=0
//              cod_unexpected=0
//
// (on one line). The definitions are in tests/crash/check.h. Exit codes: 0
// every bad count is 0, 1 one is not (or an input is inconsistent), 2
// usage or unreadable input.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/crash/check.h"

namespace {

using namespace fixgw;

bool ReadAll(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  *out = text.str();
  return true;
}

int Fail(const std::string& message) {
  std::cerr << "crashcheck: " << message << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"crashcheck: exactly-once verdict of a crash battery run"};
  std::vector<std::string> records;
  std::string sim_log, journal_path, state_path, risk_path, events_path;
  crash::CheckInput input;
  app.add_option("--record", records,
                 "a broker's fixload --record file (several of one session: "
                 "in order, one after the other)")
      ->required();
  std::vector<std::string> venues;
  auto* sim_log_option =
      app.add_option("--sim-log", sim_log,
                     "one venue: fixsim's messages log of the gateway's "
                     "session");
  auto* venue_option = app.add_option(
      "--venue", venues,
      "a venue: COMPID[=NAME]:SYMBOL,SYMBOL:LOG (fixsim's SenderCompID, "
      "fixgw's Venue= for it (default COMPID), the symbols routed to it, "
      "empty for all, its messages log)");
  sim_log_option->excludes(venue_option);
  std::vector<std::string> cod;
  auto* cod_option = app.add_option(
      "--cancel-on-disconnect", cod,
      "a broker CompID with CancelOnDisconnect=Y (others must get no "
      "cancel-on-disconnect cancels)");
  std::string dc_record, dc_log;
  app.add_option("--dropcopy-record", dc_record,
                 "the drop-copy consumer's fixload --record file");
  app.add_option("--dropcopy-log", dc_log,
                 "the drop-copy consumer's QuickFIX messages log");
  app.add_option("--journal", journal_path, "the gateway's journal")
      ->required();
  app.add_option("--state", state_path, "GET /state saved at the end")
      ->required();
  app.add_option("--risk", risk_path, "the risk file (initial cash)")
      ->required();
  app.add_option("--events", events_path,
                 "the battery's event log (<time_us> <what>), for context");
  app.add_option("--kills", input.kills, "kills of fixgw, for the summary");
  app.add_option("--id-prefix", input.id_prefix, "fixgw's IdPrefix")
      ->capture_default_str();
  std::string exchange_comp_id = "SIM";
  app.add_option("--exchange-comp-id", exchange_comp_id,
                 "the exchange's SenderCompID in its log")
      ->capture_default_str();
  app.add_option("--max-details", input.max_details, "bad cases shown per kind")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  for (const std::string& path : records) {
    std::string text;
    if (!ReadAll(path, &text)) return Fail("cannot read " + path);
    Result<crash::BrokerRecord> record = crash::ParseRecord(text, path);
    if (!record.ok()) return Fail(record.status().message());
    // A later record of the same session (the broker logged on again)
    // continues the earlier one.
    auto same = std::find_if(input.brokers.begin(), input.brokers.end(),
                             [&](const crash::BrokerRecord& b) {
                               return b.session == record->session;
                             });
    if (same == input.brokers.end()) {
      input.brokers.push_back(std::move(record).value());
    } else {
      same->path += "+" + path;
      for (crash::RecordMsg& m : record->messages) {
        same->messages.push_back(std::move(m));
      }
    }
  }
  std::string text;
  if (venues.empty()) {
    if (sim_log.empty()) return Fail("--sim-log or --venue is required");
    venues.push_back(exchange_comp_id + "::" + sim_log);
  }
  for (const std::string& v : venues) {
    const size_t a = v.find(':');
    const size_t b = a == std::string::npos ? a : v.find(':', a + 1);
    if (b == std::string::npos || a == 0) {
      return Fail("--venue " + v + ": want COMPID:SYMBOLS:LOG");
    }
    crash::VenueInput venue{.comp_id = v.substr(0, a), .symbols = {}};
    if (size_t eq = venue.comp_id.find('='); eq != std::string::npos) {
      venue.name = venue.comp_id.substr(eq + 1);
      venue.comp_id.resize(eq);
    }
    std::stringstream symbols(v.substr(a + 1, b - a - 1));
    for (std::string sym; std::getline(symbols, sym, ',');) {
      if (!sym.empty()) venue.symbols.push_back(sym);
    }
    const std::string path = v.substr(b + 1);
    if (!ReadAll(path, &text)) return Fail("cannot read " + path);
    for (crash::SimMsg& m : crash::ParseSimLog(text, venue.comp_id)) {
      m.venue = input.venues.size();
      input.sim.push_back(std::move(m));
    }
    input.venues.push_back(std::move(venue));
  }
  if (!dc_record.empty()) {
    if (!ReadAll(dc_record, &text)) return Fail("cannot read " + dc_record);
    Result<crash::BrokerRecord> record = crash::ParseRecord(text, dc_record);
    if (!record.ok()) return Fail(record.status().message());
    input.drop_copy = std::move(record).value();
    if (!dc_log.empty()) {
      if (!ReadAll(dc_log, &text)) return Fail("cannot read " + dc_log);
      // The consumer's own CompID marks what it sent.
      const std::string& session = input.drop_copy->session;
      const size_t colon = session.find(':');
      const size_t arrow = session.find("->");
      input.drop_copy_log = crash::ParseSimLog(
          text, session.substr(colon + 1, arrow - colon - 1));
    }
  }
  if (!ReadAll(state_path, &input.state_json)) {
    return Fail("cannot read " + state_path);
  }
  if (!ReadAll(risk_path, &input.risk_text)) {
    return Fail("cannot read " + risk_path);
  }
  if (!events_path.empty()) {
    if (!ReadAll(events_path, &text)) return Fail("cannot read " + events_path);
    input.events = crash::ParseEvents(text);
  }
  Result<std::unique_ptr<store::Journal>> journal =
      store::Journal::OpenReadOnly(journal_path);
  if (!journal.ok()) return Fail(journal.status().message());
  Status read = (*journal)->ForEach(0, [&](const store::JournalEntry& e) {
    input.journal.push_back(e);
    return true;
  });
  if (!read.ok()) return Fail(read.message());

  if (cod_option->count() > 0) input.cancel_on_disconnect = cod;
  crash::CheckResult result = crash::Check(input);
  for (const std::string& d : result.details) {
    std::cout << d << (d.ends_with('\n') ? "" : "\n");
  }
  for (const std::string& e : result.errors) {
    std::cout << "input error: " << e << "\n";
  }
  std::cout << fmt::format(
      "crashtest: inputs: {} broker record(s), {} venue(s) with {} exchange "
      "log messages, {} drop copy record(s), {} journal entries\n",
      input.brokers.size(), input.venues.size(), input.sim.size(),
      input.drop_copy ? 1 : 0, input.journal.size());
  std::cout << result.Extra() << "\n";
  for (const crash::SessionCounts& s : result.sessions) {
    std::cout << s.Line() << "\n";
  }
  std::cout << result.Summary() << "\n";
  return result.counts.ok() && result.errors.empty() ? 0 : 1;
}
