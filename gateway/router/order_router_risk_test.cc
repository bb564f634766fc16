// The router driving the risk engine: checks on the decision, state moved
// only by applied events, kill-switch cancels, limits from the journal.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "gateway/router/order_router.h"
#include "gateway/router/state_report.h"

namespace fixgw::gw {
namespace {

const SessionKey kS1 = "FIX.4.4:GW->BROKER1";
const SessionKey kS2 = "FIX.4.4:GW->BROKER2";

constexpr const char* kLimits = R"(
[defaults.account]
max_long = 100000
[accounts.ACC1]
cash = "10000"
[accounts.ACC2]
cash = "5000"
short_selling = true
max_short = 50
max_short_qty = 50
[symbols.AAA]
reference_price = "10"
collar_bps = 1000
[sessions."FIX.4.4:GW->BROKER1"]
allowed_accounts = ["ACC1"]
[sessions."FIX.4.4:GW->BROKER2"]
allowed_accounts = ["ACC2"]
)";

Price Px(const char* text) { return *ParsePrice(text); }

NewOrder Buy(const std::string& id, int64_t qty, const char* px,
             const std::string& account = "ACC1") {
  NewOrder o;
  o.cl_ord_id = id;
  o.account = account;
  o.symbol = "AAA";
  o.side = Side::kBuy;
  o.ord_type = OrdType::kLimit;
  o.qty = Qty(qty);
  o.price = Px(px);
  return o;
}

ReplaceRequest ReplaceOf(const std::string& id, const std::string& orig,
                         int64_t qty, const char* px) {
  ReplaceRequest r;
  r.cl_ord_id = id;
  r.orig_cl_ord_id = orig;
  r.symbol = "AAA";
  r.side = Side::kBuy;
  r.ord_type = OrdType::kLimit;
  r.qty = Qty(qty);
  r.price = Px(px);
  return r;
}

ExecutionReport Report(const std::string& exch_id, const std::string& exec_id,
                       ExecType type, OrdStatus status, int64_t qty,
                       int64_t cum, int64_t leaves) {
  ExecutionReport r;
  r.order_id = "EX-" + exch_id;
  r.cl_ord_id = exch_id;
  r.exec_id = exec_id;
  r.exec_type = type;
  r.ord_status = status;
  r.symbol = "AAA";
  r.side = Side::kBuy;
  r.order_qty = Qty(qty);
  r.cum_qty = Qty(cum);
  r.leaves_qty = Qty(leaves);
  return r;
}

// A trade of `last` at `px` on exchange ClOrdID `id` (ExecID `exec_id`).
ExecutionReport Fill(const std::string& id, const std::string& exec_id,
                     int64_t qty, int64_t cum, int64_t last, const char* px) {
  ExecutionReport r =
      Report(id, exec_id, ExecType::kTrade,
             cum == qty ? OrdStatus::kFilled : OrdStatus::kPartiallyFilled, qty,
             cum, qty - cum);
  r.last_qty = Qty(last);
  r.last_px = Px(px);
  return r;
}

class RouterRiskTest : public ::testing::Test {
 protected:
  RouterRiskTest() {
    Apply(RiskLimitsLoaded{"risk.toml", kLimits});
    Apply(ExchangeSessionChanged{true});
  }

  std::vector<Action> Apply(const JournalEvent& e) {
    now_ += std::chrono::milliseconds(1);
    journal_.push_back({e, now_});
    return router_.Apply(e, now_);
  }
  JournalEvent NewOrderEvent(const SessionKey& s, const NewOrder& o) {
    return router_.DecideNewOrder(s, o, now_);
  }
  // Accepted and acknowledged; returns the exchange ClOrdID.
  std::string Live(const SessionKey& s, const NewOrder& o) {
    JournalEvent e = NewOrderEvent(s, o);
    EXPECT_TRUE(std::holds_alternative<NewOrderAccepted>(e)) << EncodeEvent(e);
    if (!std::holds_alternative<NewOrderAccepted>(e)) return "";
    const std::string id = std::get<NewOrderAccepted>(e).exch_cl_ord_id;
    Apply(e);
    Apply(ExchangeReportReceived{Report(id, "A-" + id, ExecType::kNew,
                                        OrdStatus::kNew, o.qty.units(), 0,
                                        o.qty.units())});
    return id;
  }
  const risk::AccountState& Acc(const std::string& a) {
    return risk_.state().accounts.at(a);
  }

