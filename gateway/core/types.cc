#include "gateway/core/types.h"

namespace fixgw {

std::optional<Side> SideFromFix(char c) {
  switch (c) {
    case '1': return Side::kBuy;
    case '2': return Side::kSell;
    case '5': return Side::kSellShort;
    default: return std::nullopt;
  }
}

std::optional<OrdType> OrdTypeFromFix(char c) {
  switch (c) {
    case '1': return OrdType::kMarket;
    case '2': return OrdType::kLimit;
    default: return std::nullopt;
  }
}

std::optional<TimeInForce> TimeInForceFromFix(char c) {
  switch (c) {
    case '0': return TimeInForce::kDay;
    case '3': return TimeInForce::kIoc;
    case '4': return TimeInForce::kFok;
    default: return std::nullopt;
  }
}

std::optional<ExecType> ExecTypeFromFix(char c) {
  switch (c) {
    case '0': case '3': case '4': case '5': case '6': case '7': case '8':
    case '9': case 'A': case 'B': case 'C': case 'D': case 'E': case 'F':
    case 'G': case 'H': case 'I':
      return static_cast<ExecType>(c);
    default: return std::nullopt;
  }
}

std::optional<OrdStatus> OrdStatusFromFix(char c) {
  switch (c) {
    case '0': case '1': case '2': case '3': case '4': case '5': case '6':
    case '7': case '8': case '9': case 'A': case 'B': case 'C': case 'D':
    case 'E':
      return static_cast<OrdStatus>(c);
    default: return std::nullopt;
  }
}

std::string_view Name(Side v) {
  switch (v) {
    case Side::kBuy: return "Buy";
    case Side::kSell: return "Sell";
    case Side::kSellShort: return "SellShort";
  }
  return "?";
}

std::string_view Name(OrdType v) {
  switch (v) {
    case OrdType::kMarket: return "Market";
    case OrdType::kLimit: return "Limit";
  }
  return "?";
}

std::string_view Name(TimeInForce v) {
  switch (v) {
    case TimeInForce::kDay: return "Day";
    case TimeInForce::kIoc: return "IOC";
    case TimeInForce::kFok: return "FOK";
  }
  return "?";
}

std::string_view Name(ExecType v) {
  switch (v) {
    case ExecType::kNew: return "New";
    case ExecType::kDoneForDay: return "DoneForDay";
    case ExecType::kStopped: return "Stopped";
    case ExecType::kSuspended: return "Suspended";
    case ExecType::kCalculated: return "Calculated";
    case ExecType::kRestated: return "Restated";
    case ExecType::kTradeCorrect: return "TradeCorrect";
    case ExecType::kTradeCancel: return "TradeCancel";
    case ExecType::kCanceled: return "Canceled";
    case ExecType::kReplaced: return "Replaced";
    case ExecType::kPendingCancel: return "PendingCancel";
    case ExecType::kRejected: return "Rejected";
    case ExecType::kPendingNew: return "PendingNew";
    case ExecType::kExpired: return "Expired";
    case ExecType::kPendingReplace: return "PendingReplace";
    case ExecType::kTrade: return "Trade";
    case ExecType::kOrderStatus: return "OrderStatus";
  }
  return "?";
}

std::string_view Name(OrdStatus v) {
  switch (v) {
    case OrdStatus::kNew: return "New";
    case OrdStatus::kPartiallyFilled: return "PartiallyFilled";
    case OrdStatus::kFilled: return "Filled";
    case OrdStatus::kDoneForDay: return "DoneForDay";
    case OrdStatus::kStopped: return "Stopped";
    case OrdStatus::kSuspended: return "Suspended";
    case OrdStatus::kCalculated: return "Calculated";
    case OrdStatus::kAcceptedForBidding: return "AcceptedForBidding";
    case OrdStatus::kCanceled: return "Canceled";
    case OrdStatus::kReplaced: return "Replaced";
    case OrdStatus::kPendingCancel: return "PendingCancel";
    case OrdStatus::kRejected: return "Rejected";
    case OrdStatus::kPendingNew: return "PendingNew";
    case OrdStatus::kExpired: return "Expired";
    case OrdStatus::kPendingReplace: return "PendingReplace";
  }
  return "?";
}

}  // namespace fixgw
