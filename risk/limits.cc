#include "risk/limits.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <toml++/toml.h>

#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace fixgw::risk {

const PositionLimit& AccountLimits::PositionFor(std::string_view symbol) const {
  auto it = positions.find(symbol);
  return it == positions.end() ? default_position : it->second;
}

Price SymbolLimits::CollarWidth() const {
  if (collar_kind == CollarKind::kTicks) {
    return Price::FromMicros(collar * tick.micros());
  }
  // bps <= 10000 (checked at parse): splitting the reference keeps every
  // product inside int64.
  const int64_t ref = reference_price.micros();
  return Price::FromMicros(ref / 10'000 * collar +
                           ref % 10'000 * collar / 10'000);
}

bool SessionLimits::Entitles(std::string_view account) const {
  return allowed_accounts.count(account) > 0 ||
         allowed_accounts.count(std::string_view("*")) > 0;
}

const AccountLimits& RiskLimits::Account(std::string_view account) const {
  auto it = accounts.find(account);
  return it == accounts.end() ? default_account : it->second;
}

const SessionLimits& RiskLimits::Session(std::string_view session) const {
  auto it = sessions.find(session);
  return it == sessions.end() ? default_session : it->second;
}

const SymbolLimits* RiskLimits::Symbol(std::string_view symbol) const {
  auto it = symbols.find(symbol);
  return it == symbols.end() ? nullptr : &it->second;
}

namespace {

// Caps that keep every product in the engine inside int64.
constexpr int64_t kMaxCount = 1'000'000'000;
constexpr int64_t kMaxBps = 10'000;  // a collar of 100%

class Parser {
 public:
  explicit Parser(std::string_view origin) : origin_(origin) {}

  Status Fail(const std::string& path, const std::string& what) const {
    return Status::InvalidArgument(std::string(origin_) + ": " + path + ": " +
                                   what);
  }

  // A decimal from a string ("125000.50") or an integer; >= 0, or > 0 when
  // `positive`.
  Result<Price> Decimal(const toml::node& node, const std::string& path,
                        bool positive) const {
    Price value;
    if (const auto* s = node.as_string()) {
      auto parsed = ParsePrice(s->get());
      if (!parsed.ok()) {
        return Fail(path, "expected a decimal string or integer (" +
                              parsed.status().message() + ")");
      }
      value = *parsed;
    } else if (const auto* i = node.as_integer()) {
      const int64_t units = i->get();
      if (units > std::numeric_limits<int64_t>::max() / Price::kScale ||
          units < std::numeric_limits<int64_t>::min() / Price::kScale) {
        return Fail(path, "value out of range");
      }
      value = Price::FromUnits(units);
    } else {
      return Fail(path, "expected a decimal string or integer");
    }
    if (value.micros() < 0 || (positive && value.micros() == 0)) {
      return Fail(path, positive ? "must be positive" : "must not be negative");
    }
    return value;
  }

  Result<int64_t> Count(const toml::node& node, const std::string& path,
                        int64_t max = kMaxCount) const {
    const auto* i = node.as_integer();
    if (i == nullptr) return Fail(path, "expected an integer");
    if (i->get() < 0) return Fail(path, "must not be negative");
    if (i->get() > max) {
      return Fail(path, "must be at most " + std::to_string(max));
    }
    return i->get();
  }

  Result<bool> Bool(const toml::node& node, const std::string& path) const {
    const auto* b = node.as_boolean();
    if (b == nullptr) return Fail(path, "expected true or false");
    return b->get();
  }

  Result<NameSet> Names(const toml::node& node, const std::string& path) const {
    const auto* a = node.as_array();
    if (a == nullptr) return Fail(path, "expected an array of strings");
    NameSet names;
    for (const auto& element : *a) {
      const auto* s = element.as_string();
      if (s == nullptr || s->get().empty()) {
        return Fail(path, "expected an array of non-empty strings");
      }
      names.insert(s->get());
    }
    return names;
  }

  const toml::table* Table(const toml::node& node, const std::string& path,
                           Status* error) const {
    const auto* t = node.as_table();
    if (t == nullptr) *error = Fail(path, "expected a table");
    return t;
  }

