// Pre-trade risk end to end: raw broker sessions -> fixgw -> fixsim, with a
// risk file of small limits. A buy beyond buying power never reaches the
// exchange; fills move the cash and position the next order is checked
// against; the kill switch (admin API) cancels at the exchange and blocks;
// entitlements hold; limits reload without restart; after kill -9 the
// restarted gateway has the same risk state; and after the end-of-day
// journal rollover (fixreplay --roll) too.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include <cstdio>
#include <thread>

#include "tests/harness/broker.h"
#include "tests/harness/cluster.h"
#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kRisk = R"(
[defaults.session]
allowed_accounts = []
[accounts.ACC1]
cash = "10000"
[accounts.ACC2]
cash = "0"
short_selling = true
max_short = 1000
max_short_qty = 1000
# Never trades: the kill switch of a configured account nobody uses.
[accounts.ACC9]
cash = "0"
[symbols.MSFT]
reference_price = "100.00"
collar_bps = 1000
[sessions."FIX.4.4:GW->BROKER1"]
allowed_accounts = ["ACC1"]
[sessions."FIX.4.4:GW->BROKER2"]
allowed_accounts = ["ACC2"]
)";

// A DAY limit order on MSFT.
std::string Order(const std::string& id, const std::string& account,
                  char side, int qty, const std::string& px) {
  return "11=" + id + "|1=" + account + "|55=MSFT|54=" + std::string(1, side) +
         "|60=" + FixNow() + "|38=" + std::to_string(qty) + "|40=2|44=" + px +
         "|59=0|";
}

class GatewayRiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.risk_limits = kRisk;
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
    ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  }

  // Logged on with sequence number `seq`; 1 resets the session. The
  // gateway's Logon answer is kept in logon_.
  std::unique_ptr<Broker> LoggedOn(const std::string& sender, int seq = 1) {
    auto broker = std::make_unique<Broker>(cluster_.gateway_port(), sender);
    EXPECT_TRUE(broker->connected());
    EXPECT_TRUE(broker->Logon(seq, /*reset=*/seq == 1));
    auto logon = broker->WaitFor({"35=A"});
    EXPECT_TRUE(logon) << broker->Transcript() << GatewayLog();
    logon_ = logon.value_or("");
    return broker;
  }

  // Sends an order and returns the first report for it.
  std::string Submit(Broker& b, const std::string& id,
                     const std::string& account, char side, int qty,
                     const std::string& px) {
    EXPECT_TRUE(b.Next("D", Order(id, account, side, qty, px)));
    auto er = b.WaitFor({"35=8", "11=" + id});
    EXPECT_TRUE(er.has_value()) << b.Transcript() << GatewayLog();
    return er.value_or("");
  }

  // ACC2 (short selling allowed, BROKER2) rests a sell of 40 at 99 (s1);
  // ACC1 (BROKER1) buys it (b1); both are filled.
  void SellFortyToAcc1(Broker& b1, Broker& b2) {
    EXPECT_EQ(Field(Submit(b2, "s1", "ACC2", '2', 40, "99"), 150), "0");
    EXPECT_EQ(Field(Submit(b1, "b1", "ACC1", '1', 40, "99"), 150), "0");
    EXPECT_TRUE(b1.WaitFor({"35=8", "11=b1", "150=F", "39=2"}))
        << b1.Transcript();
    EXPECT_TRUE(b2.WaitFor({"35=8", "11=s1", "150=F", "39=2"}))
        << b2.Transcript();
  }

  std::string State() {
    Cluster::HttpReply r = cluster_.Admin("GET", "/state");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }

  std::string GatewayLog() {
    return "--- fixgw log:\n" + ReadFile(cluster_.gateway_log());
  }

  // Exchange-side NewOrderSingles / cancels in fixsim's message log.
  int SimReceived(const std::string& type) {
    return Occurrences(cluster_.SimMessages(), "\x01" "35=" + type + "\x01");
  }

  void StopGateway() {
    cluster_.gateway().Signal(SIGTERM);
    auto rc = cluster_.gateway().Wait(seconds(20));
    ASSERT_TRUE(rc.has_value()) << GatewayLog();
    ASSERT_EQ(*rc, 0) << GatewayLog();
  }

  Ran Fixreplay(std::vector<std::string> args) {
    args.insert(args.begin(), FIXREPLAY_BIN);
    return RunCapturing(args,
                        dir_.path() + "/fixreplay-" + std::to_string(++runs_),
                        seconds(60));
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
  // The harness's own limits, before SetUp replaces them with kRisk.
  const std::string default_limits_ = cluster_.risk_limits;
  std::string logon_;
  int runs_ = 0;
};

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

