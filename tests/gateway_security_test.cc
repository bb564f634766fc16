// The admin API answers only the operator: fixgw + fixsim as processes,
// requests as a local user without the token, a web page of another site
// (cross-site form and text/plain POSTs, DNS rebinding) and a reason that
// tries to forge a log line would send them. None may engage a kill switch
// or journal anything, and orders keep flowing. A token file others can
// read, or an admin port without tokens, stops start-up; AdminAuth=none is
// the explicit way to run without them.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "tests/harness/broker.h"
#include "tests/harness/cluster.h"
#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kEngageGlobal =
    R"({"action":"engage","scope":"global","reason":"drill"})";
constexpr const char* kKillSwitches =
    "SELECT count(*) FROM journal WHERE kind='KillSwitchChanged'";

std::string Order(const std::string& id) {
  return "11=" + id + "|1=ACC1|55=MSFT|54=1|60=" + FixNow() +
         "|38=10|40=2|44=250|59=0|";
}

// base64 of `raw`, for Basic credentials.
std::string Base64(const std::string& raw) {
  static const char* kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (char c : raw) {
    bits = (bits << 8) | static_cast<unsigned char>(c);
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += kAlphabet[(bits >> count) & 63];
    }
  }
  if (count > 0) out += kAlphabet[(bits << (6 - count)) & 63];
  while (out.size() % 4 != 0) out += '=';
  return out;
}

// Lines of `text`.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class GatewaySecurityTest : public ::testing::Test {
 protected:
  void Start() {
    // The account the kill switches below name: the admin API refuses
    // names the configuration does not know.
    if (cluster_.risk_limits.find("[accounts.ACC2]") == std::string::npos) {
      cluster_.risk_limits += "\n[accounts.ACC2]\n";
    }
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
    ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  }

  std::string Host() const {
    return "127.0.0.1:" + std::to_string(cluster_.admin_port());
  }
  std::string BasicCredentials() const {
    return "Basic " +
           Base64(cluster_.admin_token_name + ":" + cluster_.admin_token);
  }

  // An order still goes through: the gateway answers New.
  void ExpectOrdersFlow(const std::string& id) {
    Broker b(cluster_.gateway_port(), "BROKER1");
    ASSERT_TRUE(b.connected());
    ASSERT_TRUE(b.Logon(1, /*reset=*/true));
    ASSERT_TRUE(b.WaitFor({"35=A"})) << b.Transcript() << GatewayLog();
    ASSERT_TRUE(b.Next("D", Order(id)));
    auto er = b.WaitFor({"35=8", "11=" + id});
    ASSERT_TRUE(er) << b.Transcript() << GatewayLog();
    EXPECT_EQ(Field(*er, 150), "0") << *er;
  }

  // Nothing engaged, nothing journaled.
  void ExpectNoKillSwitch() {
    EXPECT_EQ(cluster_.JournalCount(kKillSwitches), 0);
    Cluster::HttpReply state = cluster_.Admin("GET", "/state");
    ASSERT_EQ(state.status, 200) << state.body;
    EXPECT_NE(state.body.find(R"("global":false)"), std::string::npos)
        << state.body;
  }

  // fixgw run on the cluster's settings file to its exit; its exit code and
  // stderr.
  Ran RunGatewayToExit() {
    std::string error;
    const std::string cfg = cluster_.WriteGatewayFiles(&error);
    EXPECT_FALSE(cfg.empty()) << error;
    return RunCapturing({FIXGW_BIN, "--config", cfg}, dir_.path() + "/run",
                        seconds(10));
  }

  std::string GatewayLog() {
    return "--- fixgw log:\n" + ReadFile(cluster_.gateway_log());
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
};

