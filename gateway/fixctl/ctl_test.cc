// fixctl's pure parts: where it connects, the token it sends, the bodies
// of its requests and the tables it prints.
#include "gateway/fixctl/ctl.h"

#include <gtest/gtest.h>

namespace fixgw::ctl {
namespace {

TEST(FixctlUrlTest, TakesLoopbackUrlsAndRefusesOtherHosts) {
  auto e = ParseUrl("http://127.0.0.1:8081", false);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 8081);
  e = ParseUrl("http://localhost:9/", false);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->port, 9);
  e = ParseUrl("http://127.0.0.1:65535", false);
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->port, 65535);

  auto remote = ParseUrl("http://10.0.0.5:8081", false);
  ASSERT_FALSE(remote.ok());
  EXPECT_NE(remote.status().message().find("127.0.0.1 only"),
            std::string::npos);
  // fixgw never listens on ::1.
  EXPECT_FALSE(ParseUrl("http://[::1]:8081", false).ok());
  EXPECT_TRUE(ParseUrl("http://10.0.0.5:8081", true).ok());

  for (const char* bad :
       {"https://127.0.0.1:8081", "127.0.0.1:8081", "http://127.0.0.1",
        "http://127.0.0.1:0", "http://127.0.0.1:65536", "http://127.0.0.1:80x",
        "http://127.0.0.1:8081/health", "http://:8081"}) {
    EXPECT_FALSE(ParseUrl(bad, false).ok()) << bad;
  }
}

TEST(FixctlTokenTest, ReadsTheFirstOrTheNamedTokenOfATokenFile) {
  const std::string file =
      "# operators\n\n"
      "alice  aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
      "bob\tbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n";
  auto first = TokenFromFile(file, "");
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(*first, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  auto bob = TokenFromFile(file, "bob");
  ASSERT_TRUE(bob.ok()) << bob.status().message();
  EXPECT_EQ(*bob, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");

  auto carol = TokenFromFile(file, "carol");
  ASSERT_FALSE(carol.ok());
  EXPECT_EQ(carol.status().message(), "no token named 'carol'");
  EXPECT_FALSE(TokenFromFile("# nothing\n", "").ok());
  // A malformed line is named, its content never quoted.
  auto bad = TokenFromFile("alice a secret\n", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 1"), std::string::npos);
  EXPECT_EQ(bad.status().message().find("secret"), std::string::npos);
  EXPECT_FALSE(TokenFromFile("lonely\n", "").ok());
}

TEST(FixctlRequestTest, PostBodiesAreJsonObjectsWithoutEmptyValues) {
  Request r = Post("/session", {{"session", "ALPHA"},
                                {"action", "set-seq"},
                                {"next_sender", "5"},
                                {"reason", ""}});
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/session");
  EXPECT_EQ(r.body,
            R"({"action":"set-seq","next_sender":"5","session":"ALPHA"})");
  EXPECT_EQ(Post("/risk/reload", {}).body, "{}");
  // Quotes and backslashes stay inside their string.
  EXPECT_EQ(Post("/x", {{"reason", "a \"b\" \\"}}).body,
            R"({"reason":"a \"b\" \\"})");
}

TEST(FixctlOutputTest, RefusalsShowTheMessageAndTheValidNames) {
  EXPECT_EQ(RefusalText({404, R"({"error":"unknown session 'X'",)"
                              R"("valid":["FIX.4.4:GW->A","A"]})"}),
            "HTTP 404: unknown session 'X'\nvalid names: FIX.4.4:GW->A, A");
  EXPECT_EQ(RefusalText({409, R"({"error":"logged on"})"}),
            "HTTP 409: logged on");
  EXPECT_EQ(RefusalText({401, "not json\n"}), "HTTP 401: not json");
}

TEST(FixctlOutputTest, TablesAlignColumnsAndKeepUnexpectedBodies) {
  EXPECT_EQ(Table({{"A", "BB"}, {"ccc", "d"}}), "A    BB\nccc  d\n");
  const std::string sessions =
      R"([{"session":"FIX.4.4:GW->B1","role":"broker","logged_on":true,)"
      R"("admission":"open","next_sender_seq":7,"next_target_seq":3,)"
      R"("messages_in":2,"messages_out":6}])";
  const std::string table = SessionsTable(sessions);
  EXPECT_NE(table.find("SESSION"), std::string::npos) << table;
  EXPECT_NE(table.find("FIX.4.4:GW->B1  broker  yes"), std::string::npos)
      << table;
  EXPECT_NE(table.find("  7  "), std::string::npos) << table;
  EXPECT_EQ(SessionsTable("oops"), "oops");
  // Values of unexpected types print as they are; nothing throws.
  EXPECT_NO_THROW(StatusText({200, "ok"}, R"([{"logged_on":"yes"},7])",
                             R"({"kill_switches":{"global":1,"accounts":3}})"));
  EXPECT_NO_THROW(StateText(R"({"open_orders":[1],"accounts":{"A":5},)"
                            R"("kill_switches":[]})"));
  EXPECT_EQ(OrdersTable(R"({"open_orders":[]})"), "no open orders\n");
  const std::string state =
      R"({"open_orders":[{"session":"S","cl_ord_id":"c1",)"
      R"("exch_cl_ord_id":"GW-1","account":"ACC1","symbol":"AAPL",)"
      R"("side":"Buy","order_qty":10,"price":"100","cum_qty":0,)"
      R"("leaves_qty":10,"status":"New"}],"accounts":{"ACC1":{"cash":"5",)"
      R"("available":"4","reserved":"1","open_orders":1,"positions":)"
      R"({"AAPL":{"position":3,"open_buy":10,"open_sell":0}}}},)"
      R"("kill_switches":{"global":false,"accounts":["ACC2"],"sessions":[]}})";
  const std::string orders = OrdersTable(state);
  EXPECT_NE(orders.find("GW-1"), std::string::npos) << orders;
  EXPECT_NE(orders.find("c1"), std::string::npos) << orders;
  const std::string text = StateText(state);
  EXPECT_NE(text.find("AAPL 3"), std::string::npos) << text;
  EXPECT_NE(text.find("Kill switches engaged: account ACC2"), std::string::npos)
      << text;
  EXPECT_EQ(FieldsText(R"({"engaged":true,"cancels_sent":2})"),
            "engaged:       yes\ncancels_sent:  2\n");
}

TEST(FixctlOutputTest, StatusSummarisesHealthSessionsAndOrders) {
  const std::string sessions =
      R"([{"session":"FIX.4.4:GW->SIM","role":"exchange","logged_on":true},)"
      R"({"session":"FIX.4.4:GW->B1","role":"broker","logged_on":true},)"
      R"({"session":"FIX.4.4:GW->B2","role":"broker","logged_on":false}])";
  const std::string state =
      R"({"open_orders":[{},{}],"kill_switches":{"global":true,)"
      R"("accounts":[],"sessions":["S"]}})";
  const std::string ok = StatusText({200, "ok\n"}, sessions, state);
  EXPECT_EQ(ok,
            "health: ok\nexchange: FIX.4.4:GW->SIM logged on\n"
            "brokers: 1 of 2 logged on\nopen orders: 2\n"
            "kill switches engaged: 2 (GLOBAL)\n");
  const std::string bad =
      StatusText({503, "exchange session is down\ngateway is shutting down\n"},
                 "[]", "{}");
  EXPECT_NE(bad.find("health: NOT OK (HTTP 503)\n  - exchange session is "
                     "down\n  - gateway is shutting down\n"),
            std::string::npos)
      << bad;
}

}  // namespace
}  // namespace fixgw::ctl
