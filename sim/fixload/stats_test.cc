// Unit tests of fixload's latency statistics and report formatting.
#include "sim/fixload/stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

namespace fixgw::load {
namespace {

std::vector<int64_t> OneToN(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 1);
  return v;
}

TEST(PercentileOfSorted, UsesNearestRank) {
  std::vector<int64_t> v = OneToN(1000);
  EXPECT_EQ(PercentileOfSorted(v, 500), 500);
  EXPECT_EQ(PercentileOfSorted(v, 900), 900);
  EXPECT_EQ(PercentileOfSorted(v, 990), 990);
  EXPECT_EQ(PercentileOfSorted(v, 999), 999);
  EXPECT_EQ(PercentileOfSorted(v, 1000), 1000);
  EXPECT_EQ(PercentileOfSorted(v, 1), 1);
}

TEST(PercentileOfSorted, RoundsRankUp) {
  std::vector<int64_t> v = OneToN(10);
  EXPECT_EQ(PercentileOfSorted(v, 500), 5);   // rank 5
  EXPECT_EQ(PercentileOfSorted(v, 990), 10);  // rank ceil(9.9) = 10
  EXPECT_EQ(PercentileOfSorted(v, 999), 10);
  EXPECT_EQ(PercentileOfSorted(v, 1), 1);  // rank ceil(0.01) = 1
}

TEST(PercentileOfSorted, SingleSampleIsEveryPercentile) {
  std::vector<int64_t> v = {42};
  EXPECT_EQ(PercentileOfSorted(v, 1), 42);
  EXPECT_EQ(PercentileOfSorted(v, 999), 42);
}

TEST(Summarize, EmptyHasNoSummary) { EXPECT_FALSE(Summarize({}).has_value()); }

TEST(Summarize, SortsAndSummarizesUnorderedSamples) {
  std::vector<int64_t> v = OneToN(2000);
  std::reverse(v.begin(), v.end());
  std::optional<LatencySummary> s = Summarize(v);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->count, 2000u);
  EXPECT_EQ(s->p50_ns, 1000);
  EXPECT_EQ(s->p90_ns, 1800);
  EXPECT_EQ(s->p99_ns, 1980);
  EXPECT_EQ(s->p999_ns, 1998);
  EXPECT_EQ(s->max_ns, 2000);
}

TEST(Summarize, OutlierShowsOnlyInTail) {
  std::vector<int64_t> v(999, 10'000);
  v.push_back(5'000'000);
  std::optional<LatencySummary> s = Summarize(v);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->p999_ns, 10'000);
  EXPECT_EQ(s->max_ns, 5'000'000);
}

LoadReport SampleReport() {
  LoadReport r;
  r.open_loop = true;
  r.requested = 1000;
  r.rate = 5000;
  r.sent = 1000;
  r.acked = 990;
  r.rejected = 8;
  r.missing = 2;
  r.elapsed_s = 0.5;
  r.latency = Summarize({1000, 2000, 3000, 4000});
  return r;
}

TEST(LoadReport, ThroughputCountsReportedOrders) {
  EXPECT_DOUBLE_EQ(SampleReport().throughput_ops(), 1996.0);
  EXPECT_DOUBLE_EQ(LoadReport{}.throughput_ops(), 0.0);
}

TEST(FormatJson, WritesOneLineWithAllKeys) {
  EXPECT_EQ(FormatJson(SampleReport()),
            "{\"mode\":\"open-loop\",\"orders\":1000,\"rate\":5000,"
            "\"in_flight\":null,\"acked\":990,\"rejected\":8,\"missing\":2,"
            "\"elapsed_s\":0.500000,\"throughput_ops\":1996.0,"
            "\"p50_us\":2.0,\"p90_us\":4.0,\"p99_us\":4.0,\"p999_us\":4.0,"
            "\"max_us\":4.0}");
}

TEST(FormatJson, ClosedLoopWithoutSamples) {
  LoadReport r;
  r.in_flight = 8;
  std::string json = FormatJson(r);
  EXPECT_NE(json.find("\"mode\":\"closed-loop\""), std::string::npos);
  EXPECT_NE(json.find("\"rate\":null,\"in_flight\":8"), std::string::npos);
  EXPECT_NE(json.find("\"p50_us\":null"), std::string::npos);
  EXPECT_EQ(json.find('\n'), std::string::npos);
}

TEST(FormatHuman, MentionsCountsAndPercentiles) {
  std::string text = FormatHuman(SampleReport());
  EXPECT_NE(text.find("990 acked, 8 rejected, 2 missing"), std::string::npos);
  EXPECT_NE(text.find("p50 2.0"), std::string::npos);
  EXPECT_NE(text.find("p99.9 4.0"), std::string::npos);
}

}  // namespace
}  // namespace fixgw::load