  Status Position(const toml::table& table, const std::string& path,
                  PositionLimit& out) const {
    for (const auto& [key, node] : table) {
      const std::string k(key.str());
      const std::string p = path + "." + k;
      if (k == "max_long" || k == "max_short") {
        auto v = Count(node, p);
        if (!v.ok()) return v.status();
        (k == "max_long" ? out.max_long : out.max_short) = Qty(*v);
      } else {
        return Fail(p, "unknown key");
      }
    }
    return Status::Ok();
  }

  Status Account(const toml::table& table, const std::string& path,
                 bool allow_positions, AccountLimits& out) const {
    for (const auto& [key, node] : table) {
      const std::string k(key.str());
      const std::string p = path + "." + k;
      Status st;
      if (k == "cash" || k == "max_order_notional") {
        auto v = Decimal(node, p, false);
        if (!v.ok()) return v.status();
        (k == "cash" ? out.cash : out.max_order_notional) =
            Notional::FromMicros(v->micros());
      } else if (k == "max_order_qty" || k == "max_short_qty") {
        auto v = Count(node, p);
        if (!v.ok()) return v.status();
        (k == "max_order_qty" ? out.max_order_qty : out.max_short_qty) =
            Qty(*v);
      } else if (k == "max_open_orders") {
        auto v = Count(node, p);
        if (!v.ok()) return v.status();
        out.max_open_orders = *v;
      } else if (k == "max_long" || k == "max_short") {
        auto v = Count(node, p);
        if (!v.ok()) return v.status();
        (k == "max_long" ? out.default_position.max_long
                         : out.default_position.max_short) = Qty(*v);
      } else if (k == "short_selling") {
        auto v = Bool(node, p);
        if (!v.ok()) return v.status();
        out.short_selling = *v;
      } else if (k == "allowed_symbols" || k == "restricted_symbols") {
        auto v = Names(node, p);
        if (!v.ok()) return v.status();
        (k == "allowed_symbols" ? out.allowed_symbols
                                : out.restricted_symbols) = std::move(*v);
      } else if (k == "positions" && allow_positions) {
        const toml::table* symbols = Table(node, p, &st);
        if (symbols == nullptr) return st;
        for (const auto& [sym, limit] : *symbols) {
          const std::string sp = p + "." + std::string(sym.str());
          const toml::table* t = Table(limit, sp, &st);
          if (t == nullptr) return st;
          // Starts from the account's own max_long/max_short, whichever
          // order the keys come in: resolved after the loop.
          pending_positions_.emplace_back(std::string(sym.str()), t, sp);
        }
      } else {
        return Fail(p, "unknown key");
      }
    }
    for (auto& [sym, t, sp] : pending_positions_) {
      PositionLimit limit = out.default_position;
      Status st = Position(*t, sp, limit);
      if (!st.ok()) return st;
      out.positions[sym] = limit;
    }
    pending_positions_.clear();
    return Status::Ok();
  }

  Status Symbol(const toml::table& table, const std::string& path,
                bool is_default, SymbolLimits& out) const {
    bool has_bps = false;
    bool has_ticks = false;
    for (const auto& [key, node] : table) {
      const std::string k(key.str());
      const std::string p = path + "." + k;
      if (k == "reference_price" && !is_default) {
        auto v = Decimal(node, p, true);
        if (!v.ok()) return v.status();
        out.reference_price = *v;
      } else if (k == "tick") {
        auto v = Decimal(node, p, true);
        if (!v.ok()) return v.status();
        out.tick = *v;
      } else if (k == "collar_bps") {
        auto v = Count(node, p, kMaxBps);
        if (!v.ok()) return v.status();
        out.collar_kind = SymbolLimits::CollarKind::kBps;
        out.collar = *v;
        has_bps = true;
      } else if (k == "collar_ticks") {
        auto v = Count(node, p);
        if (!v.ok()) return v.status();
        out.collar_kind = SymbolLimits::CollarKind::kTicks;
        out.collar = *v;
        has_ticks = true;
      } else {
        return Fail(p, "unknown key");
      }
    }
    if (has_bps && has_ticks) {
      return Fail(path, "set collar_bps or collar_ticks, not both");
    }
    if (!is_default && out.reference_price.micros() == 0) {
      return Fail(path + ".reference_price", "required");
    }
    // The band must fit in int64 micros.
    if (out.collar_kind == SymbolLimits::CollarKind::kTicks && out.collar > 0 &&
        out.tick.micros() >
            std::numeric_limits<int64_t>::max() / 4 / out.collar) {
      return Fail(path + ".collar_ticks", "band out of range");
    }
    if (out.reference_price.micros() >
        std::numeric_limits<int64_t>::max() / 4) {
      return Fail(path + ".reference_price", "value out of range");
    }
    return Status::Ok();
  }

