// Operations end to end (issue 9): /metrics after real order flow matches
// what was sent; /health follows the exchange session; /sessions; the
// status page renders in headless Chromium; SIGTERM under load drains
// (nothing lost, every order answered once) and exits 0.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
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
allowed_accounts = ["*"]
[defaults.account]
cash = "100000000"
max_open_orders = 10000
[accounts.ACC1]
cash = "10000"
[accounts.ACC2]
cash = "0"
short_selling = true
max_short = 1000
max_short_qty = 1000
[symbols.MSFT]
reference_price = "100.00"
collar_bps = 1000
[symbols.AAPL]
reference_price = "100.00"
collar_bps = 1000
)";

std::string Order(const std::string& id, const std::string& account,
                  const std::string& symbol, char side, int qty,
                  const std::string& px) {
  return "11=" + id + "|1=" + account + "|55=" + symbol + "|54=" +
         std::string(1, side) + "|60=" + FixNow() +
         "|38=" + std::to_string(qty) + "|40=2|44=" + px + "|59=0|";
}

// The value of the sample `series` (name and labels exactly as exposed),
// "" when absent.
std::string Sample(const std::string& text, const std::string& series) {
  const std::string key = "\n" + series + " ";
  const size_t at = ("\n" + text).find(key);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size() - 1;  // -1: the "\n" we prepended
  return text.substr(start, text.find('\n', start) - start);
}

class GatewayOpsTest : public ::testing::Test {
 protected:
  void SetUp() override { cluster_.risk_limits = kRisk; }

  void Start() {
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
    ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  }

  std::unique_ptr<Broker> LoggedOn(const std::string& sender) {
    auto broker = std::make_unique<Broker>(cluster_.gateway_port(), sender);
    EXPECT_TRUE(broker->connected());
    EXPECT_TRUE(broker->Logon(1, /*reset=*/true));
    EXPECT_TRUE(broker->WaitFor({"35=A"})) << broker->Transcript();
    return broker;
  }

  std::string Submit(Broker& b, const std::string& id,
                     const std::string& account, char side, int qty,
                     const std::string& px) {
    EXPECT_TRUE(b.Next("D", Order(id, account, "MSFT", side, qty, px)));
    auto er = b.WaitFor({"35=8", "11=" + id});
    EXPECT_TRUE(er.has_value()) << b.Transcript() << GatewayLog();
    return er.value_or("");
  }

  std::string Metrics() {
    Cluster::HttpReply r = cluster_.Admin("GET", "/metrics");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }

