#include "gateway/fix/convert.h"

#include <fmt/format.h>

#include <cstdlib>

#include "gateway/core/clock.h"

namespace fixgw::fix {
namespace {

namespace tag = FIX::FIELD;

// Tags each decoder interprets; every other body field is pass-through.
const std::set<int>& NewOrderTags() {
  static const std::set<int> tags{tag::ClOrdID,  tag::Account, tag::Symbol,
                                  tag::Side,     tag::OrdType, tag::TimeInForce,
                                  tag::OrderQty, tag::Price,   tag::TransactTime};
  return tags;
}
const std::set<int>& CancelTags() {
  static const std::set<int> tags{tag::ClOrdID, tag::OrigClOrdID, tag::OrderID,
                                  tag::Symbol,  tag::Side,        tag::TransactTime};
  return tags;
}
const std::set<int>& ReplaceTags() {
  static const std::set<int> tags{
      tag::ClOrdID, tag::OrigClOrdID, tag::OrderID,  tag::Account,
      tag::Symbol,  tag::Side,        tag::OrdType,  tag::TimeInForce,
      tag::OrderQty, tag::Price,      tag::TransactTime};
  return tags;
}
const std::set<int>& ReportTags() {
  static const std::set<int> tags{
      tag::OrderID,  tag::ClOrdID,   tag::OrigClOrdID,  tag::ExecID,
      tag::ExecType, tag::OrdStatus, tag::Account,      tag::Symbol,
      tag::Side,     tag::OrdType,   tag::TimeInForce,  tag::OrderQty,
      tag::Price,    tag::LastQty,   tag::LastPx,       tag::CumQty,
      tag::LeavesQty, tag::AvgPx,    tag::OrdRejReason, tag::Text,
      tag::TransactTime, tag::ExecRefID, tag::ExecTransType};
  return tags;
}
const std::set<int>& CancelRejectTags() {
  static const std::set<int> tags{
      tag::OrderID,          tag::ClOrdID,      tag::OrigClOrdID, tag::OrdStatus,
      tag::CxlRejResponseTo, tag::CxlRejReason, tag::Text,        tag::TransactTime};
  return tags;
}

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

FixVersion VersionOf(const FIX::Message& msg) {
  const FIX::Header& h = msg.getHeader();
  if (!h.isSetField(tag::BeginString)) return FixVersion::kFix44;
  return FixVersionOf(h.getField(tag::BeginString)).value_or(FixVersion::kFix44);
}

// A message of `type` with the BeginString of `to`.
FIX::Message Start(const Dialect& to, const char* type) {
  FIX::Message msg;
  msg.getHeader().setField(tag::BeginString,
                           std::string(BeginStringOf(to.version)));
  msg.getHeader().setField(tag::MsgType, type);
  return msg;
}

void SetTime(FIX::FieldMap& msg, int t, Timestamp value, const Dialect& to) {
  Set(msg, t, FormatFixTimestamp(value, to.timestamp_digits));
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
    *tif = TimeInForce::kDay;  // FIX 4.2 and 4.4 default
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

// The end (exclusive) of the group whose NumInGroup field is extra[i]:
// the following fields that belong to an entry of the group (nested groups
// included), as `group` (the group's dictionary) defines them.
size_t GroupEnd(const FixFields& extra, size_t i, const std::string& msg_type,
                const FIX::DataDictionary& group) {
  size_t j = i + 1;
  while (j < extra.size() && group.isField(extra[j].tag)) {
    int delim = 0;
    const FIX::DataDictionary* nested = nullptr;
    if (group.getGroup(msg_type, extra[j].tag, delim, nested) &&
        nested != nullptr) {
      j = GroupEnd(extra, j, msg_type, *nested);
    } else {
      ++j;
    }
  }
  return j;
}

// Adds the pass-through fields `extra` to `msg` (see the header): the ones
// `to` accepts for this message type, groups rebuilt by its dictionary.
void AddExtra(FIX::Message& msg, const FixFields& extra, const Dialect& to) {
  if (extra.empty()) return;
  const std::string msg_type = msg.getHeader().getField(tag::MsgType);
  const FIX::DataDictionary* dd = to.dictionary;
  std::string kept;
  bool has_group = false;
  for (size_t i = 0; i < extra.size();) {
    const FixField& f = extra[i];
    size_t end = i + 1;
    bool keep = !to.deny.contains(f.tag) && !msg.isSetField(f.tag);
    if (dd != nullptr) {
      int delim = 0;
      const FIX::DataDictionary* group = nullptr;
      if (dd->getGroup(msg_type, f.tag, delim, group) && group != nullptr) {
        end = GroupEnd(extra, i, msg_type, *group);
        has_group = true;
      } else if (f.tag < FIX::FIELD::UserMin &&
                 !dd->isMsgField(msg_type, f.tag)) {
        keep = false;  // not a field of this message in the target version
      }
    }
    if (keep) {
      for (size_t k = i; k < end; ++k) {
        kept += std::to_string(extra[k].tag);
        kept += '=';
        kept += extra[k].value;
        kept += '\x01';
      }
    }
    i = end;
  }
  if (kept.empty()) return;
  if (!has_group || dd == nullptr) {
    // Plain fields: no structure to rebuild.
    size_t pos = 0;
    while (pos < kept.size()) {
      const size_t eq = kept.find('=', pos);
      const size_t soh = kept.find('\x01', eq);
      msg.setField(std::atoi(kept.c_str() + pos),
                   kept.substr(eq + 1, soh - eq - 1));
      pos = soh + 1;
    }
    return;
  }
  // Groups: let QuickFIX's parser build them from the wire form, as it
  // does for an inbound message.
  std::string text = msg.toString();
  const size_t trailer = text.rfind("10=");
  if (trailer == std::string::npos) return;
  text.resize(trailer);
  text += kept;
  text += "10=000\x01";
  FIX::Message rebuilt;
  rebuilt.setString(text, false, dd, dd);
  msg = rebuilt;
}

// OrdRejReason as a version allows it (FIX 4.2 knows 0-8).
std::string RejReasonText(OrdRejReason r, FixVersion v) {
  int code = ToFix(r);
  if (v == FixVersion::kFix42 && code > 8) code = ToFix(OrdRejReason::kBrokerOption);
  return std::to_string(code);
}

// CxlRejReason as a version allows it (FIX 4.2 knows 0-3).
std::string CxlRejReasonText(CxlRejReason r, FixVersion v) {
  int code = ToFix(r);
  if (v == FixVersion::kFix42 && code > 3) code = ToFix(CxlRejReason::kBrokerOption);
  return std::to_string(code);
}

// FIX 4.2's ExecTransType (20) and ExecType (150) of a domain report.
std::pair<char, char> Fix42ExecTypes(const ExecutionReport& r) {
  auto fill_type = [&]() -> char {
    switch (r.ord_status) {
      case OrdStatus::kPartiallyFilled: return '1';
      case OrdStatus::kFilled: return '2';
      default: return ToFix(r.ord_status);
    }
  };
  switch (r.exec_type) {
    case ExecType::kTrade:
      return {'0', r.ord_status == OrdStatus::kFilled || r.leaves_qty.units() <= 0
                       ? '2'
                       : '1'};
    case ExecType::kTradeCancel: return {'1', fill_type()};
    case ExecType::kTradeCorrect: return {'2', fill_type()};
    case ExecType::kOrderStatus: return {'3', ToFix(r.ord_status)};
    default: return {'0', ToFix(r.exec_type)};
  }
}

}  // namespace

std::optional<FixVersion> FixVersionOf(std::string_view begin_string) {
  if (begin_string == "FIX.4.4") return FixVersion::kFix44;
  if (begin_string == "FIX.4.2") return FixVersion::kFix42;
  return std::nullopt;
}

std::string_view BeginStringOf(FixVersion version) {
  return version == FixVersion::kFix42 ? "FIX.4.2" : "FIX.4.4";
}

std::optional<std::string> FieldText(const FIX::FieldMap& map, int t) {
  if (!map.isSetField(t)) return std::nullopt;
  return map.getField(t);
}

namespace {
void Flatten(const FIX::FieldMap& map, const std::set<int>* skip,
             FixFields& out) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    const int t = it->getTag();
    if (skip != nullptr && skip->contains(t)) continue;
    out.push_back(FixField{t, it->getString()});
    if (map.hasGroup(t)) {
      for (size_t i = 1; i <= map.groupCount(t); ++i) {
        Flatten(map.getGroupRef(static_cast<int>(i), t), nullptr, out);
      }
    }
  }
}
}  // namespace

