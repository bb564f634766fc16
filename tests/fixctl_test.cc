// fixctl against a running fixgw + fixsim: every admin action driven from
// the command line, each checked by its effect on the FIX sessions, the
// order flow and the journal; and the refusals (unknown names with the
// valid list, sequence numbers while logged on, usage and connection
// errors) with their exit codes.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/harness/broker.h"
#include "tests/harness/cluster.h"
#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Json = nlohmann::json;

std::string Order(const std::string& id, const std::string& account = "ACC1") {
  return "11=" + id + "|1=" + account + "|55=AAPL|54=1|60=" + FixNow() +
         "|38=5|40=2|44=99|59=0|";
}

std::string Describe(const Ran& r) {
  return "rc=" + std::to_string(r.rc) + "\n--- stdout:\n" + r.out +
         "--- stderr:\n" + r.err;
}

bool Has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

class FixctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
    ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  }

  // fixctl with the gateway's admin port and the harness's token file.
  Ran Ctl(std::vector<std::string> args) {
    std::vector<std::string> argv{FIXCTL_BIN, "--port",
                                  std::to_string(cluster_.admin_port()),
                                  "--token-file", cluster_.admin_token_file()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCapturing(argv, dir_.path() + "/ctl-" + std::to_string(++runs_),
                        seconds(30));
  }

  // The /sessions entry of `key`, through fixctl --json.
  Json Session(const std::string& key) {
    Ran r = Ctl({"--json", "sessions"});
    EXPECT_EQ(r.rc, 0) << Describe(r);
    const Json all = Json::parse(r.out, nullptr, false);
    if (all.is_array()) {
      for (const Json& s : all) {
        if (s.value("session", "") == key) return s;
      }
    }
    ADD_FAILURE() << key << " not in " << r.out;
    return Json::object();
  }

  // A broker logged on afresh (ResetSeqNumFlag).
  std::unique_ptr<Broker> LoggedOn(const std::string& sender) {
    auto b = std::make_unique<Broker>(cluster_.gateway_port(), sender);
    EXPECT_TRUE(b->Logon(1, true));
    EXPECT_TRUE(b->WaitFor({"35=A"})) << b->Transcript() << GatewayLog();
    return b;
  }

  // How many connections of `sender`'s session have ended so far, by the
  // gateway's log; and a wait for the n-th: a session takes the next
  // connection only once the last one is gone.
  int Ended(const std::string& sender) {
    return cluster_.GatewayLogCount("GW->" + sender + ": connection with");
  }
  void WaitEnded(const std::string& sender, int n) {
    EXPECT_TRUE(cluster_.WaitForGatewayLog(
        "GW->" + sender + ": connection with", n, seconds(10)))
        << GatewayLog();
  }

  // A broker whose Logon is answered with a Logout; returns its Text once
  // its connection is gone.
  std::string RefusedLogon(const std::string& sender) {
    const int ended = Ended(sender);
    std::optional<std::string> logout;
    {
      Broker b(cluster_.gateway_port(), sender);
      EXPECT_TRUE(b.Logon(1, true));
      logout = b.WaitFor({"35=5"});
      EXPECT_TRUE(logout) << b.Transcript() << GatewayLog();
      EXPECT_EQ(b.Count({"35=A"}, milliseconds(0)), 0) << b.Transcript();
      EXPECT_TRUE(b.WaitClosed());
    }
    WaitEnded(sender, ended + 1);
    return logout ? Field(*logout, 58) : "";
  }

  // Answers the gateway's Logout and waits until the connection is gone.
  void LoggedOut(std::unique_ptr<Broker>& b, int ended) {
    const std::string sender = b->sender();
    b->Next("5", "");
    EXPECT_TRUE(b->WaitClosed()) << b->Transcript();
    b.reset();
    WaitEnded(sender, ended + 1);
  }

  std::string GatewayLog() {
    return "--- fixgw log:\n" + ReadFile(cluster_.gateway_log());
  }

  // The gateway's ClOrdID of the open order `cl_ord_id`, by fixctl.
  std::string GatewayIdOf(const std::string& cl_ord_id) {
    Ran r = Ctl({"--json", "orders"});
    EXPECT_EQ(r.rc, 0) << Describe(r);
    const Json state = Json::parse(r.out, nullptr, false);
    if (state.is_object() && state.contains("open_orders")) {
      for (const Json& o : state["open_orders"]) {
        if (o.value("cl_ord_id", "") == cl_ord_id) {
          return o.value("exch_cl_ord_id", "");
        }
      }
    }
    ADD_FAILURE() << cl_ord_id << " not open: " << r.out;
    return "";
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
  int runs_ = 0;
};

constexpr const char* kB1 = "FIX.4.4:GW->BROKER1";
constexpr const char* kB2 = "FIX.4.4:GW->BROKER2";

TEST_F(FixctlTest, HelpVersionUsageAndConnectionErrors) {
  Ran r =
      RunCapturing({FIXCTL_BIN, "--version"}, dir_.path() + "/v", seconds(10));
  EXPECT_EQ(r.rc, 0) << Describe(r);
  EXPECT_TRUE(Has(r.out, "fixctl ")) << r.out;
  r = RunCapturing({FIXCTL_BIN, "--help"}, dir_.path() + "/h", seconds(10));
  EXPECT_EQ(r.rc, 0) << Describe(r);
  for (const char* word : {"status", "sessions", "orders", "kill-switch",
                           "risk", "session", "cancel", "Exit codes"}) {
    EXPECT_TRUE(Has(r.out, word)) << word << "\n" << r.out;
  }
  // Usage errors: exit 2 before anything is sent.
  EXPECT_EQ(Ctl({"session", "frobnicate", "BROKER1"}).rc, 2);
  EXPECT_EQ(Ctl({"session", "set-seq", "BROKER1"}).rc, 2);
  EXPECT_EQ(Ctl({"kill-switch", "engage", "account"}).rc, 2);
  EXPECT_EQ(Ctl({"cancel"}).rc, 2);
  r = RunCapturing({FIXCTL_BIN, "--url", "http://192.0.2.1:8081", "sessions"},
                   dir_.path() + "/u", seconds(10));
  EXPECT_EQ(r.rc, 2) << Describe(r);
  EXPECT_TRUE(Has(r.err, "127.0.0.1 only")) << r.err;
  // Nobody listens: a connection error is 2 as well.
  r = RunCapturing(
      {FIXCTL_BIN, "--port", std::to_string(FreePort()), "sessions"},
      dir_.path() + "/c", seconds(10));
  EXPECT_EQ(r.rc, 2) << Describe(r);
  EXPECT_TRUE(Has(r.err, "no answer")) << r.err;
  // A wrong token: the gateway refuses, exit 1 with its message; the
  // environment variable is used without --token-file.
  r = RunCapturing(
      {"/usr/bin/env",
       "FIXGW_ADMIN_TOKEN=wrong-token-0123456789abcdefghijklmnop", FIXCTL_BIN,
       "--url", "http://127.0.0.1:" + std::to_string(cluster_.admin_port()),
       "sessions"},
      dir_.path() + "/t", seconds(10));
  EXPECT_EQ(r.rc, 1) << Describe(r);
  EXPECT_TRUE(Has(r.err, "HTTP 401")) << r.err;
  r = RunCapturing(
      {"/usr/bin/env", "FIXGW_ADMIN_TOKEN=" + cluster_.admin_token, FIXCTL_BIN,
       "--port", std::to_string(cluster_.admin_port()), "sessions"},
      dir_.path() + "/e", seconds(10));
  EXPECT_EQ(r.rc, 0) << Describe(r);
  EXPECT_TRUE(Has(r.out, kB1)) << r.out;
}

TEST_F(FixctlTest, StatusOrdersCancelKillSwitchAndRiskReload) {
  Ran r = Ctl({"status"});
  EXPECT_EQ(r.rc, 0) << Describe(r) << GatewayLog();
  EXPECT_TRUE(Has(r.out, "health: ok")) << r.out;
  EXPECT_TRUE(Has(r.out, "brokers: 0 of 2 logged on")) << r.out;
  r = Ctl({"--json", "status"});
  EXPECT_EQ(r.rc, 0) << Describe(r);
  const Json status = Json::parse(r.out, nullptr, false);
  EXPECT_EQ(status.value("health", ""), "ok") << r.out;
  EXPECT_TRUE(status.contains("sessions") && status["sessions"].is_array())
      << r.out;
  r = Ctl({"sessions"});
  EXPECT_EQ(r.rc, 0) << Describe(r);
  EXPECT_TRUE(Has(r.out, "ADMISSION")) << r.out;
  EXPECT_TRUE(Has(r.out, kB2)) << r.out;

  auto b1 = LoggedOn("BROKER1");
  ASSERT_TRUE(b1->Next("D", Order("o1")));
  ASSERT_TRUE(b1->WaitFor({"35=8", "11=o1", "150=0"})) << b1->Transcript();
  ASSERT_TRUE(b1->Next("D", Order("o2")));
  ASSERT_TRUE(b1->WaitFor({"35=8", "11=o2", "150=0"})) << b1->Transcript();
  r = Ctl({"orders"});
  EXPECT_EQ(r.rc, 0) << Describe(r);
  EXPECT_TRUE(Has(r.out, "o1") && Has(r.out, "o2")) << r.out;
  r = Ctl({"state"});
  EXPECT_EQ(r.rc, 0) << Describe(r);
  EXPECT_TRUE(Has(r.out, "ACC1")) << r.out;
  EXPECT_TRUE(Has(r.out, "Kill switches engaged: none")) << r.out;

  // Cancel by the gateway's order id: the broker gets the Canceled report.
  const std::string gw_id = GatewayIdOf("o1");
  ASSERT_FALSE(gw_id.empty());
  r = Ctl({"cancel", gw_id, "--reason", "fat finger"});
  ASSERT_EQ(r.rc, 0) << Describe(r) << GatewayLog();
  EXPECT_TRUE(Has(r.out, gw_id)) << r.out;
  auto canceled = b1->WaitFor({"35=8", "11=o1", "150=4", "39=4"});
  ASSERT_TRUE(canceled) << b1->Transcript() << GatewayLog();
  EXPECT_EQ(Field(*canceled, 58),
            "canceled by the gateway operator: fat finger");
  // By session and broker ClOrdID, the account checked.
  r = Ctl({"cancel", "--session", "BROKER1", "--clordid", "o2", "--account",
           "ACC9"});
  EXPECT_EQ(r.rc, 1) << Describe(r);
  EXPECT_TRUE(Has(r.err, "HTTP 404") && Has(r.err, "not account ACC9"))
      << r.err;
  r = Ctl({"cancel", "--session", "BROKER1", "--clordid", "o2", "--account",
           "ACC1"});
  ASSERT_EQ(r.rc, 0) << Describe(r) << GatewayLog();
  ASSERT_TRUE(b1->WaitFor({"35=8", "11=o2", "150=4"})) << b1->Transcript();
  // Finished, unknown, or of an unknown session: refused.
  r = Ctl({"cancel", gw_id});
  EXPECT_EQ(r.rc, 1) << Describe(r);
  EXPECT_TRUE(Has(r.err, "HTTP 409")) << r.err;
  r = Ctl({"cancel", "GW-NOSUCH"});
  EXPECT_EQ(r.rc, 1) << Describe(r);
  EXPECT_TRUE(Has(r.err, "HTTP 404")) << r.err;
  r = Ctl({"cancel", gw_id, "--session", "BROKER1"});
  EXPECT_EQ(r.rc, 1) << Describe(r);
  EXPECT_TRUE(Has(r.err, "HTTP 400")) << r.err;
  r = Ctl({"cancel", "--session", "BROKR1", "--clordid", "o2"});
  EXPECT_EQ(r.rc, 1) << Describe(r);
  EXPECT_TRUE(Has(r.err, "valid names: ")) << r.err;
  EXPECT_EQ(cluster_.JournalCount("SELECT count(*) FROM journal WHERE kind="
                                  "'OperatorCancelRequested' AND payload LIKE "
                                  "'%admin token:harness from 127.0.0.1%'"),
            2);
  // The audit trail ties the operator's cancel to the order.
  const Ran trail =
      RunCapturing({FIXREPLAY_BIN, "--order", "o1", cluster_.journal()},
                   dir_.path() + "/trail", seconds(30));
  EXPECT_EQ(trail.rc, 0) << Describe(trail);
  EXPECT_TRUE(Has(trail.out, "OperatorCancel") &&
              Has(trail.out, "canceled by the operator: fat finger"))
      << trail.out;

  // Kill switch by the session's short name: orders refused; released.
  r = Ctl({"kill-switch", "engage", "session", "BROKER1", "--reason", "drill"});
  ASSERT_EQ(r.rc, 0) << Describe(r);
  ASSERT_TRUE(b1->Next("D", Order("k1")));
  auto refused = b1->WaitFor({"35=8", "11=k1"});
  ASSERT_TRUE(refused) << b1->Transcript();
  EXPECT_EQ(Field(*refused, 150), "8");
  EXPECT_TRUE(Has(Field(*refused, 58), "kill switch")) << *refused;
  r = Ctl({"status"});
  EXPECT_TRUE(Has(r.out, "kill switches engaged: 1")) << r.out;
  r = Ctl({"kill-switch", "disengage", "session", kB1});
  ASSERT_EQ(r.rc, 0) << Describe(r);
  ASSERT_TRUE(b1->Next("D", Order("k2")));
  ASSERT_TRUE(b1->WaitFor({"35=8", "11=k2", "150=0"})) << b1->Transcript();
  // A misspelled account: 1, with the valid names.
  r = Ctl({"kill-switch", "engage", "account", "ACC11"});
  EXPECT_EQ(r.rc, 1) << Describe(r);
  EXPECT_TRUE(Has(r.err, "unknown account 'ACC11'")) << r.err;
  EXPECT_TRUE(Has(r.err, "valid names: ACC1")) << r.err;

  r = Ctl({"risk", "reload"});
  EXPECT_EQ(r.rc, 0) << Describe(r);
  EXPECT_TRUE(Has(r.out, "reloaded")) << r.out;
}

TEST_F(FixctlTest, LogoutLogonDisableEnableOfABrokerSession) {
  // Unknown names: 1 and the valid list, nothing journaled.
  Ran r = Ctl({"session", "logout", "BROKR1"});
  EXPECT_EQ(r.rc, 1) << Describe(r);
  EXPECT_TRUE(Has(r.err, "HTTP 404") && Has(r.err, "unknown session 'BROKR1'"))
      << r.err;
  EXPECT_TRUE(Has(r.err, "valid names: ") && Has(r.err, kB1) &&
              Has(r.err, "BROKER2"))
      << r.err;

  auto b1 = LoggedOn("BROKER1");
  int ended = Ended("BROKER1");
  r = Ctl({"session", "logout", "BROKER1", "--reason", "end of day"});
  ASSERT_EQ(r.rc, 0) << Describe(r) << GatewayLog();
  auto logout = b1->WaitFor({"35=5"});
  ASSERT_TRUE(logout) << b1->Transcript() << GatewayLog();
  EXPECT_EQ(Field(*logout, 58),
            "logged out by the gateway operator: end of day");
  LoggedOut(b1, ended);
  EXPECT_EQ(Session(kB1).value("admission", ""), "logged-out");
  EXPECT_TRUE(Has(RefusedLogon("BROKER1"), "until the operator logs it on"));
  r = Ctl({"session", "logon", "BROKER1"});
  ASSERT_EQ(r.rc, 0) << Describe(r);
  EXPECT_EQ(Session(kB1).value("admission", ""), "open");
  b1 = LoggedOn("BROKER1");

  ended = Ended("BROKER1");
  r = Ctl({"session", "disable", "BROKER1", "--reason", "maintenance"});
  ASSERT_EQ(r.rc, 0) << Describe(r);
  EXPECT_TRUE(Has(r.out, "disabled")) << r.out;
  logout = b1->WaitFor({"35=5"});
  ASSERT_TRUE(logout) << b1->Transcript() << GatewayLog();
  EXPECT_EQ(Field(*logout, 58),
            "session disabled by the gateway operator: maintenance");
  LoggedOut(b1, ended);
  // QuickFIX prefixes the text of a refused logon.
  EXPECT_EQ(RefusedLogon("BROKER1"),
            "Rejected Logon Attempt: session disabled by the gateway "
            "operator: logons are refused until it is enabled");
  // logon does not undo a disable.
  r = Ctl({"session", "logon", "BROKER1"});
  EXPECT_EQ(r.rc, 1) << Describe(r);
  EXPECT_TRUE(Has(r.err, "HTTP 409") && Has(r.err, "enable it first")) << r.err;
  // The other broker is not concerned.
  LoggedOn("BROKER2");

  // Disabled survives a restart (journaled).
  cluster_.gateway().Signal(SIGTERM);
  ASSERT_TRUE(cluster_.gateway().Wait(seconds(20)).has_value());
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  EXPECT_EQ(Session(kB1).value("admission", ""), "disabled");
  EXPECT_TRUE(Has(RefusedLogon("BROKER1"), "session disabled"));
  r = Ctl({"session", "enable", kB1});
  ASSERT_EQ(r.rc, 0) << Describe(r);
  EXPECT_EQ(Session(kB1).value("admission", ""), "open");
  LoggedOn("BROKER1");

  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='SessionControl' AND "
                "session='FIX.4.4:GW->BROKER1' AND payload LIKE "
                "'%admin token:harness from 127.0.0.1%'"),
            4);  // logout, logon, disable, enable; the refused logon: none
  const Ran trail =
      RunCapturing({FIXREPLAY_BIN, "--session", "BROKER1", cluster_.journal()},
                   dir_.path() + "/trail", seconds(30));
  EXPECT_EQ(trail.rc, 0) << Describe(trail);
  EXPECT_TRUE(Has(trail.out, "Session:disable") &&
              Has(trail.out,
                  "admin token:harness from 127.0.0.1: "
                  "maintenance"))
      << trail.out;
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='LogonRefused' AND "
                "payload LIKE '%session_disabled%'"),
            2);
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='LogonRefused' AND "
                "payload LIKE '%session_logged_out%'"),
            1);
}

