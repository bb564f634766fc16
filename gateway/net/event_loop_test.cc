#include "gateway/net/event_loop.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace fixgw::net {
namespace {

using std::chrono::milliseconds;
using Clock = EventLoop::Clock;

std::unique_ptr<EventLoop> NewLoop() {
  auto loop = EventLoop::Create();
  EXPECT_TRUE(loop.ok()) << loop.status().message();
  return std::move(loop).value();
}

// Runs turns until `done` or `limit` passes; returns `done()`.
template <typename Pred>
bool RunUntil(EventLoop& loop, Pred done,
              milliseconds limit = milliseconds(5000)) {
  const auto deadline = Clock::now() + limit;
  while (!done() && Clock::now() < deadline) loop.RunOnce(milliseconds(10));
  return done();
}

TEST(EventLoopTest, RunsTimersInDueOrder) {
  auto loop = NewLoop();
  std::vector<int> order;
  const auto now = Clock::now();
  loop->ScheduleAt(now + milliseconds(30), [&] { order.push_back(3); });
  loop->ScheduleAt(now + milliseconds(10), [&] { order.push_back(1); });
  loop->ScheduleAt(now + milliseconds(20), [&] { order.push_back(2); });
  // Same time: scheduling order.
  loop->ScheduleAt(now + milliseconds(20), [&] { order.push_back(22); });
  ASSERT_TRUE(RunUntil(*loop, [&] { return order.size() == 4; }));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 22, 3}));
}

TEST(EventLoopTest, DoesNotRunATimerEarly) {
  auto loop = NewLoop();
  Clock::time_point fired{};
  const auto start = Clock::now();
  loop->ScheduleAfter(milliseconds(50), [&] { fired = Clock::now(); });
  ASSERT_TRUE(RunUntil(*loop, [&] { return fired != Clock::time_point{}; }));
  EXPECT_GE(fired - start, milliseconds(50));
}

TEST(EventLoopTest, CancelledTimersDoNotRun) {
  auto loop = NewLoop();
  bool cancelled_ran = false;
  bool other_ran = false;
  const auto id =
      loop->ScheduleAfter(milliseconds(5), [&] { cancelled_ran = true; });
  loop->ScheduleAfter(milliseconds(20), [&] { other_ran = true; });
  EXPECT_TRUE(loop->Cancel(id));
  EXPECT_FALSE(loop->Cancel(id));
  ASSERT_TRUE(RunUntil(*loop, [&] { return other_ran; }));
  EXPECT_FALSE(cancelled_ran);
  EXPECT_EQ(loop->pending_timers(), 0u);
}

TEST(EventLoopTest, CancelledTimersDoNotPileUp) {
  auto loop = NewLoop();
  bool kept_ran = false;
  loop->ScheduleAfter(milliseconds(1), [&] { kept_ran = true; });
  for (int i = 0; i < 100'000; ++i) {
    loop->Cancel(loop->ScheduleAfter(std::chrono::hours(1), [] {}));
  }
  EXPECT_EQ(loop->pending_timers(), 1u);
  EXPECT_LE(loop->timer_heap_size(), 2048u);
  ASSERT_TRUE(RunUntil(*loop, [&] { return kept_ran; }));
}

TEST(EventLoopTest, PeriodicTimerRepeatsUntilItCancelsItself) {
  auto loop = NewLoop();
  int ticks = 0;
  EventLoop::TimerId id = 0;
  id = loop->ScheduleEvery(milliseconds(5), [&] {
    if (++ticks == 3) loop->Cancel(id);
  });
  ASSERT_TRUE(RunUntil(*loop, [&] { return ticks == 3; }));
  for (int i = 0; i < 5; ++i) loop->RunOnce(milliseconds(10));
  EXPECT_EQ(ticks, 3);
}

TEST(EventLoopTest, ReportsReadinessAndStopsAfterRemove) {
  auto loop = NewLoop();
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  int calls = 0;
  ASSERT_TRUE(loop->Add(read_end.get(), EventLoop::kRead,
                        [&](std::uint32_t ev) {
                          EXPECT_TRUE(ev & EventLoop::kRead);
                          ++calls;
                          char c;
                          (void)!::read(read_end.get(), &c, 1);
                        })
                  .ok());
  EXPECT_FALSE(
      loop->Add(read_end.get(), EventLoop::kRead, [](std::uint32_t) {}).ok());
  loop->RunOnce(milliseconds(0));
  EXPECT_EQ(calls, 0);
  ASSERT_EQ(::write(write_end.get(), "x", 1), 1);
  ASSERT_TRUE(RunUntil(*loop, [&] { return calls == 1; }));
  loop->Remove(read_end.get());
  ASSERT_EQ(::write(write_end.get(), "y", 1), 1);
  for (int i = 0; i < 3; ++i) loop->RunOnce(milliseconds(5));
  EXPECT_EQ(calls, 1);
}

