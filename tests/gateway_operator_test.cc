// What an operator meets first, end to end with the real programs: names
// given to the admin API are checked against the configuration (short
// session names included); the admin port is one gateway's only; every
// start-up error exits 2 promptly, also after the admin API started; the
// programs' --help and --version; fixgw --check-config; fixload and
// fixreplay saying so when what they were asked for matches nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <set>
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

// Every account may trade; ACC1 is the one account the risk file lists.
constexpr const char* kRisk = R"(
[defaults.account]
cash = "100000000"
max_long = 10000000
[defaults.session]
allowed_accounts = ["*"]
[accounts.ACC1]
cash = "100000000"
[symbols.AAPL]
reference_price = "100.00"
[symbols.MSFT]
reference_price = "250.00"
)";

std::string Order(const std::string& id, const std::string& account) {
  return "11=" + id + "|1=" + account + "|55=AAPL|54=1|60=" + FixNow() +
         "|38=1|40=2|44=100|59=0|";
}

std::set<std::string> FilesIn(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

int Lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

std::string Describe(const Ran& r) {
  return "rc=" + std::to_string(r.rc) + "\n--- stdout:\n" + r.out +
         "--- stderr:\n" + r.err;
}

// `cfg` with the line starting with `key=` replaced by `key=value`.
std::string WithKey(std::string cfg, const std::string& key,
                    const std::string& value) {
  const size_t at = cfg.find("\n" + key + "=");
  EXPECT_NE(at, std::string::npos) << key << " not in\n" << cfg;
  if (at == std::string::npos) return cfg;
  const size_t end = cfg.find('\n', at + 1);
  return cfg.substr(0, at + 1) + key + "=" + value + cfg.substr(end);
}

class GatewayOperatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.risk_limits = kRisk;
    other_.risk_limits = kRisk;
  }

  void Start() {
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
    ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  }

  std::string GatewayLog() {
    return "--- fixgw log:\n" + ReadFile(cluster_.gateway_log());
  }

  Ran Run(std::vector<std::string> argv, milliseconds timeout = seconds(20)) {
    return RunCapturing(argv, dir_.path() + "/run-" + std::to_string(++runs_),
                        timeout);
  }

  // The settings file of a second gateway (its own directory, journal
  // and ports) with `key` (its first occurrence) set to `value`.
  std::string OtherGateway(const std::string& key, const std::string& value) {
    std::string error;
    const std::string cfg = other_.WriteGatewayFiles(&error);
    EXPECT_FALSE(cfg.empty()) << error;
    other_dir_.Write("fixgw.cfg", WithKey(ReadFile(cfg), key, value));
    return cfg;
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
  TempDir other_dir_;
  Cluster other_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML},
                 other_dir_};
  int runs_ = 0;
};

