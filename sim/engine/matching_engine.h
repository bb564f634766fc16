// The exchange simulator's matching engine: one price-time priority book per
// symbol, deterministic and pure (no I/O, no threads, no clock reads: time is
// passed in). Every call returns the messages it produces, in order, each
// addressed to the owner (an opaque routing key, e.g. a FIX session) of the
// order it concerns. Orders of the house liquidity owner produce no messages.
//
// Same options (seed included) and same sequence of calls => same outputs.
// Not thread-safe: one thread drives an engine.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "gateway/core/events.h"

namespace fixgw::sim {

struct Instrument {
  std::string symbol;
  Price tick_size = Price::FromMicros(10'000);  // 0.01
  Price reference_price = Price::FromUnits(100);
};

// Resting orders seeded at start-up around each reference price so that a
// lone client gets fills: `levels` price levels per side, the best one
// `first_offset_ticks` away from the reference, then one level every
// `level_spacing_ticks`; each level holds a quantity drawn uniformly from
// [min_qty, max_qty] with the seeded generator.
struct LiquidityOptions {
  int levels = 0;
  int first_offset_ticks = 1;
  int level_spacing_ticks = 1;
  Qty min_qty = Qty(100);
  Qty max_qty = Qty(1000);
};

struct EngineOptions {
  uint64_t seed = 1;
  std::vector<Instrument> instruments;
  LiquidityOptions liquidity;
  // Fault mode: this many orders in a million (NewOrder and Replace) are
  // rejected with Text "simulated reject", drawn from the seeded generator.
  uint32_t reject_per_million = 0;
  // Prepended to every OrderID and ExecID ("E1" -> "<prefix>E1"). A
  // simulator that restarts should pass something new each run (e.g. its
  // start time) so IDs never repeat for a peer that deduplicates by ExecID.
  std::string id_prefix;
};

using OwnerId = std::string;
// Owner of the seeded liquidity; messages for it are never emitted.
inline const OwnerId kHouseOwner = "<house>";

struct Outbound {
  OwnerId owner;
  std::variant<ExecutionReport, CancelReject> message;
};

// One side of a book, best level first.
struct BookLevel {
  Price price;
  Qty qty;
  int orders = 0;
};
struct BookSnapshot {
  std::vector<BookLevel> bids;
  std::vector<BookLevel> asks;
};

class MatchingEngine {
 public:
  // Instruments must have distinct symbols and positive tick sizes
  // (asserted: the configuration is validated before it gets here). Orders
  // are kept for the engine's lifetime so late requests can be answered.
  explicit MatchingEngine(EngineOptions options);
  ~MatchingEngine();
  MatchingEngine(const MatchingEngine&) = delete;
  MatchingEngine& operator=(const MatchingEngine&) = delete;

  // NewOrderSingle. Rejects (ExecType Rejected with OrdRejReason and Text):
  // unknown symbol, qty <= 0, limit without price or price <= 0 or off the
  // tick grid, market order with a price, duplicate ClOrdID of the same
  // owner. Otherwise New, then Trades, then Canceled for the unfilled rest
  // of IOC / FOK / market orders. FOK that cannot fill completely: New then
  // Canceled with no trade. Trades also produce reports for resting orders.
  // Reasons: kUnknownSymbol, kIncorrectQuantity (qty <= 0, notional
  // overflow), kUnsupportedOrderCharacteristic (price missing or present
  // against the OrdType), kOther (price <= 0 or off the tick grid, missing
  // ClOrdID), kDuplicateOrder, kBrokerOption (fault mode). A rejected order
  // has OrderID "NONE" and does not use up its ClOrdID.
  std::vector<Outbound> OnNewOrder(const OwnerId& owner, const NewOrder& order,
                                   Timestamp now);

  // OrderCancelRequest: Canceled report (OrigClOrdID set, ClOrdID the
  // request's), or CancelReject: CxlRejReason kUnknownOrder for an unknown
  // OrigClOrdID, kTooLateToCancel for a filled/canceled order.
  std::vector<Outbound> OnCancel(const OwnerId& owner,
                                 const CancelRequest& request, Timestamp now);

  // OrderCancelReplaceRequest: Replaced report, then any trades if the new
  // price crosses. Price change or quantity increase loses time priority; a
  // quantity decrease keeps it; a new quantity at or below CumQty finishes
  // the order (OrdStatus Filled, LeavesQty 0, OrderQty amended to CumQty).
  // Symbol, side, OrdType, TIF and (when non-empty) account of the original
  // must not change (CancelReject kOther otherwise); fault-mode rejects are
  // CancelReject kBrokerOption. OrigClOrdID may be any ClOrdID of the chain.
  std::vector<Outbound> OnReplace(const OwnerId& owner,
                                  const ReplaceRequest& request, Timestamp now);

  // OrderStatusRequest: ExecType OrderStatus with the current state, or for
  // an unknown order ExecType OrderStatus / OrdStatus Rejected with
  // OrdRejReason kUnknownOrder.
  std::vector<Outbound> OnStatus(const OwnerId& owner,
                                 const StatusRequest& request, Timestamp now);

  // Depth of a symbol's book; empty for an unknown symbol.
  BookSnapshot Book(const std::string& symbol) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgw::sim
