// Listener: a non-blocking TCP listening socket on an EventLoop that hands
// accepted sockets, with the peer address the kernel reported, to a
// callback after an admission check.
//
// Threading: loop-thread only; callbacks run on the loop thread. Ownership:
// owns the listening fd; each accepted fd is passed on as a UniqueFd
// (refused ones are closed here). Destroying the Listener stops accepting
// at once (also from inside its own callbacks); it must be destroyed before
// its EventLoop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "gateway/core/result.h"
#include "gateway/net/address.h"
#include "gateway/net/event_loop.h"
#include "gateway/net/unique_fd.h"

namespace fixgw::net {

struct ListenOptions {
  // IPv4/IPv6 literal or name; required (no implicit "every interface").
  std::string host{};
  std::uint16_t port = 0;  // 0: the kernel picks (tests); see port()
  int backlog = 128;
  // Accepts taken per readiness event, so that a connect storm cannot hold
  // the loop; the rest wait for the next turn.
  int max_accepts_per_turn = 64;
};

struct ListenerCallbacks {
  // Admission at accept time, before any byte is read: nullopt admits,
  // a string refuses with that reason. Unset admits everyone.
  std::function<std::optional<std::string>(const PeerAddress&)> admit{};
  // An admitted connection: a non-blocking, close-on-exec socket.
  std::function<void(UniqueFd socket, const PeerAddress& peer)> on_accept{};
  // A refused connection (already closed), with the admit() reason.
  std::function<void(const PeerAddress& peer, const std::string& reason)>
      on_refuse{};
  // accept() failed for a reason other than the peer leaving early (e.g.
  // out of fds: the listener pauses for a short while, then retries).
  std::function<void(const Status& error)> on_error{};
};

class Listener {
 public:
  // Binds and listens. Errors are one line naming host:port and the cause,
  // e.g. "cannot listen on 127.0.0.1:5001: Address already in use".
  static Result<std::unique_ptr<Listener>> Listen(EventLoop& loop,
                                                  const ListenOptions& options,
                                                  ListenerCallbacks callbacks);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // The bound port (the kernel's choice when 0 was asked for).
  std::uint16_t port() const { return port_; }
  // "host:port" as configured, with the bound port.
  std::string address() const { return HostPort(host_, port_); }

 private:
  Listener(EventLoop& loop, UniqueFd fd, std::string host, std::uint16_t port,
           ListenOptions options, ListenerCallbacks callbacks);
  void OnReadable();
  void PauseAfterError();

  EventLoop& loop_;
  UniqueFd fd_;
  std::string host_;
  std::uint16_t port_;
  ListenOptions options_;
  ListenerCallbacks callbacks_;
  EventLoop::TimerId resume_timer_ = 0;
  // Expires with the listener: callbacks may destroy it.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace fixgw::net
