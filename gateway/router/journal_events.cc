// JSON codec of the journaled events.
//
// Format: one object per event, "kind" first, then the event's fields under
// their C++ names; nested messages are objects. Prices are decimal strings
// (FormatPrice), quantities JSON integers, timestamps FIX UTCTimestamps with
// microseconds, enums their FIX wire value as a string ("1" for Side Buy,
// "6" for OrdRejReason 6). Optional values (price, ord_rej_reason) are absent
// when unset. Text that is not well-formed UTF-8 (counterparties send any
// bytes) is stored as {"hex":"..."} so that IDs replay byte for byte.
// A MassCancelRequested's optional Side and MassCancelRejectReason are
// absent when unset.
// A CancelReplaceForwarded carries only the meaningful request
// ("cancel" or "replace"); the other decodes as a default value.
//
// Decoding validates every field it needs and names the first bad one
// ("missing field 'order.qty'"); unknown fields are ignored so that later
// versions may add some. OrdRejReason and CxlRejReason accept the values
// FIX 4.4 defines (0-18 and 99; 0-6 and 99). Nothing throws out of
// DecodeEvent: nlohmann and our own errors are caught and become Status.
#include "gateway/router/journal_events.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "gateway/core/clock.h"
#include "gateway/core/utf8.h"

namespace fixgw::gw {
namespace {

using Json = nlohmann::ordered_json;

// ---- encoding --------------------------------------------------------------

// Writes the JSON text directly, as nlohmann's dump() would (the same key
// order, separators and escapes: JournalEventsTest checks that dump() of
// the parsed text gives the text back). Building an nlohmann DOM per event
// and then dumping it was 12% of the order loop's time.
class JsonOut {
 public:
  std::string Take() { return std::move(out_); }

  void Open() {
    Comma();
    out_ += '{';
    first_ = true;
  }
  void Close() {
    out_ += '}';
    first_ = false;
  }
  void OpenArray() { Open(); out_.back() = '['; }
  void CloseArray() {
    out_ += ']';
    first_ = false;
  }
  // The next value is this member's.
  void Key(std::string_view key) {
    Comma();
    Quoted(key);
    out_ += ':';
    first_ = true;
  }

  // Text from counterparties: well-formed UTF-8 as a string, anything
  // else as {"hex":"..."} so the journal keeps the exact bytes.
  void Str(std::string_view s) {
    if (IsUtf8(s)) {
      Comma();
      Quoted(s);
      return;
    }
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(s.size() * 2);
    for (char c : s) {
      const auto b = static_cast<unsigned char>(c);
      hex += kDigits[b >> 4];
      hex += kDigits[b & 0x0F];
    }
    Open();
    Key("hex");
    Comma();
    Quoted(hex);
    Close();
  }
  void Char(char c) { Str(std::string_view(&c, 1)); }
  void Int(int64_t v) {
    Comma();
    out_ += std::to_string(v);
  }
  void Uint(uint64_t v) {
    Comma();
    out_ += std::to_string(v);
  }
  void Bool(bool v) {
    Comma();
    out_ += v ? "true" : "false";
  }

  // Members of the object being written.
  void Field(std::string_view key, std::string_view text) {
    Key(key);
    Str(text);
  }
  void Field(std::string_view key, char c) {
    Key(key);
    Char(c);
  }
  void IntField(std::string_view key, int64_t v) {
    Key(key);
    Int(v);
  }
  void BoolField(std::string_view key, bool v) {
    Key(key);
    Bool(v);
  }

 private:
  void Comma() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  void Quoted(std::string_view s) {
    out_ += '"';
    for (char c : s) {
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\b': out_ += "\\b"; break;
        case '\f': out_ += "\\f"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            static constexpr char kDigits[] = "0123456789abcdef";
            out_ += "\\u00";
            out_ += kDigits[static_cast<unsigned char>(c) >> 4];
            out_ += kDigits[static_cast<unsigned char>(c) & 0x0F];
          } else {
            out_ += c;
          }
      }
    }
    out_ += '"';
  }

  std::string out_;
  bool first_ = true;  // nothing written yet in the current object or array
};

void PutPrice(JsonOut& j, std::string_view key,
              const std::optional<Price>& price) {
  if (price) j.Field(key, FormatPrice(*price));
}

// Pass-through fields as [[tag, value], ...]; absent when there are none.
void PutExtra(JsonOut& j, const FixFields& extra) {
  if (extra.empty()) return;
  j.Key("extra");
  j.OpenArray();
  for (const FixField& f : extra) {
    j.OpenArray();
    j.Int(f.tag);
    j.Str(f.value);
    j.CloseArray();
  }
  j.CloseArray();
}