  Status Session(const toml::table& table, const std::string& path,
                 SessionLimits& out) const {
    for (const auto& [key, node] : table) {
      const std::string k(key.str());
      const std::string p = path + "." + k;
      if (k == "allowed_accounts") {
        auto v = Names(node, p);
        if (!v.ok()) return v.status();
        out.allowed_accounts = std::move(*v);
      } else if (k == "orders_per_second" || k == "burst") {
        auto v = Count(node, p);
        if (!v.ok()) return v.status();
        (k == "burst" ? out.burst : out.orders_per_second) = *v;
      } else {
        return Fail(p, "unknown key");
      }
    }
    return Status::Ok();
  }

  static void ResolveBurst(SessionLimits& s) {
    if (s.orders_per_second > 0 && s.burst == 0) s.burst = s.orders_per_second;
  }

  Result<RiskLimits> Document(const toml::table& root) const {
    RiskLimits limits;
    Status st;
    // Defaults first: every entry below starts from them.
    if (const auto* d = root.get("defaults")) {
      const toml::table* defaults = Table(*d, "defaults", &st);
      if (defaults == nullptr) return st;
      for (const auto& [key, node] : *defaults) {
        const std::string k(key.str());
        const std::string p = "defaults." + k;
        const toml::table* t = Table(node, p, &st);
        if (t == nullptr) return st;
        if (k == "account") {
          st = Account(*t, p, false, limits.default_account);
        } else if (k == "symbol") {
          st = Symbol(*t, p, true, limits.default_symbol);
        } else if (k == "session") {
          st = Session(*t, p, limits.default_session);
        } else {
          st = Fail(p, "unknown key");
        }
        if (!st.ok()) return st;
      }
    }
    ResolveBurst(limits.default_session);
    for (const auto& [key, node] : root) {
      const std::string k(key.str());
      if (k == "defaults") continue;
      const toml::table* section = Table(node, k, &st);
      if (section == nullptr) return st;
      if (k != "accounts" && k != "symbols" && k != "sessions") {
        return Fail(k, "unknown key");
      }
      for (const auto& [name_key, entry] : *section) {
        const std::string name(name_key.str());
        const std::string p = k + "." + name;
        const toml::table* t = Table(entry, p, &st);
        if (t == nullptr) return st;
        if (k == "accounts") {
          AccountLimits a = limits.default_account;
          st = Account(*t, p, true, a);
          limits.accounts[name] = std::move(a);
        } else if (k == "symbols") {
          SymbolLimits s = limits.default_symbol;
          st = Symbol(*t, p, false, s);
          limits.symbols[name] = s;
        } else {
          SessionLimits s = limits.default_session;
          st = Session(*t, p, s);
          ResolveBurst(s);
          limits.sessions[name] = std::move(s);
        }
        if (!st.ok()) return st;
      }
    }
    return limits;
  }

 private:
  std::string_view origin_;
  mutable std::vector<std::tuple<std::string, const toml::table*, std::string>>
      pending_positions_;
};

}  // namespace

Result<RiskLimits> ParseRiskLimits(std::string_view text,
                                   std::string_view origin) {
  try {
    toml::table root = toml::parse(text, origin);
    return Parser(origin).Document(root);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidArgument(
        std::string(origin) + ":" + std::to_string(where.line) + ":" +
        std::to_string(where.column) + ": " + std::string(e.description()));
  } catch (const std::exception& e) {
    return Status::Internal(std::string(origin) + ": " + e.what());
  }
}

Result<std::string> ReadRiskFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Status::NotFound(path + ": cannot read the risk file: " +
                            std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(
        path + ": the risk file is not a regular file" +
        (S_ISDIR(st.st_mode) ? " (a directory)" : ""));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound(path + ": cannot read the risk file: " +
                            std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Unavailable(path + ": cannot read the risk file");
  return text.str();
}

Result<RiskLimits> LoadRiskFile(const std::string& path) {
  Result<std::string> text = ReadRiskFile(path);
  if (!text.ok()) return text.status();
  return ParseRiskLimits(*text, path);
}

}  // namespace fixgw::risk
