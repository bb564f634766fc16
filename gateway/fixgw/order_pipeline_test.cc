// The order pipeline with fake ports: a journal that records each commit
// (and can be held or made to fail) and sessions that record each delivery.
// The loop is the gateway's real net::EventLoop, driven turn by turn on the
// test thread (RunOnce) or run on a thread of its own. These tests run
// under ThreadSanitizer with the rest of the suite.
#include "gateway/fixgw/order_pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gateway/net/event_loop.h"

namespace fixgw::gw {
namespace {

using namespace std::chrono_literals;
using Batch = OrderPipeline::Batch;
using Send = OrderPipeline::Send;
using Inbound = OrderPipeline::Inbound;

// What happened, in order: "C<ticket>,<ticket>..." for a commit, "D<id>"
// for a delivery.
class Trace {
 public:
  void Add(std::string what) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(what));
  }
  std::vector<std::string> events() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> events_;
};

class FakeJournal : public OrderPipeline::Journal {
 public:
  explicit FakeJournal(Trace& trace) : trace_(trace) {}

  Status Commit(std::vector<Batch>& batches) override {
    {
      std::unique_lock lock(mu_);
      ++calls_;
      entered_cv_.notify_all();
      gate_cv_.wait(lock, [&] { return open_; });
      if (fail_at_ != 0 && calls_ == fail_at_) {
        return Status::Internal("disk I/O error (fake)");
      }
      std::vector<uint64_t> tickets;
      for (const Batch& b : batches) {
        tickets.push_back(b.ticket);
        for (const Send& send : b.sends) {
          committed_ids_.insert(send.message->getField(11));
        }
        if (b.inbound) inbound_.push_back({b.ticket, b.inbound->seq});
      }
      groups_.push_back(tickets);
    }
    std::string line = "C";
    for (const Batch& b : batches) line += std::to_string(b.ticket) + ",";
    trace_.Add(line);
    if (delay_ > 0us) std::this_thread::sleep_for(delay_);
    return Status::Ok();
  }
  void Committed(std::vector<Batch>& /*batches*/) override { ++committed_; }
  bool IsCommitted(const std::string& id) {
    std::lock_guard lock(mu_);
    return committed_ids_.count(id) > 0;
  }

  // Commits wait until Open().
  void Hold() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    gate_cv_.notify_all();
  }
  // Waits until `n` commits were at least begun.
  bool WaitEntered(int n) {
    std::unique_lock lock(mu_);
    return entered_cv_.wait_for(lock, 5s, [&] { return calls_ >= n; });
  }
  void FailAt(int call) {
    std::lock_guard lock(mu_);
    fail_at_ = call;
  }
  void SetDelay(std::chrono::microseconds d) { delay_ = d; }
  std::vector<std::vector<uint64_t>> groups() {
    std::lock_guard lock(mu_);
    return groups_;
  }
  std::vector<std::pair<uint64_t, int64_t>> inbound() {
    std::lock_guard lock(mu_);
    return inbound_;
  }
  int committed_calls() const { return committed_.load(); }

 private:
  Trace& trace_;
  std::mutex mu_;
  std::condition_variable gate_cv_, entered_cv_;
  bool open_ = true;
  int calls_ = 0;
  int fail_at_ = 0;
  std::chrono::microseconds delay_{0};
  std::vector<std::vector<uint64_t>> groups_;
  std::vector<std::pair<uint64_t, int64_t>> inbound_;
  std::set<std::string> committed_ids_;
  std::atomic<int> committed_{0};
};

