// The shipped Grafana dashboard (docs/grafana/fixgw-dashboard.json) and
// Prometheus alert rules (docs/prometheus/fixgw-alerts.yml) against a real
// fixgw: every metric any panel query, template variable or alert
// expression names must be a family in fixgw's /metrics (a histogram's
// _bucket, _sum and _count count as its family; `up` is Prometheus's own).
// A renamed metric otherwise leaves an empty panel or an alert that can
// never fire, silently. And the metrics they read that are new: build
// info, per-account series (label values from the configuration only),
// process and journal figures; and /health's query options.
#include <gtest/gtest.h>
#include <signal.h>

#include <cctype>
#include <chrono>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/harness/broker.h"
#include "tests/harness/cluster.h"
#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

// Removes what follows `open` up to its matching `close` (nesting counted),
// keeping the brackets.
std::string Blank(const std::string& expr, char open, char close) {
  std::string out;
  int depth = 0;
  for (char c : expr) {
    if (c == open) {
      if (depth++ == 0) out += c;
      continue;
    }
    if (c == close && depth > 0) {
      if (--depth == 0) out += c;
      continue;
    }
    if (depth == 0) out += c;
  }
  return out;
}

bool IdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool IdentChar(char c) {
  return IdentStart(c) || std::isdigit(static_cast<unsigned char>(c));
}

// The metric names a PromQL expression selects: identifiers that are not
// functions (followed by '('), keywords, label names (inside {...} or a
// by/without/on/ignoring/group_* list), strings, durations or Grafana
// variables ($name).
std::set<std::string> MetricNames(const std::string& expr) {
  // Strings first: a label value may hold any bracket.
  std::string s;
  for (size_t i = 0; i < expr.size(); ++i) {
    if (expr[i] == '"' || expr[i] == '\'') {
      const char q = expr[i];
      for (++i; i < expr.size() && expr[i] != q; ++i) {
        if (expr[i] == '\\') ++i;
      }
      s += "\"\"";
      continue;
    }
    s += expr[i];
  }
  s = Blank(Blank(s, '{', '}'), '[', ']');
  static const std::set<std::string> kLabelLists = {
      "by", "without", "on", "ignoring", "group_left", "group_right"};
  static const std::set<std::string> kKeywords = {
      "and", "or",      "unless", "bool",     "offset",     "inf",        "nan",
      "by",  "without", "on",     "ignoring", "group_left", "group_right"};
  std::set<std::string> names;
  for (size_t i = 0; i < s.size();) {
    if (!IdentStart(s[i]) || (i > 0 && (IdentChar(s[i - 1]) ||
                                        s[i - 1] == '$' || s[i - 1] == '.'))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && IdentChar(s[j])) ++j;
    const std::string word = s.substr(i, j - i);
    size_t k = j;
    while (k < s.size() && s[k] == ' ') ++k;
    // An aggregation may put its label list first: sum by (le) (...).
    const bool call =
        (k < s.size() && s[k] == '(') || s.compare(k, 3, "by ") == 0 ||
        s.compare(k, 3, "by(") == 0 || s.compare(k, 8, "without ") == 0 ||
        s.compare(k, 8, "without(") == 0;
    if (call && kLabelLists.contains(word)) {
      // Skip the label list.
      size_t close = s.find(')', k);
      i = close == std::string::npos ? s.size() : close + 1;
      continue;
    }
    if (!call && !kKeywords.contains(word)) names.insert(word);
    i = j;
  }
  return names;
}

// Every "expr" of the dashboard: panel targets (rows' nested panels too)
// and the template variables' queries.
void DashboardExprs(const nlohmann::json& j, std::vector<std::string>* out) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if ((key == "expr" || key == "query" || key == "definition") &&
          value.is_string()) {
        std::string q = value.get<std::string>();
        // label_values(METRIC, label): the metric is the selector.
        if (q.rfind("label_values(", 0) == 0) {
          q = q.substr(13, q.find(',') - 13);
        } else if (key != "expr") {
          continue;  // a datasource variable's plugin name
        }
        out->push_back(q);
      } else {
        DashboardExprs(value, out);
      }
    }
  } else if (j.is_array()) {
    for (const auto& v : j) DashboardExprs(v, out);
  }
}