TEST_F(GatewayRiskTest, BuyBeyondBuyingPowerIsRejectedAndNeverReachesTheExchange) {
  auto b1 = LoggedOn("BROKER1");
  const std::string er = Submit(*b1, "big", "ACC1", '1', 101, "100");
  EXPECT_EQ(Field(er, 150), "8");
  EXPECT_EQ(Field(er, 39), "8");
  EXPECT_EQ(Field(er, 103), "3");  // order exceeds limit
  EXPECT_EQ(Field(er, 58), "buying power: need 10100.00, available 10000.00");
  EXPECT_EQ(SimReceived("D"), 0) << cluster_.SimMessages();
  // At the limit passes.
  EXPECT_EQ(Field(Submit(*b1, "ok", "ACC1", '1', 100, "100"), 150), "0");
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='NewOrderRejected' "
                "AND cl_ord_id='big'"),
            1);
}

TEST_F(GatewayRiskTest, AfterAFillTheNextOrderSeesTheNewPositionAndCash) {
  auto b1 = LoggedOn("BROKER1");
  auto b2 = LoggedOn("BROKER2");
  SellFortyToAcc1(*b1, *b2);
  const std::string state = State();
  EXPECT_NE(state.find(R"("ACC1":{"cash":"6040.00","available":"6040.00",)"
                       R"("reserved":"0.00","open_orders":0,)"
                       R"("positions":{"MSFT":{"position":40,)"),
            std::string::npos)
      << state;
  EXPECT_NE(state.find(R"("positions":{"MSFT":{"position":-40,)"),
            std::string::npos)
      << state;
  // 6040 left: 61 x 100 = 6100 is too much, 60 x 100 fits.
  const std::string er = Submit(*b1, "b2", "ACC1", '1', 61, "100");
  EXPECT_EQ(Field(er, 58), "buying power: need 6100.00, available 6040.00");
  EXPECT_EQ(Field(Submit(*b1, "b3", "ACC1", '1', 60, "100"), 150), "0");
}

TEST_F(GatewayRiskTest, SessionCannotTradeAnAccountItIsNotEntitledTo) {
  auto b1 = LoggedOn("BROKER1");
  const std::string er = Submit(*b1, "x1", "ACC2", '2', 1, "100");
  EXPECT_EQ(Field(er, 39), "8");
  EXPECT_EQ(Field(er, 58),
            "entitlement: session FIX.4.4:GW->BROKER1 may not trade account "
            "ACC2");
  EXPECT_EQ(SimReceived("D"), 0);
}

TEST_F(GatewayRiskTest, KillSwitchCancelsOpenOrdersAtTheExchangeAndBlocks) {
  auto b1 = LoggedOn("BROKER1");
  auto b2 = LoggedOn("BROKER2");
  EXPECT_EQ(Field(Submit(*b1, "k1", "ACC1", '1', 10, "95"), 150), "0");
  EXPECT_EQ(Field(Submit(*b1, "k2", "ACC1", '1', 10, "96"), 150), "0");
  EXPECT_EQ(Field(Submit(*b2, "k3", "ACC2", '2', 10, "105"), 150), "0");

  Cluster::HttpReply r = cluster_.Admin(
      "POST", "/kill-switch?action=engage&scope=account&name=ACC1&reason=drill");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("cancels_sent":2)"), std::string::npos) << r.body;
  for (const char* id : {"k1", "k2"}) {
    auto canceled = b1->WaitFor({"35=8", std::string("11=") + id, "150=4"});
    ASSERT_TRUE(canceled) << b1->Transcript();
    EXPECT_EQ(Field(*canceled, 58), "canceled by kill switch (account ACC1): drill");
    EXPECT_EQ(Field(*canceled, 41), "");
  }
  EXPECT_EQ(SimReceived("F"), 2) << cluster_.SimMessages();
  // New orders of ACC1 are refused; ACC2's order lives on.
  const std::string er = Submit(*b1, "k4", "ACC1", '1', 1, "100");
  EXPECT_EQ(Field(er, 58), "kill switch engaged for account ACC1");
  EXPECT_EQ(Occurrences(State(), R"("cl_ord_id":"k3")"), 1);
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='KillSwitchChanged' "
                "AND payload LIKE "
                "'%\"source\":\"admin token:harness from 127.0.0.1\"%'"),
            1);

  r = cluster_.Admin("POST",
                     "/kill-switch?action=disengage&scope=account&name=ACC1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Field(Submit(*b1, "k5", "ACC1", '1', 1, "100"), 150), "0");
  // Bad requests are answered, not guessed.
  EXPECT_EQ(cluster_.Admin("POST", "/kill-switch?action=engage&scope=desk")
                .status,
            400);
  EXPECT_EQ(cluster_.Admin("POST", "/kill-switch?action=engage&scope=account")
                .status,
            400);
}

