#include "risk/risk_engine.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace fixgw::risk {

namespace {

std::optional<int64_t> AddI(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

std::optional<int64_t> SubI(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) return std::nullopt;
  return r;
}

Rejection Reject(OrdRejReason reason, std::string text) {
  return Rejection{.reason = reason, .text = std::move(text)};
}

Rejection Overflow(std::string_view what) {
  return Reject(OrdRejReason::kOrderExceedsLimit,
                std::string(what) + ": arithmetic overflow");
}

std::string Money(int64_t micros) {
  return FormatMoney(Notional::FromMicros(micros));
}

std::string Units(Qty q) { return std::to_string(q.units()); }

const AccountState kNoAccount{};

}  // namespace

std::string FormatPx(Price price) {
  std::string s = FormatPrice(price);
  const auto dot = s.find('.');
  if (dot == std::string::npos) return s + ".00";
  if (s.size() - dot == 2) s += '0';
  return s;
}

RiskEngine::RiskEngine(RiskLimits limits) : limits_(std::move(limits)) {}

void RiskEngine::SetLimits(RiskLimits limits) { limits_ = std::move(limits); }

const AccountState* RiskEngine::FindAccount(std::string_view account) const {
  auto it = state_.accounts.find(account);
  return it == state_.accounts.end() ? &kNoAccount : &it->second;
}

// ---- Composite checks -------------------------------------------------

Candidate RiskEngine::NewCandidate(const OrderTerms& order, Timestamp at) {
  return Candidate{.session = order.session,
                   .venue = order.venue,
                   .account = order.account,
                   .symbol = order.symbol,
                   .side = order.side,
                   .ord_type = order.ord_type,
                   .qty = order.qty,
                   .leaves = order.qty,
                   .price = order.price,
                   .at = at,
                   .replacing = nullptr};
}

std::optional<Candidate> RiskEngine::ReplaceCandidate(
    std::string_view key, Qty new_qty, std::optional<Price> new_price,
    Timestamp at) const {
  auto it = state_.orders.find(key);
  if (it == state_.orders.end()) return std::nullopt;
  const OpenOrder& o = it->second;
  const Qty leaves = std::max(Qty(0), new_qty - o.cum_qty);
  return Candidate{.session = o.session,
                   .venue = o.venue,
                   .account = o.account,
                   .symbol = o.symbol,
                   .side = o.side,
                   .ord_type = o.ord_type,
                   .qty = new_qty,
                   .leaves = leaves,
                   .price = new_price,
                   .at = at,
                   .replacing = &o};
}