void EncodeNewOrder(JsonOut& j, const NewOrder& o) {
  j.Open();
  j.Field("cl_ord_id", o.cl_ord_id);
  j.Field("account", o.account);
  j.Field("symbol", o.symbol);
  j.Field("side", ToFix(o.side));
  j.Field("ord_type", ToFix(o.ord_type));
  j.Field("tif", ToFix(o.tif));
  j.IntField("qty", o.qty.units());
  PutPrice(j, "price", o.price);
  j.Field("transact_time", FormatFixTimestamp(o.transact_time));
  PutExtra(j, o.extra);
  j.Close();
}

void EncodeCancelRequest(JsonOut& j, const CancelRequest& c) {
  j.Open();
  j.Field("cl_ord_id", c.cl_ord_id);
  j.Field("orig_cl_ord_id", c.orig_cl_ord_id);
  j.Field("order_id", c.order_id);
  j.Field("symbol", c.symbol);
  j.Field("side", ToFix(c.side));
  j.Field("transact_time", FormatFixTimestamp(c.transact_time));
  PutExtra(j, c.extra);
  j.Close();
}

void EncodeReplaceRequest(JsonOut& j, const ReplaceRequest& r) {
  j.Open();
  j.Field("cl_ord_id", r.cl_ord_id);
  j.Field("orig_cl_ord_id", r.orig_cl_ord_id);
  j.Field("order_id", r.order_id);
  j.Field("account", r.account);
  j.Field("symbol", r.symbol);
  j.Field("side", ToFix(r.side));
  j.Field("ord_type", ToFix(r.ord_type));
  j.Field("tif", ToFix(r.tif));
  j.IntField("qty", r.qty.units());
  PutPrice(j, "price", r.price);
  j.Field("transact_time", FormatFixTimestamp(r.transact_time));
  PutExtra(j, r.extra);
  j.Close();
}

void EncodeCancelReject(JsonOut& j, const CancelReject& r) {
  j.Open();
  j.Field("order_id", r.order_id);
  j.Field("cl_ord_id", r.cl_ord_id);
  j.Field("orig_cl_ord_id", r.orig_cl_ord_id);
  j.Field("ord_status", ToFix(r.ord_status));
  j.Field("response_to", ToFix(r.response_to));
  j.Field("reason", std::to_string(ToFix(r.reason)));
  j.Field("text", r.text);
  j.Field("transact_time", FormatFixTimestamp(r.transact_time));
  PutExtra(j, r.extra);
  j.Close();
}

void EncodeReport(JsonOut& j, const ExecutionReport& r) {
  j.Open();
  j.Field("order_id", r.order_id);
  j.Field("cl_ord_id", r.cl_ord_id);
  j.Field("orig_cl_ord_id", r.orig_cl_ord_id);
  j.Field("exec_id", r.exec_id);
  j.Field("exec_type", ToFix(r.exec_type));
  j.Field("ord_status", ToFix(r.ord_status));
  j.Field("account", r.account);
  j.Field("symbol", r.symbol);
  j.Field("side", ToFix(r.side));
  j.Field("ord_type", ToFix(r.ord_type));
  j.Field("tif", ToFix(r.tif));
  j.IntField("order_qty", r.order_qty.units());
  PutPrice(j, "price", r.price);
  j.IntField("last_qty", r.last_qty.units());
  j.Field("last_px", FormatPrice(r.last_px));
  j.IntField("cum_qty", r.cum_qty.units());
  j.IntField("leaves_qty", r.leaves_qty.units());
  j.Field("avg_px", FormatPrice(r.avg_px));
  if (r.ord_rej_reason) {
    j.Field("ord_rej_reason", std::to_string(ToFix(*r.ord_rej_reason)));
  }
  j.Field("text", r.text);
  j.Field("transact_time", FormatFixTimestamp(r.transact_time));
  if (!r.exec_ref_id.empty()) j.Field("exec_ref_id", r.exec_ref_id);
  PutExtra(j, r.extra);
  j.Close();
}

// Each event's members, written after "kind" in the event's object.

// "venue" only when set, so that a gateway with one unnamed venue writes
// what it wrote before there were several.
void PutVenue(JsonOut& j, const VenueName& venue) {
  if (!venue.empty()) j.Field("venue", venue);
}

void Encode(JsonOut& j, const NewOrderAccepted& e) {
  j.Field("session", e.session);
  j.Key("order");
  EncodeNewOrder(j, e.order);
  j.Field("exch_cl_ord_id", e.exch_cl_ord_id);
  PutVenue(j, e.venue);
}

void Encode(JsonOut& j, const NewOrderRejected& e) {
  j.Field("session", e.session);
  j.Key("order");
  EncodeNewOrder(j, e.order);
  j.Key("rejection");
  j.Open();
  j.Field("reason", std::to_string(ToFix(e.rejection.reason)));
  j.Field("text", e.rejection.text);
  j.Close();
  j.Field("exec_id", e.exec_id);
}