TEST_F(GatewayRiskTest, LimitsReloadWithoutRestartAndBadFilesAreRefused) {
  auto b1 = LoggedOn("BROKER1");
  EXPECT_EQ(Field(Submit(*b1, "r1", "ACC1", '1', 101, "100"), 39), "8");
  std::string more = kRisk;
  more.replace(more.find(R"(cash = "10000")"), 14, R"(cash = "20000")");
  dir_.Write("risk.toml", more);
  Cluster::HttpReply r = cluster_.Admin("POST", "/risk/reload");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Field(Submit(*b1, "r2", "ACC1", '1', 101, "100"), 150), "0");

  // A typo is refused with the file and key; the limits stay.
  dir_.Write("risk.toml", more + "\n[accounts.ACC3]\ncahs = \"1\"\n");
  r = cluster_.Admin("POST", "/risk/reload");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("accounts.ACC3.cahs"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("risk.toml"), std::string::npos) << r.body;
  // SIGHUP reloads too (the same 20000 file again: nothing to journal).
  dir_.Write("risk.toml", more);
  kill(cluster_.gateway().pid(), SIGHUP);
  ASSERT_TRUE(cluster_.WaitForGatewayLog("SIGHUP: risk file", 1, seconds(5)))
      << GatewayLog();
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='RiskLimitsLoaded'"),
            2);
  // Who loaded them is journaled with the file.
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='RiskLimitsLoaded' "
                "AND payload LIKE '%risk.toml by start-up%'"),
            1);
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='RiskLimitsLoaded' "
                "AND payload LIKE "
                "'%risk.toml by admin token:harness from 127.0.0.1%'"),
            1);
}

TEST_F(GatewayRiskTest, RiskStateAfterKillAndRestartEqualsTheStateBefore) {
  auto b1 = LoggedOn("BROKER1");
  auto b2 = LoggedOn("BROKER2");
  EXPECT_EQ(Field(Submit(*b2, "s1", "ACC2", '2', 30, "99"), 150), "0");
  EXPECT_EQ(Field(Submit(*b1, "b1", "ACC1", '1', 50, "99"), 150), "0");
  ASSERT_TRUE(b1->WaitFor({"35=8", "11=b1", "150=F"})) << b1->Transcript();
  EXPECT_EQ(Field(Submit(*b1, "b2", "ACC1", '1', 5, "90"), 150), "0");
  const std::string before = State();

  kill(cluster_.gateway().pid(), SIGKILL);
  cluster_.gateway().Wait(seconds(5));
  b1.reset();
  b2.reset();
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  EXPECT_EQ(State(), before);
}

