// FIX 4.2 / 4.4 messages <-> domain events, shared by every FIX adapter
// (fixgw, fixsim, fixload). Prices and quantities are read from and written
// to the wire as decimal text, never through QuickFIX's double-typed fields.
//
// Decoding assumes the message already passed dictionary validation (required
// fields present, enum values known to its FIX version); what it checks is
// whether this project supports the values, and it answers with the
// OrdRejReason and Text a business reject needs. The version is read from
// the message's BeginString. Fields the domain does not model are kept, in
// wire order with their repeating groups, in the event's `extra`
// (pass-through); header and trailer fields never are.
//
// Encoding writes the version of the target session (Dialect): FIX 4.2's
// ExecTransType and PartialFill/Fill ExecTypes, its HandlInst on orders, its
// narrower reject reasons; timestamps at the session's precision; and the
// event's `extra` fields that the target's dictionary defines for the
// message (user-defined tags >= 5000 always), minus the session's deny list.
// Stateless functions, thread-safe (a Dialect's dictionary is only read).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>

#include "gateway/core/events.h"
#include "gateway/fix/quickfix.h"

namespace fixgw::fix {

// Why a message could not become a domain event.
using Rejection = ::fixgw::Rejection;

template <typename T>
using Decoded = std::variant<T, Rejection>;

// The FIX versions this project speaks.
enum class FixVersion { kFix42, kFix44 };
// "FIX.4.2" / "FIX.4.4" -> version; nullopt for any other BeginString.
std::optional<FixVersion> FixVersionOf(std::string_view begin_string);
std::string_view BeginStringOf(FixVersion version);

// What encoding for one session needs to know about it.
struct Dialect {
  FixVersion version = FixVersion::kFix44;
  // Decimals of the UTCTimestamps written (QuickFIX TimestampPrecision):
  // 0, 3 (FIX 4.2 and 4.4 allow milliseconds at most), 6 or 9.
  int timestamp_digits = 3;
  // The session's data dictionary: which pass-through fields it may carry,
  // and the shape of their repeating groups. Null: every pass-through field
  // is written as it is, without group structure. Not owned.
  const FIX::DataDictionary* dictionary = nullptr;
  // Pass-through tags never written to this session (a top-level tag drops
  // its whole group).
  std::set<int> deny;
};

Decoded<NewOrder> DecodeNewOrder(const FIX::Message& msg);
Decoded<CancelRequest> DecodeCancelRequest(const FIX::Message& msg);
Decoded<ReplaceRequest> DecodeReplaceRequest(const FIX::Message& msg);
Decoded<StatusRequest> DecodeStatusRequest(const FIX::Message& msg);
Decoded<MassStatusRequest> DecodeMassStatusRequest(const FIX::Message& msg);
// OrderMassCancelRequest (q): ClOrdID, MassCancelRequestType, Symbol, Side,
// Account (if the session lets it through), TransactTime. Refused: a Side
// this project does not trade. Whether the type is supported, and whether
// type 1 has its Symbol, is for the caller to judge.
Decoded<MassCancelRequest> DecodeMassCancelRequest(const FIX::Message& msg);
// FIX 4.2's ExecTransType Cancel/Correct/Status become kTradeCancel,
// kTradeCorrect and kOrderStatus, its PartialFill/Fill kTrade.
Decoded<ExecutionReport> DecodeExecutionReport(const FIX::Message& msg);
Decoded<CancelReject> DecodeCancelReject(const FIX::Message& msg);

FIX::Message EncodeNewOrder(const NewOrder& order, const Dialect& to = {});
FIX::Message EncodeCancelRequest(const CancelRequest& request,
                                 const Dialect& to = {});
FIX::Message EncodeReplaceRequest(const ReplaceRequest& request,
                                  const Dialect& to = {});
FIX::Message EncodeStatusRequest(const StatusRequest& request,
                                 const Dialect& to = {});
FIX::Message EncodeExecutionReport(const ExecutionReport& report,
                                   const Dialect& to = {});
FIX::Message EncodeCancelReject(const CancelReject& reject,
                                const Dialect& to = {});
// OrderMassCancelReport (r), FIX 4.4 (FIX 4.2 has no such message):
// TotalAffectedOrders (533) always, the AffectedOrdGrp (534: 41, 535) one
// entry per affected order, AffectedOrderID only when known.
FIX::Message EncodeMassCancelReport(const MassCancelReport& report,
                                    const Dialect& to = {});

// The string value of `tag`, or nullopt when absent.
std::optional<std::string> FieldText(const FIX::FieldMap& map, int tag);

// The body fields of `msg` outside `interpreted`, flattened in wire order
// (a group's NumInGroup field, then each entry's fields).
FixFields ExtraFields(const FIX::FieldMap& msg, const std::set<int>& interpreted);

}  // namespace fixgw::fix
