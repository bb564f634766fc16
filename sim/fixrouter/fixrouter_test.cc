// fixrouter end to end: fixload brokers -> fixrouter -> fixsim over real
// FIX sessions on 127.0.0.1. Orders go through, acknowledgements, fills,
// cancels and cancel rejects come back to the broker that sent them, and
// two brokers sharing the exchange session lose nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <regex>
#include <thread>

#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kCommon[] = R"(BeginString=FIX.4.4
StartTime=00:00:00
EndTime=00:00:00
HeartBtInt=30
SocketNodelay=Y
ReconnectInterval=1
UseDataDictionary=Y
DataDictionary=)" FIXGW_FIX44_XML "\n";

class FixRouterTest : public ::testing::Test {
 protected:
  // fixsim (no seeded liquidity: fills are between the brokers' own
  // orders) and fixrouter with broker sessions BROKER1 and BROKER2;
  // returns once the router's exchange session is logged on.
  void SetUp() override {
    sim_port_ = FreePort();
    std::string sim_cfg = dir_.Write(
        "fixsim.cfg",
        std::string("[DEFAULT]\nConnectionType=acceptor\n") + kCommon +
            "SenderCompID=SIM\nSocketAcceptPort=" + std::to_string(sim_port_) +
            "\n\n[SESSION]\nTargetCompID=GW\n\n[SIM]\n"
            "Instruments=AAPL:0.01:100.00,MSFT:0.01:250.00\n"
            "Seed=7\nLiquidityLevels=0\n");
    sim_ = std::make_unique<Process>(
        std::vector<std::string>{FIXSIM_BIN, "--config", sim_cfg},
        dir_.path() + "/fixsim.log");
    ASSERT_TRUE(WaitForPort(sim_port_, seconds(10)))
        << ReadFile(dir_.path() + "/fixsim.log");

    router_port_ = FreePort();
    std::string brokers = dir_.Write(
        "brokers.cfg", std::string("[DEFAULT]\nConnectionType=acceptor\n") +
                           kCommon + "SenderCompID=GW\nSocketAcceptPort=" +
                           std::to_string(router_port_) +
                           "\n\n[SESSION]\nTargetCompID=BROKER1\n"
                           "\n[SESSION]\nTargetCompID=BROKER2\n");
    std::string exchange = dir_.Write(
        "exchange.cfg", std::string("[DEFAULT]\nConnectionType=initiator\n") +
                            kCommon +
                            "SenderCompID=GW\nTargetCompID=SIM\n"
                            "SocketConnectHost=127.0.0.1\nSocketConnectPort=" +
                            std::to_string(sim_port_) + "\n\n[SESSION]\n");
    router_log_ = dir_.path() + "/fixrouter.log";
    router_ = std::make_unique<Process>(
        std::vector<std::string>{FIXROUTER_BIN, brokers, exchange},
        router_log_);
    ASSERT_TRUE(WaitForPort(router_port_, seconds(10)))
        << ReadFile(router_log_);
    for (int i = 0; i < 100; ++i) {
      if (ReadFile(router_log_).find("GW->SIM logged on") !=
          std::string::npos) {
        return;
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
    FAIL() << "the router's exchange session did not log on\n"
           << ReadFile(router_log_);
  }

  std::string ClientConfig(const std::string& sender) {
    return dir_.Write(sender + ".cfg",
                      std::string("[DEFAULT]\nConnectionType=initiator\n") +
                          kCommon + "SenderCompID=" + sender +
                          "\nTargetCompID=GW\nSocketConnectHost=127.0.0.1\n"
                          "SocketConnectPort=" +
                          std::to_string(router_port_) +
                          "\nResetOnLogon=Y\n\n[SESSION]\n");
  }

  // fixload as `sender` towards the router, with `args`.
  std::unique_ptr<Process> StartLoad(const std::string& sender,
                                     std::vector<std::string> args) {
    std::vector<std::string> argv = {FIXLOAD_BIN, "--config",
                                     ClientConfig(sender)};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<Process>(argv, LoadLog(sender));
  }
  std::string LoadLog(const std::string& sender) const {
    return dir_.path() + "/fixload-" + sender + ".log";
  }

  // SIGTERM; the router's own account of what it carried.
  std::string StopRouter() {
    router_->Signal(SIGTERM);
    EXPECT_EQ(router_->Wait(seconds(15)), 0) << ReadFile(router_log_);
    return ReadFile(router_log_);
  }

  TempDir dir_;
  int sim_port_ = 0;
  int router_port_ = 0;
  std::string router_log_;
  std::unique_ptr<Process> sim_;
  std::unique_ptr<Process> router_;
};

TEST_F(FixRouterTest, OrdersAreFilledAndCanceledForTheBrokerThatSentThem) {
  // Both scripts at once: each broker sees exactly its own reports.
  auto fills =
      StartLoad("BROKER1", {"--script", FIXLOAD_SCENARIOS "/cross_fill.fix"});
  auto cancels =
      StartLoad("BROKER2", {"--script", FIXLOAD_SCENARIOS "/order_cancel.fix"});
  EXPECT_EQ(fills->Wait(seconds(60)), 0) << ReadFile(LoadLog("BROKER1"));
  EXPECT_EQ(cancels->Wait(seconds(60)), 0) << ReadFile(LoadLog("BROKER2"));
  std::string log = StopRouter();
  // 2 orders + 1 order and 2 cancels; 2 acks + 2 fills, 1 ack + 1 cancel
  // + 1 cancel reject.
  EXPECT_NE(log.find("carried 5 messages to the exchange, 7 to brokers, "
                     "dropped 0"),
            std::string::npos)
      << log;
}

TEST_F(FixRouterTest,
       TwoBrokersPipeliningThroughOneExchangeSessionLoseNothing) {
  // Buys and sells alternate at one price in both sessions, so orders of
  // one broker fill against the other's: every report must find its way
  // back through the ClOrdID map.
  const std::vector<std::string> load = {"--orders", "2000",     "--in-flight",
                                         "50",       "--symbol", "MSFT",
                                         "--price",  "250",      "--json"};
  auto a = load, b = load;
  a.insert(a.end(), {"--id-prefix", "A"});
  b.insert(b.end(), {"--id-prefix", "B"});
  auto first = StartLoad("BROKER1", a);
  auto second = StartLoad("BROKER2", b);
  ASSERT_EQ(first->Wait(seconds(60)), 0) << ReadFile(LoadLog("BROKER1"));
  ASSERT_EQ(second->Wait(seconds(60)), 0) << ReadFile(LoadLog("BROKER2"));
  for (const char* sender : {"BROKER1", "BROKER2"}) {
    std::string out = ReadFile(LoadLog(sender));
    EXPECT_NE(out.find("\"acked\":2000,\"rejected\":0,\"missing\":0"),
              std::string::npos)
        << sender << ": " << out;
  }
  std::string log = StopRouter();
  EXPECT_NE(log.find("carried 4000 messages to the exchange"),
            std::string::npos)
      << log;
  // 4000 acks plus the fills (each trade: two reports), nothing dropped.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      log, m, std::regex("(\\d+) to brokers, dropped (\\d+)")))
      << log;
  EXPECT_GT(std::stoi(m[1]), 4000) << log;
  EXPECT_EQ(m[2], "0") << log;
}

TEST(FixRouterSettingsTest, MissingSettingsFileExitsTwo) {
  TempDir dir;
  Ran ran = RunCapturing(
      {FIXROUTER_BIN, dir.path() + "/none.cfg", dir.path() + "/none.cfg"},
      dir.path() + "/router", seconds(10));
  EXPECT_EQ(ran.rc, 2);
  EXPECT_NE(ran.err.find("fixrouter:"), std::string::npos) << ran.err;
}

}  // namespace
}  // namespace fixgw::testing