// End of day: fixgw stops (SIGTERM), the operator archives the journal and
// rolls it with fixreplay (refused while an order is open, then done), and
// fixgw starts on the new journal: the state, the kill switch, the limits
// and the FIX sessions are as before the roll, a new order fills, and
// fixreplay --verify passes over archive + new journal.
TEST_F(GatewayRiskTest, EverythingSurvivesTheEndOfDayJournalRoll) {
  const std::string journal = cluster_.journal();
  const std::string archive = dir_.path() + "/day1.journal";

  // Day 1: ACC2 sells 40 to ACC1 at 99; one order left resting; ACC9
  // switched off.
  auto b1 = LoggedOn("BROKER1");
  auto b2 = LoggedOn("BROKER2");
  SellFortyToAcc1(*b1, *b2);
  EXPECT_EQ(Field(Submit(*b1, "rest", "ACC1", '1', 5, "95"), 150), "0");
  Cluster::HttpReply r = cluster_.Admin(
      "POST", "/kill-switch?action=engage&scope=account&name=ACC9&reason=eod");
  ASSERT_EQ(r.status, 200) << r.body;

  // End of day with an order still open: the roll refuses and names it.
  StopGateway();
  ASSERT_FALSE(Exists(journal + "-wal")) << "fixgw left its WAL behind";
  ASSERT_EQ(std::rename(journal.c_str(), archive.c_str()), 0);
  Ran refused = Fixreplay({archive, "--roll", journal});
  EXPECT_EQ(refused.rc, 2) << refused.out << refused.err;
  EXPECT_EQ(refused.err,
            "fixreplay: " + archive +
                ": 1 order(s) still open, 0 awaiting an exchange answer: "
                "FIX.4.4:GW->BROKER1 rest; end of day needs every order done "
                "(filled, canceled or expired) before the roll\n");
  EXPECT_FALSE(Exists(journal));

  // The operator puts the journal back, cancels the order, stops again.
  ASSERT_EQ(std::rename(archive.c_str(), journal.c_str()), 0);
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  b1 = LoggedOn("BROKER1");
  ASSERT_TRUE(
      b1->Next("F", "11=rest-c|41=rest|55=MSFT|54=1|60=" + FixNow() + "|"));
  ASSERT_TRUE(b1->WaitFor({"35=8", "11=rest-c", "150=4"})) << b1->Transcript();
  const std::string before = State();
  StopGateway();
  b1.reset();
  b2.reset();

  // The roll.
  ASSERT_FALSE(Exists(journal + "-wal"));
  ASSERT_EQ(std::rename(journal.c_str(), archive.c_str()), 0);
  Ran rolled = Fixreplay({archive, "--roll", journal});
  ASSERT_EQ(rolled.rc, 0) << rolled.out << rolled.err;
  EXPECT_NE(
      rolled.out.find("carried: risk limits from " + cluster_.risk_file() +
                      " by start-up, 1 kill switch(es), 2 account(s)"),
      std::string::npos)
      << rolled.out;
  EXPECT_NE(rolled.out.find("3 FIX session(s)"), std::string::npos)
      << rolled.out;

  // Day 2 on the new journal. The exchange session continues its sequence
  // numbers (fixsim, still running, would refuse a reset one: StartGateway
  // waits for its logon).
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  EXPECT_EQ(State(), before);
  // The limits came from the journal: the unchanged risk file at start-up
  // journals nothing.
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='RiskLimitsLoaded'"),
            0);
  // The broker sessions continue too (BROKER1: Logon 1, F 2 since its
  // reset; BROKER2: Logon 1, D 2): no reset, no resend request.
  b1 = LoggedOn("BROKER1", 3);
  EXPECT_GT(std::stoi(Field(logon_, 34)), 1) << logon_;
  b2 = LoggedOn("BROKER2", 3);
  EXPECT_EQ(b1->Count({"35=2"}, milliseconds(200)), 0) << b1->Transcript();

  // The kill switch holds; the carried cash and position count.
  EXPECT_EQ(Field(Submit(*b1, "k1", "ACC9", '1', 1, "100"), 58),
            "kill switch engaged for account ACC9");
  EXPECT_EQ(Field(Submit(*b1, "big", "ACC1", '1', 61, "100"), 58),
            "buying power: need 6100.00, available 6040.00");
  // A new order trades, under a new exchange ClOrdID.
  EXPECT_EQ(Field(Submit(*b2, "s2", "ACC2", '2', 10, "99"), 150), "0");
  EXPECT_EQ(Field(Submit(*b1, "b2", "ACC1", '1', 10, "99"), 150), "0");
  ASSERT_TRUE(b1->WaitFor({"35=8", "11=b2", "150=F", "39=2"}))
      << b1->Transcript();
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='NewOrderAccepted' "
                "AND exch_cl_ord_id IN ('GWT-1', 'GWT-2', 'GWT-3')"),
            0);
  EXPECT_NE(State().find(R"("positions":{"MSFT":{"position":50,)"),
            std::string::npos);

  // The archive and the new journal form one chain.
  StopGateway();
  Ran verified = Fixreplay({archive, journal, "--verify"});
  EXPECT_EQ(verified.rc, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("archive intact: 2 files"), std::string::npos)
      << verified.out;
  // In the wrong order they do not.
  Ran swapped = Fixreplay({journal, archive, "--verify"});
  EXPECT_EQ(swapped.rc, 1) << swapped.out << swapped.err;
  EXPECT_NE(swapped.out.find(archive + ": DAMAGED"), std::string::npos)
      << swapped.out;
}