void Encode(JsonOut& j, const CancelReplaceForwarded& e) {
  j.Field("session", e.session);
  j.BoolField("is_replace", e.is_replace);
  if (e.is_replace) {
    j.Key("replace");
    EncodeReplaceRequest(j, e.replace);
  } else {
    j.Key("cancel");
    EncodeCancelRequest(j, e.cancel);
  }
  j.Field("exch_cl_ord_id", e.exch_cl_ord_id);
  j.Field("orig_exch_cl_ord_id", e.orig_exch_cl_ord_id);
}

void Encode(JsonOut& j, const CancelReplaceRejected& e) {
  j.Field("session", e.session);
  j.Key("reject");
  EncodeCancelReject(j, e.reject);
}

void Encode(JsonOut& j, const StatusAnswered& e) {
  j.Field("session", e.session);
  j.Key("request");
  j.Open();
  j.Field("cl_ord_id", e.request.cl_ord_id);
  j.Field("order_id", e.request.order_id);
  j.Field("symbol", e.request.symbol);
  j.Field("side", ToFix(e.request.side));
  j.Close();
  j.Field("exec_id", e.exec_id);
}

void Encode(JsonOut& j, const ExchangeReportReceived& e) {
  j.Key("report");
  EncodeReport(j, e.report);
  PutVenue(j, e.venue);
}

void Encode(JsonOut& j, const ExchangeCancelRejectReceived& e) {
  j.Key("reject");
  EncodeCancelReject(j, e.reject);
  PutVenue(j, e.venue);
}

void Encode(JsonOut& j, const ExchangeRequestRefused& e) {
  j.Field("exch_cl_ord_id", e.exch_cl_ord_id);
  j.Field("ref_msg_type", e.ref_msg_type);
  j.Field("text", e.text);
  j.Field("exec_id", e.exec_id);
  PutVenue(j, e.venue);
}

void Encode(JsonOut& j, const MassStatusAnswered& e) {
  j.Field("session", e.session);
  j.Key("request");
  j.Open();
  j.Field("mass_status_req_id", e.request.mass_status_req_id);
  j.IntField("req_type", e.request.req_type);
  j.Field("account", e.request.account);
  j.Field("symbol", e.request.symbol);
  j.Close();
  j.Field("since", FormatFixTimestamp(e.since));
  j.Field("exec_id", e.exec_id);
  if (!e.refusal.empty()) j.Field("refusal", e.refusal);
}

void Encode(JsonOut& j, const ExchangeSessionChanged& e) {
  j.BoolField("up", e.up);
  if (!e.responsive) j.BoolField("responsive", false);
  if (!e.reason.empty()) j.Field("reason", e.reason);
  PutVenue(j, e.venue);
}

void Encode(JsonOut& j, const KillSwitchChanged& e) {
  j.Field("scope", KillScopeName(e.scope.kind));
  j.Field("name", e.scope.name);
  j.BoolField("engaged", e.engaged);
  j.Field("source", e.source);
  j.Field("reason", e.reason);
  j.Key("cancels");
  j.OpenArray();
  for (const GatewayCancel& c : e.cancels) {
    j.Open();
    j.Field("orig_exch_cl_ord_id", c.orig_exch_cl_ord_id);
    j.Field("exch_cl_ord_id", c.exch_cl_ord_id);
    j.Close();
  }
  j.CloseArray();
}

void Encode(JsonOut& j, const OperatorCancelRequested& e) {
  j.Field("source", e.source);
  j.Field("reason", e.reason);
  j.Field("orig_exch_cl_ord_id", e.cancel.orig_exch_cl_ord_id);
  j.Field("exch_cl_ord_id", e.cancel.exch_cl_ord_id);
}

// "cancels": [{orig_exch_cl_ord_id, exch_cl_ord_id, orig_cl_ord_id,
// order_id}, ...] of a mass cancel or a cancel-on-disconnect.
void EncodeCancels(JsonOut& j, const std::vector<SessionOrderCancel>& cancels) {
  j.Key("cancels");
  j.OpenArray();
  for (const SessionOrderCancel& c : cancels) {
    j.Open();
    j.Field("orig_exch_cl_ord_id", c.cancel.orig_exch_cl_ord_id);
    j.Field("exch_cl_ord_id", c.cancel.exch_cl_ord_id);
    j.Field("orig_cl_ord_id", c.orig_cl_ord_id);
    j.Field("order_id", c.order_id);
    j.Close();
  }
  j.CloseArray();
}

void Encode(JsonOut& j, const MassCancelRequested& e) {
  j.Field("session", e.session);
  j.Key("request");
  j.Open();
  j.Field("cl_ord_id", e.request.cl_ord_id);
  j.Field("req_type", e.request.req_type);
  j.Field("symbol", e.request.symbol);
  if (e.request.side) j.Field("side", ToFix(*e.request.side));
  j.Field("account", e.request.account);
  j.Field("transact_time", FormatFixTimestamp(e.request.transact_time));
  j.Close();
  j.Field("order_id", e.order_id);
  if (e.reject_reason) {
    j.Field("reject_reason", std::to_string(*e.reject_reason));
  }
  j.Field("text", e.text);
  EncodeCancels(j, e.cancels);
}

