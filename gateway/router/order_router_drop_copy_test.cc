// OrderRouter::Options::drop_copies: which broker messages are copied to
// which drop-copy session, in which order, and that a replay derives the
// same copies.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "gateway/router/order_router.h"

namespace fixgw::gw {
namespace {

const SessionKey kS1 = "FIX.4.4:GW->BROKER1";
const SessionKey kS2 = "FIX.4.4:GW->BROKER2";
const SessionKey kAll = "FIX.4.4:GW->DCALL";
const SessionKey kAcc2 = "FIX.4.4:GW->DCACC2";
const SessionKey kOnlyS2 = "FIX.4.4:GW->DCS2";

Timestamp At(int64_t micros) {
  return Timestamp(std::chrono::microseconds(micros));
}

NewOrder Limit(const std::string& cl_ord_id, const std::string& account,
               const std::string& symbol = "AAA") {
  NewOrder o;
  o.cl_ord_id = cl_ord_id;
  o.account = account;
  o.symbol = symbol;
  o.side = Side::kBuy;
  o.ord_type = OrdType::kLimit;
  o.tif = TimeInForce::kDay;
  o.qty = Qty(100);
  o.price = *ParsePrice("10.5");
  o.transact_time = At(42);
  return o;
}

// An exchange report (no Account: the exchange does not know it).
ExecutionReport Er(const std::string& exch_cl_ord_id,
                   const std::string& exec_id, ExecType type, OrdStatus status,
                   int64_t cum) {
  ExecutionReport r;
  r.order_id = "EX-" + exch_cl_ord_id;
  r.cl_ord_id = exch_cl_ord_id;
  r.exec_id = exec_id;
  r.exec_type = type;
  r.ord_status = status;
  r.symbol = "AAA";
  r.side = Side::kBuy;
  r.ord_type = OrdType::kLimit;
  r.tif = TimeInForce::kDay;
  r.order_qty = Qty(100);
  r.price = *ParsePrice("10.5");
  r.cum_qty = Qty(cum);
  r.leaves_qty = Qty(100 - cum);
  if (cum > 0) {
    r.last_qty = Qty(cum);
    r.last_px = *ParsePrice("10.5");
    r.avg_px = *ParsePrice("10.5");
  }
  r.transact_time = At(77);
  r.extra = {FixField{6000, "venue"}};
  return r;
}

// "<session> <MsgType> <ExecID or ClOrdID>" per action to a broker session;
// "X" for one to the exchange.
std::vector<std::string> Lines(const std::vector<Action>& actions) {
  std::vector<std::string> out;
  for (const Action& a : actions) {
    const auto* b = std::get_if<ToBroker>(&a);
    if (b == nullptr) {
      out.push_back("X");
    } else if (const auto* er = std::get_if<ExecutionReport>(&b->message)) {
      out.push_back(b->session + " 8 " + er->exec_id);
    } else if (const auto* cr = std::get_if<CancelReject>(&b->message)) {
      out.push_back(b->session + " 9 " + cr->cl_ord_id);
    } else {
      out.push_back(b->session + " r " +
                    std::get<MassCancelReport>(b->message).cl_ord_id);
    }
  }
  return out;
}

class DropCopyRouterTest : public ::testing::Test {
 protected:
  static OrderRouter::Options Options(
      std::vector<OrderRouter::Options::DropCopy> drop_copies) {
    OrderRouter::Options o;
    o.id_prefix = "GW";
    o.symbols = {"AAA"};
    o.drop_copies = std::move(drop_copies);
    return o;
  }
  static std::vector<OrderRouter::Options::DropCopy> ThreeDropCopies() {
    return {{kAll, {}, {}}, {kAcc2, {"ACC2"}, {}}, {kOnlyS2, {}, {kS2}}};
  }

  std::vector<Action> Apply(const JournalEvent& event) {
    now_ += 1000;
    events_.push_back({event, At(now_)});
    return router_.Apply(event, At(now_));
  }

