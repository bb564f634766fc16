// Matching engine implementation. Each symbol's book keeps one
// std::map<Price, Level> per side, ordered best first, and each Level a FIFO
// std::list of the orders resting there; every order remembers its list
// iterator, so removal is O(1) and matching touches only the levels it
// consumes. Orders live for the engine's lifetime in a std::deque (stable
// addresses) so that late cancels and status requests can be answered; they
// are found by (owner, any ClOrdID of their chain).
//
// Decisions where the contract leaves room (also stated in the header):
// - Validation order: ClOrdID (missing, duplicate), symbol, quantity, price,
//   notional overflow, then the fault-mode draw (only made when
//   reject_per_million > 0, so a zero ratio leaves the generator untouched).
// - A missing price on a limit order or a price on a market order is
//   kUnsupportedOrderCharacteristic; a non-positive or off-tick price is
//   kOther. A rejected NewOrder gets OrderID "NONE" and does not consume its
//   ClOrdID; simulated rejects are kBrokerOption with Text "simulated reject".
// - Replace may change quantity and price only; symbol, side, OrdType, TIF
//   and (when given) account must match (CancelReject kOther). Replace is
//   subject to the fault mode too (CancelReject kBrokerOption). A new quantity
//   below CumQty amends OrderQty to CumQty (FIX 4.4 Appendix D).
// - CancelReject carries the order's current ClOrdID as OrigClOrdID when the
//   order is known (Appendix D), the request's otherwise.
// - Self-matching is allowed: the simulator has no notion of firms.
#include "sim/engine/matching_engine.h"

#include <algorithm>
#include <cassert>
#include <deque>
#include <list>
#include <optional>
#include <unordered_map>
#include <utility>

namespace fixgw::sim {
namespace {

// splitmix64 (Steele, Lea, Flood 2014): fully specified integer arithmetic,
// so the same seed yields the same stream with every compiler and standard
// library, which std:: distributions do not guarantee.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // In [0, n), n > 0. The modulo bias (< n / 2^64) is irrelevant here.
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

struct Order;

struct Level {
  Qty qty;                   // sum of the leaves of `orders`
  std::list<Order*> orders;  // time priority: front trades first
};

// Orders one side's price levels best first: descending for bids.
struct BestFirst {
  bool descending = false;
  bool operator()(Price a, Price b) const { return descending ? b < a : a < b; }
};
using LevelMap = std::map<Price, Level, BestFirst>;

struct OrderBook {
  explicit OrderBook(Instrument i) : instrument(std::move(i)) {}
  Instrument instrument;
  LevelMap bids{BestFirst{true}};
  LevelMap asks{BestFirst{false}};
};

struct Order {
  OwnerId owner;
  std::string order_id;
  std::string cl_ord_id;  // of the last accepted request in the chain
  std::string account;
  OrderBook* book = nullptr;
  Side side = Side::kBuy;
  OrdType ord_type = OrdType::kLimit;
  TimeInForce tif = TimeInForce::kDay;
  Qty order_qty;
  std::optional<Price> price;  // set iff kLimit
  Qty cum_qty;
  Notional cum_notional;  // sum of LastQty x LastPx, exact
  OrdStatus status = OrdStatus::kNew;
  // Valid iff resting: the order's place in its level's queue. Only live
  // DAY limit orders rest.
  bool resting = false;
  std::list<Order*>::iterator queue_pos;