TEST_F(GatewaySecurityTest, RequestWithoutTokenIsRefusedAndChangesNothing) {
  Start();
  Cluster::HttpReply r = cluster_.AdminRaw("POST", "/kill-switch", {},
                                           kEngageGlobal, "application/json");
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(r.www_authenticate, "Bearer realm=\"fixgw admin\"");
  // A browser opening the status page is asked for a login.
  Cluster::HttpReply page = cluster_.AdminRaw("GET", "/", {});
  EXPECT_EQ(page.status, 401);
  EXPECT_EQ(page.www_authenticate, "Basic realm=\"fixgw admin\"");
  for (const char* path : {"/state", "/metrics", "/sessions"}) {
    EXPECT_EQ(cluster_.AdminRaw("GET", path, {}).status, 401) << path;
  }
  EXPECT_EQ(
      cluster_.AdminRaw("POST", "/risk/reload", {}, "{}", "application/json")
          .status,
      401);
  // Health checks need no token.
  EXPECT_EQ(cluster_.AdminRaw("GET", "/health", {}).status, 200);

  ExpectNoKillSwitch();
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='RiskLimitsLoaded'"),
            1);  // start-up's only
  ExpectOrdersFlow("after-401");
  const std::string metrics = cluster_.Admin("GET", "/metrics").body;
  EXPECT_NE(metrics.find("fixgw_admin_requests_refused_total{reason=\""
                         "missing_credentials\"} 6"),
            std::string::npos)
      << metrics;
  EXPECT_GE(cluster_.GatewayLogCount("admin: refused POST /kill-switch from "
                                     "127.0.0.1: missing_credentials"),
            1)
      << GatewayLog();
}

TEST_F(GatewaySecurityTest, WrongTokenIsRefusedAndNeverLogged) {
  Start();
  const std::string wrong = "Wr0ng-t0ken_wrong-token_wrong-token_wrong";
  Cluster::HttpReply bearer = cluster_.AdminRaw(
      "POST", "/kill-switch", {{"Authorization", "Bearer " + wrong}},
      kEngageGlobal, "application/json");
  EXPECT_EQ(bearer.status, 401) << bearer.body;
  EXPECT_EQ(bearer.www_authenticate,
            "Bearer realm=\"fixgw admin\", error=\"invalid_token\"");
  // The right token under another name is no credential either.
  Cluster::HttpReply basic = cluster_.AdminRaw(
      "GET", "/state",
      {{"Authorization",
        "Basic " + Base64("mallory:" + cluster_.admin_token)}});
  EXPECT_EQ(basic.status, 401) << basic.body;
  EXPECT_EQ(basic.www_authenticate, "Basic realm=\"fixgw admin\"");
  // The right ones.
  EXPECT_EQ(
      cluster_
          .AdminRaw("GET", "/state", {{"Authorization", BasicCredentials()}})
          .status,
      200);
  EXPECT_EQ(cluster_
                .AdminRaw("GET", "/state",
                          {{"Authorization", cluster_.AdminBearer()}})
                .status,
            200);

  ExpectNoKillSwitch();
  ExpectOrdersFlow("after-wrong-token");
  const std::string metrics = cluster_.Admin("GET", "/metrics").body;
  EXPECT_NE(metrics.find("fixgw_admin_requests_refused_total{reason=\""
                         "bad_credentials\"} 2"),
            std::string::npos)
      << metrics;
  const std::string log = ReadFile(cluster_.gateway_log());
  EXPECT_EQ(cluster_.GatewayLogCount("bad_credentials"), 2) << log;
  EXPECT_EQ(log.find(wrong), std::string::npos);
  EXPECT_EQ(log.find(cluster_.admin_token), std::string::npos);
}

TEST_F(GatewaySecurityTest, ValidTokenActsAndTheJournalNamesIt) {
  cluster_.admin_token_name = "alice";
  Start();
  Cluster::HttpReply r = cluster_.AdminRaw(
      "POST", "/kill-switch", {{"Authorization", cluster_.AdminBearer()}},
      R"({"action":"engage","scope":"account","name":"ACC2","reason":"drill"})",
      "application/json; charset=utf-8");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(cluster_.JournalCount(
                std::string(kKillSwitches) +
                " AND payload LIKE "
                "'%\"source\":\"admin token:alice from 127.0.0.1\"%'"),
            1);
  r = cluster_.Admin("POST",
                     "/kill-switch?action=disengage&scope=account"
                     "&name=ACC2");
  ASSERT_EQ(r.status, 200) << r.body;
  // Reloads name their caller too (a changed file, so it is journaled).
  cluster_.risk_limits += "\n[accounts.ACC9]\ncash = \"1\"\n";
  dir_.Write("risk.toml", cluster_.risk_limits);
  r = cluster_.Admin("POST", "/risk/reload");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='RiskLimitsLoaded' "
                "AND payload LIKE '%risk.toml by admin token:alice from "
                "127.0.0.1%'"),
            1);
  EXPECT_GE(cluster_.GatewayLogCount(
                "kill switch engaged account ACC2 by admin token:alice from "
                "127.0.0.1 (drill)"),
            1)
      << GatewayLog();
  ExpectOrdersFlow("after-token");
  // The token is in no log and in no journal entry.
  EXPECT_EQ(ReadFile(cluster_.gateway_log()).find(cluster_.admin_token),
            std::string::npos);
  EXPECT_EQ(cluster_.JournalCount("SELECT count(*) FROM journal WHERE "
                                  "payload LIKE '%" +
                                  cluster_.admin_token + "%'"),
            0);
}

