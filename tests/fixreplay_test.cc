// fixreplay end to end: journals written by real order flow (fixload ->
// fixgw -> fixsim over FIX on 127.0.0.1), then read by the fixreplay
// program: the trail of one order's lifecycle against golden files, the
// state as of several moments, the hash-chain check against copies altered
// in each of the four ways, reading while the gateway writes, and bad input.
//
// Golden files (tests/golden/replay_*): the journal comes from a real run,
// so what varies between runs is normalised before comparing: every UTC
// timestamp becomes <time>, and fixsim's OrderIDs (prefixed with its start
// time, "T1795719014-") become T<start>-. Everything else (sequence numbers,
// gateway IDs, quantities, prices, texts) is the same in every run, because
// the scenario waits for each answer before sending the next message.
// FIXGW_UPDATE_GOLDEN=1 rewrites the golden files from the current output.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/harness/cluster.h"
#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Runs fixreplay with `args`; stdout and stderr kept apart.
Ran Replay(const TempDir& dir, const std::vector<std::string>& args) {
  static int runs = 0;
  std::vector<std::string> argv = {FIXREPLAY_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCapturing(argv, dir.path() + "/replay-" + std::to_string(++runs),
                      seconds(60));
}

std::string Describe(const Ran& r) {
  return "rc=" + std::to_string(r.rc) + "\n--- stdout:\n" + r.out +
         "\n--- stderr:\n" + r.err;
}

int Lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

// What varies from run to run (see the file comment).
std::string Normalise(const std::string& text) {
  static const std::regex kTime(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
  static const std::regex kSimPrefix(R"(\bT\d{9,11}-)");
  return std::regex_replace(std::regex_replace(text, kTime, "<time>"),
                            kSimPrefix, "T<start>-");
}

void ExpectGolden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(FIXGW_GOLDEN) + "/" + name;
  if (std::getenv("FIXGW_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  EXPECT_EQ(actual, ReadFile(path))
      << "differs from " << path << " (FIXGW_UPDATE_GOLDEN=1 rewrites it)";
}

// Microseconds since the epoch as the trail writes them.
std::string Iso(int64_t us) {
  const time_t secs = static_cast<time_t>(us / 1'000'000);
  std::tm t{};
  gmtime_r(&secs, &t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
                t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min,
                t.tm_sec, static_cast<long long>(us % 1'000'000));
  return buf;
}

// Runs `sql` on the database at `path`; "" or the error.
std::string Exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string error;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    error = "cannot open " + path;
  } else {
    char* msg = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      error = msg != nullptr ? msg : "error";
    }
    sqlite3_free(msg);
  }
  sqlite3_close(db);
  return error;
}

// An exact copy of the journal at `from` (SQLite's online backup).
bool Copy(const std::string& from, const std::string& to) {
  sqlite3* src = nullptr;
  sqlite3* dst = nullptr;
  bool ok = sqlite3_open_v2(from.c_str(), &src, SQLITE_OPEN_READONLY,
                            nullptr) == SQLITE_OK &&
            sqlite3_open(to.c_str(), &dst) == SQLITE_OK;
  if (ok) {
    sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
    ok = b != nullptr && sqlite3_backup_step(b, -1) == SQLITE_DONE;
    ok = sqlite3_backup_finish(b) == SQLITE_OK && ok;
  }
  sqlite3_close(src);
  sqlite3_close(dst);
  return ok;
}

class FixreplayTest : public ::testing::Test {
 protected:
  void StartCluster() {
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
    ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  }

  int RunScript(const std::string& sender, const std::string& script,
                std::string* output) {
    const std::string log =
        dir_.path() + "/fixload-" + std::to_string(++runs_) + ".log";
    int rc = RunToCompletion(
        {FIXLOAD_BIN, "--config", cluster_.ClientConfig(sender), "--script",
         std::string(FIXGW_SCENARIOS) + "/" + script},
        log, seconds(60));
    *output =
        ReadFile(log) + "\n--- fixgw log:\n" + ReadFile(cluster_.gateway_log());
    return rc;
  }

