// The order pipeline: what happens to a decision between the decider and
// the sockets. Group commit, prestore, send order, backpressure, fail-stop
// and drain, behind two narrow ports so that it is tested in process with
// fakes (order_pipeline_test.cc), under ThreadSanitizer too.
//
// A decider holds a Scope (the decision lock) while it decides and
// Enqueue()s one Batch per event: the event's journal entries and the
// messages it produces. The batches are committed in groups, in ticket
// order: ONE Journal::Commit per group, which journals every batch of the
// group in one transaction (with the session store's prestored copies and
// the inbound sequence numbers: see gateway_app.h). Then Journal::Committed
// (log lines, crash points), then every message of the group goes to
// Sessions::Deliver, in queue order. Nothing is delivered before its group
// is committed; groups are delivered in commit order.
//
// Who commits:
//   - the event loop (Loop::commit_on_loop; JournalSync=normal): a Scope
//     on the loop thread returns at once; at the end of the loop's turn
//     (Loop::at_turn_end) one commit takes everything the turn decided and
//     its messages are delivered at once. A Scope on the loop that must
//     wait for its commit (not an inbound message: an operator action, a
//     refused Logon) and Flush() on the loop commit right there; their
//     messages wait for the end of the turn, behind earlier ones. Scopes
//     on other threads ask the loop to commit (Loop::post) and, unless
//     inbound, wait.
//   - the committer thread (no loop attached, or commit_on_loop false;
//     JournalSync=full): the fsync then overlaps the loop's reading and
//     deciding; each group's messages are posted to the loop, which
//     delivers them in commit order.
//
// Backpressure: a Scope off the loop waits while max_pending_batches wait
// for the committer. The loop never waits for itself: what a turn decides
// is bounded by what the transport reads in a turn.
//
// Fail-stop: if a commit fails, FailStop is called with the error (fixgw:
// log and _exit(3); the in-memory state already holds the unjournaled
// events, and a restart rebuilds it from the journal). If it returns (the
// tests), the pipeline is failed: nothing of that group or any later one is
// delivered, later batches are dropped, every waiter is released.
//
// Threading: Enqueue requires the decision lock (a Scope). The ports are
// called without it: Commit/Committed from one thread at a time (the loop
// or the committer), Deliver on the loop thread (on the committer thread
// once the loop is detached). Everything else is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "gateway/core/result.h"
#include "gateway/core/thread_annotations.h"
#include "gateway/fix/quickfix.h"
#include "gateway/fixgw/metrics.h"
#include "store/journal.h"

namespace fixgw::gw {

class OrderPipeline {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // The inbound message behind a batch: its session's next target seq is
  // raised past it in the batch's transaction.
  struct Inbound {
    std::string session;
    int64_t seq = 0;
  };
  // A message to deliver once its batch is committed.
  struct Send {
    // On the heap: QuickFIX 1.15's Message has a copy constructor and no
    // move, so a Message held by value is copied field by field each time
    // a Send moves (into its batch, the ready list, a vector that grows).
    std::unique_ptr<FIX::Message> message = std::make_unique<FIX::Message>();
    FIX::SessionID target;
    // When the message that caused it arrived (epoch: no such message, e.g.
    // a kill-switch cancel), and the latency histogram it counts in.
    SteadyTime received{};
    GatewayMetrics::Path path = GatewayMetrics::Path::kGatewayAnswer;
    // The broker session and account the latency also counts under.
    GatewayMetrics::LabelKey labels{};
    // A liveness TestRequest: journaled nowhere (HandOver), sent only while
    // the exchange is logged on, no crash point, no latency.
    bool probe = false;
  };
  // What one event (or record) journals and then sends.
  struct Batch {
    uint64_t ticket = 0;  // set by Enqueue
    std::vector<store::JournalEntry> entries;
    std::vector<Send> sends;
    const char* crash_point = nullptr;  // hit after the commit, if set
    std::optional<Inbound> inbound;     // the last batch of a message's scope
    // Log lines of the decisions, written after the commit.
    std::vector<std::pair<spdlog::level::level_enum, std::string>> logs;
  };

  // ---- ports
  class Journal {
   public:
    virtual ~Journal() = default;
    // Journals every batch in one transaction. One thread at a time.
    virtual Status Commit(std::vector<Batch>& batches) = 0;
    // After a successful Commit, before any of its messages is delivered.
    virtual void Committed(std::vector<Batch>& batches) = 0;
  };
  class Sessions {
   public:
    virtual ~Sessions() = default;
    // Hands one committed message to its session.
    virtual void Deliver(Send& send) = 0;
  };
  using FailStop = std::function<void(const Status&)>;

  using Executor = std::function<void(std::function<void()>)>;
  struct Loop {
    Executor post;         // thread-safe: runs a function on the loop
    Executor at_turn_end;  // loop thread only: at the end of this turn
    std::function<bool()> in_loop;  // whether the caller is the loop thread
    bool commit_on_loop = false;
  };