TEST_F(GatewaySecurityTest, CrossSiteFormPostIsRefused) {
  Start();
  // What <form method=post action=http://127.0.0.1:PORT/kill-switch> on
  // evil.example sends, with the Basic credentials a browser remembers.
  Cluster::HttpReply r =
      cluster_.AdminRaw("POST", "/kill-switch",
                        {{"Origin", "http://evil.example"},
                         {"Authorization", BasicCredentials()}},
                        "action=engage&scope=global&reason=csrf",
                        "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 403) << r.body;
  // Without an Origin header the form's content type is refused.
  r = cluster_.AdminRaw("POST", "/kill-switch",
                        {{"Authorization", BasicCredentials()}},
                        "action=engage&scope=global&reason=csrf",
                        "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 415) << r.body;
  EXPECT_NE(r.body.find("Content-Type: application/json"), std::string::npos)
      << r.body;
  // A JSON POST from the other site (which would need a preflight) too.
  r = cluster_.AdminRaw("POST", "/kill-switch",
                        {{"Origin", "http://evil.example"},
                         {"Authorization", cluster_.AdminBearer()}},
                        kEngageGlobal, "application/json");
  EXPECT_EQ(r.status, 403) << r.body;
  ExpectNoKillSwitch();
  ExpectOrdersFlow("after-csrf");
}

TEST_F(GatewaySecurityTest, TextPlainPostWithQueryParametersIsRefused) {
  Start();
  const std::string path = "/kill-switch?action=engage&scope=global";
  Cluster::HttpReply r = cluster_.AdminRaw(
      "POST", path, {{"Authorization", BasicCredentials()}}, "x", "text/plain");
  EXPECT_EQ(r.status, 415) << r.body;
  // JSON content type, parameters in the query string: still refused.
  r = cluster_.AdminRaw("POST", path,
                        {{"Authorization", cluster_.AdminBearer()}}, "{}",
                        "application/json");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("not the query string"), std::string::npos) << r.body;
  ExpectNoKillSwitch();
  ExpectOrdersFlow("after-text-plain");
}

TEST_F(GatewaySecurityTest, ForeignHostIsRefused) {
  Start();
  const std::string port = std::to_string(cluster_.admin_port());
  // DNS rebinding: evil.example now resolves to 127.0.0.1, the page reads
  // /state with the credentials the browser holds.
  Cluster::HttpReply r =
      cluster_.AdminRaw("GET", "/state",
                        {{"Host", "evil.example:" + port},
                         {"Authorization", cluster_.AdminBearer()}});
  EXPECT_EQ(r.status, 421) << r.body;
  EXPECT_EQ(r.body.find("\"accounts\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Host must be 127.0.0.1:" + port), std::string::npos)
      << r.body;
  EXPECT_EQ(
      cluster_.AdminRaw("GET", "/health", {{"Host", "evil.example:" + port}})
          .status,
      421);
  EXPECT_EQ(cluster_
                .AdminRaw("GET", "/state",
                          {{"Host", "localhost:" + port},
                           {"Authorization", cluster_.AdminBearer()}})
                .status,
            200);
}

TEST_F(GatewaySecurityTest, ReasonWithNewlineIsRefusedAndForgesNoLogLine) {
  Start();
  const std::string forged =
      "INJECTED 2026-12-01T00:00:00Z info  kill switch disengaged";
  Cluster::HttpReply r = cluster_.Admin(
      "POST", "/kill-switch?action=engage&scope=global&reason=x%0A" +
                  std::string("INJECTED+2026-12-01T00:00:00Z+info"));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("'reason' contains a control character"),
            std::string::npos)
      << r.body;
  // Raw JSON with the escape, and a newline in the path of a refused request.
  r = cluster_.AdminRaw(
      "POST", "/kill-switch", {{"Authorization", cluster_.AdminBearer()}},
      R"({"action":"engage","scope":"global","reason":"x\n)" + forged + R"("})",
      "application/json");
  EXPECT_EQ(r.status, 400) << r.body;
  r = cluster_.AdminRaw(
      "POST", "/kill-switch", {{"Authorization", cluster_.AdminBearer()}},
      R"({"action":"engage","scope":"global","name":"\r)" + forged + R"("})",
      "application/json");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(
      cluster_.AdminRaw("GET", "/state%0A" + forged.substr(0, 8), {}).status,
      401);
  ExpectNoKillSwitch();
  ASSERT_TRUE(cluster_.WaitForGatewayLog("admin: refused", 4, seconds(5)))
      << GatewayLog();
  for (const std::string& line : Lines(ReadFile(cluster_.gateway_log()))) {
    EXPECT_NE(line.rfind("INJECTED", 0), 0u) << line;
  }
}

