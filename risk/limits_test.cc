#include "risk/limits.h"

#include <gtest/gtest.h>

#include <string>

namespace fixgw::risk {
namespace {

constexpr const char* kFullFile = R"(
[defaults.account]
cash = "0"
max_order_qty = 1000
max_order_notional = "50000.50"
max_open_orders = 10
max_long = 2000
max_short = 0
short_selling = false
max_short_qty = 0
allowed_symbols = []
restricted_symbols = ["BAD"]

[defaults.symbol]
tick = "0.05"
collar_ticks = 20

[defaults.session]
allowed_accounts = ["ACC1"]
orders_per_second = 5

[accounts.ACC1]
cash = "125000.25"
max_order_qty = 500
max_short = 300
short_selling = true
max_short_qty = 200
allowed_symbols = ["AAPL", "MSFT"]

[accounts.ACC1.positions.AAPL]
max_long = 700

[accounts.ACC2]
cash = 80000

[symbols.AAPL]
reference_price = "100.00"
collar_bps = 500

[symbols.MSFT]
reference_price = 300
tick = "0.01"

[sessions."FIX.4.4:GW->BROKER1"]
allowed_accounts = ["ACC1", "ACC2"]
orders_per_second = 10
burst = 20

[sessions."FIX.4.4:GW->ADMIN"]
allowed_accounts = ["*"]
)";

TEST(RiskLimitsParse, ReadsEveryKeyAndMergesDefaults) {
  auto r = ParseRiskLimits(kFullFile, "risk.toml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const RiskLimits& l = *r;

  const AccountLimits& acc1 = l.Account("ACC1");
  EXPECT_EQ(acc1.cash.micros(), 125'000'250'000);
  EXPECT_EQ(acc1.max_order_qty, Qty(500));
  EXPECT_EQ(acc1.max_order_notional.micros(), 50'000'500'000);  // default
  EXPECT_EQ(acc1.max_open_orders, 10);
  EXPECT_EQ(acc1.default_position.max_long, Qty(2000));
  EXPECT_EQ(acc1.default_position.max_short, Qty(300));
  EXPECT_TRUE(acc1.short_selling);
  EXPECT_EQ(acc1.max_short_qty, Qty(200));
  EXPECT_EQ(acc1.allowed_symbols, (NameSet{"AAPL", "MSFT"}));
  EXPECT_EQ(acc1.restricted_symbols, (NameSet{"BAD"}));
  // The override keeps the account's max_short.
  EXPECT_EQ(acc1.PositionFor("AAPL").max_long, Qty(700));
  EXPECT_EQ(acc1.PositionFor("AAPL").max_short, Qty(300));
  EXPECT_EQ(acc1.PositionFor("MSFT").max_long, Qty(2000));

  EXPECT_EQ(l.Account("ACC2").cash.micros(), 80'000'000'000);
  EXPECT_EQ(l.Account("ACC2").max_order_qty, Qty(1000));
  EXPECT_EQ(l.Account("NOBODY").max_open_orders, 10);

  const SymbolLimits* aapl = l.Symbol("AAPL");
  ASSERT_NE(aapl, nullptr);
  EXPECT_EQ(aapl->tick, Price::FromMicros(50'000));
  EXPECT_EQ(aapl->collar_kind, SymbolLimits::CollarKind::kBps);
  EXPECT_EQ(aapl->CollarLow(), Price::FromUnits(95));
  EXPECT_EQ(aapl->CollarHigh(), Price::FromUnits(105));
  const SymbolLimits* msft = l.Symbol("MSFT");
  ASSERT_NE(msft, nullptr);
  EXPECT_EQ(msft->collar_kind, SymbolLimits::CollarKind::kTicks);
  EXPECT_EQ(msft->CollarWidth(), Price::FromMicros(200'000));  // 20 x 0.01
  EXPECT_EQ(l.Symbol("IBM"), nullptr);

  const SessionLimits& b1 = l.Session("FIX.4.4:GW->BROKER1");
  EXPECT_TRUE(b1.Entitles("ACC2"));
  EXPECT_FALSE(b1.Entitles("ACC3"));
  EXPECT_EQ(b1.orders_per_second, 10);
  EXPECT_EQ(b1.burst, 20);
  EXPECT_TRUE(l.Session("FIX.4.4:GW->ADMIN").Entitles("ANY"));
  EXPECT_EQ(l.Session("FIX.4.4:GW->ADMIN").burst, 5);  // burst = rate
  EXPECT_TRUE(l.Session("OTHER").Entitles("ACC1"));
  EXPECT_FALSE(l.Session("OTHER").Entitles("ACC2"));
}

TEST(RiskLimitsParse, EmptyFileGivesBuiltInDefaults) {
  auto r = ParseRiskLimits("", "risk.toml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, RiskLimits{});
  EXPECT_EQ(r->default_account.cash.micros(), 0);
  EXPECT_EQ(r->default_account.max_order_qty, Qty(10'000));
  EXPECT_FALSE(r->Session("S").Entitles("ACC1"));
}

struct BadCase {
  const char* text;
  const char* message;
};

class RiskLimitsBadValue : public ::testing::TestWithParam<BadCase> {};

TEST_P(RiskLimitsBadValue, NamesTheKeyAndOrigin) {
  auto r = ParseRiskLimits(GetParam().text, "risk.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Keys, RiskLimitsBadValue,
    ::testing::Values(
        BadCase{"[accounts.ACC1]\ncash = 1.5\n",
                "risk.toml: accounts.ACC1.cash: expected a decimal string or "
                "integer"},
        BadCase{"[accounts.ACC1]\ncash = \"12x\"\n",
                "risk.toml: accounts.ACC1.cash: expected a decimal string or "
                "integer (invalid price '12x' (at most 6 decimals))"},
        BadCase{"[accounts.ACC1]\ncash = \"-1\"\n",
                "risk.toml: accounts.ACC1.cash: must not be negative"},
        BadCase{"[accounts.ACC1]\ncash = 9223372036855\n",
                "risk.toml: accounts.ACC1.cash: value out of range"},
        BadCase{"[accounts.ACC1]\nmax_order_qty = \"5\"\n",
                "risk.toml: accounts.ACC1.max_order_qty: expected an integer"},
        BadCase{"[accounts.ACC1]\nmax_open_orders = -1\n",
                "risk.toml: accounts.ACC1.max_open_orders: must not be "
                "negative"},
        BadCase{"[accounts.ACC1]\nshort_selling = 1\n",
                "risk.toml: accounts.ACC1.short_selling: expected true or "
                "false"},
        BadCase{"[accounts.ACC1]\nallowed_symbols = [1]\n",
                "risk.toml: accounts.ACC1.allowed_symbols: expected an array "
                "of non-empty strings"},
        BadCase{"[accounts.ACC1]\ncsh = 1\n",
                "risk.toml: accounts.ACC1.csh: unknown key"},
        BadCase{"[accounts.ACC1.positions.AAPL]\nmax_lng = 1\n",
                "risk.toml: accounts.ACC1.positions.AAPL.max_lng: unknown key"},
        BadCase{"[accounts.ACC1.positions]\nAAPL = 1\n",
                "risk.toml: accounts.ACC1.positions.AAPL: expected a table"},
        BadCase{"[symbols.AAPL]\ntick = \"0.01\"\n",
                "risk.toml: symbols.AAPL.reference_price: required"},
        BadCase{"[symbols.AAPL]\nreference_price = \"0\"\n",
                "risk.toml: symbols.AAPL.reference_price: must be positive"},
        BadCase{"[symbols.AAPL]\nreference_price = 1\ncollar_bps = 10001\n",
                "risk.toml: symbols.AAPL.collar_bps: must be at most 10000"},
        BadCase{"[symbols.AAPL]\nreference_price = 1\ncollar_bps = 5\n"
                "collar_ticks = 5\n",
                "risk.toml: symbols.AAPL: set collar_bps or collar_ticks, not "
                "both"},
        BadCase{"[defaults.symbol]\nreference_price = \"1\"\n",
                "risk.toml: defaults.symbol.reference_price: unknown key"},
        BadCase{"[sessions.S1]\norders_per_second = 1.0\n",
                "risk.toml: sessions.S1.orders_per_second: expected an "
                "integer"},
        BadCase{"[sessions.S1]\nallowed_accounts = \"ACC1\"\n",
                "risk.toml: sessions.S1.allowed_accounts: expected an array "
                "of strings"},
        BadCase{"[defaults.acount]\n",
                "risk.toml: defaults.acount: unknown key"},
        BadCase{"accounts = 3\n", "risk.toml: accounts: expected a table"},
        BadCase{"[limits]\n", "risk.toml: limits: unknown key"}));

TEST(RiskLimitsParse, SyntaxErrorNamesLineAndColumn) {
  auto r = ParseRiskLimits("[accounts.ACC1]\ncash = \n", "risk.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("risk.toml:2:", 0), 0u)
      << r.status().message();
}

TEST(RiskLimitsLoad, MissingFileIsNotFound) {
  auto r = LoadRiskFile("/nonexistent/risk.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace fixgw::risk