TEST(EventLoopTest, AHandlerMayRemoveAnotherReadyHandler) {
  auto loop = NewLoop();
  int a[2], b[2];
  ASSERT_EQ(::pipe2(a, O_NONBLOCK | O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(b, O_NONBLOCK | O_CLOEXEC), 0);
  UniqueFd ar(a[0]), aw(a[1]), br(b[0]), bw(b[1]);
  int calls = 0;
  // Whichever runs first removes the other: exactly one runs.
  ASSERT_TRUE(loop->Add(ar.get(), EventLoop::kRead,
                        [&](std::uint32_t) {
                          ++calls;
                          loop->Remove(br.get());
                          loop->Remove(ar.get());
                        })
                  .ok());
  ASSERT_TRUE(loop->Add(br.get(), EventLoop::kRead,
                        [&](std::uint32_t) {
                          ++calls;
                          loop->Remove(ar.get());
                          loop->Remove(br.get());
                        })
                  .ok());
  ASSERT_EQ(::write(aw.get(), "x", 1), 1);
  ASSERT_EQ(::write(bw.get(), "x", 1), 1);
  for (int i = 0; i < 3; ++i) loop->RunOnce(milliseconds(5));
  EXPECT_EQ(calls, 1);
}

TEST(EventLoopTest, PostFromManyThreadsRunsEveryClosureOnTheLoopThread) {
  auto loop = NewLoop();
  constexpr int kThreads = 4;
  constexpr int kEach = 2000;
  int count = 0;  // loop thread only: TSan flags any other access
  std::atomic<bool> wrong_thread{false};
  std::thread::id loop_thread;
  std::thread runner([&] {
    loop_thread = std::this_thread::get_id();
    loop->Run();
  });
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        loop->Post([&] {
          if (std::this_thread::get_id() != loop_thread) wrong_thread = true;
          if (++count == kThreads * kEach) loop->Stop();
        });
      }
    });
  }
  for (auto& t : posters) t.join();
  runner.join();
  EXPECT_EQ(count, kThreads * kEach);
  EXPECT_FALSE(wrong_thread);
}

TEST(EventLoopTest, PostKeepsOrderFromOneThread) {
  auto loop = NewLoop();
  std::vector<int> seen;
  std::thread poster([&] {
    for (int i = 0; i < 1000; ++i)
      loop->Post([&seen, i] { seen.push_back(i); });
    loop->Post([&] { loop->Stop(); });
  });
  loop->Run();
  poster.join();
  ASSERT_EQ(seen.size(), 1000u);
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(seen[static_cast<std::size_t>(i)], i);
}

// AtTurnEnd closures run after the turn's timers and posted closures; one
// added at the end of a turn runs at the end of the next, which does not
// wait for I/O.
TEST(EventLoopTest, TurnEndClosuresRunLastAndKeepTheLoopTurning) {
  auto loop = NewLoop();
  std::vector<std::string> seen;
  loop->ScheduleAfter(std::chrono::milliseconds(0), [&] {
    loop->AtTurnEnd([&] {
      seen.push_back("end 1");
      loop->AtTurnEnd([&] { seen.push_back("end 2"); });
    });
    loop->Post([&] { seen.push_back("posted"); });
    seen.push_back("timer");
  });
  ASSERT_TRUE(loop->RunOnce(std::chrono::milliseconds(100)));
  EXPECT_EQ(seen, (std::vector<std::string>{"timer", "posted", "end 1"}));
  const auto start = EventLoop::Clock::now();
  ASSERT_TRUE(loop->RunOnce(std::chrono::seconds(5)));
  EXPECT_LT(EventLoop::Clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(seen.back(), "end 2");
}

TEST(EventLoopTest, StopFromAnotherThreadWakesABlockedRun) {
  auto loop = NewLoop();
  const auto start = Clock::now();
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(50));
    loop->Stop();
  });
  loop->Run();  // would block for an hour without the wake-up
  stopper.join();
  EXPECT_LT(Clock::now() - start, milliseconds(2000));
  EXPECT_FALSE(loop->RunOnce(milliseconds(0)));
}

TEST(EventLoopTest, DropsPendingWorkOnDestruction) {
  auto loop = NewLoop();
  auto flag = std::make_shared<int>(0);
  loop->ScheduleAfter(milliseconds(1), [flag] { ++*flag; });
  loop->Post([flag] { ++*flag; });
  EXPECT_EQ(flag.use_count(), 3);
  loop.reset();
  EXPECT_EQ(flag.use_count(), 1);
  EXPECT_EQ(*flag, 0);
}

}  // namespace
}  // namespace fixgw::net
