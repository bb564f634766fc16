// Test-only helpers for the transport's tests: a loop, bounded waits,
// blocking raw clients on 127.0.0.1, open-fd counting.
#pragma once

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "gateway/net/connection.h"
#include "gateway/net/event_loop.h"
#include "gateway/net/internal/fix_text.h"
#include "gateway/net/unique_fd.h"

namespace fixgw::net::testing {

using std::chrono::milliseconds;

inline std::unique_ptr<EventLoop> NewLoop() {
  auto loop = EventLoop::Create();
  if (!loop.ok()) return nullptr;
  return std::move(loop).value();
}

// Runs loop turns until `done()` or `limit`; returns done().
template <typename Pred>
bool RunUntil(EventLoop& loop, Pred done,
              milliseconds limit = milliseconds(5000)) {
  const auto deadline = EventLoop::Clock::now() + limit;
  while (!done() && EventLoop::Clock::now() < deadline) {
    loop.RunOnce(milliseconds(5));
  }
  return done();
}

// Runs the loop for `time` whatever happens.
inline void RunFor(EventLoop& loop, milliseconds time) {
  const auto deadline = EventLoop::Clock::now() + time;
  while (EventLoop::Clock::now() < deadline) loop.RunOnce(milliseconds(5));
}

// A blocking TCP client socket connected to 127.0.0.1:port (the connect
// completes against the listen backlog, before the loop accepts).
inline UniqueFd RawConnect(std::uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&to), sizeof to) !=
      0) {
    return UniqueFd();
  }
  return fd;
}

inline bool SendAll(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n =
        ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// What a raw client sees of the other end: 0 = EOF, -errno, or bytes read
// (>0) if data is waiting. Waits at most `wait`.
inline long PeekState(int fd, milliseconds wait) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return -EAGAIN;
  char buf[4096];
  const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  return n < 0 ? -errno : static_cast<long>(n);
}

inline int OpenFdCount() {
  int count = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (::readdir(d) != nullptr) ++count;
    ::closedir(d);
  }
  return count;
}

// A broker's Logon and the gateway's Heartbeat, as the tests exchange them.
inline const std::string kLogon =
    FixMessage("35=A|34=1|49=BROKER1|56=GW|98=0|108=30|");
inline const std::string kHeartbeat =
    FixMessage("35=0|34=2|49=GW|56=BROKER1|");

// Limits short enough for tests: `timeout` to the first message and
// without send progress, 500 ms to close.
inline ConnectionLimits FastLimits(milliseconds timeout) {
  ConnectionLimits limits;
  limits.first_message_timeout = timeout;
  limits.send_stall_timeout = timeout;
  limits.close_timeout = milliseconds(500);
  return limits;
}

}  // namespace fixgw::net::testing
