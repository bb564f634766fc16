// Test-only: a listener on 127.0.0.1 that accepts every connection as a
// Connection and records what happens to it, and a recorder for clients.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/net/connection.h"
#include "gateway/net/listener.h"

namespace fixgw::net::testing {

// One end of a connection as a test sees it.
struct Side {
  std::shared_ptr<Connection> conn;
  bool opened = false;
  std::vector<std::string> messages;
  std::optional<CloseReason> closed;
  std::uint64_t bytes_at_close = 0;  // bytes_received() when it closed
  std::size_t received_bytes() const {
    std::size_t n = 0;
    for (const auto& m : messages) n += m.size();
    return n;
  }
};

// Callbacks that record into `side` (which must stay put) and then call
// the optional hooks. on_close drops the side's reference.
inline ConnectionCallbacks Record(
    Side& side,
    std::function<void(Connection&, std::string_view)> on_message = {},
    std::function<void(Connection&)> on_open = {}) {
  return ConnectionCallbacks{
      .on_open =
          [&side, on_open](Connection& c) {
            side.opened = true;
            if (on_open) on_open(c);
          },
      .on_message =
          [&side, on_message](Connection& c, std::string_view raw) {
            side.messages.emplace_back(raw);
            if (on_message) on_message(c, raw);
          },
      .on_close =
          [&side](Connection& c, const CloseReason& reason) {
            side.closed = reason;
            side.bytes_at_close = c.bytes_received();
            side.conn.reset();
          },
  };
}

class TestServer {
 public:
  TestServer(EventLoop& loop, ConnectionLimits limits,
             std::shared_ptr<TlsContext> tls = nullptr)
      : loop_(loop), limits_(limits), tls_(std::move(tls)) {
    auto listener = Listener::Listen(
        loop, {.host = "127.0.0.1", .port = 0},
        {.on_accept = [this](UniqueFd fd, const PeerAddress& peer) {
          Accept(std::move(fd), peer);
        }});
    if (listener.ok()) listener_ = std::move(listener).value();
  }

  bool ok() const { return listener_ != nullptr; }
  std::uint16_t port() const { return listener_->port(); }
  std::size_t accepted() const { return forgotten_ + sides_.size(); }
  Side& side(std::size_t i) { return sides_.at(i - forgotten_); }
  std::size_t closed() const {
    std::size_t n = forgotten_;
    for (const Side& s : sides_) {
      if (s.closed) ++n;
    }
    return n;
  }

  // Drops the records of closed connections (keeps accepted() counting).
  void ForgetClosed() {
    std::size_t i = 0;
    while (i < sides_.size() && sides_[i].closed) ++i;
    forgotten_ += i;
    sides_.erase(sides_.begin(), sides_.begin() + static_cast<long>(i));
  }

  // Called for every message after it is recorded.
  std::function<void(Connection&, std::string_view)> on_message;
  std::function<void(Connection&)> on_open;

 private:
  void Accept(UniqueFd fd, const PeerAddress& peer) {
    Side& side = sides_.emplace_back();
    auto conn =
        Connection::Accept(loop_, std::move(fd), peer, limits_, tls_,
                           Record(
                               side,
                               [this](Connection& c, std::string_view raw) {
                                 if (on_message) on_message(c, raw);
                               },
                               [this](Connection& c) {
                                 if (on_open) on_open(c);
                               }));
    if (conn.ok()) side.conn = std::move(conn).value();
  }

  EventLoop& loop_;
  ConnectionLimits limits_;
  std::shared_ptr<TlsContext> tls_;
  std::unique_ptr<Listener> listener_;
  std::deque<Side> sides_;  // stable addresses
  std::size_t forgotten_ = 0;
};

}  // namespace fixgw::net::testing
