// OrderRouter::Options::venues: which venue an order goes to, that one
// venue's state never refuses another's orders, that a venue answers only
// for its own orders, the kill switch of scope venue, and that journals
// written before venues existed keep their meaning.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "gateway/router/order_router.h"

namespace fixgw::gw {
namespace {

const SessionKey kS1 = "FIX.4.4:GW->BROKER1";

Timestamp At(int64_t micros) {
  return Timestamp(std::chrono::microseconds(micros));
}

NewOrder Limit(const std::string& cl_ord_id, const std::string& symbol,
               FixFields extra = {}) {
  NewOrder o;
  o.cl_ord_id = cl_ord_id;
  o.account = "ACC1";
  o.symbol = symbol;
  o.side = Side::kBuy;
  o.ord_type = OrdType::kLimit;
  o.tif = TimeInForce::kDay;
  o.qty = Qty(100);
  o.price = *ParsePrice("10.5");
  o.transact_time = At(42);
  o.extra = std::move(extra);
  return o;
}

ExecutionReport Er(const std::string& exch_cl_ord_id,
                   const std::string& exec_id, ExecType type,
                   OrdStatus status) {
  ExecutionReport r;
  r.order_id = "EX-" + exch_cl_ord_id;
  r.cl_ord_id = exch_cl_ord_id;
  r.exec_id = exec_id;
  r.exec_type = type;
  r.ord_status = status;
  r.symbol = "AAA";
  r.side = Side::kBuy;
  r.order_qty = Qty(100);
  r.price = *ParsePrice("10.5");
  r.leaves_qty = type == ExecType::kCanceled ? Qty(0) : Qty(100);
  r.transact_time = At(77);
  return r;
}

CancelRequest Cancel(const std::string& cl_ord_id, const std::string& orig) {
  CancelRequest c;
  c.cl_ord_id = cl_ord_id;
  c.orig_cl_ord_id = orig;
  c.symbol = "AAA";
  c.side = Side::kBuy;
  return c;
}

// The venue of each action to an exchange; "B" for one to a broker.
std::vector<std::string> Targets(const std::vector<Action>& actions) {
  std::vector<std::string> out;
  for (const Action& a : actions) {
    const auto* x = std::get_if<ToExchange>(&a);
    out.push_back(x == nullptr ? "B" : x->venue);
  }
  return out;
}

std::string RejectText(const JournalEvent& event) {
  const auto* r = std::get_if<NewOrderRejected>(&event);
  return r == nullptr ? "(accepted)" : r->rejection.text;
}

class VenueRouterTest : public ::testing::Test {
 protected:
  static OrderRouter::Options TwoVenues() {
    OrderRouter::Options o;
    o.id_prefix = "GW";
    o.symbols = {"AAA", "BBB", "CCC"};
    o.venues = {{"XA", {"AAA"}}, {"XB", {"BBB"}}};
    return o;
  }
  std::vector<Action> Apply(const JournalEvent& event) {
    now_ += 1000;
    return router_.Apply(event, At(now_));
  }
  void BothUp() {
    Apply(ExchangeSessionChanged(true, true, "", "XA"));
    Apply(ExchangeSessionChanged(true, true, "", "XB"));
  }

  static risk::RiskLimits Limits() {
    Result<risk::RiskLimits> limits = risk::ParseRiskLimits(R"(
[defaults.account]
cash = "1000000"
max_long = 100000
[symbols.AAA]
reference_price = "10"
[symbols.BBB]
reference_price = "10"
[defaults.session]
allowed_accounts = ["*"]
)",
                                                            "test");
    EXPECT_TRUE(limits.ok()) << limits.status().message();
    return limits.ok() ? *limits : risk::RiskLimits{};
  }