  // The scenario through a fresh gateway, which is then stopped (SIGTERM):
  // the journal is complete and nothing writes it any more.
  void BuildJournal() {
    StartCluster();
    std::string out;
    ASSERT_EQ(RunScript("BROKER1", "replay_order.script", &out), 0) << out;
    cluster_.gateway().Signal(SIGTERM);
    auto rc = cluster_.gateway().Wait(seconds(20));
    ASSERT_TRUE(rc.has_value());
    ASSERT_EQ(*rc, 0) << ReadFile(cluster_.gateway_log());
  }

  Ran Replay(const std::vector<std::string>& args) {
    return fixgw::testing::Replay(dir_, args);
  }
  std::string Journal() const { return cluster_.journal(); }

  // The time of the only journal entry matching `where`.
  std::string TimeOf(const std::string& where) {
    EXPECT_EQ(
        cluster_.JournalCount("SELECT count(*) FROM journal WHERE " + where), 1)
        << where;
    return Iso(
        cluster_.JournalCount("SELECT time_us FROM journal WHERE " + where));
  }
  int64_t SeqOf(const std::string& where) {
    return cluster_.JournalCount("SELECT seq FROM journal WHERE " + where);
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
  int runs_ = 0;
};

// The scenario's exchange ClOrdIDs: o1 GWT-1, o1r GWT-2, s1 GWT-3,
// o1c GWT-4, m1 GWT-5 (o1c2 and x1 are refused by the gateway itself).
constexpr const char* kReportOf = "kind='ExchangeReportReceived' AND ";

TEST_F(FixreplayTest, TrailOfAReplacedPartiallyFilledCanceledOrderIsGolden) {
  BuildJournal();
  for (const auto& [format, golden] :
       {std::pair{"text", "replay_order.txt"},
        std::pair{"csv", "replay_order.csv"},
        std::pair{"json", "replay_order.jsonl"}}) {
    Ran r = Replay({Journal(), "--order", "o1r", "--format", format});
    ASSERT_EQ(r.rc, 0) << Describe(r);
    EXPECT_EQ(r.err, "");
    ExpectGolden(golden, Normalise(r.out));
  }

  // Any link of the chain, broker or exchange side, gives the same trail.
  const Ran by_o1r = Replay({Journal(), "--order", "o1r"});
  for (const char* id : {"o1", "o1c", "GWT-1", "GWT-2", "GWT-4"}) {
    EXPECT_EQ(Replay({Journal(), "--order", id}).out, by_o1r.out) << id;
  }

  // What a compliance officer reads in it: who sent it, what the gateway
  // decided, what the exchange did, what the broker saw.
  const std::string& t = by_o1r.out;
  EXPECT_NE(t.find("from-broker FIX.4.4:GW->BROKER1 NewOrderSingle "
                   "NewOrderAccepted account=ACC1 cl_ord_id=o1 "
                   "exch_cl_ord_id=GWT-1 symbol=AAPL side=Buy qty=1000 "
                   "price=99.00 ord_type=Limit tif=Day status=Accepted"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("from-exchange FIX.4.4:GW->BROKER1 ExecutionReport "
                   "ExchangeReportReceived account=ACC1 cl_ord_id=o1r "
                   "orig_cl_ord_id=o1 exch_cl_ord_id=GWT-2"),
            std::string::npos)
      << t;
  // The exchange's ExecID and OrderID, as the broker got them too.
  EXPECT_NE(t.find("exec_type=Trade exec_id=T"), std::string::npos) << t;
  EXPECT_NE(t.find("order_id=T"), std::string::npos) << t;
  EXPECT_NE(t.find("last_qty=300 last_px=99.50 cum_qty=300 "
                   "leaves_qty=500 status=PartiallyFilled"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("to-broker FIX.4.4:GW->BROKER1 OrderCancelReject "
                   "SentToBroker account=ACC1 cl_ord_id=o1c2"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("reason=\"CxlRejReason=0: "), std::string::npos) << t;
  // The other account's order that traded against it is not in the trail.
  EXPECT_EQ(t.find("cl_ord_id=s1"), std::string::npos) << t;

  // CSV: a header and one record per line; JSON: one object per line.
  Ran csv = Replay({Journal(), "--order", "o1r", "--format", "csv"});
  Ran text = Replay({Journal(), "--order", "o1r"});
  Ran json = Replay({Journal(), "--order", "o1r", "--format", "json"});
  EXPECT_EQ(Lines(csv.out), Lines(text.out) + 1);
  EXPECT_EQ(Lines(json.out), Lines(text.out));
}

TEST_F(FixreplayTest, FiltersSelectAccountSymbolSessionAndTime) {
  BuildJournal();
  Ran all = Replay({Journal()});
  ASSERT_EQ(all.rc, 0) << Describe(all);
  EXPECT_EQ(Lines(all.out),
            cluster_.JournalCount("SELECT count(*) FROM journal"));
  EXPECT_NE(all.out.find("RiskLimitsLoaded"), std::string::npos);
  EXPECT_NE(all.out.find("status=ExchangeUp"), std::string::npos);

  Ran acc2 = Replay({Journal(), "--account", "ACC2", "--format", "csv"});
  ASSERT_EQ(acc2.rc, 0) << Describe(acc2);
  // s1: accepted, sent, acked, relayed, filled, relayed; m1: 4 entries.
  EXPECT_EQ(Lines(acc2.out), 1 + 10) << acc2.out;
  EXPECT_EQ(acc2.out.find(",ACC1,"), std::string::npos) << acc2.out;

  Ran msft = Replay({Journal(), "--symbol", "MSFT"});
  EXPECT_EQ(Lines(msft.out), 4) << msft.out;
  // BROKER2 never logged on: a name the journal never saw is said, not
  // answered with an empty trail.
  Ran broker2 = Replay({Journal(), "--session", "BROKER2"});
  EXPECT_EQ(broker2.rc, 2) << Describe(broker2);
  EXPECT_EQ(broker2.out, "");
  EXPECT_NE(broker2.err.find("session 'BROKER2' never occurs"),
            std::string::npos)
      << broker2.err;

  // --from/--to: the entries of the trade, both inclusive.
  const std::string fill = TimeOf(std::string(kReportOf) +
                                  "exch_cl_ord_id='GWT-2' AND payload LIKE "
                                  "'%\"exec_type\":\"F\"%'");
  Ran window = Replay({Journal(), "--from", fill, "--to", fill});
  EXPECT_EQ(window.rc, 0) << Describe(window);
  EXPECT_EQ(Lines(window.out), 2) << window.out;  // report + relay
  EXPECT_NE(window.out.find(fill + " #"), std::string::npos) << window.out;
}

TEST_F(FixreplayTest, AsOfRecomputesOrdersPositionsCashAndReservations) {
  BuildJournal();
  auto as_of = [&](const std::string& time) {
    Ran r = Replay({Journal(), "--as-of", time});
    EXPECT_EQ(r.rc, 0) << Describe(r);
    EXPECT_EQ(r.err, "") << r.err;
    return r.out;
  };
  // Before anything: no account.
  std::string s = as_of("2000-01-01");
  EXPECT_EQ(Lines(s), 1) << s;
  EXPECT_NE(s.find("up to seq 0, 0 events applied"), std::string::npos) << s;

  // o1 acknowledged: 1000 @ 99.00 reserved (cash 100,000,000 per account).
  s = as_of(TimeOf(std::string(kReportOf) + "exch_cl_ord_id='GWT-1'"));
  EXPECT_NE(s.find("account ACC1 cash=100000000.00 net_cash=0.00 "
                   "reserved=99000.00 available=99901000.00 open_orders=1\n"
                   "  position AAPL position=0 open_buy=1000 open_sell=0\n"
                   "  order symbol=AAPL session=FIX.4.4:GW->BROKER1 "
                   "cl_ord_id=o1 exch_cl_ord_id=GWT-1"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("leaves_qty=1000 avg_px=0.00 status=New\n"),
            std::string::npos)
      << s;

  // Replaced: 800 @ 99.50.
  s = as_of(TimeOf(std::string(kReportOf) +
                   "exch_cl_ord_id='GWT-2' AND payload LIKE "
                   "'%\"exec_type\":\"5\"%'"));
  EXPECT_NE(s.find("reserved=79600.00"), std::string::npos) << s;
  EXPECT_NE(s.find("cl_ord_id=o1r exch_cl_ord_id=GWT-2"), std::string::npos)
      << s;
  EXPECT_NE(s.find("qty=800 price=99.50 cum_qty=0 leaves_qty=800"),
            std::string::npos)
      << s;

  // Partially filled: ACC1 +300 AAPL for 29,850; ACC2 the other side.
  s = as_of(TimeOf(std::string(kReportOf) +
                   "exch_cl_ord_id='GWT-2' AND payload LIKE "
                   "'%\"exec_type\":\"F\"%'"));
  EXPECT_NE(s.find("account ACC1 cash=99970150.00 net_cash=-29850.00 "
                   "reserved=49750.00 available=99920400.00 open_orders=1\n"
                   "  position AAPL position=300 open_buy=500 open_sell=0\n"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("cum_qty=300 leaves_qty=500 avg_px=99.50 "
                   "status=PartiallyFilled"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("account ACC2 cash=100029850.00 net_cash=29850.00 "
                   "reserved=0.00 available=100029850.00 open_orders=0\n"
                   "  position AAPL position=-300 open_buy=0 open_sell=0\n"),
            std::string::npos)
      << s;
  for (const auto& [format, golden] :
       {std::pair{"text", "replay_as_of.txt"},
        std::pair{"csv", "replay_as_of.csv"},
        std::pair{"json", "replay_as_of.jsonl"}}) {
    Ran r = Replay({Journal(), "--as-of",
                    TimeOf(std::string(kReportOf) +
                           "exch_cl_ord_id='GWT-2' AND payload LIKE "
                           "'%\"exec_type\":\"F\"%'"),
                    "--format", format});
    ASSERT_EQ(r.rc, 0) << Describe(r);
    ExpectGolden(golden, Normalise(r.out));
  }

  // Canceled: nothing open or reserved for ACC1; the position stays.
  s = as_of(TimeOf(std::string(kReportOf) + "exch_cl_ord_id='GWT-4'"));
  EXPECT_NE(s.find("account ACC1 cash=99970150.00 net_cash=-29850.00 "
                   "reserved=0.00 available=99970150.00 open_orders=0\n"
                   "  position AAPL position=300 open_buy=0 open_sell=0\n"
                   "account ACC2"),
            std::string::npos)
      << s;

  // The end: m1 (ACC2, 100 MSFT @ 250) is the only open order.
  s = as_of("2100-01-01");
  EXPECT_NE(s.find("reserved=25000.00"), std::string::npos) << s;
  EXPECT_EQ(Occurrences(s, "  order "), 1) << s;
  EXPECT_NE(s.find("cl_ord_id=m1"), std::string::npos) << s;

  // Filters narrow the report.
  Ran acc1 = Replay({Journal(), "--as-of", "2100-01-01", "--account", "ACC1"});
  EXPECT_EQ(acc1.out.find("ACC2"), std::string::npos) << acc1.out;
  EXPECT_NE(acc1.out.find("account ACC1"), std::string::npos) << acc1.out;
}

TEST_F(FixreplayTest,
       VerifyPassesTheIntactJournalAndNamesTheFirstAlteredEntry) {
  BuildJournal();
  Ran intact = Replay({Journal(), "--verify"});
  EXPECT_EQ(intact.rc, 0) << Describe(intact);
  EXPECT_EQ(Lines(intact.out), 1);
  EXPECT_NE(intact.out.find(": intact: "), std::string::npos) << intact.out;

  // The entry forwarding the replace, and the one after it.
  const int64_t k = SeqOf("kind='CancelReplaceForwarded' AND cl_ord_id='o1r'");
  ASSERT_GT(k, 1);
  const std::string kk = std::to_string(k);
  const std::string k1 = std::to_string(k + 1);
  // Whoever alters the journal drops the append-only triggers first.
  const std::string unlock =
      "DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete; ";
  struct Alteration {
    const char* name;
    std::string sql;
    int64_t first_bad;
  };
  const std::vector<Alteration> alterations = {
      {"change",
       "UPDATE journal SET payload = replace(payload, '\"qty\":800', "
       "'\"qty\":8000') WHERE seq = " +
           kk,
       k},
      {"delete", "DELETE FROM journal WHERE seq = " + kk, k + 1},
      {"insert",
       "UPDATE journal SET seq = -seq - 1 WHERE seq > " + kk +
           "; UPDATE journal SET seq = -seq WHERE seq < 0; "
           "INSERT INTO journal SELECT " +
           k1 +
           ", time_us, kind, session, cl_ord_id, exch_cl_ord_id, payload, "
           "raw_fix, hash FROM journal WHERE seq = " +
           kk,
       k + 1},
      {"reorder",
       "UPDATE journal SET seq = -1 WHERE seq = " + kk +
           "; UPDATE journal SET seq = " + kk + " WHERE seq = " + k1 +
           "; UPDATE journal SET seq = " + k1 + " WHERE seq = -1",
       k},
  };
  for (const Alteration& a : alterations) {
    SCOPED_TRACE(a.name);
    const std::string copy = dir_.path() + "/altered-" + a.name + ".db";
    ASSERT_TRUE(Copy(Journal(), copy));
    ASSERT_EQ(Exec(copy, unlock + a.sql), "");
    Ran r = Replay({copy, "--verify"});
    EXPECT_EQ(r.rc, 1) << Describe(r);
    EXPECT_EQ(Lines(r.out), 1) << r.out;
    EXPECT_NE(r.out.find("DAMAGED: first bad entry is seq " +
                         std::to_string(a.first_bad) + ": "),
              std::string::npos)
        << r.out;
  }
  // The delete names the missing entry.
  const std::string deleted = dir_.path() + "/altered-delete.db";
  EXPECT_NE(Replay({deleted, "--verify"}).out.find("entry " + kk + " missing"),
            std::string::npos);
  // An unaltered copy still verifies.
  const std::string same = dir_.path() + "/copy.db";
  ASSERT_TRUE(Copy(Journal(), same));
  EXPECT_EQ(Replay({same, "--verify"}).rc, 0);
}

// fixreplay opens the journal read-only: it runs while the gateway writes,
// the gateway goes on unhindered, and the state fixreplay recomputes is
// byte for byte the one the gateway serves on its admin API.
TEST_F(FixreplayTest, ReadsTheLiveJournalAndAgreesWithTheGatewaysState) {
  StartCluster();
  const std::string load_log = dir_.path() + "/load.log";
  Process load({FIXLOAD_BIN, "--config", cluster_.ClientConfig("BROKER2"),
                "--orders", "600", "--rate", "200", "--account", "ACC3"},
               load_log);
  int reads = 0;
  while (load.Running()) {
    Ran trail = Replay({Journal(), "--format", "csv"});
    ASSERT_EQ(trail.rc, 0) << Describe(trail);
    Ran verify = Replay({Journal(), "--verify"});
    ASSERT_EQ(verify.rc, 0) << Describe(verify);
    ++reads;
  }
  auto load_rc = load.Wait(seconds(60));
  ASSERT_TRUE(load_rc.has_value());
  EXPECT_EQ(*load_rc, 0) << ReadFile(load_log);
  EXPECT_GT(reads, 0);

  std::string out;
  ASSERT_EQ(RunScript("BROKER1", "replay_order.script", &out), 0) << out;
  // The kill switch on ACC2 cancels m1 at the exchange; the trail of m1
  // shows the gateway's cancel and the unsolicited cancel the broker got.
  auto engage = cluster_.Admin(
      "POST", "/kill-switch?action=engage&scope=account&name=ACC2&reason=test");
  ASSERT_EQ(engage.status, 200) << engage.body;
  const std::string canceled =
      "SELECT count(*) FROM journal WHERE kind='ExchangeReportReceived' AND "
      "payload LIKE '%\"exec_type\":\"4\"%' AND exch_cl_ord_id != 'GWT-4'";
  for (int i = 0; i < 250 && cluster_.JournalCount(canceled) < 1; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  Ran m1 = Replay({Journal(), "--order", "m1"});
  ASSERT_EQ(m1.rc, 0) << Describe(m1);
  EXPECT_NE(m1.out.find("to-exchange FIX.4.4:GW->BROKER1 OrderCancelRequest "
                        "SentToExchange account=ACC2 cl_ord_id=m1"),
            std::string::npos)
      << m1.out;
  EXPECT_NE(m1.out.find("to-broker FIX.4.4:GW->BROKER1 ExecutionReport "
                        "SentToBroker account=ACC2 cl_ord_id=m1"),
            std::string::npos)
      << m1.out;
  EXPECT_NE(m1.out.find("status=Canceled reason=\"canceled by kill switch"),
            std::string::npos)
      << m1.out;
  Ran kill = Replay({Journal(), "--account", "ACC2"});
  EXPECT_NE(kill.out.find("internal - - KillSwitchChanged account=ACC2 "
                          "status=Engaged"),
            std::string::npos)
      << kill.out;

  auto state = cluster_.Admin("GET", "/state");
  ASSERT_EQ(state.status, 200);
  Ran replayed =
      Replay({Journal(), "--as-of", "2100-01-01", "--format", "state-json"});
  ASSERT_EQ(replayed.rc, 0) << Describe(replayed);
  EXPECT_EQ(replayed.out, state.body);
}

TEST(FixreplayBadInputTest, OneClearLineAndANonZeroExit) {
  TempDir dir;
  auto expect_one_line = [&](const std::vector<std::string>& args, int rc,
                             const std::string& says) {
    Ran r = Replay(dir, args);
    EXPECT_EQ(r.rc, rc) << Describe(r);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(Lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("fixreplay: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
  };
  const std::string missing = dir.path() + "/missing.db";
  expect_one_line({missing}, 2, missing + ": no such journal file");
  expect_one_line({missing, "--verify"}, 2, "no such journal file");

  const std::string text = dir.Write("notes.txt", "not a journal at all\n");
  expect_one_line({text}, 2, text + ": not a fixgw journal");
  const std::string other = dir.path() + "/other.db";
  ASSERT_EQ(Exec(other, "CREATE TABLE t (a)"), "");
  expect_one_line({other, "--verify"}, 2, other + ": not a fixgw journal");

  // A journal written by a newer fixgw (schema version 4).
  const std::string newer = dir.path() + "/newer.db";
  ASSERT_EQ(Exec(newer,
                 "PRAGMA application_id = 1179211847; PRAGMA user_version = "
                 "4; CREATE TABLE journal (seq INTEGER PRIMARY KEY)"),
            "");
  expect_one_line({newer}, 2,
                  newer +
                      ": journal schema version 4 is newer than this "
                      "program supports");

  expect_one_line({text, "--format", "xml"}, 2, "--format");
  expect_one_line({text, "--as-of", "yesterday"}, 2, "--as-of: bad time");
  expect_one_line({text, "--verify", "--order", "o1"}, 2, "--verify");
  expect_one_line({text, "--as-of", "2026-01-01", "--order", "o1"}, 2,
                  "--as-of");
  expect_one_line({text, "--format", "state-json"}, 2, "state-json");
  expect_one_line({}, 2, "journal is required");
  expect_one_line({text, "--colour", "blue"}, 2, "--colour");
  Ran help = Replay(dir, {"--help"});
  EXPECT_EQ(help.rc, 0) << Describe(help);
  EXPECT_NE(help.out.find("--as-of"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace fixgw::testing
