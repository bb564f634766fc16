#include "gateway/router/order_router.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fixgw::gw {
namespace {

const SessionKey kS1 = "FIX.4.4:GW->BROKER1";
const SessionKey kS2 = "FIX.4.4:GW->BROKER2";

Price Px(const char* text) { return *ParsePrice(text); }
Timestamp At(int64_t micros) {
  return Timestamp(std::chrono::microseconds(micros));
}

// A risk engine that refuses orders and replaces above `max_qty` units and
// lets everything else through: ample cash and positions, a 100% collar
// around 10 for AAA and BBB, every account entitled.
std::unique_ptr<risk::RiskEngine> MaxQtyRisk(int64_t max_qty) {
  const std::string text = R"(
[defaults.account]
cash = "1000000000"
max_order_notional = "1000000000000"
max_open_orders = 1000000
max_long = 1000000000
max_short = 1000000000
short_selling = true
max_short_qty = 1000000000
max_order_qty = )" + std::to_string(max_qty) + R"(
[defaults.symbol]
collar_bps = 10000
[defaults.session]
allowed_accounts = ["*"]
[symbols.AAA]
reference_price = "10"
[symbols.BBB]
reference_price = "10"
)";
  Result<risk::RiskLimits> limits = risk::ParseRiskLimits(text, "test.toml");
  EXPECT_TRUE(limits.ok()) << limits.status().message();
  return std::make_unique<risk::RiskEngine>(*limits);
}

NewOrder Limit(const std::string& cl_ord_id, int64_t qty = 100,
               const char* price = "10.5", const std::string& symbol = "AAA") {
  NewOrder o;
  o.cl_ord_id = cl_ord_id;
  o.account = "ACC1";
  o.symbol = symbol;
  o.side = Side::kBuy;
  o.ord_type = OrdType::kLimit;
  o.tif = TimeInForce::kDay;
  o.qty = Qty(qty);
  o.price = Px(price);
  o.transact_time = At(42);
  return o;
}

CancelRequest Cancel(const std::string& cl_ord_id, const std::string& orig) {
  CancelRequest c;
  c.cl_ord_id = cl_ord_id;
  c.orig_cl_ord_id = orig;
  c.symbol = "AAA";
  c.side = Side::kBuy;
  c.transact_time = At(43);
  return c;
}

ReplaceRequest Replace(const std::string& cl_ord_id, const std::string& orig,
                       int64_t qty, const char* price = "10.5") {
  ReplaceRequest r;
  r.cl_ord_id = cl_ord_id;
  r.orig_cl_ord_id = orig;
  r.account = "ACC1";
  r.symbol = "AAA";
  r.side = Side::kBuy;
  r.ord_type = OrdType::kLimit;
  r.tif = TimeInForce::kDay;
  r.qty = Qty(qty);
  r.price = Px(price);
  r.transact_time = At(44);
  return r;
}

StatusRequest StatusReq(const std::string& cl_ord_id,
                        const std::string& order_id = "",
                        const std::string& symbol = "",
                        Side side = Side::kBuy) {
  StatusRequest r;
  r.cl_ord_id = cl_ord_id;
  r.order_id = order_id;
  r.symbol = symbol;
  r.side = side;
  return r;
}

// An exchange ExecutionReport for an order of AAA, Buy, Limit 10.5.
ExecutionReport Er(const std::string& cl_ord_id, const std::string& exec_id,
                   ExecType exec_type, OrdStatus ord_status, int64_t order_qty,
                   int64_t cum, int64_t leaves,
                   const std::string& orig_cl_ord_id = "") {
  ExecutionReport r;
  r.order_id = "EX-O1";
  r.cl_ord_id = cl_ord_id;
  r.orig_cl_ord_id = orig_cl_ord_id;
  r.exec_id = exec_id;
  r.exec_type = exec_type;
  r.ord_status = ord_status;
  r.account = "";  // the exchange does not know the broker's account
  r.symbol = "AAA";
  r.side = Side::kBuy;
  r.ord_type = OrdType::kLimit;
  r.tif = TimeInForce::kDay;
  r.order_qty = Qty(order_qty);
  r.price = Px("10.5");
  r.cum_qty = Qty(cum);
  r.leaves_qty = Qty(leaves);
  r.avg_px = cum > 0 ? Px("10.5") : Price();
  r.transact_time = At(77);
  return r;
}

ExecutionReport Fill(const std::string& cl_ord_id, const std::string& exec_id,
                     int64_t order_qty, int64_t last, int64_t cum) {
  ExecutionReport r =
      Er(cl_ord_id, exec_id, ExecType::kTrade,
         cum == order_qty ? OrdStatus::kFilled : OrdStatus::kPartiallyFilled,
         order_qty, cum, order_qty - cum);
  r.last_qty = Qty(last);
  r.last_px = Px("10.5");
  return r;
}

// ---- action accessors -------------------------------------------------------

template <typename M>
M ToExchangeOnly(const std::vector<Action>& actions) {
  EXPECT_EQ(actions.size(), 1u);
  if (actions.size() != 1 || !std::holds_alternative<ToExchange>(actions[0])) {
    ADD_FAILURE() << "expected one ToExchange";
    return M{};
  }
  const auto& msg = std::get<ToExchange>(actions[0]).message;
  if (!std::holds_alternative<M>(msg)) {
    ADD_FAILURE() << "unexpected exchange message type";
    return M{};
  }
  return std::get<M>(msg);
}

template <typename M>
M ToBrokerOnly(const std::vector<Action>& actions,
               const SessionKey& session = kS1) {
  EXPECT_EQ(actions.size(), 1u);
  if (actions.size() != 1 || !std::holds_alternative<ToBroker>(actions[0])) {
    ADD_FAILURE() << "expected one ToBroker";
    return M{};
  }
  const ToBroker& to = std::get<ToBroker>(actions[0]);
  EXPECT_EQ(to.session, session);
  if (!std::holds_alternative<M>(to.message)) {
    ADD_FAILURE() << "unexpected broker message type";
    return M{};
  }
  return std::get<M>(to.message);
}

// Whole-value descriptions, to compare actions and snapshots in full.
std::string Describe(const OrderSnapshot& s) {
  std::ostringstream out;
  out << s.session << '|' << s.cl_ord_id << '|' << s.exch_cl_ord_id << '|'
      << s.order_id << '|' << s.account << '|' << s.symbol << '|'
      << ToFix(s.side) << ToFix(s.ord_type) << ToFix(s.tif) << '|'
      << s.order_qty.units() << '|' << (s.price ? FormatPrice(*s.price) : "-")
      << '|' << ToFix(s.status) << '|' << s.cum_qty.units() << '|'
      << s.leaves_qty.units() << '|' << FormatPrice(s.avg_px) << '|'
      << s.cancel_pending << s.replace_pending;
  return out.str();
}

std::string Describe(const Action& action) {
  if (const auto* to = std::get_if<ToBroker>(&action)) {
    if (const auto* er = std::get_if<ExecutionReport>(&to->message)) {
      return to->session + " " + EncodeEvent(ExchangeReportReceived{*er});
    }
    if (const auto* r = std::get_if<MassCancelReport>(&to->message)) {
      std::string out = to->session + " r " + r->cl_ord_id + " " +
                        r->order_id + " " + r->req_type + r->response + " " +
                        std::to_string(r->reject_reason.value_or(-1)) + " " +
                        r->text;
      for (const auto& a : r->affected) {
        out += " [" + a.orig_cl_ord_id + " " + a.order_id + "]";
      }
      return out;
    }
    return to->session + " " +
           EncodeEvent(ExchangeCancelRejectReceived{
               std::get<CancelReject>(to->message)});
  }
  const auto& msg = std::get<ToExchange>(action).message;
  if (const auto* o = std::get_if<NewOrder>(&msg)) {
    return "X " + EncodeEvent(NewOrderAccepted{"", *o, ""});
  }
  CancelReplaceForwarded f;
  if (const auto* c = std::get_if<CancelRequest>(&msg)) {
    f.cancel = *c;
  } else {
    f.is_replace = true;
    f.replace = std::get<ReplaceRequest>(msg);
  }
  return "X " + EncodeEvent(f);
}

std::string Describe(const std::vector<Action>& actions) {
  std::string out;
  for (const Action& a : actions) out += Describe(a) + "\n";
  return out;
}

class OrderRouterTest : public ::testing::Test {
 protected:
  static OrderRouter::Options Options() {
    OrderRouter::Options o;
    o.id_prefix = "GW";
    o.symbols = {"AAA", "BBB"};
    return o;
  }

  std::vector<Action> Apply(const JournalEvent& event) {
    now_ += 1000;
    last_at_ = At(now_);
    return router_.Apply(event, last_at_);
  }
  void SetExchange(bool up) {
    EXPECT_TRUE(Apply(ExchangeSessionChanged{up}).empty());
  }

  // Decide then apply, as the adapter does.
  std::vector<Action> New(const SessionKey& session, const NewOrder& order) {
    return Apply(router_.DecideNewOrder(session, order));
  }
  std::vector<Action> CancelOrder(const SessionKey& session,
                                  const CancelRequest& request) {
    return Apply(router_.DecideCancel(session, request));
  }
  std::vector<Action> ReplaceOrder(const SessionKey& session,
                                   const ReplaceRequest& request) {
    return Apply(router_.DecideReplace(session, request));
  }
  std::vector<Action> FromExchange(const ExecutionReport& report) {
    return Apply(ExchangeReportReceived{report});
  }

  // The rejection decided for a new order (fails if it was accepted).
  NewOrderRejected RejectedNew(const SessionKey& session,
                               const NewOrder& order) {
    JournalEvent e = router_.DecideNewOrder(session, order);
    EXPECT_TRUE(std::holds_alternative<NewOrderRejected>(e)) << EncodeEvent(e);
    if (!std::holds_alternative<NewOrderRejected>(e)) return {};
    return std::get<NewOrderRejected>(e);
  }
  CancelReject RejectedCancel(const SessionKey& session,
                              const CancelRequest& request) {
    JournalEvent e = router_.DecideCancel(session, request);
    EXPECT_TRUE(std::holds_alternative<CancelReplaceRejected>(e))
        << EncodeEvent(e);
    if (!std::holds_alternative<CancelReplaceRejected>(e)) return {};
    EXPECT_EQ(std::get<CancelReplaceRejected>(e).session, session);
    return std::get<CancelReplaceRejected>(e).reject;
  }
  CancelReject RejectedReplace(const SessionKey& session,
                               const ReplaceRequest& request) {
    JournalEvent e = router_.DecideReplace(session, request);
    EXPECT_TRUE(std::holds_alternative<CancelReplaceRejected>(e))
        << EncodeEvent(e);
    if (!std::holds_alternative<CancelReplaceRejected>(e)) return {};
    return std::get<CancelReplaceRejected>(e).reject;
  }

  // An order accepted, sent and acknowledged by the exchange as EX-O1.
  void LiveOrder(const SessionKey& session, const std::string& cl_ord_id,
                 const std::string& expected_exch_id, int64_t qty = 100) {
    auto sent = ToExchangeOnly<NewOrder>(New(session, Limit(cl_ord_id, qty)));
    ASSERT_EQ(sent.cl_ord_id, expected_exch_id);
    FromExchange(Er(expected_exch_id, "E-ack-" + expected_exch_id,
                    ExecType::kNew, OrdStatus::kNew, qty, 0, qty));
  }

  std::unique_ptr<risk::RiskEngine> risk_ = MaxQtyRisk(1000);
  OrderRouter router_{Options(), risk_.get()};
  int64_t now_ = 1'795'726'214'000'000;
  Timestamp last_at_;
};

// ---- new orders: every reject path -----------------------------------------

TEST_F(OrderRouterTest, ExchangeIsDownUntilItsSessionLogsOn) {
  EXPECT_FALSE(router_.exchange_up());
  SetExchange(true);
  EXPECT_TRUE(router_.exchange_up());
  SetExchange(false);
  EXPECT_FALSE(router_.exchange_up());
}

TEST_F(OrderRouterTest, RejectsNewOrderWhileExchangeIsDown) {
  NewOrderRejected r = RejectedNew(kS1, Limit("o1"));
  EXPECT_EQ(r.rejection.reason, OrdRejReason::kExchangeClosed);
  EXPECT_EQ(r.rejection.text, "exchange session is down: order not sent");
  EXPECT_EQ(r.exec_id, "GW-X1");

  auto er = ToBrokerOnly<ExecutionReport>(Apply(r));
  EXPECT_EQ(er.order_id, "NONE");
  EXPECT_EQ(er.cl_ord_id, "o1");
  EXPECT_EQ(er.exec_id, "GW-X1");
  EXPECT_EQ(er.exec_type, ExecType::kRejected);
  EXPECT_EQ(er.ord_status, OrdStatus::kRejected);
  EXPECT_EQ(er.ord_rej_reason, OrdRejReason::kExchangeClosed);
  EXPECT_EQ(er.text, "exchange session is down: order not sent");
  EXPECT_EQ(er.account, "ACC1");
  EXPECT_EQ(er.symbol, "AAA");
  EXPECT_EQ(er.side, Side::kBuy);
  EXPECT_EQ(er.order_qty, Qty(100));
  EXPECT_EQ(er.price, Px("10.5"));
  EXPECT_EQ(er.cum_qty, Qty(0));
  EXPECT_EQ(er.leaves_qty, Qty(0));
  EXPECT_EQ(er.transact_time, last_at_);
  EXPECT_TRUE(router_.Orders().empty());
}

TEST_F(OrderRouterTest, AcceptsNewOrdersOnceTheExchangeIsBackUp) {
  Apply(RejectedNew(kS1, Limit("o1")));
  SetExchange(true);
  EXPECT_TRUE(std::holds_alternative<NewOrderAccepted>(
      router_.DecideNewOrder(kS1, Limit("o2"))));
  SetExchange(false);
  EXPECT_EQ(RejectedNew(kS1, Limit("o3")).rejection.reason,
            OrdRejReason::kExchangeClosed);
}

// ---- an exchange that is logged on but does not answer ----------------------

TEST_F(OrderRouterTest, ForwardsOrdersToAnUnresponsiveExchangeByDefault) {
  SetExchange(true);
  Apply(ExchangeSessionChanged{true, false, "silent for 5 s"});
  EXPECT_TRUE(router_.exchange_up());
  EXPECT_FALSE(router_.exchange_responsive());
  EXPECT_TRUE(std::holds_alternative<NewOrderAccepted>(
      router_.DecideNewOrder(kS1, Limit("o1"))));
}

