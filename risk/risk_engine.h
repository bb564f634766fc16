// The pre-trade risk engine: limits + a state rebuilt only from journaled
// events, and pure const checks over (order, state, limits).
//
// Not thread-safe: the gateway serialises Check*/apply calls (the router's
// mutex). No I/O, no clock: time comes in as a Timestamp argument. Candidate
// views point into the engine and the caller's strings; they are valid until
// the next non-const call.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/decimal.h"
#include "gateway/core/events.h"
#include "gateway/core/result.h"
#include "gateway/core/types.h"
#include "risk/limits.h"

namespace fixgw::risk {

// Stable identity of an order chosen by the gateway (e.g. its exchange
// ClOrdID); Replaced may re-key it.
using OrderKey = std::string;
using SessionName = std::string;  // "FIX.4.4:GW->BROKER1"

// What a new order asks for. `price` is set iff ord_type is kLimit.
struct OrderTerms {
  SessionName session;
  // The venue the order is routed to (a kill switch of scope venue blocks
  // it); empty when the gateway has one unnamed venue.
  std::string venue = {};
  std::string account;
  std::string symbol;
  Side side = Side::kBuy;
  OrdType ord_type = OrdType::kLimit;
  Qty qty;
  std::optional<Price> price;
};

// A replace sent to the exchange and not answered yet: the order's confirmed
// terms and the requested ones.
struct PendingReplace {
  Qty old_qty;
  Price old_price;  // reservation price
  Qty new_qty;
  Price new_price;  // reservation price
  bool operator==(const PendingReplace&) const = default;
};

// One open order as risk sees it. Invariant: leaves_qty > 0 and
// reserved == leaves_qty x reserve_price for buys, 0 for sells. While a
// replace is pending, order_qty and reserve_price are the worse of the old
// and the requested terms (the larger of each), so that the exposure cannot
// exceed the limits whichever way the exchange answers.
struct OpenOrder {
  SessionName session;
  std::string venue = {};
  std::string account;
  std::string symbol;
  Side side = Side::kBuy;
  OrdType ord_type = OrdType::kLimit;
  Qty order_qty;
  Qty cum_qty;
  Qty leaves_qty;
  Price reserve_price;  // limit price, or reference + collar for market
  Notional reserved;
  std::optional<PendingReplace> pending;
  bool operator==(const OpenOrder&) const = default;
};

struct SymbolExposure {
  Qty position;   // signed: long > 0
  Qty open_buy;   // leaves of open buys
  Qty open_sell;  // leaves of open sells and short sells
  bool operator==(const SymbolExposure&) const = default;
};

struct AccountState {
  // Net cash flow of fills (sells minus buys). Cash = limits cash + this.
  Notional net_cash;
  Notional reserved;  // sum of the account's open orders' reservations
  int64_t open_orders = 0;
  std::map<std::string, SymbolExposure, std::less<>> symbols;
  bool operator==(const AccountState&) const = default;
};

// Token bucket in micro-tokens (1 order = 1'000'000) at time `last`.
struct ThrottleBucket {
  int64_t micro_tokens = 0;
  Timestamp last;
  bool operator==(const ThrottleBucket&) const = default;
};

struct KillSwitches {
  bool global = false;
  NameSet accounts;
  NameSet sessions;
  NameSet venues;
  bool operator==(const KillSwitches&) const = default;
};

struct RiskState {
  std::map<std::string, AccountState, std::less<>> accounts;
  std::map<OrderKey, OpenOrder, std::less<>> orders;
  std::map<SessionName, ThrottleBucket, std::less<>> throttles;
  KillSwitches kill;
  bool operator==(const RiskState&) const = default;
};

struct KillScope {
  enum class Kind { kGlobal, kAccount, kSession, kVenue };
  Kind kind = Kind::kGlobal;
  std::string name;  // account, session or venue; empty for kGlobal
  bool operator==(const KillScope&) const = default;
};

// What one account carries from one journal into the next at an end-of-day
// rollover, when it has no open order left: the net cash flow of its fills
// (AccountState::net_cash) and its non-zero positions. Reservations, open
// quantities and throttle buckets are zero or refill by then.
struct CarriedAccount {
  std::string account;
  Notional net_cash;
  std::map<std::string, Qty, std::less<>> positions;  // non-zero only
  bool operator==(const CarriedAccount&) const = default;
};

// The order under check: a new order, or a replace (then `replacing` is the
// order whose reservation, open quantity and open-order slot are released
// for the check).
struct Candidate {
  std::string_view session;
  std::string_view venue = {};
  std::string_view account;
  std::string_view symbol;
  Side side = Side::kBuy;
  OrdType ord_type = OrdType::kLimit;
  Qty qty;     // order quantity (checked against max_order_qty/notional)
  Qty leaves;  // quantity that adds exposure (qty - cum_qty on replace)
  std::optional<Price> price;
  Timestamp at;
  const OpenOrder* replacing = nullptr;
};

constexpr int64_t kMicroTokensPerOrder = 1'000'000;

class RiskEngine {
 public:
  explicit RiskEngine(RiskLimits limits);

