// Order and execution events exchanged between the FIX adapters and the
// domain (matching engine, later router, risk and journal). They mirror the
// FIX 4.4 messages D, F, G, H, AF, q, 8, 9 and r with domain types; adapters convert
// to and from FIX. Plain values, thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/core/decimal.h"
#include "gateway/core/types.h"

namespace fixgw {

// A FIX field the gateway does not interpret, as it came on the wire: the
// tag and the value's bytes. Lists of them keep wire order, so repeating
// groups (a NumInGroup field followed by its entries) survive intact.
struct FixField {
  int tag = 0;
  std::string value;
  bool operator==(const FixField&) const = default;
};
// The fields of a message that the domain does not model, forwarded to the
// other side unchanged (pass-through): ExDestination, HandlInst, Currency,
// Parties, the venue's TrdMatchID, user-defined tags... Never header or
// trailer fields.
using FixFields = std::vector<FixField>;

// Why an order or request is refused: the OrdRejReason (103) and the Text
// (58) the counterparty gets.
struct Rejection {
  OrdRejReason reason = OrdRejReason::kOther;
  std::string text;
};

// NewOrderSingle (D). `price` is set iff ord_type is kLimit.
struct NewOrder {
  std::string cl_ord_id;
  std::string account;
  std::string symbol;
  Side side = Side::kBuy;
  OrdType ord_type = OrdType::kLimit;
  TimeInForce tif = TimeInForce::kDay;
  Qty qty;
  std::optional<Price> price;
  Timestamp transact_time;  // epoch when absent
  FixFields extra;
};

// OrderCancelRequest (F).
struct CancelRequest {
  std::string cl_ord_id;
  std::string orig_cl_ord_id;
  std::string order_id;  // optional on the wire; empty when absent
  std::string symbol;
  Side side = Side::kBuy;
  Timestamp transact_time;
  FixFields extra;
};

// OrderCancelReplaceRequest (G): the new state of the order.
struct ReplaceRequest {
  std::string cl_ord_id;
  std::string orig_cl_ord_id;
  std::string order_id;  // optional on the wire; empty when absent
  std::string account;
  std::string symbol;
  Side side = Side::kBuy;
  OrdType ord_type = OrdType::kLimit;
  TimeInForce tif = TimeInForce::kDay;
  Qty qty;
  std::optional<Price> price;
  Timestamp transact_time;
  FixFields extra;
};

// OrderStatusRequest (H).
struct StatusRequest {
  std::string cl_ord_id;
  std::string order_id;  // optional; empty when absent
  std::string symbol;
  Side side = Side::kBuy;
};

// OrderMassStatusRequest (AF): the status of every order of the session
// that matches, one ExecutionReport (ExecType OrderStatus) each.
struct MassStatusRequest {
  std::string mass_status_req_id;  // MassStatusReqID (584)
  // MassStatusReqType (585): 7 all orders, 1 orders of `symbol`, 8 orders
  // of `account` (the Account field, for the party the request names).
  int req_type = 7;
  std::string account;  // Account (1): when set, only that account's orders
  std::string symbol;   // Symbol (55)
};

// OrderMassCancelRequest (q, FIX 4.4): cancel every open order of the
// session that matches. MassCancelRequestType (530) 1: the orders of
// `symbol`; 7: all orders. `side` and `account`, when set, narrow the set
// further (Account (1) is not a FIX 4.4 field of q; it arrives only from a
// session that allows fields outside the dictionary).
struct MassCancelRequest {
  std::string cl_ord_id;  // ClOrdID (11)
  char req_type = '7';    // MassCancelRequestType (530), its FIX char
  std::string symbol;     // Symbol (55); empty when absent
  std::optional<Side> side;  // Side (54); nullopt when absent
  std::string account;    // Account (1); empty when absent
  Timestamp transact_time;
};

// OrderMassCancelReport (r): the answer to a MassCancelRequest.
struct MassCancelReport {
  std::string cl_ord_id;  // the request's ClOrdID (11)
  std::string order_id;   // OrderID (37): the gateway's id of the request
  char req_type = '7';    // MassCancelRequestType (530), as requested
  // MassCancelResponse (531): '0' rejected, else the request type honoured.
  char response = '0';
  // MassCancelRejectReason (532) when rejected: 0 not supported, 1 unknown
  // security, 99 other.
  std::optional<int> reject_reason;
  // The orders it cancels (AffectedOrdGrp): OrigClOrdID (41), the order's
  // current broker ClOrdID, and AffectedOrderID (535), the exchange's
  // OrderID (empty while the exchange has not acknowledged the order).
  struct Affected {
    std::string orig_cl_ord_id;
    std::string order_id;
    bool operator==(const Affected&) const = default;
  };
  std::vector<Affected> affected;  // TotalAffectedOrders (533) = size
  std::string symbol;              // echoed when requested
  std::optional<Side> side;        // echoed when requested
  std::string text;                // Text (58)
  Timestamp transact_time;
};

// ExecutionReport (8). Invariant for accepted orders:
// cum_qty + leaves_qty == order_qty while the order is live, leaves_qty == 0
// once it is terminal; avg_px == cum_notional / cum_qty.
struct ExecutionReport {
  std::string order_id;
  std::string cl_ord_id;
  std::string orig_cl_ord_id;  // set on Replaced / Canceled after a request
  std::string exec_id;
  ExecType exec_type = ExecType::kNew;
  OrdStatus ord_status = OrdStatus::kNew;
  std::string account;
  std::string symbol;
  Side side = Side::kBuy;
  OrdType ord_type = OrdType::kLimit;
  TimeInForce tif = TimeInForce::kDay;
  Qty order_qty;
  std::optional<Price> price;
  Qty last_qty;    // set on kTrade
  Price last_px;   // set on kTrade
  Qty cum_qty;
  Qty leaves_qty;
  Price avg_px;
  std::optional<OrdRejReason> ord_rej_reason;  // set on kRejected
  std::string text;
  // ExecRefID (19): the ExecID a kTradeCancel or kTradeCorrect refers to.
  std::string exec_ref_id;
  Timestamp transact_time;  // epoch when absent
  FixFields extra;
};

// OrderCancelReject (9).
struct CancelReject {
  std::string order_id;  // "NONE" when the order is unknown, as FIX requires
  std::string cl_ord_id;
  std::string orig_cl_ord_id;
  OrdStatus ord_status = OrdStatus::kRejected;
  CxlRejResponseTo response_to = CxlRejResponseTo::kCancel;
  CxlRejReason reason = CxlRejReason::kOther;
  std::string text;
  Timestamp transact_time;  // epoch when absent
  FixFields extra;
};

}  // namespace fixgw
