// The mixed order flow of fixload (--mix): what to send next, decided from
// a seeded generator over the broker's own live orders. Pure: no FIX
// engine, no clock reads (times are passed in), no threads.
//
// Each request is a NewOrderSingle, an OrderCancelRequest or an
// OrderCancelReplaceRequest of one of the planner's own live orders, drawn
// with the configured weights. Limit prices are the instrument's reference
// plus or minus up to `spread_ticks` ticks, uniformly, for both sides, so
// that buys and sells cross about half of the time: some orders fill, some
// rest (and those can then be canceled or replaced). A replace changes the
// quantity and moves the price by 1-3 ticks, staying within the spread.
// A cancel or replace is only sent for an order that was acknowledged and
// has no other request outstanding. ClOrdIDs are "<id_prefix>-<n>", n
// counting every request.
//
// Answers (OnAnswer) are matched by ClOrdID: the first ExecutionReport (8)
// or OrderCancelReject (9) with the request's ClOrdID, a
// BusinessMessageReject (j) whose BusinessRejectRefID is it, or a session
// Reject (3) whose RefSeqNum is the MsgSeqNum it went out with (SentWithSeq).
// Reports for orders also move them: Replaced makes the replace's ClOrdID
// current, a terminal OrdStatus (Filled, Canceled, Rejected, Expired) ends
// the order. The planner also forgets an order whose cancel was refused as
// unknown (CxlRejReason 1: an exchange that restarted lost its book) and
// one with a request given up on (Expire), so that such orders neither
// draw more requests nor count as live.
//
// Thread-compatible: the caller serialises every call (fixload's mix runner
// holds one mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "gateway/core/decimal.h"
#include "gateway/core/result.h"
#include "gateway/core/types.h"

namespace fixgw::load {

struct MixInstrument {
  std::string symbol;
  Price tick = Price::FromMicros(10'000);
  Price reference = Price::FromUnits(100);
};

// "SYMBOL:TICK:REFERENCE[,...]" (fixsim's Instruments format), e.g.
// "AAPL:0.01:100.00,MSFT:0.01:250.00".
Result<std::vector<MixInstrument>> ParseInstruments(std::string_view text);

struct MixOptions {
  std::vector<MixInstrument> instruments;
  uint64_t seed = 1;
  // Relative weights of new orders, cancels and replaces.
  uint32_t new_weight = 60;
  uint32_t cancel_weight = 20;
  uint32_t replace_weight = 20;
  int64_t spread_ticks = 5;
  Qty min_qty{10};            // quantities are multiples of min_qty ...
  Qty max_qty{300};           // ... up to max_qty
  uint32_t ioc_percent = 10;  // new orders that are IOC (the rest DAY)
  // With this many live orders, new orders give way to cancels.
  size_t max_live = 100;
  std::string account;    // Account (1); empty: none
  std::string id_prefix;  // ClOrdID prefix
};

enum class RequestKind { kNew, kCancel, kReplace };

struct MixRequest {
  RequestKind kind = RequestKind::kNew;
  std::string cl_ord_id;
  std::string orig_cl_ord_id;  // cancel / replace: the order's current one
  std::string account;
  std::string symbol;
  Side side = Side::kBuy;
  Qty qty;
  Price price;
  TimeInForce tif = TimeInForce::kDay;
};

// The fields of a received message that the planner reads.
struct MixAnswer {
  std::string msg_type;  // 8, 9, 3, j
  std::string cl_ord_id;
  std::string orig_cl_ord_id;
  std::optional<char> exec_type;
  std::optional<char> ord_status;
  std::optional<Qty> cum_qty;
  std::optional<int> ref_seq_num;     // 3
  std::string business_ref_id;        // j
  std::optional<int> cxl_rej_reason;  // 9
};

using MixTime = std::chrono::steady_clock::time_point;

struct MixCounts {
  uint64_t new_sent = 0;
  uint64_t cancels_sent = 0;
  uint64_t replaces_sent = 0;
  uint64_t answered = 0;      // requests with a first answer
  uint64_t rejected = 0;      // ... that was a reject (8/150=8, 9, 3, j)
  uint64_t fills = 0;         // ExecutionReports with ExecType Trade
  uint64_t timed_out = 0;     // requests given up on (Expire)
  uint64_t late_answers = 0;  // answers to requests already given up on
};

class MixPlanner {
 public:
  // `options.instruments` must not be empty and the quantities must be > 0
  // (checked by the caller).
  explicit MixPlanner(MixOptions options);

  // Decides the next request and counts it as outstanding since `now`.
  MixRequest Next(MixTime now);
  // The request was not sent after all (the session was down): forgets it.
  void Unsent(const std::string& cl_ord_id);
  // The request went out with MsgSeqNum `seq` (for session Rejects).
  void SentWithSeq(const std::string& cl_ord_id, int seq);

  void OnAnswer(const MixAnswer& answer);

  // Gives up on requests outstanding since before `now - timeout` and
  // forgets their orders. Returns how many.
  size_t Expire(MixTime now, std::chrono::milliseconds timeout);

  size_t outstanding() const { return outstanding_.size(); }
  size_t live_orders() const { return orders_.size(); }
  const MixCounts& counts() const { return counts_; }

 private:
  struct Order {
    std::string current;  // the ClOrdID the order is known by now
    std::string symbol;
    Side side = Side::kBuy;
    Qty qty;
    Price price;
    const MixInstrument* instrument = nullptr;
    TimeInForce tif = TimeInForce::kDay;
    bool acked = false;
    std::string pending;           // an unanswered request of this order, or ""
    std::vector<std::string> ids;  // every ClOrdID of the order's requests
  };
  struct Outstanding {
    RequestKind kind = RequestKind::kNew;
    uint64_t order = 0;
    MixTime since;
    Qty qty;  // replace: the new terms
    Price price;
  };

  uint64_t Draw(uint64_t n);  // uniform in [0, n)
  std::optional<uint64_t> PickEligible();
  Price DrawPrice(const MixInstrument& instrument);
  Qty DrawQty();
  void EndOrder(uint64_t key);
  Order* Find(const std::string& cl_ord_id, uint64_t* key);

  const MixOptions options_;
  std::mt19937_64 rng_;
  uint64_t next_id_ = 0;
  uint64_t next_order_ = 0;
  std::map<uint64_t, Order> orders_;                    // live orders
  std::unordered_map<std::string, uint64_t> order_of_;  // ClOrdID -> order
  std::unordered_map<std::string, Outstanding> outstanding_;
  std::unordered_set<std::string> expired_;  // requests given up on
  std::unordered_map<int, std::string> id_by_seq_;
  MixCounts counts_;
};

}  // namespace fixgw::load
