// Fixed-point Price / Qty / Notional: parsing, formatting, checked arithmetic
// and rounding, with the int64 edges swept.
#include "gateway/core/decimal.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace fixgw {

void PrintTo(Price p, std::ostream* os) { *os << p.micros() << "e-6"; }
void PrintTo(Qty q, std::ostream* os) { *os << q.units(); }

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

int64_t Micros(std::string_view text) {
  Result<Price> p = ParsePrice(text);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status().message();
  return p.ok() ? p->micros() : 0;
}

TEST(ParsePriceTest, ParsesIntegersAndDecimals) {
  EXPECT_EQ(Micros("0"), 0);
  EXPECT_EQ(Micros("100"), 100'000'000);
  EXPECT_EQ(Micros("101.25"), 101'250'000);
  EXPECT_EQ(Micros("0.000001"), 1);
  EXPECT_EQ(Micros("007.5"), 7'500'000);
}

TEST(ParsePriceTest, ParsesNegativePrices) {
  EXPECT_EQ(Micros("-0.5"), -500'000);
  EXPECT_EQ(Micros("-12"), -12'000'000);
  EXPECT_EQ(Micros("-0"), 0);
  EXPECT_EQ(Micros("-.5"), -500'000);
}

TEST(ParsePriceTest, AcceptsMissingIntegerOrFractionDigits) {
  EXPECT_EQ(Micros(".5"), 500'000);
  EXPECT_EQ(Micros("5."), 5'000'000);
  EXPECT_EQ(Micros(".0"), 0);
}

TEST(ParsePriceTest, AcceptsTrailingZerosBeyondSixDecimals) {
  EXPECT_EQ(Micros("1.0000000"), 1'000'000);
  EXPECT_EQ(Micros("1.000001000000000000"), 1'000'001);
}

TEST(ParsePriceTest, RejectsDigitsFinerThanAMicro) {
  EXPECT_FALSE(ParsePrice("1.0000001").ok());
  EXPECT_FALSE(ParsePrice("0.0000005").ok());
  EXPECT_FALSE(ParsePrice("1.0000000001").ok());
}

TEST(ParsePriceTest, RejectsMalformedText) {
  for (const char* text : {"", "-", ".", "-.", "abc", "1e5", "1E5", "+1", " 1",
                           "1 ", "1,5", "1.2.3", "--1", "0x10", "1-", "1.-5"}) {
    Result<Price> p = ParsePrice(text);
    EXPECT_FALSE(p.ok()) << "'" << text << "'";
    if (!p.ok()) {
      EXPECT_EQ(p.status().code(), Status::Code::kInvalidArgument);
      EXPECT_NE(p.status().message().find(std::string("'") + text + "'"),
                std::string::npos)
          << p.status().message();
    }
  }
}

TEST(ParsePriceTest, AcceptsTheInt64Extremes) {
  EXPECT_EQ(Micros("9223372036854.775807"), kMax);
  EXPECT_EQ(Micros("-9223372036854.775808"), kMin);
}

TEST(ParsePriceTest, RejectsOverflow) {
  EXPECT_FALSE(ParsePrice("9223372036854.775808").ok());
  EXPECT_FALSE(ParsePrice("-9223372036854.775809").ok());
  EXPECT_FALSE(ParsePrice("9223372036855").ok());  // overflows when scaled
  EXPECT_FALSE(ParsePrice("99999999999999999999").ok());
  EXPECT_FALSE(ParsePrice("-99999999999999999999.5").ok());
}

TEST(FormatPriceTest, GivesTheShortestExactText) {
  EXPECT_EQ(FormatPrice(Price::FromMicros(101'250'000)), "101.25");
  EXPECT_EQ(FormatPrice(Price::FromUnits(100)), "100");
  EXPECT_EQ(FormatPrice(Price::FromMicros(-1)), "-0.000001");
  EXPECT_EQ(FormatPrice(Price::FromMicros(-500'000)), "-0.5");
  EXPECT_EQ(FormatPrice(Price()), "0");
  EXPECT_EQ(FormatPrice(Price::FromMicros(10'000)), "0.01");
  EXPECT_EQ(FormatPrice(Price::FromMicros(1'000'001)), "1.000001");
}

TEST(FormatPriceTest, FormatsTheInt64Extremes) {
  EXPECT_EQ(FormatPrice(Price::FromMicros(kMax)), "9223372036854.775807");
  EXPECT_EQ(FormatPrice(Price::FromMicros(kMin)), "-9223372036854.775808");
}

TEST(FormatPriceTest, RoundTripsThroughParse) {
  std::vector<int64_t> values = {
      0,           1,           -1,   999'999, 1'000'000, -1'000'001,
      123'456'789, 100'004'000, kMax, kMin,    kMax - 1,  kMin + 1};
  // A sweep of magnitudes and digit patterns.
  for (int64_t v = 7; v < kMax / 13; v *= 13) {
    values.push_back(v);
    values.push_back(-v);
  }
  for (int64_t micros : values) {
    std::string text = FormatPrice(Price::FromMicros(micros));
    Result<Price> back = ParsePrice(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(back->micros(), micros) << text;
  }
}

TEST(ParseQtyTest, ParsesWholeNumbers) {
  EXPECT_EQ(ParseQty("100").value(), Qty(100));
  EXPECT_EQ(ParseQty("0").value(), Qty(0));
  EXPECT_EQ(ParseQty("-5").value(), Qty(-5));
  EXPECT_EQ(ParseQty("100.000").value(), Qty(100));
  EXPECT_EQ(ParseQty("100.").value(), Qty(100));
  EXPECT_EQ(ParseQty(".0").value(), Qty(0));
}

TEST(ParseQtyTest, RejectsFractionsAndMalformedText) {
  for (const char* text : {"100.5", "0.1", ".5", "", "-", ".", "1e3", "abc",
                           "10 ", "+10", "1.0000001"}) {
    EXPECT_FALSE(ParseQty(text).ok()) << "'" << text << "'";
  }
}

TEST(ParseQtyTest, HandlesTheInt64Extremes) {
  EXPECT_EQ(ParseQty("9223372036854775807").value(), Qty(kMax));
  EXPECT_EQ(ParseQty("-9223372036854775808").value(), Qty(kMin));
  EXPECT_FALSE(ParseQty("9223372036854775808").ok());
  EXPECT_FALSE(ParseQty("-9223372036854775809").ok());
}

TEST(FormatQtyTest, RoundTripsThroughParse) {
  for (int64_t units :
       {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{100}, kMax, kMin}) {
    std::string text = FormatQty(Qty(units));
    EXPECT_EQ(ParseQty(text).value(), Qty(units)) << text;
  }
  EXPECT_EQ(FormatQty(Qty(1500)), "1500");
}

TEST(MultiplyTest, GivesQtyTimesPriceInMicros) {
  EXPECT_EQ(Multiply(Qty(300), Price::FromUnits(100))->micros(),
            30'000'000'000);
  EXPECT_EQ(Multiply(Qty(200), Price::FromMicros(100'010'000))->micros(),
            20'002'000'000);
  EXPECT_EQ(Multiply(Qty(0), Price::FromMicros(kMax))->micros(), 0);
  EXPECT_EQ(Multiply(Qty(-2), Price::FromMicros(3))->micros(), -6);
  EXPECT_EQ(Multiply(Qty(1), Price::FromMicros(kMin))->micros(), kMin);
  EXPECT_EQ(Multiply(Qty(-1), Price::FromMicros(kMax))->micros(), -kMax);
}

TEST(MultiplyTest, DetectsOverflow) {
  EXPECT_FALSE(Multiply(Qty(2), Price::FromMicros(kMax / 2 + 1)));
  EXPECT_TRUE(Multiply(Qty(2), Price::FromMicros(kMax / 2)));
  EXPECT_FALSE(Multiply(Qty(-1), Price::FromMicros(kMin)));
  EXPECT_FALSE(Multiply(Qty(kMax), Price::FromMicros(kMax)));
  EXPECT_FALSE(Multiply(Qty(1'000'000'000'000), Price::FromUnits(10'000'000)));
}

TEST(AddTest, AddsAndDetectsOverflow) {
  EXPECT_EQ(Add(Notional::FromMicros(5), Notional::FromMicros(-7))->micros(),
            -2);
  EXPECT_EQ(Add(Notional::FromMicros(kMax), Notional::FromMicros(0))->micros(),
            kMax);
  EXPECT_FALSE(Add(Notional::FromMicros(kMax), Notional::FromMicros(1)));
  EXPECT_FALSE(Add(Notional::FromMicros(kMin), Notional::FromMicros(-1)));
  EXPECT_EQ(
      Add(Notional::FromMicros(kMin), Notional::FromMicros(kMax))->micros(),
      -1);
}

TEST(AveragePriceTest, IsExactWhenItDivides) {
  // 300 @ 100.00 + 200 @ 100.01 = 50002.00 over 500 = 100.004
  Notional n = Notional::FromMicros(30'000'000'000 + 20'002'000'000);
  EXPECT_EQ(AveragePrice(n, Qty(500)), Price::FromMicros(100'004'000));
  EXPECT_EQ(AveragePrice(Notional::FromMicros(7), Qty(1)),
            Price::FromMicros(7));
}

TEST(AveragePriceTest, RoundsHalfAwayFromZero) {
  EXPECT_EQ(AveragePrice(Notional::FromMicros(5), Qty(2)),
            Price::FromMicros(3));  // 2.5 -> 3
  EXPECT_EQ(AveragePrice(Notional::FromMicros(-5), Qty(2)),
            Price::FromMicros(-3));  // -2.5 -> -3
  EXPECT_EQ(AveragePrice(Notional::FromMicros(7), Qty(3)),
            Price::FromMicros(2));  // 2.33 -> 2
  EXPECT_EQ(AveragePrice(Notional::FromMicros(8), Qty(3)),
            Price::FromMicros(3));  // 2.67 -> 3
  EXPECT_EQ(AveragePrice(Notional::FromMicros(-7), Qty(3)),
            Price::FromMicros(-2));
  EXPECT_EQ(AveragePrice(Notional::FromMicros(-8), Qty(3)),
            Price::FromMicros(-3));
  EXPECT_EQ(AveragePrice(Notional::FromMicros(1), Qty(3)), Price());
  EXPECT_EQ(AveragePrice(Notional::FromMicros(3), Qty(6)),
            Price::FromMicros(1));  // 0.5 -> 1
}

TEST(AveragePriceTest, HandlesTheInt64Extremes) {
  EXPECT_EQ(AveragePrice(Notional::FromMicros(kMax), Qty(1)),
            Price::FromMicros(kMax));
  EXPECT_EQ(AveragePrice(Notional::FromMicros(kMin), Qty(1)),
            Price::FromMicros(kMin));
  EXPECT_EQ(AveragePrice(Notional::FromMicros(kMax), Qty(kMax)),
            Price::FromMicros(1));
  EXPECT_EQ(AveragePrice(Notional::FromMicros(kMin), Qty(kMax)),
            Price::FromMicros(-1));
  // kMax / 2 = 4611686018427387903.5 -> rounds up without overflowing.
  EXPECT_EQ(AveragePrice(Notional::FromMicros(kMax), Qty(2)),
            Price::FromMicros(kMax / 2 + 1));
}

TEST(FormatMoneyTest, GivesTwoDecimals) {
  EXPECT_EQ(FormatMoney(Notional::FromMicros(125'000'000'000)), "125000.00");
  EXPECT_EQ(FormatMoney(Notional()), "0.00");
  EXPECT_EQ(FormatMoney(Notional::FromMicros(10'000)), "0.01");
  EXPECT_EQ(FormatMoney(Notional::FromMicros(-1'500'000)), "-1.50");
  EXPECT_EQ(FormatMoney(Notional::FromMicros(1'230'000)), "1.23");
}

TEST(FormatMoneyTest, RoundsHalfAwayFromZeroToTheCent) {
  EXPECT_EQ(FormatMoney(Notional::FromMicros(4'999)), "0.00");
  EXPECT_EQ(FormatMoney(Notional::FromMicros(5'000)), "0.01");
  EXPECT_EQ(FormatMoney(Notional::FromMicros(-5'000)), "-0.01");
  EXPECT_EQ(FormatMoney(Notional::FromMicros(-4'999)), "0.00");
  EXPECT_EQ(FormatMoney(Notional::FromMicros(1'994'999)), "1.99");
  EXPECT_EQ(FormatMoney(Notional::FromMicros(1'995'000)), "2.00");
}

TEST(FormatMoneyTest, FormatsTheInt64Extremes) {
  EXPECT_EQ(FormatMoney(Notional::FromMicros(kMax)), "9223372036854.78");
  EXPECT_EQ(FormatMoney(Notional::FromMicros(kMin)), "-9223372036854.78");
}

TEST(PriceTest, ComparesAndAddsInMicros) {
  EXPECT_LT(Price::FromMicros(1), Price::FromMicros(2));
  EXPECT_EQ(Price::FromUnits(2), Price::FromMicros(2'000'000));
  EXPECT_EQ(Price::FromUnits(1) + Price::FromMicros(1),
            Price::FromMicros(1'000'001));
  EXPECT_EQ(Price::FromUnits(1) - Price::FromUnits(2), Price::FromUnits(-1));
  Qty q(5);
  q += Qty(3);
  q -= Qty(1);
  EXPECT_EQ(q, Qty(7));
  EXPECT_EQ(Qty(5) - Qty(7), Qty(-2));
}

}  // namespace
}  // namespace fixgw