TEST_F(OrderRouterTest, RefusesOrdersCancelsAndReplacesWhileUnresponsiveIfAsked) {
  OrderRouter::Options options = Options();
  options.refuse_when_exchange_unresponsive = true;
  OrderRouter router(options, risk_.get());
  router.Apply(ExchangeSessionChanged{true}, At(1));
  ToExchangeOnly<NewOrder>(router.Apply(router.DecideNewOrder(kS1, Limit("o1")),
                                        At(2)));
  router.Apply(ExchangeReportReceived{Er("GW-1", "E1", ExecType::kNew,
                                         OrdStatus::kNew, 100, 0, 100)},
               At(3));
  router.Apply(ExchangeSessionChanged{true, false, "silent"}, At(4));

  JournalEvent order = router.DecideNewOrder(kS1, Limit("o2"));
  ASSERT_TRUE(std::holds_alternative<NewOrderRejected>(order));
  const Rejection& why = std::get<NewOrderRejected>(order).rejection;
  EXPECT_EQ(why.reason, OrdRejReason::kExchangeClosed);
  EXPECT_EQ(why.text, "exchange is not answering: order not sent");
  auto er = ToBrokerOnly<ExecutionReport>(router.Apply(order, At(5)));
  EXPECT_EQ(er.ord_status, OrdStatus::kRejected);
  EXPECT_EQ(er.text, "exchange is not answering: order not sent");

  JournalEvent cancel = router.DecideCancel(kS1, Cancel("c1", "o1"));
  ASSERT_TRUE(std::holds_alternative<CancelReplaceRejected>(cancel));
  EXPECT_EQ(std::get<CancelReplaceRejected>(cancel).reject.reason,
            CxlRejReason::kBrokerOption);
  EXPECT_EQ(std::get<CancelReplaceRejected>(cancel).reject.text,
            "exchange is not answering: cancel not sent");
  JournalEvent replace = router.DecideReplace(kS1, Replace("r1", "o1", 50));
  ASSERT_TRUE(std::holds_alternative<CancelReplaceRejected>(replace));
  EXPECT_EQ(std::get<CancelReplaceRejected>(replace).reject.text,
            "exchange is not answering: replace not sent");

  // Down says down, whatever the probe said last.
  router.Apply(ExchangeSessionChanged{false}, At(6));
  EXPECT_EQ(std::get<NewOrderRejected>(router.DecideNewOrder(kS1, Limit("o3")))
                .rejection.text,
            "exchange session is down: order not sent");
  // Answering again: accepted.
  router.Apply(ExchangeSessionChanged{true, true, "answering again"}, At(7));
  EXPECT_TRUE(router.exchange_responsive());
  EXPECT_TRUE(std::holds_alternative<NewOrderAccepted>(
      router.DecideNewOrder(kS1, Limit("o4"))));
}

TEST_F(OrderRouterTest, OldestAwaitingFollowsRequestsAndAnswers) {
  SetExchange(true);
  EXPECT_FALSE(router_.OldestAwaiting().has_value());
  New(kS1, Limit("o1"));
  const Timestamp t1 = last_at_;
  New(kS2, Limit("o2"));
  const Timestamp t2 = last_at_;
  auto oldest = router_.OldestAwaiting();
  ASSERT_TRUE(oldest.has_value());
  EXPECT_EQ(oldest->session, kS1);
  EXPECT_EQ(oldest->cl_ord_id, "o1");
  EXPECT_EQ(oldest->exch_cl_ord_id, "GW-1");
  EXPECT_EQ(oldest->since, t1);

  // o1 acknowledged: o2 is the oldest.
  FromExchange(Er("GW-1", "E1", ExecType::kNew, OrdStatus::kNew, 100, 0, 100));
  oldest = router_.OldestAwaiting();
  ASSERT_TRUE(oldest.has_value());
  EXPECT_EQ(oldest->cl_ord_id, "o2");
  EXPECT_EQ(oldest->since, t2);

  // A cancel of o1 waits from when it was sent; a cancel of the
  // unacknowledged o2 does not restart o2's clock.
  CancelOrder(kS1, Cancel("c1", "o1"));
  const Timestamp t3 = last_at_;
  CancelOrder(kS2, Cancel("c2", "o2"));
  EXPECT_EQ(router_.OldestAwaiting()->since, t2);
  FromExchange(Er("GW-2", "E2", ExecType::kNew, OrdStatus::kNew, 100, 0, 100));
  // o2 still waits for its cancel (since t2); o1's cancel since t3.
  EXPECT_EQ(router_.OldestAwaiting()->since, t2);
  FromExchange(Er("GW-4", "E3", ExecType::kCanceled, OrdStatus::kCanceled, 100,
                  0, 0, "GW-2"));
  oldest = router_.OldestAwaiting();
  ASSERT_TRUE(oldest.has_value());
  EXPECT_EQ(oldest->session, kS1);
  EXPECT_EQ(oldest->cl_ord_id, "c1");  // the request that waits
  EXPECT_EQ(oldest->exch_cl_ord_id, "GW-3");
  EXPECT_EQ(oldest->since, t3);
  // A fill while the cancel is pending leaves it waiting.
  ExecutionReport fill = Fill("GW-1", "E4", 100, 10, 10);
  FromExchange(fill);
  EXPECT_EQ(router_.OldestAwaiting()->since, t3);
  EXPECT_EQ(router_.CountOrders().awaiting_exchange, 1u);
  // The exchange refuses the cancel: nothing waits.
  CancelReject refused;
  refused.cl_ord_id = "GW-3";
  refused.orig_cl_ord_id = "GW-1";
  refused.ord_status = OrdStatus::kPartiallyFilled;
  refused.response_to = CxlRejResponseTo::kCancel;
  refused.reason = CxlRejReason::kOther;
  Apply(ExchangeCancelRejectReceived{refused});
  EXPECT_FALSE(router_.OldestAwaiting().has_value());
  EXPECT_EQ(router_.CountOrders().awaiting_exchange, 0u);

  // A replace waits; so does a kill-switch cancel.
  ReplaceOrder(kS1, Replace("r1", "o1", 200));
  const Timestamp t4 = last_at_;
  EXPECT_EQ(router_.OldestAwaiting()->cl_ord_id, "r1");
  EXPECT_EQ(router_.OldestAwaiting()->since, t4);
  ExecutionReport replaced = Er("GW-5", "E5", ExecType::kReplaced,
                                OrdStatus::kPartiallyFilled, 200, 10, 190,
                                "GW-1");
  FromExchange(replaced);
  EXPECT_FALSE(router_.OldestAwaiting().has_value());
  Apply(router_.DecideKillSwitch(risk::KillScope{}, true, "test", "halt"));
  const Timestamp t5 = last_at_;
  oldest = router_.OldestAwaiting();
  ASSERT_TRUE(oldest.has_value());
  EXPECT_EQ(oldest->cl_ord_id, "r1");
  EXPECT_EQ(oldest->since, t5);
}

TEST_F(OrderRouterTest, OldestAwaitingForgetsEvictedOrders) {
  OrderRouter::Options options = Options();
  options.finished_orders_kept = 0;
  OrderRouter router(options, risk_.get());
  router.Apply(ExchangeSessionChanged{true}, At(1));
  router.Apply(router.DecideNewOrder(kS1, Limit("o1")), At(2));
  router.Apply(router.DecideNewOrder(kS1, Limit("o2")), At(3));
  // o1 rejected by the exchange: finished and evicted at once.
  router.Apply(ExchangeReportReceived{Er("GW-1", "E1", ExecType::kRejected,
                                         OrdStatus::kRejected, 100, 0, 0)},
               At(4));
  ASSERT_EQ(router.Orders().size(), 1u);
  auto oldest = router.OldestAwaiting();
  ASSERT_TRUE(oldest.has_value());
  EXPECT_EQ(oldest->cl_ord_id, "o2");
  EXPECT_EQ(oldest->since, At(3));
}

TEST_F(OrderRouterTest, RejectsDuplicateClOrdIdOfTheSession) {
  SetExchange(true);
  New(kS1, Limit("o1"));
  NewOrderRejected r = RejectedNew(kS1, Limit("o1"));
  EXPECT_EQ(r.rejection.reason, OrdRejReason::kDuplicateOrder);
  EXPECT_EQ(r.rejection.text, "duplicate ClOrdID 'o1' on this session");
  // The rejection leaves the original order alone.
  ToBrokerOnly<ExecutionReport>(Apply(r));
  ASSERT_EQ(router_.Orders().size(), 1u);
  EXPECT_EQ(router_.Orders()[0].status, OrdStatus::kPendingNew);
}

TEST_F(OrderRouterTest, ReportsDuplicateAsDuplicateEvenWhileExchangeIsDown) {
  SetExchange(true);
  New(kS1, Limit("o1"));
  SetExchange(false);
  EXPECT_EQ(RejectedNew(kS1, Limit("o1")).rejection.reason,
            OrdRejReason::kDuplicateOrder);
}

TEST_F(OrderRouterTest, RejectsEmptyClOrdId) {
  SetExchange(true);
  NewOrderRejected r = RejectedNew(kS1, Limit(""));
  EXPECT_EQ(r.rejection.reason, OrdRejReason::kOther);
  EXPECT_EQ(r.rejection.text, "ClOrdID is empty: order not sent");
}

TEST_F(OrderRouterTest, RejectsUnknownSymbol) {
  SetExchange(true);
  NewOrderRejected r = RejectedNew(kS1, Limit("o1", 100, "10.5", "XYZ"));
  EXPECT_EQ(r.rejection.reason, OrdRejReason::kUnknownSymbol);
  EXPECT_EQ(r.rejection.text, "unknown symbol 'XYZ'");
}

TEST_F(OrderRouterTest, EmptySymbolSetAcceptsAnySymbol) {
  OrderRouter open({"GW", {}}, nullptr);
  open.Apply(ExchangeSessionChanged{true}, At(1));
  EXPECT_TRUE(std::holds_alternative<NewOrderAccepted>(
      open.DecideNewOrder(kS1, Limit("o1", 100, "10.5", "XYZ"))));
}

TEST_F(OrderRouterTest, RejectsQuantityThatIsNotPositive) {
  SetExchange(true);
  NewOrderRejected r = RejectedNew(kS1, Limit("o1", 0));
  EXPECT_EQ(r.rejection.reason, OrdRejReason::kIncorrectQuantity);
  EXPECT_EQ(r.rejection.text, "order quantity must be > 0 (got 0)");
  r = RejectedNew(kS1, Limit("o1", -5));
  EXPECT_EQ(r.rejection.text, "order quantity must be > 0 (got -5)");
}

TEST_F(OrderRouterTest, RejectsLimitOrderWithoutPrice) {
  SetExchange(true);
  NewOrder o = Limit("o1");
  o.price.reset();
  NewOrderRejected r = RejectedNew(kS1, o);
  EXPECT_EQ(r.rejection.reason, OrdRejReason::kUnsupportedOrderCharacteristic);
  EXPECT_EQ(r.rejection.text, "limit order needs a price");
}

TEST_F(OrderRouterTest, RejectsLimitPriceThatIsNotPositive) {
  SetExchange(true);
  NewOrderRejected r = RejectedNew(kS1, Limit("o1", 100, "0"));
  EXPECT_EQ(r.rejection.reason, OrdRejReason::kOther);
  EXPECT_EQ(r.rejection.text, "limit price must be > 0 (got 0)");
  r = RejectedNew(kS1, Limit("o1", 100, "-0.25"));
  EXPECT_EQ(r.rejection.text, "limit price must be > 0 (got -0.25)");
}

TEST_F(OrderRouterTest, RejectsMarketOrderWithPriceAndAcceptsOneWithout) {
  SetExchange(true);
  NewOrder o = Limit("o1");
  o.ord_type = OrdType::kMarket;
  NewOrderRejected r = RejectedNew(kS1, o);
  EXPECT_EQ(r.rejection.reason, OrdRejReason::kUnsupportedOrderCharacteristic);
  EXPECT_EQ(r.rejection.text, "market order must not carry a price (got 10.5)");
  o.price.reset();
  EXPECT_TRUE(
      std::holds_alternative<NewOrderAccepted>(router_.DecideNewOrder(kS1, o)));
}

TEST_F(OrderRouterTest, RejectsWhatTheRiskEngineRefuses) {
  auto risk = MaxQtyRisk(100);
  OrderRouter router(Options(), risk.get());
  router.Apply(ExchangeSessionChanged{true}, At(1));
  JournalEvent e = router.DecideNewOrder(kS1, Limit("o1", 101));
  ASSERT_TRUE(std::holds_alternative<NewOrderRejected>(e));
  EXPECT_EQ(std::get<NewOrderRejected>(e).rejection.reason,
            OrdRejReason::kOrderExceedsLimit);
  EXPECT_EQ(std::get<NewOrderRejected>(e).rejection.text,
            "order quantity 101 exceeds max 100");
  EXPECT_TRUE(std::holds_alternative<NewOrderAccepted>(
      router.DecideNewOrder(kS1, Limit("o1", 100))));
}

TEST_F(OrderRouterTest, ChecksRunInTheDocumentedOrder) {
  // Duplicate beats exchange down beats symbol beats qty beats price.
  NewOrder bad = Limit("o1", 0, "0", "XYZ");
  EXPECT_EQ(RejectedNew(kS1, bad).rejection.reason,
            OrdRejReason::kExchangeClosed);
  SetExchange(true);
  EXPECT_EQ(RejectedNew(kS1, bad).rejection.reason,
            OrdRejReason::kUnknownSymbol);
  bad.symbol = "AAA";
  EXPECT_EQ(RejectedNew(kS1, bad).rejection.reason,
            OrdRejReason::kIncorrectQuantity);
  bad.qty = Qty(5000);
  EXPECT_EQ(RejectedNew(kS1, bad).rejection.reason, OrdRejReason::kOther);
  bad.price = Px("1");
  EXPECT_EQ(RejectedNew(kS1, bad).rejection.reason,
            OrdRejReason::kOrderExceedsLimit);
  New(kS1, Limit("o1"));
  EXPECT_EQ(RejectedNew(kS1, bad).rejection.reason,
            OrdRejReason::kDuplicateOrder);
}

TEST_F(OrderRouterTest, RejectedOrdersClOrdIdCountsAsUsed) {
  Apply(RejectedNew(kS1, Limit("o1")));  // exchange down
  EXPECT_TRUE(router_.KnowsClOrdId(kS1, "o1"));
  EXPECT_FALSE(router_.KnowsClOrdId(kS2, "o1"));
  SetExchange(true);
  EXPECT_EQ(RejectedNew(kS1, Limit("o1")).rejection.reason,
            OrdRejReason::kDuplicateOrder);
  EXPECT_FALSE(router_.FindOrder(kS1, "o1").has_value());
}

TEST_F(OrderRouterTest, DuplicateRejectionDoesNotClaimTheClOrdId) {
  Apply(router_.DecideUndecodableOrder(
      kS1, Limit("o9"), Rejection{OrdRejReason::kDuplicateOrder, "dup"}));
  EXPECT_FALSE(router_.KnowsClOrdId(kS1, "o9"));
}

