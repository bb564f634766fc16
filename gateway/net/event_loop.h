// EventLoop: one thread's epoll loop over file descriptors, monotonic timers
// and closures posted from other threads.
//
// Threading: everything runs on the thread that calls Run()/RunOnce() (the
// loop thread). Add/Modify/Remove, the timer calls and all handlers are
// loop-thread only (or before the loop first runs). Post() and Stop() are
// the only thread-safe entries; they wake the loop through an eventfd.
// Ownership: the loop owns its epoll fd, its eventfd, the handlers and the
// closures; it does not own registered fds (their owners Remove() them
// before closing). Handlers may Add/Remove/Schedule/Cancel anything,
// themselves included, while they run. Destroying the loop drops pending
// timers and posted closures without running them; it must outlive every
// object registered with it and every thread that may Post().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/core/thread_annotations.h"
#include "gateway/net/unique_fd.h"

namespace fixgw::net {

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;
  using TimerId = std::uint64_t;  // 0 is never a valid id
  // Readiness bits, in the interest given to Add/Modify and in the events
  // passed to handlers. kError (EPOLLERR/EPOLLHUP) is always reported.
  static constexpr std::uint32_t kRead = 1;
  static constexpr std::uint32_t kWrite = 2;
  static constexpr std::uint32_t kError = 4;
  using IoHandler = std::function<void(std::uint32_t events)>;

  static Result<std::unique_ptr<EventLoop>> Create();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Watches `fd` (level-triggered) for `interest`; one registration per fd.
  Status Add(int fd, std::uint32_t interest, IoHandler handler);
  Status Modify(int fd, std::uint32_t interest);
  // Stops watching `fd`; its handler is not called again, even for events
  // already returned by the current epoll_wait. No-op if not registered.
  void Remove(int fd);

  // Runs `fn` once at `when` (or at the first turn after it). Timers due at
  // the same time run in the order they were scheduled.
  TimerId ScheduleAt(Clock::time_point when, std::function<void()> fn);
  TimerId ScheduleAfter(Clock::duration delay, std::function<void()> fn);
  // Runs `fn` every `period` (> 0), first after one period. Missed periods
  // are skipped, not replayed.
  TimerId ScheduleEvery(Clock::duration period, std::function<void()> fn);
  // Returns whether the timer was pending; a timer may cancel itself.
  bool Cancel(TimerId id);

  // Thread-safe: runs `fn` on the loop thread at its next turn, in posting
  // order.
  void Post(std::function<void()> fn);
  // Loop thread only: runs `fn` at the end of this turn, after its I/O
  // handlers, timers and posted closures, in the order given; no system
  // call (what Post costs). A closure added while these run runs at the end
  // of the next turn, which then does not wait for I/O.
  void AtTurnEnd(std::function<void()> fn);
  // Thread-safe: makes Run() return after the current turn. Sticky: later
  // Run()/RunOnce() calls return at once.
  void Stop();

  // Runs turns until Stop(). Each turn: wait for I/O (at most until the next
  // timer), run I/O handlers, then due timers, then posted closures, then
  // the AtTurnEnd closures.
  void Run();
  // One turn, waiting at most `max_wait` for I/O (for tests and for callers
  // that interleave other work). Returns false once Stop() was called.
  bool RunOnce(Clock::duration max_wait);

  // The time read at the start of the current turn; cheap.
  Clock::time_point Now() const { return now_; }
  // Counts the turns (RunOnce calls) so far; loop thread.
  std::uint64_t turn() const { return turn_; }
  bool InLoopThread() const;
  std::size_t pending_timers() const { return timer_fns_.size(); }
  // Heap entries, cancelled ones included (bounded: see Cancel()).
  std::size_t timer_heap_size() const { return timers_.size(); }

 private:
  struct Registration {
    int fd;
    std::uint64_t token;
    IoHandler handler;
  };
  struct Timer {
    Clock::time_point when;
    std::uint64_t seq;  // ties: scheduling order
    TimerId id;
    bool operator>(const Timer& other) const {
      return when != other.when ? when > other.when : seq > other.seq;
    }
  };
  struct TimerFn {
    std::function<void()> fn;
    Clock::duration period{};  // zero: one-shot
  };

  EventLoop(UniqueFd epoll, UniqueFd wake);
  void RunTimers();
  void RunPosted();

  UniqueFd epoll_;
  UniqueFd wake_;  // eventfd: Post() and Stop() write, the loop reads

  // Registrations by epoll token; tokens are never reused, so an event for
  // a removed fd (or a new fd with a reused number) finds nothing.
  std::unordered_map<std::uint64_t, std::shared_ptr<Registration>> by_token_;
  std::unordered_map<int, std::uint64_t> token_of_fd_;
  std::uint64_t next_token_ = 1;  // 0 marks the eventfd

  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::unordered_map<TimerId, TimerFn> timer_fns_;  // pending ones only
  TimerId next_timer_ = 1;
  std::uint64_t next_seq_ = 0;

  Clock::time_point now_ = Clock::now();
  std::atomic<std::thread::id> loop_thread_{};
  std::vector<std::function<void()>> turn_end_;  // loop thread only
  std::uint64_t turn_ = 0;                       // loop thread only

  Mutex mu_;
  std::vector<std::function<void()>> posted_ GUARDED_BY(mu_);
  bool stopped_ GUARDED_BY(mu_) = false;
};

}  // namespace fixgw::net