TEST_F(GatewayOperatorTest, KillSwitchNamesAreCheckedAndShortSessionNamesWork) {
  Start();
  Broker b1(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(b1.Logon(1, true));
  ASSERT_TRUE(b1.WaitFor({"35=A"})) << b1.Transcript();

  // A misspelled account switches nothing off: 404 with the valid names.
  Cluster::HttpReply r = cluster_.Admin(
      "POST", "/kill-switch?action=engage&scope=account&name=ACC11");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body.find("unknown account 'ACC11'"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(R"("valid":["ACC1"])"), std::string::npos) << r.body;
  r = cluster_.Admin("POST",
                     "/kill-switch?action=engage&scope=session&name=BROKR1");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body.find("unknown session 'BROKR1'"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(R"("FIX.4.4:GW->BROKER1","BROKER1")"),
            std::string::npos)
      << r.body;
  // The exchange session is no broker session.
  EXPECT_EQ(cluster_.Admin("POST",
                           "/kill-switch?action=engage&scope=session&name=SIM")
                .status,
            404);
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='KillSwitchChanged'"),
            0);

  // The short name, as fixreplay --session takes it, engages the session's
  // switch: its orders are refused.
  r = cluster_.Admin("POST",
                     "/kill-switch?action=engage&scope=session&name=BROKER1"
                     "&reason=drill");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("name":"FIX.4.4:GW->BROKER1")"), std::string::npos)
      << r.body;
  ASSERT_TRUE(b1.Next("D", Order("k1", "ACC1")));
  auto refused = b1.WaitFor({"35=8", "11=k1"});
  ASSERT_TRUE(refused) << b1.Transcript() << GatewayLog();
  EXPECT_EQ(Field(*refused, 150), "8");
  EXPECT_NE(Field(*refused, 58).find("kill switch"), std::string::npos)
      << *refused;

  // Released by its full key: the same switch.
  r = cluster_.Admin("POST",
                     "/kill-switch?action=disengage&scope=session"
                     "&name=FIX.4.4:GW->BROKER1");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(b1.Next("D", Order("k2", "ACC1")));
  auto accepted = b1.WaitFor({"35=8", "11=k2"});
  ASSERT_TRUE(accepted) << b1.Transcript() << GatewayLog();
  EXPECT_EQ(Field(*accepted, 150), "0") << *accepted;

  // An account the order flow used (any account is entitled here) is a
  // valid name too.
  ASSERT_TRUE(b1.Next("D", Order("k3", "FLOW7")));
  ASSERT_TRUE(b1.WaitFor({"35=8", "11=k3"})) << b1.Transcript();
  EXPECT_EQ(cluster_.Admin(
                    "POST", "/kill-switch?action=engage&scope=account&name=FLOW7")
                .status,
            200);
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='KillSwitchChanged'"),
            3);
}

TEST_F(GatewayOperatorTest, SecondGatewayOnTheSameAdminPortExitsTwo) {
  Start();
  // Another gateway, its own journal and broker port, the first one's
  // admin port.
  const std::string cfg =
      OtherGateway("AdminPort", std::to_string(cluster_.admin_port()));
  const auto start = std::chrono::steady_clock::now();
  Ran second = Run({FIXGW_BIN, "--config", cfg});
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(10));
  EXPECT_EQ(second.rc, 2) << Describe(second);
  EXPECT_NE(second.err.find("127.0.0.1:" +
                            std::to_string(cluster_.admin_port())),
            std::string::npos)
      << second.err;
  // One error line (the log, on stderr too, says what came before).
  EXPECT_EQ(Occurrences(second.err, "\nfixgw: ") +
                (second.err.rfind("fixgw: ", 0) == 0 ? 1 : 0),
            1)
      << second.err;
  // Every request still reaches the first gateway.
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(cluster_.Admin("GET", "/state").status, 200);
  }
  EXPECT_TRUE(cluster_.gateway().Running());
}

// Errors after the admin API started: the broker port is taken (by the
// first gateway). Each start must end with exit 2 at once; a stop that
// came before the admin server's loop used to leave fixgw hanging.
TEST_F(GatewayOperatorTest, EveryStartUpErrorExitsTwoPromptly) {
  Start();
  const std::string cfg = OtherGateway(
      "SocketAcceptPort", std::to_string(cluster_.gateway_port()));
  for (int i = 0; i < 20; ++i) {
    const auto start = std::chrono::steady_clock::now();
    Ran r = Run({FIXGW_BIN, "--config", cfg}, seconds(10));
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_EQ(r.rc, 2) << "start " << i << ": " << Describe(r);
    EXPECT_LT(took, seconds(5)) << "start " << i;
    EXPECT_NE(r.err.find("broker listener"), std::string::npos) << r.err;
  }
  // A dictionary that is not one: exit 2 before anything starts.
  const std::string bad_dict = other_dir_.Write("bad.xml", "<fix><nope/>");
  other_dir_.Write("fixgw.cfg",
                   WithKey(ReadFile(cfg), "DataDictionary", bad_dict));
  for (int i = 0; i < 5; ++i) {
    Ran r = Run({FIXGW_BIN, "--config", cfg}, seconds(10));
    ASSERT_EQ(r.rc, 2) << Describe(r);
    EXPECT_EQ(Lines(r.err), 1) << r.err;
  }
}