  // Polls /metrics until `series` has `value` (latencies are recorded just
  // after the send, so a reply can arrive a moment before its count).
  std::string WaitForSample(const std::string& series,
                            const std::string& value) {
    std::string text;
    for (int i = 0; i < 100; ++i) {
      text = Metrics();
      if (Sample(text, series) == value) break;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return text;
  }

  std::string GatewayLog() {
    return "--- fixgw log:\n" + ReadFile(cluster_.gateway_log());
  }

  int SimReceived(const std::string& type) {
    return Occurrences(cluster_.SimMessages(), "\x01" "35=" + type + "\x01");
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
};

TEST_F(GatewayOpsTest, MetricsMatchTheOrderFlow) {
  Start();
  auto b1 = LoggedOn("BROKER1");
  auto b2 = LoggedOn("BROKER2");
  // ACC1 (cash 10000): three buys of 10 @ 100 rest, one of 200 @ 100 is
  // beyond its buying power. ACC2 sells 10 @ 100 into the first buy.
  for (const char* id : {"b1", "b2", "b3"}) {
    ASSERT_EQ(Field(Submit(*b1, id, "ACC1", '1', 10, "100"), 150), "0");
  }
  ASSERT_EQ(Field(Submit(*b1, "big", "ACC1", '1', 200, "100"), 58),
            "buying power: need 20000.00, available 7000.00");
  ASSERT_EQ(Field(Submit(*b2, "s1", "ACC2", '2', 10, "100"), 150), "0");
  ASSERT_TRUE(b1->WaitFor({"35=8", "11=b1", "150=F", "39=2"}))
      << b1->Transcript();
  ASSERT_TRUE(b2->WaitFor({"35=8", "11=s1", "150=F", "39=2"}))
      << b2->Transcript();
  // A cancel of an unknown order: refused by the gateway itself.
  ASSERT_TRUE(b1->Next("F", "11=c1|41=nosuch|55=MSFT|54=1|60=" + FixNow() +
                                "|38=10|"));
  ASSERT_TRUE(b1->WaitFor({"35=9", "11=c1", "102=1"})) << b1->Transcript();

  // Exchange reports relayed: 4 acks + 2 fills; gateway answers: the
  // refused order and the refused cancel.
  const std::string m = WaitForSample(
      "fixgw_order_path_seconds_count{path=\"exchange_to_broker\"}", "6");
  const std::string b1_id = "FIX.4.4:GW->BROKER1";
  const std::string b2_id = "FIX.4.4:GW->BROKER2";
  auto messages = [&](const std::string& session, const char* dir,
                      const char* type) {
    return Sample(m, "fixgw_messages_total{session=\"" + session +
                         "\",direction=\"" + dir + "\",msg_type=\"" + type +
                         "\"}");
  };
  EXPECT_EQ(messages(b1_id, "in", "D"), "4") << m;
  EXPECT_EQ(messages(b1_id, "in", "F"), "1") << m;
  EXPECT_EQ(messages(b2_id, "in", "D"), "1") << m;
  EXPECT_EQ(messages(b1_id, "out", "8"), "5") << m;  // 3 acks, reject, fill
  EXPECT_EQ(messages(b1_id, "out", "9"), "1") << m;
  EXPECT_EQ(messages(b2_id, "out", "8"), "2") << m;  // ack, fill
  EXPECT_EQ(messages(b1_id, "in", "A"), "1") << m;
  EXPECT_EQ(messages("FIX.4.4:GW->SIM", "out", "D"), "4") << m;
  EXPECT_EQ(Sample(m, "fixgw_orders_accepted_total"), "4") << m;
  EXPECT_EQ(Sample(m, "fixgw_orders_rejected_total{reason=\"buying_power\"}"),
            "1")
      << m;
  EXPECT_EQ(Sample(m, "fixgw_cancel_replace_rejected_total{reason=\"unknown_order\"}"),
            "1")
      << m;
  EXPECT_EQ(Sample(m, "fixgw_fills_total"), "2") << m;
  EXPECT_EQ(Sample(m, "fixgw_order_path_seconds_count{path=\"broker_to_exchange\"}"),
            "4")
      << m;
  EXPECT_EQ(Sample(m, "fixgw_order_path_seconds_count{path=\"gateway_answer\"}"),
            "2")
      << m;
  EXPECT_EQ(
      Sample(m, "fixgw_order_path_seconds_bucket{path=\"broker_to_exchange\","
                "le=\"+Inf\"}"),
      "4")
      << m;
  // Every journal entry of this run went through a measured commit, but
  // the start-up check's, written before the gateway starts.
  const int64_t entries = cluster_.JournalCount(
      "SELECT count(*) FROM journal WHERE kind != 'JournalVerified'");
  EXPECT_EQ(Sample(m, "fixgw_journal_entries_total"), std::to_string(entries))
      << m;
  EXPECT_NE(Sample(m, "fixgw_journal_commit_seconds_count"), "0") << m;
  // States at scrape time: b2 and b3 rest.
  EXPECT_EQ(Sample(m, "fixgw_open_orders"), "2") << m;
  EXPECT_EQ(Sample(m, "fixgw_orders_awaiting_exchange"), "0") << m;
  EXPECT_EQ(Sample(m, "fixgw_exchange_up"), "1") << m;
  EXPECT_EQ(Sample(m, "fixgw_session_logged_on{session=\"" + b1_id +
                          "\",role=\"broker\"}"),
            "1")
      << m;
  EXPECT_EQ(Sample(m, "fixgw_session_logged_on{session=\"FIX.4.4:GW->SIM\","
                      "role=\"exchange\"}"),
            "1")
      << m;
  // BROKER1 sent Logon (1), 4 D and 1 F: the next it sends is 7.
  EXPECT_EQ(Sample(m, "fixgw_session_next_target_seq{session=\"" + b1_id +
                          "\"}"),
            "7")
      << m;
  // ACC1: cash 10000 - 1000 (fill) = 9000, reserved 2 x 10 x 100 = 2000.
  EXPECT_EQ(Sample(m, "fixgw_risk_cash_limit{account=\"ACC1\"}"), "10000")
      << m;
  EXPECT_EQ(Sample(m, "fixgw_risk_cash_available{account=\"ACC1\"}"), "7000")
      << m;
  EXPECT_EQ(Sample(m, "fixgw_risk_cash_reserved{account=\"ACC1\"}"), "2000")
      << m;
  EXPECT_EQ(Sample(m, "fixgw_risk_cash_utilisation{account=\"ACC1\"}"), "0.3")
      << m;

  // /sessions agrees with the counters.
  Cluster::HttpReply s = cluster_.Admin("GET", "/sessions");
  ASSERT_EQ(s.status, 200);
  EXPECT_NE(s.body.find("{\"session\":\"" + b1_id +
                        "\",\"role\":\"broker\",\"logged_on\":true,"
                        "\"admission\":\"open\","
                        "\"next_sender_seq\":8,\"next_target_seq\":7,"
                        "\"messages_in\":6,\"messages_out\":7}"),
            std::string::npos)
      << s.body;
  EXPECT_NE(s.body.find("\"session\":\"FIX.4.4:GW->SIM\",\"role\":\"exchange\","
                        "\"logged_on\":true"),
            std::string::npos)
      << s.body;

  // The log has one line per event, with the session, ClOrdID and reason.
  EXPECT_NE(GatewayLog().find("order rejected session=" + b1_id +
                              " ClOrdID=big reason=buying_power: buying power: "
                              "need 20000.00, available 7000.00"),
            std::string::npos)
      << GatewayLog();
}

TEST_F(GatewayOpsTest, HealthFollowsTheExchangeSession) {
  Start();
  Cluster::HttpReply ok = cluster_.Admin("GET", "/health");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.body, "ok\n");

  cluster_.sim().Signal(SIGTERM);
  ASSERT_EQ(cluster_.sim().Wait(seconds(10)), 0);
  Cluster::HttpReply down;
  for (int i = 0; i < 250 && down.status != 503; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
    down = cluster_.Admin("GET", "/health");
  }
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.body, "exchange session is down\n");
  EXPECT_EQ(Sample(Metrics(), "fixgw_exchange_up"), "0");

