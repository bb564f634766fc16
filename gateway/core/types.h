// FIX 4.4 vocabulary of the domain, free of any FIX engine.
//
// Enumerators carry their FIX wire value (a char or an int) so adapters
// convert with a cast after validating the value with the *FromFix helpers.
// Values only, thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace fixgw {

// TransactTime / SendingTime precision is microseconds, UTC.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

enum class Side : char { kBuy = '1', kSell = '2', kSellShort = '5' };
enum class OrdType : char { kMarket = '1', kLimit = '2' };
enum class TimeInForce : char { kDay = '0', kIoc = '3', kFok = '4' };

// Every ExecType of FIX 4.4. FIX 4.2's PartialFill '1' and Fill '2' are
// kTrade here, its ExecTransType Cancel/Correct/Status are kTradeCancel,
// kTradeCorrect and kOrderStatus (the FIX adapter converts).
enum class ExecType : char {
  kNew = '0',
  kDoneForDay = '3',
  kCanceled = '4',
  kReplaced = '5',
  kPendingCancel = '6',
  kStopped = '7',
  kRejected = '8',
  kSuspended = '9',
  kPendingNew = 'A',
  kCalculated = 'B',
  kExpired = 'C',
  kRestated = 'D',
  kPendingReplace = 'E',
  kTrade = 'F',
  kTradeCorrect = 'G',
  kTradeCancel = 'H',
  kOrderStatus = 'I',
};

// Every OrdStatus of FIX 4.2 and 4.4.
enum class OrdStatus : char {
  kNew = '0',
  kPartiallyFilled = '1',
  kFilled = '2',
  kDoneForDay = '3',
  kCanceled = '4',
  kReplaced = '5',
  kPendingCancel = '6',
  kStopped = '7',
  kRejected = '8',
  kSuspended = '9',
  kPendingNew = 'A',
  kCalculated = 'B',
  kExpired = 'C',
  kAcceptedForBidding = 'D',
  kPendingReplace = 'E',
};

// OrdRejReason (103), the values this project uses.
enum class OrdRejReason : int {
  kBrokerOption = 0,
  kUnknownSymbol = 1,
  kExchangeClosed = 2,
  kOrderExceedsLimit = 3,
  kUnknownOrder = 5,
  kDuplicateOrder = 6,
  kUnsupportedOrderCharacteristic = 11,
  kIncorrectQuantity = 13,
  kOther = 99,
};

// CxlRejReason (102).
enum class CxlRejReason : int {
  kTooLateToCancel = 0,
  kUnknownOrder = 1,
  kBrokerOption = 2,
  kAlreadyPending = 3,
  kDuplicateClOrdId = 6,
  kOther = 99,
};

// CxlRejResponseTo (434).
enum class CxlRejResponseTo : char { kCancel = '1', kReplace = '2' };

constexpr char ToFix(Side v) { return static_cast<char>(v); }
constexpr char ToFix(OrdType v) { return static_cast<char>(v); }
constexpr char ToFix(TimeInForce v) { return static_cast<char>(v); }
constexpr char ToFix(ExecType v) { return static_cast<char>(v); }
constexpr char ToFix(OrdStatus v) { return static_cast<char>(v); }
constexpr char ToFix(CxlRejResponseTo v) { return static_cast<char>(v); }
constexpr int ToFix(OrdRejReason v) { return static_cast<int>(v); }
constexpr int ToFix(CxlRejReason v) { return static_cast<int>(v); }

// Wire value -> enum, nullopt for values this project does not support.
std::optional<Side> SideFromFix(char c);
std::optional<OrdType> OrdTypeFromFix(char c);
std::optional<TimeInForce> TimeInForceFromFix(char c);
std::optional<ExecType> ExecTypeFromFix(char c);
std::optional<OrdStatus> OrdStatusFromFix(char c);

// Names for logs and audit output ("Buy", "PartiallyFilled", ...).
std::string_view Name(Side v);
std::string_view Name(OrdType v);
std::string_view Name(TimeInForce v);
std::string_view Name(ExecType v);
std::string_view Name(OrdStatus v);

// Buy side of the book (kSellShort trades as a sell).
constexpr bool IsBuy(Side s) { return s == Side::kBuy; }

// Whether an order in this status is done: it cannot trade any more.
// DoneForDay counts as done: the gateway takes Day, IOC and FOK orders
// only, none of which works again on a later day.
constexpr bool IsTerminal(OrdStatus s) {
  return s == OrdStatus::kFilled || s == OrdStatus::kCanceled ||
         s == OrdStatus::kRejected || s == OrdStatus::kExpired ||
         s == OrdStatus::kReplaced || s == OrdStatus::kDoneForDay;
}

}  // namespace fixgw
