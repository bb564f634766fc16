#include "gateway/net/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <string>

namespace fixgw::net {
namespace {

constexpr std::uint64_t kWakeToken = 0;
constexpr int kMaxEvents = 64;

std::uint32_t ToEpoll(std::uint32_t interest) {
  std::uint32_t events = 0;
  if (interest & EventLoop::kRead) events |= EPOLLIN | EPOLLRDHUP;
  if (interest & EventLoop::kWrite) events |= EPOLLOUT;
  return events;
}

std::uint32_t FromEpoll(std::uint32_t events) {
  std::uint32_t ready = 0;
  if (events & (EPOLLIN | EPOLLRDHUP)) ready |= EventLoop::kRead;
  if (events & EPOLLOUT) ready |= EventLoop::kWrite;
  if (events & (EPOLLERR | EPOLLHUP)) ready |= EventLoop::kError;
  return ready;
}

Status Errno(const std::string& what) {
  return Status::Internal(what + ": " + std::strerror(errno));
}

}  // namespace

Result<std::unique_ptr<EventLoop>> EventLoop::Create() {
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll) return Errno("epoll_create1");
  UniqueFd wake(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake) return Errno("eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeToken;
  if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, wake.get(), &ev) != 0) {
    return Errno("epoll_ctl(eventfd)");
  }
  return std::unique_ptr<EventLoop>(
      new EventLoop(std::move(epoll), std::move(wake)));
}

EventLoop::EventLoop(UniqueFd epoll, UniqueFd wake)
    : epoll_(std::move(epoll)), wake_(std::move(wake)) {}

EventLoop::~EventLoop() = default;

bool EventLoop::InLoopThread() const {
  const std::thread::id loop = loop_thread_.load(std::memory_order_relaxed);
  // Before the first turn the owner sets things up from its own thread.
  return loop == std::thread::id() || loop == std::this_thread::get_id();
}

Status EventLoop::Add(int fd, std::uint32_t interest, IoHandler handler) {
  assert(InLoopThread());
  if (token_of_fd_.count(fd) != 0) {
    return Status::AlreadyExists("fd " + std::to_string(fd) +
                                 " is already registered");
  }
  const std::uint64_t token = next_token_++;
  epoll_event ev{};
  ev.events = ToEpoll(interest);
  ev.data.u64 = token;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    return Errno("epoll_ctl(ADD)");
  }
  by_token_[token] = std::make_shared<Registration>(
      Registration{fd, token, std::move(handler)});
  token_of_fd_[fd] = token;
  return Status::Ok();
}

Status EventLoop::Modify(int fd, std::uint32_t interest) {
  assert(InLoopThread());
  const auto it = token_of_fd_.find(fd);
  if (it == token_of_fd_.end()) {
    return Status::NotFound("fd " + std::to_string(fd) + " is not registered");
  }
  epoll_event ev{};
  ev.events = ToEpoll(interest);
  ev.data.u64 = it->second;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) != 0) {
    return Errno("epoll_ctl(MOD)");
  }
  return Status::Ok();
}

void EventLoop::Remove(int fd) {
  assert(InLoopThread());
  const auto it = token_of_fd_.find(fd);
  if (it == token_of_fd_.end()) return;
  // Fails only if fd is already closed, which removed it from the set.
  (void)::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  by_token_.erase(it->second);
  token_of_fd_.erase(it);
}

EventLoop::TimerId EventLoop::ScheduleAt(Clock::time_point when,
                                         std::function<void()> fn) {
  assert(InLoopThread());
  const TimerId id = next_timer_++;
  timer_fns_.emplace(id, TimerFn{std::move(fn), Clock::duration::zero()});
  timers_.push(Timer{when, next_seq_++, id});
  return id;
}

EventLoop::TimerId EventLoop::ScheduleAfter(Clock::duration delay,
                                            std::function<void()> fn) {
  return ScheduleAt(Clock::now() + delay, std::move(fn));
}

EventLoop::TimerId EventLoop::ScheduleEvery(Clock::duration period,
                                            std::function<void()> fn) {
  assert(period > Clock::duration::zero());
  const TimerId id = ScheduleAfter(period, std::move(fn));
  timer_fns_[id].period = period;
  return id;
}