  const RiskLimits& limits() const { return limits_; }
  const RiskState& state() const { return state_; }
  // A journaled limit change (risk-file reload). State is kept; reservations
  // of open orders keep their old reserve price.
  void SetLimits(RiskLimits limits);

  // ---- Composite checks. Order: kill switch, entitlement, throttle,
  // symbol, quantity, collar, notional, open orders, short sale, position,
  // buying power. nullopt: accepted.
  std::optional<Rejection> CheckNewOrder(const OrderTerms& order,
                                         Timestamp at) const;
  // Re-checks `key` as if it had `new_qty` (total, FIX OrderQty) and
  // `new_price` (nullopt for market), with its old reservation released.
  std::optional<Rejection> CheckReplace(std::string_view key, Qty new_qty,
                                        std::optional<Price> new_price,
                                        Timestamp at) const;

  static Candidate NewCandidate(const OrderTerms& order, Timestamp at);
  // nullopt when `key` is not an open order.
  std::optional<Candidate> ReplaceCandidate(std::string_view key, Qty new_qty,
                                            std::optional<Price> new_price,
                                            Timestamp at) const;

  // ---- Single checks (pure). A check whose precondition is another
  // check's job (e.g. a known symbol) passes when that precondition fails.
  std::optional<Rejection> CheckKillSwitch(const Candidate& c) const;
  std::optional<Rejection> CheckEntitlement(const Candidate& c) const;
  std::optional<Rejection> CheckThrottle(const Candidate& c) const;
  std::optional<Rejection> CheckSymbol(const Candidate& c) const;
  std::optional<Rejection> CheckQuantity(const Candidate& c) const;
  std::optional<Rejection> CheckCollar(const Candidate& c) const;
  std::optional<Rejection> CheckNotional(const Candidate& c) const;
  std::optional<Rejection> CheckOpenOrders(const Candidate& c) const;
  std::optional<Rejection> CheckShortSale(const Candidate& c) const;
  std::optional<Rejection> CheckPosition(const Candidate& c) const;
  std::optional<Rejection> CheckBuyingPower(const Candidate& c) const;