  std::string error;
  ASSERT_TRUE(cluster_.StartSim(&error)) << error;
  Cluster::HttpReply up;
  for (int i = 0; i < 500 && up.status != 200; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
    up = cluster_.Admin("GET", "/health");
  }
  EXPECT_EQ(up.status, 200) << up.body << GatewayLog();
}

// Polls /health every 50 ms until `done` holds for the reply or `timeout`
// passes; returns the last reply.
template <typename Done>
Cluster::HttpReply PollHealth(const Cluster& cluster, Done done,
                              milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Cluster::HttpReply r = cluster.Admin("GET", "/health");
  while (!done(r) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
    r = cluster.Admin("GET", "/health");
  }
  return r;
}

bool Contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

// An exchange that keeps its connection but stops reading (SIGSTOP): /health
// says so within seconds, not after QuickFIX's 2.4 x HeartBtInt (72 s here).
constexpr const char* kLivenessSettings =
    "ExchangeSilenceSeconds=1\nExchangeAnswerSeconds=1\nMaxPendingSeconds=2\n";

TEST_F(GatewayOpsTest, HealthSaysWhenTheExchangeStopsAnswering) {
  cluster_.gateway_extra = kLivenessSettings;
  Start();
  auto b1 = LoggedOn("BROKER1");
  ASSERT_EQ(Field(Submit(*b1, "before", "ACC1", '1', 1, "100"), 150), "0");
  ASSERT_EQ(cluster_.Admin("GET", "/health").status, 200) << GatewayLog();

  cluster_.sim().Stop();
  const auto stopped = std::chrono::steady_clock::now();
  for (const char* id : {"w1", "w2", "w3"}) {
    ASSERT_TRUE(b1->Next("D", Order(id, "ACC1", "MSFT", '1', 1, "100")));
  }
  // Both reasons: the silence (1 s, then 1 s for the TestRequest) and the
  // orders waiting longer than 2 s.
  const Cluster::HttpReply sick = PollHealth(
      cluster_,
      [](const Cluster::HttpReply& r) {
        return r.status == 503 && Contains(r.body, "not answering") &&
               Contains(r.body, "waiting for the exchange");
      },
      seconds(8));
  const auto took = std::chrono::duration_cast<milliseconds>(
      std::chrono::steady_clock::now() - stopped);
  std::printf("/health names the frozen exchange and the waiting orders "
              "%lld ms after SIGSTOP\n",
              static_cast<long long>(took.count()));
  ASSERT_EQ(sick.status, 503) << sick.body << GatewayLog();
  EXPECT_LT(took, seconds(5)) << sick.body;
  EXPECT_TRUE(Contains(sick.body,
                       "exchange session is not answering: silent for "))
      << sick.body;
  EXPECT_TRUE(Contains(sick.body, " s, TestRequest unanswered for ")) << sick.body;
  EXPECT_TRUE(Contains(sick.body,
                       "order(s) waiting for the exchange longer than 2 s: "
                       "oldest "))
      << sick.body;
  EXPECT_TRUE(Contains(sick.body, "(FIX.4.4:GW->BROKER1, ClOrdID w1)\n"))
      << sick.body;

  const std::string m = Metrics();
  EXPECT_EQ(Sample(m, "fixgw_exchange_up"), "0") << m;
  EXPECT_EQ(Sample(m, "fixgw_exchange_responsive"), "0") << m;
  EXPECT_GE(std::stod(Sample(m, "fixgw_exchange_silence_seconds")), 2.0) << m;
  EXPECT_GT(std::stod(Sample(m, "fixgw_oldest_pending_order_seconds")), 2.0)
      << m;
  EXPECT_GE(std::stoi(Sample(m, "fixgw_exchange_test_requests_total")), 1)
      << m;
  EXPECT_EQ(Sample(m, "fixgw_orders_awaiting_exchange"), "3") << m;
  // Logged on all along: only the probe noticed.
  EXPECT_EQ(Sample(m, "fixgw_session_logged_on{session=\"FIX.4.4:GW->SIM\","
                      "role=\"exchange\"}"),
            "1")
      << m;

  cluster_.sim().Continue();
  const Cluster::HttpReply well = PollHealth(
      cluster_, [](const Cluster::HttpReply& r) { return r.status == 200; },
      seconds(8));
  EXPECT_EQ(well.status, 200) << well.body << GatewayLog();
  EXPECT_EQ(well.body, "ok\n");
  for (const char* id : {"w1", "w2", "w3"}) {
    EXPECT_TRUE(b1->WaitFor({"35=8", std::string("11=") + id, "150=0"}))
        << id << b1->Transcript();
  }
  const std::string after = Metrics();
  EXPECT_EQ(Sample(after, "fixgw_exchange_up"), "1") << after;
  EXPECT_EQ(Sample(after, "fixgw_oldest_pending_order_seconds"), "0") << after;
  // The probe is a plain TestRequest, answered by a Heartbeat with its ID.
  EXPECT_TRUE(Contains(cluster_.SimMessages(), "\x01" "112=fixgw-health-"))
      << cluster_.SimMessages();
  EXPECT_EQ(cluster_.GatewayLogCount("is not answering: silent for"), 1)
      << GatewayLog();
  // An info line: the log writes those behind (within 100 ms).
  EXPECT_TRUE(cluster_.WaitForGatewayLog("answers again after", 1, seconds(5)))
      << GatewayLog();
  EXPECT_EQ(cluster_.GatewayLogCount("answers again after"), 1) << GatewayLog();
  // Forwarded, not refused (RefuseOrdersWhenExchangeUnresponsive=N).
  EXPECT_EQ(SimReceived("D"), 4);
}

