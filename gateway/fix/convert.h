// FIX 4.4 messages <-> domain events, shared by every FIX adapter (fixgw,
// fixsim, fixload). Prices and quantities are read from and written to the
// wire as decimal text, never through QuickFIX's double-typed fields.
//
// Decoding assumes the message already passed dictionary validation (required
// fields present, enum values known to FIX 4.4); what it checks is whether
// this project supports the values, and it answers with the OrdRejReason and
// Text a business reject needs. Stateless functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "gateway/core/events.h"
#include "gateway/fix/quickfix.h"

namespace fixgw::fix {

// Why a message could not become a domain event.
using Rejection = ::fixgw::Rejection;

template <typename T>
using Decoded = std::variant<T, Rejection>;

Decoded<NewOrder> DecodeNewOrder(const FIX::Message& msg);
Decoded<CancelRequest> DecodeCancelRequest(const FIX::Message& msg);
Decoded<ReplaceRequest> DecodeReplaceRequest(const FIX::Message& msg);
Decoded<StatusRequest> DecodeStatusRequest(const FIX::Message& msg);
Decoded<ExecutionReport> DecodeExecutionReport(const FIX::Message& msg);
Decoded<CancelReject> DecodeCancelReject(const FIX::Message& msg);

FIX44::NewOrderSingle EncodeNewOrder(const NewOrder& order);
FIX44::OrderCancelRequest EncodeCancelRequest(const CancelRequest& request);
FIX44::OrderCancelReplaceRequest EncodeReplaceRequest(
    const ReplaceRequest& request);
FIX44::OrderStatusRequest EncodeStatusRequest(const StatusRequest& request);
FIX44::ExecutionReport EncodeExecutionReport(const ExecutionReport& report);
FIX44::OrderCancelReject EncodeCancelReject(const CancelReject& reject);

// The string value of `tag`, or nullopt when absent.
std::optional<std::string> FieldText(const FIX::FieldMap& map, int tag);

}  // namespace fixgw::fix