  struct Options {
    size_t max_pending_batches = 4096;
  };

  // `mu` is the decision lock: it also guards the decider's own state (the
  // router); Scopes take it. The ports and `mu` must outlive the pipeline.
  OrderPipeline(Mutex& mu, Journal& journal, Sessions& sessions,
                FailStop fail_stop, Options options);
  // Stop()s.
  ~OrderPipeline();
  OrderPipeline(const OrderPipeline&) = delete;
  OrderPipeline& operator=(const OrderPipeline&) = delete;

  // Holds the decision lock for one decision (after waiting, off the loop,
  // while the committer is max_pending_batches behind). On destruction it
  // releases the lock and has what the scope enqueued committed. For an
  // inbound message (`inbound` set) it returns at once: the transport goes
  // on reading, and the inbound seq is persisted with the last batch the
  // scope enqueued (nothing, if it enqueued nothing). Otherwise it waits
  // until the scope's batches are committed.
  class SCOPED_CAPABILITY Scope {
   public:
    Scope(OrderPipeline& pipeline, Mutex& mu,
          std::optional<Inbound> inbound = std::nullopt) ACQUIRE(mu)
        NO_THREAD_SAFETY_ANALYSIS;
    ~Scope() RELEASE() NO_THREAD_SAFETY_ANALYSIS;
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    OrderPipeline& p_;
    std::optional<Inbound> inbound_;
    uint64_t first_ticket_ = 0;  // the first ticket this scope may enqueue
  };

  // Queues a batch, in decision order; requires the decision lock.
  void Enqueue(Batch batch) REQUIRES(mu_);
  // Messages that are journaled nowhere (liveness probes): straight to the
  // loop, behind what was committed before; any thread.
  void HandOver(std::vector<Send> sends) EXCLUDES(executor_mu_);
  // Blocks until everything enqueued so far is committed; on the loop,
  // commits it right there. Safe under QuickFIX's session locks.
  void Flush() EXCLUDES(mu_, commit_mu_);

  // Before the deciders start.
  void AttachLoop(Loop loop) EXCLUDES(mu_, executor_mu_);
  // Once the loop thread has ended (or never ran): what is still pending,
  // or enqueued later, the committer commits and delivers itself. What the
  // loop committed and never delivered is dropped (it is journaled).
  void DetachLoop() EXCLUDES(mu_, executor_mu_);
  // Commits what is pending and stops the committer thread. Idempotent.
  void Stop() EXCLUDES(mu_);

  // Committed messages not yet delivered.
  size_t unsent() const { return unsent_.load(); }
  // Nothing pending, everything enqueued committed, nothing unsent.
  bool Idle() EXCLUDES(mu_, commit_mu_);
  bool failed() const { return failed_.load(); }
  uint64_t commits() const { return commits_.load(); }

 private:
  bool CommitsHere();
  void ScheduleLoopCommit() REQUIRES(mu_) EXCLUDES(executor_mu_);
  void CommitOnLoop(bool deliver) EXCLUDES(mu_);
  void DeliverReady();
  void CommitLoop() EXCLUDES(mu_);
  // Commits `batches` (not under mu_); false if the pipeline failed. With
  // `ready`, the messages join it; without, they are handed to the loop.
  bool CommitGroup(std::vector<Batch>& batches, std::vector<Send>* ready)
      EXCLUDES(mu_);
  void MarkCommitted(uint64_t ticket) EXCLUDES(commit_mu_);
  void WaitCommitted(uint64_t ticket) EXCLUDES(commit_mu_);

  Mutex& mu_;
  Journal& journal_;
  Sessions& sessions_;
  const FailStop fail_stop_;
  const Options options_;

  std::vector<Batch> pending_ GUARDED_BY(mu_);
  // Written under mu_; read without it by Flush.
  std::atomic<uint64_t> last_ticket_{0};
  std::condition_variable_any commit_cv_;         // with mu_: work to commit
  std::condition_variable_any pending_space_cv_;  // with mu_: room in pending_
  bool commit_stopping_ GUARDED_BY(mu_) = false;
  bool loop_commit_scheduled_ GUARDED_BY(mu_) = false;

  // Never held with another lock.
  Mutex commit_mu_;
  std::condition_variable_any committed_cv_;
  uint64_t committed_ GUARDED_BY(commit_mu_) = 0;
  bool commit_done_ GUARDED_BY(commit_mu_) = false;

  Mutex executor_mu_;  // a leaf: held only to post
  Loop loop_ GUARDED_BY(executor_mu_);
  std::function<bool()> in_loop_;  // set by AttachLoop, before the deciders
  std::atomic<bool> commit_on_loop_{false};  // written under mu_
  std::vector<Send> ready_;  // the loop thread only (the committer once
                             // detached)
  std::atomic<size_t> unsent_{0};
  std::atomic<bool> failed_{false};
  std::atomic<uint64_t> commits_{0};
  std::thread committer_;  // last: started once everything above exists
};

}  // namespace fixgw::gw
