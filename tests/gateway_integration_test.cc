// fixgw end to end: broker clients (fixload) -> fixgw -> fixsim and back,
// over real FIX sessions on 127.0.0.1, including restarts of the gateway and
// an exchange that is down and comes back.
#include <gtest/gtest.h>
#include <signal.h>

#include <sqlite3.h>

#include <regex>
#include <thread>

#include "tests/harness/cluster.h"
#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class GatewayTest : public ::testing::Test {
 protected:
  void StartSim() {
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
  }
  void StartGateway(bool wait_for_exchange = true) {
    std::string error;
    ASSERT_TRUE(cluster_.StartGateway(&error, wait_for_exchange)) << error;
  }

  std::vector<std::string> ScriptArgv(const std::string& sender,
                                      const std::string& script) {
    return {FIXLOAD_BIN, "--config", cluster_.ClientConfig(sender), "--script",
            std::string(FIXGW_SCENARIOS) + "/" + script};
  }

  // Runs a scenario as `sender`; returns fixload's exit code.
  int RunScript(const std::string& sender, const std::string& script,
                std::string* output) {
    std::string log = dir_.path() + "/fixload-" + std::to_string(++runs_) +
                      ".log";
    int rc = RunToCompletion(ScriptArgv(sender, script), log, seconds(60));
    *output = ReadFile(log) + "\n--- fixgw log:\n" + GatewayLog();
    return rc;
  }

  std::string GatewayLog() const { return ReadFile(cluster_.gateway_log()); }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
  int runs_ = 0;
};

// The simulator's own scenario, unchanged, through the gateway: the broker
// sees exactly what a direct exchange connection would show it, with its
// own ClOrdIDs, while the exchange only ever sees gateway ClOrdIDs.
TEST_F(GatewayTest, BrokerSeesTheExchangeBehaviourWithItsOwnIds) {
  StartSim();
  StartGateway();
  std::string out;
  EXPECT_EQ(RunScript("BROKER1", "sim_basic.script", &out), 0) << out;
  EXPECT_EQ(RunScript("BROKER2", "gw_rejects.script", &out), 0) << out;
}

TEST_F(GatewayTest, TwoBrokersWithTheSameClOrdIdsDoNotCrossTalk) {
  StartSim();
  StartGateway();
  std::string log1 = dir_.path() + "/b1.log", log2 = dir_.path() + "/b2.log";
  Process b1(ScriptArgv("BROKER1", "gw_same_id_seller.script"), log1);
  // BROKER2 starts once BROKER1 is logged on and its sell had time to rest
  // (it is the first thing BROKER1 sends).
  ASSERT_TRUE(cluster_.WaitForGatewayLog("GW->BROKER1 logged on", 1,
                                         seconds(15)));
  std::this_thread::sleep_for(milliseconds(1000));
  Process b2(ScriptArgv("BROKER2", "gw_same_id_buyer.script"), log2);
  auto rc1 = b1.Wait(seconds(60));
  auto rc2 = b2.Wait(seconds(60));
  EXPECT_EQ(rc1, 0) << ReadFile(log1) << GatewayLog();
  EXPECT_EQ(rc2, 0) << ReadFile(log2) << GatewayLog();
}

TEST_F(GatewayTest, ExchangeDownRejectsAtOnceAndRecoversWithoutRestart) {
  StartGateway(/*expect_exchange=*/false);
  std::string out;
  EXPECT_EQ(RunScript("BROKER1", "gw_exchange_down.script", &out), 0) << out;
  StartSim();
  ASSERT_TRUE(
      cluster_.WaitForGatewayLog("GW->SIM logged on", 1, seconds(15)))
      << GatewayLog();
  EXPECT_EQ(RunScript("BROKER1", "gw_exchange_up.script", &out), 0) << out;
  // Down again: the simulator stops; the gateway notices and rejects again.
  cluster_.sim().Signal(SIGTERM);
  ASSERT_TRUE(cluster_.sim().Wait(seconds(15)).has_value());
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(RunScript("BROKER1", "gw_exchange_down_again.script", &out), 0)
      << out;
}

TEST_F(GatewayTest, RestartAfterKillKeepsLiveOrdersCancelableAndFillable) {
  StartSim();
  StartGateway();
  std::string out;
  ASSERT_EQ(RunScript("BROKER1", "gw_restart_before.script", &out), 0) << out;
  cluster_.gateway().Signal(SIGKILL);
  ASSERT_TRUE(cluster_.gateway().Wait(seconds(10)).has_value());
  // Inbound sequence numbers are persisted with the events of their
  // messages, by the gateway's commits: the broker's D b1 was its message 3
  // and the exchange's ack of it its message 3 (each after its Logon), so
  // both sessions expect 4 next. The broker's Logout that followed is not
  // journaled, so it is not counted: the broker resends it (as a gap fill).
  EXPECT_EQ(cluster_.JournalCount("SELECT next_target FROM fix_session WHERE "
                                  "session = 'FIX.4.4:GW->BROKER1'"),
            4);
  EXPECT_EQ(cluster_.JournalCount("SELECT next_target FROM fix_session WHERE "
                                  "session = 'FIX.4.4:GW->SIM'"),
            4);
  StartGateway();
  EXPECT_EQ(cluster_.GatewayLogCount("recovered"), 2);
  EXPECT_EQ(RunScript("BROKER1", "gw_restart_after.script", &out), 0) << out;
  // s1, b1 and b2 reached the exchange once each, across the kill.
  EXPECT_EQ(Occurrences(cluster_.SimMessages(), "\x01" "35=D\x01"), 3)
      << cluster_.SimMessages();
}

