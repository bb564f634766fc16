// The FIX face of the exchange simulator: a QuickFIX Application that turns
// D/F/G/H from any logged-on session into matching-engine calls and sends the
// engine's reports back to the sessions that own the orders.
//
// Threading: QuickFIX calls back on the transport's loop thread (fixsim's
// own transport, gateway/fix/fix_transport.h). One mutex serialises the engine and the order of
// outgoing messages; with an ack delay configured, a sender thread owned by
// this object sends them when due. toApp/toAdmin never take that mutex, so
// sending under it cannot deadlock with QuickFIX's per-session locks.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/fix/quickfix.h"
#include "sim/engine/matching_engine.h"
#include "sim/fixsim/request_ledger.h"
#include "sim/fixsim/sim_config.h"

namespace fixgw::sim {

class SimApplication : public FIX::Application {
 public:
  // `ledger` (may be null) remembers the requests taken across restarts;
  // a PossDup of one of them is ignored.
  SimApplication(const SimConfig& config,
                 std::unique_ptr<RequestLedger> ledger = nullptr);
  ~SimApplication() override;
  SimApplication(const SimApplication&) = delete;
  SimApplication& operator=(const SimApplication&) = delete;

  // How the delayed-send thread (AckDelayMs) hands a send to the thread
  // that owns the sessions (the transport's loop); set before the sessions
  // start. Unset: it sends itself.
  using Executor = std::function<void(std::function<void()>)>;
  void SetSendExecutor(Executor post) { post_ = std::move(post); }

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& id) override;
  void onLogout(const FIX::SessionID& id) override;
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) override {}
  // Throws FIX::UnsupportedMessageType for anything but D/F/G/H, which
  // QuickFIX answers with a BusinessMessageReject.
  void fromApp(const FIX::Message& msg, const FIX::SessionID& id) override;

 private:
  struct Pending {
    std::chrono::steady_clock::time_point due;
    FIX::SessionID session;
    FIX::Message message;
  };

  // Both require mu_ held.
  void Dispatch(const std::vector<Outbound>& out);
  void Send(FIX::Message message, const FIX::SessionID& session);
  std::string NextRejectExecId();
  // The Rejected report (ExecType `exec_type`: Rejected for D, OrderStatus
  // for H) for a message the decoder refused; requires mu_.
  ExecutionReport UndecodableReport(const FIX::Message& msg, ExecType exec_type,
                                    const Rejection& why, Timestamp now);
  void SenderLoop();

  const FaultOptions faults_;
  Executor post_;  // set before start
  std::mutex mu_;
  MatchingEngine engine_;                           // guarded by mu_
  std::map<std::string, FIX::SessionID> owners_;    // guarded by mu_
  std::map<std::string, int> app_messages_;         // guarded by mu_
  uint64_t reject_exec_ids_ = 0;                    // guarded by mu_
  const std::unique_ptr<RequestLedger> ledger_;     // guarded by mu_

  // Delayed sending (only with faults_.ack_delay > 0).
  std::condition_variable cv_;
  std::deque<Pending> pending_;  // guarded by mu_, FIFO: all share one delay
  bool stopping_ = false;        // guarded by mu_
  std::thread sender_;
};

}  // namespace fixgw::sim
