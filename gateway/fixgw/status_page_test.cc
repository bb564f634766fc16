#include "gateway/fixgw/status_page.h"

#include <gtest/gtest.h>

namespace fixgw::gw {
namespace {

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

TEST(StatusPageTest, ShowsSessionsOrdersAndKillSwitches) {
  StatusView v;
  v.health = "exchange session is down";
  v.exchange_up = false;
  v.draining = true;
  v.sessions.push_back(SessionStatus{"FIX.4.4:GW->BROKER1", false, true, 12,
                                     9, 8, 11});
  v.sessions.push_back(
      SessionStatus{"FIX.4.4:GW->SIM", true, false, 3, 4, 2, 2});
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
}

}  // namespace
}  // namespace fixgw::gw
