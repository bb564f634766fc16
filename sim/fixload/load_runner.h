// Load generation: sends NewOrderSingles open loop (at a fixed rate) or
// closed loop (a fixed number in flight) and measures the latency to each
// order's first report.
//
// Open loop: the caller's thread sends order i when it is due, at
// start + i/rate, and its latency runs from that intended time, so time
// spent queueing behind a slow counterparty (or a slow sender) is counted;
// coordinated omission cannot hide it. Closed loop: the caller's thread
// sends the first K orders, then each first report sends the next order
// straight from the thread that delivered it (no thread hand-off in the
// measured path); latency runs from the actual send. Clocks: steady_clock.
//
// A first report is an ExecutionReport (8) for the order (a reject when
// ExecType=8), a BusinessMessageReject (j) whose BusinessRejectRefID is its
// ClOrdID, or a session Reject (3) whose RefSeqNum is its MsgSeqNum.
//
// Threads: OrderTracker's Listener methods run on the QuickFIX socket
// thread (OnOutbound on whichever thread sends); all tracker state is
// guarded by one mutex, never held while sending. The tracker must be the
// Client's Listener and outlive it; the Client, the stop flag and the
// tracker must outlive the Client's threads (Client::Stop joins them).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/core/decimal.h"
#include "sim/fixload/client.h"
#include "sim/fixload/stats.h"

namespace fixgw::load {

class OrderTracker final : public Client::Listener {
 public:
  // Orders are numbered 0..orders-1; ClOrdID = "<id_prefix>-<number>".
  OrderTracker(std::string id_prefix, uint64_t orders);

  std::string ClOrdId(uint64_t index) const;

  // The next order number to send, nullopt once all are taken.
  std::optional<uint64_t> ClaimNext();
  // Records that order `index` is about to be sent, with the time its
  // latency is measured from.
  void RecordSend(uint64_t index, SteadyTime latency_origin);
  // Undoes RecordSend when the send did not happen.
  void CancelSend(uint64_t index);

  // Closed loop: from now on each first report claims the next order and
  // calls `send` with it, on the reporting thread, outside the lock. Call
  // once, before the first send. DisableRefill stops it.
  void EnableRefill(std::function<void(uint64_t)> send);
  void DisableRefill();

  // Waits until every sent order has a first report and, with `all_claimed`,
  // every order was claimed. False on `stop`, a session that is down, when
  // no report came for `stall_timeout` (measured from the call or the last
  // report), or at `deadline`.
  bool WaitReported(bool all_claimed, std::chrono::milliseconds stall_timeout,
                    std::optional<SteadyTime> deadline, const Client& client,
                    const std::atomic<bool>& stop);

  struct Totals {
    uint64_t sent = 0;
    uint64_t acked = 0;
    uint64_t rejected = 0;
    uint64_t trades = 0;
    std::string first_reject_text;  // of the first reject seen (8/150=8, j, 3)
    std::optional<SteadyTime> last_report;
  };
  Totals totals() const;
  // The latency samples in nanoseconds, one per first report.
  std::vector<int64_t> TakeLatencies();

  // Client::Listener
  void OnInbound(const FIX::Message& message, SteadyTime received) override;
  void OnOutbound(const FIX::Message& message) override;

 private:
  enum class OrderState : uint8_t { kUnsent, kSent, kAcked, kRejected };

  // Parses "<prefix>-<n>"; nullopt if not one of ours.
  std::optional<uint64_t> IndexOf(const std::string& cl_ord_id) const;
  // Records a first report; returns the order to send next (closed loop).
  std::optional<uint64_t> FirstReportLocked(uint64_t index, bool reject,
                                            SteadyTime received);
  void FirstReport(uint64_t index, bool reject, SteadyTime received);

  const std::string prefix_;  // with the trailing '-'
  const uint64_t orders_;
  std::function<void(uint64_t)> refill_;  // set once by EnableRefill

  mutable std::mutex mu_;
  std::condition_variable cv_;  // signalled when all orders are reported
  // Everything below is guarded by mu_.
  bool refill_enabled_ = false;
  uint64_t next_ = 0;  // next order number to claim
  std::vector<SteadyTime> origin_;
  std::vector<OrderState> state_;
  std::vector<int64_t> latencies_ns_;
  std::unordered_map<int, uint64_t> index_by_seq_;  // outgoing MsgSeqNum
  Totals totals_;
};

struct LoadOptions {
  uint64_t orders = 0;
  std::optional<double> rate;         // open loop, orders per second
  std::optional<uint64_t> in_flight;  // closed loop
  std::string symbol = "AAPL";
  std::string account;  // Account (1) when non-empty
  Price price = Price::FromUnits(100);
  Qty qty{100};
  // Open loop: wait this long for reports after the last send. Closed loop:
  // give up after this long without any report.
  std::chrono::milliseconds drain_timeout{30'000};
};

// Sends the orders (even numbers Buy, odd Sell, one limit price, DAY, so
// they cross), waits for the first reports and returns the report.
// Diagnostics go to `err`.
LoadReport RunLoad(Client& client, OrderTracker& tracker,
                   const LoadOptions& options, const std::atomic<bool>& stop,
                   std::ostream& err);

}  // namespace fixgw::load