TEST_F(OrderRouterTest, RejectsUndecodableOrderWithDecodersReason) {
  SetExchange(true);
  NewOrder partial;
  partial.cl_ord_id = "o1";
  partial.symbol = "AAA";
  JournalEvent e = router_.DecideUndecodableOrder(
      kS1, partial,
      Rejection{OrdRejReason::kUnsupportedOrderCharacteristic,
                "unsupported OrdType 'P'"});
  ASSERT_TRUE(std::holds_alternative<NewOrderRejected>(e));
  auto er = ToBrokerOnly<ExecutionReport>(Apply(e));
  EXPECT_EQ(er.ord_rej_reason, OrdRejReason::kUnsupportedOrderCharacteristic);
  EXPECT_EQ(er.text, "unsupported OrdType 'P'");
  EXPECT_EQ(er.exec_id, "GW-X1");
  EXPECT_TRUE(router_.KnowsClOrdId(kS1, "o1"));
}

TEST_F(OrderRouterTest, DecisionsDoNotChangeStateUntilApplied) {
  SetExchange(true);
  JournalEvent a = router_.DecideNewOrder(kS1, Limit("o1"));
  JournalEvent b = router_.DecideNewOrder(kS1, Limit("o1"));
  EXPECT_EQ(EncodeEvent(a), EncodeEvent(b));
  EXPECT_FALSE(router_.KnowsClOrdId(kS1, "o1"));
  EXPECT_TRUE(router_.Orders().empty());
}

// ---- accepted orders
// ----------------------------------------------------------

TEST_F(OrderRouterTest, SendsAcceptedOrderUnderGatewayClOrdIdOnly) {
  SetExchange(true);
  JournalEvent e = router_.DecideNewOrder(kS1, Limit("o1"));
  ASSERT_TRUE(std::holds_alternative<NewOrderAccepted>(e));
  EXPECT_EQ(std::get<NewOrderAccepted>(e).exch_cl_ord_id, "GW-1");

  auto sent = ToExchangeOnly<NewOrder>(Apply(e));
  EXPECT_EQ(sent.cl_ord_id, "GW-1");
  EXPECT_EQ(sent.account, "ACC1");
  EXPECT_EQ(sent.symbol, "AAA");
  EXPECT_EQ(sent.side, Side::kBuy);
  EXPECT_EQ(sent.ord_type, OrdType::kLimit);
  EXPECT_EQ(sent.tif, TimeInForce::kDay);
  EXPECT_EQ(sent.qty, Qty(100));
  EXPECT_EQ(sent.price, Px("10.5"));
  // The broker's TransactTime travels with the order.
  EXPECT_EQ(sent.transact_time, At(42));

  auto order = router_.FindOrder(kS1, "o1");
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(order->status, OrdStatus::kPendingNew);
  EXPECT_EQ(order->exch_cl_ord_id, "GW-1");
  EXPECT_EQ(order->order_id, "");
  EXPECT_EQ(order->leaves_qty, Qty(100));
  EXPECT_EQ(order->cum_qty, Qty(0));
  EXPECT_TRUE(router_.KnowsClOrdId(kS1, "o1"));
}

TEST_F(OrderRouterTest, CountsEveryExchangeClOrdIdAndGatewayExecId) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  auto cancel =
      ToExchangeOnly<CancelRequest>(CancelOrder(kS1, Cancel("c1", "o1")));
  EXPECT_EQ(cancel.cl_ord_id, "GW-2");
  LiveOrder(kS1, "o2", "GW-3");
  auto replace = ToExchangeOnly<ReplaceRequest>(
      ReplaceOrder(kS1, Replace("r1", "o2", 50)));
  EXPECT_EQ(replace.cl_ord_id, "GW-4");

  EXPECT_EQ(RejectedNew(kS1, Limit("o1")).exec_id, "GW-X1");
  Apply(RejectedNew(kS1, Limit("o1")));
  JournalEvent status = router_.DecideStatus(kS1, StatusReq("o2"));
  EXPECT_EQ(std::get<StatusAnswered>(status).exec_id, "GW-X2");
  Apply(status);
  EXPECT_EQ(RejectedNew(kS1, Limit("o1")).exec_id, "GW-X3");
  // A cancel/replace reject carries no ExecID and takes none.
  Apply(router_.DecideCancel(kS1, Cancel("c9", "nope")));
  EXPECT_EQ(RejectedNew(kS1, Limit("o1")).exec_id, "GW-X3");
  EXPECT_EQ(std::get<NewOrderAccepted>(router_.DecideNewOrder(kS1, Limit("o3")))
                .exch_cl_ord_id,
            "GW-5");
}

TEST_F(OrderRouterTest, ApplyingJournaledIdsAdvancesTheCounters) {
  // Events decided elsewhere (a journal) carry IDs beyond the counter.
  SetExchange(true);
  Apply(NewOrderAccepted{kS1, Limit("o1"), "GW-41"});
  Apply(NewOrderRejected{kS1, Limit("o2"), Rejection{}, "GW-X17"});
  EXPECT_EQ(std::get<NewOrderAccepted>(router_.DecideNewOrder(kS1, Limit("o3")))
                .exch_cl_ord_id,
            "GW-42");
  EXPECT_EQ(RejectedNew(kS1, Limit("o1")).exec_id, "GW-X18");
}

TEST_F(OrderRouterTest, DoesNotSendAnOrderTwiceForARepeatedAcceptance) {
  SetExchange(true);
  JournalEvent e = router_.DecideNewOrder(kS1, Limit("o1"));
  EXPECT_EQ(Apply(e).size(), 1u);
  EXPECT_TRUE(Apply(e).empty());
  EXPECT_EQ(router_.Orders().size(), 1u);
}

// ---- full lifecycle
// -------------------------------------------------------------

TEST_F(OrderRouterTest, LifecycleNewFillReplaceFillMapsIdsBothWays) {
  SetExchange(true);
  EXPECT_EQ(ToExchangeOnly<NewOrder>(New(kS1, Limit("o1", 100))).cl_ord_id,
            "GW-1");

  // Exchange acknowledges; the broker sees its own ClOrdID and its account.
  auto ack = ToBrokerOnly<ExecutionReport>(FromExchange(
      Er("GW-1", "E1", ExecType::kNew, OrdStatus::kNew, 100, 0, 100)));
  EXPECT_EQ(ack.cl_ord_id, "o1");
  EXPECT_EQ(ack.orig_cl_ord_id, "");
  EXPECT_EQ(ack.order_id, "EX-O1");
  EXPECT_EQ(ack.exec_id, "E1");
  EXPECT_EQ(ack.exec_type, ExecType::kNew);
  EXPECT_EQ(ack.account, "ACC1");
  EXPECT_EQ(router_.FindOrder(kS1, "o1")->status, OrdStatus::kNew);
  EXPECT_EQ(router_.FindOrder(kS1, "o1")->order_id, "EX-O1");

  auto fill1 = ToBrokerOnly<ExecutionReport>(
      FromExchange(Fill("GW-1", "E2", 100, 40, 40)));
  EXPECT_EQ(fill1.cl_ord_id, "o1");
  EXPECT_EQ(fill1.ord_status, OrdStatus::kPartiallyFilled);
  EXPECT_EQ(fill1.last_qty, Qty(40));
  EXPECT_EQ(fill1.last_px, Px("10.5"));
  EXPECT_EQ(fill1.cum_qty + fill1.leaves_qty, fill1.order_qty);

  // Replace up to 150 @ 10.75: the exchange sees gateway IDs and OrderID.
  auto rep = ToExchangeOnly<ReplaceRequest>(
      ReplaceOrder(kS1, Replace("o2", "o1", 150, "10.75")));
  EXPECT_EQ(rep.cl_ord_id, "GW-2");
  EXPECT_EQ(rep.orig_cl_ord_id, "GW-1");
  EXPECT_EQ(rep.order_id, "EX-O1");
  EXPECT_EQ(rep.account, "ACC1");
  EXPECT_EQ(rep.qty, Qty(150));
  EXPECT_EQ(rep.price, Px("10.75"));
  EXPECT_EQ(rep.transact_time, At(44));
  EXPECT_TRUE(router_.FindOrder(kS1, "o1")->replace_pending);
  EXPECT_TRUE(router_.KnowsClOrdId(kS1, "o2"));
  // Until the exchange confirms, o1/GW-1 stay current.
  EXPECT_EQ(router_.FindOrder(kS1, "o2")->cl_ord_id, "o1");

  auto pending = ToBrokerOnly<ExecutionReport>(
      FromExchange(Er("GW-2", "E3", ExecType::kPendingReplace,
                      OrdStatus::kPendingReplace, 100, 40, 60, "GW-1")));
  EXPECT_EQ(pending.cl_ord_id, "o2");
  EXPECT_EQ(pending.orig_cl_ord_id, "o1");

  ExecutionReport replaced =
      Er("GW-2", "E4", ExecType::kReplaced, OrdStatus::kPartiallyFilled, 150,
         40, 110, "GW-1");
  replaced.price = Px("10.75");
  auto rep_er = ToBrokerOnly<ExecutionReport>(FromExchange(replaced));
  EXPECT_EQ(rep_er.cl_ord_id, "o2");
  EXPECT_EQ(rep_er.orig_cl_ord_id, "o1");
  EXPECT_EQ(rep_er.exec_type, ExecType::kReplaced);
  EXPECT_EQ(rep_er.order_qty, Qty(150));
  EXPECT_EQ(rep_er.cum_qty + rep_er.leaves_qty, rep_er.order_qty);

  auto order = router_.FindOrder(kS1, "o1");
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(order->cl_ord_id, "o2");
  EXPECT_EQ(order->exch_cl_ord_id, "GW-2");
  EXPECT_EQ(order->order_qty, Qty(150));
  EXPECT_EQ(order->price, Px("10.75"));
  EXPECT_EQ(order->status, OrdStatus::kPartiallyFilled);
  EXPECT_EQ(order->leaves_qty, Qty(110));
  EXPECT_FALSE(order->replace_pending);

  // The rest fills under the new exchange ClOrdID.
  auto fill2 = ToBrokerOnly<ExecutionReport>(
      FromExchange(Fill("GW-2", "E5", 150, 110, 150)));
  EXPECT_EQ(fill2.cl_ord_id, "o2");
  EXPECT_EQ(fill2.ord_status, OrdStatus::kFilled);
  EXPECT_EQ(fill2.leaves_qty, Qty(0));
  EXPECT_EQ(router_.FindOrder(kS1, "o2")->status, OrdStatus::kFilled);

  // Done: a cancel now is too late.
  CancelReject late = RejectedCancel(kS1, Cancel("c1", "o2"));
  EXPECT_EQ(late.reason, CxlRejReason::kTooLateToCancel);
  EXPECT_EQ(late.text, "order 'o2' is Filled: too late to cancel");
  EXPECT_EQ(late.order_id, "EX-O1");
  EXPECT_EQ(late.ord_status, OrdStatus::kFilled);
}

TEST_F(OrderRouterTest, LifecycleNewPartialFillCancel) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  FromExchange(Fill("GW-1", "E2", 100, 30, 30));

  auto cxl =
      ToExchangeOnly<CancelRequest>(CancelOrder(kS1, Cancel("c1", "o1")));
  EXPECT_EQ(cxl.cl_ord_id, "GW-2");
  EXPECT_EQ(cxl.orig_cl_ord_id, "GW-1");
  EXPECT_EQ(cxl.order_id, "EX-O1");
  EXPECT_EQ(cxl.symbol, "AAA");
  EXPECT_EQ(cxl.side, Side::kBuy);
  EXPECT_EQ(cxl.transact_time, At(43));
  EXPECT_TRUE(router_.FindOrder(kS1, "o1")->cancel_pending);
  EXPECT_TRUE(router_.KnowsClOrdId(kS1, "c1"));

  auto done = ToBrokerOnly<ExecutionReport>(
      FromExchange(Er("GW-2", "E3", ExecType::kCanceled, OrdStatus::kCanceled,
                      100, 30, 0, "GW-1")));
  EXPECT_EQ(done.cl_ord_id, "c1");
  EXPECT_EQ(done.orig_cl_ord_id, "o1");
  EXPECT_EQ(done.ord_status, OrdStatus::kCanceled);
  EXPECT_EQ(done.cum_qty, Qty(30));
  EXPECT_EQ(done.leaves_qty, Qty(0));

  auto order = router_.FindOrder(kS1, "c1");
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(order->status, OrdStatus::kCanceled);
  EXPECT_FALSE(order->cancel_pending);
  EXPECT_EQ(order->cum_qty, Qty(30));
  EXPECT_EQ(RejectedCancel(kS1, Cancel("c2", "o1")).reason,
            CxlRejReason::kTooLateToCancel);
}

TEST_F(OrderRouterTest, CancelAfterReplaceReferencesTheCurrentExchangeIds) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  ReplaceOrder(kS1, Replace("o2", "o1", 80));
  FromExchange(Er("GW-2", "E2", ExecType::kReplaced, OrdStatus::kNew, 80, 0, 80,
                  "GW-1"));
  auto cxl =
      ToExchangeOnly<CancelRequest>(CancelOrder(kS1, Cancel("c3", "o2")));
  EXPECT_EQ(cxl.cl_ord_id, "GW-3");
  EXPECT_EQ(cxl.orig_cl_ord_id, "GW-2");
  auto done = ToBrokerOnly<ExecutionReport>(
      FromExchange(Er("GW-3", "E3", ExecType::kCanceled, OrdStatus::kCanceled,
                      80, 0, 0, "GW-2")));
  EXPECT_EQ(done.cl_ord_id, "c3");
  EXPECT_EQ(done.orig_cl_ord_id, "o2");
}

TEST_F(OrderRouterTest, ExchangeRejectOfNewOrderRejectsTheOrder) {
  SetExchange(true);
  New(kS1, Limit("o1"));
  ExecutionReport rej =
      Er("GW-1", "E1", ExecType::kRejected, OrdStatus::kRejected, 100, 0, 0);
  rej.order_id = "NONE";
  rej.ord_rej_reason = OrdRejReason::kOther;
  rej.text = "market closed";
  auto er = ToBrokerOnly<ExecutionReport>(FromExchange(rej));
  EXPECT_EQ(er.cl_ord_id, "o1");
  EXPECT_EQ(er.ord_rej_reason, OrdRejReason::kOther);
  EXPECT_EQ(er.text, "market closed");
  EXPECT_EQ(router_.FindOrder(kS1, "o1")->status, OrdStatus::kRejected);
  EXPECT_EQ(RejectedCancel(kS1, Cancel("c1", "o1")).reason,
            CxlRejReason::kTooLateToCancel);
}

TEST_F(OrderRouterTest, RelaysExchangeFieldsAsReceivedExceptIdsAndAccount) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  ExecutionReport f = Fill("GW-1", "E-77", 100, 10, 10);
  f.avg_px = Px("10.499999");
  f.text = "fill text";
  f.transact_time = At(123456);
  f.account = "EXCH-ACCT";
  auto er = ToBrokerOnly<ExecutionReport>(FromExchange(f));
  ExecutionReport expected = f;
  expected.cl_ord_id = "o1";
  expected.account = "ACC1";
  EXPECT_EQ(Describe(Action{ToBroker{kS1, er}}),
            Describe(Action{ToBroker{kS1, expected}}));
  EXPECT_EQ(router_.FindOrder(kS1, "o1")->avg_px, Px("10.499999"));
}

// ---- cancel / replace: every reject path ------------------------------------

