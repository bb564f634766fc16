// Runs a parsed scenario script (see script.h for the format) over a logged
// on Client.
//
// Threads: InboundQueue::OnInbound runs on the QuickFIX socket thread and
// only appends to a mutex-guarded queue; everything else runs on the
// caller's thread. The queue must be the Client's Listener and outlive it.
#pragma once

#include <atomic>
#include <functional>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/fixload/client.h"
#include "sim/fixload/script.h"

namespace fixgw::load {

// Received messages (raw text) in arrival order.
class InboundQueue final : public Client::Listener {
 public:
  void OnInbound(const FIX::Message& message, SteadyTime received) override;

  // The next message, waiting until `deadline`; nullopt on timeout or once
  // `stop` is true.
  std::optional<std::string> Pop(SteadyTime deadline,
                                 const std::atomic<bool>& stop);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> messages_;  // guarded by mu_
};

struct ScriptOptions {
  std::string name;  // the script's path, for messages
  std::chrono::milliseconds expect_timeout{5000};
  bool verbose = false;  // print each step and each message sent or checked
  // How verbose output shows a raw message; empty: tag=value with '|'.
  std::function<std::string(std::string_view raw)> describe;
};

// Runs `steps` in order. Prints the one-line summary (and with `verbose`
// every step and message) to `out`, failures to `err`. Returns the exit code: 0
// all steps passed, 1 an expectation failed, a send failed (session down) or
// the run was interrupted.
int RunScript(Client& client, InboundQueue& inbound,
              const std::vector<Step>& steps, const ScriptOptions& options,
              const std::atomic<bool>& stop, std::ostream& out,
              std::ostream& err);

// The message a `send` step describes, and the header fields to force onto
// it after the session's fill. TransactTime (60) is added to D, F and G
// unless the step names it; OrigSendingTime (122) is added when the step
// sets PossDupFlag=Y without it.
struct OutgoingMessage {
  FIX::Message message;
  std::vector<HeaderOverride> header_overrides;
};
OutgoingMessage BuildMessage(const Step& send);

}  // namespace fixgw::load