// FinishedOrdersKept bounds the order table: an order that finished before
// the last kept one is forgotten (unknown to status and cancel requests),
// its ClOrdIDs stay duplicates, and a restart forgets the same orders.
TEST_F(GatewayTest, FinishedOrdersBeyondTheKeptNumberAreForgottenButStayUsed) {
  cluster_.gateway_extra = "FinishedOrdersKept=1\n";
  StartSim();
  StartGateway();
  std::string out;
  ASSERT_EQ(RunScript("BROKER1", "gw_evict_before.script", &out), 0) << out;
  const Cluster::HttpReply state = cluster_.Admin("GET", "/state");
  ASSERT_EQ(state.status, 200) << state.body;
  // /state lists open orders: o1 only.
  EXPECT_EQ(Occurrences(state.body, "\"s1\""), 0) << state.body;
  EXPECT_EQ(Occurrences(state.body, "\"o1\""), 1) << state.body;
  cluster_.gateway().Signal(SIGKILL);
  ASSERT_TRUE(cluster_.gateway().Wait(seconds(10)).has_value());
  StartGateway();
  EXPECT_EQ(RunScript("BROKER1", "gw_evict_after.script", &out), 0) << out;
  // The duplicates never reached the exchange: s1, s2 and o1 only.
  EXPECT_EQ(Occurrences(cluster_.SimMessages(), "\x01" "35=D\x01"), 3)
      << cluster_.SimMessages();
}

TEST_F(GatewayTest, SigtermStopsCleanlyAndLeavesTheJournal) {
  StartSim();
  StartGateway();
  std::string out;
  ASSERT_EQ(RunScript("BROKER1", "gw_restart_before.script", &out), 0) << out;
  cluster_.gateway().Signal(SIGTERM);
  auto rc = cluster_.gateway().Wait(seconds(20));
  ASSERT_TRUE(rc.has_value()) << GatewayLog();
  EXPECT_EQ(*rc, 0) << GatewayLog();
  // Both orders and their acks are in the journal, which verifies.
  EXPECT_EQ(cluster_.JournalCount("SELECT count(*) FROM journal WHERE "
                                  "kind='NewOrderAccepted'"),
            2);
  EXPECT_EQ(cluster_.JournalCount("SELECT count(*) FROM journal WHERE "
                                  "kind='SentToBroker'"),
            2);
}

// Nothing is sent before it is journaled: when the journal refuses an
// append (here a trigger injected into the live journal), the gateway stops
// with exit code 3 and the order never reaches the exchange.
TEST_F(GatewayTest, JournalFailureStopsTheGatewayBeforeAnythingIsSent) {
  StartSim();
  StartGateway();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(cluster_.journal().c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TRIGGER inject BEFORE INSERT ON journal "
                         "WHEN NEW.kind = 'NewOrderAccepted' BEGIN "
                         "SELECT RAISE(ABORT, 'injected failure'); END;",
                         nullptr, nullptr, &err),
            SQLITE_OK)
      << (err ? err : "");
  sqlite3_close(db);

  std::string out;
  EXPECT_NE(RunScript("BROKER1", "gw_exchange_up.script", &out), 0) << out;
  auto rc = cluster_.gateway().Wait(seconds(10));
  ASSERT_TRUE(rc.has_value()) << GatewayLog();
  EXPECT_EQ(*rc, 3) << GatewayLog();
  EXPECT_NE(GatewayLog().find("journal append failed"), std::string::npos);
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='SentToExchange'"),
            0);
  // The exchange never saw an order (its message log has the Logon only).
  const std::string sim_messages = cluster_.SimMessages();
  EXPECT_NE(sim_messages.find("\x01" "35=A\x01"), std::string::npos)
      << sim_messages;
  EXPECT_EQ(sim_messages.find("\x01" "35=D\x01"), std::string::npos)
      << sim_messages;
}

TEST_F(GatewayTest, BadConfigIsOneLineNamingTheKey) {
  std::string path =
      dir_.Write("bad.cfg", cluster_.GatewayConfig() + "Colour=blue\n");
  std::string log = dir_.path() + "/bad.log";
  EXPECT_EQ(RunToCompletion({FIXGW_BIN, "--config", path}, log, seconds(10)), 2);
  std::string text = ReadFile(log);
  // As the operator wrote it, not as QuickFIX stores it (COLOUR).
  EXPECT_NE(text.find("unknown key 'Colour' in [GATEWAY]"), std::string::npos)
      << text;
  EXPECT_NE(text.find(path), std::string::npos) << text;
}

}  // namespace
}  // namespace fixgw::testing