TEST_F(OrderRouterTest, RefusesCancelOfUnknownOrder) {
  SetExchange(true);
  CancelReject r = RejectedCancel(kS1, Cancel("c1", "nope"));
  EXPECT_EQ(r.reason, CxlRejReason::kUnknownOrder);
  EXPECT_EQ(r.order_id, "NONE");
  EXPECT_EQ(r.cl_ord_id, "c1");
  EXPECT_EQ(r.orig_cl_ord_id, "nope");
  EXPECT_EQ(r.ord_status, OrdStatus::kRejected);
  EXPECT_EQ(r.response_to, CxlRejResponseTo::kCancel);
  EXPECT_EQ(r.text, "unknown order: OrigClOrdID 'nope' on this session");

  auto sent = ToBrokerOnly<CancelReject>(Apply(CancelReplaceRejected{kS1, r}));
  EXPECT_EQ(sent.reason, CxlRejReason::kUnknownOrder);
  EXPECT_EQ(sent.transact_time, last_at_);
}

TEST_F(OrderRouterTest, RefusesCancelAndReplaceOfAnotherSessionsOrder) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  CancelReject r = RejectedCancel(kS2, Cancel("c1", "o1"));
  EXPECT_EQ(r.reason, CxlRejReason::kUnknownOrder);
  EXPECT_EQ(r.order_id, "NONE");
  r = RejectedReplace(kS2, Replace("r1", "o1", 50));
  EXPECT_EQ(r.reason, CxlRejReason::kUnknownOrder);
  EXPECT_EQ(r.response_to, CxlRejResponseTo::kReplace);
  EXPECT_FALSE(router_.FindOrder(kS2, "o1").has_value());
}

TEST_F(OrderRouterTest, RefusesCancelReplaceReusingAClOrdIdOfTheSession) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  LiveOrder(kS1, "o2", "GW-2");
  CancelReject r = RejectedCancel(kS1, Cancel("o2", "o1"));
  EXPECT_EQ(r.reason, CxlRejReason::kDuplicateClOrdId);
  EXPECT_EQ(r.text, "duplicate ClOrdID 'o2' on this session");
  EXPECT_EQ(r.order_id, "EX-O1");
  EXPECT_EQ(r.ord_status, OrdStatus::kNew);
  EXPECT_EQ(RejectedReplace(kS1, Replace("o1", "o1", 50)).reason,
            CxlRejReason::kDuplicateClOrdId);
  // The same ClOrdID on another session is no duplicate (but unknown there).
  EXPECT_EQ(RejectedCancel(kS2, Cancel("o2", "o1")).reason,
            CxlRejReason::kUnknownOrder);
}

TEST_F(OrderRouterTest, RefusesCancelWithEmptyClOrdId) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  CancelReject r = RejectedCancel(kS1, Cancel("", "o1"));
  EXPECT_EQ(r.reason, CxlRejReason::kOther);
  EXPECT_EQ(r.text, "ClOrdID is empty: cancel not sent");
}

TEST_F(OrderRouterTest, RefusesCancelOfCanceledOrder) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  FromExchange(
      Er("GW-1", "E2", ExecType::kCanceled, OrdStatus::kCanceled, 100, 0, 0));
  CancelReject r = RejectedCancel(kS1, Cancel("c1", "o1"));
  EXPECT_EQ(r.reason, CxlRejReason::kTooLateToCancel);
  EXPECT_EQ(r.ord_status, OrdStatus::kCanceled);
  EXPECT_EQ(RejectedReplace(kS1, Replace("r1", "o1", 50)).text,
            "order 'o1' is Canceled: too late to replace");
}

TEST_F(OrderRouterTest, RefusesSecondRequestWhileOneIsPending) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  LiveOrder(kS1, "o2", "GW-2");
  CancelOrder(kS1, Cancel("c1", "o1"));
  CancelReject r = RejectedCancel(kS1, Cancel("c2", "o1"));
  EXPECT_EQ(r.reason, CxlRejReason::kAlreadyPending);
  EXPECT_EQ(r.text, "a cancel is already pending for order 'o1'");
  EXPECT_EQ(RejectedReplace(kS1, Replace("r1", "o1", 50)).reason,
            CxlRejReason::kAlreadyPending);

  ReplaceOrder(kS1, Replace("r2", "o2", 50));
  r = RejectedCancel(kS1, Cancel("c3", "o2"));
  EXPECT_EQ(r.reason, CxlRejReason::kAlreadyPending);
  EXPECT_EQ(r.text, "a replace is already pending for order 'o2'");
  EXPECT_EQ(RejectedReplace(kS1, Replace("r3", "r2", 60)).reason,
            CxlRejReason::kAlreadyPending);
}

TEST_F(OrderRouterTest, RefusesCancelAndReplaceWhileExchangeIsDown) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  SetExchange(false);
  CancelReject r = RejectedCancel(kS1, Cancel("c1", "o1"));
  EXPECT_EQ(r.reason, CxlRejReason::kBrokerOption);
  EXPECT_EQ(r.text, "exchange session is down: cancel not sent");
  EXPECT_EQ(r.order_id, "EX-O1");
  r = RejectedReplace(kS1, Replace("r1", "o1", 50));
  EXPECT_EQ(r.reason, CxlRejReason::kBrokerOption);
  EXPECT_EQ(r.text, "exchange session is down: replace not sent");
  SetExchange(true);
  EXPECT_TRUE(std::holds_alternative<CancelReplaceForwarded>(
      router_.DecideCancel(kS1, Cancel("c1", "o1"))));
}

TEST_F(OrderRouterTest, CancelsOrderTheExchangeHasNotAcknowledgedYet) {
  SetExchange(true);
  New(kS1, Limit("o1"));
  auto cxl =
      ToExchangeOnly<CancelRequest>(CancelOrder(kS1, Cancel("c1", "o1")));
  EXPECT_EQ(cxl.orig_cl_ord_id, "GW-1");
  EXPECT_EQ(cxl.order_id, "");
}

struct ReplaceCase {
  const char* name;
  void (*mutate)(ReplaceRequest&);
  const char* text;
};

class OrderRouterReplaceTest
    : public OrderRouterTest,
      public ::testing::WithParamInterface<ReplaceCase> {};

TEST_P(OrderRouterReplaceTest, RefusesInvalidReplaceWithBrokerOption) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  FromExchange(Fill("GW-1", "E2", 100, 40, 40));
  ReplaceRequest request = Replace("r1", "o1", 120);
  GetParam().mutate(request);
  CancelReject r = RejectedReplace(kS1, request);
  EXPECT_EQ(r.reason, CxlRejReason::kBrokerOption);
  EXPECT_EQ(r.response_to, CxlRejResponseTo::kReplace);
  EXPECT_EQ(r.text, GetParam().text);
  EXPECT_EQ(r.order_id, "EX-O1");
  EXPECT_EQ(r.ord_status, OrdStatus::kPartiallyFilled);
  EXPECT_EQ(r.cl_ord_id, "r1");
  EXPECT_EQ(r.orig_cl_ord_id, "o1");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, OrderRouterReplaceTest,
    ::testing::Values(
        ReplaceCase{"Symbol", [](ReplaceRequest& r) { r.symbol = "BBB"; },
                    "replace cannot change symbol ('AAA' -> 'BBB')"},
        ReplaceCase{"Side", [](ReplaceRequest& r) { r.side = Side::kSell; },
                    "replace cannot change side (Buy -> Sell)"},
        ReplaceCase{"Account", [](ReplaceRequest& r) { r.account = "ACC2"; },
                    "replace cannot change account ('ACC1' -> 'ACC2')"},
        ReplaceCase{"ZeroQty", [](ReplaceRequest& r) { r.qty = Qty(0); },
                    "order quantity must be > 0 (got 0)"},
        ReplaceCase{"QtyBelowFilled",
                    [](ReplaceRequest& r) { r.qty = Qty(39); },
                    "order quantity 39 is below the filled quantity 40"},
        ReplaceCase{"LimitWithoutPrice",
                    [](ReplaceRequest& r) { r.price.reset(); },
                    "limit order needs a price"},
        ReplaceCase{"NegativePrice",
                    [](ReplaceRequest& r) { r.price = Px("-1"); },
                    "limit price must be > 0 (got -1)"},
        ReplaceCase{"MarketWithPrice",
                    [](ReplaceRequest& r) { r.ord_type = OrdType::kMarket; },
                    "market order must not carry a price (got 10.5)"},
        ReplaceCase{"RiskRefuses", [](ReplaceRequest& r) { r.qty = Qty(1001); },
                    "order quantity 1001 exceeds max 1000"}),
    [](const ::testing::TestParamInfo<ReplaceCase>& param_info) {
      return std::string(param_info.param.name);
    });

TEST_F(OrderRouterTest, ReplaceMayKeepAccountEmptyAndChangeTypeAndTif) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  ReplaceRequest request = Replace("r1", "o1", 40);
  request.account = "";
  request.ord_type = OrdType::kMarket;
  request.price.reset();
  request.tif = TimeInForce::kIoc;
  auto sent = ToExchangeOnly<ReplaceRequest>(ReplaceOrder(kS1, request));
  EXPECT_EQ(sent.account, "ACC1");
  EXPECT_EQ(sent.ord_type, OrdType::kMarket);
  EXPECT_FALSE(sent.price.has_value());
  ExecutionReport replaced =
      Er("GW-2", "E2", ExecType::kReplaced, OrdStatus::kNew, 40, 0, 40, "GW-1");
  FromExchange(replaced);
  auto order = router_.FindOrder(kS1, "r1");
  EXPECT_EQ(order->ord_type, OrdType::kMarket);
  EXPECT_EQ(order->tif, TimeInForce::kIoc);
  EXPECT_FALSE(order->price.has_value());
  EXPECT_EQ(order->order_qty, Qty(40));
}

TEST_F(OrderRouterTest, RiskRechecksAReplaceAgainstTheOrder) {
  auto risk = MaxQtyRisk(100);
  OrderRouter router(Options(), risk.get());
  router.Apply(ExchangeSessionChanged{true}, At(1));
  router.Apply(router.DecideNewOrder(kS1, Limit("o1")), At(2));
  router.Apply(ExchangeReportReceived{Er("GW-1", "E1", ExecType::kNew,
                                         OrdStatus::kNew, 100, 0, 100)},
               At(3));
  JournalEvent e = router.DecideReplace(kS1, Replace("r1", "o1", 101));
  ASSERT_TRUE(std::holds_alternative<CancelReplaceRejected>(e));
  EXPECT_EQ(std::get<CancelReplaceRejected>(e).reject.reason,
            CxlRejReason::kBrokerOption);
  EXPECT_EQ(std::get<CancelReplaceRejected>(e).reject.text,
            "order quantity 101 exceeds max 100");
  EXPECT_TRUE(std::holds_alternative<CancelReplaceForwarded>(
      router.DecideReplace(kS1, Replace("r1", "o1", 100))));
}

TEST_F(OrderRouterTest, RejectsUndecodableCancelReplace) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  JournalEvent e = router_.DecideUndecodableCancelReplace(
      kS1, true, "r1", "o1",
      Rejection{OrdRejReason::kOther, "unsupported TimeInForce '6'"});
  ASSERT_TRUE(std::holds_alternative<CancelReplaceRejected>(e));
  auto sent = ToBrokerOnly<CancelReject>(Apply(e));
  EXPECT_EQ(sent.cl_ord_id, "r1");
  EXPECT_EQ(sent.orig_cl_ord_id, "o1");
  EXPECT_EQ(sent.order_id, "EX-O1");
  EXPECT_EQ(sent.ord_status, OrdStatus::kNew);
  EXPECT_EQ(sent.response_to, CxlRejResponseTo::kReplace);
  EXPECT_EQ(sent.reason, CxlRejReason::kOther);
  EXPECT_EQ(sent.text, "unsupported TimeInForce '6'");
  EXPECT_EQ(sent.transact_time, last_at_);

  e = router_.DecideUndecodableCancelReplace(
      kS1, false, "c1", "zz", Rejection{OrdRejReason::kUnknownOrder, "?"});
  const CancelReject& r = std::get<CancelReplaceRejected>(e).reject;
  EXPECT_EQ(r.reason, CxlRejReason::kUnknownOrder);
  EXPECT_EQ(r.order_id, "NONE");
  EXPECT_EQ(r.response_to, CxlRejResponseTo::kCancel);
}

TEST_F(OrderRouterTest, KnowsClOrdIdsOfCancelAndReplaceRequests) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  LiveOrder(kS1, "o2", "GW-2");
  EXPECT_FALSE(router_.KnowsClOrdId(kS1, "c1"));
  CancelOrder(kS1, Cancel("c1", "o1"));
  ReplaceOrder(kS1, Replace("r1", "o2", 50));
  Apply(router_.DecideCancel(kS1, Cancel("c2", "unknown")));
  EXPECT_TRUE(router_.KnowsClOrdId(kS1, "c1"));
  EXPECT_TRUE(router_.KnowsClOrdId(kS1, "r1"));
  EXPECT_TRUE(router_.KnowsClOrdId(kS1, "c2"));
  EXPECT_FALSE(router_.KnowsClOrdId(kS2, "c1"));
  // A new order reusing a cancel's ClOrdID is a duplicate.
  EXPECT_EQ(RejectedNew(kS1, Limit("c1")).rejection.reason,
            OrdRejReason::kDuplicateOrder);
  // A duplicate-ClOrdID refusal does not claim the ID for anyone.
  Apply(router_.DecideUndecodableCancelReplace(
      kS1, false, "c7", "o1", Rejection{OrdRejReason::kDuplicateOrder, "d"}));
  EXPECT_FALSE(router_.KnowsClOrdId(kS1, "c7"));
}

TEST_F(OrderRouterTest, FindsOrderByAnyBrokerClOrdIdOfItsChain) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  ReplaceOrder(kS1, Replace("o2", "o1", 50));
  FromExchange(Er("GW-2", "E2", ExecType::kReplaced, OrdStatus::kNew, 50, 0, 50,
                  "GW-1"));
  CancelOrder(kS1, Cancel("c1", "o2"));
  for (const char* id : {"o1", "o2", "c1"}) {
    auto order = router_.FindOrder(kS1, id);
    ASSERT_TRUE(order.has_value()) << id;
    EXPECT_EQ(order->cl_ord_id, "o2");
    EXPECT_EQ(order->exch_cl_ord_id, "GW-2");
  }
  EXPECT_EQ(router_.Orders().size(), 1u);
}

// ---- exchange cancel rejects
// -------------------------------------------------