  risk::RiskEngine risk_{risk::RiskLimits{}};
  OrderRouter router_{OrderRouter::Options{}, &risk_};
  Timestamp now_ = Timestamp(std::chrono::seconds(1'800'000'000));
  struct Entry {
    JournalEvent event;
    Timestamp at;
  };
  std::vector<Entry> journal_;
};

TEST_F(RouterRiskTest, LimitsComeFromTheJournaledRiskFile) {
  EXPECT_NE(risk_.limits().Symbol("AAA"), nullptr);
  EXPECT_EQ(risk_.Cash("ACC1").micros(), 10'000'000'000);
}

TEST_F(RouterRiskTest, BuyBeyondBuyingPowerIsRejectedWithTheNumbers) {
  JournalEvent e = NewOrderEvent(kS1, Buy("o1", 1000, "10.5"));
  ASSERT_TRUE(std::holds_alternative<NewOrderRejected>(e));
  const auto& r = std::get<NewOrderRejected>(e);
  EXPECT_EQ(r.rejection.reason, OrdRejReason::kOrderExceedsLimit);
  EXPECT_EQ(r.rejection.text,
            "buying power: need 10500.00, available 10000.00");
  // A rejected order sends nothing to the exchange and reserves nothing.
  std::vector<Action> out = Apply(e);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ToBroker>(out[0]));
  EXPECT_EQ(risk_.AvailableCash("ACC1").micros(), 10'000'000'000);
}

TEST_F(RouterRiskTest, AcceptedOrderReservesAndFillMovesCashAndPosition) {
  const std::string id = Live(kS1, Buy("o1", 500, "10"));
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 5'000'000'000);
  ExecutionReport fill = Report(id, "F1", ExecType::kTrade,
                                OrdStatus::kPartiallyFilled, 500, 200, 300);
  fill.last_qty = Qty(200);
  fill.last_px = Px("9.5");
  Apply(ExchangeReportReceived{fill});
  EXPECT_EQ(risk_.Exposure("ACC1", "AAA").position, Qty(200));
  EXPECT_EQ(risk_.Cash("ACC1").micros(), 8'100'000'000);       // 10000-1900
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 3'000'000'000);     // 300 x 10
  // The next order sees the new cash: 5100 available, 511 x 10 is too much.
  EXPECT_TRUE(std::holds_alternative<NewOrderAccepted>(
      NewOrderEvent(kS1, Buy("o2", 510, "10"))));
  JournalEvent e = NewOrderEvent(kS1, Buy("o2", 511, "10"));
  ASSERT_TRUE(std::holds_alternative<NewOrderRejected>(e));
  EXPECT_EQ(std::get<NewOrderRejected>(e).rejection.text,
            "buying power: need 5110.00, available 5100.00");
  // Canceled: the remainder is released.
  Apply(ExchangeReportReceived{Report(id, "C1", ExecType::kCanceled,
                                      OrdStatus::kCanceled, 500, 200, 0)});
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 0);
  EXPECT_EQ(Acc("ACC1").open_orders, 0);
}

TEST_F(RouterRiskTest, SessionMayTradeOnlyItsEntitledAccounts) {
  JournalEvent e = NewOrderEvent(kS1, Buy("o1", 10, "10", "ACC2"));
  ASSERT_TRUE(std::holds_alternative<NewOrderRejected>(e));
  EXPECT_EQ(std::get<NewOrderRejected>(e).rejection.text,
            "entitlement: session FIX.4.4:GW->BROKER1 may not trade account "
            "ACC2");
  EXPECT_TRUE(std::holds_alternative<NewOrderAccepted>(
      NewOrderEvent(kS2, Buy("o1", 10, "10", "ACC2"))));
}

TEST_F(RouterRiskTest, PendingReplaceHoldsTheWorseTermsUntilTheAnswer) {
  const std::string id = Live(kS1, Buy("o1", 500, "10"));
  JournalEvent e = router_.DecideReplace(kS1, ReplaceOf("r1", "o1", 800, "9.5"),
                                         now_);
  ASSERT_TRUE(std::holds_alternative<CancelReplaceForwarded>(e))
      << EncodeEvent(e);
  const std::string new_id = std::get<CancelReplaceForwarded>(e).exch_cl_ord_id;
  Apply(e);
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 8'000'000'000);  // 800 x 10
  // The exchange refuses: back to 500 x 10.
  CancelReject reject;
  reject.cl_ord_id = new_id;
  reject.orig_cl_ord_id = id;
  reject.response_to = CxlRejResponseTo::kReplace;
  reject.reason = CxlRejReason::kTooLateToCancel;
  Apply(ExchangeCancelRejectReceived{reject});
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 5'000'000'000);

  // Again, confirmed this time: 800 x 9.5.
  e = router_.DecideReplace(kS1, ReplaceOf("r2", "o1", 800, "9.5"), now_);
  ASSERT_TRUE(std::holds_alternative<CancelReplaceForwarded>(e));
  const std::string id2 = std::get<CancelReplaceForwarded>(e).exch_cl_ord_id;
  Apply(e);
  ExecutionReport replaced = Report(id2, "R2", ExecType::kReplaced,
                                    OrdStatus::kNew, 800, 0, 800);
  replaced.orig_cl_ord_id = id;
  Apply(ExchangeReportReceived{replaced});
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 7'600'000'000);
  EXPECT_EQ(risk_.Exposure("ACC1", "AAA").open_buy, Qty(800));
  EXPECT_EQ(router_.risk_errors(), 0u) << router_.last_risk_error();
}

TEST_F(RouterRiskTest, ReplaceBeyondBuyingPowerIsRefused) {
  Live(kS1, Buy("o1", 500, "10"));
  JournalEvent e =
      router_.DecideReplace(kS1, ReplaceOf("r1", "o1", 1001, "10"), now_);
  ASSERT_TRUE(std::holds_alternative<CancelReplaceRejected>(e));
  EXPECT_EQ(std::get<CancelReplaceRejected>(e).reject.reason,
            CxlRejReason::kBrokerOption);
  EXPECT_EQ(std::get<CancelReplaceRejected>(e).reject.text,
            "buying power: need 10010.00, available 10000.00");
}

TEST_F(RouterRiskTest, KillSwitchCancelsTheScopeAndBlocksNewOrders) {
  const std::string a = Live(kS1, Buy("o1", 100, "10"));
  const std::string b = Live(kS1, Buy("o2", 100, "10"));
  Live(kS2, Buy("o1", 100, "10", "ACC2"));
  JournalEvent e = router_.DecideKillSwitch(
      risk::KillScope{risk::KillScope::Kind::kAccount, "ACC1"}, true,
      "admin 127.0.0.1", "runaway");
  const auto& k = std::get<KillSwitchChanged>(e);
  ASSERT_EQ(k.cancels.size(), 2u);
  EXPECT_EQ(k.cancels[0].orig_exch_cl_ord_id, a);
  EXPECT_EQ(k.cancels[1].orig_exch_cl_ord_id, b);
  std::vector<Action> out = Apply(e);
  ASSERT_EQ(out.size(), 2u);
  const auto& cancel =
      std::get<CancelRequest>(std::get<ToExchange>(out[0]).message);
  EXPECT_EQ(cancel.cl_ord_id, k.cancels[0].exch_cl_ord_id);
  EXPECT_EQ(cancel.orig_cl_ord_id, a);
  EXPECT_EQ(cancel.order_id, "EX-" + a);
  // With the order's quantity, which FIX 4.2 venues require on a cancel.
  EXPECT_EQ(cancel.extra, (FixFields{{38, "100"}}));

  // Blocked while engaged; other accounts trade on.
  JournalEvent blocked = NewOrderEvent(kS1, Buy("o3", 1, "10"));
  ASSERT_TRUE(std::holds_alternative<NewOrderRejected>(blocked));
  EXPECT_EQ(std::get<NewOrderRejected>(blocked).rejection.text,
            "kill switch engaged for account ACC1");
  EXPECT_TRUE(std::holds_alternative<NewOrderAccepted>(
      NewOrderEvent(kS2, Buy("o3", 1, "10", "ACC2"))));
  // A broker cancel of an order the kill switch is canceling: pending.
  CancelRequest mine;
  mine.cl_ord_id = "c1";
  mine.orig_cl_ord_id = "o1";
  JournalEvent refused = router_.DecideCancel(kS1, mine);
  ASSERT_TRUE(std::holds_alternative<CancelReplaceRejected>(refused));
  EXPECT_EQ(std::get<CancelReplaceRejected>(refused).reject.reason,
            CxlRejReason::kAlreadyPending);

  // The exchange cancels the first: the broker gets an unsolicited cancel.
  ExecutionReport canceled = Report(k.cancels[0].exch_cl_ord_id, "C-a",
                                    ExecType::kCanceled, OrdStatus::kCanceled,
                                    100, 0, 0);
  canceled.orig_cl_ord_id = a;
  out = Apply(ExchangeReportReceived{canceled});
  ASSERT_EQ(out.size(), 1u);
  const auto& to_broker = std::get<ToBroker>(out[0]);
  EXPECT_EQ(to_broker.session, kS1);
  const auto& er = std::get<ExecutionReport>(to_broker.message);
  EXPECT_EQ(er.cl_ord_id, "o1");
  EXPECT_EQ(er.orig_cl_ord_id, "");
  EXPECT_EQ(er.exec_type, ExecType::kCanceled);
  EXPECT_EQ(er.text, "canceled by kill switch (account ACC1): runaway");
  // It refuses the second (already filled, say): nothing for the broker.
  CancelReject too_late;
  too_late.cl_ord_id = k.cancels[1].exch_cl_ord_id;
  too_late.orig_cl_ord_id = b;
  too_late.reason = CxlRejReason::kTooLateToCancel;
  EXPECT_TRUE(Apply(ExchangeCancelRejectReceived{too_late}).empty());
  EXPECT_FALSE(router_.FindOrder(kS1, "o2")->cancel_pending);
  EXPECT_EQ(Acc("ACC1").open_orders, 1);

  // Engaging again retries the open one only; disengaging unblocks.
  JournalEvent again = router_.DecideKillSwitch(
      risk::KillScope{risk::KillScope::Kind::kAccount, "ACC1"}, true, "admin",
      "");
  EXPECT_EQ(std::get<KillSwitchChanged>(again).cancels.size(), 1u);
  Apply(router_.DecideKillSwitch(
      risk::KillScope{risk::KillScope::Kind::kAccount, "ACC1"}, false, "admin",
      ""));
  EXPECT_TRUE(std::holds_alternative<NewOrderAccepted>(
      NewOrderEvent(kS1, Buy("o3", 1, "10"))));
}

TEST_F(RouterRiskTest, KillSwitchWithTheExchangeDownSendsNothing) {
  Live(kS1, Buy("o1", 100, "10"));
  Apply(ExchangeSessionChanged{false});
  JournalEvent e = router_.DecideKillSwitch(
      risk::KillScope{risk::KillScope::Kind::kGlobal, ""}, true, "admin", "");
  EXPECT_TRUE(std::get<KillSwitchChanged>(e).cancels.empty());
  EXPECT_TRUE(Apply(e).empty());
  EXPECT_TRUE(risk_.state().kill.global);
}

TEST_F(RouterRiskTest, OperatorCancelsOneOrderAndTheBrokerHearsOfIt) {
  const std::string a = Live(kS1, Buy("o1", 100, "10"));
  const std::string b = Live(kS1, Buy("o2", 100, "10"));
  Result<JournalEvent> e = router_.DecideOperatorCancel(
      a, "admin token:ops from 127.0.0.1", "stuck");
  ASSERT_TRUE(e.ok()) << e.status().message();
  const auto& op = std::get<OperatorCancelRequested>(*e);
  EXPECT_EQ(op.cancel.orig_exch_cl_ord_id, a);
  EXPECT_NE(op.cancel.exch_cl_ord_id, a);
  EXPECT_NE(op.cancel.exch_cl_ord_id, b);
  std::vector<Action> out = Apply(*e);
  ASSERT_EQ(out.size(), 1u);
  const auto& cancel =
      std::get<CancelRequest>(std::get<ToExchange>(out[0]).message);
  EXPECT_EQ(cancel.cl_ord_id, op.cancel.exch_cl_ord_id);
  EXPECT_EQ(cancel.orig_cl_ord_id, a);
  EXPECT_EQ(cancel.extra, (FixFields{{38, "100"}}));
  EXPECT_TRUE(router_.FindOrder(kS1, "o1")->cancel_pending);
  EXPECT_FALSE(router_.FindOrder(kS1, "o2")->cancel_pending);

  // A second request while the first is pending is refused, not queued.
  Result<JournalEvent> twice = router_.DecideOperatorCancel(a, "admin", "");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), Status::Code::kFailedPrecondition);

  ExecutionReport canceled = Report(op.cancel.exch_cl_ord_id, "C-a",
                                    ExecType::kCanceled, OrdStatus::kCanceled,
                                    100, 0, 0);
  canceled.orig_cl_ord_id = a;
  out = Apply(ExchangeReportReceived{canceled});
  ASSERT_EQ(out.size(), 1u);
  const auto& to_broker = std::get<ToBroker>(out[0]);
  EXPECT_EQ(to_broker.session, kS1);
  const auto& er = std::get<ExecutionReport>(to_broker.message);
  EXPECT_EQ(er.cl_ord_id, "o1");
  EXPECT_EQ(er.orig_cl_ord_id, "");
  EXPECT_EQ(er.exec_type, ExecType::kCanceled);
  EXPECT_EQ(er.text, "canceled by the gateway operator: stuck");
  EXPECT_EQ(Acc("ACC1").open_orders, 1);

  // Finished, unknown, or the exchange down: refused with the reason.
  Result<JournalEvent> done = router_.DecideOperatorCancel(a, "admin", "");
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(done.status().message().find("nothing to cancel"),
            std::string::npos);
  Result<JournalEvent> unknown =
      router_.DecideOperatorCancel("GW-NOPE", "admin", "");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), Status::Code::kNotFound);
  Apply(ExchangeSessionChanged{false});
  Result<JournalEvent> down = router_.DecideOperatorCancel(b, "admin", "");
  ASSERT_FALSE(down.ok());
  EXPECT_NE(down.status().message().find("exchange session is down"),
            std::string::npos);
}