  Qty leaves() const {
    return IsTerminal(status) ? Qty(0) : order_qty - cum_qty;
  }
  const std::string& symbol() const { return book->instrument.symbol; }
};

// A reason and a Text for the counterparty.
template <typename Reason>
struct Problem {
  Reason reason;
  std::string text;
};

bool Crosses(const Order& aggressor, Price resting_price) {
  if (!aggressor.price) return true;  // market
  return IsBuy(aggressor.side) ? resting_price <= *aggressor.price
                               : resting_price >= *aggressor.price;
}

std::string TickText(Price price, Price tick) {
  return "price " + FormatPrice(price) +
         " is not a multiple of the tick size " + FormatPrice(tick);
}

}  // namespace

class MatchingEngine::Impl {
 public:
  explicit Impl(EngineOptions options)
      : options_(std::move(options)), rng_(options_.seed) {
    for (const Instrument& instrument : options_.instruments) {
      assert(instrument.tick_size > Price() && "tick size must be positive");
      auto [it, inserted] = books_.try_emplace(instrument.symbol, instrument);
      assert(inserted && "duplicate instrument symbol");
      if (inserted) SeedLiquidity(it->second);
    }
  }

  std::vector<Outbound> OnNewOrder(const OwnerId& owner, const NewOrder& in,
                                   Timestamp now) {
    std::vector<Outbound> out;
    OrderBook* book = FindBook(in.symbol);
    if (auto problem = ValidateNew(owner, in, book)) {
      ExecutionReport r;
      r.order_id = "NONE";
      r.cl_ord_id = in.cl_ord_id;
      r.exec_id = NextExecId();
      r.exec_type = ExecType::kRejected;
      r.ord_status = OrdStatus::kRejected;
      r.account = in.account;
      r.symbol = in.symbol;
      r.side = in.side;
      r.ord_type = in.ord_type;
      r.tif = in.tif;
      r.order_qty = in.qty;
      r.price = in.price;
      r.ord_rej_reason = problem->reason;
      r.text = std::move(problem->text);
      r.transact_time = now;
      Emit(out, owner, std::move(r));
      return out;
    }

    Order& o = orders_.emplace_back();
    o.owner = owner;
    o.order_id = options_.id_prefix + "O" + std::to_string(next_order_id_++);
    o.cl_ord_id = in.cl_ord_id;
    o.account = in.account;
    o.book = book;
    o.side = in.side;
    o.ord_type = in.ord_type;
    o.tif = in.tif;
    o.order_qty = in.qty;
    o.price = in.price;
    cl_ord_ids_[owner][in.cl_ord_id] = &o;
    EmitReport(out, o, ExecType::kNew, now);

    if (o.tif == TimeInForce::kFok && !CanFillCompletely(o)) {
      CancelRemainder(out, o, "FOK order cannot be filled completely", now);
      return out;
    }
    Execute(out, o, now);
    return out;
  }

  std::vector<Outbound> OnCancel(const OwnerId& owner,
                                 const CancelRequest& request, Timestamp now) {
    std::vector<Outbound> out;
    Order* o = FindOrder(owner, request.orig_cl_ord_id, request.order_id);
    CancelReject reject;
    reject.cl_ord_id = request.cl_ord_id;
    reject.response_to = CxlRejResponseTo::kCancel;
    reject.transact_time = now;
    if (auto problem = ValidateCancel(owner, request.cl_ord_id,
                                      request.orig_cl_ord_id, o)) {
      FillReject(reject, o, request.orig_cl_ord_id, std::move(*problem));
      Emit(out, owner, std::move(reject));
      return out;
    }

    Unrest(*o);
    o->status = OrdStatus::kCanceled;
    std::string orig = std::exchange(o->cl_ord_id, request.cl_ord_id);
    cl_ord_ids_[owner][request.cl_ord_id] = o;
    ExecutionReport r = MakeReport(*o, ExecType::kCanceled, now);
    r.orig_cl_ord_id = std::move(orig);
    Emit(out, owner, std::move(r));
    return out;
  }