// kill -9 in the middle of a load (the checkpoint thread and the writer
// checkpoint every 1,000 and 4,000 WAL pages, so the kill may land in one),
// then the end-of-day roll. Rolling the crashed journal is refused, both in
// place (its -wal) and after the operator moved it without its -wal (the
// stray -wal under the new name is left alone: it holds the journal's last
// commits). Moved back, restarted, its open orders canceled by the kill
// switch and stopped cleanly, it rolls, and the two files form one chain
// that holds every order the load sent.
TEST_F(GatewayRiskTest, RollAfterAKillIsRefusedUntilACleanStop) {
  const std::string journal = cluster_.journal();
  const std::string archive = dir_.path() + "/day1.journal";
  StopGateway();
  // Ample limits (the harness's defaults: MSFT up to twice 250), so the
  // load is refused by nothing.
  cluster_.risk_limits = default_limits_;
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;

  // Buys and sells of 1 at one price: they trade with each other, and
  // what is open at the kill is canceled later.
  Process load({FIXLOAD_BIN, "--config", cluster_.ClientConfig("BROKER1"),
                "--orders", "20000", "--in-flight", "50", "--symbol", "MSFT",
                "--price", "100", "--qty", "1", "--account", "ACC1",
                "--id-prefix", "L"},
               dir_.path() + "/load.log");
  ASSERT_TRUE(cluster_.WaitForGatewayLog("order accepted", 1500, seconds(60)))
      << GatewayLog();
  cluster_.gateway().Signal(SIGKILL);
  ASSERT_TRUE(cluster_.gateway().Wait(seconds(10)).has_value());
  load.Signal(SIGTERM);
  load.Wait(seconds(10));
  ASSERT_TRUE(Exists(journal + "-wal"));

  Ran in_place = Fixreplay({journal, "--roll", dir_.path() + "/next.db"});
  EXPECT_EQ(in_place.rc, 2) << in_place.out << in_place.err;
  EXPECT_NE(in_place.err.find("has a write-ahead log"), std::string::npos)
      << in_place.err;
  // The operator moves the journal without its -wal.
  ASSERT_EQ(std::rename(journal.c_str(), archive.c_str()), 0);
  const std::string wal_bytes = ReadFile(journal + "-wal");
  Ran stray = Fixreplay({archive, "--roll", journal});
  EXPECT_EQ(stray.rc, 2) << stray.out << stray.err;
  EXPECT_NE(stray.err.find(journal + "-wal: exists"), std::string::npos)
      << stray.err;
  EXPECT_FALSE(Exists(journal));
  EXPECT_EQ(ReadFile(journal + "-wal"), wal_bytes);

  // Moved back: fixgw recovers from journal + WAL, the kill switch cancels
  // what rests, a clean stop, and the roll goes through.
  ASSERT_EQ(std::rename(archive.c_str(), journal.c_str()), 0);
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  const int64_t accepted = cluster_.JournalCount(
      "SELECT count(*) FROM journal WHERE kind='NewOrderAccepted'");
  // fixgw logs "order accepted" when it decides, before the commit: the
  // last few logged before the kill may not be journaled (nor sent).
  EXPECT_GE(accepted, 1000);
  Cluster::HttpReply r = cluster_.Admin(
      "POST", "/kill-switch?action=engage&scope=global&reason=eod");
  ASSERT_EQ(r.status, 200) << r.body;
  bool none_open = false;
  for (int i = 0; i < 300 && !none_open; ++i) {
    none_open = State().find(R"("open_orders":[])") != std::string::npos;
    if (!none_open) std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_TRUE(none_open) << State();
  StopGateway();
  ASSERT_FALSE(Exists(journal + "-wal"));
  ASSERT_EQ(std::rename(journal.c_str(), archive.c_str()), 0);
  Ran rolled = Fixreplay({archive, "--roll", journal});
  ASSERT_EQ(rolled.rc, 0) << rolled.out << rolled.err;
  Ran verified = Fixreplay({archive, journal, "--verify"});
  EXPECT_EQ(verified.rc, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("archive intact: 2 files"), std::string::npos)
      << verified.out;
  // Nothing of the crashed run was lost on the way: every order accepted
  // before the kill is in the archive.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(archive.c_str(), &db, SQLITE_OPEN_READONLY,
                            nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT count(*) FROM journal WHERE "
                               "kind='NewOrderAccepted'",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(stmt, 0), accepted);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

}  // namespace
}  // namespace fixgw::testing
