// FIX enum vocabulary: every enumerator survives ToFix -> *FromFix, every
// other wire character is refused, and names are stable for logs and audit.
#include "gateway/core/types.h"

#include <gtest/gtest.h>

#include <climits>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace fixgw {
namespace {

const std::vector<Side> kSides = {Side::kBuy, Side::kSell, Side::kSellShort};
const std::vector<OrdType> kOrdTypes = {OrdType::kMarket, OrdType::kLimit};
const std::vector<TimeInForce> kTifs = {TimeInForce::kDay, TimeInForce::kIoc,
                                        TimeInForce::kFok};
// Every ExecType of FIX 4.4: '0', '3'-'9', 'A'-'I'.
const std::vector<ExecType> kExecTypes = {
    ExecType::kNew,          ExecType::kDoneForDay,     ExecType::kCanceled,
    ExecType::kReplaced,     ExecType::kPendingCancel,  ExecType::kStopped,
    ExecType::kRejected,     ExecType::kSuspended,      ExecType::kPendingNew,
    ExecType::kCalculated,   ExecType::kExpired,        ExecType::kRestated,
    ExecType::kPendingReplace, ExecType::kTrade,        ExecType::kTradeCorrect,
    ExecType::kTradeCancel,  ExecType::kOrderStatus};
// Every OrdStatus of FIX 4.2 and 4.4: '0'-'9', 'A'-'E'.
const std::vector<OrdStatus> kOrdStatuses = {
    OrdStatus::kNew,        OrdStatus::kPartiallyFilled,
    OrdStatus::kFilled,     OrdStatus::kDoneForDay,
    OrdStatus::kCanceled,   OrdStatus::kReplaced,
    OrdStatus::kPendingCancel, OrdStatus::kStopped,
    OrdStatus::kRejected,   OrdStatus::kSuspended,
    OrdStatus::kPendingNew, OrdStatus::kCalculated,
    OrdStatus::kExpired,    OrdStatus::kAcceptedForBidding,
    OrdStatus::kPendingReplace};

// For every char: FromFix accepts exactly the wire values of `all`, mapping
// each back to its enumerator.
template <typename E, typename F>
void ExpectExactRoundTrip(const std::vector<E>& all, F from_fix) {
  std::set<char> valid;
  for (E v : all) {
    valid.insert(ToFix(v));
    std::optional<E> back = from_fix(ToFix(v));
    ASSERT_TRUE(back.has_value()) << ToFix(v);
    EXPECT_EQ(*back, v) << ToFix(v);
  }
  EXPECT_EQ(valid.size(), all.size()) << "two enumerators share a wire value";
  for (int c = CHAR_MIN; c <= CHAR_MAX; ++c) {
    const char ch = static_cast<char>(c);
    if (valid.contains(ch)) continue;
    EXPECT_FALSE(from_fix(ch).has_value()) << "accepted char " << c;
  }
}

// Names are non-empty, distinct and never the fallback "?".
template <typename E>
void ExpectDistinctNames(const std::vector<E>& all) {
  std::set<std::string_view> names;
  for (E v : all) {
    std::string_view name = Name(v);
    EXPECT_FALSE(name.empty());
    EXPECT_NE(name, "?");
    EXPECT_TRUE(names.insert(name).second) << name;
  }
}

TEST(TypesTest, SideRoundTripsAndRejectsUnknownChars) {
  ExpectExactRoundTrip(kSides, SideFromFix);
}

TEST(TypesTest, OrdTypeRoundTripsAndRejectsUnknownChars) {
  ExpectExactRoundTrip(kOrdTypes, OrdTypeFromFix);
}

TEST(TypesTest, TimeInForceRoundTripsAndRejectsUnknownChars) {
  ExpectExactRoundTrip(kTifs, TimeInForceFromFix);
}

TEST(TypesTest, ExecTypeRoundTripsAndRejectsUnknownChars) {
  ExpectExactRoundTrip(kExecTypes, ExecTypeFromFix);
}

TEST(TypesTest, OrdStatusRoundTripsAndRejectsUnknownChars) {
  ExpectExactRoundTrip(kOrdStatuses, OrdStatusFromFix);
}

TEST(TypesTest, WireValuesAreTheFix44Ones) {
  EXPECT_EQ(ToFix(Side::kSellShort), '5');
  EXPECT_EQ(ToFix(OrdType::kLimit), '2');
  EXPECT_EQ(ToFix(TimeInForce::kIoc), '3');
  EXPECT_EQ(ToFix(TimeInForce::kFok), '4');
  EXPECT_EQ(ToFix(ExecType::kTrade), 'F');
  EXPECT_EQ(ToFix(ExecType::kOrderStatus), 'I');
  EXPECT_EQ(ToFix(OrdStatus::kPartiallyFilled), '1');
  EXPECT_EQ(ToFix(OrdStatus::kPendingNew), 'A');
  EXPECT_EQ(ToFix(CxlRejResponseTo::kReplace), '2');
  EXPECT_EQ(ToFix(OrdRejReason::kDuplicateOrder), 6);
  EXPECT_EQ(ToFix(OrdRejReason::kIncorrectQuantity), 13);
  EXPECT_EQ(ToFix(OrdRejReason::kOther), 99);
  EXPECT_EQ(ToFix(CxlRejReason::kTooLateToCancel), 0);
  EXPECT_EQ(ToFix(CxlRejReason::kDuplicateClOrdId), 6);
}

TEST(TypesTest, NamesAreDistinct) {
  ExpectDistinctNames(kSides);
  ExpectDistinctNames(kOrdTypes);
  ExpectDistinctNames(kTifs);
  ExpectDistinctNames(kExecTypes);
  ExpectDistinctNames(kOrdStatuses);
}

TEST(TypesTest, NamesReadAsFixWords) {
  EXPECT_EQ(Name(Side::kBuy), "Buy");
  EXPECT_EQ(Name(Side::kSellShort), "SellShort");
  EXPECT_EQ(Name(OrdType::kMarket), "Market");
  EXPECT_EQ(Name(TimeInForce::kDay), "Day");
  EXPECT_EQ(Name(TimeInForce::kIoc), "IOC");
  EXPECT_EQ(Name(TimeInForce::kFok), "FOK");
  EXPECT_EQ(Name(ExecType::kTrade), "Trade");
  EXPECT_EQ(Name(ExecType::kOrderStatus), "OrderStatus");
  EXPECT_EQ(Name(OrdStatus::kPartiallyFilled), "PartiallyFilled");
  EXPECT_EQ(Name(OrdStatus::kPendingReplace), "PendingReplace");
}

TEST(TypesTest, UnknownEnumValuesNameAsQuestionMark) {
  EXPECT_EQ(Name(static_cast<Side>('9')), "?");
  EXPECT_EQ(Name(static_cast<OrdStatus>('Z')), "?");
}

TEST(TypesTest, OnlyBuyIsTheBuySide) {
  EXPECT_TRUE(IsBuy(Side::kBuy));
  EXPECT_FALSE(IsBuy(Side::kSell));
  EXPECT_FALSE(IsBuy(Side::kSellShort));
}

TEST(TypesTest, TerminalStatusesCannotTrade) {
  const std::set<OrdStatus> terminal = {
      OrdStatus::kFilled, OrdStatus::kCanceled, OrdStatus::kRejected,
      OrdStatus::kExpired, OrdStatus::kReplaced, OrdStatus::kDoneForDay};
  for (OrdStatus s : kOrdStatuses) {
    EXPECT_EQ(IsTerminal(s), terminal.contains(s)) << Name(s);
  }
}

}  // namespace
}  // namespace fixgw