bool EventLoop::Cancel(TimerId id) {
  assert(InLoopThread());
  // The heap entry stays; it finds no function when it comes due. Long
  // timers cancelled early (a first-message deadline met) would pile up
  // under connection churn, so the heap is rebuilt once most of it is dead.
  if (timer_fns_.erase(id) == 0) return false;
  if (timers_.size() > 1024 && timers_.size() > 2 * timer_fns_.size()) {
    std::vector<Timer> live;
    live.reserve(timer_fns_.size());
    while (!timers_.empty()) {
      if (timer_fns_.count(timers_.top().id) != 0)
        live.push_back(timers_.top());
      timers_.pop();
    }
    timers_ = decltype(timers_)(std::greater<>(), std::move(live));
  }
  return true;
}

void EventLoop::Post(std::function<void()> fn) {
  {
    MutexLock lock(mu_);
    posted_.push_back(std::move(fn));
  }
  const std::uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop will wake.
  (void)!::write(wake_.get(), &one, sizeof one);
}

void EventLoop::Stop() {
  {
    MutexLock lock(mu_);
    stopped_ = true;
  }
  const std::uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);
}

void EventLoop::Run() {
  while (RunOnce(std::chrono::hours(1))) {
  }
}

bool EventLoop::RunOnce(Clock::duration max_wait) {
  loop_thread_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  ++turn_;
  {
    MutexLock lock(mu_);
    if (stopped_) return false;
  }
  now_ = Clock::now();
  Clock::duration wait = max_wait;
  // Drop cancelled timers from the top so they do not shorten the wait.
  while (!timers_.empty() && timer_fns_.count(timers_.top().id) == 0) {
    timers_.pop();
  }
  if (!timers_.empty()) wait = std::min(wait, timers_.top().when - now_);
  if (wait < Clock::duration::zero() || !turn_end_.empty()) {
    wait = Clock::duration::zero();
  }
  // Round up: waking a little late is harmless, early means a spin.
  const auto wait_ms = std::chrono::ceil<std::chrono::milliseconds>(wait);
  const int timeout = static_cast<int>(
      std::min<std::chrono::milliseconds::rep>(wait_ms.count(), 1 << 30));

  epoll_event events[kMaxEvents];
  const int n = ::epoll_wait(epoll_.get(), events, kMaxEvents, timeout);
  now_ = Clock::now();
  bool woken = false;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t token = events[i].data.u64;
    if (token == kWakeToken) {
      woken = true;
      continue;
    }
    const auto it = by_token_.find(token);
    if (it == by_token_.end()) continue;  // removed earlier in this turn
    // Held so that a handler removing itself does not destroy itself.
    const std::shared_ptr<Registration> reg = it->second;
    reg->handler(FromEpoll(events[i].events));
  }
  if (woken) {
    std::uint64_t count = 0;
    (void)!::read(wake_.get(), &count, sizeof count);
  }
  RunTimers();
  RunPosted();
  std::vector<std::function<void()>> turn_end;
  turn_end.swap(turn_end_);
  for (auto& fn : turn_end) fn();
  MutexLock lock(mu_);
  return !stopped_;
}

void EventLoop::AtTurnEnd(std::function<void()> fn) {
  assert(InLoopThread() && "AtTurnEnd is loop-thread only");
  turn_end_.push_back(std::move(fn));
}

void EventLoop::RunTimers() {
  now_ = Clock::now();
  // Only timers due now: one scheduled by a handler for "now" runs in this
  // turn, but a periodic one rescheduled to the future does not loop here.
  while (!timers_.empty() && timers_.top().when <= now_) {
    const Timer timer = timers_.top();
    timers_.pop();
    const auto it = timer_fns_.find(timer.id);
    if (it == timer_fns_.end()) continue;  // cancelled
    if (it->second.period == Clock::duration::zero()) {
      std::function<void()> fn = std::move(it->second.fn);
      timer_fns_.erase(it);
      fn();
    } else {
      Clock::time_point next = timer.when + it->second.period;
      if (next <= now_) next = now_ + it->second.period;
      timers_.push(Timer{next, next_seq_++, timer.id});
      // A copy: the function may cancel its own timer while it runs.
      std::function<void()> fn = it->second.fn;
      fn();
    }
  }
}

void EventLoop::RunPosted() {
  std::vector<std::function<void()>> batch;
  {
    MutexLock lock(mu_);
    batch.swap(posted_);
  }
  // Closures posted while these run wait for the next turn (the eventfd
  // was written, so that turn does not block).
  for (auto& fn : batch) fn();
}

}  // namespace fixgw::net
