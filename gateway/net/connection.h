// Connection: one non-blocking TCP connection (accepted, or connected out
// with a timeout), plaintext or TLS, on an EventLoop. Incoming bytes go
// through a bounded Framer and come out as whole raw FIX messages; outgoing
// bytes go through a bounded buffer. Every limit ends the connection with a
// CloseReason, delivered once through on_close.
//
// Limits (ConnectionLimits), the same for TLS and plaintext, measured on
// decrypted bytes for TLS:
// - framing: the Framer's byte limits (garbage counts) and format checks;
// - first message: none complete within first_message_timeout of the TCP
//   connection being established (the TLS handshake included) cuts it;
// - slow consumer: more than max_outbound_bytes queued, or queued bytes
//   with no write progress for send_stall_timeout, cuts it;
// - graceful close: flushing, TLS close_notify and the peer's FIN take at
//   most close_timeout, then the connection is reset.
// A cut for a limit or an error resets the TCP connection (RST: the kernel
// frees its buffers at once); a graceful Close() ends with a FIN.
//
// Threading: loop-thread only. Ownership: the caller holds the
// shared_ptr; dropping the last one closes the socket at once without a
// callback. The loop holds only weak references, except that a pending
// on_close holds the connection until it has run. Callbacks run on the
// loop thread, never from inside a call the owner made (Send, Close, ...):
// on_close is always delivered at a later turn, so an owner may call
// anything, or destroy the connection, from any callback. Callbacks must
// not hold the connection's shared_ptr (a cycle); they get it by reference.
// Destroy every connection before the EventLoop.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/core/result.h"
#include "gateway/net/address.h"
#include "gateway/net/event_loop.h"
#include "gateway/net/framer.h"
#include "gateway/net/tls_context.h"
#include "gateway/net/unique_fd.h"