// Every `expr:` of a rules file (one line each, or a block scalar).
std::vector<std::string> RuleExprs(const std::string& yaml) {
  std::vector<std::string> out;
  std::istringstream in(yaml);
  std::string line;
  size_t block_indent = std::string::npos;
  while (std::getline(in, line)) {
    const size_t indent = line.find_first_not_of(' ');
    if (block_indent != std::string::npos) {
      if (indent != std::string::npos && indent > block_indent) {
        out.back() += " " + line.substr(indent);
        continue;
      }
      block_indent = std::string::npos;
    }
    if (indent == std::string::npos) continue;
    if (line.compare(indent, 5, "expr:") != 0) continue;
    std::string rest = line.substr(indent + 5);
    rest.erase(0, rest.find_first_not_of(' '));
    if (rest == "|" || rest == ">" || rest == "|-" || rest == ">-") {
      out.emplace_back();
      block_indent = indent;
    } else {
      out.push_back(rest);
    }
  }
  return out;
}

// The families /metrics declares (# TYPE NAME TYPE).
std::map<std::string, std::string> Families(const std::string& scrape) {
  std::map<std::string, std::string> out;
  std::istringstream in(scrape);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) != 0) continue;
    std::istringstream f(line.substr(7));
    std::string name, type;
    f >> name >> type;
    out[name] = type;
  }
  return out;
}

// The names in `names` that /metrics does not have.
std::set<std::string> Missing(
    const std::set<std::string>& names,
    const std::map<std::string, std::string>& families) {
  std::set<std::string> missing;
  for (const std::string& n : names) {
    if (n == "up" || families.contains(n)) continue;
    bool component = false;
    for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
      if (n.size() > suffix.size() &&
          n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
        auto it = families.find(n.substr(0, n.size() - suffix.size()));
        component = it != families.end() && it->second == "histogram";
      }
      if (component) break;
    }
    if (!component) missing.insert(n);
  }
  return missing;
}

std::string Join(const std::set<std::string>& s) {
  std::string out;
  for (const std::string& n : s) out += (out.empty() ? "" : ", ") + n;
  return out;
}

TEST(PromQlNames, FindsMetricsNotFunctionsLabelsOrVariables) {
  EXPECT_EQ(
      MetricNames("histogram_quantile(0.99, sum by (le, path) (rate("
                  "fixgw_order_path_seconds_bucket{instance=~\"$instance\","
                  "path=\"a{b\"}[$__rate_interval])))"),
      std::set<std::string>{"fixgw_order_path_seconds_bucket"});
  EXPECT_EQ(MetricNames("sum(rate(a_total[5m])) / (sum(rate(a_total[5m])) + "
                        "sum(rate(b_total[5m]))) > 0.2 and on (instance) "
                        "c == 0 or up{job=\"x\"} == 0"),
            (std::set<std::string>{"a_total", "b_total", "c", "up"}));
  EXPECT_EQ(MetricNames("time() - process_start_time_seconds{x=\"1\"}"),
            std::set<std::string>{"process_start_time_seconds"});
  EXPECT_EQ(MetricNames("fixgw_x < 2 * 1024 * 1024"),
            std::set<std::string>{"fixgw_x"});
}

TEST(PromQlNames, MissingNamesAreReportedAndHistogramPartsAccepted) {
  const auto families = Families(
      "# TYPE fixgw_h histogram\n# TYPE fixgw_c counter\n# TYPE fixgw_g "
      "gauge\n");
  EXPECT_TRUE(Missing({"fixgw_h_bucket", "fixgw_h_sum", "fixgw_h_count",
                       "fixgw_c", "up"},
                      families)
                  .empty());
  EXPECT_EQ(
      Missing({"fixgw_g_bucket", "fixgw_gone", "fixgw_c_total"}, families),
      (std::set<std::string>{"fixgw_c_total", "fixgw_g_bucket", "fixgw_gone"}));
}