TEST_F(OrderRouterTest, ExchangeCancelRejectClearsPendingAndMapsIds) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  CancelOrder(kS1, Cancel("c1", "o1"));
  FromExchange(Er("GW-2", "E2", ExecType::kPendingCancel,
                  OrdStatus::kPendingCancel, 100, 0, 100, "GW-1"));
  EXPECT_EQ(router_.FindOrder(kS1, "o1")->status, OrdStatus::kPendingCancel);

  CancelReject x;
  x.order_id = "EX-O1";
  x.cl_ord_id = "GW-2";
  x.orig_cl_ord_id = "GW-1";
  x.ord_status = OrdStatus::kPendingCancel;
  x.response_to = CxlRejResponseTo::kCancel;
  x.reason = CxlRejReason::kTooLateToCancel;
  x.text = "too late";
  x.transact_time = At(999);
  auto r = ToBrokerOnly<CancelReject>(Apply(ExchangeCancelRejectReceived{x}));
  EXPECT_EQ(r.cl_ord_id, "c1");
  EXPECT_EQ(r.orig_cl_ord_id, "o1");
  EXPECT_EQ(r.order_id, "EX-O1");
  EXPECT_EQ(r.ord_status, OrdStatus::kNew);  // the pending status is undone
  EXPECT_EQ(r.response_to, CxlRejResponseTo::kCancel);
  EXPECT_EQ(r.reason, CxlRejReason::kTooLateToCancel);
  EXPECT_EQ(r.text, "too late");
  EXPECT_EQ(r.transact_time, At(999));

  auto order = router_.FindOrder(kS1, "o1");
  EXPECT_FALSE(order->cancel_pending);
  EXPECT_EQ(order->status, OrdStatus::kNew);
  EXPECT_EQ(order->cl_ord_id, "o1");
  // A new cancel is possible again.
  EXPECT_TRUE(std::holds_alternative<CancelReplaceForwarded>(
      router_.DecideCancel(kS1, Cancel("c2", "o1"))));
}

TEST_F(OrderRouterTest, ExchangeReplaceRejectKeepsTheOldTerms) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  FromExchange(Fill("GW-1", "E2", 100, 10, 10));
  ReplaceOrder(kS1, Replace("r1", "o1", 500, "11"));
  CancelReject x;
  x.order_id = "EX-O1";
  x.cl_ord_id = "GW-2";
  x.orig_cl_ord_id = "GW-1";
  x.response_to = CxlRejResponseTo::kReplace;
  x.reason = CxlRejReason::kBrokerOption;
  auto r = ToBrokerOnly<CancelReject>(Apply(ExchangeCancelRejectReceived{x}));
  EXPECT_EQ(r.cl_ord_id, "r1");
  EXPECT_EQ(r.orig_cl_ord_id, "o1");
  EXPECT_EQ(r.ord_status, OrdStatus::kPartiallyFilled);
  auto order = router_.FindOrder(kS1, "o1");
  EXPECT_FALSE(order->replace_pending);
  EXPECT_EQ(order->order_qty, Qty(100));
  EXPECT_EQ(order->price, Px("10.5"));
  EXPECT_EQ(order->cl_ord_id, "o1");
  EXPECT_EQ(order->exch_cl_ord_id, "GW-1");
  // The exchange resends its reject after a reconnect: relayed once.
  EXPECT_TRUE(router_.KnowsCancelReject("GW-2"));
  EXPECT_TRUE(Apply(ExchangeCancelRejectReceived{x}).empty());
  EXPECT_FALSE(router_.KnowsCancelReject("GW-1"));
}

TEST_F(OrderRouterTest, IgnoresCancelRejectForUnknownExchangeIds) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  CancelReject x;
  x.cl_ord_id = "OTHER-7";
  x.orig_cl_ord_id = "OTHER-6";
  EXPECT_TRUE(Apply(ExchangeCancelRejectReceived{x}).empty());
}

// ---- exchange reports: dedup and unknown IDs -------------------------------

TEST_F(OrderRouterTest, IgnoresRepeatedExecId) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  EXPECT_TRUE(router_.KnowsExecId("E-ack-GW-1"));
  EXPECT_EQ(FromExchange(Fill("GW-1", "E2", 100, 10, 10)).size(), 1u);
  EXPECT_TRUE(FromExchange(Fill("GW-1", "E2", 100, 10, 10)).empty());
  // Even if the repeat claims other numbers, it is not applied.
  EXPECT_TRUE(FromExchange(Fill("GW-1", "E2", 100, 90, 100)).empty());
  EXPECT_EQ(router_.FindOrder(kS1, "o1")->cum_qty, Qty(10));
}

TEST_F(OrderRouterTest, IgnoresReportForUnknownExchangeClOrdId) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  EXPECT_TRUE(FromExchange(Fill("GW-99", "E9", 100, 10, 10)).empty());
  EXPECT_TRUE(FromExchange(Fill("o1", "E10", 100, 10, 10)).empty());
  EXPECT_FALSE(router_.KnowsExecId("E9"));
  EXPECT_EQ(router_.FindOrder(kS1, "o1")->cum_qty, Qty(0));
}

TEST_F(OrderRouterTest, FindsOrderOfReportByOrigClOrdIdWhenClOrdIdIsUnknown) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  // An unsolicited cancel naming an exchange-side ID we never assigned.
  auto er = ToBrokerOnly<ExecutionReport>(
      FromExchange(Er("EXCH-CXL-1", "E5", ExecType::kCanceled,
                      OrdStatus::kCanceled, 100, 0, 0, "GW-1")));
  EXPECT_EQ(er.cl_ord_id, "o1");
  EXPECT_EQ(er.orig_cl_ord_id, "o1");
  EXPECT_EQ(router_.FindOrder(kS1, "o1")->status, OrdStatus::kCanceled);
}

// ---- sessions
// -------------------------------------------------------------------

TEST_F(OrderRouterTest, SameClOrdIdOnTwoSessionsMakesTwoOrders) {
  SetExchange(true);
  auto a = ToExchangeOnly<NewOrder>(New(kS1, Limit("o1", 10)));
  auto b = ToExchangeOnly<NewOrder>(New(kS2, Limit("o1", 20)));
  EXPECT_EQ(a.cl_ord_id, "GW-1");
  EXPECT_EQ(b.cl_ord_id, "GW-2");
  ASSERT_EQ(router_.Orders().size(), 2u);
  EXPECT_EQ(router_.FindOrder(kS1, "o1")->order_qty, Qty(10));
  EXPECT_EQ(router_.FindOrder(kS2, "o1")->order_qty, Qty(20));

  auto to2 = ToBrokerOnly<ExecutionReport>(
      FromExchange(
          Er("GW-2", "E1", ExecType::kNew, OrdStatus::kNew, 20, 0, 20)),
      kS2);
  EXPECT_EQ(to2.cl_ord_id, "o1");
  auto to1 = ToBrokerOnly<ExecutionReport>(
      FromExchange(
          Er("GW-1", "E2", ExecType::kNew, OrdStatus::kNew, 10, 0, 10)),
      kS1);
  EXPECT_EQ(to1.cl_ord_id, "o1");

  // Each session cancels its own.
  auto cxl =
      ToExchangeOnly<CancelRequest>(CancelOrder(kS2, Cancel("c1", "o1")));
  EXPECT_EQ(cxl.orig_cl_ord_id, "GW-2");
  EXPECT_FALSE(router_.FindOrder(kS1, "o1")->cancel_pending);
  EXPECT_TRUE(router_.FindOrder(kS2, "o1")->cancel_pending);
  EXPECT_EQ(router_.Orders()[0].session, kS1);
}

// ---- status requests
// ---------------------------------------------------------

TEST_F(OrderRouterTest, AnswersStatusOfKnownOrder) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  FromExchange(Fill("GW-1", "E2", 100, 25, 25));
  JournalEvent e = router_.DecideStatus(kS1, StatusReq("o1", "", "AAA"));
  auto er = ToBrokerOnly<ExecutionReport>(Apply(e));
  EXPECT_EQ(er.exec_type, ExecType::kOrderStatus);
  EXPECT_EQ(er.exec_id, "GW-X1");
  EXPECT_EQ(er.ord_status, OrdStatus::kPartiallyFilled);
  EXPECT_EQ(er.order_id, "EX-O1");
  EXPECT_EQ(er.cl_ord_id, "o1");
  EXPECT_EQ(er.account, "ACC1");
  EXPECT_EQ(er.order_qty, Qty(100));
  EXPECT_EQ(er.cum_qty, Qty(25));
  EXPECT_EQ(er.leaves_qty, Qty(75));
  EXPECT_EQ(er.avg_px, Px("10.5"));
  EXPECT_EQ(er.price, Px("10.5"));
  EXPECT_FALSE(er.ord_rej_reason.has_value());
  EXPECT_EQ(er.transact_time, last_at_);
}

TEST_F(OrderRouterTest, AnswersStatusOfUnacknowledgedOrderWithOrderIdNone) {
  SetExchange(true);
  New(kS1, Limit("o1"));
  auto er = ToBrokerOnly<ExecutionReport>(
      Apply(router_.DecideStatus(kS1, StatusReq("o1"))));
  EXPECT_EQ(er.order_id, "NONE");
  EXPECT_EQ(er.ord_status, OrdStatus::kPendingNew);
  EXPECT_EQ(er.leaves_qty, Qty(100));
}

TEST_F(OrderRouterTest, AnswersStatusOfReplacedOrderWithCurrentClOrdId) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  ReplaceOrder(kS1, Replace("o2", "o1", 70));
  FromExchange(Er("GW-2", "E2", ExecType::kReplaced, OrdStatus::kNew, 70, 0, 70,
                  "GW-1"));
  auto er = ToBrokerOnly<ExecutionReport>(
      Apply(router_.DecideStatus(kS1, StatusReq("o1"))));
  EXPECT_EQ(er.cl_ord_id, "o2");
  EXPECT_EQ(er.order_qty, Qty(70));
}

TEST_F(OrderRouterTest, AnswersStatusOfUnknownOrderAsRejected) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  for (const SessionKey& session : {kS1, kS2}) {
    std::string id = session == kS1 ? "zz" : "o1";  // S2 cannot see S1's o1
    auto er = ToBrokerOnly<ExecutionReport>(
        Apply(router_.DecideStatus(session,
                                   StatusReq(id, "", "AAA", Side::kSell))),
        session);
    EXPECT_EQ(er.exec_type, ExecType::kOrderStatus);
    EXPECT_EQ(er.ord_status, OrdStatus::kRejected);
    EXPECT_EQ(er.ord_rej_reason, OrdRejReason::kUnknownOrder);
    EXPECT_EQ(er.order_id, "NONE");
    EXPECT_EQ(er.cl_ord_id, id);
    EXPECT_EQ(er.symbol, "AAA");
    EXPECT_EQ(er.side, Side::kSell);
    EXPECT_EQ(er.text, "unknown order: ClOrdID '" + id + "' on this session");
  }
}

// ---- replay property
// ---------------------------------------------------------

// A small, consistent exchange: acknowledges or rejects orders, fills them,
// answers cancels and replaces, and sometimes misbehaves (repeats a report,
// reports an ID it was never sent).
class FakeExchange {
 public:
  void Receive(const std::vector<Action>& actions) {
    for (const Action& a : actions) {
      if (const auto* to = std::get_if<ToExchange>(&a)) {
        inbox_.push_back(to->message);
      }
    }
  }

  // The next exchange message as a journal event, or nullopt if none fits.
  std::optional<JournalEvent> Step(std::mt19937& rng) {
    const int choice = Uniform(rng, 0, 9);
    if (choice <= 4 && !inbox_.empty()) {
      size_t pick = static_cast<size_t>(
          Uniform(rng, 0, static_cast<int>(inbox_.size()) - 1));
      auto msg = inbox_[pick];
      inbox_.erase(inbox_.begin() + static_cast<std::ptrdiff_t>(pick));
      return Handle(msg, rng);
    }
    if (choice <= 7) return FillSome(rng);
    if (choice == 8 && last_) return ExchangeReportReceived{*last_};  // repeat
    ExecutionReport stray = Report(Order{}, ExecType::kNew, OrdStatus::kNew);
    stray.cl_ord_id = "NOT-OURS-" + std::to_string(exec_seq_);
    return Emit(stray);
  }

 private:
  struct Order {
    std::string order_id;
    std::string cl_ord_id;
    std::string symbol;
    Side side = Side::kBuy;
    OrdType ord_type = OrdType::kLimit;
    TimeInForce tif = TimeInForce::kDay;
    std::optional<Price> price;
    Qty qty;
    Qty cum;
    Notional cum_notional;
    bool done = false;
  };

  static int Uniform(std::mt19937& rng, int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  }

  ExecutionReport Report(const Order& o, ExecType type, OrdStatus status) {
    ExecutionReport r;
    r.order_id = o.order_id;
    r.cl_ord_id = o.cl_ord_id;
    r.exec_type = type;
    r.ord_status = status;
    r.symbol = o.symbol;
    r.side = o.side;
    r.ord_type = o.ord_type;
    r.tif = o.tif;
    r.order_qty = o.qty;
    r.price = o.price;
    r.cum_qty = o.cum;
    r.leaves_qty = o.done ? Qty(0) : o.qty - o.cum;
    r.avg_px =
        o.cum.units() > 0 ? AveragePrice(o.cum_notional, o.cum) : Price();
    r.transact_time = At(exec_seq_);
    return r;
  }

  JournalEvent Emit(ExecutionReport r) {
    r.exec_id = "EX-E" + std::to_string(++exec_seq_);
    last_ = r;
    return ExchangeReportReceived{std::move(r)};
  }

  static OrdStatus LiveStatus(const Order& o) {
    if (o.cum.units() == 0) return OrdStatus::kNew;
    return o.cum == o.qty ? OrdStatus::kFilled : OrdStatus::kPartiallyFilled;
  }

  Order* Find(const std::string& cl_ord_id) {
    auto it = by_cl_.find(cl_ord_id);
    return it == by_cl_.end() ? nullptr : &orders_[it->second];
  }

  JournalEvent RejectRequest(const Order* o, const std::string& cl,
                             const std::string& orig, CxlRejResponseTo to) {
    CancelReject r;
    r.order_id = o != nullptr ? o->order_id : "NONE";
    r.cl_ord_id = cl;
    r.orig_cl_ord_id = orig;
    r.ord_status = o != nullptr ? LiveStatus(*o) : OrdStatus::kRejected;
    r.response_to = to;
    r.reason = o != nullptr ? CxlRejReason::kTooLateToCancel
                            : CxlRejReason::kUnknownOrder;
    r.text = "refused by exchange";
    r.transact_time = At(exec_seq_);
    return ExchangeCancelRejectReceived{r};
  }