TEST_F(GatewayOpsTest, RefusesOrdersWhileTheExchangeDoesNotAnswerIfConfigured) {
  cluster_.gateway_extra = std::string(kLivenessSettings) +
                           "RefuseOrdersWhenExchangeUnresponsive=Y\n";
  Start();
  auto b1 = LoggedOn("BROKER1");
  ASSERT_EQ(Field(Submit(*b1, "live", "ACC1", '1', 1, "100"), 150), "0");

  cluster_.sim().Stop();
  const Cluster::HttpReply sick = PollHealth(
      cluster_,
      [](const Cluster::HttpReply& r) {
        return Contains(r.body, "not answering");
      },
      seconds(6));
  ASSERT_EQ(sick.status, 503) << sick.body << GatewayLog();

  // Refused at once, like an order while the exchange is down.
  const std::string refused = Submit(*b1, "r1", "ACC1", '1', 1, "100");
  EXPECT_EQ(Field(refused, 150), "8") << refused;
  EXPECT_EQ(Field(refused, 39), "8") << refused;
  EXPECT_EQ(Field(refused, 103), "2") << refused;
  EXPECT_EQ(Field(refused, 58), "exchange is not answering: order not sent")
      << refused;
  ASSERT_TRUE(b1->Next("F", "11=c1|41=live|55=MSFT|54=1|60=" + FixNow() +
                                "|38=1|"));
  auto cancel = b1->WaitFor({"35=9", "11=c1"});
  ASSERT_TRUE(cancel.has_value()) << b1->Transcript();
  EXPECT_EQ(Field(*cancel, 58), "exchange is not answering: cancel not sent");

  // Journaled: the state change with its reason, then the refusal.
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE "
                "kind='ExchangeSessionChanged' AND payload LIKE "
                "'%\"up\":true,\"responsive\":false,\"reason\":\"silent "
                "for %TestRequest unanswered for %'"),
            1);
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='NewOrderRejected' "
                "AND cl_ord_id='r1' AND payload LIKE '%exchange is not "
                "answering: order not sent%' AND seq > (SELECT max(seq) FROM "
                "journal WHERE kind='ExchangeSessionChanged')"),
            1);
  const std::string m = Metrics();
  EXPECT_EQ(Sample(m, "fixgw_orders_rejected_total{reason=\"exchange_not_answering\"}"),
            "1")
      << m;

  cluster_.sim().Continue();
  const Cluster::HttpReply well = PollHealth(
      cluster_, [](const Cluster::HttpReply& r) { return r.status == 200; },
      seconds(8));
  ASSERT_EQ(well.status, 200) << well.body << GatewayLog();
  ASSERT_EQ(Field(Submit(*b1, "r2", "ACC1", '1', 1, "100"), 150), "0");
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE "
                "kind='ExchangeSessionChanged' AND payload LIKE "
                "'%\"up\":true,\"reason\":\"answering again\"%'"),
            1);
  EXPECT_EQ(SimReceived("D"), 2);  // live and r2; r1 never left
  EXPECT_EQ(SimReceived("F"), 0);
}