TEST_F(GatewayOperatorTest, CheckConfigReadsEverythingAndTouchesNothing) {
  std::string error;
  const std::string cfg = cluster_.WriteGatewayFiles(&error);
  ASSERT_FALSE(cfg.empty()) << error;
  const std::set<std::string> before = FilesIn(dir_.path());
  Ran ok = Run({FIXGW_BIN, "--config", cfg, "--check-config"});
  EXPECT_EQ(ok.rc, 0) << Describe(ok);
  EXPECT_NE(ok.out.find("configuration OK"), std::string::npos) << ok.out;
  EXPECT_EQ(ok.err, "");
  // No journal, lock, head, log: nothing but the run's own output files.
  std::set<std::string> after = FilesIn(dir_.path());
  for (const std::string& name : before) after.erase(name);
  after.erase("run-1.out");
  after.erase("run-1.err");
  EXPECT_TRUE(after.empty()) << ::testing::PrintToString(after);

  // A risk-file session that matches nothing is a warning, not an error.
  dir_.Write("risk.toml", std::string(kRisk) +
                              "[sessions.BROKER1]\nallowed_accounts = "
                              "[\"ACC1\"]\n");
  Ran warned = Run({FIXGW_BIN, "--config", cfg, "--check-config"});
  EXPECT_EQ(warned.rc, 0) << Describe(warned);
  EXPECT_NE(warned.err.find("warning: " + cluster_.risk_file() +
                            ": [sessions.\"BROKER1\"] matches no broker "
                            "session"),
            std::string::npos)
      << warned.err;
  EXPECT_NE(warned.err.find("[sessions.\"FIX.4.4:GW->BROKER1\"]"),
            std::string::npos)
      << warned.err;

  // Errors: one line, exit 2; the unknown key as it was written.
  dir_.Write("fixgw.cfg", ReadFile(cfg) + "AdminPortt=1\n");
  Ran bad = Run({FIXGW_BIN, "--config", cfg, "--check-config"});
  EXPECT_EQ(bad.rc, 2) << Describe(bad);
  EXPECT_EQ(Lines(bad.err), 1) << bad.err;
  EXPECT_NE(bad.err.find("unknown key 'AdminPortt' in [GATEWAY]"),
            std::string::npos)
      << bad.err;
  EXPECT_EQ(bad.out, "");
}