TEST_F(RouterRiskTest, ReplayOfTheJournalRebuildsRiskAndState) {
  const std::string id = Live(kS1, Buy("o1", 500, "10"));
  ExecutionReport fill = Report(id, "F1", ExecType::kTrade,
                                OrdStatus::kPartiallyFilled, 500, 100, 400);
  fill.last_qty = Qty(100);
  fill.last_px = Px("10.25");
  Apply(ExchangeReportReceived{fill});
  Apply(router_.DecideReplace(kS1, ReplaceOf("r1", "o1", 450, "9.9"), now_));
  Live(kS2, Buy("o1", 100, "10", "ACC2"));
  Apply(router_.DecideKillSwitch(
      risk::KillScope{risk::KillScope::Kind::kSession, kS2}, true, "admin",
      "test"));

  risk::RiskEngine replay_risk{risk::RiskLimits{}};
  OrderRouter replay(OrderRouter::Options{}, &replay_risk);
  for (const Entry& entry : journal_) {
    Result<JournalEvent> decoded = DecodeEvent(EncodeEvent(entry.event));
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    replay.Apply(*decoded, entry.at);
  }
  EXPECT_EQ(replay_risk.state(), risk_.state());
  EXPECT_EQ(replay_risk.limits(), risk_.limits());
  EXPECT_EQ(StateJson(replay, &replay_risk), StateJson(router_, &risk_));
  EXPECT_EQ(router_.risk_errors(), 0u) << router_.last_risk_error();
}

