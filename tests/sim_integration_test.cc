// fixsim end to end over real FIX sessions on 127.0.0.1: scripted scenarios
// driven by fixload, fault modes, hostile raw input, and a graceful stop.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct SimOptions {
  int liquidity_levels = 0;
  std::string extra;  // more [SIM] lines
};

class SimTest : public ::testing::Test {
 protected:
  void StartSim(const SimOptions& options = {}) {
    port_ = FreePort();
    std::string cfg = R"([DEFAULT]
ConnectionType=acceptor
BeginString=FIX.4.4
SenderCompID=SIM
SocketAcceptHost=127.0.0.1
SocketAcceptPort=)" + std::to_string(port_) +
                      R"(
StartTime=00:00:00
EndTime=00:00:00
HeartBtInt=30
SocketNodelay=Y
UseDataDictionary=Y
DataDictionary=)" FIXGW_FIX44_XML R"(
ResetOnLogon=Y

[SESSION]
TargetCompID=CLIENT1

[SESSION]
TargetCompID=CLIENT2

[SIM]
Instruments=AAPL:0.01:100.00,MSFT:0.01:250.00
Seed=7
LiquidityLevels=)" + std::to_string(options.liquidity_levels) +
                      "\n" + options.extra + "\n";
    std::string path = dir_.Write("fixsim.cfg", cfg);
    sim_log_ = dir_.path() + "/fixsim.log";
    sim_ = std::make_unique<Process>(
        std::vector<std::string>{FIXSIM_BIN, "--config", path}, sim_log_);
    ASSERT_TRUE(WaitForPort(port_, seconds(10))) << ReadFile(sim_log_);
  }

  std::string ClientConfig(const std::string& sender) {
    return dir_.Write(sender + ".cfg", R"([DEFAULT]
ConnectionType=initiator
BeginString=FIX.4.4
SenderCompID=)" + sender + R"(
TargetCompID=SIM
SocketConnectHost=127.0.0.1
SocketConnectPort=)" + std::to_string(port_) + R"(
StartTime=00:00:00
EndTime=00:00:00
HeartBtInt=30
SocketNodelay=Y
ReconnectInterval=1
UseDataDictionary=Y
DataDictionary=)" FIXGW_FIX44_XML R"(
ResetOnLogon=Y

[SESSION]
)");
  }

  // Runs fixload with `args` as CLIENT1; returns its exit code, output in
  // *output.
  int RunLoad(std::vector<std::string> args, std::string* output,
              const std::string& sender = "CLIENT1") {
    std::vector<std::string> argv = {FIXLOAD_BIN, "--config",
                                     ClientConfig(sender)};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string log = dir_.path() + "/fixload-" + std::to_string(++runs_) +
                      ".log";
    int rc = RunToCompletion(argv, log, seconds(60));
    *output = ReadFile(log);
    return rc;
  }

  int RunScript(const std::string& script, std::string* output) {
    return RunLoad({"--script", script}, output);
  }

  std::string Logon(const std::string& sender, int seq = 1) {
    return FixMessage("35=A|49=" + sender + "|56=SIM|34=" +
                      std::to_string(seq) + "|52=" + FixNow() +
                      "|98=0|108=30|141=Y|");
  }

  void ExpectSimAlive() {
    ASSERT_TRUE(sim_->Running()) << ReadFile(sim_log_);
    std::string out;
    EXPECT_EQ(RunScript(FIXGW_SCENARIOS "/sim_liquidity_free.script", &out), 0)
        << out;
  }

  TempDir dir_;
  int port_ = 0;
  int runs_ = 0;
  std::string sim_log_;
  std::unique_ptr<Process> sim_;
};

TEST_F(SimTest, ScriptedScenarioEndToEnd) {
  StartSim();
  std::string out;
  EXPECT_EQ(RunScript(FIXGW_SCENARIOS "/sim_basic.script", &out), 0) << out;
}

TEST_F(SimTest, LoneClientFillsAgainstSeededLiquidity) {
  StartSim({.liquidity_levels = 5, .extra = ""});
  std::string out;
  EXPECT_EQ(RunScript(FIXGW_SCENARIOS "/sim_liquidity.script", &out), 0)
      << out;
}

TEST_F(SimTest, LoadRunReportsFiguresAndLosesNothing) {
  StartSim();
  std::string out;
  ASSERT_EQ(RunLoad({"--orders", "2000", "--in-flight", "20", "--json"}, &out),
            0)
      << out;
  EXPECT_NE(out.find("\"missing\":0"), std::string::npos) << out;
  EXPECT_NE(out.find("\"acked\":2000"), std::string::npos) << out;
  std::string open;
  ASSERT_EQ(RunLoad({"--orders", "1000", "--rate", "2000", "--json"}, &open,
                    "CLIENT2"),
            0)
      << open;
  EXPECT_NE(open.find("\"missing\":0"), std::string::npos) << open;
  EXPECT_TRUE(std::regex_search(open, std::regex("\"p99_us\":[0-9]")))
      << open;
}

