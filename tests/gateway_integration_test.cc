// fixgw end to end: broker clients (fixload) -> fixgw -> fixsim and back,
// over real FIX sessions on 127.0.0.1, including restarts of the gateway and
// an exchange that is down and comes back.
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <thread>

#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const char* kSessionDefaults = R"(StartTime=00:00:00
EndTime=00:00:00
HeartBtInt=30
SocketNodelay=Y
UseDataDictionary=Y
DataDictionary=)" FIXGW_FIX44_XML "\n";

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_port_ = FreePort();
    gw_port_ = FreePort();
  }

  void StartSim() {
    std::string cfg = "[DEFAULT]\nConnectionType=acceptor\nBeginString=FIX.4.4\n"
                      "SenderCompID=SIM\nSocketAcceptHost=127.0.0.1\n"
                      "SocketAcceptPort=" +
                      std::to_string(sim_port_) + "\n" + kSessionDefaults +
                      "\n[SESSION]\nTargetCompID=GW\n\n[SIM]\n"
                      "Instruments=AAPL:0.01:100.00,MSFT:0.01:250.00\n"
                      "LiquidityLevels=0\n";
    std::string path = dir_.Write("fixsim.cfg", cfg);
    sim_ = std::make_unique<Process>(
        std::vector<std::string>{FIXSIM_BIN, "--config", path},
        dir_.path() + "/fixsim.log");
    ASSERT_TRUE(WaitForPort(sim_port_, seconds(10)))
        << ReadFile(dir_.path() + "/fixsim.log");
  }

  std::string GatewayConfig() {
    // ReconnectInterval must be in [DEFAULT]: QuickFIX 1.15.1 ignores it in
    // a [SESSION] block (and then retries every 30 s).
    return "[DEFAULT]\nBeginString=FIX.4.4\nSenderCompID=GW\n"
           "ReconnectInterval=1\n" +
           std::string(kSessionDefaults) + "FileStorePath=" + dir_.path() +
           "/gwstore\n"
           "\n[SESSION]\nConnectionType=acceptor\nTargetCompID=BROKER1\n"
           "SocketAcceptHost=127.0.0.1\nSocketAcceptPort=" +
           std::to_string(gw_port_) +
           "\n\n[SESSION]\nConnectionType=acceptor\nTargetCompID=BROKER2\n"
           "SocketAcceptHost=127.0.0.1\nSocketAcceptPort=" +
           std::to_string(gw_port_) +
           "\n\n[SESSION]\nConnectionType=initiator\nTargetCompID=SIM\n"
           "SocketConnectHost=127.0.0.1\nSocketConnectPort=" +
           std::to_string(sim_port_) + "\n\n[GATEWAY]\nJournalPath=" + journal() +
           "\nJournalSync=normal\nIdPrefix=GWT\nSymbols=AAPL,MSFT\n"
           "MaxOrderQty=10000\n";
  }

  // Starts fixgw and waits until its broker port listens and (when
  // `expect_exchange`) its exchange session logged on once more than before:
  // the log is appended to across restarts.
  void StartGateway(bool expect_exchange = true) {
    std::string path = dir_.Write("fixgw.cfg", GatewayConfig());
    gw_log_ = dir_.path() + "/fixgw.log";
    const int logons_before = ExchangeLogons();
    gw_ = std::make_unique<Process>(
        std::vector<std::string>{FIXGW_BIN, "--config", path}, gw_log_);
    ASSERT_TRUE(WaitForPort(gw_port_, seconds(10))) << ReadFile(gw_log_);
    if (expect_exchange) {
      ASSERT_TRUE(WaitForExchangeLogons(logons_before + 1));
    }
  }

  int ExchangeLogons() {
    std::string log = ReadFile(gw_log_);
    int count = 0;
    for (size_t pos = 0;
         (pos = log.find("GW->SIM logged on", pos)) != std::string::npos;
         ++pos) {
      ++count;
    }
    return count;
  }

  // Waits until the gateway log shows `n` logons of the exchange session.
  bool WaitForExchangeLogons(int n) {
    auto deadline = std::chrono::steady_clock::now() + seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      if (ExchangeLogons() >= n) return true;
      std::this_thread::sleep_for(milliseconds(50));
    }
    ADD_FAILURE() << "exchange session not logged on:\n" << ReadFile(gw_log_);
    return false;
  }

  std::string ClientConfig(const std::string& sender) {
    return dir_.Write(sender + ".cfg",
                      "[DEFAULT]\nConnectionType=initiator\nBeginString=FIX.4.4\n"
                      "SenderCompID=" + sender +
                          "\nTargetCompID=GW\nSocketConnectHost=127.0.0.1\n"
                          "SocketConnectPort=" +
                          std::to_string(gw_port_) + "\n" + kSessionDefaults +
                          "ReconnectInterval=1\nResetOnLogon=Y\n\n[SESSION]\n");
  }

  std::vector<std::string> ScriptArgv(const std::string& sender,
                                      const std::string& script) {
    return {FIXLOAD_BIN, "--config", ClientConfig(sender), "--script",
            std::string(FIXGW_SCENARIOS) + "/" + script};
  }

  // Runs a scenario as `sender`; returns fixload's exit code.
  int RunScript(const std::string& sender, const std::string& script,
                std::string* output) {
    std::string log = dir_.path() + "/fixload-" + std::to_string(++runs_) +
                      ".log";
    int rc = RunToCompletion(ScriptArgv(sender, script), log, seconds(60));
    *output = ReadFile(log) + "\n--- fixgw log:\n" + ReadFile(gw_log_);
    return rc;
  }

  std::string journal() const { return dir_.path() + "/journal.db"; }

  TempDir dir_;
  int sim_port_ = 0, gw_port_ = 0, runs_ = 0;
  std::string gw_log_;
  std::unique_ptr<Process> sim_, gw_;
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
  auto deadline = std::chrono::steady_clock::now() + seconds(15);
  while (ReadFile(gw_log_).find("GW->BROKER1 logged on") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  std::this_thread::sleep_for(milliseconds(1000));
  Process b2(ScriptArgv("BROKER2", "gw_same_id_buyer.script"), log2);
  auto rc1 = b1.Wait(seconds(60));
  auto rc2 = b2.Wait(seconds(60));
  EXPECT_EQ(rc1, 0) << ReadFile(log1) << ReadFile(gw_log_);
  EXPECT_EQ(rc2, 0) << ReadFile(log2) << ReadFile(gw_log_);
}