void Encode(JsonOut& j, const CancelOnDisconnectFired& e) {
  j.Field("session", e.session);
  j.Field("reason", e.reason);
  j.IntField("delay_seconds", e.delay_seconds);
  EncodeCancels(j, e.cancels);
}

void Encode(JsonOut& j, const RiskLimitsLoaded& e) {
  j.Field("source", e.source);
  j.Field("text", e.text);
}

// Net cash as a decimal string in the Price grid (both are micro-units).
std::string FormatNotional(Notional n) {
  return FormatPrice(Price::FromMicros(n.micros()));
}

void Encode(JsonOut& j, const JournalContinued& e) {
  j.Field("previous_file", e.previous_file);
  j.IntField("previous_last_seq", e.previous_last_seq);
  j.Field("previous_last_hash", e.previous_last_hash);
  j.Field("risk_source", e.risk_source);
  j.Field("risk_text", e.risk_text);
  j.Key("kill_switches");
  j.OpenArray();
  for (const risk::KillScope& k : e.kill_switches) {
    j.Open();
    j.Field("scope", KillScopeName(k.kind));
    j.Field("name", k.name);
    j.Close();
  }
  j.CloseArray();
  j.Key("accounts");
  j.OpenArray();
  for (const risk::CarriedAccount& a : e.accounts) {
    j.Open();
    j.Field("account", a.account);
    j.Field("net_cash", FormatNotional(a.net_cash));
    j.Key("positions");
    j.OpenArray();
    for (const auto& [symbol, qty] : a.positions) {
      j.Open();
      j.Field("symbol", symbol);
      j.IntField("qty", qty.units());
      j.Close();
    }
    j.CloseArray();
    j.Close();
  }
  j.CloseArray();
  j.Key("exch_ids");
  j.Uint(e.exch_ids);
  j.Key("exec_ids");
  j.Uint(e.exec_ids);
}

// ---- decoding --------------------------------------------------------------

// Thrown inside this file only; DecodeEvent turns it into a Status.
struct DecodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::optional<std::string> FromHex(const std::string& hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]);
    int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}

// An object being decoded and its path from the event root ("order").
class Obj {
 public:
  Obj(const Json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) {
      throw DecodeError(path_.empty()
                            ? "event is not a JSON object"
                            : "field '" + path_ + "': expected an object");
    }
  }

  std::string Name(const char* key) const {
    return path_.empty() ? key : path_ + "." + key;
  }
  [[noreturn]] void Fail(const char* key, const std::string& what) const {
    throw DecodeError("field '" + Name(key) + "': " + what);
  }

  bool Has(const char* key) const { return j_.contains(key); }
  const Json& At(const char* key) const {
    auto it = j_.find(key);
    if (it == j_.end()) throw DecodeError("missing field '" + Name(key) + "'");
    return *it;
  }

  Obj Child(const char* key) const { return Obj(At(key), Name(key)); }

  // Calls fn(Obj) for each element of the array at `key`.
  template <typename F>
  void ForEachIn(const char* key, F fn) const {
    const Json& v = At(key);
    if (!v.is_array()) Fail(key, "expected an array");
    for (size_t i = 0; i < v.size(); ++i) {
      fn(Obj(v[i], Name(key) + "[" + std::to_string(i) + "]"));
    }
  }

  // A string, or {"hex":"..."} for bytes that are not UTF-8 (see Str).
  std::string String(const char* key) const {
    const Json& v = At(key);
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.size() == 1 && v.contains("hex") &&
        v["hex"].is_string()) {
      if (auto bytes = FromHex(v["hex"].get_ref<const std::string&>())) {
        return *bytes;
      }
      Fail(key, "bad hex string");
    }
    Fail(key, "expected a string");
  }

  bool Bool(const char* key) const {
    const Json& v = At(key);
    if (!v.is_boolean()) Fail(key, "expected true or false");
    return v.get<bool>();
  }

  Qty Quantity(const char* key) const {
    const Json& v = At(key);
    if (v.is_number_unsigned()) {
      uint64_t u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        Fail(key, "quantity out of range");
      }
      return Qty(static_cast<int64_t>(u));
    }
    if (!v.is_number_integer()) Fail(key, "expected an integer quantity");
    return Qty(v.get<int64_t>());
  }

  Price PriceValue(const char* key) const {
    std::string text = String(key);
    Result<Price> price = ParsePrice(text);
    if (!price) Fail(key, price.status().message());
    return *price;
  }

  std::optional<Price> OptionalPrice(const char* key) const {
    if (!Has(key)) return std::nullopt;
    return PriceValue(key);
  }

  // A non-negative JSON integer (sequence numbers, counters).
  uint64_t Count(const char* key) const {
    const Json& v = At(key);
    if (!v.is_number_unsigned()) Fail(key, "expected an integer >= 0");
    return v.get<uint64_t>();
  }

  Timestamp Time(const char* key) const {
    std::string text = String(key);
    Result<Timestamp> t = ParseFixTimestamp(text);
    if (!t) Fail(key, "bad FIX UTCTimestamp '" + text + "'");
    return *t;
  }

  // A char enum through its *FromFix validator.
  template <typename E>
  E CharEnum(const char* key, std::optional<E> (*from_fix)(char),
             const char* type) const {
    std::string text = String(key);
    std::optional<E> v;
    if (text.size() == 1) v = from_fix(text[0]);
    if (!v) Fail(key, "bad " + std::string(type) + " '" + text + "'");
    return *v;
  }

  // An int enum written as a decimal string, checked against `valid`.
  template <typename E>
  E IntEnum(const char* key, bool (*valid)(int), const char* type) const {
    std::string text = String(key);
    int value = -1;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || !valid(value)) {
      Fail(key, "bad " + std::string(type) + " '" + text + "'");
    }
    return static_cast<E>(value);
  }

 private:
  const Json& j_;
  std::string path_;
};