TEST_F(GatewayOperatorTest, LogLevelWarningIsAccepted) {
  cluster_.gateway_extra = "LogLevel=warning\n";
  std::string error;
  ASSERT_TRUE(cluster_.StartSim(&error)) << error;
  // The exchange's logon is logged at info: wait for the port only.
  ASSERT_TRUE(cluster_.StartGateway(&error, /*wait_for_exchange=*/false))
      << error;
  // /health is 200 once the exchange session is up.
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (cluster_.Admin("GET", "/health").status != 200 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_EQ(cluster_.Admin("GET", "/health").status, 200) << GatewayLog();
  cluster_.gateway().Signal(SIGTERM);
  auto rc = cluster_.gateway().Wait(seconds(20));
  ASSERT_TRUE(rc.has_value()) << GatewayLog();
  EXPECT_EQ(*rc, 0) << GatewayLog();
  // info lines are gone, warnings print as "warning".
  EXPECT_EQ(cluster_.GatewayLogCount(" info "), 0) << GatewayLog();
  EXPECT_GT(cluster_.GatewayLogCount(" warning "), 0) << GatewayLog();
}

TEST(ProgramsTest, HelpListsEveryOptionAndEveryProgramHasAVersion) {
  TempDir dir;
  Ran help = RunCapturing({FIXGW_BIN, "--help"}, dir.path() + "/help",
                          seconds(10));
  EXPECT_EQ(help.rc, 0) << help.err;
  for (const char* option :
       {"--config", "--check-config", "--accept-journal-damage",
        "--hash-password", "--iterations", "--new-admin-token", "--version",
        "--help"}) {
    EXPECT_NE(help.out.find(option), std::string::npos)
        << option << " missing from\n"
        << help.out;
  }
  int n = 0;
  for (const auto& [bin, name] :
       std::vector<std::pair<std::string, std::string>>{
           {FIXGW_BIN, "fixgw"},
           {FIXSIM_BIN, "fixsim"},
           {FIXLOAD_BIN, "fixload"},
           {FIXREPLAY_BIN, "fixreplay"},
           {FIXLOG_BIN, "fixlog"},
           {FIXROUTER_BIN, "fixrouter"}}) {
    Ran v = RunCapturing({bin, "--version"},
                         dir.path() + "/v" + std::to_string(++n), seconds(10));
    EXPECT_EQ(v.rc, 0) << name << ": " << v.err;
    EXPECT_EQ(v.out, name + " " + FIXGW_VERSION + "\n") << name;
  }
}

// A run in which every order is refused measured nothing: fixload fails
// and says why; fixreplay names a filter that matches nothing.
TEST_F(GatewayOperatorTest, EveryOrderRefusedAndUnknownFiltersAreSaid) {
  // The sessions may trade ACC1 only.
  const std::string any = R"(allowed_accounts = ["*"])";
  cluster_.risk_limits.replace(cluster_.risk_limits.find(any), any.size(),
                               R"(allowed_accounts = ["ACC1"])");
  Start();
  const std::string client = cluster_.ClientConfig("BROKER1");
  // No --account: the gateway refuses every order ("no Account").
  Ran load = Run({FIXLOAD_BIN, "--config", client, "--orders", "5",
                  "--in-flight", "1", "--symbol", "AAPL", "--price", "100"},
                 seconds(60));
  EXPECT_EQ(load.rc, 1) << Describe(load);
  EXPECT_NE(load.err.find("every order (5) was refused; the first: "
                          "MsgType 8: "),
            std::string::npos)
      << load.err;
  Ran good = Run({FIXLOAD_BIN, "--config", client, "--orders", "5",
                  "--in-flight", "1", "--symbol", "AAPL", "--price", "100",
                  "--account", "ACC1"},
                 seconds(60));
  EXPECT_EQ(good.rc, 0) << Describe(good);

  const std::string journal = cluster_.journal();
  Ran acc = Run({FIXREPLAY_BIN, journal, "--account", "ACC1"});
  EXPECT_EQ(acc.rc, 0) << Describe(acc);
  EXPECT_GT(Lines(acc.out), 5);
  Ran nope = Run({FIXREPLAY_BIN, journal, "--account", "NOPE"});
  EXPECT_EQ(nope.rc, 2) << Describe(nope);
  EXPECT_EQ(nope.out, "");
  EXPECT_NE(nope.err.find("account 'NOPE' never occurs in this journal "
                          "(accounts in it: ACC1)"),
            std::string::npos)
      << nope.err;
  Ran session = Run({FIXREPLAY_BIN, journal, "--session", "BROKER9"});
  EXPECT_EQ(session.rc, 2) << Describe(session);
  EXPECT_NE(session.err.find("session 'BROKER9' never occurs"),
            std::string::npos)
      << session.err;
  Ran short_name = Run({FIXREPLAY_BIN, journal, "--session", "BROKER1"});
  EXPECT_EQ(short_name.rc, 0) << Describe(short_name);
  Ran order = Run({FIXREPLAY_BIN, journal, "--order", "no-such-id"});
  EXPECT_EQ(order.rc, 2) << Describe(order);
  EXPECT_NE(order.err.find("order 'no-such-id' never occurs"),
            std::string::npos)
      << order.err;
  Ran as_of = Run({FIXREPLAY_BIN, journal, "--as-of", "2100-01-01",
                   "--account", "NOPE"});
  EXPECT_EQ(as_of.rc, 2) << Describe(as_of);
}

}  // namespace
}  // namespace fixgw::testing