TEST_F(RouterRiskTest, StateJsonShowsOrdersAccountsAndSwitches) {
  Live(kS1, Buy("o1", 100, "10"));
  const std::string json = StateJson(router_, &risk_);
  EXPECT_NE(json.find(R"("cl_ord_id":"o1")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("ACC1":{"cash":"10000.00","available":"9000.00",)"
                      R"("reserved":"1000.00","open_orders":1,)"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("kill_switches":{"global":false)"), std::string::npos)
      << json;
  EXPECT_EQ(StateJson(router_, nullptr).find("accounts"), std::string::npos);
}

TEST_F(RouterRiskTest, UnparsableLimitsKeepTheOldOnesAndAreCounted) {
  const risk::RiskLimits before = risk_.limits();
  Apply(RiskLimitsLoaded{"risk.toml", "[symbols.AAA]\nbogus = 1\n"});
  EXPECT_EQ(risk_.limits(), before);
  EXPECT_EQ(router_.risk_errors(), 1u);
}

}  // namespace
}  // namespace fixgw::gw

namespace fixgw::gw {
namespace {

// ---- end-of-day rollover: JournalContinued -----------------------------

TEST_F(RouterRiskTest, ContinuationCarriesLimitsSwitchesPositionsAndIds) {
  // A day: 200 bought at 9.5 then the rest canceled; ACC2 switched off.
  const std::string id = Live(kS1, Buy("o1", 500, "10"));
  Apply(ExchangeReportReceived{Fill(id, "F1", 500, 200, 200, "9.5")});
  Apply(ExchangeReportReceived{Report(id, "C1", ExecType::kCanceled,
                                      OrdStatus::kCanceled, 500, 200, 0)});
  Apply(router_.DecideKillSwitch({risk::KillScope::Kind::kAccount, "ACC2"},
                                 true, "admin", "eod"));
  Apply(router_.DecideStatus(kS1, StatusRequest{"o1", "", "AAA", Side::kBuy}));
  Apply(ExchangeSessionChanged{false});

  const JournalContinued c =
      router_.DecideContinuation("day1.db", 42, std::string(64, 'e'));
  EXPECT_EQ(c.previous_file, "day1.db");
  EXPECT_EQ(c.previous_last_seq, 42);
  EXPECT_EQ(c.previous_last_hash, std::string(64, 'e'));
  EXPECT_EQ(c.risk_source, "risk.toml");
  EXPECT_EQ(c.risk_text, kLimits);
  EXPECT_EQ(c.kill_switches, (std::vector<risk::KillScope>{
                                 {risk::KillScope::Kind::kAccount, "ACC2"}}));
  ASSERT_EQ(c.accounts.size(), 1u);
  EXPECT_EQ(c.accounts[0].account, "ACC1");
  EXPECT_EQ(c.accounts[0].net_cash.micros(), -1'900'000'000);
  EXPECT_EQ(c.accounts[0].positions.at("AAA"), Qty(200));
  EXPECT_EQ(c.exch_ids, 1u);
  EXPECT_EQ(c.exec_ids, 1u);

  // The next day's gateway starts from that one event, through the journal
  // codec, and holds the same risk state.
  Result<JournalEvent> decoded = DecodeEvent(EncodeEvent(c));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  risk::RiskEngine next_risk{risk::RiskLimits{}};
  OrderRouter next(OrderRouter::Options{}, &next_risk);
  EXPECT_TRUE(next.Apply(*decoded, now_).empty());
  EXPECT_EQ(next.risk_errors(), 0u) << next.last_risk_error();
  EXPECT_EQ(next_risk.limits(), risk_.limits());
  EXPECT_EQ(next_risk.state().kill, risk_.state().kill);
  EXPECT_EQ(next_risk.state().accounts.at("ACC1"), Acc("ACC1"));
  EXPECT_EQ(next_risk.Cash("ACC1").micros(), 8'100'000'000);
  EXPECT_EQ(next.Orders().size(), 0u);

  // IDs continue: the next exchange ClOrdID and ExecID are new ones.
  next.Apply(ExchangeSessionChanged{true}, now_);
  JournalEvent order = next.DecideNewOrder(kS1, Buy("o1", 10, "10"), now_);
  ASSERT_TRUE(std::holds_alternative<NewOrderAccepted>(order))
      << EncodeEvent(order);
  EXPECT_EQ(std::get<NewOrderAccepted>(order).exch_cl_ord_id, "GW-2");
  JournalEvent refused =
      next.DecideNewOrder(kS2, Buy("b1", 10, "10", "ACC2"), now_);
  ASSERT_TRUE(std::holds_alternative<NewOrderRejected>(refused));
  EXPECT_EQ(std::get<NewOrderRejected>(refused).exec_id, "GW-X2");
  EXPECT_NE(
      std::get<NewOrderRejected>(refused).rejection.text.find("kill switch"),
      std::string::npos);
  // A position carried over counts: the sell of 200 is not a short sale.
  NewOrder sell = Buy("s1", 200, "10");
  sell.side = Side::kSell;
  EXPECT_TRUE(std::holds_alternative<NewOrderAccepted>(
      next.DecideNewOrder(kS1, sell, now_)));
  sell.qty = Qty(201);
  EXPECT_TRUE(std::holds_alternative<NewOrderRejected>(
      next.DecideNewOrder(kS1, sell, now_)));
}

TEST_F(RouterRiskTest, ContinuationIntoAnAccountWithOpenOrdersIsARiskError) {
  Live(kS1, Buy("o1", 10, "10"));
  JournalContinued c;
  c.accounts = {risk::CarriedAccount{"ACC1", Notional(), {{"AAA", Qty(5)}}}};
  router_.Apply(c, now_);
  EXPECT_EQ(router_.risk_errors(), 1u);
  EXPECT_NE(router_.last_risk_error().find("open order"), std::string::npos);
  EXPECT_EQ(risk_.Exposure("ACC1", "AAA").position, Qty(0));
}

}  // namespace
}  // namespace fixgw::gw

namespace fixgw::gw {
namespace {

// ---- every venue answer (FIX 4.4 ExecTypes, refusals) -----------------------

// The one message an Apply sent to a broker.
template <typename M>
M BrokerGets(const std::vector<Action>& out) {
  EXPECT_EQ(out.size(), 1u);
  if (out.size() != 1 || !std::holds_alternative<ToBroker>(out[0])) return M{};
  const auto& msg = std::get<ToBroker>(out[0]).message;
  if (!std::holds_alternative<M>(msg)) {
    ADD_FAILURE() << "unexpected message type";
    return M{};
  }
  return std::get<M>(msg);
}

TEST_F(RouterRiskTest, BustTakesTheFillBackAndReopensTheOrder) {
  const std::string id = Live(kS1, Buy("o1", 100, "10"));
  Apply(ExchangeReportReceived{Fill(id, "F1", 100, 100, 100, "9.5")});
  EXPECT_EQ(risk_.Exposure("ACC1", "AAA").position, Qty(100));
  EXPECT_EQ(risk_.Cash("ACC1").micros(), 9'050'000'000);
  EXPECT_EQ(Acc("ACC1").open_orders, 0);

  ExecutionReport bust = Report(id, "B1", ExecType::kTradeCancel,
                                OrdStatus::kNew, 100, 0, 100);
  bust.exec_ref_id = "F1";
  auto er = BrokerGets<ExecutionReport>(Apply(ExchangeReportReceived{bust}));
  EXPECT_EQ(er.exec_type, ExecType::kTradeCancel);
  EXPECT_EQ(er.exec_ref_id, "F1");
  EXPECT_EQ(er.cl_ord_id, "o1");
  // Cash and position are back; the order is open again and reserves.
  EXPECT_EQ(risk_.Exposure("ACC1", "AAA").position, Qty(0));
  EXPECT_EQ(risk_.Cash("ACC1").micros(), 10'000'000'000);
  EXPECT_EQ(Acc("ACC1").open_orders, 1);
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 1'000'000'000);
  EXPECT_EQ(router_.FindOrder(kS1, "o1")->status, OrdStatus::kNew);
  EXPECT_EQ(router_.risk_errors(), 0u) << router_.last_risk_error();
}

TEST_F(RouterRiskTest, CorrectionReplacesTheFillsPriceAndQuantity) {
  const std::string id = Live(kS1, Buy("o1", 100, "10"));
  Apply(ExchangeReportReceived{Fill(id, "F1", 100, 40, 40, "10")});
  ExecutionReport corr = Report(id, "C1", ExecType::kTradeCorrect,
                                OrdStatus::kPartiallyFilled, 100, 30, 70);
  corr.exec_ref_id = "F1";
  corr.last_qty = Qty(30);
  corr.last_px = Px("9");
  Apply(ExchangeReportReceived{corr});
  EXPECT_EQ(risk_.Exposure("ACC1", "AAA").position, Qty(30));
  EXPECT_EQ(risk_.Cash("ACC1").micros(), 9'730'000'000);  // 10000 - 270
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 700'000'000);  // 70 open x 10
  EXPECT_EQ(router_.risk_errors(), 0u) << router_.last_risk_error();
}

TEST_F(RouterRiskTest, DoneForDayExpiredAndRestatedReleaseWhatTheySay) {
  const std::string a = Live(kS1, Buy("o1", 100, "10"));
  const std::string b = Live(kS1, Buy("o2", 100, "10"));
  const std::string c = Live(kS1, Buy("o3", 100, "10"));
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 3'000'000'000);
  Apply(ExchangeReportReceived{Fill(a, "F1", 100, 20, 20, "10")});
  Apply(ExchangeReportReceived{Report(a, "D1", ExecType::kDoneForDay,
                                      OrdStatus::kDoneForDay, 100, 20, 0)});
  Apply(ExchangeReportReceived{
      Report(b, "X1", ExecType::kExpired, OrdStatus::kExpired, 100, 0, 0)});
  Apply(ExchangeReportReceived{
      Report(c, "R1", ExecType::kRestated, OrdStatus::kNew, 60, 0, 60)});
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 600'000'000);
  EXPECT_EQ(Acc("ACC1").open_orders, 1);
  EXPECT_EQ(router_.FindOrder(kS1, "o1")->status, OrdStatus::kDoneForDay);
  EXPECT_EQ(router_.FindOrder(kS1, "o3")->order_qty, Qty(60));
  EXPECT_EQ(router_.CountOrders().open, 1u);
}

TEST_F(RouterRiskTest, VenueRefusingAnOrderRejectsItForTheBroker) {
  JournalEvent e = NewOrderEvent(kS1, Buy("o1", 100, "10"));
  const std::string id = std::get<NewOrderAccepted>(e).exch_cl_ord_id;
  Apply(e);
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 1'000'000'000);
  JournalEvent refused = router_.DecideExchangeRefusal(
      id, 'D', "refused by the exchange (session Reject): bad tag");
  auto er = BrokerGets<ExecutionReport>(Apply(refused));
  EXPECT_EQ(er.exec_type, ExecType::kRejected);
  EXPECT_EQ(er.ord_status, OrdStatus::kRejected);
  EXPECT_EQ(er.cl_ord_id, "o1");
  EXPECT_EQ(er.ord_rej_reason, OrdRejReason::kOther);
  EXPECT_EQ(er.text, "refused by the exchange (session Reject): bad tag");
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 0);
  EXPECT_EQ(router_.CountOrders().awaiting_exchange, 0u);
  // A second refusal of the same order (a resent 35=j) changes nothing.
  EXPECT_TRUE(Apply(router_.DecideExchangeRefusal(id, 'D', "again")).empty());
}

TEST_F(RouterRiskTest, VenueRefusingAReplaceAnswersACancelRejectAndReleases) {
  Live(kS1, Buy("o1", 100, "10"));
  JournalEvent e =
      router_.DecideReplace(kS1, ReplaceOf("r1", "o1", 300, "10"), now_);
  const std::string rid = std::get<CancelReplaceForwarded>(e).exch_cl_ord_id;
  Apply(e);
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 3'000'000'000);
  auto cr = BrokerGets<CancelReject>(
      Apply(router_.DecideExchangeRefusal(rid, 'G', "venue says no")));
  EXPECT_EQ(cr.cl_ord_id, "r1");
  EXPECT_EQ(cr.orig_cl_ord_id, "o1");
  EXPECT_EQ(cr.response_to, CxlRejResponseTo::kReplace);
  EXPECT_EQ(cr.text, "venue says no");
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 1'000'000'000);
  EXPECT_FALSE(router_.FindOrder(kS1, "o1")->replace_pending);
}

TEST_F(RouterRiskTest, ExecIdsAreDeduplicatedPerOrderAndReusedOnesRelabelled) {
  const std::string a = Live(kS1, Buy("o1", 100, "10"));
  const std::string b = Live(kS1, Buy("o2", 100, "10"));
  ExecutionReport fa = Fill(a, "E1", 100, 10, 10, "10");
  ExecutionReport fb = Fill(b, "E1", 100, 10, 10, "10");
  EXPECT_EQ(router_.ClassifyReport(fa), OrderRouter::ReportFate::kApply);
  Apply(ExchangeReportReceived{fa});
  EXPECT_EQ(router_.ClassifyReport(fa), OrderRouter::ReportFate::kDuplicate);
  EXPECT_EQ(router_.ClassifyReport(fb), OrderRouter::ReportFate::kApply);
  EXPECT_EQ(router_.ExecIdReusedFrom(fb), a);
  auto er = BrokerGets<ExecutionReport>(Apply(ExchangeReportReceived{fb}));
  EXPECT_EQ(er.exec_id, "E1." + b);
  EXPECT_EQ(risk_.Exposure("ACC1", "AAA").position, Qty(20));
  // The same report again is a resend: nothing moves.
  EXPECT_TRUE(Apply(ExchangeReportReceived{fb}).empty());
  EXPECT_EQ(risk_.Exposure("ACC1", "AAA").position, Qty(20));
}

TEST_F(RouterRiskTest, ReportWithoutTransactTimeGetsTheGatewaysTime) {
  const std::string id = Live(kS1, Buy("o1", 100, "10"));
  ExecutionReport fill = Fill(id, "F1", 100, 10, 10, "10");
  fill.transact_time = Timestamp{};
  auto er = BrokerGets<ExecutionReport>(Apply(ExchangeReportReceived{fill}));
  EXPECT_EQ(er.transact_time, now_);
}

TEST_F(RouterRiskTest, MassStatusListsOpenOrdersAndThoseFinishedSinceLogon) {
  const std::string a = Live(kS1, Buy("o1", 100, "10"));
  Live(kS1, Buy("o2", 100, "10"));
  Live(kS2, Buy("x1", 10, "10", "ACC2"));
  Apply(ExchangeReportReceived{Fill(a, "F1", 100, 100, 100, "10")});
  const Timestamp logon = now_ + std::chrono::microseconds(1);
  const std::string c = Live(kS1, Buy("o3", 100, "10"));
  Apply(ExchangeReportReceived{
      Report(c, "K1", ExecType::kCanceled, OrdStatus::kCanceled, 100, 0, 0)});
  auto out = Apply(router_.DecideMassStatus(kS1, MassStatusRequest{"M1", 7, "", ""},
                                            logon));
  ASSERT_EQ(out.size(), 2u);  // o2 (open) and o3 (canceled after logon)
  std::vector<std::string> ids;
  for (const Action& act : out) {
    const auto& er = std::get<ExecutionReport>(std::get<ToBroker>(act).message);
    EXPECT_EQ(er.exec_type, ExecType::kOrderStatus);
    ids.push_back(er.cl_ord_id + "/" + er.extra[0].value + "/" +
                  er.extra[1].value + "/" + er.extra[2].value);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"o2/M1/2/N", "o3/M1/2/Y"}));
  auto none = BrokerGets<ExecutionReport>(Apply(router_.DecideMassStatus(
      kS1, MassStatusRequest{"M2", 1, "", "ZZZ"}, logon)));
  EXPECT_EQ(none.ord_status, OrdStatus::kRejected);
  EXPECT_EQ(none.extra[1].value, "0");
}

}  // namespace
}  // namespace fixgw::gw