namespace fixgw::net {

struct ConnectionLimits {
  FramerLimits framer{};
  // From the TCP connection to the first complete message, TLS handshake
  // included. Zero: no limit.
  std::chrono::milliseconds first_message_timeout{10'000};
  // Unsent bytes a peer may leave queued (its TCP window closed).
  std::size_t max_outbound_bytes = 16 * 1024 * 1024;
  // Backpressure: while more than this many bytes wait to be sent, the
  // connection is not read (what it asks for would only add to them);
  // reading resumes once they are down to a quarter. Zero: never paused.
  std::size_t pause_reading_above_bytes = 0;
  // Fairness: at most this many messages are delivered per loop turn; the
  // rest wait for the next turn (and nothing more is read meanwhile), so
  // one peer's flood cannot fill a turn that others' messages share.
  // Zero: no limit.
  std::size_t max_messages_per_turn = 0;
  // Queued bytes and no write progress for this long: the peer does not read.
  std::chrono::milliseconds send_stall_timeout{10'000};
  std::chrono::milliseconds close_timeout{2'000};
  // Bytes read per recv/SSL_read call and at most per readiness event (the
  // rest waits a turn, so one fast peer cannot starve the others).
  std::size_t read_chunk_bytes = 64 * 1024;
  std::size_t max_read_bytes_per_turn = 256 * 1024;
};

enum class CloseCause : std::uint8_t {
  kPeerClosed,           // FIN or TLS close_notify from the peer
  kClosedLocally,        // Close(): graceful, after a flush
  kAborted,              // Abort()
  kFirstMessageTimeout,  // no complete message (or no handshake) in time
  kFraming,              // a Framer limit or check; see frame_error
  kSlowConsumer,         // more than max_outbound_bytes queued
  kSendStall,            // no write progress for send_stall_timeout
  kTlsError,             // handshake failed, bad record, ...
  kSocketError,          // recv/send failed (e.g. reset by the peer)
  kConnectFailed,        // outbound: refused, unreachable
  kConnectTimeout,       // outbound: no TCP connection in time
};

// "peer_closed", "first_message_timeout", ...: stable names for journals.
std::string_view CloseCauseName(CloseCause cause);

struct CloseReason {
  CloseCause cause;
  std::string text{};                          // one line for an operator
  FrameError frame_error = FrameError::kNone;  // for kFraming
};

class Connection;

struct ConnectionCallbacks {
  // Ready for application bytes: accepted (plaintext), connected, or the TLS
  // handshake done. Bytes queued before are sent right after it returns.
  std::function<void(Connection&)> on_open{};
  // One whole raw message; the view is valid during the call only.
  std::function<void(Connection&, std::string_view raw)> on_message{};
  // Exactly once, at a later turn than the cause; the socket is closed.
  std::function<void(Connection&, const CloseReason&)> on_close{};
};

struct ConnectOptions {
  std::string host{};  // literal or name (resolved synchronously)
  std::uint16_t port = 0;
  std::chrono::milliseconds connect_timeout{10'000};
  std::shared_ptr<TlsContext> tls{};  // a client context, or null: plaintext
  // The name (or IP) the server's certificate must carry; empty: only the
  // chain is verified.
  std::string tls_peer_name{};
  ConnectionLimits limits{};
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Clock = EventLoop::Clock;
  enum class State : std::uint8_t {
    kConnecting,   // outbound TCP connect in progress
    kStarting,     // accepted; starts at the loop's next turn
    kHandshaking,  // TLS handshake
    kOpen,
    kClosing,  // Close() called: flushing, then FIN
    kClosed,
  };

  // Takes an accepted socket (non-blocking). `tls`: a server context, or
  // null for plaintext. The first-message clock starts now.
  static Result<std::shared_ptr<Connection>> Accept(
      EventLoop& loop, UniqueFd socket, const PeerAddress& peer,
      const ConnectionLimits& limits, std::shared_ptr<TlsContext> tls,
      ConnectionCallbacks callbacks);
  // Starts an outbound connection. Errors here: the host does not resolve,
  // no socket. Everything later (refused, timeout, handshake) is on_close.
  static Result<std::shared_ptr<Connection>> Connect(
      EventLoop& loop, const ConnectOptions& options,
      ConnectionCallbacks callbacks);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Queues `bytes` and writes what the socket takes now. Before on_open the
  // bytes wait for it. Returns false if the connection is closing or closed
  // or if this send cut it (slow consumer).
  bool Send(std::string_view bytes);
  // Queues without writing (several messages, one write: Flush()).
  bool Queue(std::string_view bytes);
  void Flush();

  // Graceful: stops reading messages, flushes, sends TLS close_notify and a
  // FIN, waits for the peer's FIN (at most close_timeout), then on_close
  // with kClosedLocally and `reason`. Idempotent.
  void Close(std::string reason);
  // At once: RST, unsent bytes dropped, on_close with kAborted and `reason`.
  void Abort(std::string reason);

  // Backpressure: no messages are delivered (and nothing is read) while
  // paused; timers keep running.
  void PauseReading();
  void ResumeReading();

  State state() const { return state_; }
  bool is_open() const { return state_ == State::kOpen; }
  bool is_tls() const { return tls_ != nullptr; }
  const PeerAddress& peer() const { return peer_; }
  std::size_t outbound_bytes() const { return out_.size() - out_start_; }
  std::uint64_t bytes_received() const { return bytes_received_; }
  std::uint64_t bytes_sent() const { return bytes_sent_; }
  std::uint64_t messages_received() const { return framer_.messages(); }
  // Idle detection: when bytes last arrived / last left (loop clock).
  Clock::time_point last_receive_time() const { return last_receive_; }
  Clock::time_point last_send_time() const { return last_send_; }
  // TLS after the handshake: "TLSv1.3", the peer certificate's subject
  // ("" if none).
  std::string TlsVersion() const;
  std::string PeerCertificateSubject() const;

 private:
  struct Private {};

 public:
  // For make_shared only; use Accept/Connect.
  Connection(Private, EventLoop& loop, UniqueFd fd, PeerAddress peer,
             const ConnectionLimits& limits, std::shared_ptr<TlsContext> tls,
             ConnectionCallbacks callbacks);

 private:
  Status Register(std::uint32_t interest);
  void OnEvents(std::uint32_t events);
  void FinishConnect();
  void Start();
  void DoHandshake();
  void Opened();
  void DoRead();
  void DeliverMessages();
  void DoWrite();
  void ProceedClose();
  void UpdateInterest();
  bool ReadingPaused() const { return read_paused_ || backlog_paused_; }
  // Pauses or resumes reading by the outbound backlog.
  void CheckBacklog();
  // Delivers what was framed before a pause at the next turn, then reads.
  void ScheduleResume();
  // Whether this turn's max_messages_per_turn is reached (then the next
  // turn delivers the rest).
  bool TurnCapped();
  void ArmStallTimer();
  void OnFirstMessageTimer();
  // Ends the connection: timers, registration, SSL and fd released now,
  // on_close at the next turn. `reset`: RST instead of FIN.
  void Terminate(CloseReason reason, bool reset);
  void TerminateTls(const char* during, int ssl_error);
  void CancelTimer(EventLoop::TimerId& id);
  std::weak_ptr<Connection> Weak() { return weak_from_this(); }
  // The owner dropped its last reference inside a callback: only the
  // handler's own temporary one is left. Stop reading and delivering.
  bool Orphaned() const { return weak_from_this().use_count() <= 1; }

  EventLoop& loop_;
  UniqueFd fd_;
  PeerAddress peer_;
  ConnectionLimits limits_;
  std::shared_ptr<TlsContext> tls_;
  std::unique_ptr<SSL, void (*)(SSL*)> ssl_;
  ConnectionCallbacks callbacks_;
  Framer framer_;

  State state_ = State::kStarting;
  std::uint32_t interest_ = 0;
  bool read_paused_ = false;     // PauseReading()
  bool backlog_paused_ = false;  // pause_reading_above_bytes
  std::uint64_t delivery_turn_ = 0;     // the loop turn counted below
  std::size_t delivered_this_turn_ = 0;  // max_messages_per_turn
  std::string close_reason_;  // Close()'s reason while kClosing

  std::string out_;  // outbound bytes; [out_start_, size) not yet written
  std::size_t out_start_ = 0;
  Clock::time_point last_progress_{};  // last write progress (or queueing)

  // TLS: what the last handshake/read/write call waits for.
  std::uint32_t handshake_want_ = 0;
  bool read_wants_write_ = false;
  bool write_wants_read_ = false;
  bool tls_shutdown_sent_ = false;
  bool fin_sent_ = false;

  EventLoop::TimerId first_message_timer_ = 0;
  EventLoop::TimerId connect_timer_ = 0;
  EventLoop::TimerId stall_timer_ = 0;
  EventLoop::TimerId close_timer_ = 0;
  EventLoop::TimerId soon_timer_ = 0;  // start, resume, TLS bytes held

  std::uint64_t bytes_received_ = 0;
  std::uint64_t bytes_sent_ = 0;
  Clock::time_point last_receive_{};
  Clock::time_point last_send_{};
};

}  // namespace fixgw::net
