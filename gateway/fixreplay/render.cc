#include "gateway/fixreplay/render.h"

#include <iterator>
#include <set>
#include <utility>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/decimal.h"
#include "gateway/core/utf8.h"
#include "risk/risk_engine.h"

namespace fixgw::replay {
namespace {

// ---- escaping --------------------------------------------------------------

constexpr char kHexDigits[] = "0123456789abcdef";

void AppendHexByte(std::string& out, unsigned char b) {
  out += kHexDigits[b >> 4];
  out += kHexDigits[b & 0x0F];
}

bool IsControl(unsigned char b) { return b < 0x20 || b == 0x7F; }

void AppendText(std::string& out, std::string_view v) {
  bool plain = !v.empty();
  for (size_t i = 0; i < v.size() && plain;) {
    const auto b = static_cast<unsigned char>(v[i]);
    if (b == ' ' || b == '"' || b == '=' || b == '\\' || IsControl(b)) {
      plain = false;
    }
    size_t len = Utf8SequenceLength(v, i);
    if (len == 0) plain = false;
    i += len == 0 ? 1 : len;
  }
  if (plain) {
    out.append(v);
    return;
  }
  out += '"';
  for (size_t i = 0; i < v.size();) {
    const auto b = static_cast<unsigned char>(v[i]);
    size_t len = Utf8SequenceLength(v, i);
    if (len > 1) {
      out.append(v.substr(i, len));
      i += len;
      continue;
    }
    ++i;
    if (b == '"') {
      out += "\\\"";
    } else if (b == '\\') {
      out += "\\\\";
    } else if (b == '\n') {
      out += "\\n";
    } else if (b == '\r') {
      out += "\\r";
    } else if (b == '\t') {
      out += "\\t";
    } else if (len == 0 || IsControl(b)) {
      out += "\\x";
      AppendHexByte(out, b);
    } else {
      out += static_cast<char>(b);
    }
  }
  out += '"';
}

void AppendCsv(std::string& out, std::string_view v) {
  const bool quote = v.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!v.empty() && (v.front() == ' ' || v.back() == ' '));
  if (!quote) {
    out.append(v);
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void AppendJsonString(std::string& out, std::string_view v) {
  if (!IsUtf8(v)) {
    out += "{\"hex\":\"";
    for (char c : v) AppendHexByte(out, static_cast<unsigned char>(c));
    out += "\"}";
    return;
  }
  out += '"';
  for (char c : v) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (b < 0x20) {
      out += "\\u00";
      AppendHexByte(out, b);
    } else {
      out += c;
    }
  }
  out += '"';
}

bool IsInteger(std::string_view v) {
  size_t i = v.starts_with('-') ? 1 : 0;
  if (i == v.size() || v.size() - i > 18) return false;
  for (; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') return false;
  }
  return true;
}

// JSON object built key by key: {"a":1,"b":"x"}.
class JsonLine {
 public:
  JsonLine() { out_ += '{'; }
  void Str(std::string_view key, std::string_view value) {
    Key(key);
    AppendJsonString(out_, value);
  }
  // "" -> null.
  void OptStr(std::string_view key, std::string_view value) {
    Key(key);
    if (value.empty()) {
      out_ += "null";
    } else {
      AppendJsonString(out_, value);
    }
  }
  // An integer column: a number when it is one, null when empty, a string
  // otherwise (a malformed value from a counterparty stays visible).
  void Int(std::string_view key, std::string_view value) {
    Key(key);
    if (value.empty()) {
      out_ += "null";
    } else if (IsInteger(value)) {
      out_.append(value);
    } else {
      AppendJsonString(out_, value);
    }
  }
  void Int(std::string_view key, int64_t value) {
    Key(key);
    out_ += std::to_string(value);
  }
  void Bool(std::string_view key, bool value) {
    Key(key);
    out_ += value ? "true" : "false";
  }
  std::string Done() {
    out_ += "}\n";
    return std::move(out_);
  }