  std::vector<Outbound> OnReplace(const OwnerId& owner,
                                  const ReplaceRequest& request,
                                  Timestamp now) {
    std::vector<Outbound> out;
    Order* o = FindOrder(owner, request.orig_cl_ord_id, request.order_id);
    std::optional<Problem<CxlRejReason>> problem =
        ValidateCancel(owner, request.cl_ord_id, request.orig_cl_ord_id, o);
    if (!problem) problem = ValidateReplace(*o, request);
    if (problem) {
      CancelReject reject;
      reject.cl_ord_id = request.cl_ord_id;
      reject.response_to = CxlRejResponseTo::kReplace;
      reject.transact_time = now;
      FillReject(reject, o, request.orig_cl_ord_id, std::move(*problem));
      Emit(out, owner, std::move(reject));
      return out;
    }

    std::string orig = std::exchange(o->cl_ord_id, request.cl_ord_id);
    cl_ord_ids_[owner][request.cl_ord_id] = o;
    const Qty new_qty = request.qty;
    const bool keeps_priority =
        request.price == o->price && new_qty <= o->order_qty;
    if (new_qty <= o->cum_qty) {
      // Nothing left to trade: the order is done, OrderQty amended to CumQty.
      Unrest(*o);
      o->order_qty = o->cum_qty;
      o->price = request.price;
      o->status = OrdStatus::kFilled;
      EmitReplaced(out, *o, std::move(orig), now);
    } else if (keeps_priority) {
      Level& level = OwnSide(*o).find(*o->price)->second;
      level.qty -= o->order_qty - new_qty;
      o->order_qty = new_qty;
      EmitReplaced(out, *o, std::move(orig), now);
    } else {
      Unrest(*o);
      o->order_qty = new_qty;
      o->price = request.price;
      EmitReplaced(out, *o, std::move(orig), now);
      Execute(out, *o, now);
    }
    return out;
  }

  std::vector<Outbound> OnStatus(const OwnerId& owner,
                                 const StatusRequest& request, Timestamp now) {
    std::vector<Outbound> out;
    Order* o = FindOrder(owner, request.cl_ord_id, /*order_id=*/"");
    if (o != nullptr) {
      EmitReport(out, *o, ExecType::kOrderStatus, now);
      return out;
    }
    ExecutionReport r;
    r.order_id = "NONE";
    r.cl_ord_id = request.cl_ord_id;
    r.exec_id = NextExecId();
    r.exec_type = ExecType::kOrderStatus;
    r.ord_status = OrdStatus::kRejected;
    r.symbol = request.symbol;
    r.side = request.side;
    r.ord_rej_reason = OrdRejReason::kUnknownOrder;
    r.text = "unknown order '" + request.cl_ord_id + "'";
    r.transact_time = now;
    Emit(out, owner, std::move(r));
    return out;
  }

  BookSnapshot Book(const std::string& symbol) const {
    BookSnapshot snapshot;
    auto it = books_.find(symbol);
    if (it == books_.end()) return snapshot;
    auto copy = [](const LevelMap& levels, std::vector<BookLevel>& to) {
      to.reserve(levels.size());
      for (const auto& [price, level] : levels) {
        to.push_back(
            BookLevel{price, level.qty, static_cast<int>(level.orders.size())});
      }
    };
    copy(it->second.bids, snapshot.bids);
    copy(it->second.asks, snapshot.asks);
    return snapshot;
  }

 private:
  // Draw order is part of the determinism contract: instruments in
  // configuration order, levels best first, bid before ask at each level.
  void SeedLiquidity(OrderBook& book) {
    const LiquidityOptions& liq = options_.liquidity;
    const int64_t tick = book.instrument.tick_size.micros();
    const int64_t ref = book.instrument.reference_price.micros();
    // An off-grid reference price still yields on-grid liquidity.
    const int64_t bid_base = ref - ((ref % tick) + tick) % tick;
    const int64_t ask_base = bid_base == ref ? ref : bid_base + tick;
    const int64_t lo = liq.min_qty.units();
    const int64_t hi = std::max(lo, liq.max_qty.units());
    const auto span = static_cast<uint64_t>(hi - lo) + 1;
    for (int64_t i = 0; i < liq.levels; ++i) {
      const int64_t offset_ticks =
          liq.first_offset_ticks + i * liq.level_spacing_ticks;
      for (Side side : {Side::kBuy, Side::kSell}) {
        const Qty qty(lo + static_cast<int64_t>(rng_.Below(span)));
        int64_t offset = 0;
        int64_t px = 0;
        if (__builtin_mul_overflow(offset_ticks, tick, &offset) ||
            (side == Side::kBuy
                 ? __builtin_sub_overflow(bid_base, offset, &px)
                 : __builtin_add_overflow(ask_base, offset, &px))) {
          continue;
        }
        const Price price = Price::FromMicros(px);
        if (px <= 0 || qty <= Qty(0) || !Multiply(qty, price)) continue;
        Order& o = orders_.emplace_back();
        o.owner = kHouseOwner;
        o.order_id = "H" + std::to_string(next_house_id_++);
        o.cl_ord_id = o.order_id;
        o.book = &book;
        o.side = side;
        o.order_qty = qty;
        o.price = price;
        Rest(o);
      }
    }
  }