TEST(PromQlNames, RuleExpressionsAreReadFromOneLineAndBlockScalars) {
  EXPECT_EQ(RuleExprs("rules:\n  - alert: A\n    expr: a == 0\n    for: 1m\n"
                      "  - alert: B\n    expr: |\n      b\n        > 1\n"
                      "    labels: {}\n"),
            (std::vector<std::string>{"a == 0", " b > 1"}));
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(DashboardAndAlerts, EveryMetricTheyNameIsInFixgwsMetrics) {
  TempDir dir;
  Cluster cluster(ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir);
  std::string error;
  ASSERT_TRUE(cluster.StartSim(&error)) << error;
  ASSERT_TRUE(cluster.StartGateway(&error)) << error;
  const Cluster::HttpReply scrape = cluster.Admin("GET", "/metrics");
  ASSERT_EQ(scrape.status, 200) << scrape.body;
  const auto families = Families(scrape.body);
  ASSERT_GT(families.size(), 20u) << scrape.body;

  const std::string dashboard_text = ReadWhole(FIXGW_DASHBOARD);
  ASSERT_FALSE(dashboard_text.empty()) << FIXGW_DASHBOARD;
  const nlohmann::json dashboard = nlohmann::json::parse(
      dashboard_text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(dashboard.is_discarded()) << FIXGW_DASHBOARD << ": not JSON";
  std::vector<std::string> panel_exprs;
  DashboardExprs(dashboard, &panel_exprs);
  ASSERT_GE(panel_exprs.size(), 20u);
  std::set<std::string> dashboard_names;
  for (const std::string& e : panel_exprs) {
    const auto names = MetricNames(e);
    EXPECT_FALSE(names.empty()) << "no metric in dashboard query: " << e;
    dashboard_names.insert(names.begin(), names.end());
  }
  EXPECT_EQ(Join(Missing(dashboard_names, families)), "")
      << FIXGW_DASHBOARD << " names metrics fixgw does not export";

  const std::string rules = ReadWhole(FIXGW_ALERTS);
  const std::vector<std::string> rule_exprs = RuleExprs(rules);
  ASSERT_GE(rule_exprs.size(), 7u) << FIXGW_ALERTS;
  std::set<std::string> rule_names;
  for (const std::string& e : rule_exprs) {
    const auto names = MetricNames(e);
    EXPECT_FALSE(names.empty()) << "no metric in alert expression: " << e;
    rule_names.insert(names.begin(), names.end());
  }
  EXPECT_EQ(Join(Missing(rule_names, families)), "")
      << FIXGW_ALERTS << " names metrics fixgw does not export";
  // What the dashboard must show, by the list.
  for (const char* must :
       {"fixgw_orders_accepted_total", "fixgw_orders_rejected_total",
        "fixgw_order_path_seconds_bucket", "fixgw_session_logged_on",
        "fixgw_journal_commit_seconds_bucket", "process_resident_memory_bytes",
        "process_open_fds"}) {
    EXPECT_TRUE(dashboard_names.contains(must)) << "dashboard lacks " << must;
  }
}

// The value of `series` (exactly as exposed) in `text`, "" if absent.
std::string Sample(const std::string& text, const std::string& series) {
  const std::string key = "\n" + series + " ";
  const size_t at = ("\n" + text).find(key);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size() - 1;
  return text.substr(start, text.find('\n', start) - start);
}

std::string Order(const std::string& id, const std::string& account) {
  return "11=" + id + (account.empty() ? "" : "|1=" + account) +
         "|55=MSFT|54=1|60=" + FixNow() + "|38=10|40=2|44=100|59=0|";
}

class GatewayMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // ACC1 is configured; anything else a broker sends is not.
    cluster_.risk_limits += "[accounts.ACC1]\ncash = \"1000000\"\n";
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
    ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  }
  std::unique_ptr<Broker> LoggedOn(const std::string& sender) {
    auto b = std::make_unique<Broker>(cluster_.gateway_port(), sender);
    EXPECT_TRUE(b->Logon(1, /*reset=*/true));
    EXPECT_TRUE(b->WaitFor({"35=A"})) << b->Transcript();
    return b;
  }
  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
};

