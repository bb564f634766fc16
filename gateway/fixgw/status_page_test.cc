#include "gateway/fixgw/status_page.h"

#include <gtest/gtest.h>

#include <regex>

#include "gateway/core/clock.h"
#include "gateway/fixgw/metrics.h"

namespace fixgw::gw {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + what.size())) {
    ++n;
  }
  return n;
}

SessionStatus Session(std::string id, bool exchange, bool logged_on) {
  SessionStatus s;
  s.id = std::move(id);
  s.exchange = exchange;
  s.logged_on = logged_on;
  return s;
}

LatencyChart Chart(std::vector<uint64_t> counts) {
  LatencyChart c;
  c.title = "broker to exchange";
  c.bounds_micros.assign(LatencyHistogram::kBoundsMicros.begin(),
                         LatencyHistogram::kBoundsMicros.end());
  c.counts = std::move(counts);
  return c;
}

TEST(StatusPageTest, EscapesWhatComesFromOutside) {
  EXPECT_EQ(EscapeHtml("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
  StatusView v;
  v.health = "ok";
  v.risk_checks = true;
  v.refusals.push_back(RefusalNote{Timestamp{}, "FIX.4.4:GW->B1",
                                   "<script>alert(1)</script>", "order",
                                   "buying power: need 1 & more"});
  const std::string html = RenderStatusPage(v);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"),
            std::string::npos);
  EXPECT_NE(html.find("need 1 &amp; more"), std::string::npos);
}

TEST(StatusPageTest, EscapesHostileSessionAccountAddressAndVersionStrings) {
  StatusView v;
  v.health = "ok";
  v.risk_checks = true;
  v.version = "1.0<script>v</script>";
  SessionStatus s = Session("FIX.4.4:GW-><img src=x onerror=1>", false, true);
  s.remote = "<b>10.0.0.1</b>:\"5001'";
  v.sessions.push_back(s);
  AccountStatus a;
  a.account = "<svg onload=alert(2)>";
  a.cash_limit = Notional::FromMicros(1'000'000);
  a.positions.push_back(
      PositionStatus{"<i>AAPL</i>&", Qty(1), Qty(0), Qty(0), Qty(10), Qty(0)});
  v.accounts.push_back(a);
  v.latency.push_back(Chart({1, 2, 3}));
  v.latency.back().title = "<a href=x>t</a>";
  v.latency.back().bounds_micros = {10, 25};
  const std::string html = RenderStatusPage(v);
  for (const char* raw : {"<script>", "<img", "<b>10.0.0.1", "<svg onload",
                          "<i>AAPL", "<a href"}) {
    EXPECT_EQ(html.find(raw), std::string::npos) << raw;
  }
  EXPECT_NE(html.find("1.0&lt;script&gt;v&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("FIX.4.4:GW-&gt;&lt;img src=x onerror=1&gt;"),
            std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;10.0.0.1&lt;/b&gt;:&quot;5001&#39;"),
            std::string::npos);
  // In the accounts table and in the positions table.
  EXPECT_EQ(Count(html, "<td>&lt;svg onload=alert(2)&gt;</td>"), 2u);
  EXPECT_NE(html.find("&lt;i&gt;AAPL&lt;/i&gt;&amp;"), std::string::npos);
  EXPECT_NE(html.find("&lt;a href=x&gt;t&lt;/a&gt;"), std::string::npos);
}

TEST(StatusPageTest, ShowsSessionsOrdersAndKillSwitches) {
  StatusView v;
  v.health = "exchange session is down";
  v.exchange_up = false;
  v.draining = true;
  SessionStatus b1 = Session("FIX.4.4:GW->BROKER1", false, true);
  b1.next_sender_seq = 12;
  b1.next_target_seq = 9;
  v.sessions.push_back(b1);
  v.sessions.push_back(Session("FIX.4.4:GW->SIM", true, false));
  v.open_orders = 7;
  v.risk_checks = true;
  v.kill.accounts = {"ACC1", "ACC2"};
  const std::string html = RenderStatusPage(v);
  EXPECT_NE(html.find("FIX.4.4:GW-&gt;BROKER1"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\" id=\"open-orders\">7</td>"),
            std::string::npos);
  EXPECT_NE(html.find("ACC1, ACC2"), std::string::npos);
  EXPECT_NE(html.find("shutting down"), std::string::npos);
  EXPECT_NE(html.find("exchange session is down"), std::string::npos);
  EXPECT_NE(html.find("none since start"), std::string::npos);
  // Still refreshes itself, without script.
  EXPECT_NE(html.find("<meta http-equiv=\"refresh\" content=\"5\">"),
            std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(StatusPageTest, ShowsEachSessionsRoleDropCopiesIncluded) {
  StatusView v;
  SessionStatus dc = Session("FIX.4.4:GW->BACKOFFICE", false, true);
  dc.drop_copy = true;
  v.sessions.push_back(Session("FIX.4.4:GW->BROKER1", false, true));
  v.sessions.push_back(dc);
  v.sessions.push_back(Session("FIX.4.4:GW->SIM", true, true));
  EXPECT_STREQ(SessionRole(v.sessions[0]), "broker");
  EXPECT_STREQ(SessionRole(v.sessions[1]), "dropcopy");
  EXPECT_STREQ(SessionRole(v.sessions[2]), "exchange");
  const std::string html = RenderStatusPage(v);
  EXPECT_EQ(Count(html, "<td>dropcopy</td>"), 1u) << html;
  EXPECT_EQ(Count(html, "<td>broker</td>"), 1u) << html;
}

TEST(StatusPageTest, ShowsVersionAndUptime) {
  StatusView v;
  v.health = "ok";
  v.version = "1.4.2";
  v.started = Timestamp{} + seconds(1'000'000);
  v.now = v.started + seconds(2 * 86'400 + 3 * 3600 + 4 * 60 + 5);
  const std::string html = RenderStatusPage(v);
  EXPECT_NE(html.find("<b id=\"version\">1.4.2</b>"), std::string::npos);
  EXPECT_NE(html.find("<b id=\"uptime\">2 d 03:04:05</b>"), std::string::npos);
  EXPECT_NE(html.find("since " + FormatIsoTimestamp(v.started)),
            std::string::npos);
}

TEST(StatusPageTest, FormatsUptimeRatesAndPercentagesWithIntegers) {
  EXPECT_EQ(FormatUptime(microseconds(0)), "00:00:00");
  EXPECT_EQ(FormatUptime(microseconds(-5)), "00:00:00");
  EXPECT_EQ(FormatUptime(seconds(59)), "00:00:59");
  EXPECT_EQ(FormatUptime(seconds(86'399)), "23:59:59");
  EXPECT_EQ(FormatUptime(seconds(86'400)), "1 d 00:00:00");

  EXPECT_EQ(FormatRate(0, seconds(10)), "0.00");
  EXPECT_EQ(FormatRate(5, microseconds(0)), "0.00");
  EXPECT_EQ(FormatRate(1, seconds(4)), "0.25");
  EXPECT_EQ(FormatRate(1, seconds(3)), "0.33");  // truncated
  EXPECT_EQ(FormatRate(600, seconds(60)), "10.00");
  EXPECT_EQ(FormatRate(1'000'000, microseconds(1)), "1000000000000.00");

  EXPECT_EQ(FormatPercent(0, 0), "-");
  EXPECT_EQ(FormatPercent(0, 10), "0.0 %");
  EXPECT_EQ(FormatPercent(1, 8), "12.5 %");
  EXPECT_EQ(FormatPercent(1, 3), "33.3 %");
  EXPECT_EQ(FormatPercent(10, 10), "100.0 %");
  EXPECT_EQ(FormatPercent(15, 10), "150.0 %");
  EXPECT_EQ(FormatPercent(UINT64_MAX, UINT64_MAX), "100.0 %");
  EXPECT_EQ(FormatPercent(UINT64_MAX / 2, UINT64_MAX), "49.9 %");
  EXPECT_EQ(FormatPercent(UINT64_MAX, 1), "1000000.0 %");
}

TEST(StatusPageTest, ShowsEachSessionsConnectionTimesAdmissionAndRates) {
  StatusView v;
  v.health = "ok";
  v.started = Timestamp{} + seconds(1'000);
  v.now = v.started + seconds(100);
  SessionStatus b1 = Session("FIX.4.4:GW->BROKER1", false, true);
  b1.remote = "127.0.0.1:50312";
  b1.heard_ago = microseconds(1'234'567);
  b1.last_logon = Timestamp{} + seconds(1'010);
  b1.orders_accepted = 50;
  b1.orders_rejected = 3;
  v.sessions.push_back(b1);
  SessionStatus b2 = Session("FIX.4.4:GW->BROKER2", false, false);
  b2.admission = Admission::kDisabled;
  b2.last_logon = Timestamp{} + seconds(1'020);
  b2.last_logout = Timestamp{} + seconds(1'030);
  v.sessions.push_back(b2);
  SessionStatus b3 = Session("FIX.4.4:GW->BROKER3", false, false);
  b3.admission = Admission::kLoggedOut;
  v.sessions.push_back(b3);
  v.sessions.push_back(Session("FIX.4.4:GW->SIM", true, true));
  const std::string html = RenderStatusPage(v);
  EXPECT_NE(html.find("<td class=\"remote\">127.0.0.1:50312</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">1.2 s</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"time\">" +
                      FormatIsoTimestamp(Timestamp{} + seconds(1'010)) +
                      "</td><td class=\"time\">never</td>"),
            std::string::npos);
  EXPECT_NE(html.find(FormatIsoTimestamp(Timestamp{} + seconds(1'030))),
            std::string::npos);
  // 50 orders and 3 rejects in 100 s.
  EXPECT_NE(html.find("<td class=\"num\">50</td><td class=\"num\">0.50</td>"
                      "<td class=\"num\">3</td><td class=\"num\">0.03</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>open</td>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"down\">disabled</span>"),
            std::string::npos);
  EXPECT_NE(html.find("logged out by the operator"), std::string::npos);
  // No connection: no address, no age.
  EXPECT_NE(html.find("<td class=\"remote\">-</td>"), std::string::npos);
  EXPECT_NE(html.find("since it started"), std::string::npos);
}

TEST(StatusPageTest, ShowsAccountsCashUseAndPositions) {
  StatusView v;
  v.health = "ok";
  v.risk_checks = true;
  AccountStatus a;
  a.account = "ACC1";
  a.cash_limit = Notional::FromMicros(10'000'000'000);   // 10000.00
  a.net_cash = Notional::FromMicros(-400'000'000);       // bought 400.00
  a.reserved = Notional::FromMicros(600'000'000);        // 600.00
  a.available = Notional::FromMicros(9'000'000'000);     // 9000.00
  a.open_orders = 1;
  a.max_open_orders = 100;
  a.positions.push_back(PositionStatus{"MSFT", Qty(4), Qty(6), Qty(0),
                                       Qty(100), Qty(0)});
  v.accounts.push_back(a);
  AccountStatus b;
  b.account = "ACC2";
  b.max_open_orders = 100;
  b.net_cash = Notional::FromMicros(400'000'000);
  b.available = Notional::FromMicros(400'000'000);
  b.positions.push_back(PositionStatus{"MSFT", Qty(-4), Qty(0), Qty(0),
                                       Qty(100), Qty(1'000)});
  v.accounts.push_back(b);
  const std::string html = RenderStatusPage(v);
  EXPECT_NE(html.find("<table id=\"accounts\">"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>ACC1</td><td class=\"num\">10000.00</td>"
                      "<td class=\"num\">-400.00</td>"
                      "<td class=\"num\">600.00</td>"
                      "<td class=\"num\">9000.00</td>"
                      "<td class=\"num\">10.0 %</td>"
                      "<td class=\"num\">1 of 100</td></tr>"),
            std::string::npos)
      << html;
  // No cash configured: no ratio.
  EXPECT_NE(html.find("<td class=\"num\">-</td><td class=\"num\">0 of 100"),
            std::string::npos);
  EXPECT_NE(html.find("<tr><td>ACC1</td><td>MSFT</td><td class=\"num\">4</td>"
                      "<td class=\"num\">6</td><td class=\"num\">0</td>"
                      "<td class=\"num\">100</td><td class=\"num\">0</td>"
                      "<td class=\"num\">4.0 %</td></tr>"),
            std::string::npos);
  // A short position is measured against max short.
  EXPECT_NE(html.find("<tr><td>ACC2</td><td>MSFT</td><td class=\"num\">-4</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">1000</td><td class=\"num\">0.4 %</td>"),
            std::string::npos);

  v.risk_checks = false;
  EXPECT_NE(RenderStatusPage(v).find("<p id=\"accounts\">risk checks are off"),
            std::string::npos);
}

TEST(StatusPageTest, LatencyChartOfAnEmptyHistogramSaysSo) {
  const std::string html = RenderLatencyChart(
      Chart(std::vector<uint64_t>(LatencyHistogram::kBoundsMicros.size() + 1)));
  EXPECT_NE(html.find("no observations yet"), std::string::npos);
  EXPECT_EQ(html.find("<svg"), std::string::npos);
  StatusView v;
  v.latency.push_back(Chart({}));
  EXPECT_NE(RenderStatusPage(v).find("no observations yet"), std::string::npos);
}

TEST(StatusPageTest, LatencyChartDrawsEveryBucketScaledToTheFullest) {
  // Every bucket holds something, the overflow bucket included; the
  // fullest (index 3) is drawn full height.
  std::vector<uint64_t> counts(LatencyHistogram::kBoundsMicros.size() + 1, 1);
  counts[3] = 1'000;
  counts[4] = 500;
  const std::string html = RenderLatencyChart(Chart(counts));
  EXPECT_NE(html.find("<svg class=\"chart\""), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("href"), std::string::npos);  // nothing external
  EXPECT_EQ(Count(html, "<rect "), counts.size());
  EXPECT_NE(html.find("<title>≤100µs: 1000</title>"), std::string::npos);
  EXPECT_NE(html.find("height=\"100\"/>"), std::string::npos);
  EXPECT_NE(html.find("height=\"50\"/>"), std::string::npos);
  // A bucket of 1 in 1000 is still visible.
  EXPECT_NE(html.find("height=\"1\"/>"), std::string::npos);
  EXPECT_NE(html.find("<title>≤10µs: 1</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>≤2.5ms: 1</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>≤1s: 1</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>&gt;10s: 1</title>"), std::string::npos);
}

TEST(StatusPageTest, HistogramCountsPerBucketWithTheOverflowLast) {
  LatencyHistogram h;
  EXPECT_EQ(h.Counts(), (std::array<uint64_t, 20>{}));
  h.Observe(std::chrono::microseconds(5));
  h.Observe(std::chrono::microseconds(10));
  h.Observe(std::chrono::microseconds(11));
  h.Observe(std::chrono::seconds(11));
  const auto c = h.Counts();
  EXPECT_EQ(c[0], 2u);
  EXPECT_EQ(c[1], 1u);
  EXPECT_EQ(c.back(), 1u);
}

}  // namespace
}  // namespace fixgw::gw