TEST_F(SimTest, RejectRatioOneRejectsEveryOrder) {
  StartSim({.liquidity_levels = 0, .extra = "RejectRatio=1"});
  std::string out;
  EXPECT_EQ(RunScript(FIXGW_SCENARIOS "/sim_reject_all.script", &out), 0)
      << out;
}

TEST_F(SimTest, AckDelayHoldsBackReports) {
  StartSim({.liquidity_levels = 0, .extra = "AckDelayMs=400"});
  std::string out;
  EXPECT_EQ(RunScript(FIXGW_SCENARIOS "/sim_ack_delay.script", &out), 0)
      << out;
}

TEST_F(SimTest, DropAfterMessagesDisconnectsTheSession) {
  StartSim({.liquidity_levels = 0, .extra = "DropAfterMessages=2"});
  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Logon("CLIENT1")));
  ASSERT_NE(client.Receive(seconds(5)).find("35=A"), std::string::npos);
  auto order = [&](int seq, const std::string& id) {
    return FixMessage("35=D|49=CLIENT1|56=SIM|34=" + std::to_string(seq) +
                      "|52=" + FixNow() + "|11=" + id +
                      "|55=AAPL|54=1|60=" + FixNow() +
                      "|38=100|40=2|44=99|59=0|");
  };
  ASSERT_TRUE(client.Send(order(2, "d1")));
  ASSERT_FALSE(client.WaitClosed(milliseconds(300)));
  ASSERT_TRUE(client.Send(order(3, "d2")));
  EXPECT_TRUE(client.WaitClosed(seconds(5)));
  EXPECT_NE(client.Receive(milliseconds(0)).find("11=d2"), std::string::npos);
  ExpectSimAlive();
}

// A fixsim killed between answering a request and storing the incoming
// MsgSeqNum gets the request again, as a PossDup resend, after its restart;
// its book is gone, so only the RequestLedger can tell it was taken. Here
// the second start sees the resend under a fresh sequence (ResetOnLogon):
// the ledger alone decides.
TEST_F(SimTest, RequestLedgerIgnoresAPossDupOfARequestTakenBeforeARestart) {
  const std::string ledger = "RequestLedger=" + dir_.path() + "/requests";
  auto order = [&](int seq, const std::string& id, bool poss_dup) {
    return FixMessage("35=D|49=CLIENT1|56=SIM|34=" + std::to_string(seq) +
                      (poss_dup ? "|43=Y|122=" + FixNow() : std::string()) +
                      "|52=" + FixNow() + "|11=" + id + "|55=AAPL|54=1|60=" +
                      FixNow() + "|38=100|40=2|44=99|59=0|");
  };
  // Everything received, once `text` is among it or after 5 s.
  auto until = [](RawClient& client, const std::string& text) {
    std::string got;
    for (int i = 0; i < 50 && got.find(text) == std::string::npos; ++i) {
      got = client.Receive(milliseconds(100));
    }
    return got;
  };
  StartSim({.liquidity_levels = 0, .extra = ledger});
  {
    RawClient client(port_);
    ASSERT_TRUE(client.Send(Logon("CLIENT1")));
    ASSERT_NE(until(client, "35=A").find("35=A"), std::string::npos);
    ASSERT_TRUE(client.Send(order(2, "L1", false)));
    const std::string got = until(client, "11=L1");
    ASSERT_NE(got.find("150=0"), std::string::npos) << got;
  }
  sim_->Signal(SIGKILL);
  ASSERT_TRUE(sim_->Wait(seconds(10)).has_value());

  StartSim({.liquidity_levels = 0, .extra = ledger});
  RawClient client(port_);
  ASSERT_TRUE(client.Send(Logon("CLIENT1")));
  ASSERT_NE(until(client, "35=A").find("35=A"), std::string::npos);
  ASSERT_TRUE(client.Send(order(2, "L1", true)));  // taken before: ignored
  ASSERT_TRUE(client.Send(order(3, "L2", true)));  // never taken: a new order
  std::string got = until(client, "11=L2");
  EXPECT_NE(got.find("11=L2"), std::string::npos) << got;
  got = client.Receive(milliseconds(300));
  EXPECT_EQ(got.find("11=L1"), std::string::npos) << got;
  EXPECT_NE(ReadFile(sim_log_).find("11=L1 with PossDupFlag=Y was taken "
                                    "before: ignored"),
            std::string::npos)
      << ReadFile(sim_log_);
}

