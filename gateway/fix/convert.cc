#include "gateway/fix/convert.h"

#include <fmt/format.h>

#include <cstdlib>

#include "gateway/core/clock.h"

namespace fixgw::fix {
namespace {

namespace tag = FIX::FIELD;

std::string Get(const FIX::FieldMap& msg, int t) {
  return msg.isSetField(t) ? msg.getField(t) : std::string();
}

// The single-char value of `t`, or '\0' when absent or longer than one char.
char GetChar(const FIX::FieldMap& msg, int t) {
  std::string v = Get(msg, t);
  return v.size() == 1 ? v[0] : '\0';
}

Rejection Reject(OrdRejReason reason, std::string text) {
  return Rejection{reason, std::move(text)};
}

void Set(FIX::FieldMap& msg, int t, const std::string& value) {
  msg.setField(t, value);
}
void SetIfNotEmpty(FIX::FieldMap& msg, int t, const std::string& value) {
  if (!value.empty()) msg.setField(t, value);
}
void SetChar(FIX::FieldMap& msg, int t, char value) {
  msg.setField(t, std::string(1, value));
}

// Side (54), which every order message carries.
std::optional<Rejection> DecodeSide(const FIX::FieldMap& msg, Side* side) {
  auto s = SideFromFix(GetChar(msg, tag::Side));
  if (!s) {
    return Reject(OrdRejReason::kUnsupportedOrderCharacteristic,
                  "unsupported Side '" + Get(msg, tag::Side) + "'");
  }
  *side = *s;
  return std::nullopt;
}

// Fields common to D and G: side, type, tif, qty, price. Writes them into
// the out-params; returns a rejection if a value is unsupported.
std::optional<Rejection> DecodeOrderTerms(const FIX::FieldMap& msg, Side* side,
                                          OrdType* ord_type, TimeInForce* tif,
                                          Qty* qty,
                                          std::optional<Price>* price) {
  if (auto rej = DecodeSide(msg, side)) return rej;
  auto t = OrdTypeFromFix(GetChar(msg, tag::OrdType));
  if (!t) {
    return Reject(OrdRejReason::kUnsupportedOrderCharacteristic,
                  "unsupported OrdType '" + Get(msg, tag::OrdType) +
                      "' (Market and Limit only)");
  }
  *ord_type = *t;
  if (msg.isSetField(tag::TimeInForce)) {
    auto f = TimeInForceFromFix(GetChar(msg, tag::TimeInForce));
    if (!f) {
      return Reject(OrdRejReason::kUnsupportedOrderCharacteristic,
                    "unsupported TimeInForce '" + Get(msg, tag::TimeInForce) +
                        "' (Day, IOC and FOK only)");
    }
    *tif = *f;
  } else {
    *tif = TimeInForce::kDay;  // FIX 4.4 default
  }
  auto q = ParseQty(Get(msg, tag::OrderQty));
  if (!q.ok()) {
    return Reject(OrdRejReason::kIncorrectQuantity, q.status().message());
  }
  *qty = *q;
  if (msg.isSetField(tag::Price)) {
    auto p = ParsePrice(Get(msg, tag::Price));
    if (!p.ok()) return Reject(OrdRejReason::kOther, p.status().message());
    *price = *p;
  } else {
    price->reset();
  }
  return std::nullopt;
}

Timestamp DecodeTime(const FIX::FieldMap& msg, int t) {
  auto ts = ParseFixTimestamp(Get(msg, t));
  return ts.ok() ? *ts : Timestamp{};
}

void EncodeOrderTerms(FIX::FieldMap& msg, Side side, OrdType ord_type,
                      TimeInForce tif, Qty qty,
                      const std::optional<Price>& price) {
  SetChar(msg, tag::Side, ToFix(side));
  SetChar(msg, tag::OrdType, ToFix(ord_type));
  SetChar(msg, tag::TimeInForce, ToFix(tif));
  Set(msg, tag::OrderQty, FormatQty(qty));
  if (price) Set(msg, tag::Price, FormatPrice(*price));
}

}  // namespace

std::optional<std::string> FieldText(const FIX::FieldMap& map, int t) {
  if (!map.isSetField(t)) return std::nullopt;
  return map.getField(t);
}

Decoded<NewOrder> DecodeNewOrder(const FIX::Message& msg) {
  NewOrder o;
  o.cl_ord_id = Get(msg, tag::ClOrdID);
  o.account = Get(msg, tag::Account);
  o.symbol = Get(msg, tag::Symbol);
  if (auto r = DecodeOrderTerms(msg, &o.side, &o.ord_type, &o.tif, &o.qty,
                                &o.price)) {
    return *r;
  }
  o.transact_time = DecodeTime(msg, tag::TransactTime);
  return o;
}

Decoded<CancelRequest> DecodeCancelRequest(const FIX::Message& msg) {
  CancelRequest r;
  r.cl_ord_id = Get(msg, tag::ClOrdID);
  r.orig_cl_ord_id = Get(msg, tag::OrigClOrdID);
  r.order_id = Get(msg, tag::OrderID);
  r.symbol = Get(msg, tag::Symbol);
  if (auto rej = DecodeSide(msg, &r.side)) return *rej;
  r.transact_time = DecodeTime(msg, tag::TransactTime);
  return r;
}

Decoded<ReplaceRequest> DecodeReplaceRequest(const FIX::Message& msg) {
  ReplaceRequest r;
  r.cl_ord_id = Get(msg, tag::ClOrdID);
  r.orig_cl_ord_id = Get(msg, tag::OrigClOrdID);
  r.order_id = Get(msg, tag::OrderID);
  r.account = Get(msg, tag::Account);
  r.symbol = Get(msg, tag::Symbol);
  if (auto rej = DecodeOrderTerms(msg, &r.side, &r.ord_type, &r.tif, &r.qty,
                                  &r.price)) {
    return *rej;
  }
  r.transact_time = DecodeTime(msg, tag::TransactTime);
  return r;
}

Decoded<StatusRequest> DecodeStatusRequest(const FIX::Message& msg) {
  StatusRequest r;
  r.cl_ord_id = Get(msg, tag::ClOrdID);
  r.order_id = Get(msg, tag::OrderID);
  r.symbol = Get(msg, tag::Symbol);
  if (auto rej = DecodeSide(msg, &r.side)) return *rej;
  return r;
}

Decoded<ExecutionReport> DecodeExecutionReport(const FIX::Message& msg) {
  ExecutionReport r;
  r.order_id = Get(msg, tag::OrderID);
  r.cl_ord_id = Get(msg, tag::ClOrdID);
  r.orig_cl_ord_id = Get(msg, tag::OrigClOrdID);
  r.exec_id = Get(msg, tag::ExecID);
  r.account = Get(msg, tag::Account);
  r.symbol = Get(msg, tag::Symbol);
  r.text = Get(msg, tag::Text);
  auto et = ExecTypeFromFix(GetChar(msg, tag::ExecType));
  auto os = OrdStatusFromFix(GetChar(msg, tag::OrdStatus));
  auto side = SideFromFix(GetChar(msg, tag::Side));
  if (!et || !os || !side) {
    return Reject(OrdRejReason::kOther,
                  fmt::format("unsupported ExecType '{}', OrdStatus '{}' or "
                              "Side '{}'",
                              Get(msg, tag::ExecType), Get(msg, tag::OrdStatus),
                              Get(msg, tag::Side)));
  }
  r.exec_type = *et;
  r.ord_status = *os;
  r.side = *side;
  if (auto t = OrdTypeFromFix(GetChar(msg, tag::OrdType))) r.ord_type = *t;
  if (auto f = TimeInForceFromFix(GetChar(msg, tag::TimeInForce))) r.tif = *f;

  // Quantities and prices: absent optional ones stay zero.
  struct QtyField {
    int t;
    Qty* out;
    bool required;
  };
  for (QtyField f : {QtyField{tag::OrderQty, &r.order_qty, false},
                     QtyField{tag::LastQty, &r.last_qty, false},
                     QtyField{tag::CumQty, &r.cum_qty, true},
                     QtyField{tag::LeavesQty, &r.leaves_qty, true}}) {
    if (!f.required && !msg.isSetField(f.t)) continue;
    auto q = ParseQty(Get(msg, f.t));
    if (!q.ok()) {
      return Reject(OrdRejReason::kIncorrectQuantity,
                    fmt::format("tag {}: {}", f.t, q.status().message()));
    }
    *f.out = *q;
  }
  struct PriceField {
    int t;
    Price* out;
  };
  for (PriceField f : {PriceField{tag::LastPx, &r.last_px},
                       PriceField{tag::AvgPx, &r.avg_px}}) {
    if (!msg.isSetField(f.t)) continue;
    auto p = ParsePrice(Get(msg, f.t));
    if (!p.ok()) {
      return Reject(OrdRejReason::kOther,
                    fmt::format("tag {}: {}", f.t, p.status().message()));
    }
    *f.out = *p;
  }
  if (msg.isSetField(tag::Price)) {
    auto p = ParsePrice(Get(msg, tag::Price));
    if (!p.ok()) return Reject(OrdRejReason::kOther, p.status().message());
    r.price = *p;
  }
  if (msg.isSetField(tag::OrdRejReason)) {
    std::string v = Get(msg, tag::OrdRejReason);
    int code = 0;
    for (char c : v) {
      if (c < '0' || c > '9' || code > 1000) {
        return Reject(OrdRejReason::kOther, "invalid OrdRejReason '" + v + "'");
      }
      code = code * 10 + (c - '0');
    }
    // Values outside FIX 4.4 (0-18, 99) become kOther; Text keeps the words.
    r.ord_rej_reason = (code <= 18 || code == 99)
                           ? static_cast<OrdRejReason>(code)
                           : OrdRejReason::kOther;
  }
  r.transact_time = DecodeTime(msg, tag::TransactTime);
  return r;
}

Decoded<CancelReject> DecodeCancelReject(const FIX::Message& msg) {
  CancelReject r;
  r.order_id = Get(msg, tag::OrderID);
  r.cl_ord_id = Get(msg, tag::ClOrdID);
  r.orig_cl_ord_id = Get(msg, tag::OrigClOrdID);
  r.text = Get(msg, tag::Text);
  auto os = OrdStatusFromFix(GetChar(msg, tag::OrdStatus));
  if (!os) {
    return Reject(OrdRejReason::kOther,
                  "unsupported OrdStatus '" + Get(msg, tag::OrdStatus) + "'");
  }
  r.ord_status = *os;
  r.response_to = GetChar(msg, tag::CxlRejResponseTo) == '2'
                      ? CxlRejResponseTo::kReplace
                      : CxlRejResponseTo::kCancel;
  // Values outside FIX 4.4 (0-6, 99) become kOther; Text keeps the words.
  int reason = std::atoi(Get(msg, tag::CxlRejReason).c_str());
  r.reason = (reason >= 0 && reason <= 6)
                 ? static_cast<CxlRejReason>(reason)
                 : CxlRejReason::kOther;
  r.transact_time = DecodeTime(msg, tag::TransactTime);
  return r;
}

FIX44::NewOrderSingle EncodeNewOrder(const NewOrder& o) {
  FIX44::NewOrderSingle msg;
  Set(msg, tag::ClOrdID, o.cl_ord_id);
  SetIfNotEmpty(msg, tag::Account, o.account);
  Set(msg, tag::Symbol, o.symbol);
  EncodeOrderTerms(msg, o.side, o.ord_type, o.tif, o.qty, o.price);
  Set(msg, tag::TransactTime, FormatFixTimestamp(o.transact_time));
  return msg;
}

FIX44::OrderCancelRequest EncodeCancelRequest(const CancelRequest& r) {
  FIX44::OrderCancelRequest msg;
  Set(msg, tag::ClOrdID, r.cl_ord_id);
  Set(msg, tag::OrigClOrdID, r.orig_cl_ord_id);
  SetIfNotEmpty(msg, tag::OrderID, r.order_id);
  Set(msg, tag::Symbol, r.symbol);
  SetChar(msg, tag::Side, ToFix(r.side));
  Set(msg, tag::TransactTime, FormatFixTimestamp(r.transact_time));
  return msg;
}

FIX44::OrderCancelReplaceRequest EncodeReplaceRequest(const ReplaceRequest& r) {
  FIX44::OrderCancelReplaceRequest msg;
  Set(msg, tag::ClOrdID, r.cl_ord_id);
  Set(msg, tag::OrigClOrdID, r.orig_cl_ord_id);
  SetIfNotEmpty(msg, tag::OrderID, r.order_id);
  SetIfNotEmpty(msg, tag::Account, r.account);
  Set(msg, tag::Symbol, r.symbol);
  EncodeOrderTerms(msg, r.side, r.ord_type, r.tif, r.qty, r.price);
  Set(msg, tag::TransactTime, FormatFixTimestamp(r.transact_time));
  return msg;
}

FIX44::OrderStatusRequest EncodeStatusRequest(const StatusRequest& r) {
  FIX44::OrderStatusRequest msg;
  Set(msg, tag::ClOrdID, r.cl_ord_id);
  SetIfNotEmpty(msg, tag::OrderID, r.order_id);
  Set(msg, tag::Symbol, r.symbol);
  SetChar(msg, tag::Side, ToFix(r.side));
  return msg;
}

FIX44::ExecutionReport EncodeExecutionReport(const ExecutionReport& r) {
  FIX44::ExecutionReport msg;
  Set(msg, tag::OrderID, r.order_id);
  Set(msg, tag::ClOrdID, r.cl_ord_id);
  SetIfNotEmpty(msg, tag::OrigClOrdID, r.orig_cl_ord_id);
  Set(msg, tag::ExecID, r.exec_id);
  SetChar(msg, tag::ExecType, ToFix(r.exec_type));
  SetChar(msg, tag::OrdStatus, ToFix(r.ord_status));
  SetIfNotEmpty(msg, tag::Account, r.account);
  Set(msg, tag::Symbol, r.symbol);
  EncodeOrderTerms(msg, r.side, r.ord_type, r.tif, r.order_qty, r.price);
  if (r.exec_type == ExecType::kTrade) {
    Set(msg, tag::LastQty, FormatQty(r.last_qty));
    Set(msg, tag::LastPx, FormatPrice(r.last_px));
  }
  Set(msg, tag::LeavesQty, FormatQty(r.leaves_qty));
  Set(msg, tag::CumQty, FormatQty(r.cum_qty));
  Set(msg, tag::AvgPx, FormatPrice(r.avg_px));
  if (r.ord_rej_reason) {
    Set(msg, tag::OrdRejReason, std::to_string(ToFix(*r.ord_rej_reason)));
  }
  SetIfNotEmpty(msg, tag::Text, r.text);
  Set(msg, tag::TransactTime, FormatFixTimestamp(r.transact_time));
  return msg;
}

FIX44::OrderCancelReject EncodeCancelReject(const CancelReject& r) {
  FIX44::OrderCancelReject msg;
  Set(msg, tag::OrderID, r.order_id.empty() ? "NONE" : r.order_id);
  Set(msg, tag::ClOrdID, r.cl_ord_id);
  Set(msg, tag::OrigClOrdID, r.orig_cl_ord_id);
  SetChar(msg, tag::OrdStatus, ToFix(r.ord_status));
  SetChar(msg, tag::CxlRejResponseTo, ToFix(r.response_to));
  Set(msg, tag::CxlRejReason, std::to_string(ToFix(r.reason)));
  SetIfNotEmpty(msg, tag::Text, r.text);
  Set(msg, tag::TransactTime, FormatFixTimestamp(r.transact_time));
  return msg;
}

}  // namespace fixgw::fix