FixFields ExtraFields(const FIX::FieldMap& msg,
                      const std::set<int>& interpreted) {
  FixFields out;
  Flatten(msg, &interpreted, out);
  return out;
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
  o.extra = ExtraFields(msg, NewOrderTags());
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
  r.extra = ExtraFields(msg, CancelTags());
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
  r.extra = ExtraFields(msg, ReplaceTags());
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

Decoded<MassStatusRequest> DecodeMassStatusRequest(const FIX::Message& msg) {
  MassStatusRequest r;
  r.mass_status_req_id = Get(msg, tag::MassStatusReqID);
  r.account = Get(msg, tag::Account);
  r.symbol = Get(msg, tag::Symbol);
  const std::string type = Get(msg, tag::MassStatusReqType);
  if (type != "1" && type != "7" && type != "8") {
    return Reject(OrdRejReason::kOther,
                  "unsupported MassStatusReqType '" + type +
                      "' (1 security, 7 all orders, 8 account)");
  }
  r.req_type = type[0] - '0';
  if (r.req_type == 1 && r.symbol.empty()) {
    return Reject(OrdRejReason::kOther,
                  "MassStatusReqType 1 needs a Symbol");
  }
  if (r.req_type == 8 && r.account.empty()) {
    return Reject(OrdRejReason::kOther,
                  "MassStatusReqType 8 needs an Account");
  }
  return r;
}

Decoded<MassCancelRequest> DecodeMassCancelRequest(const FIX::Message& msg) {
  MassCancelRequest r;
  r.cl_ord_id = Get(msg, tag::ClOrdID);
  r.req_type = GetChar(msg, tag::MassCancelRequestType);
  r.symbol = Get(msg, tag::Symbol);
  r.account = Get(msg, tag::Account);
  if (msg.isSetField(tag::Side)) {
    Side side = Side::kBuy;
    if (auto rej = DecodeSide(msg, &side)) return *rej;
    r.side = side;
  }
  r.transact_time = DecodeTime(msg, tag::TransactTime);
  return r;
}

Decoded<ExecutionReport> DecodeExecutionReport(const FIX::Message& msg) {
  ExecutionReport r;
  r.order_id = Get(msg, tag::OrderID);
  r.cl_ord_id = Get(msg, tag::ClOrdID);
  r.orig_cl_ord_id = Get(msg, tag::OrigClOrdID);
  r.exec_id = Get(msg, tag::ExecID);
  r.exec_ref_id = Get(msg, tag::ExecRefID);
  r.account = Get(msg, tag::Account);
  r.symbol = Get(msg, tag::Symbol);
  r.text = Get(msg, tag::Text);
  char exec_type = GetChar(msg, tag::ExecType);
  if (VersionOf(msg) == FixVersion::kFix42) {
    // FIX 4.2: fills are ExecType 1/2; busts, corrections and status
    // answers are told by ExecTransType.
    switch (GetChar(msg, tag::ExecTransType)) {
      case '1': exec_type = ToFix(ExecType::kTradeCancel); break;
      case '2': exec_type = ToFix(ExecType::kTradeCorrect); break;
      case '3': exec_type = ToFix(ExecType::kOrderStatus); break;
      default:
        if (exec_type == '1' || exec_type == '2') exec_type = ToFix(ExecType::kTrade);
        break;
    }
  }
  auto et = ExecTypeFromFix(exec_type);
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
  r.extra = ExtraFields(msg, ReportTags());
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
  r.extra = ExtraFields(msg, CancelRejectTags());
  return r;
}

FIX::Message EncodeNewOrder(const NewOrder& o, const Dialect& to) {
  FIX::Message msg = Start(to, "D");
  Set(msg, tag::ClOrdID, o.cl_ord_id);
  SetIfNotEmpty(msg, tag::Account, o.account);
  Set(msg, tag::Symbol, o.symbol);
  EncodeOrderTerms(msg, o.side, o.ord_type, o.tif, o.qty, o.price);
  SetTime(msg, tag::TransactTime, o.transact_time, to);
  AddExtra(msg, o.extra, to);
  // FIX 4.2 requires HandlInst; an order from a FIX 4.4 broker may lack it.
  if (to.version == FixVersion::kFix42 && !msg.isSetField(tag::HandlInst)) {
    Set(msg, tag::HandlInst, "1");  // automated, private, no intervention
  }
  return msg;
}

FIX::Message EncodeCancelRequest(const CancelRequest& r, const Dialect& to) {
  FIX::Message msg = Start(to, "F");
  Set(msg, tag::ClOrdID, r.cl_ord_id);
  Set(msg, tag::OrigClOrdID, r.orig_cl_ord_id);
  SetIfNotEmpty(msg, tag::OrderID, r.order_id);
  Set(msg, tag::Symbol, r.symbol);
  SetChar(msg, tag::Side, ToFix(r.side));
  SetTime(msg, tag::TransactTime, r.transact_time, to);
  AddExtra(msg, r.extra, to);
  return msg;
}

FIX::Message EncodeReplaceRequest(const ReplaceRequest& r, const Dialect& to) {
  FIX::Message msg = Start(to, "G");
  Set(msg, tag::ClOrdID, r.cl_ord_id);
  Set(msg, tag::OrigClOrdID, r.orig_cl_ord_id);
  SetIfNotEmpty(msg, tag::OrderID, r.order_id);
  SetIfNotEmpty(msg, tag::Account, r.account);
  Set(msg, tag::Symbol, r.symbol);
  EncodeOrderTerms(msg, r.side, r.ord_type, r.tif, r.qty, r.price);
  SetTime(msg, tag::TransactTime, r.transact_time, to);
  AddExtra(msg, r.extra, to);
  if (to.version == FixVersion::kFix42 && !msg.isSetField(tag::HandlInst)) {
    Set(msg, tag::HandlInst, "1");
  }
  return msg;
}

FIX::Message EncodeStatusRequest(const StatusRequest& r, const Dialect& to) {
  FIX::Message msg = Start(to, "H");
  Set(msg, tag::ClOrdID, r.cl_ord_id);
  SetIfNotEmpty(msg, tag::OrderID, r.order_id);
  Set(msg, tag::Symbol, r.symbol);
  SetChar(msg, tag::Side, ToFix(r.side));
  return msg;
}

FIX::Message EncodeExecutionReport(const ExecutionReport& r,
                                   const Dialect& to) {
  FIX::Message msg = Start(to, "8");
  Set(msg, tag::OrderID, r.order_id.empty() ? "NONE" : r.order_id);
  SetIfNotEmpty(msg, tag::ClOrdID, r.cl_ord_id);
  SetIfNotEmpty(msg, tag::OrigClOrdID, r.orig_cl_ord_id);
  Set(msg, tag::ExecID, r.exec_id);
  SetIfNotEmpty(msg, tag::ExecRefID, r.exec_ref_id);
  if (to.version == FixVersion::kFix42) {
    const auto [trans_type, exec_type] = Fix42ExecTypes(r);
    SetChar(msg, tag::ExecTransType, trans_type);
    SetChar(msg, tag::ExecType, exec_type);
  } else {
    SetChar(msg, tag::ExecType, ToFix(r.exec_type));
  }
  SetChar(msg, tag::OrdStatus, ToFix(r.ord_status));
  SetIfNotEmpty(msg, tag::Account, r.account);
  Set(msg, tag::Symbol, r.symbol);
  EncodeOrderTerms(msg, r.side, r.ord_type, r.tif, r.order_qty, r.price);
  const bool execution = r.exec_type == ExecType::kTrade ||
                         r.exec_type == ExecType::kTradeCorrect ||
                         r.exec_type == ExecType::kTradeCancel;
  if (r.exec_type == ExecType::kTrade ||
      (execution && r.last_qty.units() > 0)) {
    Set(msg, tag::LastQty, FormatQty(r.last_qty));
    Set(msg, tag::LastPx, FormatPrice(r.last_px));
  }
  Set(msg, tag::LeavesQty, FormatQty(r.leaves_qty));
  Set(msg, tag::CumQty, FormatQty(r.cum_qty));
  Set(msg, tag::AvgPx, FormatPrice(r.avg_px));
  if (r.ord_rej_reason) {
    Set(msg, tag::OrdRejReason, RejReasonText(*r.ord_rej_reason, to.version));
  }
  SetIfNotEmpty(msg, tag::Text, r.text);
  SetTime(msg, tag::TransactTime, r.transact_time, to);
  AddExtra(msg, r.extra, to);
  return msg;
}

FIX::Message EncodeCancelReject(const CancelReject& r, const Dialect& to) {
  FIX::Message msg = Start(to, "9");
  Set(msg, tag::OrderID, r.order_id.empty() ? "NONE" : r.order_id);
  Set(msg, tag::ClOrdID, r.cl_ord_id);
  Set(msg, tag::OrigClOrdID, r.orig_cl_ord_id);
  SetChar(msg, tag::OrdStatus, ToFix(r.ord_status));
  SetChar(msg, tag::CxlRejResponseTo, ToFix(r.response_to));
  Set(msg, tag::CxlRejReason, CxlRejReasonText(r.reason, to.version));
  SetIfNotEmpty(msg, tag::Text, r.text);
  SetTime(msg, tag::TransactTime, r.transact_time, to);
  AddExtra(msg, r.extra, to);
  return msg;
}

FIX::Message EncodeMassCancelReport(const MassCancelReport& r,
                                    const Dialect& to) {
  FIX::Message msg = Start(to, "r");
  SetIfNotEmpty(msg, tag::ClOrdID, r.cl_ord_id);
  Set(msg, tag::OrderID, r.order_id.empty() ? "NONE" : r.order_id);
  SetChar(msg, tag::MassCancelRequestType, r.req_type);
  SetChar(msg, tag::MassCancelResponse, r.response);
  if (r.reject_reason) {
    Set(msg, tag::MassCancelRejectReason, std::to_string(*r.reject_reason));
  }
  Set(msg, tag::TotalAffectedOrders, std::to_string(r.affected.size()));
  for (const MassCancelReport::Affected& a : r.affected) {
    FIX::Group entry(tag::NoAffectedOrders, tag::OrigClOrdID);
    entry.setField(tag::OrigClOrdID, a.orig_cl_ord_id);
    if (!a.order_id.empty()) entry.setField(tag::AffectedOrderID, a.order_id);
    msg.addGroup(entry);
  }
  SetIfNotEmpty(msg, tag::Symbol, r.symbol);
  if (r.side) SetChar(msg, tag::Side, ToFix(*r.side));
  SetIfNotEmpty(msg, tag::Text, r.text);
  SetTime(msg, tag::TransactTime, r.transact_time, to);
  return msg;
}

}  // namespace fixgw::fix