// Bytes that are not FIX are skipped by QuickFIX's framer; the first
// complete message that is not a Logon ends the connection.
TEST_F(SimTest, GarbageBeforeLogonIsDisconnectedAndSimKeepsServing) {
  StartSim();
  RawClient client(port_);
  ASSERT_TRUE(client.connected());
  client.Send("this is not FIX\r\n\x01\x01garbage\x01");
  client.Send(FixMessage("35=D|49=CLIENT1|56=SIM|34=1|52=" + FixNow() +
                         "|11=g1|55=AAPL|54=1|60=" + FixNow() +
                         "|38=100|40=2|44=99|59=0|"));
  EXPECT_TRUE(client.WaitClosed(seconds(10)));
  EXPECT_EQ(client.Receive(std::chrono::milliseconds(0)).find("35=8"),
            std::string::npos);
  ExpectSimAlive();
}

TEST_F(SimTest, LogonFromUnknownCompIdIsRefused) {
  StartSim();
  RawClient client(port_);
  ASSERT_TRUE(client.Send(Logon("INTRUDER")));
  EXPECT_TRUE(client.WaitClosed(seconds(10)));
  EXPECT_EQ(client.Receive(milliseconds(0)).find("35=A"), std::string::npos);
  ExpectSimAlive();
}

TEST_F(SimTest, WrongCompIdInSessionGetsRejectAndLogout) {
  StartSim();
  RawClient client(port_);
  ASSERT_TRUE(client.Send(Logon("CLIENT1")));
  ASSERT_NE(client.Receive(seconds(5)).find("35=A"), std::string::npos);
  client.Send(FixMessage("35=D|49=CLIENT2|56=SIM|34=2|52=" + FixNow() +
                         "|11=w1|55=AAPL|54=1|60=" + FixNow() +
                         "|38=100|40=2|44=99|59=0|"));
  client.WaitClosed(seconds(5));
  std::string got = client.Receive(milliseconds(0));
  EXPECT_NE(got.find("35=3"), std::string::npos) << got;
  EXPECT_NE(got.find("373=9"), std::string::npos) << got;  // CompID problem
  EXPECT_NE(got.find("35=5"), std::string::npos) << got;
  ExpectSimAlive();
}

TEST_F(SimTest, BadValueFormatAndUnknownTagGetSessionReject) {
  StartSim();
  RawClient client(port_);
  ASSERT_TRUE(client.Send(Logon("CLIENT1")));
  ASSERT_NE(client.Receive(seconds(5)).find("35=A"), std::string::npos);
  client.Send(FixMessage("35=D|49=CLIENT1|56=SIM|34=2|52=" + FixNow() +
                         "|11=q1|55=AAPL|54=1|60=" + FixNow() +
                         "|38=abc|40=2|44=99|59=0|"));
  client.Send(FixMessage("35=D|49=CLIENT1|56=SIM|34=3|52=" + FixNow() +
                         "|11=q2|55=AAPL|54=1|60=" + FixNow() +
                         "|38=100|40=2|44=99|59=0|4999=x|"));
  client.Send(FixMessage("35=ZZ|49=CLIENT1|56=SIM|34=4|52=" + FixNow() + "|"));
  std::string got;
  for (int i = 0; i < 50; ++i) {
    got = client.Receive(milliseconds(100));
    if (got.find("45=4") != std::string::npos) break;
  }
  EXPECT_TRUE(std::regex_search(got, std::regex("35=3\x01.*45=2\x01.*373=6")))
      << got;  // incorrect data format
  EXPECT_TRUE(std::regex_search(got, std::regex("35=3\x01.*45=3\x01.*373=0")))
      << got;  // invalid tag number
  EXPECT_TRUE(std::regex_search(got, std::regex("35=3\x01.*45=4\x01.*373=11")))
      << got;  // invalid MsgType
  EXPECT_TRUE(sim_->Running());
}

// The settings say SocketAcceptHost=127.0.0.1; QuickFIX 1.15.1's acceptor
// ignored it and listened on every interface. The kernel's table of
// listening sockets shows what fixsim bound.
TEST_F(SimTest, ListensOnlyOnTheConfiguredHost) {
  StartSim();
  std::ifstream tcp("/proc/net/tcp");
  ASSERT_TRUE(tcp.good());
  char port_hex[8];
  std::snprintf(port_hex, sizeof port_hex, "%04X", port_);
  std::string line, listening;
  while (std::getline(tcp, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (state == "0A" && local.size() > 5 &&
        local.substr(local.size() - 4) == port_hex) {
      listening += local + " ";
    }
  }
  // 0100007F is 127.0.0.1 in the kernel's byte order; 00000000 would be
  // every interface.
  EXPECT_EQ(listening, "0100007F:" + std::string(port_hex) + " ");
}

TEST_F(SimTest, SigtermLogsOutAndExitsZero) {
  StartSim();
  RawClient client(port_);
  ASSERT_TRUE(client.Send(Logon("CLIENT1")));
  ASSERT_NE(client.Receive(seconds(5)).find("35=A"), std::string::npos);
  sim_->Signal(SIGTERM);
  client.WaitClosed(seconds(10));
  EXPECT_NE(client.Receive(milliseconds(0)).find("35=5"), std::string::npos);
  auto rc = sim_->Wait(seconds(10));
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 0);
}

}  // namespace
}  // namespace fixgw::testing