  // ---- Journaled events: the only mutations. A non-ok Status (unknown or
  // duplicate key, bad quantity, arithmetic overflow) leaves the state
  // unchanged.
  // Reserves: buys reserve qty x (limit, or reference + collar for market).
  // Consumes one throttle token of the session at `at`.
  Status OrderAccepted(const OrderKey& key, const OrderTerms& order,
                       Timestamp at);
  // A replace was sent to the exchange: until it is answered the order
  // reserves the worse of its current terms and new_qty (total, FIX
  // OrderQty) at new_price. Consumes a throttle token. AlreadyExists if a
  // replace is already pending.
  Status ReplaceRequested(std::string_view key, Qty new_qty,
                          std::optional<Price> new_price, Timestamp at);
  // The exchange confirmed the pending replace: the order is now the
  // requested terms. Leaves <= 0 closes the order.
  Status ReplaceConfirmed(std::string_view key);
  // The exchange refused the pending replace: the order keeps its old terms.
  Status ReplaceRejected(std::string_view key);
  // Request and confirmation at once; `new_key` may equal `key`.
  Status Replaced(std::string_view key, const OrderKey& new_key, Qty new_qty,
                  std::optional<Price> new_price, Timestamp at);
  // An execution: cash moves at last_px, the reservation shrinks by
  // last_qty x reserve price (so a better fill price frees the difference),
  // the position moves. The order closes when nothing is left.
  Status Filled(std::string_view key, Qty last_qty, Price last_px);
  // Canceled, rejected, expired, IOC/FOK remainder: releases what is left.
  Status Done(std::string_view key);
  // An execution changed after the fact, on the account alone: `reverse`
  // takes a fill of `qty` at `px` back (a bust, or the old side of a
  // correction), otherwise adds one (the corrected execution). Cash and
  // position move; no order's open quantity or reservation does (see
  // LeavesRestated).
  Status AdjustFill(std::string_view account, std::string_view symbol,
                    Side side, Qty qty, Price px, bool reverse);
  // The exchange says order `key` now has `leaves` open (a restatement, or
  // a bust that puts quantity back): its open quantity and reservation
  // follow at its reservation price. An order the engine had closed is
  // reopened with `terms` (no throttle token: the exchange, not the
  // broker, reopened it); `leaves` 0 closes it.
  Status LeavesRestated(const OrderKey& key, const OrderTerms& terms,
                        Qty leaves);
  void EngageKillSwitch(const KillScope& scope);
  void DisengageKillSwitch(const KillScope& scope);
  // The start of a continued journal: sets (not adds) the account's net
  // cash and positions. FailedPrecondition if the account has open orders
  // (a rollover happens without any); nothing changes then.
  Status CarryOver(const CarriedAccount& carried);

  // ---- Queries.
  // Every account with a non-zero net cash or position, by name: what a
  // rollover carries into the next journal.
  std::vector<CarriedAccount> CarriedAccounts() const;
  // The engaged kill switches: global first, then accounts, then sessions,
  // then venues.
  std::vector<KillScope> EngagedKillSwitches() const;
  // Open orders in `scope` (oldest key order): what an engaged kill switch
  // must cancel at the exchange.
  std::vector<OrderKey> OpenOrdersIn(const KillScope& scope) const;
  Notional Cash(std::string_view account) const;  // limits cash + net fills
  // Cash - reserved; may be negative after fills above the limit price.
  Notional AvailableCash(std::string_view account) const;
  SymbolExposure Exposure(std::string_view account,
                          std::string_view symbol) const;
  // Micro-tokens the session's bucket holds at `at` (without consuming).
  int64_t ThrottleTokens(std::string_view session, Timestamp at) const;
  // The per-unit reservation price of an order: its limit price, or
  // reference + collar for a market order; nullopt for an unknown symbol
  // or a limit order without price.
  std::optional<Price> ReservePrice(std::string_view symbol, OrdType type,
                                    std::optional<Price> price) const;

 private:
  const AccountState* FindAccount(std::string_view account) const;
  using OrderMap = std::map<OrderKey, OpenOrder, std::less<>>;
  // Moves the order to `qty` (total) at reservation price `px`, adjusting
  // the account's reservation and open quantity; closes it when nothing is
  // left. Nothing changes on error.
  Status Reprice(OrderMap::iterator it, Qty qty, Price px);
  // The exchange answered the pending replace: new terms or old ones.
  Status AnswerReplace(std::string_view key, bool confirmed);
  Status Consume(std::string_view session, Timestamp at);

  RiskLimits limits_;
  RiskState state_;
};

// Price text with at least two decimals ("100.00", "100.125").
std::string FormatPx(Price price);

}  // namespace fixgw::risk