TEST_F(GatewaySecurityTest, TokenFileOthersCanReadStopsStartUp) {
  cluster_.admin_token_file_mode = 0644;
  const std::string tokens = cluster_.admin_token_file();
  const auto start = std::chrono::steady_clock::now();
  Ran ran = RunGatewayToExit();
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(5));
  EXPECT_EQ(ran.rc, 2) << ran.err;
  EXPECT_EQ(ran.err, "fixgw: " + dir_.path() +
                         "/fixgw.cfg: [GATEWAY] AdminTokenFile " + tokens +
                         ": readable by others (mode 0644); chmod 600 it\n");
  // Refused before the journal is opened.
  EXPECT_FALSE(std::filesystem::exists(cluster_.journal()));
}

TEST_F(GatewaySecurityTest, AdminPortWithoutTokenFileStopsStartUp) {
  cluster_.write_admin_token_file = false;
  Ran ran = RunGatewayToExit();
  EXPECT_EQ(ran.rc, 2) << ran.err;
  EXPECT_EQ(Lines(ran.err).size(), 1u) << ran.err;
  EXPECT_NE(ran.err.find("[GATEWAY] AdminTokenFile is required with "
                         "AdminPort"),
            std::string::npos)
      << ran.err;
  // Tokens and AdminAuth=none contradict each other.
  cluster_.gateway_extra =
      "AdminAuth=none\nAdminTokenFile=" + cluster_.admin_token_file() + "\n";
  ran = RunGatewayToExit();
  EXPECT_EQ(ran.rc, 2) << ran.err;
  EXPECT_EQ(Lines(ran.err).size(), 1u) << ran.err;
  EXPECT_NE(ran.err.find("AdminTokenFile is set but AdminAuth=none"),
            std::string::npos)
      << ran.err;
}

TEST_F(GatewaySecurityTest, AdminAuthNoneIsAnExplicitOptInAndJournaled) {
  cluster_.write_admin_token_file = false;
  cluster_.gateway_extra = "AdminAuth=none\n";
  Start();
  EXPECT_EQ(cluster_.GatewayLogCount("AdminAuth=none: the admin API"), 1)
      << GatewayLog();
  Cluster::HttpReply r = cluster_.AdminRaw(
      "POST", "/kill-switch", {},
      R"({"action":"engage","scope":"account","name":"ACC2"})",
      "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(cluster_.JournalCount(
                std::string(kKillSwitches) +
                " AND payload LIKE "
                "'%\"source\":\"admin unauthenticated from 127.0.0.1\"%'"),
            1);
  // The browser rules still hold.
  EXPECT_EQ(
      cluster_
          .AdminRaw("POST", "/kill-switch", {}, "action=engage&scope=global",
                    "application/x-www-form-urlencoded")
          .status,
      415);
  EXPECT_EQ(cluster_
                .AdminRaw("GET", "/state",
                          {{"Host", "evil.example:" +
                                        std::to_string(cluster_.admin_port())}})
                .status,
            421);
  EXPECT_EQ(cluster_.AdminRaw("GET", "/state", {}).status, 200);
  ExpectOrdersFlow("after-none");
}

}  // namespace
}  // namespace fixgw::testing