std::optional<CxlRejResponseTo> ResponseToFromFix(char c) {
  if (c == '1') return CxlRejResponseTo::kCancel;
  if (c == '2') return CxlRejResponseTo::kReplace;
  return std::nullopt;
}
bool ValidOrdRejReason(int v) { return (v >= 0 && v <= 18) || v == 99; }
bool ValidCxlRejReason(int v) { return (v >= 0 && v <= 6) || v == 99; }
bool ValidMassCancelRejectReason(int v) {
  return (v >= 0 && v <= 6) || v == 99;
}

Side GetSide(const Obj& o) { return o.CharEnum("side", &SideFromFix, "Side"); }
OrdType GetOrdType(const Obj& o) {
  return o.CharEnum("ord_type", &OrdTypeFromFix, "OrdType");
}
TimeInForce GetTif(const Obj& o) {
  return o.CharEnum("tif", &TimeInForceFromFix, "TimeInForce");
}
OrdStatus GetOrdStatus(const Obj& o) {
  return o.CharEnum("ord_status", &OrdStatusFromFix, "OrdStatus");
}
OrdRejReason GetOrdRejReason(const Obj& o, const char* key) {
  return o.IntEnum<OrdRejReason>(key, &ValidOrdRejReason, "OrdRejReason");
}

// The optional "extra" array of pass-through fields.
FixFields GetExtra(const Obj& o) {
  FixFields out;
  if (!o.Has("extra")) return out;
  const Json& a = o.At("extra");
  if (!a.is_array()) o.Fail("extra", "expected an array");
  for (const Json& f : a) {
    if (!f.is_array() || f.size() != 2 || !f[0].is_number_integer()) {
      o.Fail("extra", "expected [tag, value] pairs");
    }
    const Json pair = Json{{"v", f[1]}};
    out.push_back(FixField{f[0].get<int>(), Obj(pair, o.Name("extra")).String("v")});
  }
  return out;
}

NewOrder DecodeNewOrder(const Obj& o) {
  NewOrder n;
  n.cl_ord_id = o.String("cl_ord_id");
  n.account = o.String("account");
  n.symbol = o.String("symbol");
  n.side = GetSide(o);
  n.ord_type = GetOrdType(o);
  n.tif = GetTif(o);
  n.qty = o.Quantity("qty");
  n.price = o.OptionalPrice("price");
  n.transact_time = o.Time("transact_time");
  n.extra = GetExtra(o);
  return n;
}

CancelRequest DecodeCancelRequest(const Obj& o) {
  CancelRequest c;
  c.cl_ord_id = o.String("cl_ord_id");
  c.orig_cl_ord_id = o.String("orig_cl_ord_id");
  c.order_id = o.String("order_id");
  c.symbol = o.String("symbol");
  c.side = GetSide(o);
  c.transact_time = o.Time("transact_time");
  c.extra = GetExtra(o);
  return c;
}

ReplaceRequest DecodeReplaceRequest(const Obj& o) {
  ReplaceRequest r;
  r.cl_ord_id = o.String("cl_ord_id");
  r.orig_cl_ord_id = o.String("orig_cl_ord_id");
  r.order_id = o.String("order_id");
  r.account = o.String("account");
  r.symbol = o.String("symbol");
  r.side = GetSide(o);
  r.ord_type = GetOrdType(o);
  r.tif = GetTif(o);
  r.qty = o.Quantity("qty");
  r.price = o.OptionalPrice("price");
  r.transact_time = o.Time("transact_time");
  r.extra = GetExtra(o);
  return r;
}