TEST_F(FixctlTest, SequenceNumbersAndTheExchangeSession) {
  // Logged out: set-seq takes effect; the next logon uses the numbers.
  Ran r = Ctl(
      {"session", "set-seq", "BROKER2", "--sender", "50", "--target", "20"});
  ASSERT_EQ(r.rc, 0) << Describe(r) << GatewayLog();
  Json s = Session(kB2);
  EXPECT_EQ(s.value("next_sender_seq", 0), 50) << s.dump();
  EXPECT_EQ(s.value("next_target_seq", 0), 20) << s.dump();
  Broker b2(cluster_.gateway_port(), "BROKER2");
  ASSERT_TRUE(b2.Logon(20, false));
  auto logon = b2.WaitFor({"35=A"});
  ASSERT_TRUE(logon) << b2.Transcript() << GatewayLog();
  EXPECT_EQ(Field(*logon, 34), "50");

  // Logged on: refused without --force (409), nothing changed.
  r = Ctl({"session", "set-seq", "BROKER2", "--sender", "7"});
  EXPECT_EQ(r.rc, 1) << Describe(r);
  EXPECT_TRUE(Has(r.err, "HTTP 409") && Has(r.err, "logged on")) << r.err;
  r = Ctl({"session", "reset-seq", "BROKER2"});
  EXPECT_EQ(r.rc, 1) << Describe(r);
  EXPECT_TRUE(Has(r.err, "HTTP 409")) << r.err;
  EXPECT_EQ(Session(kB2).value("next_sender_seq", 0), 51);
  // Forced: QuickFIX's reset logs the session out and starts it at 1/1.
  r = Ctl({"session", "reset-seq", "BROKER2", "--force", "--reason", "venue"});
  ASSERT_EQ(r.rc, 0) << Describe(r) << GatewayLog();
  EXPECT_TRUE(b2.WaitFor({"35=5"})) << b2.Transcript();
  EXPECT_TRUE(b2.WaitClosed()) << b2.Transcript();
  s = Session(kB2);
  EXPECT_EQ(s.value("next_sender_seq", 0), 1) << s.dump();
  EXPECT_EQ(s.value("next_target_seq", 0), 1) << s.dump();
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='SessionControl' AND "
                "session='FIX.4.4:GW->BROKER2' AND payload LIKE "
                "'%\"next_sender_before\":51,%\"next_sender\":1,%'"),
            1);
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='SessionControl' AND "
                "session='FIX.4.4:GW->BROKER2' AND payload LIKE "
                "'%\"action\":\"set-seq\"%\"next_sender\":50,"
                "\"next_target\":20%'"),
            1);

  // The exchange: enable/disable are not its actions; logout keeps it out
  // (health fails, orders are refused) until logon.
  r = Ctl({"session", "disable", "SIM"});
  EXPECT_EQ(r.rc, 1) << Describe(r);
  EXPECT_TRUE(Has(r.err, "HTTP 400")) << r.err;
  r = Ctl({"session", "logout", "SIM", "--reason", "venue maintenance"});
  ASSERT_EQ(r.rc, 0) << Describe(r) << GatewayLog();
  bool down = false;
  for (int i = 0; i < 50 && !down; ++i) {
    r = Ctl({"status"});
    down = r.rc == 1 && Has(r.out, "exchange session is down");
    if (!down) std::this_thread::sleep_for(milliseconds(200));
  }
  EXPECT_TRUE(down) << Describe(r) << GatewayLog();
  auto b1 = LoggedOn("BROKER1");
  ASSERT_TRUE(b1->Next("D", Order("x1")));
  auto refused = b1->WaitFor({"35=8", "11=x1"});
  ASSERT_TRUE(refused) << b1->Transcript();
  EXPECT_EQ(Field(*refused, 150), "8") << *refused;
  // Still out after the transport's reconnects (ReconnectInterval=1).
  std::this_thread::sleep_for(seconds(3));
  EXPECT_FALSE(Session("FIX.4.4:GW->SIM").value("logged_on", true));
  r = Ctl({"session", "logon", "SIM"});
  ASSERT_EQ(r.rc, 0) << Describe(r);
  bool up = false;
  for (int i = 0; i < 75 && !up; ++i) {
    r = Ctl({"status"});
    up = r.rc == 0;
    if (!up) std::this_thread::sleep_for(milliseconds(200));
  }
  EXPECT_TRUE(up) << Describe(r) << GatewayLog();
  ASSERT_TRUE(b1->Next("D", Order("x2")));
  EXPECT_TRUE(b1->WaitFor({"35=8", "11=x2", "150=0"})) << b1->Transcript();
}

}  // namespace
}  // namespace fixgw::testing