  risk::RiskEngine risk_{Limits()};
  OrderRouter router_{TwoVenues(), nullptr};
  int64_t now_ = 1'795'726'214'000'000;
};

TEST_F(VenueRouterTest, RoutesByExDestinationThenBySymbol) {
  BothUp();
  // ExDestination wins over the symbol table.
  JournalEvent by_dest =
      router_.DecideNewOrder(kS1, Limit("C1", "AAA", {{100, "XB"}}));
  ASSERT_TRUE(std::holds_alternative<NewOrderAccepted>(by_dest));
  EXPECT_EQ(std::get<NewOrderAccepted>(by_dest).venue, "XB");
  EXPECT_EQ(Targets(Apply(by_dest)), std::vector<std::string>{"XB"});
  JournalEvent by_symbol = router_.DecideNewOrder(kS1, Limit("C2", "AAA"));
  ASSERT_TRUE(std::holds_alternative<NewOrderAccepted>(by_symbol));
  EXPECT_EQ(Targets(Apply(by_symbol)), std::vector<std::string>{"XA"});
  // The order's cancel follows it to its venue.
  EXPECT_EQ(Targets(Apply(router_.DecideCancel(kS1, Cancel("C3", "C1")))),
            std::vector<std::string>{"XB"});
  EXPECT_EQ(router_.FindOrder(kS1, "C2")->venue, "XA");
}

TEST_F(VenueRouterTest, RefusesAnUnknownDestinationAndASymbolWithoutVenue) {
  BothUp();
  JournalEvent unknown =
      router_.DecideNewOrder(kS1, Limit("C1", "AAA", {{100, "XNAS"}}));
  EXPECT_EQ(RejectText(unknown),
            "unknown venue 'XNAS' in ExDestination (100) (venues: XA, XB)");
  EXPECT_EQ(std::get<NewOrderRejected>(unknown).rejection.reason,
            OrdRejReason::kOther);
  // CCC is tradable but in no venue's table.
  EXPECT_EQ(RejectText(router_.DecideNewOrder(kS1, Limit("C2", "CCC"))),
            "no venue for symbol 'CCC': set ExDestination (100)");
  // A symbol outside Options::symbols is unknown, whatever the routing.
  EXPECT_EQ(RejectText(router_.DecideNewOrder(kS1, Limit("C4", "ZZZ"))),
            "unknown symbol 'ZZZ'");
  // ... which ExDestination settles.
  EXPECT_TRUE(std::holds_alternative<NewOrderAccepted>(
      router_.DecideNewOrder(kS1, Limit("C3", "CCC", {{100, "XA"}}))));
}

TEST_F(VenueRouterTest, ADownVenueRefusesOnlyItsOwnOrders) {
  BothUp();
  Apply(router_.DecideNewOrder(kS1, Limit("C1", "BBB")));
  Apply(ExchangeSessionChanged(false, true, "", "XB"));
  EXPECT_FALSE(router_.exchange_up());
  EXPECT_TRUE(router_.VenueUp("XA"));
  JournalEvent down = router_.DecideNewOrder(kS1, Limit("C2", "BBB"));
  EXPECT_EQ(RejectText(down), "venue XB is down: order not sent");
  EXPECT_EQ(std::get<NewOrderRejected>(down).rejection.reason,
            OrdRejReason::kExchangeClosed);
  EXPECT_TRUE(std::holds_alternative<NewOrderAccepted>(
      router_.DecideNewOrder(kS1, Limit("C3", "AAA"))));
  JournalEvent cancel = router_.DecideCancel(kS1, Cancel("C4", "C1"));
  ASSERT_TRUE(std::holds_alternative<CancelReplaceRejected>(cancel));
  EXPECT_EQ(std::get<CancelReplaceRejected>(cancel).reject.text,
            "venue XB is down: cancel not sent");
}

TEST_F(VenueRouterTest, AVenueAnswersOnlyForItsOwnOrders) {
  BothUp();
  Apply(router_.DecideNewOrder(kS1, Limit("C1", "AAA")));  // GW-1 on XA
  const ExecutionReport ack = Er("GW-1", "E1", ExecType::kNew, OrdStatus::kNew);
  EXPECT_EQ(router_.ClassifyReport(ack, "XB"),
            OrderRouter::ReportFate::kUnknownOrder);
  EXPECT_TRUE(Apply(ExchangeReportReceived{ack, "XB"}).empty());
  EXPECT_EQ(router_.FindOrder(kS1, "C1")->status, OrdStatus::kPendingNew);
  EXPECT_EQ(router_.ClassifyReport(ack, "XA"), OrderRouter::ReportFate::kApply);
  EXPECT_EQ(Targets(Apply(ExchangeReportReceived{ack, "XA"})),
            std::vector<std::string>{"B"});
  EXPECT_EQ(router_.FindOrder(kS1, "C1")->status, OrdStatus::kNew);
  // Another venue's refusal of the order is not obeyed either.
  EXPECT_TRUE(
      Apply(router_.DecideExchangeRefusal("GW-1", 'D', "no", "XB")).empty());
}

TEST_F(VenueRouterTest, KillSwitchOfAVenueCancelsAndBlocksOnlyThatVenue) {
  OrderRouter router(TwoVenues(), &risk_);
  auto apply = [&](const JournalEvent& e) {
    now_ += 1000;
    return router.Apply(e, At(now_));
  };
  apply(ExchangeSessionChanged(true, true, "", "XA"));
  apply(ExchangeSessionChanged(true, true, "", "XB"));
  apply(router.DecideNewOrder(kS1, Limit("C1", "AAA"), At(now_)));
  apply(router.DecideNewOrder(kS1, Limit("C2", "BBB"), At(now_)));
  const risk::KillScope xb{risk::KillScope::Kind::kVenue, "XB"};
  JournalEvent kill = router.DecideKillSwitch(xb, true, "test", "venue halt");
  ASSERT_EQ(std::get<KillSwitchChanged>(kill).cancels.size(), 1U);
  EXPECT_EQ(std::get<KillSwitchChanged>(kill).cancels[0].orig_exch_cl_ord_id,
            "GW-2");
  EXPECT_EQ(Targets(apply(kill)), std::vector<std::string>{"XB"});
  EXPECT_EQ(
      RejectText(router.DecideNewOrder(kS1, Limit("C3", "BBB"), At(now_))),
      "kill switch engaged for venue XB");
  EXPECT_TRUE(std::holds_alternative<NewOrderAccepted>(
      router.DecideNewOrder(kS1, Limit("C4", "AAA"), At(now_))));
  // The scope survives the journal's encoding.
  Result<JournalEvent> decoded = DecodeEvent(EncodeEvent(kill));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(std::get<KillSwitchChanged>(*decoded).scope, xb);
}

TEST_F(VenueRouterTest, ACancelOnDisconnectWaitsForADownVenue) {
  BothUp();
  Apply(router_.DecideNewOrder(kS1, Limit("C1", "AAA")));
  Apply(router_.DecideNewOrder(kS1, Limit("C2", "BBB")));
  Apply(ExchangeSessionChanged(false, true, "", "XB"));
  Result<JournalEvent> fired =
      router_.DecideCancelOnDisconnect(kS1, "disconnect", 0);
  ASSERT_TRUE(fired.ok());
  ASSERT_EQ(std::get<CancelOnDisconnectFired>(*fired).cancels.size(), 1U);
  EXPECT_EQ(Targets(Apply(*fired)), std::vector<std::string>{"XA"});
  EXPECT_EQ(router_.OpenOrdersOnUnusableVenues(kS1), 1U);
  // Nothing more to send while XB is down; the rest once it is back.
  EXPECT_FALSE(router_.DecideCancelOnDisconnect(kS1, "disconnect", 0).ok());
  Apply(ExchangeSessionChanged(true, true, "", "XB"));
  EXPECT_EQ(router_.OpenOrdersOnUnusableVenues(kS1), 0U);
  Result<JournalEvent> rest =
      router_.DecideCancelOnDisconnect(kS1, "disconnect", 0);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(Targets(Apply(*rest)), std::vector<std::string>{"XB"});
}

TEST_F(VenueRouterTest, AMassCancelSaysWhatItLeftOnADownVenue) {
  BothUp();
  Apply(router_.DecideNewOrder(kS1, Limit("C1", "AAA")));
  Apply(router_.DecideNewOrder(kS1, Limit("C2", "BBB")));
  Apply(ExchangeSessionChanged(false, true, "", "XB"));
  MassCancelRequest all;
  all.cl_ord_id = "M1";
  all.req_type = '7';
  JournalEvent mass = router_.DecideMassCancel(kS1, all);
  const auto& m = std::get<MassCancelRequested>(mass);
  EXPECT_FALSE(m.reject_reason);
  EXPECT_EQ(m.cancels.size(), 1U);
  EXPECT_EQ(m.text,
            "1 order(s) to cancel; 1 left open: venue(s) XB cannot take a "
            "cancel now");
}

TEST(VenueJournalTest, EventsWithoutAVenueBelongToTheFirstVenue) {
  // A journal written by a one-venue gateway, applied with two venues.
  OrderRouter::Options o;
  o.venues = {{"SIM", {"AAA"}}, {"XB", {"BBB"}}};
  OrderRouter router(o, nullptr);
  const Timestamp at = At(1);
  router.Apply(ExchangeSessionChanged(true), at);
  EXPECT_TRUE(router.VenueUp("SIM"));
  EXPECT_FALSE(router.VenueUp("XB"));
  Result<JournalEvent> old = DecodeEvent(
      EncodeEvent(NewOrderAccepted{kS1, Limit("C1", "AAA"), "GW-1"}));
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(std::get<NewOrderAccepted>(*old).venue, "");
  EXPECT_EQ(EncodeEvent(*old).find("venue"), std::string::npos);
  EXPECT_EQ(Targets(router.Apply(*old, at)), std::vector<std::string>{"SIM"});
  EXPECT_EQ(router.FindOrder(kS1, "C1")->venue, "SIM");
  // A report without a venue is the first venue's too.
  EXPECT_EQ(
      router.ClassifyReport(Er("GW-1", "E1", ExecType::kNew, OrdStatus::kNew)),
      OrderRouter::ReportFate::kApply);
}

TEST(VenueJournalTest, EveryVenueFieldSurvivesTheEncoding) {
  const std::vector<JournalEvent> events = {
      NewOrderAccepted{kS1, Limit("C1", "AAA"), "GW-1", "XB"},
      ExchangeReportReceived{Er("GW-1", "E1", ExecType::kNew, OrdStatus::kNew),
                             "XB"},
      ExchangeSessionChanged(true, false, "no heartbeat", "XB"),
      ExchangeRequestRefused{"GW-1", 'D', "no", "GW-X1", "XB"},
  };
  for (const JournalEvent& e : events) {
    const std::string json = EncodeEvent(e);
    EXPECT_NE(json.find("\"venue\":\"XB\""), std::string::npos) << json;
    Result<JournalEvent> back = DecodeEvent(json);
    ASSERT_TRUE(back.ok()) << json;
    EXPECT_EQ(EncodeEvent(*back), json);
  }
  CancelReject reject;
  reject.cl_ord_id = "GW-2";
  const std::string json =
      EncodeEvent(ExchangeCancelRejectReceived{reject, "XB"});
  Result<JournalEvent> back = DecodeEvent(json);
  ASSERT_TRUE(back.ok()) << json;
  EXPECT_EQ(std::get<ExchangeCancelRejectReceived>(*back).venue, "XB");
}

}  // namespace
}  // namespace fixgw::gw
