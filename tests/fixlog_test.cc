// fixlog end to end: the QuickFIX logs of a real session (fixsim with
// FileLogPath, driven by a fixload scenario), read by the program.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::seconds;

struct Output {
  int code = -1;
  std::string out;
  std::string err;
};

class FixlogTest : public ::testing::Test {
 protected:
  // One session's worth of logs, written once for all tests.
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const int port = FreePort();
    logs_ = dir_->path() + "/logs";
    std::string sim_cfg = dir_->Write("fixsim.cfg", R"([DEFAULT]
ConnectionType=acceptor
BeginString=FIX.4.4
SenderCompID=SIM
SocketAcceptHost=127.0.0.1
SocketAcceptPort=)" + std::to_string(port) + R"(
StartTime=00:00:00
EndTime=00:00:00
HeartBtInt=30
UseDataDictionary=Y
DataDictionary=)" FIXGW_FIX44_XML R"(
ResetOnLogon=Y
FileLogPath=)" + logs_ + R"(

[SESSION]
TargetCompID=CLIENT1

[SIM]
Instruments=AAPL:0.01:100.00,MSFT:0.01:250.00
Seed=7
LiquidityLevels=0
)");
    std::string client_cfg = dir_->Write("client.cfg", R"([DEFAULT]
ConnectionType=initiator
BeginString=FIX.4.4
SenderCompID=CLIENT1
TargetCompID=SIM
SocketConnectHost=127.0.0.1
SocketConnectPort=)" + std::to_string(port) + R"(
StartTime=00:00:00
EndTime=00:00:00
HeartBtInt=30
ReconnectInterval=1
UseDataDictionary=Y
DataDictionary=)" FIXGW_FIX44_XML R"(
ResetOnLogon=Y
Username=client1
Password=s3cret-pw

[SESSION]
)");
    Process sim({FIXSIM_BIN, "--config", sim_cfg},
                dir_->path() + "/fixsim.log");
    ASSERT_TRUE(WaitForPort(port, seconds(10)))
        << ReadFile(dir_->path() + "/fixsim.log");
    int rc = RunToCompletion({FIXLOAD_BIN, "--config", client_cfg, "--script",
                              FIXGW_SCENARIOS "/sim_basic.script"},
                             dir_->path() + "/fixload.log", seconds(60));
    ASSERT_EQ(rc, 0) << ReadFile(dir_->path() + "/fixload.log");
    sim.Signal(SIGTERM);
    ASSERT_EQ(sim.Wait(seconds(10)), 0);
  }

  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::string Messages() {
    return logs_ + "/FIX.4.4-SIM-CLIENT1.messages.current.log";
  }
  static std::string Events() {
    return logs_ + "/FIX.4.4-SIM-CLIENT1.event.current.log";
  }

  // Runs fixlog with `args`; stdout and stderr apart.
  static Output Fixlog(const std::string& args) {
    static int runs = 0;
    const std::string base = dir_->path() + "/fixlog-" + std::to_string(++runs);
    Output o;
    o.code = RunToCompletion({"/bin/sh", "-c",
                              std::string(FIXLOG_BIN) + " " + args + " >" +
                                  base + ".out 2>" + base + ".err"},
                             base + ".log", seconds(30));
    o.out = ReadFile(base + ".out");
    o.err = ReadFile(base + ".err");
    return o;
  }

  static std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  static TempDir* dir_;
  static std::string logs_;
};

TempDir* FixlogTest::dir_ = nullptr;
std::string FixlogTest::logs_;

TEST_F(FixlogTest, PrintsEveryMessageOfASessionLogByName) {
  Output o = Fixlog(Messages());
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.err, "");
  std::vector<std::string> lines = Lines(o.out);
  EXPECT_EQ(lines.size(), Lines(ReadFile(Messages())).size());
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines[0].find(" Logon CLIENT1->SIM #1 "), std::string::npos)
      << lines[0];
  EXPECT_NE(o.out.find("Username=client1 Password=****"), std::string::npos);
  EXPECT_EQ(o.out.find("s3cret-pw"), std::string::npos);
  EXPECT_NE(o.out.find("NewOrderSingle CLIENT1->SIM #5 ClOrdID=b1 "
                       "OrderQty=600 OrdType=2(LIMIT) Price=100.02 "
                       "Side=1(BUY) Symbol=AAPL TimeInForce=0(DAY)"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("ExecType=F(TRADE)"), std::string::npos);
  EXPECT_NE(o.out.find("Reject SIM->CLIENT1"), std::string::npos);
  EXPECT_NE(o.out.find("Logout CLIENT1->SIM"), std::string::npos);
}

TEST_F(FixlogTest, PrintsTheEventLog) {
  Output o = Fixlog(Events());
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find(" event: Received logon request"), std::string::npos)
      << o.out;
}

TEST_F(FixlogTest, JsonWithFiltersFollowsOneOrder) {
  Output o = Fixlog("--format json --type 8 --grep b1 " + Messages());
  ASSERT_EQ(o.code, 0) << o.err;
  std::vector<std::string> lines = Lines(o.out);
  // b1's ack and its three fills (sim_basic.script).
  ASSERT_EQ(lines.size(), 4u) << o.out;
  for (const std::string& line : lines) {
    nlohmann::json doc = nlohmann::json::parse(line);
    EXPECT_EQ(doc["msg_type_name"], "ExecutionReport");
    EXPECT_EQ(doc["sender"], "SIM");
    bool has_b1 = false;
    for (const auto& field : doc["fields"]) {
      has_b1 = has_b1 || (field["name"] == "ClOrdID" && field["value"] == "b1");
    }
    EXPECT_TRUE(has_b1) << line;
  }
}

TEST_F(FixlogTest, NamesBadLinesAndPrintsTheRest) {
  std::string log = ReadFile(Messages());
  std::string damaged =
      dir_->Write("damaged.messages.current.log", "this is not FIX\n" + log);
  Output o = Fixlog(damaged);
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "fixlog: " + damaged +
                       ":1: not a FIX message or QuickFIX log line: \"this "
                       "is not FIX\"\n");
  EXPECT_EQ(Lines(o.out).size(), Lines(log).size());
}

TEST_F(FixlogTest, MissingFileOrBadOptionExitsTwo) {
  Output missing = Fixlog(dir_->path() + "/nope.log " + Messages());
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("nope.log: cannot open: No such file"),
            std::string::npos)
      << missing.err;
  EXPECT_FALSE(missing.out.empty());  // the other file is still printed
  EXPECT_EQ(Fixlog("--format xml " + Messages()).code, 2);
  EXPECT_EQ(Fixlog("--dict /nonexistent.xml " + Messages()).code, 2);
}

}  // namespace
}  // namespace fixgw::testing