class FakeSessions : public OrderPipeline::Sessions {
 public:
  FakeSessions(Trace& trace, FakeJournal& journal)
      : trace_(trace), journal_(journal) {}
  void Deliver(Send& send) override {
    const std::string id = send.message->getField(11);
    // Probes are journaled nowhere; everything else must be committed.
    if (!send.probe && !journal_.IsCommitted(id)) uncommitted_.fetch_add(1);
    if (loop_ != nullptr && !loop_->InLoopThread()) off_loop_.fetch_add(1);
    trace_.Add("D" + id);
    delivered_.fetch_add(1);
  }
  void WatchLoop(net::EventLoop* loop) { loop_ = loop; }
  int delivered() const { return delivered_.load(); }
  int off_loop() const { return off_loop_.load(); }
  int uncommitted() const { return uncommitted_.load(); }

 private:
  Trace& trace_;
  FakeJournal& journal_;
  std::atomic<int> uncommitted_{0};
  net::EventLoop* loop_ = nullptr;
  std::atomic<int> delivered_{0};
  std::atomic<int> off_loop_{0};
};

Batch OneSend(const std::string& id) {
  Batch b;
  store::JournalEntry e;
  e.kind = "OrderReceived";
  e.cl_ord_id = id;
  b.entries.push_back(e);
  Send send;
  send.message->setField(11, id);
  // A default SessionID leaves a bool uninitialised (QuickFIX 1.15.1):
  // every real Send names its session.
  send.target = FIX::SessionID("FIX.4.4", "GW", "BROKER1");
  b.sends.push_back(std::move(send));
  return b;
}

// Each delivery comes after the commit of its batch, each batch is
// committed once, commits in ticket order.
void ExpectCommitBeforeDelivery(const std::vector<std::string>& events,
                                size_t batches) {
  std::map<std::string, size_t> committed_at;  // ticket -> event index
  uint64_t last_ticket = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i][0] != 'C') continue;
    std::string rest = events[i].substr(1);
    size_t pos = 0;
    while ((pos = rest.find(',')) != std::string::npos) {
      const std::string t = rest.substr(0, pos);
      rest.erase(0, pos + 1);
      EXPECT_TRUE(committed_at.emplace(t, i).second) << "committed twice: " << t;
      EXPECT_EQ(std::stoull(t), last_ticket + 1) << "commit out of order";
      last_ticket = std::stoull(t);
    }
  }
  EXPECT_EQ(committed_at.size(), batches);
}

struct Fixture {
  Mutex mu;
  Trace trace;
  FakeJournal journal{trace};
  FakeSessions sessions{trace, journal};
  std::atomic<int> fail_stops{0};
  std::unique_ptr<OrderPipeline> pipeline;