TEST_F(GatewayTest, ExchangeDownRejectsAtOnceAndRecoversWithoutRestart) {
  StartGateway(/*expect_exchange=*/false);
  std::string out;
  EXPECT_EQ(RunScript("BROKER1", "gw_exchange_down.script", &out), 0) << out;
  StartSim();
  ASSERT_TRUE(WaitForExchangeLogons(1));
  EXPECT_EQ(RunScript("BROKER1", "gw_exchange_up.script", &out), 0) << out;
  // Down again: the simulator stops; the gateway notices and rejects again.
  sim_->Signal(SIGTERM);
  ASSERT_TRUE(sim_->Wait(seconds(15)).has_value());
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(RunScript("BROKER1", "gw_exchange_down_again.script", &out), 0)
      << out;
}

TEST_F(GatewayTest, RestartAfterKillKeepsLiveOrdersCancelableAndFillable) {
  StartSim();
  StartGateway();
  std::string out;
  ASSERT_EQ(RunScript("BROKER1", "gw_restart_before.script", &out), 0) << out;
  gw_->Signal(SIGKILL);
  ASSERT_TRUE(gw_->Wait(seconds(10)).has_value());
  StartGateway();
  EXPECT_NE(ReadFile(gw_log_).find("recovered"), std::string::npos);
  EXPECT_EQ(RunScript("BROKER1", "gw_restart_after.script", &out), 0) << out;
}

TEST_F(GatewayTest, SigtermStopsCleanlyAndLeavesTheJournal) {
  StartSim();
  StartGateway();
  std::string out;
  ASSERT_EQ(RunScript("BROKER1", "gw_restart_before.script", &out), 0) << out;
  gw_->Signal(SIGTERM);
  auto rc = gw_->Wait(seconds(20));
  ASSERT_TRUE(rc.has_value()) << ReadFile(gw_log_);
  EXPECT_EQ(*rc, 0) << ReadFile(gw_log_);
  EXPECT_FALSE(ReadFile(journal()).empty());
}

TEST_F(GatewayTest, BadConfigIsOneLineNamingTheKey) {
  std::string path = dir_.Write(
      "bad.cfg", GatewayConfig() + "Colour=blue\n");
  std::string log = dir_.path() + "/bad.log";
  EXPECT_EQ(RunToCompletion({FIXGW_BIN, "--config", path}, log, seconds(10)), 2);
  std::string text = ReadFile(log);
  EXPECT_NE(text.find("COLOUR"), std::string::npos) << text;
  EXPECT_NE(text.find(path), std::string::npos) << text;
}

}  // namespace
}  // namespace fixgw::testing
