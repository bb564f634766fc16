// Pre-trade risk limits and the TOML risk file that sets them.
//
// RiskLimits is a plain value (thread-compatible), fully resolved at parse
// time: every account, symbol and session entry already has the defaults
// merged in. Parsing never throws; errors name the origin and the key path.
//
// Risk file format (every key optional unless marked required; decimals are
// TOML strings ("125000.50") or integers, never TOML floats):
//
//   [defaults.account]            # built-in default shown after '='
//   cash = "0"                    # buying power (quote currency)
//   max_order_qty = 10000         # per order, whole units
//   max_order_notional = "1000000"
//   max_open_orders = 100
//   max_long = 100000             # per symbol, position + open buys
//   max_short = 0                 # per symbol, -(position - open sells)
//   short_selling = false         # may a sell take the position below 0
//   max_short_qty = 0             # most a single order may go short
//   allowed_symbols = []          # non-empty: only these symbols
//   restricted_symbols = []       # never these symbols
//
//   [defaults.symbol]
//   tick = "0.01"                 # price increment, > 0
//   collar_bps = 1000             # band = reference x bps / 10000 ...
//   # collar_ticks = 50           # ... or band = ticks x tick (not both)
//
//   [defaults.session]
//   allowed_accounts = []         # entitlement; "*" = any account
//   orders_per_second = 0         # token-bucket rate; 0 = no throttle
//   burst = 0                     # bucket size; 0 = orders_per_second
//
//   [accounts.ACC1]               # any [defaults.account] key
//   [accounts.ACC1.positions.AAPL]
//   max_long = 500                # per-symbol override of max_long/short
//   max_short = 100
//
//   [symbols.AAPL]                # only listed symbols are tradable
//   reference_price = "100.00"    # required, > 0
//   tick = "0.01"                 # and collar_bps / collar_ticks
//
//   [sessions."FIX.4.4:GW->BROKER1"]   # any [defaults.session] key
//
// Unknown keys are errors (a typo must not silently drop a limit).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "gateway/core/decimal.h"
#include "gateway/core/result.h"

namespace fixgw::risk {

using NameSet = std::set<std::string, std::less<>>;

struct PositionLimit {
  Qty max_long = Qty(100'000);
  Qty max_short = Qty(0);
  bool operator==(const PositionLimit&) const = default;
};

struct AccountLimits {
  Notional cash;
  Qty max_order_qty = Qty(10'000);
  Notional max_order_notional = Notional::FromMicros(1'000'000 * Price::kScale);
  int64_t max_open_orders = 100;
  PositionLimit default_position;
  std::map<std::string, PositionLimit, std::less<>> positions;
  bool short_selling = false;
  Qty max_short_qty = Qty(0);
  NameSet allowed_symbols;  // empty: every configured symbol
  NameSet restricted_symbols;

  const PositionLimit& PositionFor(std::string_view symbol) const;
  bool operator==(const AccountLimits&) const = default;
};

struct SymbolLimits {
  enum class CollarKind { kBps, kTicks };
  Price reference_price;  // 0 only in the defaults entry
  Price tick = Price::FromMicros(10'000);
  CollarKind collar_kind = CollarKind::kBps;
  int64_t collar = 1000;  // basis points or ticks, per collar_kind

  // Half-width of the collar band in price units (bps rounded down to the
  // micro-unit).
  Price CollarWidth() const;
  Price CollarLow() const { return reference_price - CollarWidth(); }
  Price CollarHigh() const { return reference_price + CollarWidth(); }
  bool operator==(const SymbolLimits&) const = default;
};

struct SessionLimits {
  NameSet allowed_accounts;       // "*" entitles every account
  int64_t orders_per_second = 0;  // 0: no throttle
  int64_t burst = 0;              // bucket size in orders (>= 1 when rate>0)

  bool Entitles(std::string_view account) const;
  bool operator==(const SessionLimits&) const = default;
};

struct RiskLimits {
  AccountLimits default_account;
  SymbolLimits default_symbol;
  SessionLimits default_session;
  std::map<std::string, AccountLimits, std::less<>> accounts;
  std::map<std::string, SymbolLimits, std::less<>> symbols;
  std::map<std::string, SessionLimits, std::less<>> sessions;

  // Unlisted accounts and sessions get the defaults.
  const AccountLimits& Account(std::string_view account) const;
  const SessionLimits& Session(std::string_view session) const;
  // Unlisted symbols are unknown: nullptr.
  const SymbolLimits* Symbol(std::string_view symbol) const;
  bool operator==(const RiskLimits&) const = default;
};

// Parses risk-file text. `origin` names the text in error messages
// ("risk.toml: accounts.ACC1.cash: expected a decimal string or integer").
Result<RiskLimits> ParseRiskLimits(std::string_view text,
                                   std::string_view origin);
// The text of the risk file at `path`: it must be a regular, readable file
// (a directory, a device or a FIFO is refused, naming the path).
Result<std::string> ReadRiskFile(const std::string& path);
// Reads `path` (ReadRiskFile) and parses it; the origin is the path.
Result<RiskLimits> LoadRiskFile(const std::string& path);

}  // namespace fixgw::risk