CancelReject DecodeCancelReject(const Obj& o) {
  CancelReject r;
  r.order_id = o.String("order_id");
  r.cl_ord_id = o.String("cl_ord_id");
  r.orig_cl_ord_id = o.String("orig_cl_ord_id");
  r.ord_status = GetOrdStatus(o);
  r.response_to =
      o.CharEnum("response_to", &ResponseToFromFix, "CxlRejResponseTo");
  r.reason =
      o.IntEnum<CxlRejReason>("reason", &ValidCxlRejReason, "CxlRejReason");
  r.text = o.String("text");
  r.transact_time = o.Time("transact_time");
  r.extra = GetExtra(o);
  return r;
}

ExecutionReport DecodeReport(const Obj& o) {
  ExecutionReport r;
  r.order_id = o.String("order_id");
  r.cl_ord_id = o.String("cl_ord_id");
  r.orig_cl_ord_id = o.String("orig_cl_ord_id");
  r.exec_id = o.String("exec_id");
  r.exec_type = o.CharEnum("exec_type", &ExecTypeFromFix, "ExecType");
  r.ord_status = GetOrdStatus(o);
  r.account = o.String("account");
  r.symbol = o.String("symbol");
  r.side = GetSide(o);
  r.ord_type = GetOrdType(o);
  r.tif = GetTif(o);
  r.order_qty = o.Quantity("order_qty");
  r.price = o.OptionalPrice("price");
  r.last_qty = o.Quantity("last_qty");
  r.last_px = o.PriceValue("last_px");
  r.cum_qty = o.Quantity("cum_qty");
  r.leaves_qty = o.Quantity("leaves_qty");
  r.avg_px = o.PriceValue("avg_px");
  if (o.Has("ord_rej_reason")) {
    r.ord_rej_reason = GetOrdRejReason(o, "ord_rej_reason");
  }
  r.text = o.String("text");
  r.transact_time = o.Time("transact_time");
  if (o.Has("exec_ref_id")) r.exec_ref_id = o.String("exec_ref_id");
  r.extra = GetExtra(o);
  return r;
}

VenueName GetVenue(const Obj& root) {
  return root.Has("venue") ? root.String("venue") : VenueName();
}

std::vector<SessionOrderCancel> DecodeCancels(const Obj& root) {
  std::vector<SessionOrderCancel> cancels;
  root.ForEachIn("cancels", [&](const Obj& c) {
    cancels.push_back(SessionOrderCancel{
        GatewayCancel{c.String("orig_exch_cl_ord_id"),
                      c.String("exch_cl_ord_id")},
        c.String("orig_cl_ord_id"), c.String("order_id")});
  });
  return cancels;
}