  ~Fixture() {
    pipeline->Stop();
    EXPECT_EQ(sessions.uncommitted(), 0)
        << "a message was delivered before its commit";
  }
  explicit Fixture(size_t max_pending = 4096) {
    pipeline = std::make_unique<OrderPipeline>(
        mu, journal, sessions,
        [this](const Status&) { fail_stops.fetch_add(1); },
        OrderPipeline::Options{max_pending});
  }
  // One scope that enqueues one batch with one message `id`.
  void Decide(const std::string& id,
              std::optional<Inbound> inbound = std::nullopt) {
    OrderPipeline::Scope scope(*pipeline, mu, std::move(inbound));
    pipeline->Enqueue(OneSend(id));
  }
  bool WaitDelivered(int n) {
    for (int i = 0; i < 500 && sessions.delivered() < n; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    return sessions.delivered() >= n;
  }
};

OrderPipeline::Loop LoopOf(net::EventLoop& loop, bool commit_on_loop) {
  OrderPipeline::Loop hooks;
  hooks.post = [&loop](std::function<void()> fn) { loop.Post(std::move(fn)); };
  hooks.at_turn_end = [&loop](std::function<void()> fn) {
    loop.AtTurnEnd(std::move(fn));
  };
  hooks.in_loop = [&loop] { return loop.InLoopThread(); };
  hooks.commit_on_loop = commit_on_loop;
  return hooks;
}

std::unique_ptr<net::EventLoop> NewLoop() {
  auto loop = net::EventLoop::Create();
  EXPECT_TRUE(loop.ok());
  return std::move(*loop);
}

// JournalSync=full's shape: deciders on several threads, the committer
// thread groups their batches; every message is delivered once, after its
// commit, and each decider's messages in its own order.
TEST(OrderPipelineTest, CommitterThreadGroupsCommitsAndDeliversAfterThem) {
  Fixture f;
  f.journal.SetDelay(200us);  // a slow disk: batches pile up behind it
  constexpr int kThreads = 4;
  constexpr int kEach = 300;
  std::vector<std::thread> deciders;
  for (int t = 0; t < kThreads; ++t) {
    deciders.emplace_back([&f, t] {
      for (int i = 0; i < kEach; ++i) {
        // Every 10th waits for its commit, the rest are inbound messages.
        std::optional<Inbound> inbound;
        if (i % 10 != 0) inbound = Inbound{"S" + std::to_string(t), i + 1};
        f.Decide(std::to_string(t) + "-" + std::to_string(i), inbound);
      }
    });
  }
  for (std::thread& d : deciders) d.join();
  f.pipeline->Flush();
  ASSERT_TRUE(f.WaitDelivered(kThreads * kEach));
  EXPECT_TRUE(f.pipeline->Idle());

  const std::vector<std::string> events = f.trace.events();
  ExpectCommitBeforeDelivery(events, kThreads * kEach);
  // Fewer commits than batches: the group commit grouped.
  EXPECT_LT(f.journal.groups().size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(f.journal.committed_calls(),
            static_cast<int>(f.journal.groups().size()));
  // Per decider, delivery order is decision order; and a delivery never
  // precedes the commit holding it (checked through the trace order).
  std::map<int, int> next;
  size_t commits_seen = 0;
  for (const std::string& e : events) {
    if (e[0] == 'C') {
      ++commits_seen;
      continue;
    }
    const int t = std::stoi(e.substr(1, e.find('-') - 1));
    const int i = std::stoi(e.substr(e.find('-') + 1));
    EXPECT_EQ(i, next[t]) << e;
    next[t] = i + 1;
    EXPECT_GT(commits_seen, 0u);
  }
  EXPECT_EQ(f.fail_stops.load(), 0);
}

// JournalSync=normal's shape: a loop turn decides several messages; ONE
// commit at the turn's end takes them all, then they are delivered, on
// the loop thread.
TEST(OrderPipelineTest, LoopCommitsOnceAtTheEndOfTheTurn) {
  Fixture f;
  auto loop = NewLoop();
  f.sessions.WatchLoop(loop.get());
  f.pipeline->AttachLoop(LoopOf(*loop, /*commit_on_loop=*/true));
  int delivered_during_turn = -1;
  size_t commits_during_turn = 99;
  loop->Post([&] {
    for (int i = 0; i < 10; ++i) {
      f.Decide("o" + std::to_string(i), Inbound{"B", i + 1});
    }
    delivered_during_turn = f.sessions.delivered();
    commits_during_turn = f.journal.groups().size();
  });
  loop->RunOnce(0ms);
  EXPECT_EQ(delivered_during_turn, 0);
  EXPECT_EQ(commits_during_turn, 0u);
  ASSERT_EQ(f.journal.groups().size(), 1u);
  EXPECT_EQ(f.journal.groups()[0].size(), 10u);
  EXPECT_EQ(f.sessions.delivered(), 10);
  EXPECT_EQ(f.sessions.off_loop(), 0);
  // The inbound seq rides on each scope's batch.
  ASSERT_EQ(f.journal.inbound().size(), 10u);
  EXPECT_EQ(f.journal.inbound()[9].second, 10);
  EXPECT_TRUE(f.pipeline->Idle());
  f.pipeline->DetachLoop();
}

// A scope on the loop that must wait for its commit (an operator action,
// a refused Logon) commits on the spot, with what the turn decided before
// it; the messages still leave at the end of the turn, in decision order.
TEST(OrderPipelineTest, WaitingScopeOnTheLoopCommitsOnTheSpot) {
  Fixture f;
  auto loop = NewLoop();
  f.pipeline->AttachLoop(LoopOf(*loop, true));
  size_t commits_after_wait = 0;
  int delivered_after_wait = -1;
  loop->Post([&] {
    f.Decide("a", Inbound{"B", 1});
    f.Decide("b");  // waits: committed before the scope returns
    commits_after_wait = f.journal.groups().size();
    delivered_after_wait = f.sessions.delivered();
    f.Decide("c", Inbound{"B", 2});
  });
  loop->RunOnce(0ms);
  EXPECT_EQ(commits_after_wait, 1u);
  EXPECT_EQ(delivered_after_wait, 0);
  const std::vector<std::string> events = f.trace.events();
  const std::vector<std::string> want = {"C1,2,", "C3,", "Da", "Db", "Dc"};
  EXPECT_EQ(events, want);
  f.pipeline->DetachLoop();
}

// Operator actions come from other threads: the loop commits for them and
// they wait until it has.
TEST(OrderPipelineTest, ScopeOffTheLoopWaitsForTheLoopsCommit) {
  Fixture f;
  auto loop = NewLoop();
  f.sessions.WatchLoop(loop.get());
  f.pipeline->AttachLoop(LoopOf(*loop, true));
  std::thread runner([&] { loop->Run(); });
  // Until its first turn, InLoopThread() is true on every thread (the
  // owner sets the loop up): deciding before that would commit here, beside
  // the loop. fixgw's own hook compares with the loop thread's id.
  std::promise<void> turned;
  loop->Post([&] { turned.set_value(); });
  turned.get_future().wait();
  for (int i = 0; i < 50; ++i) {
    f.Decide("k" + std::to_string(i));
    // Returned: journaled.
    const auto groups = f.journal.groups();
    ASSERT_FALSE(groups.empty());
    EXPECT_EQ(groups.back().back(), static_cast<uint64_t>(i + 1));
  }
  ASSERT_TRUE(f.WaitDelivered(50));
  EXPECT_EQ(f.sessions.off_loop(), 0);
  loop->Stop();
  runner.join();
  f.pipeline->DetachLoop();
  ExpectCommitBeforeDelivery(f.trace.events(), 50);
}

// While the committer is behind by max_pending_batches, deciders off the
// loop wait (the transport stops reading: backpressure through TCP), and
// go on once it catches up.
TEST(OrderPipelineTest, DecidersWaitWhileTheCommitterIsBehind) {
  Fixture f(/*max_pending=*/4);
  f.journal.Hold();
  f.Decide("first", Inbound{"B", 1});
  ASSERT_TRUE(f.journal.WaitEntered(1));  // the committer holds "first"
  for (int i = 0; i < 4; ++i) f.Decide("p" + std::to_string(i), Inbound{"B", i + 2});
  std::atomic<bool> fifth_done{false};
  std::thread fifth([&] {
    f.Decide("fifth", Inbound{"B", 9});
    fifth_done.store(true);
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(fifth_done.load()) << "a decider went past the bound";
  f.journal.Open();
  fifth.join();
  f.pipeline->Flush();
  ASSERT_TRUE(f.WaitDelivered(6));
  ExpectCommitBeforeDelivery(f.trace.events(), 6);
}

// A journal error: FailStop is called once; nothing of that group or any
// later one is delivered; waiters are released.
TEST(OrderPipelineTest, JournalFailureDeliversNothingMore) {
  Fixture f;
  f.journal.FailAt(2);
  f.Decide("ok");  // commit 1, waited for
  ASSERT_TRUE(f.WaitDelivered(1));
  f.Decide("lost");  // commit 2 fails; the scope is released anyway
  EXPECT_TRUE(f.pipeline->failed());
  f.Decide("after");  // dropped
  f.pipeline->Flush();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(f.fail_stops.load(), 1);
  EXPECT_EQ(f.sessions.delivered(), 1);
  const std::vector<std::string> want = {"C1,", "Dok"};
  EXPECT_EQ(f.trace.events(), want);
}

TEST(OrderPipelineTest, JournalFailureOnTheLoopDeliversNothingMore) {
  Fixture f;
  f.journal.FailAt(1);
  auto loop = NewLoop();
  f.pipeline->AttachLoop(LoopOf(*loop, true));
  loop->Post([&] {
    f.Decide("x", Inbound{"B", 1});
    f.Decide("y", Inbound{"B", 2});
  });
  loop->RunOnce(0ms);
  loop->Post([&] { f.Decide("z", Inbound{"B", 3}); });
  loop->RunOnce(0ms);
  EXPECT_EQ(f.fail_stops.load(), 1);
  EXPECT_EQ(f.sessions.delivered(), 0);
  EXPECT_TRUE(f.journal.groups().empty());
  f.pipeline->DetachLoop();
}

// Shutdown: once the loop has stopped, what is still pending (its commit
// was posted to a loop that no longer turns) is committed and delivered
// by the committer thread; the drain sees the pipeline idle.
TEST(OrderPipelineTest, DetachedLoopLeavesPendingWorkToTheCommitter) {
  Fixture f;
  auto loop = NewLoop();
  f.pipeline->AttachLoop(LoopOf(*loop, true));
  loop->Stop();
  f.Decide("late", Inbound{"B", 1});  // off the loop: posted, never run
  EXPECT_FALSE(f.pipeline->Idle());
  f.pipeline->DetachLoop();
  f.pipeline->Flush();
  ASSERT_TRUE(f.WaitDelivered(1));
  for (int i = 0; i < 100 && !f.pipeline->Idle(); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(f.pipeline->Idle());
}

// Not idle while a commit is in flight: WaitForDrain must not return
// between a commit and the delivery of its messages.
TEST(OrderPipelineTest, IdleOnlyOnceEverythingIsDelivered) {
  Fixture f;
  f.journal.Hold();
  f.Decide("d", Inbound{"B", 1});
  ASSERT_TRUE(f.journal.WaitEntered(1));
  EXPECT_FALSE(f.pipeline->Idle());
  f.journal.Open();
  ASSERT_TRUE(f.WaitDelivered(1));
  for (int i = 0; i < 100 && !f.pipeline->Idle(); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(f.pipeline->Idle());
}

// An inbound message that decides nothing journals nothing: its seq is
// not raised on its own (QuickFIX's store writes it).
TEST(OrderPipelineTest, ScopeThatEnqueuesNothingCommitsNothing) {
  Fixture f;
  { OrderPipeline::Scope scope(*f.pipeline, f.mu, Inbound{"B", 5}); }
  f.pipeline->Flush();
  EXPECT_TRUE(f.journal.groups().empty());
  EXPECT_TRUE(f.journal.inbound().empty());
}

// Probes (HandOver) go to the loop behind what was committed before them.
TEST(OrderPipelineTest, HandOverGoesBehindCommittedMessages) {
  Fixture f;
  auto loop = NewLoop();
  f.pipeline->AttachLoop(LoopOf(*loop, /*commit_on_loop=*/false));
  f.Decide("order");  // the committer commits it and posts its delivery
  std::vector<Send> probe(1);
  probe[0].message->setField(11, "probe");
  probe[0].probe = true;
  probe[0].target = FIX::SessionID("FIX.4.4", "GW", "SIM");
  f.pipeline->HandOver(std::move(probe));
  for (int i = 0; i < 10 && f.sessions.delivered() < 2; ++i) {
    loop->RunOnce(10ms);
  }
  const std::vector<std::string> want = {"C1,", "Dorder", "Dprobe"};
  EXPECT_EQ(f.trace.events(), want);
  f.pipeline->DetachLoop();
}

}  // namespace
}  // namespace fixgw::gw