  OrderBook* FindBook(const std::string& symbol) {
    auto it = books_.find(symbol);
    return it == books_.end() ? nullptr : &it->second;
  }

  // An order of `owner` by any ClOrdID of its chain; a non-empty `order_id`
  // must match too.
  Order* FindOrder(const OwnerId& owner, const std::string& cl_ord_id,
                   const std::string& order_id) {
    auto by_owner = cl_ord_ids_.find(owner);
    if (by_owner == cl_ord_ids_.end()) return nullptr;
    auto it = by_owner->second.find(cl_ord_id);
    if (it == by_owner->second.end()) return nullptr;
    if (!order_id.empty() && order_id != it->second->order_id) return nullptr;
    return it->second;
  }

  bool ClOrdIdUsed(const OwnerId& owner, const std::string& cl_ord_id) const {
    auto by_owner = cl_ord_ids_.find(owner);
    return by_owner != cl_ord_ids_.end() &&
           by_owner->second.contains(cl_ord_id);
  }

  bool SimulatedReject() {
    return options_.reject_per_million > 0 &&
           rng_.Below(1'000'000) < options_.reject_per_million;
  }

  std::optional<Problem<OrdRejReason>> ValidateNew(const OwnerId& owner,
                                                   const NewOrder& in,
                                                   const OrderBook* book) {
    using R = OrdRejReason;
    if (in.cl_ord_id.empty()) return Problem<R>{R::kOther, "missing ClOrdID"};
    if (ClOrdIdUsed(owner, in.cl_ord_id)) {
      return Problem<R>{R::kDuplicateOrder,
                        "duplicate ClOrdID '" + in.cl_ord_id + "'"};
    }
    if (book == nullptr) {
      return Problem<R>{R::kUnknownSymbol,
                        "unknown symbol '" + in.symbol + "'"};
    }
    if (in.qty <= Qty(0)) {
      return Problem<R>{R::kIncorrectQuantity,
                        "quantity must be positive, got " + FormatQty(in.qty)};
    }
    if (in.ord_type == OrdType::kMarket) {
      if (in.price) {
        return Problem<R>{R::kUnsupportedOrderCharacteristic,
                          "market order must not have a price"};
      }
    } else {
      if (!in.price) {
        return Problem<R>{R::kUnsupportedOrderCharacteristic,
                          "limit order needs a price"};
      }
      if (auto problem = CheckLimitPrice(*in.price, *book)) {
        return Problem<R>{R::kOther, std::move(*problem)};
      }
      if (!Multiply(in.qty, *in.price)) {
        return Problem<R>{R::kIncorrectQuantity,
                          "order notional (quantity x price) overflows"};
      }
    }
    if (SimulatedReject()) {
      return Problem<R>{R::kBrokerOption, "simulated reject"};
    }
    return std::nullopt;
  }

  static std::optional<std::string> CheckLimitPrice(Price price,
                                                    const OrderBook& book) {
    if (price <= Price()) {
      return "price must be positive, got " + FormatPrice(price);
    }
    const Price tick = book.instrument.tick_size;
    if (price.micros() % tick.micros() != 0) return TickText(price, tick);
    return std::nullopt;
  }