JournalEvent DecodeObject(const Obj& root) {
  const std::string kind = root.String("kind");
  if (kind == "NewOrderAccepted") {
    NewOrderAccepted e;
    e.session = root.String("session");
    e.order = DecodeNewOrder(root.Child("order"));
    e.exch_cl_ord_id = root.String("exch_cl_ord_id");
    e.venue = GetVenue(root);
    return e;
  }
  if (kind == "NewOrderRejected") {
    NewOrderRejected e;
    e.session = root.String("session");
    e.order = DecodeNewOrder(root.Child("order"));
    Obj rejection = root.Child("rejection");
    e.rejection.reason = GetOrdRejReason(rejection, "reason");
    e.rejection.text = rejection.String("text");
    e.exec_id = root.String("exec_id");
    return e;
  }
  if (kind == "CancelReplaceForwarded") {
    CancelReplaceForwarded e;
    e.session = root.String("session");
    e.is_replace = root.Bool("is_replace");
    if (e.is_replace) {
      e.replace = DecodeReplaceRequest(root.Child("replace"));
    } else {
      e.cancel = DecodeCancelRequest(root.Child("cancel"));
    }
    e.exch_cl_ord_id = root.String("exch_cl_ord_id");
    e.orig_exch_cl_ord_id = root.String("orig_exch_cl_ord_id");
    return e;
  }
  if (kind == "CancelReplaceRejected") {
    CancelReplaceRejected e;
    e.session = root.String("session");
    e.reject = DecodeCancelReject(root.Child("reject"));
    return e;
  }
  if (kind == "StatusAnswered") {
    StatusAnswered e;
    e.session = root.String("session");
    Obj request = root.Child("request");
    e.request.cl_ord_id = request.String("cl_ord_id");
    e.request.order_id = request.String("order_id");
    e.request.symbol = request.String("symbol");
    e.request.side = GetSide(request);
    e.exec_id = root.String("exec_id");
    return e;
  }
  if (kind == "ExchangeReportReceived") {
    return ExchangeReportReceived{DecodeReport(root.Child("report")),
                                  GetVenue(root)};
  }
  if (kind == "ExchangeCancelRejectReceived") {
    return ExchangeCancelRejectReceived{
        DecodeCancelReject(root.Child("reject")), GetVenue(root)};
  }
  if (kind == "ExchangeSessionChanged") {
    ExchangeSessionChanged e;
    e.up = root.Bool("up");
    if (root.Has("responsive")) e.responsive = root.Bool("responsive");
    if (root.Has("reason")) e.reason = root.String("reason");
    e.venue = GetVenue(root);
    return e;
  }
  if (kind == "ExchangeRequestRefused") {
    ExchangeRequestRefused e;
    e.exch_cl_ord_id = root.String("exch_cl_ord_id");
    const std::string type = root.String("ref_msg_type");
    if (type != "D" && type != "F" && type != "G") {
      root.Fail("ref_msg_type", "expected D, F or G, got '" + type + "'");
    }
    e.ref_msg_type = type[0];
    e.text = root.String("text");
    e.exec_id = root.String("exec_id");
    e.venue = GetVenue(root);
    return e;
  }
  if (kind == "MassStatusAnswered") {
    MassStatusAnswered e;
    e.session = root.String("session");
    Obj request = root.Child("request");
    e.request.mass_status_req_id = request.String("mass_status_req_id");
    e.request.req_type = static_cast<int>(request.Count("req_type"));
    e.request.account = request.String("account");
    e.request.symbol = request.String("symbol");
    e.since = root.Time("since");
    e.exec_id = root.String("exec_id");
    if (root.Has("refusal")) e.refusal = root.String("refusal");
    return e;
  }
  if (kind == "KillSwitchChanged") {
    KillSwitchChanged e;
    const std::string scope = root.String("scope");
    auto scope_kind = KillScopeFromName(scope);
    if (!scope_kind) root.Fail("scope", "bad kill switch scope '" + scope + "'");
    e.scope.kind = *scope_kind;
    e.scope.name = root.String("name");
    e.engaged = root.Bool("engaged");
    e.source = root.String("source");
    e.reason = root.String("reason");
    root.ForEachIn("cancels", [&](const Obj& c) {
      e.cancels.push_back(GatewayCancel{c.String("orig_exch_cl_ord_id"),
                                        c.String("exch_cl_ord_id")});
    });
    return e;
  }
  if (kind == "OperatorCancelRequested") {
    OperatorCancelRequested e;
    e.source = root.String("source");
    e.reason = root.String("reason");
    e.cancel.orig_exch_cl_ord_id = root.String("orig_exch_cl_ord_id");
    e.cancel.exch_cl_ord_id = root.String("exch_cl_ord_id");
    return e;
  }
  if (kind == "MassCancelRequested") {
    MassCancelRequested e;
    e.session = root.String("session");
    Obj request = root.Child("request");
    e.request.cl_ord_id = request.String("cl_ord_id");
    const std::string type = request.String("req_type");
    if (type.size() != 1) {
      request.Fail("req_type", "bad MassCancelRequestType '" + type + "'");
    }
    e.request.req_type = type[0];
    e.request.symbol = request.String("symbol");
    if (request.Has("side")) e.request.side = GetSide(request);
    e.request.account = request.String("account");
    e.request.transact_time = request.Time("transact_time");
    e.order_id = root.String("order_id");
    if (root.Has("reject_reason")) {
      e.reject_reason = root.IntEnum<int>("reject_reason",
                                          &ValidMassCancelRejectReason,
                                          "MassCancelRejectReason");
    }
    e.text = root.String("text");
    e.cancels = DecodeCancels(root);
    return e;
  }
  if (kind == "CancelOnDisconnectFired") {
    CancelOnDisconnectFired e;
    e.session = root.String("session");
    e.reason = root.String("reason");
    const uint64_t delay = root.Count("delay_seconds");
    if (delay > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      root.Fail("delay_seconds", "out of range");
    }
    e.delay_seconds = static_cast<int64_t>(delay);
    e.cancels = DecodeCancels(root);
    return e;
  }
  if (kind == "RiskLimitsLoaded") {
    return RiskLimitsLoaded{root.String("source"), root.String("text")};
  }
  if (kind == "JournalContinued") {
    JournalContinued e;
    e.previous_file = root.String("previous_file");
    const uint64_t seq = root.Count("previous_last_seq");
    if (seq > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      root.Fail("previous_last_seq", "out of range");
    }
    e.previous_last_seq = static_cast<int64_t>(seq);
    e.previous_last_hash = root.String("previous_last_hash");
    e.risk_source = root.String("risk_source");
    e.risk_text = root.String("risk_text");
    root.ForEachIn("kill_switches", [&](const Obj& k) {
      const std::string scope = k.String("scope");
      auto scope_kind = KillScopeFromName(scope);
      if (!scope_kind) k.Fail("scope", "bad kill switch scope '" + scope + "'");
      e.kill_switches.push_back(risk::KillScope{*scope_kind, k.String("name")});
    });
    root.ForEachIn("accounts", [&](const Obj& a) {
      risk::CarriedAccount c;
      c.account = a.String("account");
      c.net_cash = Notional::FromMicros(a.PriceValue("net_cash").micros());
      a.ForEachIn("positions", [&](const Obj& p) {
        c.positions[p.String("symbol")] = p.Quantity("qty");
      });
      e.accounts.push_back(std::move(c));
    });
    e.exch_ids = root.Count("exch_ids");
    e.exec_ids = root.Count("exec_ids");
    return e;
  }
  throw DecodeError("field 'kind': unknown event kind '" + kind + "'");
}