TEST_F(GatewayOpsTest, StatusPageRendersInHeadlessChromium) {
  const std::string chromium = "/usr/bin/chromium";
  ASSERT_TRUE(std::filesystem::exists(chromium))
      << "chromium is missing: scripts/deps.sh installs it";
  Start();
  auto b1 = LoggedOn("BROKER1");
  ASSERT_EQ(Field(Submit(*b1, "rest", "ACC1", '1', 10, "100"), 150), "0");
  // A ClOrdID with markup: shown as text, never as a tag.
  ASSERT_EQ(Field(Submit(*b1, "<i>big</i>", "ACC1", '1', 200, "100"), 39),
            "8");
  // ACC2 sells 4 into the resting buy: ACC1 is long 4 MSFT, 6 still open.
  auto b2 = LoggedOn("BROKER2");
  ASSERT_EQ(Field(Submit(*b2, "s1", "ACC2", '2', 4, "100"), 150), "0");
  ASSERT_TRUE(b1->WaitFor({"35=8", "11=rest", "150=F", "39=1"}))
      << b1->Transcript();
  ASSERT_TRUE(b2->WaitFor({"35=8", "11=s1", "150=F", "39=2"}))
      << b2->Transcript();
  ASSERT_EQ(cluster_.Admin("POST",
                           "/kill-switch?action=engage&scope=account&name=ACC2"
                           "&reason=test")
                .status,
            200);

  // Basic credentials in the URL: Chromium answers the page's Basic
  // challenge with them, as a person would in the login dialog.
  const std::string url =
      "http://" + cluster_.admin_token_name + ":" + cluster_.admin_token +
      "@127.0.0.1:" + std::to_string(cluster_.admin_port()) + "/";
  const std::vector<std::string> common = {
      chromium, "--headless", "--no-sandbox", "--disable-gpu",
      "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
      "--user-data-dir=" + dir_.path() + "/chromium"};
  std::vector<std::string> dump = common;
  dump.insert(dump.end(), {"--dump-dom", url});
  const std::string dom_file = dir_.path() + "/dom.html";
  ASSERT_EQ(RunToCompletion(dump, dom_file, seconds(60)), 0)
      << ReadFile(dom_file);
  const std::string dom = ReadFile(dom_file);
  EXPECT_NE(dom.find("<title>fixgw status</title>"), std::string::npos) << dom;
  EXPECT_NE(dom.find("FIX.4.4:GW-&gt;BROKER1"), std::string::npos) << dom;
  EXPECT_NE(dom.find("id=\"open-orders\">1<"), std::string::npos) << dom;
  EXPECT_NE(dom.find("<td>ACC2</td>"), std::string::npos) << dom;
  EXPECT_NE(dom.find("&lt;i&gt;big&lt;/i&gt;"), std::string::npos) << dom;
  EXPECT_EQ(dom.find("<i>big</i>"), std::string::npos) << dom;
  EXPECT_NE(dom.find("buying power: need 20000.00"), std::string::npos) << dom;
  // The build's version and an uptime.
  EXPECT_NE(dom.find("<b id=\"version\">" FIXGW_VERSION "</b>"),
            std::string::npos)
      << dom;
  EXPECT_TRUE(std::regex_search(
      dom, std::regex("<b id=\"uptime\">\\d\\d:\\d\\d:\\d\\d</b>")))
      << dom;
  // Each broker's live connection comes from 127.0.0.1, and its logon
  // time is shown (ISO 8601, UTC); the broker is open for logons.
  EXPECT_TRUE(std::regex_search(
      dom, std::regex("FIX\\.4\\.4:GW-&gt;BROKER1</td><td>broker</td>"
                      "<td><span class=\"up\">logged on</span></td>"
                      "<td>open</td><td class=\"remote\">127\\.0\\.0\\.1:"
                      "\\d+</td><td class=\"time\">\\d{4}-\\d\\d-\\d\\dT"
                      "\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z</td>")))
      << dom;
  // BROKER1: 1 order accepted, 1 refused.
  EXPECT_TRUE(std::regex_search(
      dom, std::regex("BROKER1</td>.*<td class=\"num\">1</td>"
                      "<td class=\"num\">\\d+\\.\\d\\d</td>"
                      "<td class=\"num\">1</td>")))
      << dom;
  // The accounts: ACC1's cash use and long position, ACC2's short one.
  EXPECT_NE(dom.find("<table id=\"accounts\">"), std::string::npos) << dom;
  EXPECT_NE(dom.find("<tr><td>ACC1</td><td class=\"num\">10000.00</td>"
                     "<td class=\"num\">-400.00</td>"
                     "<td class=\"num\">600.00</td>"
                     "<td class=\"num\">9000.00</td>"
                     "<td class=\"num\">10.0 %</td>"),
            std::string::npos)
      << dom;
  EXPECT_NE(dom.find("<tr><td>ACC1</td><td>MSFT</td><td class=\"num\">4</td>"
                     "<td class=\"num\">6</td>"),
            std::string::npos)
      << dom;
  EXPECT_NE(dom.find("<tr><td>ACC2</td><td>MSFT</td><td class=\"num\">-4</td>"),
            std::string::npos)
      << dom;
  // The latency chart holds the orders' bars.
  EXPECT_NE(dom.find("<div id=\"latency\">"), std::string::npos) << dom;
  EXPECT_NE(dom.find("<svg class=\"chart\""), std::string::npos) << dom;

  const std::string shot = std::string(FIXGW_ARTIFACTS) + "/status_page.png";
  std::filesystem::create_directories(FIXGW_ARTIFACTS);
  std::filesystem::remove(shot);
  std::vector<std::string> capture = common;
  // Tall enough for the whole page, the latency charts at its end included.
  capture.insert(capture.end(), {"--window-size=1400,2000",
                                 "--screenshot=" + shot, url});
  const std::string shot_log = dir_.path() + "/screenshot.log";
  ASSERT_EQ(RunToCompletion(capture, shot_log, seconds(60)), 0)
      << ReadFile(shot_log);
  ASSERT_TRUE(std::filesystem::exists(shot)) << ReadFile(shot_log);
  // A rendered page, not an empty canvas: a PNG of some size.
  const std::string png = ReadFile(shot);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  EXPECT_GT(png.size(), 10'000u);
  std::printf("status page screenshot: %s\n", shot.c_str());
  RecordProperty("screenshot", shot);
}

TEST_F(GatewayOpsTest, SigtermUnderLoadDrainsAnswersEveryOrderAndExitsZero) {
  // Acks take 400 ms: at SIGTERM many orders wait for the exchange.
  cluster_.sim_section_extra = "AckDelayMs=400\n";
  Start();
  auto b1 = LoggedOn("BROKER1");
  constexpr int kBefore = 150;
  constexpr int kAfter = 20;
  for (int i = 0; i < kBefore; ++i) {
    ASSERT_TRUE(b1->Next("D", Order("o" + std::to_string(i), "LOAD", "AAPL",
                                    '1', 1, "100")));
  }
  // Signal once all are forwarded: their acks are then still on the way.
  for (int i = 0; i < 500; ++i) {
    if (cluster_.JournalCount("SELECT count(*) FROM journal WHERE "
                              "kind='NewOrderAccepted'") == kBefore) {
      break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  const auto signalled = std::chrono::steady_clock::now();
  cluster_.gateway().Signal(SIGTERM);
  // The signal is taken by fixgw's main thread; orders it reads before that
  // are still accepted. Send the next ones once it drains.
  ASSERT_TRUE(cluster_.WaitForGatewayLog("draining: refusing", 1, seconds(5)))
      << GatewayLog();
  for (int i = kBefore; i < kBefore + kAfter; ++i) {
    ASSERT_TRUE(b1->Next("D", Order("o" + std::to_string(i), "LOAD", "AAPL",
                                    '1', 1, "100")));
  }
  // The gateway logs the broker out once it drained; answer the Logout.
  auto logout = b1->WaitFor({"35=5"}, seconds(15));
  ASSERT_TRUE(logout.has_value()) << b1->Transcript() << GatewayLog();
  b1->Next("5", "");
  const std::optional<int> code = cluster_.gateway().Wait(seconds(20));
  const auto took = std::chrono::steady_clock::now() - signalled;
  ASSERT_TRUE(code.has_value()) << GatewayLog();
  EXPECT_EQ(*code, 0) << GatewayLog();
  EXPECT_LT(took, seconds(8)) << GatewayLog();

  // Every order the gateway decided is answered exactly once, before the
  // logout: accepted ones with the exchange's ack, refused ones with a
  // reject naming the shutdown.
  const int64_t accepted = cluster_.JournalCount(
      "SELECT count(*) FROM journal WHERE kind='NewOrderAccepted'");
  const int64_t refused = cluster_.JournalCount(
      "SELECT count(*) FROM journal WHERE kind='NewOrderRejected'");
  std::printf("drain: %lld accepted, %lld refused, exit after %lld ms\n",
              static_cast<long long>(accepted), static_cast<long long>(refused),
              static_cast<long long>(
                  std::chrono::duration_cast<milliseconds>(took).count()));
  EXPECT_EQ(accepted, kBefore);
  EXPECT_EQ(refused, kAfter);
  EXPECT_EQ(SimReceived("D"), accepted) << cluster_.SimMessages();
  int acks = 0;
  int rejects = 0;
  for (int i = 0; i < kBefore + kAfter; ++i) {
    const std::string id = "11=o" + std::to_string(i);
    const int ack = b1->CountDeliveries({"35=8", id, "150=0"}, milliseconds(0));
    const int rej = b1->CountDeliveries(
        {"35=8", id, "150=8", "103=2",
         "58=gateway is shutting down: no new orders or replaces"},
        milliseconds(0));
    EXPECT_EQ(ack + rej, 1) << id << "\n" << b1->Transcript();
    acks += ack;
    rejects += rej;
  }
  EXPECT_EQ(acks, accepted);
  EXPECT_EQ(rejects, refused);
  // The answers all came before the Logout.
  const std::string transcript = b1->Transcript();
  EXPECT_GT(transcript.find("|35=5|"), transcript.rfind("|35=8|"));
  const std::string log = ReadFile(cluster_.gateway_log());
  EXPECT_NE(log.find("draining"), std::string::npos) << log;
  EXPECT_NE(log.find("logging out the exchange"), std::string::npos) << log;
  EXPECT_EQ(log.find("drain timeout"), std::string::npos) << log;
}

}  // namespace
}  // namespace fixgw::testing
