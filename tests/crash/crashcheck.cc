// crashcheck: the crash battery's verdict (scripts/crashtest.sh). Reads the
// brokers' fixload --record files, fixsim's message log of its GW session,
// the gateway's journal (read-only) and the gateway's final GET /state, and
// prints every bad case, then one line of counts not treated as failures,
// then the summary line (last):
//
//   crashtest: orders_sent=N kills=K lost=0 dup_at_exchange=0
//              reports_lost=0 reports_dup=0 state_mismatch=0
//
// (on one line). The definitions are in tests/crash/check.h. Exit codes: 0
// all five bad counts are 0, 1 one is not (or an input is inconsistent), 2
// usage or unreadable input.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
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
  app.add_option("--record", records, "a broker's fixload --record file")
      ->required();
  app.add_option("--sim-log", sim_log,
                 "fixsim's messages log of the gateway's session")
      ->required();
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
    input.brokers.push_back(std::move(record).value());
  }
  std::string text;
  if (!ReadAll(sim_log, &text)) return Fail("cannot read " + sim_log);
  input.sim = crash::ParseSimLog(text, exchange_comp_id);
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

  crash::CheckResult result = crash::Check(input);
  for (const std::string& d : result.details) {
    std::cout << d << (d.ends_with('\n') ? "" : "\n");
  }
  for (const std::string& e : result.errors) {
    std::cout << "input error: " << e << "\n";
  }
  std::cout << fmt::format(
      "crashtest: inputs: {} broker record(s), {} exchange log messages, {} "
      "journal entries\n",
      input.brokers.size(), input.sim.size(), input.journal.size());
  std::cout << result.Extra() << "\n";
  std::cout << result.Summary() << "\n";
  return result.counts.ok() && result.errors.empty() ? 0 : 1;
}