  JournalEvent Handle(
      const std::variant<NewOrder, CancelRequest, ReplaceRequest>& msg,
      std::mt19937& rng) {
    if (const auto* n = std::get_if<NewOrder>(&msg)) {
      Order o;
      o.order_id = "EX-O" + std::to_string(orders_.size() + 1);
      o.cl_ord_id = n->cl_ord_id;
      o.symbol = n->symbol;
      o.side = n->side;
      o.ord_type = n->ord_type;
      o.tif = n->tif;
      o.price = n->price;
      o.qty = n->qty;
      const bool reject = Uniform(rng, 0, 9) == 0;
      o.done = reject;
      by_cl_[o.cl_ord_id] = orders_.size();
      orders_.push_back(o);
      if (!reject) return Emit(Report(o, ExecType::kNew, OrdStatus::kNew));
      ExecutionReport r = Report(o, ExecType::kRejected, OrdStatus::kRejected);
      r.order_id = "NONE";
      r.ord_rej_reason = OrdRejReason::kOther;
      r.text = "no liquidity today";
      return Emit(r);
    }
    if (const auto* c = std::get_if<CancelRequest>(&msg)) {
      Order* o = Find(c->orig_cl_ord_id);
      if (o == nullptr || o->done || Uniform(rng, 0, 5) == 0) {
        return RejectRequest(o, c->cl_ord_id, c->orig_cl_ord_id,
                             CxlRejResponseTo::kCancel);
      }
      o->done = true;
      by_cl_[c->cl_ord_id] = by_cl_[o->cl_ord_id];
      ExecutionReport r = Report(*o, ExecType::kCanceled, OrdStatus::kCanceled);
      r.cl_ord_id = c->cl_ord_id;
      r.orig_cl_ord_id = c->orig_cl_ord_id;
      o->cl_ord_id = c->cl_ord_id;
      return Emit(r);
    }
    const auto& q = std::get<ReplaceRequest>(msg);
    Order* o = Find(q.orig_cl_ord_id);
    if (o == nullptr || o->done || q.qty < o->cum || Uniform(rng, 0, 5) == 0) {
      return RejectRequest(o, q.cl_ord_id, q.orig_cl_ord_id,
                           CxlRejResponseTo::kReplace);
    }
    by_cl_[q.cl_ord_id] = by_cl_[o->cl_ord_id];
    o->cl_ord_id = q.cl_ord_id;
    o->qty = q.qty;
    o->price = q.price;
    o->ord_type = q.ord_type;
    o->tif = q.tif;
    if (o->cum == o->qty) o->done = true;
    ExecutionReport r = Report(*o, ExecType::kReplaced, LiveStatus(*o));
    r.orig_cl_ord_id = q.orig_cl_ord_id;
    return Emit(r);
  }

  std::optional<JournalEvent> FillSome(std::mt19937& rng) {
    std::vector<size_t> live;
    for (size_t i = 0; i < orders_.size(); ++i) {
      if (!orders_[i].done) live.push_back(i);
    }
    if (live.empty()) return std::nullopt;
    Order& o = orders_[live[static_cast<size_t>(
        Uniform(rng, 0, static_cast<int>(live.size()) - 1))]];
    const int64_t leaves = (o.qty - o.cum).units();
    const Qty last(Uniform(rng, 1, static_cast<int>(leaves)));
    const Price px = o.price ? *o.price : Px("10");
    o.cum += last;
    o.cum_notional = *Add(o.cum_notional, *Multiply(last, px));
    if (o.cum == o.qty) o.done = true;
    ExecutionReport r = Report(o, ExecType::kTrade, LiveStatus(o));
    r.last_qty = last;
    r.last_px = px;
    return Emit(r);
  }

  std::vector<std::variant<NewOrder, CancelRequest, ReplaceRequest>> inbox_;
  std::vector<Order> orders_;
  std::map<std::string, size_t> by_cl_;  // every ClOrdID of an order's chain
  std::optional<ExecutionReport> last_;
  int64_t exec_seq_ = 0;
};

struct JournalEntry {
  JournalEvent event;
  Timestamp at;
};

// Broker and exchange traffic at random; everything that happened is
// returned as the journal (events in order with their times).
std::vector<JournalEntry> RunRandomTraffic(OrderRouter& router, uint32_t seed,
                                           int steps) {
  std::mt19937 rng(seed);
  auto uniform = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  const std::vector<SessionKey> sessions = {kS1, kS2};
  const std::vector<std::string> symbols = {"AAA", "BBB", "ZZZ"};
  const std::vector<const char*> prices = {"9.5", "10", "10.25", "0", "11"};
  FakeExchange exchange;
  std::vector<JournalEntry> journal;
  int64_t now = 1'795'726'214'000'000;
  int request_seq = 0;

  auto apply = [&](const JournalEvent& event) {
    now += uniform(1, 5000);
    journal.push_back({event, At(now)});
    std::vector<Action> actions = router.Apply(event, At(now));
    for (const Action& a : actions) {
      if (const auto* to = std::get_if<ToBroker>(&a)) {
        // The broker sees only broker IDs, and consistent quantities.
        if (const auto* er = std::get_if<ExecutionReport>(&to->message)) {
          EXPECT_NE(er->cl_ord_id.rfind("GW-", 0), 0u) << Describe(a);
          EXPECT_NE(er->orig_cl_ord_id.rfind("GW-", 0), 0u) << Describe(a);
          if (!IsTerminal(er->ord_status) &&
              er->ord_status != OrdStatus::kRejected) {
            EXPECT_EQ(er->cum_qty + er->leaves_qty, er->order_qty)
                << Describe(a);
          } else {
            EXPECT_EQ(er->leaves_qty, Qty(0)) << Describe(a);
          }
        } else {
          const auto& cr = std::get<CancelReject>(to->message);
          EXPECT_NE(cr.cl_ord_id.rfind("GW-", 0), 0u) << Describe(a);
          EXPECT_NE(cr.orig_cl_ord_id.rfind("GW-", 0), 0u) << Describe(a);
        }
      } else {
        // The exchange sees only gateway IDs.
        std::visit(
            [&](const auto& m) {
              EXPECT_EQ(m.cl_ord_id.rfind("GW-", 0), 0u) << Describe(a);
            },
            std::get<ToExchange>(a).message);
      }
    }
    exchange.Receive(actions);
  };

  // Per session, new orders mostly take fresh ClOrdIDs c1, c2, ... (so both
  // sessions use the same IDs), sometimes resend one; requests refer mostly
  // to recent orders.
  std::map<SessionKey, int> seq;
  auto old_id = [&](const SessionKey& s) {
    const int n = seq[s];
    const int lo = uniform(0, 3) == 0 ? 1 : std::max(1, n - 8);
    return "c" + std::to_string(uniform(lo, n + 2));
  };
  auto request_id = [&](const SessionKey& s) {
    return uniform(0, 9) == 0 ? old_id(s) : "x" + std::to_string(++request_seq);
  };
  for (int step = 0; step < steps; ++step) {
    const SessionKey& session = sessions[static_cast<size_t>(uniform(0, 1))];
    const int kind = uniform(0, 99);
    if (kind < 3) {
      apply(ExchangeSessionChanged{uniform(0, 3) != 0});
    } else if (kind < 23) {
      const std::string id = uniform(0, 6) == 0
                                 ? old_id(session)
                                 : "c" + std::to_string(++seq[session]);
      NewOrder o = Limit(id, uniform(-1, 1100),
                         prices[static_cast<size_t>(uniform(0, 4))],
                         symbols[static_cast<size_t>(uniform(0, 2))]);
      o.side = uniform(0, 1) == 0 ? Side::kBuy : Side::kSell;
      if (uniform(0, 9) == 0) {
        o.ord_type = OrdType::kMarket;
        if (uniform(0, 3) != 0) o.price.reset();
      }
      apply(router.DecideNewOrder(session, o));
    } else if (kind < 33) {
      apply(router.DecideCancel(session,
                                Cancel(request_id(session), old_id(session))));
    } else if (kind < 43) {
      ReplaceRequest r =
          Replace(request_id(session), old_id(session), uniform(0, 1100),
                  prices[static_cast<size_t>(uniform(0, 4))]);
      if (auto current = router.FindOrder(session, r.orig_cl_ord_id)) {
        if (uniform(0, 9) != 0) {  // mostly valid replaces
          r.side = current->side;
          r.symbol = current->symbol;
        }
      }
      apply(router.DecideReplace(session, r));
    } else if (kind < 47) {
      apply(router.DecideStatus(session, StatusReq(old_id(session))));
    } else if (auto event = exchange.Step(rng)) {
      apply(*event);
    }
  }
  return journal;
}

// The next decisions for a spread of probes, as journal text.
std::vector<std::string> ProbeDecisions(const OrderRouter& router) {
  std::vector<std::string> out;
  for (const SessionKey& session : {kS1, kS2}) {
    for (int i = 0; i <= 200; ++i) {
      const std::string id = "c" + std::to_string(i);
      out.push_back(EncodeEvent(router.DecideNewOrder(session, Limit(id, 50))));
      out.push_back(
          EncodeEvent(router.DecideCancel(session, Cancel("probe", id))));
      out.push_back(EncodeEvent(
          router.DecideReplace(session, Replace("probe", id, 60, "10"))));
      out.push_back(EncodeEvent(router.DecideStatus(session, StatusReq(id))));
    }
  }
  return out;
}

// ThreadSanitizer slows this single-threaded code 10-20x and has no
// thread to check here: fewer seeds there, so that the TSan pass runs
// every router test instead of excluding these.
#if defined(__SANITIZE_THREAD__)
constexpr uint32_t kReplaySeeds = 3;
#else
constexpr uint32_t kReplaySeeds = 30;
#endif

TEST(OrderRouterReplayTest, ReplayingTheJournalRebuildsTheSameRouter) {
  int orders_seen = 0;
  for (uint32_t seed = 1; seed <= kReplaySeeds; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    auto risk = MaxQtyRisk(1000);
    OrderRouter::Options live_options;
    live_options.symbols = {"AAA", "BBB"};
    OrderRouter live(live_options, risk.get());
    std::vector<JournalEntry> journal = RunRandomTraffic(live, seed, 600);

    // Another configuration: every symbol tradable, no risk hook. The
    // journal alone must decide the state.
    OrderRouter::Options replay_options;
    replay_options.symbols = {};
    OrderRouter replayed(replay_options, nullptr);
    auto risk_again = MaxQtyRisk(1000);
    OrderRouter live_again(live_options, risk_again.get());
    for (const JournalEntry& entry : journal) {
      Result<JournalEvent> decoded = DecodeEvent(EncodeEvent(entry.event));
      ASSERT_TRUE(decoded.ok()) << decoded.status().message();
      std::vector<Action> a = replayed.Apply(*decoded, entry.at);
      std::vector<Action> b = live_again.Apply(entry.event, entry.at);
      ASSERT_EQ(Describe(a), Describe(b));
    }

    std::vector<OrderSnapshot> want = live.Orders();
    std::vector<OrderSnapshot> got = replayed.Orders();
    ASSERT_EQ(got.size(), want.size());
    orders_seen += static_cast<int>(want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(Describe(got[i]), Describe(want[i])) << i;
    }
    EXPECT_EQ(replayed.exchange_up(), live.exchange_up());
    // The order waiting longest, and since when: rebuilt from journal times.
    auto oldest_live = live.OldestAwaiting();
    auto oldest_replayed = replayed.OldestAwaiting();
    ASSERT_EQ(oldest_replayed.has_value(), oldest_live.has_value());
    EXPECT_EQ(oldest_live.has_value(), live.CountOrders().awaiting_exchange > 0);
    if (oldest_live) {
      EXPECT_EQ(oldest_replayed->session, oldest_live->session);
      EXPECT_EQ(oldest_replayed->cl_ord_id, oldest_live->cl_ord_id);
      EXPECT_EQ(oldest_replayed->since, oldest_live->since);
    }
    for (const SessionKey& session : {kS1, kS2}) {
      for (int i = 0; i <= 400; ++i) {
        for (const std::string& id :
             {"c" + std::to_string(i), "x" + std::to_string(i)}) {
          EXPECT_EQ(replayed.KnowsClOrdId(session, id),
                    live.KnowsClOrdId(session, id))
              << id;
        }
      }
    }
    for (int i = 1; i <= 1000; ++i) {
      const std::string id = "EX-E" + std::to_string(i);
      EXPECT_EQ(replayed.KnowsExecId(id), live.KnowsExecId(id)) << id;
    }
    // Probes avoid what the configurations disagree on (symbols, risk).
    EXPECT_EQ(ProbeDecisions(replayed), ProbeDecisions(live));
  }
  EXPECT_GT(orders_seen, 10 * static_cast<int>(kReplaySeeds));  // orders made
}

// ---- eviction of finished orders --------------------------------------------

// Two finished orders kept: the oldest finished ones leave the table, open
// orders never do, and an evicted order's ClOrdIDs stay used.
TEST_F(OrderRouterTest, EvictsTheOldestFinishedOrdersOnly) {
  OrderRouter::Options options = Options();
  options.finished_orders_kept = 2;
  OrderRouter router(options, risk_.get());
  auto apply = [&](const JournalEvent& e) { return router.Apply(e, At(1)); };
  apply(ExchangeSessionChanged{true});
  auto new_order = [&](const std::string& id) {
    return ToExchangeOnly<NewOrder>(
               apply(router.DecideNewOrder(kS1, Limit(id))))
        .cl_ord_id;
  };
  const std::string open_id = new_order("open");  // GW-1, never finishes
  apply(ExchangeReportReceived{
      Er(open_id, "E-open", ExecType::kNew, OrdStatus::kNew, 100, 0, 100)});
  std::vector<std::string> exch;
  for (int i = 1; i <= 4; ++i) {
    const std::string id = "f" + std::to_string(i);
    exch.push_back(new_order(id));
    EXPECT_EQ(apply(ExchangeReportReceived{Fill(exch.back(), "E-f" + id, 100,
                                                100, 100)})
                  .size(),
              1u);
  }
  // f1 and f2 finished first: gone. f3, f4 and the open order remain.
  std::vector<std::string> left;
  for (const OrderSnapshot& s : router.Orders()) left.push_back(s.cl_ord_id);
  EXPECT_EQ(left, (std::vector<std::string>{"open", "f3", "f4"}));
  EXPECT_FALSE(router.FindOrder(kS1, "f1"));
  EXPECT_TRUE(router.FindOrder(kS1, "f3"));
  EXPECT_FALSE(router.KnowsExecId("E-ff1"));
  EXPECT_TRUE(router.KnowsExecId("E-ff3"));
  EXPECT_EQ(router.CountOrders().open, 1u);

  // The evicted ClOrdID is still a duplicate, not a new order.
  EXPECT_TRUE(router.KnowsClOrdId(kS1, "f1"));
  JournalEvent again = router.DecideNewOrder(kS1, Limit("f1"));
  ASSERT_TRUE(std::holds_alternative<NewOrderRejected>(again));
  EXPECT_EQ(std::get<NewOrderRejected>(again).rejection.reason,
            OrdRejReason::kDuplicateOrder);
  // A kept finished order is too late to cancel; an evicted one is unknown.
  auto cancel_reason = [&](const std::string& orig) {
    JournalEvent e = router.DecideCancel(kS1, Cancel("c-" + orig, orig));
    EXPECT_TRUE(std::holds_alternative<CancelReplaceRejected>(e));
    return std::get<CancelReplaceRejected>(e).reject.reason;
  };
  EXPECT_EQ(cancel_reason("f3"), CxlRejReason::kTooLateToCancel);
  EXPECT_EQ(cancel_reason("f1"), CxlRejReason::kUnknownOrder);
  auto status = ToBrokerOnly<ExecutionReport>(
      apply(router.DecideStatus(kS1, StatusReq("f1"))));
  EXPECT_EQ(status.ord_rej_reason, OrdRejReason::kUnknownOrder);
  // A late report for the evicted order is ignored, not relayed.
  EXPECT_TRUE(apply(ExchangeReportReceived{Er(exch[0], "E-late",
                                               ExecType::kOrderStatus,
                                               OrdStatus::kFilled, 100, 100,
                                               0)})
                  .empty());
  // The open order still cancels.
  auto forwarded =
      ToExchangeOnly<CancelRequest>(apply(router.DecideCancel(kS1, Cancel("c", "open"))));
  EXPECT_EQ(forwarded.orig_cl_ord_id, open_id);
}

