#include "risk/risk_engine.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace fixgw::risk {
namespace {

using std::chrono::microseconds;

constexpr const char* kLimits = R"(
[accounts.ACC1]
cash = "100000"
max_order_qty = 500
max_order_notional = "50000"
max_open_orders = 3
max_long = 1000
max_short = 200
short_selling = true
max_short_qty = 150
restricted_symbols = ["BAD"]

[accounts.ACC2]
cash = "100000"
allowed_symbols = ["AAPL"]

[symbols.AAPL]
reference_price = "100.00"
collar_bps = 500

[symbols.MSFT]
reference_price = "200"
tick = "0.01"
collar_ticks = 100

[symbols.BAD]
reference_price = 10

[sessions.S1]
allowed_accounts = ["ACC1", "ACC2"]
orders_per_second = 10
burst = 2

[sessions.S2]
allowed_accounts = ["ACC1"]
)";

const Timestamp kT0 = Timestamp(microseconds(1'700'000'000'000'000));

Price Px(const char* text) { return *ParsePrice(text); }

OrderTerms Buy(int64_t qty, const char* px, std::string symbol = "AAPL",
               std::string account = "ACC1") {
  return OrderTerms{.session = "S2",
                    .account = std::move(account),
                    .symbol = std::move(symbol),
                    .side = Side::kBuy,
                    .ord_type = OrdType::kLimit,
                    .qty = Qty(qty),
                    .price = Px(px)};
}

OrderTerms Sell(int64_t qty, const char* px, std::string account = "ACC1") {
  OrderTerms o = Buy(qty, px, "AAPL", std::move(account));
  o.side = Side::kSell;
  return o;
}

OrderTerms Market(OrderTerms o) {
  o.ord_type = OrdType::kMarket;
  o.price.reset();
  return o;
}

class RiskEngineTest : public ::testing::Test {
 protected:
  RiskEngineTest() : engine_(*ParseRiskLimits(kLimits, "test.toml")) {}

  std::optional<Rejection> Check(const OrderTerms& o) const {
    return engine_.CheckNewOrder(o, kT0);
  }
  Candidate C(const OrderTerms& o) const {
    return RiskEngine::NewCandidate(o, kT0);
  }
  void Accept(const std::string& key, const OrderTerms& o) {
    ASSERT_TRUE(engine_.OrderAccepted(key, o, kT0).ok());
  }
  const AccountState& Acc(const std::string& a) const {
    return engine_.state().accounts.at(a);
  }

  RiskEngine engine_;
};

void ExpectReject(const std::optional<Rejection>& r, OrdRejReason reason,
                  const std::string& text) {
  ASSERT_TRUE(r.has_value()) << "expected: " << text;
  EXPECT_EQ(r->reason, reason);
  EXPECT_EQ(r->text, text);
}

// ---- Quantity, notional, collar ---------------------------------------

TEST_F(RiskEngineTest, AcceptsQuantityAtMaxAndRejectsOneOver) {
  EXPECT_EQ(Check(Buy(500, "100")), std::nullopt);
  ExpectReject(Check(Buy(501, "100")), OrdRejReason::kOrderExceedsLimit,
               "order quantity 501 exceeds max 500");
  ExpectReject(engine_.CheckQuantity(C(Buy(0, "10"))),
               OrdRejReason::kIncorrectQuantity,
               "order quantity 0 must be positive");
}

TEST_F(RiskEngineTest, AcceptsNotionalAtMaxAndRejectsOneTickOver) {
  EXPECT_EQ(engine_.CheckNotional(C(Buy(500, "100.00"))), std::nullopt);
  ExpectReject(engine_.CheckNotional(C(Buy(500, "100.01"))),
               OrdRejReason::kOrderExceedsLimit,
               "order notional 50005.00 exceeds max 50000.00");
}

TEST_F(RiskEngineTest, ValuesMarketOrdersAtTopOfCollar) {
  // 476 x 105 = 49980 passes, 477 x 105 = 50085 does not.
  EXPECT_EQ(engine_.CheckNotional(C(Market(Buy(476, "1")))), std::nullopt);
  ExpectReject(engine_.CheckNotional(C(Market(Buy(477, "1")))),
               OrdRejReason::kOrderExceedsLimit,
               "order notional 50085.00 exceeds max 50000.00");
  EXPECT_EQ(engine_.CheckCollar(C(Market(Buy(1, "1")))), std::nullopt);
}

TEST_F(RiskEngineTest, AcceptsPriceOnCollarEdgesAndRejectsOneTickOutside) {
  EXPECT_EQ(engine_.CheckCollar(C(Buy(1, "105.00"))), std::nullopt);
  EXPECT_EQ(engine_.CheckCollar(C(Buy(1, "95.00"))), std::nullopt);
  ExpectReject(engine_.CheckCollar(C(Buy(1, "105.01"))),
               OrdRejReason::kOrderExceedsLimit,
               "price 105.01 outside collar 95.00-105.00 of reference 100.00");
  ExpectReject(engine_.CheckCollar(C(Buy(1, "94.99"))),
               OrdRejReason::kOrderExceedsLimit,
               "price 94.99 outside collar 95.00-105.00 of reference 100.00");
}

TEST_F(RiskEngineTest, AppliesCollarInTicks) {
  EXPECT_EQ(engine_.CheckCollar(C(Buy(1, "201.00", "MSFT"))), std::nullopt);
  EXPECT_EQ(engine_.CheckCollar(C(Buy(1, "199.00", "MSFT"))), std::nullopt);
  ExpectReject(engine_.CheckCollar(C(Buy(1, "201.01", "MSFT"))),
               OrdRejReason::kOrderExceedsLimit,
               "price 201.01 outside collar 199.00-201.00 of reference 200.00");
}

// ---- Entitlement, symbols ---------------------------------------------

TEST_F(RiskEngineTest, RejectsAccountTheSessionIsNotEntitledTo) {
  OrderTerms o = Buy(1, "100", "AAPL", "ACC2");
  ExpectReject(Check(o), OrdRejReason::kBrokerOption,
               "entitlement: session S2 may not trade account ACC2");
  o.session = "S1";
  EXPECT_EQ(Check(o), std::nullopt);
  o.session = "UNKNOWN";
  EXPECT_TRUE(engine_.CheckEntitlement(C(o)).has_value());
}

TEST_F(RiskEngineTest, RejectsUnknownRestrictedAndNotAllowedSymbols) {
  ExpectReject(Check(Buy(1, "1", "IBM")), OrdRejReason::kUnknownSymbol,
               "unknown symbol IBM");
  ExpectReject(Check(Buy(1, "10", "BAD")), OrdRejReason::kUnknownSymbol,
               "symbol BAD is restricted for account ACC1");
  OrderTerms o = Buy(1, "200", "MSFT", "ACC2");
  o.session = "S1";
  ExpectReject(Check(o), OrdRejReason::kUnknownSymbol,
               "symbol MSFT is not allowed for account ACC2");
}

// ---- Buying power -----------------------------------------------------

TEST_F(RiskEngineTest, AcceptsBuyUsingExactlyTheBuyingPowerLeft) {
  Accept("A", Buy(400, "100"));
  Accept("B", Buy(400, "100"));  // 80000 reserved of 100000
  EXPECT_EQ(engine_.AvailableCash("ACC1").micros(), 20'000'000'000);
  EXPECT_EQ(Check(Buy(200, "100")), std::nullopt);
  ExpectReject(Check(Buy(200, "100.01")), OrdRejReason::kOrderExceedsLimit,
               "buying power: need 20002.00, available 20000.00");
}

TEST_F(RiskEngineTest, SellsNeedNoBuyingPower) {
  Accept("A", Buy(500, "100"));
  Accept("B", Buy(500, "100"));
  EXPECT_EQ(engine_.CheckBuyingPower(C(Sell(100, "100"))), std::nullopt);
}

// ---- Position and short sale ------------------------------------------

TEST_F(RiskEngineTest, CountsPositionAndOpenBuysTowardMaxLong) {
  Accept("A", Buy(400, "100"));
  ASSERT_TRUE(engine_.Filled("A", Qty(400), Px("100")).ok());  // pos 400
  Accept("B", Buy(400, "100"));                                // open 400
  EXPECT_EQ(engine_.CheckPosition(C(Buy(200, "100"))), std::nullopt);
  ExpectReject(engine_.CheckPosition(C(Buy(201, "100"))),
               OrdRejReason::kOrderExceedsLimit,
               "position limit: worst case long 1001 exceeds max long 1000 "
               "for AAPL");
}

TEST_F(RiskEngineTest, CountsOpenSellsTowardMaxShort) {
  Accept("S", Sell(100, "100"));
  EXPECT_EQ(engine_.CheckPosition(C(Sell(100, "100"))), std::nullopt);
  ExpectReject(engine_.CheckPosition(C(Sell(101, "100"))),
               OrdRejReason::kOrderExceedsLimit,
               "position limit: worst case short 201 exceeds max short 200 "
               "for AAPL");
}

TEST_F(RiskEngineTest, LimitsTheShortPartOfASell) {
  EXPECT_EQ(engine_.CheckShortSale(C(Sell(150, "100"))), std::nullopt);
  ExpectReject(engine_.CheckShortSale(C(Sell(151, "100"))),
               OrdRejReason::kOrderExceedsLimit,
               "short sale: 151 short exceeds max short qty 150");
  // A long position of 100 covers the first 100.
  Accept("A", Buy(100, "100"));
  ASSERT_TRUE(engine_.Filled("A", Qty(100), Px("100")).ok());
  EXPECT_EQ(engine_.CheckShortSale(C(Sell(250, "100"))), std::nullopt);
  EXPECT_TRUE(engine_.CheckShortSale(C(Sell(251, "100"))).has_value());
}

TEST_F(RiskEngineTest, RejectsShortSaleWhenNotAllowed) {
  OrderTerms o = Sell(1, "100", "ACC2");
  o.session = "S1";
  ExpectReject(engine_.CheckShortSale(C(o)), OrdRejReason::kBrokerOption,
               "short sale: sell 1 exceeds available long position 0 and "
               "short selling is not allowed for account ACC2");
  OrderTerms b = Buy(100, "100", "AAPL", "ACC2");
  b.session = "S1";
  ASSERT_TRUE(engine_.OrderAccepted("A", b, kT0).ok());
  ASSERT_TRUE(engine_.Filled("A", Qty(100), Px("100")).ok());
  o.qty = Qty(100);
  EXPECT_EQ(engine_.CheckShortSale(C(o)), std::nullopt);
  o.qty = Qty(101);
  EXPECT_TRUE(engine_.CheckShortSale(C(o)).has_value());
  o.qty = Qty(1);
  o.side = Side::kSellShort;
  ExpectReject(engine_.CheckShortSale(C(o)), OrdRejReason::kBrokerOption,
               "short selling not allowed for account ACC2");
}

// ---- Open orders ------------------------------------------------------

TEST_F(RiskEngineTest, AcceptsUpToMaxOpenOrders) {
  Accept("A", Buy(1, "100"));
  Accept("B", Buy(1, "100"));
  EXPECT_EQ(Check(Buy(1, "100")), std::nullopt);
  Accept("C", Buy(1, "100"));
  ExpectReject(Check(Buy(1, "100")), OrdRejReason::kOrderExceedsLimit,
               "open orders: 3 open, max 3");
  // A replace keeps its slot.
  EXPECT_EQ(engine_.CheckReplace("C", Qty(2), Px("100"), kT0), std::nullopt);
  ASSERT_TRUE(engine_.Done("C").ok());
  EXPECT_EQ(Check(Buy(1, "100")), std::nullopt);
}

// ---- Kill switch ------------------------------------------------------

TEST_F(RiskEngineTest, KillSwitchBlocksItsScopeUntilDisengaged) {
  Accept("A", Buy(1, "100"));
  OrderTerms other = Buy(1, "100", "AAPL", "ACC2");
  other.session = "S1";
  ASSERT_TRUE(engine_.OrderAccepted("B", other, kT0).ok());

  const KillScope acc{.kind = KillScope::Kind::kAccount, .name = "ACC1"};
  engine_.EngageKillSwitch(acc);
  ExpectReject(Check(Buy(1, "100")), OrdRejReason::kBrokerOption,
               "kill switch engaged for account ACC1");
  EXPECT_EQ(engine_.CheckKillSwitch(C(other)), std::nullopt);
  EXPECT_EQ(engine_.OpenOrdersIn(acc), std::vector<OrderKey>{"A"});
  engine_.DisengageKillSwitch(acc);
  EXPECT_EQ(Check(Buy(1, "100")), std::nullopt);

  const KillScope ses{.kind = KillScope::Kind::kSession, .name = "S1"};
  engine_.EngageKillSwitch(ses);
  ExpectReject(engine_.CheckKillSwitch(C(other)), OrdRejReason::kBrokerOption,
               "kill switch engaged for session S1");
  EXPECT_EQ(Check(Buy(1, "100")), std::nullopt);
  EXPECT_EQ(engine_.OpenOrdersIn(ses), std::vector<OrderKey>{"B"});
  engine_.DisengageKillSwitch(ses);

  const KillScope all{.kind = KillScope::Kind::kGlobal, .name = ""};
  engine_.EngageKillSwitch(all);
  ExpectReject(Check(Buy(1, "100")), OrdRejReason::kBrokerOption,
               "kill switch engaged: global");
  EXPECT_EQ(engine_.OpenOrdersIn(all), (std::vector<OrderKey>{"A", "B"}));
  engine_.DisengageKillSwitch(all);
  EXPECT_EQ(Check(Buy(1, "100")), std::nullopt);
}

// ---- Throttle ---------------------------------------------------------

TEST_F(RiskEngineTest, ThrottleAllowsBurstThenRefillsAtExactRate) {
  OrderTerms o = Buy(1, "100");
  o.session = "S1";
  EXPECT_EQ(engine_.ThrottleTokens("S1", kT0), 2'000'000);
  ASSERT_TRUE(engine_.OrderAccepted("A", o, kT0).ok());
  ASSERT_TRUE(engine_.OrderAccepted("B", o, kT0).ok());
  ExpectReject(engine_.CheckNewOrder(o, kT0), OrdRejReason::kBrokerOption,
               "throttle: session S1 exceeds 10 orders per second (burst 2)");
  // 10 per second: one token every 100 ms.
  EXPECT_TRUE(engine_.CheckNewOrder(o, kT0 + microseconds(99'999)).has_value());
  EXPECT_EQ(engine_.CheckNewOrder(o, kT0 + microseconds(100'000)),
            std::nullopt);
  ASSERT_TRUE(engine_.OrderAccepted("C", o, kT0 + microseconds(100'000)).ok());
  EXPECT_TRUE(engine_.CheckThrottle(C(o)).has_value());
  // Refill stops at the burst.
  EXPECT_EQ(engine_.ThrottleTokens("S1", kT0 + std::chrono::hours(24)),
            2'000'000);
  // Sessions without a rate are never throttled.
  EXPECT_EQ(engine_.CheckThrottle(C(Buy(1, "100"))), std::nullopt);
}

// ---- State transitions ------------------------------------------------

TEST_F(RiskEngineTest, ReservesOnAcceptAndReleasesOnCancel) {
  Accept("A", Buy(100, "100"));
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 10'000'000'000);
  EXPECT_EQ(Acc("ACC1").open_orders, 1);
  EXPECT_EQ(engine_.Exposure("ACC1", "AAPL").open_buy, Qty(100));
  ASSERT_TRUE(engine_.Done("A").ok());
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 0);
  EXPECT_EQ(Acc("ACC1").open_orders, 0);
  EXPECT_EQ(engine_.Exposure("ACC1", "AAPL").open_buy, Qty(0));
  EXPECT_TRUE(engine_.state().orders.empty());
  EXPECT_EQ(engine_.Done("A").code(), Status::Code::kNotFound);
}

TEST_F(RiskEngineTest, MarketBuyReservesAtTopOfCollar) {
  Accept("A", Market(Buy(10, "1")));
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 1'050'000'000);  // 10 x 105
}

TEST_F(RiskEngineTest, PartialFillMovesReservationToSpent) {
  Accept("A", Buy(100, "100"));
  ASSERT_TRUE(engine_.Filled("A", Qty(40), Px("100")).ok());
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 6'000'000'000);
  EXPECT_EQ(engine_.Cash("ACC1").micros(), 96'000'000'000);
  EXPECT_EQ(engine_.AvailableCash("ACC1").micros(), 90'000'000'000);
  EXPECT_EQ(engine_.Exposure("ACC1", "AAPL").position, Qty(40));
  EXPECT_EQ(engine_.Exposure("ACC1", "AAPL").open_buy, Qty(60));
  EXPECT_EQ(engine_.state().orders.at("A").leaves_qty, Qty(60));
}

TEST_F(RiskEngineTest, FillAtBetterPriceReleasesTheDifference) {
  Accept("A", Buy(100, "100"));
  ASSERT_TRUE(engine_.Filled("A", Qty(100), Px("99.50")).ok());
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 0);
  EXPECT_EQ(engine_.Cash("ACC1").micros(), 90'050'000'000);
  EXPECT_EQ(engine_.AvailableCash("ACC1").micros(), 90'050'000'000);
  EXPECT_EQ(Acc("ACC1").open_orders, 0);
  EXPECT_TRUE(engine_.state().orders.empty());
}

TEST_F(RiskEngineTest, SellFillCreditsProceedsAndReducesPosition) {
  Accept("S", Sell(50, "100"));
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 0);
  ASSERT_TRUE(engine_.Filled("S", Qty(50), Px("101")).ok());
  EXPECT_EQ(engine_.Cash("ACC1").micros(), 105'050'000'000);
  EXPECT_EQ(engine_.Exposure("ACC1", "AAPL").position, Qty(-50));
  EXPECT_EQ(engine_.Exposure("ACC1", "AAPL").open_sell, Qty(0));
}

TEST_F(RiskEngineTest, ReplaceUpAndDownMovesReservationByTheDifference) {
  Accept("A", Buy(100, "100"));
  ASSERT_TRUE(
      engine_.Replaced("A", "A2", Qty(200), Px("101"), kT0).ok());  // up
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 20'200'000'000);
  EXPECT_EQ(engine_.Exposure("ACC1", "AAPL").open_buy, Qty(200));
  EXPECT_EQ(engine_.state().orders.count("A"), 0u);
  ASSERT_TRUE(engine_.Filled("A2", Qty(50), Px("101")).ok());
  ASSERT_TRUE(
      engine_.Replaced("A2", "A2", Qty(80), Px("99"), kT0).ok());  // down
  EXPECT_EQ(engine_.state().orders.at("A2").leaves_qty, Qty(30));
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 2'970'000'000);  // 30 x 99
  EXPECT_EQ(engine_.Exposure("ACC1", "AAPL").open_buy, Qty(30));
  EXPECT_EQ(Acc("ACC1").open_orders, 1);
  // Down to the filled quantity closes the order.
  ASSERT_TRUE(engine_.Replaced("A2", "A3", Qty(50), Px("99"), kT0).ok());
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 0);
  EXPECT_EQ(Acc("ACC1").open_orders, 0);
}

TEST_F(RiskEngineTest, PendingReplaceReservesTheWorseTermsUntilAnswered) {
  Accept("A", Buy(100, "100"));  // 10000
  // Up in quantity, down in price: 150 x 100 while pending.
  ASSERT_TRUE(engine_.ReplaceRequested("A", Qty(150), Px("99"), kT0).ok());
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 15'000'000'000);
  EXPECT_EQ(engine_.Exposure("ACC1", "AAPL").open_buy, Qty(150));
  EXPECT_EQ(engine_.ReplaceRequested("A", Qty(10), Px("99"), kT0).code(),
            Status::Code::kAlreadyExists);
  // A fill while pending shrinks the worst case.
  ASSERT_TRUE(engine_.Filled("A", Qty(20), Px("100")).ok());
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 13'000'000'000);  // 130 x 100
  ASSERT_TRUE(engine_.ReplaceConfirmed("A").ok());
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 12'870'000'000);  // 130 x 99
  EXPECT_EQ(engine_.Exposure("ACC1", "AAPL").open_buy, Qty(130));
  EXPECT_FALSE(engine_.state().orders.at("A").pending.has_value());
  EXPECT_EQ(engine_.ReplaceConfirmed("A").code(), Status::Code::kNotFound);
}

TEST_F(RiskEngineTest, RejectedReplaceRestoresTheOldTerms) {
  Accept("A", Buy(100, "100"));
  const RiskState before = engine_.state();
  ASSERT_TRUE(engine_.ReplaceRequested("A", Qty(50), Px("101"), kT0).ok());
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 10'100'000'000);  // 100 x 101
  ASSERT_TRUE(engine_.ReplaceRejected("A").ok());
  EXPECT_EQ(engine_.state().orders, before.orders);
  EXPECT_EQ(Acc("ACC1").reserved, before.accounts.at("ACC1").reserved);
  EXPECT_EQ(engine_.ReplaceRejected("A").code(), Status::Code::kNotFound);
}

TEST_F(RiskEngineTest, ConfirmedReplaceDownToFilledClosesTheOrder) {
  Accept("A", Buy(100, "100"));
  ASSERT_TRUE(engine_.Filled("A", Qty(40), Px("100")).ok());
  ASSERT_TRUE(engine_.ReplaceRequested("A", Qty(40), Px("100"), kT0).ok());
  EXPECT_EQ(Acc("ACC1").open_orders, 1);
  ASSERT_TRUE(engine_.ReplaceConfirmed("A").ok());
  EXPECT_EQ(Acc("ACC1").open_orders, 0);
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 0);
  EXPECT_EQ(engine_.state().orders.count("A"), 0u);
}

TEST_F(RiskEngineTest, DoneWhilePendingReleasesTheWorstCase) {
  Accept("A", Buy(100, "100"));
  ASSERT_TRUE(engine_.ReplaceRequested("A", Qty(300), Px("100"), kT0).ok());
  ASSERT_TRUE(engine_.Done("A").ok());
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 0);
  EXPECT_EQ(engine_.Exposure("ACC1", "AAPL").open_buy, Qty(0));
  EXPECT_EQ(Acc("ACC1").open_orders, 0);
}

TEST_F(RiskEngineTest, IocRemainderIsReleasedByDone) {
  Accept("A", Buy(100, "100"));
  ASSERT_TRUE(engine_.Filled("A", Qty(30), Px("100")).ok());
  ASSERT_TRUE(engine_.Done("A").ok());
  EXPECT_EQ(Acc("ACC1").reserved.micros(), 0);
  EXPECT_EQ(engine_.Exposure("ACC1", "AAPL").position, Qty(30));
  EXPECT_EQ(engine_.Exposure("ACC1", "AAPL").open_buy, Qty(0));
  EXPECT_EQ(engine_.Cash("ACC1").micros(), 97'000'000'000);
}

TEST_F(RiskEngineTest, ReplaceRechecksAgainstReleasedOldReservation) {
  Accept("A", Buy(500, "100"));  // 50000
  Accept("B", Buy(400, "100"));  // 40000: 10000 left
  EXPECT_EQ(engine_.CheckReplace("B", Qty(500), Px("100"), kT0), std::nullopt);
  auto c = engine_.ReplaceCandidate("B", Qty(500), Px("100.01"), kT0);
  ASSERT_TRUE(c.has_value());
  ExpectReject(engine_.CheckBuyingPower(*c), OrdRejReason::kOrderExceedsLimit,
               "buying power: need 50005.00, available 50000.00");
  ExpectReject(engine_.CheckReplace("NOPE", Qty(1), Px("100"), kT0),
               OrdRejReason::kUnknownOrder, "risk: unknown order NOPE");
}

TEST_F(RiskEngineTest, RejectsBadEvents) {
  Accept("A", Buy(1, "100"));
  EXPECT_EQ(engine_.OrderAccepted("A", Buy(1, "100"), kT0).code(),
            Status::Code::kAlreadyExists);
  EXPECT_EQ(engine_.Filled("A", Qty(0), Px("100")).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(engine_.Filled("Z", Qty(1), Px("100")).code(),
            Status::Code::kNotFound);
  const RiskState before = engine_.state();
  EXPECT_FALSE(engine_.Filled("A", Qty(2), Price::FromMicros(INT64_MAX)).ok());
  EXPECT_EQ(engine_.state(), before);
}

TEST(FormatPx, ShowsAtLeastTwoDecimals) {
  EXPECT_EQ(FormatPx(Price::FromUnits(100)), "100.00");
  EXPECT_EQ(FormatPx(*ParsePrice("100.5")), "100.50");
  EXPECT_EQ(FormatPx(*ParsePrice("100.125")), "100.125");
}

}  // namespace
}  // namespace fixgw::risk