 private:
  void Key(std::string_view key) {
    if (out_.size() > 1) out_ += ',';
    AppendJsonString(out_, key);
    out_ += ':';
  }
  std::string out_;
};

// ---- trail
// -------------------------------------------------------------------

// The trail's columns after seq, time, session, direction, msg_type and
// event, in CSV order.
struct Column {
  const char* name;
  std::string TrailRow::*field;
  bool integer;
};
constexpr Column kColumns[] = {
    {"account", &TrailRow::account, false},
    {"cl_ord_id", &TrailRow::cl_ord_id, false},
    {"orig_cl_ord_id", &TrailRow::orig_cl_ord_id, false},
    {"exch_cl_ord_id", &TrailRow::exch_cl_ord_id, false},
    {"symbol", &TrailRow::symbol, false},
    {"side", &TrailRow::side, false},
    {"qty", &TrailRow::qty, true},
    {"price", &TrailRow::price, false},
    {"ord_type", &TrailRow::ord_type, false},
    {"tif", &TrailRow::tif, false},
    {"exec_type", &TrailRow::exec_type, false},
    {"exec_id", &TrailRow::exec_id, false},
    {"order_id", &TrailRow::order_id, false},
    {"last_qty", &TrailRow::last_qty, true},
    {"last_px", &TrailRow::last_px, false},
    {"cum_qty", &TrailRow::cum_qty, true},
    {"leaves_qty", &TrailRow::leaves_qty, true},
    {"status", &TrailRow::status, false},
    {"reason", &TrailRow::reason, false},
    {"venue", &TrailRow::venue, false},
};

std::string TextRow(const TrailRow& row) {
  std::string out = FormatIsoTimestamp(row.time);
  out += " #" + std::to_string(row.seq) + " ";
  out.append(Name(row.direction));
  out += ' ';
  AppendText(out, row.session.empty() ? "-" : row.session);
  out += ' ';
  AppendText(out, row.msg_type.empty() ? "-" : row.msg_type);
  out += ' ';
  AppendText(out, row.event);
  for (const Column& c : kColumns) {
    const std::string& v = row.*c.field;
    if (v.empty()) continue;
    out += ' ';
    out += c.name;
    out += '=';
    AppendText(out, v);
  }
  out += '\n';
  return out;
}

std::string CsvRow(const TrailRow& row) {
  std::string out = std::to_string(row.seq);
  out += ',';
  out += FormatIsoTimestamp(row.time);
  out += ',';
  AppendCsv(out, row.session);
  out += ',';
  out.append(Name(row.direction));
  out += ',';
  AppendCsv(out, row.msg_type);
  out += ',';
  AppendCsv(out, row.event);
  for (const Column& c : kColumns) {
    out += ',';
    AppendCsv(out, row.*c.field);
  }
  out += '\n';
  return out;
}

std::string JsonRow(const TrailRow& row) {
  JsonLine j;
  j.Int("seq", row.seq);
  j.Str("time", FormatIsoTimestamp(row.time));
  j.OptStr("session", row.session);
  j.Str("direction", Name(row.direction));
  j.OptStr("msg_type", row.msg_type);
  j.Str("event", row.event);
  for (const Column& c : kColumns) {
    if (c.integer) {
      j.Int(c.name, row.*c.field);
    } else {
      j.OptStr(c.name, row.*c.field);
    }
  }
  return j.Done();
}

// ---- state
// -------------------------------------------------------------------

std::string Money(Notional n) {
  // Exact: micro-units shown like a price, at least two decimals.
  return risk::FormatPx(Price::FromMicros(n.micros()));
}

bool IsOpen(const gw::OrderSnapshot& o) { return !IsTerminal(o.status); }

std::string Pending(const gw::OrderSnapshot& o) {
  if (o.cancel_pending) return "cancel";
  if (o.replace_pending) return "replace";
  return {};
}

constexpr const char* kStateColumns[] = {
    "as_of",          "record",     "account",
    "symbol",         "session",    "cl_ord_id",
    "exch_cl_ord_id", "order_id",   "side",
    "ord_type",       "tif",        "qty",
    "price",          "cum_qty",    "leaves_qty",
    "avg_px",         "status",     "pending",
    "position",       "open_buy",   "open_sell",
    "cash",           "net_cash",   "reserved",
    "available",      "open_orders"};
constexpr size_t kStateColumnCount = std::size(kStateColumns);

// One as-of record, keyed by column name; renders to any format. In text
// the record starts with `label` ("account ACC1", "  position AAPL") and
// shows its other non-empty values as key=value.
class StateRecord {
 public:
  StateRecord(const std::string& as_of, std::string record, std::string label)
      : label_(std::move(label)) {
    Set("as_of", as_of, false, false);
    Set("record", std::move(record), false, false);
  }
  void Set(std::string_view column, std::string value, bool integer = false,
           bool in_text = true) {
    values_.push_back(
        Value{std::string(column), std::move(value), integer, in_text});
  }
  std::string Render(Format format) const {
    std::string out;
    switch (format) {
      case Format::kJson: {
        JsonLine j;
        for (const Value& v : values_) {
          if (v.integer) {
            j.Int(v.column, v.value);
          } else {
            j.OptStr(v.column, v.value);
          }
        }
        return j.Done();
      }
      case Format::kCsv:
        for (size_t c = 0; c < kStateColumnCount; ++c) {
          if (c > 0) out += ',';
          for (const Value& v : values_) {
            if (v.column == kStateColumns[c]) AppendCsv(out, v.value);
          }
        }
        out += '\n';
        return out;
      case Format::kText:
        out = label_;
        for (const Value& v : values_) {
          if (!v.in_text || v.value.empty()) continue;
          out += ' ';
          out += v.column;
          out += '=';
          AppendText(out, v.value);
        }
        out += '\n';
        return out;
    }
    return out;
  }