struct KindVisitor {
  std::string_view operator()(const NewOrderAccepted&) const {
    return "NewOrderAccepted";
  }
  std::string_view operator()(const NewOrderRejected&) const {
    return "NewOrderRejected";
  }
  std::string_view operator()(const CancelReplaceForwarded&) const {
    return "CancelReplaceForwarded";
  }
  std::string_view operator()(const CancelReplaceRejected&) const {
    return "CancelReplaceRejected";
  }
  std::string_view operator()(const StatusAnswered&) const {
    return "StatusAnswered";
  }
  std::string_view operator()(const ExchangeReportReceived&) const {
    return "ExchangeReportReceived";
  }
  std::string_view operator()(const ExchangeCancelRejectReceived&) const {
    return "ExchangeCancelRejectReceived";
  }
  std::string_view operator()(const ExchangeSessionChanged&) const {
    return "ExchangeSessionChanged";
  }
  std::string_view operator()(const KillSwitchChanged&) const {
    return "KillSwitchChanged";
  }
  std::string_view operator()(const RiskLimitsLoaded&) const {
    return "RiskLimitsLoaded";
  }
  std::string_view operator()(const JournalContinued&) const {
    return "JournalContinued";
  }
  std::string_view operator()(const ExchangeRequestRefused&) const {
    return "ExchangeRequestRefused";
  }
  std::string_view operator()(const MassStatusAnswered&) const {
    return "MassStatusAnswered";
  }
  std::string_view operator()(const OperatorCancelRequested&) const {
    return "OperatorCancelRequested";
  }
  std::string_view operator()(const MassCancelRequested&) const {
    return "MassCancelRequested";
  }
  std::string_view operator()(const CancelOnDisconnectFired&) const {
    return "CancelOnDisconnectFired";
  }
};

}  // namespace

std::string_view KillScopeName(risk::KillScope::Kind kind) {
  switch (kind) {
    case risk::KillScope::Kind::kGlobal:
      return "global";
    case risk::KillScope::Kind::kAccount:
      return "account";
    case risk::KillScope::Kind::kSession:
      return "session";
    case risk::KillScope::Kind::kVenue:
      return "venue";
  }
  return "global";
}

std::optional<risk::KillScope::Kind> KillScopeFromName(std::string_view name) {
  if (name == "global") return risk::KillScope::Kind::kGlobal;
  if (name == "account") return risk::KillScope::Kind::kAccount;
  if (name == "session") return risk::KillScope::Kind::kSession;
  if (name == "venue") return risk::KillScope::Kind::kVenue;
  return std::nullopt;
}

bool IsRecordOnly(std::string_view kind) {
  return kind == kSentToBroker || kind == kSentToExchange ||
         kind == kResendIgnored || kind == kExchangeMessageIgnored ||
         kind == kLogonRefused || kind == kConnectionRefused ||
         kind == kRejectSent || kind == kJournalVerified ||
         kind == kJournalDamageAccepted || kind == kSessionControl;
}

void TrackDisabledSessions(std::string_view kind, const std::string& session,
                           std::string_view payload,
                           std::set<std::string>& disabled) {
  if (kind != kSessionControl) return;
  const auto json = nlohmann::json::parse(payload, nullptr,
                                          /*allow_exceptions=*/false);
  if (!json.is_object()) return;
  const auto action = json.find("action");
  if (action == json.end() || !action->is_string()) return;
  if (*action == "disable") disabled.insert(session);
  if (*action == "enable") disabled.erase(session);
}

std::string_view KindName(const JournalEvent& event) {
  return std::visit(KindVisitor{}, event);
}

std::string EncodeEvent(const JournalEvent& event) {
  JsonOut j;
  j.Open();
  j.Field("kind", KindName(event));
  std::visit([&j](const auto& e) { Encode(j, e); }, event);
  j.Close();
  return j.Take();
}

Result<JournalEvent> DecodeEvent(std::string_view json) {
  try {
    Json j = Json::parse(json.begin(), json.end());
    return DecodeObject(Obj(j, ""));
  } catch (const DecodeError& e) {
    return Status::InvalidArgument(std::string("journal event: ") + e.what());
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("journal event: bad JSON: ") +
                                   e.what());
  } catch (const std::exception& e) {
    return Status::Internal(std::string("journal event: ") + e.what());
  }
}

}  // namespace fixgw::gw