  // Checks shared by cancel and replace; `o` is the order found, if any.
  std::optional<Problem<CxlRejReason>> ValidateCancel(
      const OwnerId& owner, const std::string& cl_ord_id,
      const std::string& orig_cl_ord_id, const Order* o) const {
    using R = CxlRejReason;
    if (o == nullptr) {
      return Problem<R>{R::kUnknownOrder,
                        "unknown order '" + orig_cl_ord_id + "'"};
    }
    if (cl_ord_id.empty()) return Problem<R>{R::kOther, "missing ClOrdID"};
    if (ClOrdIdUsed(owner, cl_ord_id)) {
      return Problem<R>{R::kDuplicateClOrdId,
                        "duplicate ClOrdID '" + cl_ord_id + "'"};
    }
    if (IsTerminal(o->status)) {
      return Problem<R>{R::kTooLateToCancel, "order '" + orig_cl_ord_id +
                                                 "' is already " +
                                                 std::string(Name(o->status))};
    }
    return std::nullopt;
  }

  std::optional<Problem<CxlRejReason>> ValidateReplace(
      const Order& o, const ReplaceRequest& request) {
    using R = CxlRejReason;
    auto cannot_change = [](std::string_view field) {
      return Problem<R>{R::kOther, std::string(field) + " cannot change"};
    };
    if (request.symbol != o.symbol()) return cannot_change("Symbol");
    if (request.side != o.side) return cannot_change("Side");
    if (request.ord_type != o.ord_type) return cannot_change("OrdType");
    if (request.tif != o.tif) return cannot_change("TimeInForce");
    if (!request.account.empty() && request.account != o.account) {
      return cannot_change("Account");
    }
    if (request.qty <= Qty(0)) {
      return Problem<R>{R::kOther, "quantity must be positive, got " +
                                       FormatQty(request.qty)};
    }
    // Only DAY limit orders stay live, so the request is a limit order.
    if (!request.price)
      return Problem<R>{R::kOther, "limit order needs a price"};
    if (auto problem = CheckLimitPrice(*request.price, *o.book)) {
      return Problem<R>{R::kOther, std::move(*problem)};
    }
    // The order's final notional (fills so far plus the rest at its limit,
    // the only price it can trade at while resting) must stay representable.
    const Qty rest = std::max(request.qty - o.cum_qty, Qty(0));
    auto rest_notional = Multiply(rest, *request.price);
    if (!rest_notional || !Add(o.cum_notional, *rest_notional)) {
      return Problem<R>{R::kOther,
                        "order notional (quantity x price) overflows"};
    }
    if (SimulatedReject())
      return Problem<R>{R::kBrokerOption, "simulated reject"};
    return std::nullopt;
  }

  static void FillReject(CancelReject& reject, const Order* o,
                         const std::string& requested_orig,
                         Problem<CxlRejReason> problem) {
    if (o != nullptr) {
      reject.order_id = o->order_id;
      reject.orig_cl_ord_id = o->cl_ord_id;
      reject.ord_status = o->status;
    } else {
      reject.order_id = "NONE";
      reject.orig_cl_ord_id = requested_orig;
      reject.ord_status = OrdStatus::kRejected;
    }
    reject.reason = problem.reason;
    reject.text = std::move(problem.text);
  }

  // Whether the opposite side holds enough crossing quantity to fill all of
  // `o` now. Walks only the levels that cross.
  bool CanFillCompletely(const Order& o) {
    Qty available;
    for (const auto& [price, level] : OppositeSide(o)) {
      if (!Crosses(o, price)) break;
      available += level.qty;
      if (available >= o.leaves()) return true;
    }
    return false;
  }

