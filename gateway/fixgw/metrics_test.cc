#include "gateway/fixgw/metrics.h"

#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

namespace fixgw::gw {
namespace {

using std::chrono::microseconds;

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(MetricsTest, FormatMicrosIsExactDecimal) {
  EXPECT_EQ(FormatMicros(0), "0");
  EXPECT_EQ(FormatMicros(10), "0.00001");
  EXPECT_EQ(FormatMicros(1'500), "0.0015");
  EXPECT_EQ(FormatMicros(2'500'000), "2.5");
  EXPECT_EQ(FormatMicros(-2), "-0.000002");
  EXPECT_EQ(FormatMicros(INT64_MIN), "-9223372036854.775808");
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  EXPECT_EQ(EscapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  PromWriter w;
  w.Sample("m", {{"k", "x\"y"}}, int64_t{3});
  EXPECT_EQ(w.text(), "m{k=\"x\\\"y\"} 3\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  LatencyHistogram h;
  h.Observe(microseconds(5));        // <= 10 us
  h.Observe(microseconds(10));       // <= 10 us (bounds are inclusive)
  h.Observe(microseconds(11));       // <= 25 us
  h.Observe(microseconds(700));      // <= 1 ms
  h.Observe(std::chrono::seconds(60));  // only +Inf
  PromWriter w;
  h.Write(w, "lat_seconds", {{"path", "p"}});
  const std::string& t = w.text();
  EXPECT_TRUE(Has(t, "lat_seconds_bucket{path=\"p\",le=\"0.00001\"} 2")) << t;
  EXPECT_TRUE(Has(t, "lat_seconds_bucket{path=\"p\",le=\"0.000025\"} 3")) << t;
  EXPECT_TRUE(Has(t, "lat_seconds_bucket{path=\"p\",le=\"0.0005\"} 3")) << t;
  EXPECT_TRUE(Has(t, "lat_seconds_bucket{path=\"p\",le=\"0.001\"} 4")) << t;
  EXPECT_TRUE(Has(t, "lat_seconds_bucket{path=\"p\",le=\"10\"} 4")) << t;
  EXPECT_TRUE(Has(t, "lat_seconds_bucket{path=\"p\",le=\"+Inf\"} 5")) << t;
  EXPECT_TRUE(Has(t, "lat_seconds_count{path=\"p\"} 5")) << t;
  EXPECT_TRUE(Has(t, "lat_seconds_sum{path=\"p\"} 60.000726")) << t;
}

TEST(MetricsTest, RefusalReasonsAreAFixedSet) {
  auto label = [](OrdRejReason r, std::string text) {
    return RejectReasonLabel(Rejection{r, std::move(text)});
  };
  EXPECT_EQ(label(OrdRejReason::kOrderExceedsLimit,
                  "buying power: need 10100.00, available 10000.00"),
            "buying_power");
  EXPECT_EQ(label(OrdRejReason::kBrokerOption,
                  "kill switch engaged for account ACC1"),
            "kill_switch");
  EXPECT_EQ(label(OrdRejReason::kOrderExceedsLimit,
                  "price 200.00 outside collar 135.00-165.00 of reference "
                  "150.00"),
            "collar");
  EXPECT_EQ(label(OrdRejReason::kUnsupportedOrderCharacteristic,
                  "price must be positive"),
            "unsupported_order_characteristic");
  EXPECT_EQ(label(OrdRejReason::kOrderExceedsLimit,
                  "short selling not allowed for account ACC1"),
            "short_sale");
  EXPECT_EQ(label(OrdRejReason::kDuplicateOrder, "duplicate ClOrdID x"),
            "duplicate_order");
  EXPECT_EQ(label(OrdRejReason::kExchangeClosed,
                  "gateway is shutting down: no new orders or replaces"),
            "shutting_down");
  EXPECT_EQ(label(OrdRejReason::kExchangeClosed,
                  "exchange is not answering: order not sent"),
            "exchange_not_answering");
  EXPECT_EQ(label(OrdRejReason::kExchangeClosed,
                  "exchange session is down: order not sent"),
            "exchange_closed");
  EXPECT_EQ(label(OrdRejReason::kOther, "<anything a broker sent>"), "other");
  CancelReject cr;
  cr.reason = CxlRejReason::kUnknownOrder;
  cr.text = "unknown order";
  EXPECT_EQ(CancelRejectReasonLabel(cr), "unknown_order");
  cr.reason = CxlRejReason::kBrokerOption;
  cr.text = "throttle: session S exceeds 50 orders per second (burst 20)";
  EXPECT_EQ(CancelRejectReasonLabel(cr), "throttle");
}

TEST(MetricsTest, CountsAndTotalsPerSession) {
  GatewayMetrics m;
  m.CountMessage("FIX.4.4:GW->B1", GatewayMetrics::Direction::kIn, "D");
  m.CountMessage("FIX.4.4:GW->B1", GatewayMetrics::Direction::kIn, "D");
  m.CountMessage("FIX.4.4:GW->B1", GatewayMetrics::Direction::kOut, "8");
  m.CountMessage("FIX.4.4:GW->B2", GatewayMetrics::Direction::kIn, "A");
  m.CountOrderAccepted();
  m.CountOrderRejected("buying_power");
  m.CountOrderRejected("buying_power");
  m.CountFill();
  m.ObservePath(GatewayMetrics::Path::kBrokerToExchange, microseconds(30));
  m.ObserveCommit(microseconds(100), 3);
  m.CountExchangeTestRequest();
  m.CountExchangeTestRequest();
  EXPECT_EQ(m.SessionTotals("FIX.4.4:GW->B1"), (std::pair<uint64_t, uint64_t>(2, 1)));
  EXPECT_EQ(m.SessionTotals("FIX.4.4:GW->B2"), (std::pair<uint64_t, uint64_t>(1, 0)));
  EXPECT_EQ(m.SessionTotals("FIX.4.4:GW->B"), (std::pair<uint64_t, uint64_t>(0, 0)));
  PromWriter w;
  m.Write(w);
  const std::string& t = w.text();
  EXPECT_TRUE(Has(t, "fixgw_messages_total{session=\"FIX.4.4:GW->B1\","
                     "direction=\"in\",msg_type=\"D\"} 2"))
      << t;
  EXPECT_TRUE(Has(t, "fixgw_orders_accepted_total 1")) << t;
  EXPECT_TRUE(Has(t, "fixgw_orders_rejected_total{reason=\"buying_power\"} 2"))
      << t;
  EXPECT_TRUE(Has(t, "fixgw_fills_total 1")) << t;
  EXPECT_TRUE(Has(t, "fixgw_order_path_seconds_count{path=\"broker_to_exchange\"} 1"))
      << t;
  EXPECT_TRUE(Has(t, "fixgw_order_path_seconds_count{path=\"exchange_to_broker\"} 0"))
      << t;
  EXPECT_TRUE(Has(t, "fixgw_journal_commit_seconds_count 1")) << t;
  EXPECT_TRUE(Has(t, "fixgw_journal_entries_total 3")) << t;
  EXPECT_TRUE(Has(t, "# TYPE fixgw_exchange_test_requests_total counter"))
      << t;
  EXPECT_TRUE(Has(t, "fixgw_exchange_test_requests_total 2")) << t;
  // Every family is announced once, before its samples.
  EXPECT_EQ(t.find("# TYPE fixgw_messages_total counter"),
            t.rfind("# TYPE fixgw_messages_total counter"));
}

TEST(MetricsTest, LogonStateFollowsTheCallbacks) {
  GatewayMetrics m;
  EXPECT_FALSE(m.logged_on("S"));  // never seen
  m.SetLoggedOn("S", true);
  EXPECT_TRUE(m.logged_on("S"));
  m.SetLoggedOn("S", false);
  EXPECT_FALSE(m.logged_on("S"));
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  GatewayMetrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 10'000; ++i) {
        m.CountMessage("S", GatewayMetrics::Direction::kOut, "8");
        m.ObservePath(GatewayMetrics::Path::kExchangeToBroker,
                      microseconds(i % 100));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.SessionTotals("S").second, 40'000u);
  EXPECT_EQ(m.path_count(GatewayMetrics::Path::kExchangeToBroker), 40'000u);
}

// The value of `series` (exactly as written) in `text`, "" if absent.
std::string Value(const std::string& text, const std::string& series) {
  const std::string key = "\n" + series + " ";
  const size_t at = ("\n" + text).find(key);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size() - 1;
  return text.substr(start, text.find('\n', start) - start);
}

TEST(MetricsTest, PerAccountSeriesTakeLabelValuesFromTheConfigurationOnly) {
  GatewayMetrics m;
  const std::string b1 = "FIX.4.4:GW->BROKER1";
  m.SetLabelValues({b1, "FIX.4.4:GW->BROKER2"}, {"ACC1", "ACC2", ""});
  m.CountOrderAccepted(m.Key(b1, "ACC1"));
  m.CountOrderAccepted(m.Key(b1, "ACC1"));
  m.CountOrderRejected("throttle", m.Key(b1, "ACC2"));
  // A broker inventing accounts, and a session nobody configured, add no
  // series: they count under "other" (no account: "none").
  for (int i = 0; i < 50; ++i) {
    m.CountOrderAccepted(m.Key(b1, "INVENTED" + std::to_string(i)));
    m.CountOrderRejected("entitlement",
                         m.Key("FIX.4.4:GW->X" + std::to_string(i), ""));
  }
  m.ObservePath(GatewayMetrics::Path::kBrokerToExchange, microseconds(300),
                m.Key(b1, "ACC1"));
  m.ObservePath(GatewayMetrics::Path::kExchangeToBroker, microseconds(30),
                m.Key(b1, "NOPE"));
  PromWriter w;
  m.Write(w);
  const std::string& t = w.text();
  // The totals stay as they were.
  EXPECT_EQ(Value(t, "fixgw_orders_accepted_total"), "52") << t;
  EXPECT_EQ(Value(t, "fixgw_orders_rejected_total{reason=\"entitlement\"}"),
            "50");
  EXPECT_EQ(Value(t, "fixgw_order_path_seconds_count{path=\"broker_to_exchange\"}"),
            "1");
  const std::string acc = "fixgw_orders_accepted_by_account_total{session=\"" +
                          b1 + "\",account=\"";
  EXPECT_EQ(Value(t, acc + "ACC1\"}"), "2") << t;
  EXPECT_EQ(Value(t, acc + "other\"}"), "50") << t;
  EXPECT_EQ(Value(t, "fixgw_orders_rejected_by_account_total{session=\"" + b1 +
                         "\",account=\"ACC2\",reason=\"throttle\"}"),
            "1")
      << t;
  EXPECT_EQ(Value(t, "fixgw_orders_rejected_by_account_total{session=\"other\","
                     "account=\"none\",reason=\"entitlement\"}"),
            "50")
      << t;
  EXPECT_EQ(t.find("INVENTED"), std::string::npos);
  EXPECT_EQ(t.find("GW->X"), std::string::npos);
  EXPECT_EQ(Value(t, "fixgw_order_path_by_account_seconds_count{path=\""
                     "broker_to_exchange\",session=\"" + b1 +
                         "\",account=\"ACC1\"}"),
            "1")
      << t;
  EXPECT_EQ(Value(t, "fixgw_order_path_by_account_seconds_bucket{path=\""
                     "broker_to_exchange\",session=\"" + b1 +
                         "\",account=\"ACC1\",le=\"0.00025\"}"),
            "0")
      << t;
  EXPECT_EQ(Value(t, "fixgw_order_path_by_account_seconds_bucket{path=\""
                     "broker_to_exchange\",session=\"" + b1 +
                         "\",account=\"ACC1\",le=\"0.0005\"}"),
            "1")
      << t;
  EXPECT_EQ(Value(t, "fixgw_order_path_by_account_seconds_count{path=\""
                     "exchange_to_broker\",session=\"" + b1 +
                         "\",account=\"other\"}"),
            "1")
      << t;
  // A reloaded risk file adds ACC3; ACC1 keeps its series.
  m.AddAccounts({"ACC1", "ACC3"});
  m.CountOrderAccepted(m.Key(b1, "ACC3"));
  m.CountOrderAccepted(m.Key(b1, "ACC1"));
  PromWriter after;
  m.Write(after);
  EXPECT_EQ(Value(after.text(), acc + "ACC3\"}"), "1") << after.text();
  EXPECT_EQ(Value(after.text(), acc + "ACC1\"}"), "3") << after.text();
  // Families are declared even before anything is counted.
  PromWriter empty;
  GatewayMetrics().Write(empty);
  for (const char* family :
       {"# TYPE fixgw_orders_accepted_by_account_total counter",
        "# TYPE fixgw_orders_rejected_by_account_total counter",
        "# TYPE fixgw_order_path_by_account_seconds histogram"}) {
    EXPECT_NE(empty.text().find(family), std::string::npos) << family;
  }
}

TEST(MetricsTest, ProcessMetricsComeFromProcSelf) {
  PromWriter w;
  WriteProcessMetrics(w);
  const std::string& t = w.text();
  const auto number = [&t](const char* name) {
    const std::string v = Value(t, name);
    return v.empty() ? -1.0 : std::stod(v);
  };
  const double now = static_cast<double>(::time(nullptr));
  const double start = number("process_start_time_seconds");
  EXPECT_GT(start, now - 3600) << t;  // this test started within the hour
  EXPECT_LE(start, now + 1) << t;
  EXPECT_GE(number("process_open_fds"), 3) << t;  // stdin, stdout, stderr
  EXPECT_GE(number("process_max_fds"), number("process_open_fds")) << t;
  EXPECT_GT(number("process_resident_memory_bytes"), 1'000'000) << t;
  EXPECT_GE(number("process_virtual_memory_bytes"),
            number("process_resident_memory_bytes"))
      << t;
  EXPECT_GE(number("process_cpu_seconds_total"), 0) << t;
  // A sanitizer's runtime starts a thread of its own at the first
  // pthread_create (TSan's background thread): have it started before
  // counting, so that the count below sees only the test's thread.
  std::thread([] {}).join();
  PromWriter w1;
  WriteProcessMetrics(w1);
  const double threads = std::stod(Value(w1.text(), "process_threads"));
  std::thread other([] { std::this_thread::sleep_for(microseconds(200'000)); });
  PromWriter w2;
  WriteProcessMetrics(w2);
  other.join();
  EXPECT_EQ(std::stod(Value(w2.text(), "process_threads")), threads + 1)
      << w2.text();
}

TEST(MetricsTest, JournalFilesAreMeasured) {
  char dir[] = "/tmp/fixgw-metrics-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string journal = std::string(dir) + "/journal.db";
  PromWriter none;
  WriteJournalFiles(none, journal);  // not there yet
  EXPECT_EQ(Value(none.text(), "fixgw_journal_size_bytes"), "0");
  EXPECT_EQ(Value(none.text(), "fixgw_journal_wal_size_bytes"), "0");
  { std::ofstream(journal) << std::string(4096, 'j'); }
  { std::ofstream(journal + "-wal") << std::string(100, 'w'); }
  PromWriter w;
  WriteJournalFiles(w, journal);
  EXPECT_EQ(Value(w.text(), "fixgw_journal_size_bytes"), "4096") << w.text();
  EXPECT_EQ(Value(w.text(), "fixgw_journal_wal_size_bytes"), "100");
  EXPECT_GT(std::stod(Value(w.text(), "fixgw_journal_disk_free_bytes")), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fixgw::gw
