#include "gateway/fixgw/order_pipeline.h"

#include <cstdlib>
#include <iterator>
#include <memory>

namespace fixgw::gw {

OrderPipeline::OrderPipeline(Mutex& mu, Journal& journal, Sessions& sessions,
                             FailStop fail_stop, Options options)
    : mu_(mu),
      journal_(journal),
      sessions_(sessions),
      fail_stop_(std::move(fail_stop)),
      options_(options) {
  committer_ = std::thread([this] { CommitLoop(); });
}

OrderPipeline::~OrderPipeline() { Stop(); }

void OrderPipeline::Stop() {
  {
    MutexLock lock(mu_);
    commit_stopping_ = true;  // the committer commits pending_ first
  }
  commit_cv_.notify_all();
  pending_space_cv_.notify_all();
  if (committer_.joinable()) committer_.join();
}

OrderPipeline::Scope::Scope(OrderPipeline& pipeline, Mutex& mu,
                            std::optional<Inbound> inbound)
    : p_(pipeline), inbound_(std::move(inbound)) {
  // The decider's lock is the pipeline's (one capability, two names for
  // the analysis: hence NO_THREAD_SAFETY_ANALYSIS on the scope).
  if (&mu != &p_.mu_) std::abort();
  mu.Lock();
  // The loop never waits for itself: what one turn decides is bounded by
  // what the transport reads in a turn.
  if (!p_.CommitsHere()) {
    while (p_.pending_.size() >= p_.options_.max_pending_batches &&
           !p_.commit_stopping_ && !p_.failed_.load()) {
      p_.pending_space_cv_.wait(p_.mu_);
    }
  }
  first_ticket_ = p_.last_ticket_.load() + 1;
}

OrderPipeline::Scope::~Scope() {
  const uint64_t ticket = p_.last_ticket_.load();
  const bool queued = ticket >= first_ticket_;
  const bool wait = !inbound_.has_value() && queued;
  if (inbound_ && inbound_->seq > 0 && queued) {
    // The message's sequence number is persisted with its events, and only
    // with them: a crash before the commit makes the peer resend it.
    p_.pending_.back().inbound = std::move(inbound_);
  }
  if (p_.commit_on_loop_.load()) {
    const bool here = p_.CommitsHere();
    if (queued && !(wait && here)) p_.ScheduleLoopCommit();
    p_.mu_.Unlock();
    if (!wait) return;
    if (here) {
      p_.CommitOnLoop(/*deliver=*/false);
    } else {
      p_.WaitCommitted(ticket);
    }
    return;
  }
  p_.mu_.Unlock();
  p_.commit_cv_.notify_one();
  if (wait) p_.WaitCommitted(ticket);
}

void OrderPipeline::Enqueue(Batch batch) {
  if (failed_.load()) return;  // nothing after a failed commit goes anywhere
  batch.ticket = last_ticket_.load() + 1;
  last_ticket_.store(batch.ticket);
  pending_.push_back(std::move(batch));
}

void OrderPipeline::WaitCommitted(uint64_t ticket) {
  MutexLock lock(commit_mu_);
  while (committed_ < ticket && !commit_done_) committed_cv_.wait(commit_mu_);
}

void OrderPipeline::MarkCommitted(uint64_t ticket) {
  {
    MutexLock lock(commit_mu_);
    committed_ = ticket;
  }
  committed_cv_.notify_all();
}

void OrderPipeline::Flush() {
  if (commit_on_loop_.load() && CommitsHere()) {
    CommitOnLoop(/*deliver=*/false);
    return;
  }
  WaitCommitted(last_ticket_.load());
}

bool OrderPipeline::Idle() {
  const uint64_t last = last_ticket_.load();
  bool idle = false;
  {
    MutexLock lock(mu_);
    idle = pending_.empty();
  }
  {
    MutexLock lock(commit_mu_);
    idle = idle && (committed_ == last || commit_done_);
  }
  return idle && unsent_.load() == 0;
}

void OrderPipeline::AttachLoop(Loop loop) {
  in_loop_ = loop.in_loop;
  const bool on_loop = loop.commit_on_loop;
  {
    MutexLock lock(executor_mu_);
    loop_ = std::move(loop);
  }
  MutexLock lock(mu_);
  commit_on_loop_.store(on_loop);
}

void OrderPipeline::DetachLoop() {
  {
    MutexLock lock(executor_mu_);
    loop_ = Loop{};
  }
  {
    MutexLock lock(mu_);
    commit_on_loop_.store(false);
    loop_commit_scheduled_ = false;
  }
  // What the loop committed and never delivered is journaled (and
  // prestored): the peers get it by resend. What is still pending, the
  // committer takes.
  unsent_.fetch_sub(ready_.size());
  ready_.clear();
  commit_cv_.notify_all();
}

bool OrderPipeline::CommitsHere() {
  return commit_on_loop_.load() && in_loop_ && in_loop_();
}

void OrderPipeline::ScheduleLoopCommit() {
  if (loop_commit_scheduled_) return;
  loop_commit_scheduled_ = true;
  const auto turn = [this] {
    {
      MutexLock lock(mu_);
      loop_commit_scheduled_ = false;
    }
    CommitOnLoop(/*deliver=*/true);
  };
  MutexLock lock(executor_mu_);
  if (in_loop_ && in_loop_()) {
    loop_.at_turn_end(turn);
  } else if (loop_.post) {
    loop_.post(turn);
  }
}

void OrderPipeline::CommitOnLoop(bool deliver) {
  std::vector<Batch> batches;
  {
    MutexLock lock(mu_);
    batches.swap(pending_);
  }
  pending_space_cv_.notify_all();
  if (!batches.empty()) {
    if (!CommitGroup(batches, &ready_)) return;
    MarkCommitted(batches.back().ticket);
  }
  if (deliver) {
    DeliverReady();
  } else if (!ready_.empty()) {
    MutexLock lock(mu_);
    ScheduleLoopCommit();  // the messages go at the end of the turn
  }
}

void OrderPipeline::DeliverReady() {
  std::vector<Send> sends;
  sends.swap(ready_);
  for (Send& send : sends) {
    sessions_.Deliver(send);
    unsent_.fetch_sub(1);
  }
}

void OrderPipeline::CommitLoop() {
  mu_.Lock();
  while (true) {
    while (!commit_stopping_ && (commit_on_loop_.load() || pending_.empty())) {
      commit_cv_.wait(mu_);
    }
    if (pending_.empty()) break;  // stopping, and nothing left
    std::vector<Batch> batches;
    batches.swap(pending_);
    mu_.Unlock();
    pending_space_cv_.notify_all();
    const bool ok = CommitGroup(batches, nullptr);
    if (ok) MarkCommitted(batches.back().ticket);
    mu_.Lock();
    if (!ok) break;
  }
  mu_.Unlock();
  {
    MutexLock lock(commit_mu_);
    commit_done_ = true;
  }
  committed_cv_.notify_all();
}

bool OrderPipeline::CommitGroup(std::vector<Batch>& batches,
                                std::vector<Send>* ready) {
  if (failed_.load()) return false;
  const Status st = journal_.Commit(batches);
  if (!st.ok()) {
    failed_.store(true);
    if (fail_stop_) fail_stop_(st);
    // Still here (a test's FailStop): release every waiter; nothing of
    // this group or a later one is delivered.
    {
      MutexLock lock(mu_);
      pending_.clear();
    }
    pending_space_cv_.notify_all();
    {
      MutexLock lock(commit_mu_);
      commit_done_ = true;
    }
    committed_cv_.notify_all();
    return false;
  }
  commits_.fetch_add(1);
  journal_.Committed(batches);
  if (ready != nullptr) {
    for (Batch& b : batches) {
      unsent_.fetch_add(b.sends.size());
      std::move(b.sends.begin(), b.sends.end(), std::back_inserter(*ready));
    }
    return true;
  }
  std::vector<Send> sends;
  for (Batch& b : batches) {
    std::move(b.sends.begin(), b.sends.end(), std::back_inserter(sends));
  }
  if (!sends.empty()) HandOver(std::move(sends));
  return true;
}

void OrderPipeline::HandOver(std::vector<Send> sends) {
  unsent_.fetch_add(sends.size());
  {
    MutexLock lock(executor_mu_);
    if (loop_.post) {
      // std::function needs a copyable callable: the messages travel behind
      // a shared pointer, moved, not copied.
      auto batch = std::make_shared<std::vector<Send>>(std::move(sends));
      loop_.post([this, batch] {
        for (Send& send : *batch) {
          sessions_.Deliver(send);
          unsent_.fetch_sub(1);
        }
      });
      return;
    }
  }
  for (Send& send : sends) {
    sessions_.Deliver(send);
    unsent_.fetch_sub(1);
  }
}

}  // namespace fixgw::gw
