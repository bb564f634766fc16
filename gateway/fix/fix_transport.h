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

// One connection's end, as the transport saw it first-hand.
struct ClosedConnection {
  std::string session{};  // "" if it never named one
  net::PeerAddress peer{};
  bool inbound = true;  // accepted (true) or dialled
  // A stable name: net::CloseCauseName's ("peer_closed",
  // "first_message_timeout", "framing", "tls_error", ...), or the
  // transport's own: "address_not_allowed" (refused at accept),
  // "unknown_session" (the first message names no session served on the
  // port), "session_in_use" (its session has a connection already),
  // "logon_state" (a Logon on a logged-on session, or another message
  // before Logon: QuickFIX ends the connection without an answer),
  // "invalid_message" (QuickFIX cannot parse it before the logon),
  // "socket_error", "connect_failed".
  std::string cause{};
  std::string text{};  // one line for an operator
  net::FrameError frame_error = net::FrameError::kNone;  // cause "framing"
  std::uint16_t local_port = 0;  // the listener's port (inbound)
};

struct FixTransportEvents {
  // Admission at accept time (allowed addresses), with the port the peer
  // came to; nullopt admits, a text refuses (reported as
  // "address_not_allowed" with that text).
  std::function<std::optional<std::string>(const net::PeerAddress&,
                                           std::uint16_t local_port)>
      admit;
  // A connection ended, or was refused before it had one.
  std::function<void(const ClosedConnection&)> on_closed;
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
  // Bytes queued and not yet written to `session`'s connection (0 without
  // one): how far behind its peer reads.
  std::size_t outbound_bytes(const FIX::SessionID& session) const;
  // Each connection that has a session: the session, the peer (for a
  // dialled connection the host and port it dialled) and when its last
  // message arrived (the loop's turn time; nullopt before the first).
  struct SessionLink {
    FIX::SessionID session;
    net::PeerAddress peer;
    bool inbound = true;
    std::optional<net::EventLoop::Clock::time_point> last_received;
  };
  std::vector<SessionLink> session_links() const;
  // Stops (true) or resumes reading from every accepted connection, those
  // accepted later included: backpressure through TCP while what the
  // gateway must send waits.
  void PauseAccepted(bool paused);
  bool accepted_paused() const { return accepted_paused_; }

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
              const std::string& text,
              net::FrameError frame_error = net::FrameError::kNone);
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
  bool accepted_paused_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace fixgw::fix