  // Matches a live order against the book, then rests its remainder (DAY
  // limit) or cancels it (IOC, FOK, market).
  void Execute(std::vector<Outbound>& out, Order& o, Timestamp now) {
    if (!Match(out, o, now)) {
      CancelRemainder(out, o, "remainder canceled: notional overflows", now);
      return;
    }
    if (o.leaves() == Qty(0)) return;
    if (o.ord_type == OrdType::kMarket) {
      CancelRemainder(out, o, "market order remainder canceled: no liquidity",
                      now);
    } else if (o.tif == TimeInForce::kDay) {
      Rest(o);
    } else {
      CancelRemainder(out, o, std::string(Name(o.tif)) + " remainder canceled",
                      now);
    }
  }

  // Trades `aggressor` against the opposite side, best price first and in
  // time priority within a level, at each resting order's price. Returns
  // false if it stopped because a notional would overflow (only a huge
  // market or low-priced sell order can get there).
  bool Match(std::vector<Outbound>& out, Order& aggressor, Timestamp now) {
    LevelMap& opposite = OppositeSide(aggressor);
    while (aggressor.leaves() > Qty(0) && !opposite.empty()) {
      auto level_it = opposite.begin();
      const Price px = level_it->first;
      if (!Crosses(aggressor, px)) break;
      Level& level = level_it->second;
      Order& resting = *level.orders.front();
      const Qty fill = std::min(aggressor.leaves(), resting.leaves());
      auto notional = Multiply(fill, px);
      if (!notional) return false;
      auto aggressor_notional = Add(aggressor.cum_notional, *notional);
      auto resting_notional = Add(resting.cum_notional, *notional);
      if (!aggressor_notional || !resting_notional) return false;

      ApplyFill(aggressor, fill, *aggressor_notional);
      ApplyFill(resting, fill, *resting_notional);
      level.qty -= fill;
      EmitTrade(out, aggressor, fill, px, now);
      EmitTrade(out, resting, fill, px, now);
      if (resting.leaves() == Qty(0)) {
        level.orders.pop_front();
        resting.resting = false;
        if (level.orders.empty()) opposite.erase(level_it);
      }
    }
    return true;
  }

  static void ApplyFill(Order& o, Qty fill, Notional cum_notional) {
    o.cum_qty += fill;
    o.cum_notional = cum_notional;
    o.status = o.cum_qty == o.order_qty ? OrdStatus::kFilled
                                        : OrdStatus::kPartiallyFilled;
  }

  void CancelRemainder(std::vector<Outbound>& out, Order& o, std::string text,
                       Timestamp now) {
    Unrest(o);
    o.status = OrdStatus::kCanceled;
    if (o.owner == kHouseOwner) return;
    ExecutionReport r = MakeReport(o, ExecType::kCanceled, now);
    r.text = std::move(text);
    Emit(out, o.owner, std::move(r));
  }

  LevelMap& OwnSide(const Order& o) {
    return IsBuy(o.side) ? o.book->bids : o.book->asks;
  }
  LevelMap& OppositeSide(const Order& o) {
    return IsBuy(o.side) ? o.book->asks : o.book->bids;
  }

  // Appends a live limit order to the back of its price level.
  void Rest(Order& o) {
    assert(!o.resting && o.price && o.leaves() > Qty(0));
    Level& level = OwnSide(o)[*o.price];
    level.orders.push_back(&o);
    level.qty += o.leaves();
    o.queue_pos = std::prev(level.orders.end());
    o.resting = true;
  }

  // Takes the order off the book. Call before changing its quantities or
  // status: the level's total is reduced by the order's current leaves.
  void Unrest(Order& o) {
    if (!o.resting) return;
    LevelMap& side = OwnSide(o);
    auto level_it = side.find(*o.price);
    assert(level_it != side.end());
    Level& level = level_it->second;
    level.qty -= o.leaves();
    level.orders.erase(o.queue_pos);
    if (level.orders.empty()) side.erase(level_it);
    o.resting = false;
  }

  std::string NextExecId() {
    return options_.id_prefix + "E" + std::to_string(next_exec_id_++);
  }