TEST_F(OrderRouterTest, KeepingNoFinishedOrderStillAnswersTheLastReport) {
  OrderRouter::Options options = Options();
  options.finished_orders_kept = 0;
  OrderRouter router(options, risk_.get());
  router.Apply(ExchangeSessionChanged{true}, At(1));
  router.Apply(router.DecideNewOrder(kS1, Limit("o1")), At(2));
  auto er = ToBrokerOnly<ExecutionReport>(
      router.Apply(ExchangeReportReceived{Fill("GW-1", "E1", 100, 100, 100)},
                   At(3)));
  EXPECT_EQ(er.cl_ord_id, "o1");
  EXPECT_EQ(er.ord_status, OrdStatus::kFilled);
  EXPECT_EQ(er.account, "ACC1");
  EXPECT_TRUE(router.Orders().empty());
  EXPECT_TRUE(router.KnowsClOrdId(kS1, "o1"));
}

// Random traffic decided with every order kept, applied to routers that
// keep 0, 3 and 50 finished orders: each holds exactly the open orders and
// the K that finished last, in the same state as in the full table; a
// router replaying the journal with the same K agrees; and no ClOrdID is
// forgotten.
TEST(OrderRouterReplayTest, EvictionKeepsExactlyTheOpenAndTheLastFinished) {
  for (size_t kept : {size_t{0}, size_t{3}, size_t{50}}) {
    for (uint32_t seed = 1; seed <= (kReplaySeeds + 2) / 3; ++seed) {
      SCOPED_TRACE("kept " + std::to_string(kept) + " seed " +
                   std::to_string(seed));
      auto risk = MaxQtyRisk(1000);
      OrderRouter::Options options;
      options.symbols = {"AAA", "BBB"};
      OrderRouter full(options, risk.get());
      std::vector<JournalEntry> journal = RunRandomTraffic(full, seed, 600);

      // The full table again, step by step, to see when each order (by its
      // place in Orders(), which never changes there) finishes.
      auto risk_t = MaxQtyRisk(1000);
      OrderRouter tracker(options, risk_t.get());
      options.finished_orders_kept = kept;
      auto risk_a = MaxQtyRisk(1000);
      auto risk_b = MaxQtyRisk(1000);
      OrderRouter bounded(options, risk_a.get());
      OrderRouter replayed(options, risk_b.get());
      std::vector<bool> terminal;
      std::vector<size_t> finish_order;  // places in Orders(), as finished
      for (const JournalEntry& entry : journal) {
        tracker.Apply(entry.event, entry.at);
        bounded.Apply(entry.event, entry.at);
        replayed.Apply(entry.event, entry.at);
        std::vector<OrderSnapshot> now = tracker.Orders();
        terminal.resize(now.size(), false);
        for (size_t i = 0; i < now.size(); ++i) {
          const bool t = IsTerminal(now[i].status);
          if (t && !terminal[i]) finish_order.push_back(i);
          terminal[i] = t;
        }
      }
      std::vector<OrderSnapshot> all = full.Orders();
      std::set<size_t> want_places;
      for (size_t i = 0; i < all.size(); ++i) {
        if (!IsTerminal(all[i].status)) want_places.insert(i);
      }
      for (size_t n = 0; n < std::min(kept, finish_order.size()); ++n) {
        want_places.insert(finish_order[finish_order.size() - 1 - n]);
      }
      std::vector<std::string> want, got, again;
      for (size_t i : want_places) want.push_back(Describe(all[i]));
      for (const OrderSnapshot& s : bounded.Orders()) got.push_back(Describe(s));
      for (const OrderSnapshot& s : replayed.Orders()) {
        again.push_back(Describe(s));
      }
      EXPECT_EQ(got, want);
      EXPECT_EQ(again, got);
      if (kept == 0) {
        EXPECT_LT(got.size(), all.size());
      }
      for (const SessionKey& session : {kS1, kS2}) {
        for (int i = 0; i <= 400; ++i) {
          const std::string id = "c" + std::to_string(i);
          EXPECT_EQ(bounded.KnowsClOrdId(session, id),
                    full.KnowsClOrdId(session, id))
              << id;
        }
      }
    }
  }
}

TEST(OrderRouterReplayTest, RandomTrafficCoversEveryEventKind) {
  auto risk = MaxQtyRisk(1000);
  OrderRouter::Options options;
  options.symbols = {"AAA", "BBB"};
  OrderRouter router(options, risk.get());
  std::map<std::string, int> kinds;
  std::map<char, int> exec_types;
  std::map<int, int> cxl_reasons;
  int replaces = 0;
  for (const JournalEntry& e : RunRandomTraffic(router, 7, 3000)) {
    ++kinds[std::string(KindName(e.event))];
    if (const auto* f = std::get_if<CancelReplaceForwarded>(&e.event)) {
      replaces += f->is_replace ? 1 : 0;
    }
    if (const auto* r = std::get_if<ExchangeReportReceived>(&e.event)) {
      ++exec_types[ToFix(r->report.exec_type)];
    }
    if (const auto* r = std::get_if<CancelReplaceRejected>(&e.event)) {
      ++cxl_reasons[ToFix(r->reject.reason)];
    }
  }
  std::set<OrdStatus> statuses;
  for (const OrderSnapshot& s : router.Orders()) statuses.insert(s.status);
  EXPECT_EQ(kinds.size(), 8u);
  EXPECT_GT(replaces, 10);
  EXPECT_GT(kinds["CancelReplaceForwarded"] - replaces, 10);
  EXPECT_GT(kinds["ExchangeCancelRejectReceived"], 5);
  for (char t : {'0', '4', '5', '8', 'F'}) EXPECT_GT(exec_types[t], 5) << t;
  for (CxlRejReason r :
       {CxlRejReason::kTooLateToCancel, CxlRejReason::kUnknownOrder,
        CxlRejReason::kBrokerOption, CxlRejReason::kAlreadyPending,
        CxlRejReason::kDuplicateClOrdId}) {
    EXPECT_GT(cxl_reasons[ToFix(r)], 0) << ToFix(r);
  }
  for (OrdStatus st : {OrdStatus::kPartiallyFilled, OrdStatus::kFilled,
                       OrdStatus::kCanceled, OrdStatus::kRejected}) {
    EXPECT_TRUE(statuses.contains(st)) << ToFix(st);
  }
}

}  // namespace
}  // namespace fixgw::gw

namespace fixgw::gw {
namespace {

// ---- counts for metrics and the shutdown drain ----------------------------

TEST_F(OrderRouterTest, CountsOpenOrdersAndThoseAwaitingTheExchange) {
  SetExchange(true);
  EXPECT_EQ(router_.CountOrders().open, 0u);
  New(kS1, Limit("o1"));  // forwarded, not acknowledged
  OrderRouter::OrderCounts c = router_.CountOrders();
  EXPECT_EQ(c.open, 1u);
  EXPECT_EQ(c.awaiting_exchange, 1u);
  FromExchange(Er("GW-1", "E1", ExecType::kNew, OrdStatus::kNew, 100, 0, 100));
  c = router_.CountOrders();
  EXPECT_EQ(c.open, 1u);
  EXPECT_EQ(c.awaiting_exchange, 0u);
  CancelOrder(kS1, Cancel("c1", "o1"));  // a cancel pending
  EXPECT_EQ(router_.CountOrders().awaiting_exchange, 1u);
  FromExchange(Er("GW-2", "E2", ExecType::kCanceled, OrdStatus::kCanceled, 100,
                  0, 0, "GW-1"));
  c = router_.CountOrders();
  EXPECT_EQ(c.open, 0u);
  EXPECT_EQ(c.awaiting_exchange, 0u);
  Apply(RejectedNew(kS1, Limit("big", 5000)));  // refused: never open
  EXPECT_EQ(router_.CountOrders().open, 0u);
}

// ---- OrderMassCancelRequest (35=q) ------------------------------------------

MassCancelRequest MassCancel(const std::string& cl_ord_id, char type,
                             const std::string& symbol = "") {
  MassCancelRequest q;
  q.cl_ord_id = cl_ord_id;
  q.req_type = type;
  q.symbol = symbol;
  q.transact_time = At(45);
  return q;
}

class MassCancelTest : public OrderRouterTest {
 protected:
  MassCancelRequested Decide(const SessionKey& session,
                             const MassCancelRequest& q) {
    JournalEvent e = router_.DecideMassCancel(session, q);
    EXPECT_TRUE(std::holds_alternative<MassCancelRequested>(e));
    if (!std::holds_alternative<MassCancelRequested>(e)) return {};
    return std::get<MassCancelRequested>(e);
  }
  // The report an applied event sends first, to `session`.
  static MassCancelReport Report(const std::vector<Action>& actions,
                                 const SessionKey& session = kS1) {
    EXPECT_FALSE(actions.empty());
    if (actions.empty()) return {};
    const auto* to = std::get_if<ToBroker>(&actions[0]);
    EXPECT_NE(to, nullptr);
    if (to == nullptr) return {};
    EXPECT_EQ(to->session, session);
    EXPECT_TRUE(std::holds_alternative<MassCancelReport>(to->message));
    if (!std::holds_alternative<MassCancelReport>(to->message)) return {};
    return std::get<MassCancelReport>(to->message);
  }
  // The cancels an applied event sends to the exchange, in order.
  static std::vector<CancelRequest> Cancels(
      const std::vector<Action>& actions) {
    std::vector<CancelRequest> out;
    for (const Action& a : actions) {
      if (const auto* x = std::get_if<ToExchange>(&a)) {
        out.push_back(std::get<CancelRequest>(x->message));
      }
    }
    return out;
  }
  void Ack(const std::string& exch_id, int64_t qty = 100) {
    FromExchange(Er(exch_id, "E-ack-" + exch_id, ExecType::kNew,
                    OrdStatus::kNew, qty, 0, qty));
  }
};

TEST_F(MassCancelTest, BySymbolCancelsThatSymbolsOpenOrdersOfTheSessionOnly) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  New(kS1, Limit("o2", 100, "10.5", "BBB"));  // GW-2
  Ack("GW-2");
  New(kS2, Limit("o1"));  // GW-3: same ClOrdID and symbol, other session
  Ack("GW-3");

  MassCancelRequested e = Decide(kS1, MassCancel("m1", '1', "AAA"));
  EXPECT_FALSE(e.reject_reason.has_value()) << e.text;
  ASSERT_EQ(e.cancels.size(), 1u);
  EXPECT_EQ(e.cancels[0].cancel,
            (GatewayCancel{"GW-1", "GW-4"}));
  EXPECT_EQ(e.cancels[0].orig_cl_ord_id, "o1");
  EXPECT_EQ(e.cancels[0].order_id, "EX-O1");

  std::vector<Action> out = Apply(e);
  ASSERT_EQ(out.size(), 2u) << Describe(out);
  MassCancelReport r = Report(out);
  EXPECT_EQ(r.cl_ord_id, "m1");
  EXPECT_EQ(r.order_id, e.order_id);
  EXPECT_EQ(r.req_type, '1');
  EXPECT_EQ(r.response, '1');
  EXPECT_FALSE(r.reject_reason.has_value());
  ASSERT_EQ(r.affected.size(), 1u);
  EXPECT_EQ(r.affected[0], (MassCancelReport::Affected{"o1", "EX-O1"}));
  std::vector<CancelRequest> cancels = Cancels(out);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].cl_ord_id, "GW-4");
  EXPECT_EQ(cancels[0].orig_cl_ord_id, "GW-1");
  EXPECT_EQ(cancels[0].symbol, "AAA");

  // The exchange confirms: the broker gets an unsolicited cancel naming the
  // request, and the order's reservation is released.
  ASSERT_TRUE(risk_->state().orders.contains("GW-1"));
  ExecutionReport canceled = ToBrokerOnly<ExecutionReport>(FromExchange(
      Er("GW-4", "E-c1", ExecType::kCanceled, OrdStatus::kCanceled, 100, 0, 0,
         "GW-1")));
  EXPECT_EQ(canceled.cl_ord_id, "o1");
  EXPECT_EQ(canceled.orig_cl_ord_id, "");
  EXPECT_NE(canceled.text.find("'m1'"), std::string::npos) << canceled.text;
  EXPECT_FALSE(risk_->state().orders.contains("GW-1"));

  // BBB of the same session and everything of the other session untouched.
  EXPECT_EQ(router_.FindOrder(kS1, "o2")->status, OrdStatus::kNew);
  EXPECT_FALSE(router_.FindOrder(kS1, "o2")->cancel_pending);
  EXPECT_EQ(router_.FindOrder(kS2, "o1")->status, OrdStatus::kNew);
  EXPECT_FALSE(router_.FindOrder(kS2, "o1")->cancel_pending);
  EXPECT_TRUE(risk_->state().orders.contains("GW-3"));
}

TEST_F(MassCancelTest, AllOrdersNarrowedByAccountAndSide) {
  SetExchange(true);
  NewOrder a1 = Limit("o1");
  NewOrder a2 = Limit("o2");
  a2.account = "ACC2";
  NewOrder a2_sell = Limit("o3");
  a2_sell.account = "ACC2";
  a2_sell.side = Side::kSell;
  New(kS1, a1);       // GW-1
  New(kS1, a2);       // GW-2
  New(kS1, a2_sell);  // GW-3
  New(kS2, a2);       // GW-4: ACC2 on the other session

  MassCancelRequest q = MassCancel("m1", '7');
  q.account = "ACC2";
  q.side = Side::kBuy;
  MassCancelRequested e = Decide(kS1, q);
  ASSERT_EQ(e.cancels.size(), 1u);
  EXPECT_EQ(e.cancels[0].orig_cl_ord_id, "o2");

  q = MassCancel("m2", '7');
  q.account = "ACC2";
  e = Decide(kS1, q);
  ASSERT_EQ(e.cancels.size(), 2u);
  EXPECT_EQ(e.cancels[0].orig_cl_ord_id, "o2");
  EXPECT_EQ(e.cancels[1].orig_cl_ord_id, "o3");
  EXPECT_EQ(e.cancels[1].cancel.exch_cl_ord_id, "GW-6");

  e = Decide(kS1, MassCancel("m3", '7'));
  ASSERT_EQ(e.cancels.size(), 3u);
  std::vector<Action> out = Apply(e);
  EXPECT_EQ(Report(out).affected.size(), 3u);
  EXPECT_EQ(Report(out).response, '7');
  EXPECT_EQ(Cancels(out).size(), 3u);
  EXPECT_FALSE(router_.FindOrder(kS2, "o2")->cancel_pending);
}