namespace {

template <typename Engine>
std::optional<Rejection> RunChecks(const Engine& e, const Candidate& c) {
  using Check = std::optional<Rejection> (Engine::*)(const Candidate&) const;
  static constexpr Check kChecks[] = {
      &Engine::CheckKillSwitch,  &Engine::CheckEntitlement,
      &Engine::CheckThrottle,    &Engine::CheckSymbol,
      &Engine::CheckQuantity,    &Engine::CheckCollar,
      &Engine::CheckNotional,    &Engine::CheckOpenOrders,
      &Engine::CheckShortSale,   &Engine::CheckPosition,
      &Engine::CheckBuyingPower,
  };
  for (Check check : kChecks) {
    if (auto r = (e.*check)(c)) return r;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Rejection> RiskEngine::CheckNewOrder(const OrderTerms& order,
                                                   Timestamp at) const {
  return RunChecks(*this, NewCandidate(order, at));
}

std::optional<Rejection> RiskEngine::CheckReplace(
    std::string_view key, Qty new_qty, std::optional<Price> new_price,
    Timestamp at) const {
  auto c = ReplaceCandidate(key, new_qty, new_price, at);
  if (!c) {
    return Reject(OrdRejReason::kUnknownOrder,
                  "risk: unknown order " + std::string(key));
  }
  return RunChecks(*this, *c);
}

// ---- Single checks ----------------------------------------------------

std::optional<Rejection> RiskEngine::CheckKillSwitch(const Candidate& c) const {
  const KillSwitches& k = state_.kill;
  if (k.global) {
    return Reject(OrdRejReason::kBrokerOption, "kill switch engaged: global");
  }
  if (k.sessions.count(c.session) > 0) {
    return Reject(OrdRejReason::kBrokerOption,
                  "kill switch engaged for session " + std::string(c.session));
  }
  if (k.accounts.count(c.account) > 0) {
    return Reject(OrdRejReason::kBrokerOption,
                  "kill switch engaged for account " + std::string(c.account));
  }
  if (k.venues.count(c.venue) > 0) {
    return Reject(OrdRejReason::kBrokerOption,
                  "kill switch engaged for venue " + std::string(c.venue));
  }
  return std::nullopt;
}

std::optional<Rejection> RiskEngine::CheckEntitlement(
    const Candidate& c) const {
  if (limits_.Session(c.session).Entitles(c.account)) return std::nullopt;
  if (c.account.empty()) {
    return Reject(OrdRejReason::kBrokerOption,
                  "entitlement: the order has no Account (1) and session " +
                      std::string(c.session) +
                      " may not trade without one (set DefaultAccount for it)");
  }
  return Reject(OrdRejReason::kBrokerOption,
                "entitlement: session " + std::string(c.session) +
                    " may not trade account " + std::string(c.account));
}

std::optional<Rejection> RiskEngine::CheckThrottle(const Candidate& c) const {
  const SessionLimits& s = limits_.Session(c.session);
  if (s.orders_per_second == 0) return std::nullopt;
  if (ThrottleTokens(c.session, c.at) >= kMicroTokensPerOrder) {
    return std::nullopt;
  }
  return Reject(OrdRejReason::kBrokerOption,
                "throttle: session " + std::string(c.session) + " exceeds " +
                    std::to_string(s.orders_per_second) +
                    " orders per second (burst " + std::to_string(s.burst) +
                    ")");
}

std::optional<Rejection> RiskEngine::CheckSymbol(const Candidate& c) const {
  const std::string sym(c.symbol);
  if (limits_.Symbol(c.symbol) == nullptr) {
    return Reject(OrdRejReason::kUnknownSymbol, "unknown symbol " + sym);
  }
  const AccountLimits& a = limits_.Account(c.account);
  if (a.restricted_symbols.count(c.symbol) > 0) {
    return Reject(OrdRejReason::kUnknownSymbol,
                  "symbol " + sym + " is restricted for account " +
                      std::string(c.account));
  }
  if (!a.allowed_symbols.empty() && a.allowed_symbols.count(c.symbol) == 0) {
    return Reject(OrdRejReason::kUnknownSymbol,
                  "symbol " + sym + " is not allowed for account " +
                      std::string(c.account));
  }
  return std::nullopt;
}

std::optional<Rejection> RiskEngine::CheckQuantity(const Candidate& c) const {
  if (c.qty.units() <= 0) {
    return Reject(OrdRejReason::kIncorrectQuantity,
                  "order quantity " + Units(c.qty) + " must be positive");
  }
  const Qty max = limits_.Account(c.account).max_order_qty;
  if (c.qty > max) {
    return Reject(
        OrdRejReason::kOrderExceedsLimit,
        "order quantity " + Units(c.qty) + " exceeds max " + Units(max));
  }
  return std::nullopt;
}

std::optional<Rejection> RiskEngine::CheckCollar(const Candidate& c) const {
  if (c.ord_type != OrdType::kLimit || !c.price) return std::nullopt;
  const SymbolLimits* s = limits_.Symbol(c.symbol);
  if (s == nullptr) return std::nullopt;
  const Price lo = s->CollarLow();
  const Price hi = s->CollarHigh();
  if (*c.price >= lo && *c.price <= hi) return std::nullopt;
  return Reject(OrdRejReason::kOrderExceedsLimit,
                "price " + FormatPx(*c.price) + " outside collar " +
                    FormatPx(lo) + "-" + FormatPx(hi) + " of reference " +
                    FormatPx(s->reference_price));
}

std::optional<Rejection> RiskEngine::CheckNotional(const Candidate& c) const {
  const auto px = ReservePrice(c.symbol, c.ord_type, c.price);
  if (!px || c.qty.units() <= 0) return std::nullopt;
  const auto n = Multiply(c.qty, *px);
  if (!n) return Overflow("order notional");
  const Notional max = limits_.Account(c.account).max_order_notional;
  if (*n <= max) return std::nullopt;
  return Reject(
      OrdRejReason::kOrderExceedsLimit,
      "order notional " + FormatMoney(*n) + " exceeds max " + FormatMoney(max));
}

std::optional<Rejection> RiskEngine::CheckOpenOrders(const Candidate& c) const {
  if (c.replacing != nullptr) return std::nullopt;  // keeps its slot
  const int64_t open = FindAccount(c.account)->open_orders;
  const int64_t max = limits_.Account(c.account).max_open_orders;
  if (open < max) return std::nullopt;
  return Reject(OrdRejReason::kOrderExceedsLimit,
                "open orders: " + std::to_string(open) + " open, max " +
                    std::to_string(max));
}

namespace {

// The exposure with the replaced order's open quantity taken out.
SymbolExposure Without(SymbolExposure e, const OpenOrder* replacing) {
  if (replacing != nullptr) {
    (IsBuy(replacing->side) ? e.open_buy : e.open_sell) -=
        replacing->leaves_qty;
  }
  return e;
}

}  // namespace

std::optional<Rejection> RiskEngine::CheckShortSale(const Candidate& c) const {
  if (IsBuy(c.side)) return std::nullopt;
  const AccountLimits& a = limits_.Account(c.account);
  if (c.side == Side::kSellShort && !a.short_selling) {
    return Reject(
        OrdRejReason::kBrokerOption,
        "short selling not allowed for account " + std::string(c.account));
  }
  const SymbolExposure e = Without(Exposure(c.account, c.symbol), c.replacing);
  const auto long_left = SubI(e.position.units(), e.open_sell.units());
  if (!long_left) return Overflow("short sale");
  const int64_t covered = std::clamp<int64_t>(*long_left, 0, c.leaves.units());
  const Qty short_part = c.leaves - Qty(covered);
  if (short_part.units() <= 0) return std::nullopt;
  if (!a.short_selling) {
    return Reject(OrdRejReason::kBrokerOption,
                  "short sale: sell " + Units(c.leaves) +
                      " exceeds available long position " +
                      std::to_string(std::max<int64_t>(*long_left, 0)) +
                      " and short selling is not allowed for account " +
                      std::string(c.account));
  }
  if (short_part > a.max_short_qty) {
    return Reject(OrdRejReason::kOrderExceedsLimit,
                  "short sale: " + Units(short_part) +
                      " short exceeds max short qty " + Units(a.max_short_qty));
  }
  return std::nullopt;
}

std::optional<Rejection> RiskEngine::CheckPosition(const Candidate& c) const {
  const PositionLimit& limit = limits_.Account(c.account).PositionFor(c.symbol);
  const SymbolExposure e = Without(Exposure(c.account, c.symbol), c.replacing);
  const std::string sym(c.symbol);
  if (IsBuy(c.side)) {
    auto worst = AddI(e.position.units(), e.open_buy.units());
    if (worst) worst = AddI(*worst, c.leaves.units());
    if (!worst) return Overflow("position limit");
    if (*worst <= limit.max_long.units()) return std::nullopt;
    return Reject(OrdRejReason::kOrderExceedsLimit,
                  "position limit: worst case long " + std::to_string(*worst) +
                      " exceeds max long " + Units(limit.max_long) + " for " +
                      sym);
  }
  auto worst = SubI(e.position.units(), e.open_sell.units());
  if (worst) worst = SubI(*worst, c.leaves.units());
  if (!worst) return Overflow("position limit");
  if (*worst >= -limit.max_short.units()) return std::nullopt;
  return Reject(OrdRejReason::kOrderExceedsLimit,
                "position limit: worst case short " + std::to_string(-*worst) +
                    " exceeds max short " + Units(limit.max_short) + " for " +
                    sym);
}

std::optional<Rejection> RiskEngine::CheckBuyingPower(
    const Candidate& c) const {
  if (!IsBuy(c.side)) return std::nullopt;
  const auto px = ReservePrice(c.symbol, c.ord_type, c.price);
  if (!px) return std::nullopt;
  const auto need = Multiply(c.leaves, *px);
  if (!need) return Overflow("buying power");
  const AccountState* s = FindAccount(c.account);
  auto available =
      AddI(limits_.Account(c.account).cash.micros(), s->net_cash.micros());
  if (available) available = SubI(*available, s->reserved.micros());
  if (available && c.replacing != nullptr) {
    available = AddI(*available, c.replacing->reserved.micros());
  }
  if (!available) return Overflow("buying power");
  if (need->micros() <= *available) return std::nullopt;
  return Reject(OrdRejReason::kOrderExceedsLimit,
                "buying power: need " + FormatMoney(*need) + ", available " +
                    Money(*available));
}

// ---- Events -----------------------------------------------------------

std::optional<Price> RiskEngine::ReservePrice(
    std::string_view symbol, OrdType type, std::optional<Price> price) const {
  if (type == OrdType::kLimit) return price;
  const SymbolLimits* s = limits_.Symbol(symbol);
  if (s == nullptr) return std::nullopt;
  return s->CollarHigh();
}

Status RiskEngine::OrderAccepted(const OrderKey& key, const OrderTerms& order,
                                 Timestamp at) {
  if (state_.orders.count(key) > 0) {
    return Status::AlreadyExists("risk: order " + key + " already open");
  }
  if (order.qty.units() <= 0) {
    return Status::InvalidArgument("risk: order " + key + " has qty <= 0");
  }
  // An unknown symbol's market order reserves nothing (it was accepted
  // without risk): tracked for positions, not for cash.
  const Price px =
      ReservePrice(order.symbol, order.ord_type, order.price).value_or(Price());
  Notional reserved;
  if (IsBuy(order.side)) {
    const auto n = Multiply(order.qty, px);
    if (!n) return Status::InvalidArgument("risk: order " + key + " overflow");
    reserved = *n;
  }
  AccountState& a = state_.accounts[order.account];
  const auto total = Add(a.reserved, reserved);
  if (!total) return Status::InvalidArgument("risk: reserved cash overflow");
  SymbolExposure& e = a.symbols[order.symbol];
  Qty& open = IsBuy(order.side) ? e.open_buy : e.open_sell;
  if (!AddI(open.units(), order.qty.units())) {
    return Status::InvalidArgument("risk: open quantity overflow");
  }
  open += order.qty;
  a.reserved = *total;
  ++a.open_orders;
  state_.orders.emplace(key, OpenOrder{.session = order.session,
                                       .venue = order.venue,
                                       .account = order.account,
                                       .symbol = order.symbol,
                                       .side = order.side,
                                       .ord_type = order.ord_type,
                                       .order_qty = order.qty,
                                       .cum_qty = Qty(0),
                                       .leaves_qty = order.qty,
                                       .reserve_price = px,
                                       .reserved = reserved,
                                       .pending = std::nullopt});
  return Consume(order.session, at);
}

Status RiskEngine::Reprice(OrderMap::iterator it, Qty qty, Price px) {
  OpenOrder& o = it->second;
  const Qty leaves = std::max(Qty(0), qty - o.cum_qty);
  Notional reserved;
  if (IsBuy(o.side)) {
    const auto n = Multiply(leaves, px);
    if (!n) return Status::InvalidArgument("risk: replace overflow");
    reserved = *n;
  }
  AccountState& a = state_.accounts[o.account];
  auto total = SubI(a.reserved.micros(), o.reserved.micros());
  if (total) total = AddI(*total, reserved.micros());
  if (!total) return Status::InvalidArgument("risk: reserved cash overflow");
  SymbolExposure& e = a.symbols[o.symbol];
  Qty& open = IsBuy(o.side) ? e.open_buy : e.open_sell;
  open = open - o.leaves_qty + leaves;
  a.reserved = Notional::FromMicros(*total);
  if (leaves.units() == 0) {
    --a.open_orders;
    state_.orders.erase(it);
    return Status::Ok();
  }
  o.order_qty = qty;
  o.leaves_qty = leaves;
  o.reserve_price = px;
  o.reserved = reserved;
  return Status::Ok();
}

Status RiskEngine::ReplaceRequested(std::string_view key, Qty new_qty,
                                    std::optional<Price> new_price,
                                    Timestamp at) {
  auto it = state_.orders.find(key);
  if (it == state_.orders.end()) {
    return Status::NotFound("risk: unknown order " + std::string(key));
  }
  OpenOrder& o = it->second;
  if (o.pending) {
    return Status::AlreadyExists("risk: a replace is already pending for " +
                                 std::string(key));
  }
  const Price px =
      ReservePrice(o.symbol, o.ord_type, new_price).value_or(o.reserve_price);
  const PendingReplace pending{o.order_qty, o.reserve_price, new_qty, px};
  const SessionName session = o.session;
  if (Status st = Reprice(it, std::max(o.order_qty, new_qty),
                          std::max(o.reserve_price, px));
      !st.ok()) {
    return st;
  }
  // Reprice keeps the order open: the worse terms hold at least its leaves.
  it->second.pending = pending;
  return Consume(session, at);
}

Status RiskEngine::ReplaceConfirmed(std::string_view key) {
  return AnswerReplace(key, /*confirmed=*/true);
}

Status RiskEngine::ReplaceRejected(std::string_view key) {
  return AnswerReplace(key, /*confirmed=*/false);
}

Status RiskEngine::AnswerReplace(std::string_view key, bool confirmed) {
  auto it = state_.orders.find(key);
  if (it == state_.orders.end() || !it->second.pending) {
    return Status::NotFound("risk: no pending replace for " +
                            std::string(key));
  }
  const PendingReplace p = *it->second.pending;
  it->second.pending.reset();
  Status st = confirmed ? Reprice(it, p.new_qty, p.new_price)
                        : Reprice(it, p.old_qty, p.old_price);
  if (!st.ok()) it->second.pending = p;
  return st;
}

Status RiskEngine::Replaced(std::string_view key, const OrderKey& new_key,
                            Qty new_qty, std::optional<Price> new_price,
                            Timestamp at) {
  auto it = state_.orders.find(key);
  if (it == state_.orders.end()) {
    return Status::NotFound("risk: unknown order " + std::string(key));
  }
  if (new_key != key && state_.orders.count(new_key) > 0) {
    return Status::AlreadyExists("risk: order " + new_key + " already open");
  }
  if (it->second.pending) {
    return Status::AlreadyExists("risk: a replace is already pending for " +
                                 std::string(key));
  }
  const SessionName session = it->second.session;
  const OpenOrder& o = it->second;
  const Price px =
      ReservePrice(o.symbol, o.ord_type, new_price).value_or(o.reserve_price);
  if (Status st = Reprice(it, new_qty, px); !st.ok()) return st;
  if (new_key != key) {
    if (auto still = state_.orders.find(key); still != state_.orders.end()) {
      auto node = state_.orders.extract(still);
      node.key() = new_key;
      state_.orders.insert(std::move(node));
    }
  }
  return Consume(session, at);
}

Status RiskEngine::Filled(std::string_view key, Qty last_qty, Price last_px) {
  auto it = state_.orders.find(key);
  if (it == state_.orders.end()) {
    return Status::NotFound("risk: unknown order " + std::string(key));
  }
  if (last_qty.units() <= 0) {
    return Status::InvalidArgument("risk: fill qty <= 0 for " +
                                   std::string(key));
  }
  OpenOrder& o = it->second;
  const bool buy = IsBuy(o.side);
  const auto cash = Multiply(last_qty, last_px);
  if (!cash) return Status::InvalidArgument("risk: fill notional overflow");
  AccountState& a = state_.accounts[o.account];
  const auto net = buy ? SubI(a.net_cash.micros(), cash->micros())
                       : AddI(a.net_cash.micros(), cash->micros());
  SymbolExposure& e = a.symbols[o.symbol];
  const auto pos = buy ? AddI(e.position.units(), last_qty.units())
                       : SubI(e.position.units(), last_qty.units());
  const auto cum = AddI(o.cum_qty.units(), last_qty.units());
  if (!net || !pos || !cum) {
    return Status::InvalidArgument("risk: fill overflow for " +
                                   std::string(key));
  }
  // An overfill (last_qty > leaves) still moves cash and position in full.
  const Qty take = std::min(last_qty, o.leaves_qty);
  const Qty leaves = o.leaves_qty - take;
  // leaves x px <= old reservation: cannot overflow.
  const Notional reserved =
      buy ? Multiply(leaves, o.reserve_price).value_or(Notional()) : Notional();
  a.net_cash = Notional::FromMicros(*net);
  e.position = Qty(*pos);
  (buy ? e.open_buy : e.open_sell) -= take;
  a.reserved = Notional::FromMicros(a.reserved.micros() - o.reserved.micros() +
                                    reserved.micros());
  if (leaves.units() == 0) {
    --a.open_orders;
    state_.orders.erase(it);
  } else {
    o.cum_qty = Qty(*cum);
    o.leaves_qty = leaves;
    o.reserved = reserved;
  }
  return Status::Ok();
}

Status RiskEngine::Done(std::string_view key) {
  auto it = state_.orders.find(key);
  if (it == state_.orders.end()) {
    return Status::NotFound("risk: unknown order " + std::string(key));
  }
  const OpenOrder& o = it->second;
  AccountState& a = state_.accounts[o.account];
  SymbolExposure& e = a.symbols[o.symbol];
  (IsBuy(o.side) ? e.open_buy : e.open_sell) -= o.leaves_qty;
  a.reserved = Notional::FromMicros(a.reserved.micros() - o.reserved.micros());
  --a.open_orders;
  state_.orders.erase(it);
  return Status::Ok();
}

Status RiskEngine::AdjustFill(std::string_view account,
                              std::string_view symbol, Side side, Qty qty,
                              Price px, bool reverse) {
  if (qty.units() <= 0) {
    return Status::InvalidArgument("risk: adjusted fill qty <= 0 for " +
                                   std::string(account));
  }
  const auto cash = Multiply(qty, px);
  if (!cash) return Status::InvalidArgument("risk: fill notional overflow");
  // A buy spends cash and adds to the position; taking it back does the
  // opposite. Sells mirror buys.
  const bool spend = IsBuy(side) != reverse;
  AccountState& a = state_.accounts[std::string(account)];
  auto found = a.symbols.find(symbol);
  const Qty position =
      found == a.symbols.end() ? Qty(0) : found->second.position;
  const auto net = spend ? SubI(a.net_cash.micros(), cash->micros())
                         : AddI(a.net_cash.micros(), cash->micros());
  const auto pos = spend ? AddI(position.units(), qty.units())
                         : SubI(position.units(), qty.units());
  if (!net || !pos) {
    return Status::InvalidArgument("risk: adjusted fill overflow for " +
                                   std::string(account));
  }
  a.net_cash = Notional::FromMicros(*net);
  a.symbols[std::string(symbol)].position = Qty(*pos);
  return Status::Ok();
}

Status RiskEngine::LeavesRestated(const OrderKey& key, const OrderTerms& terms,
                                  Qty leaves) {
  if (leaves.units() < 0) {
    return Status::InvalidArgument("risk: leaves < 0 for " + key);
  }
  auto it = state_.orders.find(key);
  if (it != state_.orders.end()) {
    return Reprice(it, it->second.cum_qty + leaves, it->second.reserve_price);
  }
  if (leaves.units() == 0) return Status::Ok();
  OrderTerms open = terms;
  open.qty = leaves;
  // Not the broker's order: its session's throttle stays as it was.
  const auto found = state_.throttles.find(terms.session);
  const std::optional<ThrottleBucket> bucket =
      found == state_.throttles.end() ? std::nullopt
                                      : std::optional(found->second);
  Status st = OrderAccepted(key, open, bucket ? bucket->last : Timestamp{});
  if (bucket) {
    state_.throttles[terms.session] = *bucket;
  } else {
    state_.throttles.erase(terms.session);
  }
  return st;
}

void RiskEngine::EngageKillSwitch(const KillScope& scope) {
  switch (scope.kind) {
    case KillScope::Kind::kGlobal:
      state_.kill.global = true;
      break;
    case KillScope::Kind::kAccount:
      state_.kill.accounts.insert(scope.name);
      break;
    case KillScope::Kind::kSession:
      state_.kill.sessions.insert(scope.name);
      break;
    case KillScope::Kind::kVenue:
      state_.kill.venues.insert(scope.name);
      break;
  }
}

void RiskEngine::DisengageKillSwitch(const KillScope& scope) {
  switch (scope.kind) {
    case KillScope::Kind::kGlobal:
      state_.kill.global = false;
      break;
    case KillScope::Kind::kAccount:
      state_.kill.accounts.erase(scope.name);
      break;
    case KillScope::Kind::kSession:
      state_.kill.sessions.erase(scope.name);
      break;
    case KillScope::Kind::kVenue:
      state_.kill.venues.erase(scope.name);
      break;
  }
}

Status RiskEngine::CarryOver(const CarriedAccount& carried) {
  auto it = state_.accounts.find(carried.account);
  if (it != state_.accounts.end() && it->second.open_orders != 0) {
    return Status::FailedPrecondition(
        "risk: account " + carried.account + " has " +
        std::to_string(it->second.open_orders) +
        " open order(s): nothing is carried over");
  }
  AccountState& a = state_.accounts[carried.account];
  a.net_cash = carried.net_cash;
  a.reserved = Notional();
  a.symbols.clear();
  for (const auto& [symbol, position] : carried.positions) {
    a.symbols[symbol].position = position;
  }
  return Status::Ok();
}

std::vector<CarriedAccount> RiskEngine::CarriedAccounts() const {
  std::vector<CarriedAccount> out;
  for (const auto& [name, a] : state_.accounts) {
    CarriedAccount c{name, a.net_cash, {}};
    for (const auto& [symbol, e] : a.symbols) {
      if (e.position.units() != 0) c.positions.emplace(symbol, e.position);
    }
    if (c.net_cash.micros() != 0 || !c.positions.empty()) {
      out.push_back(std::move(c));
    }
  }
  return out;
}

std::vector<KillScope> RiskEngine::EngagedKillSwitches() const {
  std::vector<KillScope> out;
  if (state_.kill.global) out.push_back({KillScope::Kind::kGlobal, ""});
  for (const auto& name : state_.kill.accounts) {
    out.push_back({KillScope::Kind::kAccount, std::string(name)});
  }
  for (const auto& name : state_.kill.sessions) {
    out.push_back({KillScope::Kind::kSession, std::string(name)});
  }
  for (const auto& name : state_.kill.venues) {
    out.push_back({KillScope::Kind::kVenue, std::string(name)});
  }
  return out;
}

// ---- Throttle ---------------------------------------------------------

int64_t RiskEngine::ThrottleTokens(std::string_view session,
                                   Timestamp at) const {
  const SessionLimits& s = limits_.Session(session);
  // burst and rate <= 1e9 (parser): capacity fits in int64.
  const int64_t cap = s.burst * kMicroTokensPerOrder;
  auto it = state_.throttles.find(session);
  if (it == state_.throttles.end()) return cap;
  const ThrottleBucket& b = it->second;
  const int64_t tokens = std::min(b.micro_tokens, cap);
  if (at <= b.last || s.orders_per_second == 0) return tokens;
  const int64_t elapsed = (at - b.last).count();  // microseconds
  // rate orders/s == rate micro-tokens per microsecond.
  const int64_t rate = s.orders_per_second;
  const int64_t missing = cap - tokens;
  if (elapsed > missing / rate) return cap;
  return std::min(cap, tokens + elapsed * rate);
}

Status RiskEngine::Consume(std::string_view session, Timestamp at) {
  const SessionLimits& s = limits_.Session(session);
  if (s.orders_per_second == 0) return Status::Ok();
  const int64_t tokens = ThrottleTokens(session, at);
  auto [it, inserted] =
      state_.throttles.try_emplace(std::string(session), ThrottleBucket{});
  ThrottleBucket& b = it->second;
  // Time never runs backwards for the bucket; an order accepted over the
  // limit (limits changed since) leaves a debt that refills first.
  b.micro_tokens = tokens - kMicroTokensPerOrder;
  if (inserted || at > b.last) b.last = at;
  return Status::Ok();
}

// ---- Queries ----------------------------------------------------------

std::vector<OrderKey> RiskEngine::OpenOrdersIn(const KillScope& scope) const {
  std::vector<OrderKey> keys;
  for (const auto& [key, o] : state_.orders) {
    const bool match =
        scope.kind == KillScope::Kind::kGlobal ||
        (scope.kind == KillScope::Kind::kAccount && o.account == scope.name) ||
        (scope.kind == KillScope::Kind::kSession && o.session == scope.name) ||
        (scope.kind == KillScope::Kind::kVenue && o.venue == scope.name);
    if (match) keys.push_back(key);
  }
  return keys;
}

Notional RiskEngine::Cash(std::string_view account) const {
  return Notional::FromMicros(limits_.Account(account).cash.micros() +
                              FindAccount(account)->net_cash.micros());
}

Notional RiskEngine::AvailableCash(std::string_view account) const {
  return Notional::FromMicros(Cash(account).micros() -
                              FindAccount(account)->reserved.micros());
}

SymbolExposure RiskEngine::Exposure(std::string_view account,
                                    std::string_view symbol) const {
  const AccountState* a = FindAccount(account);
  auto it = a->symbols.find(symbol);
  return it == a->symbols.end() ? SymbolExposure{} : it->second;
}

}  // namespace fixgw::risk