  ExecutionReport MakeReport(const Order& o, ExecType exec_type,
                             Timestamp now) {
    ExecutionReport r;
    r.order_id = o.order_id;
    r.cl_ord_id = o.cl_ord_id;
    r.exec_id = NextExecId();
    r.exec_type = exec_type;
    r.ord_status = o.status;
    r.account = o.account;
    r.symbol = o.symbol();
    r.side = o.side;
    r.ord_type = o.ord_type;
    r.tif = o.tif;
    r.order_qty = o.order_qty;
    r.price = o.price;
    r.cum_qty = o.cum_qty;
    r.leaves_qty = o.leaves();
    if (o.cum_qty > Qty(0)) r.avg_px = AveragePrice(o.cum_notional, o.cum_qty);
    r.transact_time = now;
    return r;
  }

  void EmitReport(std::vector<Outbound>& out, const Order& o,
                  ExecType exec_type, Timestamp now) {
    if (o.owner == kHouseOwner) return;
    Emit(out, o.owner, MakeReport(o, exec_type, now));
  }

  void EmitReplaced(std::vector<Outbound>& out, Order& o, std::string orig,
                    Timestamp now) {
    if (!IsTerminal(o.status)) {
      o.status =
          o.cum_qty > Qty(0) ? OrdStatus::kPartiallyFilled : OrdStatus::kNew;
    }
    ExecutionReport r = MakeReport(o, ExecType::kReplaced, now);
    r.orig_cl_ord_id = std::move(orig);
    Emit(out, o.owner, std::move(r));
  }

  void EmitTrade(std::vector<Outbound>& out, const Order& o, Qty last_qty,
                 Price last_px, Timestamp now) {
    if (o.owner == kHouseOwner) return;
    ExecutionReport r = MakeReport(o, ExecType::kTrade, now);
    r.last_qty = last_qty;
    r.last_px = last_px;
    Emit(out, o.owner, std::move(r));
  }

  static void Emit(std::vector<Outbound>& out, const OwnerId& owner,
                   std::variant<ExecutionReport, CancelReject> message) {
    if (owner == kHouseOwner) return;
    out.push_back(Outbound{owner, std::move(message)});
  }

  EngineOptions options_;
  SplitMix64 rng_;
  // Node-based: OrderBook addresses stay valid; no insertions after start-up.
  std::unordered_map<std::string, OrderBook> books_;
  // Every order ever accepted, house liquidity included; never erased, so
  // pointers into it are stable and terminal orders can still be reported.
  std::deque<Order> orders_;
  // owner -> every ClOrdID of that owner's chains -> order.
  std::unordered_map<OwnerId, std::unordered_map<std::string, Order*>>
      cl_ord_ids_;
  uint64_t next_exec_id_ = 1;
  uint64_t next_order_id_ = 1;
  uint64_t next_house_id_ = 1;
};

MatchingEngine::MatchingEngine(EngineOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

MatchingEngine::~MatchingEngine() = default;

std::vector<Outbound> MatchingEngine::OnNewOrder(const OwnerId& owner,
                                                 const NewOrder& order,
                                                 Timestamp now) {
  return impl_->OnNewOrder(owner, order, now);
}

std::vector<Outbound> MatchingEngine::OnCancel(const OwnerId& owner,
                                               const CancelRequest& request,
                                               Timestamp now) {
  return impl_->OnCancel(owner, request, now);
}

std::vector<Outbound> MatchingEngine::OnReplace(const OwnerId& owner,
                                                const ReplaceRequest& request,
                                                Timestamp now) {
  return impl_->OnReplace(owner, request, now);
}

std::vector<Outbound> MatchingEngine::OnStatus(const OwnerId& owner,
                                               const StatusRequest& request,
                                               Timestamp now) {
  return impl_->OnStatus(owner, request, now);
}

BookSnapshot MatchingEngine::Book(const std::string& symbol) const {
  return impl_->Book(symbol);
}

}  // namespace fixgw::sim
