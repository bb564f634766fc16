#include "gateway/fixgw/metrics.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace fixgw::gw
