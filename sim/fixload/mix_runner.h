// The mixed-flow load of fixload (--mix): new orders, cancels and replaces
// of its own live orders (MixPlanner, mix.h), paced open loop at a fixed
// request rate with a cap on unanswered requests, for a bounded time, over
// a session that may go away and come back (the counterparty restarting):
// while the session is down nothing is sent and the pacing restarts when
// it is back; what QuickFIX stored meanwhile goes out by resend.
//
// Ending: after `duration`, `max_orders` new orders, or `stop` (SIGTERM),
// no more requests are sent; the runner then waits, at most
// `drain_timeout`, until the session is logged on, no request is
// unanswered and nothing arrived for `settle` (trailing fills and resends).
// Requests unanswered for `request_timeout` are given up on (counted).
//
// Threads: MixFlow's Listener methods run on QuickFIX's threads; the
// planner behind it is guarded by one mutex, never held while sending.
// MixFlow must be the Client's Listener (possibly behind a
// RecordingListener) and outlive the Client's threads.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>

#include "sim/fixload/client.h"
#include "sim/fixload/mix.h"

namespace fixgw::load {

class MixFlow final : public Client::Listener {
 public:
  explicit MixFlow(MixOptions options) : planner_(std::move(options)) {}

  // Decides the next request; the caller sends it or calls Unsent.
  MixRequest Next();
  void Unsent(const std::string& cl_ord_id);
  size_t Expire(std::chrono::milliseconds timeout);
  size_t outstanding() const;
  MixCounts counts() const;
  // When the last message arrived (application message or Reject).
  std::optional<SteadyTime> last_inbound() const;

  // Client::Listener
  void OnInbound(const FIX::Message& message, SteadyTime received) override;
  void OnOutbound(const FIX::Message& message) override;

 private:
  mutable std::mutex mu_;
  MixPlanner planner_;                      // guarded by mu_
  std::optional<SteadyTime> last_inbound_;  // guarded by mu_
};

struct MixRunOptions {
  double rate = 100;  // requests per second
  size_t max_in_flight = 50;
  std::chrono::milliseconds duration{300'000};
  std::optional<uint64_t> max_orders;  // new orders
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds drain_timeout{30'000};
  std::chrono::milliseconds settle{1'500};
};

struct MixReport {
  MixCounts counts;
  uint64_t unanswered = 0;  // outstanding when the run ended
  double send_s = 0;        // the sending phase
  double elapsed_s = 0;     // sending and draining
  bool drained = false;     // ended logged on, all answered and quiet
  // New orders per second of the sending phase.
  double orders_per_s() const;
};

// The FIX message for `request`; TransactTime is `transact_time`.
FIX::Message BuildMixMessage(const MixRequest& request,
                             const std::string& transact_time);

MixReport RunMix(Client& client, MixFlow& flow, const MixRunOptions& options,
                 const std::atomic<bool>& stop, std::ostream& err);

// One JSON line (no newline), or a few lines for humans.
std::string FormatMixJson(const MixReport& report);
std::string FormatMixHuman(const MixReport& report);

}  // namespace fixgw::load