TEST_F(GatewayMetricsTest, PerAccountBuildProcessAndJournalMetrics) {
  auto b1 = LoggedOn("BROKER1");
  for (const auto& [id, account] :
       std::vector<std::pair<std::string, std::string>>{{"a1", "ACC1"},
                                                        {"a2", "ACC1"},
                                                        {"x1", "MADEUP1"},
                                                        {"x2", "MADEUP2"}}) {
    ASSERT_TRUE(b1->Next("D", Order(id, account)));
    ASSERT_TRUE(b1->WaitFor({"35=8", "11=" + id, "150=0"})) << b1->Transcript();
  }
  // Refused: ClOrdID a1 again is a duplicate (OrdRejReason 6).
  ASSERT_TRUE(b1->Next("D", Order("a1", "ACC1")));
  ASSERT_TRUE(b1->WaitFor({"35=8", "11=a1", "150=8"})) << b1->Transcript();
  const std::string s1 = "session=\"FIX.4.4:GW->BROKER1\"";
  std::string m;
  const std::string path_count =
      "fixgw_order_path_by_account_seconds_count{path=\"broker_to_exchange\"," +
      s1 + ",account=\"ACC1\"}";
  for (int i = 0; i < 100; ++i) {
    m = cluster_.Admin("GET", "/metrics").body;
    if (Sample(m, path_count) == "2") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Sample(m, path_count), "2") << m;
  EXPECT_EQ(Sample(m, "fixgw_build_info{version=\"" FIXGW_VERSION "\"}"), "1")
      << m;
  EXPECT_EQ(Sample(m, "fixgw_orders_accepted_total"), "4") << m;
  EXPECT_EQ(Sample(m, "fixgw_orders_accepted_by_account_total{" + s1 +
                          ",account=\"ACC1\"}"),
            "2")
      << m;
  EXPECT_EQ(Sample(m, "fixgw_orders_accepted_by_account_total{" + s1 +
                          ",account=\"other\"}"),
            "2")
      << m;
  // No per-account series of an account the configuration does not name.
  // (fixgw_risk_cash_* name every account with risk state: the risk
  // engine's, not these.)
  std::istringstream lines(m);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("fixgw_", 0) == 0 &&
        line.find("_by_account_") != std::string::npos) {
      EXPECT_EQ(line.find("MADEUP"), std::string::npos) << line;
    }
  }
  EXPECT_EQ(Sample(m, "fixgw_orders_rejected_by_account_total{" + s1 +
                          ",account=\"ACC1\",reason=\"duplicate_order\"}"),
            "1")
      << m;
  // The acks, relayed back to BROKER1 per account.
  EXPECT_EQ(Sample(m,
                   "fixgw_order_path_by_account_seconds_count{path=\""
                   "exchange_to_broker\"," +
                       s1 + ",account=\"ACC1\"}"),
            "2")
      << m;
  EXPECT_GT(std::stoll("0" + Sample(m, "fixgw_journal_size_bytes")), 0) << m;
  EXPECT_NE(Sample(m, "fixgw_journal_wal_size_bytes"), "") << m;
  EXPECT_NE(Sample(m, "fixgw_journal_disk_free_bytes"), "") << m;
  EXPECT_GT(std::stoll("0" + Sample(m, "process_open_fds")), 5) << m;
  EXPECT_GT(std::stoll("0" + Sample(m, "process_threads")), 1) << m;
  EXPECT_GT(std::stoll("0" + Sample(m, "process_resident_memory_bytes")),
            1'000'000)
      << m;
  const double started =
      std::stod("0" + Sample(m, "process_start_time_seconds"));
  EXPECT_GT(started, static_cast<double>(::time(nullptr)) - 120) << m;

  // An account added to the risk file and reloaded (SIGHUP) gets its own
  // series from then on.
  cluster_.risk_limits += "[accounts.ACC7]\ncash = \"1000000\"\n";
  std::string error;
  ASSERT_FALSE(cluster_.WriteGatewayFiles(&error).empty()) << error;
  cluster_.gateway().Signal(SIGHUP);
  ASSERT_TRUE(cluster_.WaitForGatewayLog("SIGHUP: risk file", 1,
                                         std::chrono::seconds(5)));
  ASSERT_TRUE(b1->Next("D", Order("n1", "ACC7")));
  ASSERT_TRUE(b1->WaitFor({"35=8", "11=n1", "150=0"})) << b1->Transcript();
  m = cluster_.Admin("GET", "/metrics").body;
  EXPECT_EQ(Sample(m, "fixgw_orders_accepted_by_account_total{" + s1 +
                          ",account=\"ACC7\"}"),
            "1")
      << m;
}

TEST_F(GatewayMetricsTest, HealthOptionsAddBrokerAndKillSwitchChecks) {
  // Exchange up, no broker logged on yet.
  EXPECT_EQ(cluster_.Admin("GET", "/health").status, 200);
  Cluster::HttpReply r = cluster_.Admin("GET", "/health?brokers=1");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body,
            "broker session FIX.4.4:GW->BROKER1 is logged out\n"
            "broker session FIX.4.4:GW->BROKER2 is logged out\n");
  auto b1 = LoggedOn("BROKER1");
  auto b2 = LoggedOn("BROKER2");
  EXPECT_EQ(cluster_.Admin("GET", "/health?brokers=1").status, 200);
  EXPECT_EQ(cluster_.Admin("GET", "/health?kill=1").status, 200);
  ASSERT_EQ(
      cluster_.Admin("POST", "/kill-switch?action=engage&scope=global").status,
      200);
  EXPECT_EQ(cluster_.Admin("GET", "/health").status, 200);
  r = cluster_.Admin("GET", "/health?kill=1&brokers=1");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "the global kill switch is engaged\n");
  r = cluster_.Admin("GET", "/health?kill=0");
  EXPECT_EQ(r.status, 200);
  r = cluster_.Admin("GET", "/health?brokers=yes");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("brokers must be 0 or 1"), std::string::npos) << r.body;
  r = cluster_.Admin("GET", "/health?verbose=1");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("unknown /health option"), std::string::npos) << r.body;
  // The options need no token either, like /health itself.
  r = cluster_.AdminRaw("GET", "/health?kill=1", {});
  EXPECT_EQ(r.status, 503) << r.body;
}

}  // namespace
}  // namespace fixgw::testing