 private:
  struct Value {
    std::string column;
    std::string value;
    bool integer;
    bool in_text;
  };
  std::string label_;
  std::vector<Value> values_;
};

std::string Label(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  AppendText(out, name);
  return out;
}

}  // namespace

std::optional<Format> ParseFormat(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "csv") return Format::kCsv;
  if (name == "json") return Format::kJson;
  return std::nullopt;
}

std::string TrailCsvHeader() {
  std::string out = "seq,time,session,direction,msg_type,event";
  for (const Column& c : kColumns) {
    out += ',';
    out += c.name;
  }
  out += '\n';
  return out;
}

std::string RenderTrailRow(Format format, const TrailRow& row) {
  switch (format) {
    case Format::kText:
      return TextRow(row);
    case Format::kCsv:
      return CsvRow(row);
    case Format::kJson:
      return JsonRow(row);
  }
  return {};
}

std::string RenderState(Format format, const ReplayedState& state,
                        const StateFilter& filter) {
  const risk::RiskEngine& engine = state.risk;
  const risk::RiskState& rs = engine.state();
  const std::string as_of = FormatIsoTimestamp(state.until);

  auto symbol_ok = [&](std::string_view symbol) {
    return !filter.symbol || symbol == *filter.symbol;
  };
  auto order_ok = [&](const gw::OrderSnapshot& o) {
    return symbol_ok(o.symbol) &&
           (!filter.session || SessionMatches(o.session, *filter.session));
  };

  // Accounts in name order: those risk knows and those of any order.
  std::set<std::string> accounts;
  for (const auto& [name, unused] : rs.accounts) accounts.insert(name);
  for (const gw::OrderSnapshot& o : state.orders) accounts.insert(o.account);
  std::set<std::string> wanted;
  for (const std::string& a : accounts) {
    if (filter.account && a != *filter.account) continue;
    bool keep = !filter.session && !filter.symbol;
    for (const gw::OrderSnapshot& o : state.orders) {
      if (o.account == a && order_ok(o)) keep = true;
    }
    if (!keep && filter.symbol && !filter.session) {
      auto it = rs.accounts.find(a);
      keep = it != rs.accounts.end() &&
             it->second.symbols.contains(*filter.symbol);
    }
    if (keep) wanted.insert(a);
  }

  std::string out;
  if (format == Format::kCsv) {
    for (size_t c = 0; c < kStateColumnCount; ++c) {
      if (c > 0) out += ',';
      out += kStateColumns[c];
    }
    out += '\n';
  } else if (format == Format::kText) {
    out += "as of " + as_of + ": journal entries up to seq " +
           std::to_string(state.last_seq) + ", " +
           std::to_string(state.events_applied) + " events applied\n";
  }

  for (const std::string& a : wanted) {
    auto acc = rs.accounts.find(a);
    const risk::AccountState empty;
    const risk::AccountState& st =
        acc == rs.accounts.end() ? empty : acc->second;
    StateRecord r(as_of, "account", Label("account ", a));
    r.Set("account", a, false, false);
    r.Set("cash", Money(engine.Cash(a)));
    r.Set("net_cash", Money(st.net_cash));
    r.Set("reserved", Money(st.reserved));
    r.Set("available", Money(engine.AvailableCash(a)));
    r.Set("open_orders", std::to_string(st.open_orders), true);
    out += r.Render(format);

    for (const auto& [symbol, exposure] : st.symbols) {
      if (!symbol_ok(symbol)) continue;
      StateRecord p(as_of, "position", Label("  position ", symbol));
      p.Set("account", a, false, false);
      p.Set("symbol", symbol, false, false);
      p.Set("position", FormatQty(exposure.position), true);
      p.Set("open_buy", FormatQty(exposure.open_buy), true);
      p.Set("open_sell", FormatQty(exposure.open_sell), true);
      out += p.Render(format);
    }

    for (const gw::OrderSnapshot& o : state.orders) {
      if (o.account != a || !IsOpen(o) || !order_ok(o)) continue;
      StateRecord r2(as_of, "order", "  order");
      r2.Set("account", a, false, false);
      r2.Set("symbol", o.symbol);
      r2.Set("session", o.session);
      r2.Set("cl_ord_id", o.cl_ord_id);
      r2.Set("exch_cl_ord_id", o.exch_cl_ord_id);
      r2.Set("order_id", o.order_id);
      r2.Set("side", std::string(Name(o.side)));
      r2.Set("ord_type", std::string(Name(o.ord_type)));
      r2.Set("tif", std::string(Name(o.tif)));
      r2.Set("qty", FormatQty(o.order_qty), true);
      r2.Set("price", o.price ? risk::FormatPx(*o.price) : std::string());
      r2.Set("cum_qty", FormatQty(o.cum_qty), true);
      r2.Set("leaves_qty", FormatQty(o.leaves_qty), true);
      r2.Set("avg_px", risk::FormatPx(o.avg_px));
      r2.Set("status", std::string(Name(o.status)));
      r2.Set("pending", Pending(o));
      out += r2.Render(format);
    }
  }
  return out;
}

Result<Timestamp> ParseTimeArg(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(
        "bad time '" + std::string(text) +
        "': expected UTC as 2026-11-26T18:50:14.123456Z, 2026-11-26 or "
        "20261126-18:50:14.123456");
  };
  if (text.size() >= 10 && text[4] == '-' && text[7] == '-') {
    std::string fix;
    fix.append(text.substr(0, 4)).append(text.substr(5, 2));
    fix.append(text.substr(8, 2));
    std::string_view rest = text.substr(10);
    if (rest.empty()) {
      fix += "-00:00:00";
    } else {
      if (rest[0] != 'T' && rest[0] != ' ') return bad();
      rest.remove_prefix(1);
      if (rest.ends_with('Z')) rest.remove_suffix(1);
      fix += '-';
      fix.append(rest);
    }
    Result<Timestamp> t = ParseFixTimestamp(fix);
    if (!t.ok()) return bad();
    return t;
  }
  Result<Timestamp> t = ParseFixTimestamp(text);
  if (!t.ok()) return bad();
  return t;
}

}  // namespace fixgw::replay