  OrderRouter router_{Options(ThreeDropCopies()), nullptr};
  int64_t now_ = 1'795'726'214'000'000;
  std::vector<std::pair<JournalEvent, Timestamp>> events_;
};

TEST_F(DropCopyRouterTest, CopiesEachReportRightAfterTheOriginal) {
  Apply(ExchangeSessionChanged{true});
  // The order itself goes to the exchange only: nothing to copy.
  EXPECT_EQ(Lines(Apply(router_.DecideNewOrder(kS1, Limit("C1", "ACC1")))),
            std::vector<std::string>{"X"});
  EXPECT_EQ(Lines(Apply(ExchangeReportReceived{
                Er("GW-1", "E1", ExecType::kNew, OrdStatus::kNew, 0)})),
            (std::vector<std::string>{kS1 + " 8 E1", kAll + " 8 E1"}));
  const std::vector<Action> fill = Apply(ExchangeReportReceived{
      Er("GW-1", "E2", ExecType::kTrade, OrdStatus::kFilled, 100)});
  ASSERT_EQ(Lines(fill),
            (std::vector<std::string>{kS1 + " 8 E2", kAll + " 8 E2"}));
  // The copy is the broker's report (its ClOrdID, ExecID, quantities and
  // pass-through fields) plus CopyMsgIndicator=Y.
  ExecutionReport original =
      std::get<ExecutionReport>(std::get<ToBroker>(fill[0]).message);
  ExecutionReport copy =
      std::get<ExecutionReport>(std::get<ToBroker>(fill[1]).message);
  EXPECT_EQ(original.cl_ord_id, "C1");
  EXPECT_EQ(copy.cl_ord_id, "C1");
  EXPECT_EQ(copy.account, "ACC1");
  ASSERT_EQ(copy.extra.size(), original.extra.size() + 1);
  EXPECT_EQ(copy.extra.back(), (FixField{797, "Y"}));
  copy.extra.pop_back();
  EXPECT_EQ(EncodeEvent(ExchangeReportReceived{copy}),
            EncodeEvent(ExchangeReportReceived{original}));
}

TEST_F(DropCopyRouterTest, CopiesOnlyTheConfiguredAccountsAndSessions) {
  Apply(ExchangeSessionChanged{true});
  Apply(router_.DecideNewOrder(kS1, Limit("A", "ACC1")));  // GW-1
  Apply(router_.DecideNewOrder(kS1, Limit("B", "ACC2")));  // GW-2
  Apply(router_.DecideNewOrder(kS2, Limit("A", "ACC1")));  // GW-3
  EXPECT_EQ(Lines(Apply(ExchangeReportReceived{
                Er("GW-1", "E1", ExecType::kNew, OrdStatus::kNew, 0)})),
            (std::vector<std::string>{kS1 + " 8 E1", kAll + " 8 E1"}));
  EXPECT_EQ(Lines(Apply(ExchangeReportReceived{
                Er("GW-2", "E2", ExecType::kNew, OrdStatus::kNew, 0)})),
            (std::vector<std::string>{kS1 + " 8 E2", kAll + " 8 E2",
                                      kAcc2 + " 8 E2"}));
  EXPECT_EQ(Lines(Apply(ExchangeReportReceived{
                Er("GW-3", "E3", ExecType::kNew, OrdStatus::kNew, 0)})),
            (std::vector<std::string>{kS2 + " 8 E3", kAll + " 8 E3",
                                      kOnlyS2 + " 8 E3"}));
}

TEST_F(DropCopyRouterTest, CopiesGatewayRejectsAndCancelRejects) {
  Apply(ExchangeSessionChanged{true});
  // Refused by the gateway (unknown symbol): the broker's report is copied
  // like any other.
  JournalEvent rejected = router_.DecideNewOrder(kS2, Limit("R1", "ACC2", "ZZZ"));
  ASSERT_TRUE(std::holds_alternative<NewOrderRejected>(rejected));
  const std::string exec_id = std::get<NewOrderRejected>(rejected).exec_id;
  EXPECT_EQ(Lines(Apply(rejected)),
            (std::vector<std::string>{kS2 + " 8 " + exec_id,
                                      kAll + " 8 " + exec_id,
                                      kAcc2 + " 8 " + exec_id,
                                      kOnlyS2 + " 8 " + exec_id}));
  // A cancel of an order the gateway never saw: no account to filter on,
  // so only drop copies without an account filter get it.
  CancelRequest cancel;
  cancel.cl_ord_id = "X1";
  cancel.orig_cl_ord_id = "NOPE";
  cancel.symbol = "AAA";
  EXPECT_EQ(Lines(Apply(router_.DecideCancel(kS2, cancel))),
            (std::vector<std::string>{kS2 + " 9 X1", kAll + " 9 X1",
                                      kOnlyS2 + " 9 X1"}));
  // A cancel refused for a known order carries that order's account.
  Apply(router_.DecideNewOrder(kS1, Limit("B", "ACC2")));  // GW-1
  cancel.cl_ord_id = "X2";
  cancel.orig_cl_ord_id = "B";
  Apply(router_.DecideCancel(kS1, cancel));  // forwarded, now pending
  cancel.cl_ord_id = "X3";
  EXPECT_EQ(Lines(Apply(router_.DecideCancel(kS1, cancel))),
            (std::vector<std::string>{kS1 + " 9 X3", kAll + " 9 X3",
                                      kAcc2 + " 9 X3"}));
}

TEST_F(DropCopyRouterTest, DoesNotCopyStatusAnswers) {
  Apply(ExchangeSessionChanged{true});
  Apply(router_.DecideNewOrder(kS1, Limit("C1", "ACC2")));
  StatusRequest status;
  status.cl_ord_id = "C1";
  EXPECT_EQ(Lines(Apply(router_.DecideStatus(kS1, status))).size(), 1u);
  MassStatusRequest mass;
  mass.mass_status_req_id = "M1";
  mass.req_type = 7;
  for (const std::string& line :
       Lines(Apply(router_.DecideMassStatus(kS1, mass, At(0))))) {
    EXPECT_EQ(line.rfind(kS1, 0), 0u) << line;
  }
}

TEST_F(DropCopyRouterTest, CopiesMassCancelReportsByTheRequestsAccount) {
  Apply(ExchangeSessionChanged{true});
  Apply(router_.DecideNewOrder(kS2, Limit("C1", "ACC2")));  // GW-1
  MassCancelRequest all;
  all.cl_ord_id = "M1";
  all.req_type = '7';
  // Without an Account only the drop copies without an account filter get
  // the report; every cancel's report is copied by its order's account.
  std::vector<std::string> lines = Lines(Apply(router_.DecideMassCancel(kS2, all)));
  EXPECT_EQ(lines, (std::vector<std::string>{kS2 + " r M1", kAll + " r M1",
                                             kOnlyS2 + " r M1", "X"}));
  EXPECT_EQ(Lines(Apply(ExchangeReportReceived{
                Er("GW-2", "E9", ExecType::kCanceled, OrdStatus::kCanceled,
                   0)})),
            (std::vector<std::string>{kS2 + " 8 E9", kAll + " 8 E9",
                                      kAcc2 + " 8 E9", kOnlyS2 + " 8 E9"}));
  MassCancelRequest acc2 = all;
  acc2.cl_ord_id = "M2";
  acc2.account = "ACC2";
  lines = Lines(Apply(router_.DecideMassCancel(kS2, acc2)));
  EXPECT_EQ(lines, (std::vector<std::string>{kS2 + " r M2", kAll + " r M2",
                                             kAcc2 + " r M2",
                                             kOnlyS2 + " r M2"}));
}

TEST_F(DropCopyRouterTest, NothingIsCopiedWithoutDropCopies) {
  OrderRouter plain(Options({}), nullptr);
  plain.Apply(ExchangeSessionChanged{true}, At(1));
  plain.Apply(plain.DecideNewOrder(kS1, Limit("C1", "ACC1")), At(2));
  EXPECT_EQ(Lines(plain.Apply(ExchangeReportReceived{Er(
                                  "GW-1", "E1", ExecType::kNew,
                                  OrdStatus::kNew, 0)},
                              At(3))),
            std::vector<std::string>{kS1 + " 8 E1"});
}

TEST_F(DropCopyRouterTest, ReplayDerivesTheSameCopiesInTheSameOrder) {
  Apply(ExchangeSessionChanged{true});
  std::vector<std::string> live;
  const auto run = [&](const JournalEvent& e) {
    for (std::string& l : Lines(Apply(e))) live.push_back(std::move(l));
  };
  run(router_.DecideNewOrder(kS1, Limit("A", "ACC1")));
  run(router_.DecideNewOrder(kS2, Limit("B", "ACC2")));
  run(ExchangeReportReceived{Er("GW-2", "E1", ExecType::kNew, OrdStatus::kNew, 0)});
  run(ExchangeReportReceived{Er("GW-1", "E2", ExecType::kNew, OrdStatus::kNew, 0)});
  run(ExchangeReportReceived{
      Er("GW-2", "E3", ExecType::kTrade, OrdStatus::kFilled, 100)});
  run(ExchangeReportReceived{
      Er("GW-2", "E3", ExecType::kTrade, OrdStatus::kFilled, 100)});  // dup

  OrderRouter replay(Options(ThreeDropCopies()), nullptr);
  std::vector<std::string> replayed;
  for (const auto& [event, at] : events_) {
    for (std::string& l : Lines(replay.Apply(event, at))) {
      replayed.push_back(std::move(l));
    }
  }
  EXPECT_EQ(replayed, live);
  // The repeated ExecID was applied once: one original, one copy each.
  EXPECT_EQ(std::count(live.begin(), live.end(), kAll + " 8 E3"), 1);
  EXPECT_EQ(std::count(live.begin(), live.end(), kAcc2 + " 8 E3"), 1);
  EXPECT_EQ(std::count(live.begin(), live.end(), kOnlyS2 + " 8 E3"), 1);
}

}  // namespace
}  // namespace fixgw::gw
