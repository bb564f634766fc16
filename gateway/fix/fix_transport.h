// FixTransport: QuickFIX sessions (SessionDriver) on the gateway's own
// transport (gateway/net): the replacement, through QuickFIX's public API, of
// ThreadedSocketAcceptor/Initiator and of the library symbols fixgw used to
// replace (issue 19).
//
// Acceptor side: one Listener per FixListen, bound to exactly the host it
// names. An admitted connection's first complete message names its session
// (SessionDriver::Accept); a refusal (unknown session, a second connection,
// a header that does not read, a message QuickFIX cannot parse before the
// logon) aborts the connection and is reported, with the peer's address as
// the kernel gave it, through on_closed. Every limit of the connection
// (net::ConnectionLimits: bytes before the first message, bytes per message,
// time to the first message with any TLS handshake, slow consumer, send
// stall) applies to TLS and plaintext alike.
// Initiator side: each FixConnect is connected, logged on once the
// connection is open, and reconnected `reconnect_interval` after any close.
// Both: Session::next(now) once a second (heartbeats, test requests,
// timeouts); a session that ends its connection (Logout, a timeout) closes
// it gracefully.
//
// Threading: the EventLoop's thread only (Start included, before Run); the
// application's callbacks run there. Destroy before the loop; the
// destructor aborts every connection (their sessions are detached at once).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/fix/quickfix.h"
#include "gateway/fix/session_driver.h"
#include "gateway/net/net.h"

namespace fixgw::fix {

struct FixListen {
  std::string host{};  // required: what to bind (no implicit 0.0.0.0)
  std::uint16_t port = 0;  // 0: the kernel picks (tests); see ports()
  std::shared_ptr<net::TlsContext> tls{};  // a server context, or plaintext
  net::ConnectionLimits limits{};
  // The sessions served here; empty: every acceptor session of the driver.
  std::set<FIX::SessionID> sessions{};
};

struct FixConnect {
  FIX::SessionID session;  // an initiator session of the driver
  net::ConnectOptions connect;
  std::chrono::milliseconds reconnect_interval{30'000};
};

struct FixTransportEvents {
  // Admission at accept time (allowed addresses); nullopt admits.
  std::function<std::optional<std::string>(const net::PeerAddress&)> admit;
  // A connection ended: `session` is "" if it never named one; `cause` a
  // stable name ("refused", "peer_closed", "first_message_timeout", ...),
  // `text` one line for an operator.
  std::function<void(const std::string& session, const net::PeerAddress& peer,
                     const std::string& cause, const std::string& text)>
      on_closed;
};

class FixTransport {
 public:
  // Binds every listener (an error names host:port and the cause; nothing
  // is left listening then) and starts every outbound connection.
  static Result<std::unique_ptr<FixTransport>> Start(
      net::EventLoop& loop, SessionDriver& driver,
      std::vector<FixListen> listens, std::vector<FixConnect> connects,
      FixTransportEvents events);
  ~FixTransport();
  FixTransport(const FixTransport&) = delete;
  FixTransport& operator=(const FixTransport&) = delete;

  // The bound ports, in the order of `listens`.
  std::vector<std::uint16_t> ports() const;
  // Open connections (with or without a session).
  std::size_t connections() const { return links_.size(); }

 private:
  struct Link;
  FixTransport(net::EventLoop& loop, SessionDriver& driver,
               FixTransportEvents events);
  void OnAccept(std::size_t listen, net::UniqueFd fd,
                const net::PeerAddress& peer);
  void Dial(std::size_t connect);
  void ScheduleReconnect(std::size_t connect);
  void OnMessage(Link& link, std::string_view raw);
  void OnClose(Link& link, const net::CloseReason& reason);
  void Report(const Link& link, const std::string& cause,
              const std::string& text);
  net::ConnectionCallbacks CallbacksFor(Link* link);

  net::EventLoop& loop_;
  SessionDriver& driver_;
  FixTransportEvents events_;
  std::vector<FixListen> listens_;
  std::vector<FixConnect> connects_;
  std::vector<std::unique_ptr<net::Listener>> listeners_;
  std::map<Link*, std::unique_ptr<Link>> links_;
  net::EventLoop::TimerId tick_timer_ = 0;
  // One pending reconnect at most per FixConnect (index as connects_).
  std::vector<net::EventLoop::TimerId> reconnect_timers_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace fixgw::fix