TEST_F(MassCancelTest, SkipsOrdersWithACancelOrReplacePendingIncludesUnacked) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  LiveOrder(kS1, "o2", "GW-2");
  CancelOrder(kS1, Cancel("c1", "o1"));         // GW-3 pending
  ReplaceOrder(kS1, Replace("r2", "o2", 200));  // GW-4 pending
  New(kS1, Limit("o3"));                        // GW-5, not acknowledged

  MassCancelRequested e = Decide(kS1, MassCancel("m1", '7'));
  ASSERT_EQ(e.cancels.size(), 1u);
  EXPECT_EQ(e.cancels[0].orig_cl_ord_id, "o3");
  EXPECT_EQ(e.cancels[0].order_id, "");  // no OrderID yet
  std::vector<Action> out = Apply(e);
  MassCancelReport r = Report(out);
  ASSERT_EQ(r.affected.size(), 1u);
  EXPECT_EQ(r.affected[0], (MassCancelReport::Affected{"o3", ""}));
  ASSERT_EQ(Cancels(out).size(), 1u);
  EXPECT_EQ(Cancels(out)[0].orig_cl_ord_id, "GW-5");
  EXPECT_TRUE(router_.FindOrder(kS1, "o3")->cancel_pending);

  // A second request finds nothing left to cancel.
  out = Apply(Decide(kS1, MassCancel("m2", '7')));
  ASSERT_EQ(out.size(), 1u) << Describe(out);
  EXPECT_EQ(Report(out).response, '7');
  EXPECT_TRUE(Report(out).affected.empty());
}

TEST_F(MassCancelTest, NothingOpenAnswersZeroAffectedOrders) {
  SetExchange(true);
  New(kS2, Limit("p1"));  // another session's order is not counted
  LiveOrder(kS1, "o1", "GW-2");
  FromExchange(Er("GW-2", "E-f", ExecType::kCanceled, OrdStatus::kCanceled,
                  100, 0, 0));
  std::vector<Action> out = Apply(Decide(kS1, MassCancel("m1", '7')));
  ASSERT_EQ(out.size(), 1u) << Describe(out);
  MassCancelReport r = Report(out);
  EXPECT_EQ(r.response, '7');
  EXPECT_TRUE(r.affected.empty());
  EXPECT_FALSE(r.reject_reason.has_value());
  EXPECT_FALSE(router_.FindOrder(kS2, "p1")->cancel_pending);
}

TEST_F(MassCancelTest, RefusesWhatItCannotHonourAndCancelsNothing) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  struct Case {
    MassCancelRequest q;
    int reason;
    const char* text;
  };
  const std::vector<Case> cases = {
      {MassCancel("m1", '3'), 0, "MassCancelRequestType '3' is not supported"},
      {MassCancel("m1", '6'), 0, "MassCancelRequestType '6' is not supported"},
      {MassCancel("m1", '1', "ZZZ"), 1, "unknown symbol 'ZZZ'"},
      {MassCancel("m1", '1'), 1, "needs a Symbol"},
      {MassCancel("o1", '7'), 99, "duplicate ClOrdID 'o1'"},
      {MassCancel("", '7'), 99, "ClOrdID is empty"},
  };
  for (const Case& c : cases) {
    MassCancelRequested e = Decide(kS1, c.q);
    ASSERT_TRUE(e.reject_reason.has_value()) << c.text;
    EXPECT_EQ(*e.reject_reason, c.reason) << c.text;
    EXPECT_NE(e.text.find(c.text), std::string::npos) << e.text;
    EXPECT_TRUE(e.cancels.empty());
  }
  std::vector<Action> out = Apply(Decide(kS1, MassCancel("m1", '3')));
  ASSERT_EQ(out.size(), 1u) << Describe(out);
  MassCancelReport r = Report(out);
  EXPECT_EQ(r.response, '0');
  EXPECT_EQ(r.req_type, '3');
  EXPECT_EQ(r.reject_reason, std::optional<int>(0));
  EXPECT_FALSE(r.text.empty());
  EXPECT_FALSE(router_.FindOrder(kS1, "o1")->cancel_pending);
  // Its ClOrdID is used now: a resend is recognised, a reuse refused.
  EXPECT_TRUE(router_.KnowsClOrdId(kS1, "m1"));
  EXPECT_EQ(Decide(kS1, MassCancel("m1", '7')).reject_reason,
            std::optional<int>(99));

  SetExchange(false);
  MassCancelRequested down = Decide(kS1, MassCancel("m2", '7'));
  EXPECT_EQ(down.reject_reason, std::optional<int>(99));
  EXPECT_NE(down.text.find("exchange session is down"), std::string::npos);
}

TEST_F(MassCancelTest, AnEngagedKillSwitchDoesNotStopIt) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  // A kill switch on another account: it blocks new orders, not cancels.
  Apply(router_.DecideKillSwitch(
      risk::KillScope{risk::KillScope::Kind::kAccount, "ACC9"}, true, "t", ""));
  MassCancelRequested e = Decide(kS1, MassCancel("m1", '7'));
  EXPECT_FALSE(e.reject_reason.has_value());
  EXPECT_EQ(e.cancels.size(), 1u);
}

TEST_F(MassCancelTest, ReplayingTheJournaledEventRebuildsTheSameState) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  New(kS1, Limit("o2"));
  // Rebuild what the test applied so far, then the mass cancel, in a fresh
  // router from the encoded events.
  OrderRouter replica(Options(), nullptr);
  replica.Apply(ExchangeSessionChanged{true}, At(1));
  replica.Apply(replica.DecideNewOrder(kS1, Limit("o1")), At(2));
  replica.Apply(ExchangeReportReceived{Er("GW-1", "E-ack-GW-1", ExecType::kNew,
                                          OrdStatus::kNew, 100, 0, 100)},
                At(3));
  replica.Apply(replica.DecideNewOrder(kS1, Limit("o2")), At(4));
  MassCancelRequested e = Decide(kS1, MassCancel("m1", '7'));
  std::vector<Action> live = Apply(e);
  Result<JournalEvent> decoded = DecodeEvent(EncodeEvent(e));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  std::vector<Action> replayed = replica.Apply(*decoded, last_at_);
  EXPECT_EQ(Describe(replayed), Describe(live));
  // Applied twice (a corrupt journal), the cancels are not sent again.
  std::vector<Action> again = replica.Apply(*decoded, last_at_);
  EXPECT_TRUE(Cancels(again).empty());
}

// ---- cancel-on-disconnect ---------------------------------------------------

class CancelOnDisconnectTest : public MassCancelTest {
 protected:
  CancelOnDisconnectFired Decide(const SessionKey& session,
                                 const std::string& reason = "disconnect",
                                 int64_t delay = 5) {
    Result<JournalEvent> e =
        router_.DecideCancelOnDisconnect(session, reason, delay);
    EXPECT_TRUE(e.ok()) << e.status().message();
    if (!e.ok()) return {};
    EXPECT_TRUE(std::holds_alternative<CancelOnDisconnectFired>(*e));
    if (!std::holds_alternative<CancelOnDisconnectFired>(*e)) return {};
    return std::get<CancelOnDisconnectFired>(*e);
  }
};

TEST_F(CancelOnDisconnectTest, CancelsEveryOpenOrderOfTheSessionOnly) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  New(kS1, Limit("o2", 100, "10.5", "BBB"));  // GW-2, not acknowledged
  LiveOrder(kS2, "o1", "GW-3");               // the other session's
  LiveOrder(kS1, "o4", "GW-4");
  FromExchange(Er("GW-4", "E-c4", ExecType::kCanceled, OrdStatus::kCanceled,
                  100, 0, 0));  // finished: nothing to cancel

  CancelOnDisconnectFired e = Decide(kS1, "logout", 5);
  EXPECT_EQ(e.session, kS1);
  EXPECT_EQ(e.reason, "logout");
  EXPECT_EQ(e.delay_seconds, 5);
  ASSERT_EQ(e.cancels.size(), 2u);
  EXPECT_EQ(e.cancels[0], (SessionOrderCancel{GatewayCancel{"GW-1", "GW-5"},
                                              "o1", "EX-O1"}));
  EXPECT_EQ(e.cancels[1], (SessionOrderCancel{GatewayCancel{"GW-2", "GW-6"},
                                              "o2", ""}));

  // Applied: one cancel per order to the exchange, nothing to the broker
  // (it is away).
  std::vector<Action> out = Apply(e);
  ASSERT_EQ(out.size(), 2u) << Describe(out);
  std::vector<CancelRequest> cancels = Cancels(out);
  ASSERT_EQ(cancels.size(), 2u);
  EXPECT_EQ(cancels[0].cl_ord_id, "GW-5");
  EXPECT_EQ(cancels[0].orig_cl_ord_id, "GW-1");
  EXPECT_EQ(cancels[0].order_id, "EX-O1");
  EXPECT_EQ(cancels[1].orig_cl_ord_id, "GW-2");
  EXPECT_EQ(cancels[1].symbol, "BBB");
  EXPECT_TRUE(router_.FindOrder(kS1, "o1")->cancel_pending);
  EXPECT_TRUE(router_.FindOrder(kS1, "o2")->cancel_pending);
  EXPECT_FALSE(router_.FindOrder(kS2, "o1")->cancel_pending);

  // Risk is released as each cancel is confirmed; the broker gets an
  // unsolicited cancel saying why.
  ASSERT_TRUE(risk_->state().orders.contains("GW-1"));
  ExecutionReport canceled = ToBrokerOnly<ExecutionReport>(FromExchange(
      Er("GW-5", "E-c1", ExecType::kCanceled, OrdStatus::kCanceled, 100, 0, 0,
         "GW-1")));
  EXPECT_EQ(canceled.cl_ord_id, "o1");
  EXPECT_EQ(canceled.orig_cl_ord_id, "");
  EXPECT_EQ(canceled.text, "canceled on disconnect (logout, not back within "
                           "5 s)");
  EXPECT_FALSE(risk_->state().orders.contains("GW-1"));
  EXPECT_TRUE(risk_->state().orders.contains("GW-2"));
  EXPECT_TRUE(risk_->state().orders.contains("GW-3"));
}

TEST_F(CancelOnDisconnectTest, IncludesPendingReplacesLeavesPendingCancels) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  LiveOrder(kS1, "o2", "GW-2");
  CancelOrder(kS1, Cancel("c1", "o1"));         // GW-3 pending
  ReplaceOrder(kS1, Replace("r2", "o2", 200));  // GW-4 pending

  CancelOnDisconnectFired e = Decide(kS1);
  // o1's own cancel is on its way; o2 is cancelled under the ID the
  // exchange knows it by until the replace is answered, with its OrderID.
  ASSERT_EQ(e.cancels.size(), 1u);
  EXPECT_EQ(e.cancels[0].orig_cl_ord_id, "o2");
  EXPECT_EQ(e.cancels[0].cancel.orig_exch_cl_ord_id, "GW-2");
  std::vector<Action> out = Apply(e);
  ASSERT_EQ(Cancels(out).size(), 1u);
  EXPECT_EQ(Cancels(out)[0].order_id, "EX-O1");

  // The replace is confirmed first, then the cancel: the order ends
  // canceled and the broker gets both reports.
  ExecutionReport replaced = ToBrokerOnly<ExecutionReport>(FromExchange(
      Er("GW-4", "E-r2", ExecType::kReplaced, OrdStatus::kNew, 200, 0, 200,
         "GW-2")));
  EXPECT_EQ(replaced.cl_ord_id, "r2");
  ExecutionReport canceled = ToBrokerOnly<ExecutionReport>(FromExchange(
      Er("GW-5", "E-c2", ExecType::kCanceled, OrdStatus::kCanceled, 200, 0, 0,
         "GW-4")));
  EXPECT_EQ(canceled.cl_ord_id, "r2");
  EXPECT_EQ(router_.FindOrder(kS1, "r2")->status, OrdStatus::kCanceled);
  EXPECT_FALSE(risk_->state().orders.contains("GW-2"));
}

TEST_F(CancelOnDisconnectTest, DecidedAgainCancelsNothingTwice) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  std::vector<Action> first = Apply(Decide(kS1));
  ASSERT_EQ(Cancels(first).size(), 1u);
  // A restart while the cancel is pending re-arms the session: the order
  // has a cancel pending, so the second decision holds none.
  CancelOnDisconnectFired again = Decide(kS1, "restart");
  EXPECT_TRUE(again.cancels.empty());
  EXPECT_TRUE(Apply(again).empty());
}

TEST_F(CancelOnDisconnectTest, WaitsWhileTheExchangeCannotTakeCancels) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  SetExchange(false);
  Result<JournalEvent> down =
      router_.DecideCancelOnDisconnect(kS1, "disconnect", 0);
  ASSERT_FALSE(down.ok());
  EXPECT_NE(down.status().message().find("down"), std::string::npos);
  EXPECT_FALSE(router_.FindOrder(kS1, "o1")->cancel_pending);
  SetExchange(true);
  EXPECT_EQ(Decide(kS1).cancels.size(), 1u);
}

TEST_F(CancelOnDisconnectTest, AppliesOnlyToTheNamedSessionsOrders) {
  SetExchange(true);
  LiveOrder(kS2, "p1", "GW-1");
  // A journal naming another session's order (corrupt) is not obeyed, and
  // the IDs it assigned are still consumed.
  CancelOnDisconnectFired e{kS1, "disconnect", 0,
                            {{GatewayCancel{"GW-1", "GW-2"}, "p1", ""}}};
  EXPECT_TRUE(Apply(e).empty());
  EXPECT_FALSE(router_.FindOrder(kS2, "p1")->cancel_pending);
  New(kS1, Limit("o1"));
  EXPECT_EQ(router_.FindOrder(kS1, "o1")->exch_cl_ord_id, "GW-3");
}

TEST_F(CancelOnDisconnectTest, ReplayingTheJournaledEventRebuildsTheSameState) {
  SetExchange(true);
  LiveOrder(kS1, "o1", "GW-1");
  OrderRouter replica(Options(), nullptr);
  replica.Apply(ExchangeSessionChanged{true}, At(1));
  replica.Apply(replica.DecideNewOrder(kS1, Limit("o1")), At(2));
  replica.Apply(ExchangeReportReceived{Er("GW-1", "E-ack-GW-1", ExecType::kNew,
                                          OrdStatus::kNew, 100, 0, 100)},
                At(3));
  CancelOnDisconnectFired e = Decide(kS1, "restart", 30);
  std::vector<Action> live = Apply(e);
  Result<JournalEvent> decoded = DecodeEvent(EncodeEvent(e));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  std::vector<Action> replayed = replica.Apply(*decoded, last_at_);
  EXPECT_EQ(Describe(replayed), Describe(live));
  // Applied twice (a corrupt journal), the cancel is not sent again.
  EXPECT_TRUE(replica.Apply(*decoded, last_at_).empty());
}

}  // namespace
}  // namespace fixgw::gw
