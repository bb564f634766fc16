#include "gateway/net/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include "gateway/net/internal/socket_bio.h"

namespace fixgw::net {
namespace {

// Bytes handed to one send()/SSL_write(): bounded so that a retried
// SSL_write never passes fewer bytes than the call that wanted a retry.
constexpr std::size_t kMaxWrite = 1 << 20;

void FreeSsl(SSL* ssl) { SSL_free(ssl); }

void SetNoDelay(int fd) {
  // FIX messages are small and latency matters more than packet count.
  const int one = 1;
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

std::string Millis(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

// Reads land here and only the bytes read are copied into the framer, so
// an idle connection's framer holds no 64 kB read buffer (it holds what a
// partial message needs). One per loop thread: Connection is loop-thread
// only, and the bytes are copied out before any callback runs.
std::vector<char>& ReadScratch(std::size_t size) {
  thread_local std::vector<char> scratch;
  if (scratch.size() < size) scratch.resize(size);
  return scratch;
}

bool IsIpLiteral(const std::string& name) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, name.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

}  // namespace

std::string_view CloseCauseName(CloseCause cause) {
  switch (cause) {
    case CloseCause::kPeerClosed:
      return "peer_closed";
    case CloseCause::kClosedLocally:
      return "closed_locally";
    case CloseCause::kAborted:
      return "aborted";
    case CloseCause::kFirstMessageTimeout:
      return "first_message_timeout";
    case CloseCause::kFraming:
      return "framing";
    case CloseCause::kSlowConsumer:
      return "slow_consumer";
    case CloseCause::kSendStall:
      return "send_stall";
    case CloseCause::kTlsError:
      return "tls_error";
    case CloseCause::kSocketError:
      return "socket_error";
    case CloseCause::kConnectFailed:
      return "connect_failed";
    case CloseCause::kConnectTimeout:
      return "connect_timeout";
  }
  return "unknown";
}

Connection::Connection(Private, EventLoop& loop, UniqueFd fd, PeerAddress peer,
                       const ConnectionLimits& limits,
                       std::shared_ptr<TlsContext> tls,
                       ConnectionCallbacks callbacks)
    : loop_(loop),
      fd_(std::move(fd)),
      peer_(std::move(peer)),
      limits_(limits),
      tls_(std::move(tls)),
      ssl_(nullptr, &FreeSsl),
      callbacks_(std::move(callbacks)),
      framer_(limits.framer) {}

Connection::~Connection() {
  if (state_ == State::kClosed) return;  // Terminate released everything
  // Dropped by its owner while still up: no callback, RST.
  for (EventLoop::TimerId* id : {&first_message_timer_, &connect_timer_,
                                 &stall_timer_, &close_timer_, &soon_timer_}) {
    CancelTimer(*id);
  }
  loop_.Remove(fd_.get());
  ssl_.reset();
  const linger reset{1, 0};
  (void)::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
}

Status Connection::Register(std::uint32_t interest) {
  interest_ = interest;
  std::weak_ptr<Connection> weak = Weak();
  return loop_.Add(fd_.get(), interest, [weak](std::uint32_t events) {
    if (auto self = weak.lock()) self->OnEvents(events);
  });
}

Result<std::shared_ptr<Connection>> Connection::Accept(
    EventLoop& loop, UniqueFd socket, const PeerAddress& peer,
    const ConnectionLimits& limits, std::shared_ptr<TlsContext> tls,
    ConnectionCallbacks callbacks) {
  if (tls && !tls->is_server()) {
    return Status::InvalidArgument("accepting TLS needs a server context");
  }
  SetNoDelay(socket.get());
  auto conn = std::make_shared<Connection>(Private{}, loop, std::move(socket),
                                           peer, limits, std::move(tls),
                                           std::move(callbacks));
  conn->state_ = State::kStarting;
  if (Status st = conn->Register(0); !st.ok()) {
    conn->state_ = State::kClosed;  // nothing registered, no callback
    return st;
  }
  std::weak_ptr<Connection> weak = conn;
  if (limits.first_message_timeout.count() > 0) {
    conn->first_message_timer_ =
        loop.ScheduleAfter(limits.first_message_timeout, [weak] {
          if (auto self = weak.lock()) self->OnFirstMessageTimer();
        });
  }
  // The owner gets the connection before any callback.
  conn->soon_timer_ =
      loop.ScheduleAfter(EventLoop::Clock::duration::zero(), [weak] {
        if (auto self = weak.lock()) {
          self->soon_timer_ = 0;
          self->Start();
        }
      });
  return conn;
}

Result<std::shared_ptr<Connection>> Connection::Connect(
    EventLoop& loop, const ConnectOptions& options,
    ConnectionCallbacks callbacks) {
  if (options.tls && options.tls->is_server()) {
    return Status::InvalidArgument(
        "connecting with TLS needs a client context");
  }
  auto endpoint = Resolve(options.host, options.port);
  if (!endpoint.ok()) return endpoint.status();
  UniqueFd fd(::socket(endpoint->address.ss_family,
                       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) {
    return Status::Unavailable("socket: " + std::string(std::strerror(errno)));
  }
  SetNoDelay(fd.get());
  PeerAddress peer = PeerAddressOf(endpoint->address);
  auto conn = std::make_shared<Connection>(Private{}, loop, std::move(fd),
                                           std::move(peer), options.limits,
                                           options.tls, std::move(callbacks));
  conn->state_ = State::kConnecting;
  if (Status st = conn->Register(EventLoop::kWrite); !st.ok()) {
    conn->state_ = State::kClosed;
    return st;
  }
  const std::string where = HostPort(options.host, options.port);
  if (::connect(conn->fd_.get(),
                reinterpret_cast<const sockaddr*>(&endpoint->address),
                endpoint->size) != 0 &&
      errno != EINPROGRESS) {
    conn->Terminate({CloseCause::kConnectFailed,
                     "connect to " + where + ": " + std::strerror(errno)},
                    /*reset=*/false);
    return conn;
  }
  std::weak_ptr<Connection> weak = conn;
  conn->connect_timer_ = loop.ScheduleAfter(
      options.connect_timeout, [weak, where, t = options.connect_timeout] {
        if (auto self = weak.lock()) {
          self->connect_timer_ = 0;
          self->Terminate(
              {CloseCause::kConnectTimeout,
               "connect to " + where + ": no connection within " + Millis(t)},
              /*reset=*/true);
        }
      });
  if (conn->ssl_ == nullptr && conn->tls_ != nullptr) {
    // Created now so that the peer name is set before the handshake.
    conn->ssl_.reset(SSL_new(conn->tls_->native()));
    if (conn->ssl_ == nullptr) {
      conn->Terminate(
          {CloseCause::kTlsError, TakeOpenSslError("SSL_new failed")},
          /*reset=*/true);
      return conn;
    }
    const std::string& name = options.tls_peer_name;
    if (!name.empty()) {
      X509_VERIFY_PARAM* param = SSL_get0_param(conn->ssl_.get());
      if (IsIpLiteral(name)) {
        X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
      } else {
        // SSL_set_tlsext_host_name without its C cast: the SNI name.
        SSL_ctrl(conn->ssl_.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                 TLSEXT_NAMETYPE_host_name, const_cast<char*>(name.c_str()));
        SSL_set1_host(conn->ssl_.get(), name.c_str());
      }
    }
  }
  return conn;
}

void Connection::CancelTimer(EventLoop::TimerId& id) {
  if (id != 0) loop_.Cancel(id);
  id = 0;
}

void Connection::OnEvents(std::uint32_t events) {
  switch (state_) {
    case State::kConnecting:
      FinishConnect();
      break;
    case State::kStarting:
    case State::kClosed:
      return;
    case State::kHandshaking:
      DoHandshake();
      break;
    case State::kOpen:
    case State::kClosing: {
      const bool readable = (events & (EventLoop::kRead | EventLoop::kError));
      const bool writable = (events & (EventLoop::kWrite | EventLoop::kError));
      if (readable || (read_wants_write_ && writable)) DoRead();
      if (writable || (write_wants_read_ && readable)) {
        if (state_ == State::kOpen || state_ == State::kClosing) DoWrite();
      }
      break;
    }
  }
  UpdateInterest();
}

void Connection::FinishConnect() {
  int error = 0;
  socklen_t size = sizeof error;
  if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &error, &size) != 0) {
    error = errno;
  }
  if (error == EINPROGRESS || error == EALREADY) return;
  if (error != 0) {
    Terminate({CloseCause::kConnectFailed,
               "connect to " + peer_.ToString() + ": " + std::strerror(error)},
              /*reset=*/false);
    return;
  }
  CancelTimer(connect_timer_);
  if (limits_.first_message_timeout.count() > 0) {
    std::weak_ptr<Connection> weak = Weak();
    first_message_timer_ =
        loop_.ScheduleAfter(limits_.first_message_timeout, [weak] {
          if (auto self = weak.lock()) self->OnFirstMessageTimer();
        });
  }
  Start();
}

void Connection::Start() {
  if (tls_ == nullptr) {
    state_ = State::kOpen;
    Opened();
    return;
  }
  if (ssl_ == nullptr) ssl_.reset(SSL_new(tls_->native()));
  BIO* bio = ssl_ != nullptr ? internal::NewSocketBio(fd_.get()) : nullptr;
  if (bio == nullptr) {
    Terminate({CloseCause::kTlsError, TakeOpenSslError("SSL_new failed")},
              /*reset=*/true);
    return;
  }
  SSL_set_bio(ssl_.get(), bio, bio);  // the SSL owns it from here
  if (tls_->is_server()) {
    SSL_set_accept_state(ssl_.get());
  } else {
    SSL_set_connect_state(ssl_.get());
  }
  state_ = State::kHandshaking;
  DoHandshake();
}

void Connection::TerminateTls(const char* during, int ssl_error) {
  // The peer leaving (close_notify, or the TCP connection closed, with or
  // without close_notify) is its close, not a TLS failure: a port probe
  // that connects and closes is refused nothing.
  const unsigned long queued = ERR_peek_error();
  const bool peer_left =
      ssl_error == SSL_ERROR_ZERO_RETURN ||
      (ssl_error == SSL_ERROR_SYSCALL && errno == 0 && queued == 0) ||
      (ssl_error == SSL_ERROR_SSL &&
       ERR_GET_REASON(queued) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
  std::string why;
  if (ssl_error == SSL_ERROR_SYSCALL) {
    const int error = errno;
    why = TakeOpenSslError(error != 0 ? std::strerror(error)
                                      : "connection closed by the peer");
  } else if (ssl_error == SSL_ERROR_ZERO_RETURN) {
    why = "close_notify from the peer";
  } else {
    why = TakeOpenSslError("error " + std::to_string(ssl_error));
  }
  Terminate({peer_left ? CloseCause::kPeerClosed : CloseCause::kTlsError,
             std::string("TLS ") + during + " with " + peer_.ToString() +
                 (peer_left ? " ended: " : " failed: ") + why},
            /*reset=*/!peer_left);
}

void Connection::DoHandshake() {
  ERR_clear_error();
  errno = 0;
  const int rc = SSL_do_handshake(ssl_.get());
  if (rc == 1) {
    handshake_want_ = 0;
    state_ = State::kOpen;
    Opened();
    return;
  }
  const int error = SSL_get_error(ssl_.get(), rc);
  if (error == SSL_ERROR_WANT_READ) {
    handshake_want_ = EventLoop::kRead;
  } else if (error == SSL_ERROR_WANT_WRITE) {
    handshake_want_ = EventLoop::kWrite;
  } else {
    TerminateTls("handshake", error);
    return;
  }
  UpdateInterest();
}

void Connection::Opened() {
  last_progress_ = Clock::now();
  if (callbacks_.on_open) callbacks_.on_open(*this);
  if (state_ != State::kOpen) return;
  DoWrite();
  // TLS: the handshake's last read may hold application bytes already.
  if (state_ == State::kOpen) DoRead();
  UpdateInterest();
}

void Connection::OnFirstMessageTimer() {
  first_message_timer_ = 0;
  if (state_ == State::kClosed || framer_.seen_first_message()) return;
  const std::string limit = Millis(limits_.first_message_timeout);
  if (state_ == State::kHandshaking || state_ == State::kStarting) {
    Terminate({CloseCause::kFirstMessageTimeout,
               "no TLS handshake within " + limit + " of connecting"},
              /*reset=*/true);
    return;
  }
  Terminate({CloseCause::kFirstMessageTimeout,
             "no complete message within " + limit + " of connecting (" +
                 std::to_string(bytes_received_) + " bytes received)"},
            /*reset=*/true);
}

void Connection::DoRead() {
  std::size_t this_turn = 0;
  while ((state_ == State::kOpen || state_ == State::kClosing) && !Orphaned()) {
    const bool deliver = state_ == State::kOpen;
    // Capped: what is framed already waits for the next turn, and so does
    // the socket (the framer holds at most one read beyond the cap).
    if (deliver && (ReadingPaused() || TurnCapped())) return;
    if (this_turn >= limits_.max_read_bytes_per_turn) {
      // Plaintext: the socket stays readable (level-triggered). TLS may
      // hold decrypted bytes with nothing left on the socket: come back.
      if (ssl_ != nullptr && SSL_has_pending(ssl_.get()) && soon_timer_ == 0) {
        std::weak_ptr<Connection> weak = Weak();
        soon_timer_ =
            loop_.ScheduleAfter(EventLoop::Clock::duration::zero(), [weak] {
              if (auto self = weak.lock()) {
                self->soon_timer_ = 0;
                self->DoRead();
                self->UpdateInterest();
              }
            });
      }
      return;
    }
    const std::size_t want = limits_.read_chunk_bytes;
    char* room = ReadScratch(want).data();
    ssize_t n;
    int ssl_error = SSL_ERROR_NONE;
    int error = 0;
    if (ssl_ != nullptr) {
      ERR_clear_error();
      errno = 0;
      const int rc =
          SSL_read(ssl_.get(), room,
                   static_cast<int>(std::min<std::size_t>(want, INT_MAX)));
      n = rc;
      if (rc <= 0) {
        ssl_error = SSL_get_error(ssl_.get(), rc);
        error = errno;
      }
    } else {
      n = ::recv(fd_.get(), room, want, 0);
      if (n < 0) error = errno;
    }
    if (n > 0) {
      if (deliver)
        framer_.Feed(std::string_view(room, static_cast<std::size_t>(n)));
      read_wants_write_ = false;
      const auto got = static_cast<std::size_t>(n);
      bytes_received_ += got;
      this_turn += got;
      last_receive_ = loop_.Now();
      if (deliver) DeliverMessages();
      // This turn's share is delivered: the rest waits for the next one.
      if (deliver && TurnCapped()) return;
      // A short plaintext read emptied the socket; skip the EAGAIN call.
      if (ssl_ == nullptr && got < want) return;
      continue;
    }

    const bool closing = state_ == State::kClosing;
    auto peer_gone = [&](const std::string& how) {
      if (closing) {
        // The FIN we waited for (or the peer left first): done.
        Terminate({CloseCause::kClosedLocally, close_reason_},
                  /*reset=*/!fin_sent_);
      } else {
        Terminate({CloseCause::kPeerClosed, how}, /*reset=*/false);
      }
    };
    // recv failed with `error` (plain, or under SSL_ERROR_SYSCALL).
    auto socket_failed = [&] {
      if (closing) {
        peer_gone("");
      } else {
        Terminate({CloseCause::kSocketError,
                   std::string("recv: ") + std::strerror(error)},
                  /*reset=*/true);
      }
    };
    if (ssl_ == nullptr) {
      if (n == 0) {
        peer_gone("connection closed by the peer");
      } else if (error == EAGAIN || error == EWOULDBLOCK) {
        return;
      } else if (error == EINTR) {
        continue;
      } else {
        socket_failed();
      }
      return;
    }
    switch (ssl_error) {
      case SSL_ERROR_WANT_READ:
        read_wants_write_ = false;
        return;
      case SSL_ERROR_WANT_WRITE:
        read_wants_write_ = true;
        return;
      case SSL_ERROR_ZERO_RETURN:
        peer_gone("TLS close_notify from the peer");
        return;
      case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        if (error == 0) {
          // OpenSSL 3 with SSL_OP_IGNORE_UNEXPECTED_EOF reports a bare FIN
          // as ZERO_RETURN; older paths land here.
          peer_gone("connection closed by the peer");
        } else {
          socket_failed();
        }
        return;
      default:
        if (closing) {
          ERR_clear_error();
          peer_gone("");
        } else {
          TerminateTls("read", ssl_error);
        }
        return;
    }
  }
}

bool Connection::TurnCapped() {
  const std::size_t cap = limits_.max_messages_per_turn;
  if (cap == 0) return false;
  if (delivery_turn_ != loop_.turn()) {
    delivery_turn_ = loop_.turn();
    delivered_this_turn_ = 0;
  }
  return delivered_this_turn_ >= cap;
}

void Connection::DeliverMessages() {
  while (state_ == State::kOpen && !ReadingPaused() && !Orphaned()) {
    if (TurnCapped()) {
      ScheduleResume();  // the next turn delivers the rest, then reads
      return;
    }
    std::string_view message;
    const Framer::Status st = framer_.Next(&message);
    if (st == Framer::Status::kNeedMore) return;
    if (st == Framer::Status::kError) {
      Terminate({CloseCause::kFraming, framer_.ErrorText(), framer_.error()},
                /*reset=*/true);
      return;
    }
    if (framer_.messages() == 1) CancelTimer(first_message_timer_);
    ++delivered_this_turn_;
    if (callbacks_.on_message) callbacks_.on_message(*this, message);
  }
}

bool Connection::Queue(std::string_view bytes) {
  assert(loop_.InLoopThread() && "Connection is loop-thread only");
  if (state_ == State::kClosing || state_ == State::kClosed) return false;
  const std::size_t queued = outbound_bytes();
  if (queued + bytes.size() > limits_.max_outbound_bytes) {
    Terminate({CloseCause::kSlowConsumer,
               "slow consumer: " + std::to_string(queued + bytes.size()) +
                   " bytes queued for a peer that does not read (limit " +
                   std::to_string(limits_.max_outbound_bytes) + ")"},
              /*reset=*/true);
    return false;
  }
  if (queued == 0) {
    // The stall clock starts when bytes start to wait. The clock is read
    // here, not the loop turn's: an owner may queue long after the turn began.
    last_progress_ = Clock::now();
    out_.clear();
    out_start_ = 0;
  }
  out_.append(bytes);
  CheckBacklog();
  return true;
}

bool Connection::Send(std::string_view bytes) {
  if (!Queue(bytes)) return false;
  Flush();
  return state_ != State::kClosed;
}

void Connection::Flush() {
  assert(loop_.InLoopThread() && "Connection is loop-thread only");
  if (state_ != State::kOpen && state_ != State::kClosing) return;
  DoWrite();
  UpdateInterest();
}

void Connection::DoWrite() {
  while (out_start_ < out_.size()) {
    const std::size_t size = std::min(out_.size() - out_start_, kMaxWrite);
    const char* data = out_.data() + out_start_;
    ssize_t n;
    if (ssl_ != nullptr) {
      ERR_clear_error();
      errno = 0;
      const int rc = SSL_write(ssl_.get(), data, static_cast<int>(size));
      n = rc;
      if (rc <= 0) {
        const int ssl_error = SSL_get_error(ssl_.get(), rc);
        if (ssl_error == SSL_ERROR_WANT_WRITE) {
          write_wants_read_ = false;
          break;
        }
        if (ssl_error == SSL_ERROR_WANT_READ) {
          write_wants_read_ = true;
          break;
        }
        TerminateTls("write", ssl_error);
        return;
      }
    } else {
      n = ::send(fd_.get(), data, size, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        Terminate({CloseCause::kSocketError,
                   std::string("send: ") + std::strerror(errno)},
                  /*reset=*/true);
        return;
      }
    }
    write_wants_read_ = false;
    const auto sent = static_cast<std::size_t>(n);
    out_start_ += sent;
    bytes_sent_ += sent;
    last_progress_ = last_send_ = Clock::now();
  }
  CheckBacklog();
  if (out_start_ == out_.size()) {
    out_.clear();
    out_start_ = 0;
    // The stall timer stays armed: it finds the buffer empty and ends, and
    // a buffer that fills and drains often costs one timer, not one each time.
    if (state_ == State::kClosing) ProceedClose();
    return;
  }
  // Keep the unsent tail at the front once the sent part dominates.
  if (out_start_ >= out_.size() - out_start_) {
    out_.erase(0, out_start_);
    out_start_ = 0;
  }
  ArmStallTimer();
}

void Connection::ArmStallTimer() {
  if (stall_timer_ != 0 || limits_.send_stall_timeout.count() <= 0) return;
  std::weak_ptr<Connection> weak = Weak();
  stall_timer_ =
      loop_.ScheduleAt(last_progress_ + limits_.send_stall_timeout, [weak] {
        auto self = weak.lock();
        if (!self) return;
        self->stall_timer_ = 0;
        if (self->state_ == State::kClosed || self->outbound_bytes() == 0) {
          return;
        }
        if (Clock::now() - self->last_progress_ >=
            self->limits_.send_stall_timeout) {
          self->Terminate(
              {CloseCause::kSendStall,
               "send made no progress for " +
                   Millis(self->limits_.send_stall_timeout) + " with " +
                   std::to_string(self->outbound_bytes()) +
                   " bytes queued (the peer does not read)"},
              /*reset=*/true);
          return;
        }
        self->ArmStallTimer();  // progress since: wait from the last one
      });
}

void Connection::Close(std::string reason) {
  assert(loop_.InLoopThread() && "Connection is loop-thread only");
  if (state_ == State::kClosing || state_ == State::kClosed) return;
  if (state_ != State::kOpen) {
    // Nothing was exchanged yet: nothing to flush.
    Terminate({CloseCause::kClosedLocally, std::move(reason)}, /*reset=*/true);
    return;
  }
  state_ = State::kClosing;
  close_reason_ = std::move(reason);
  std::weak_ptr<Connection> weak = Weak();
  close_timer_ = loop_.ScheduleAfter(limits_.close_timeout, [weak] {
    auto self = weak.lock();
    if (!self) return;
    self->close_timer_ = 0;
    self->Terminate({CloseCause::kClosedLocally,
                     self->close_reason_ + " (close not completed within " +
                         Millis(self->limits_.close_timeout) + ")"},
                    /*reset=*/true);
  });
  DoWrite();  // ends in ProceedClose() once the buffer is empty
  UpdateInterest();
}

void Connection::ProceedClose() {
  if (ssl_ != nullptr && !tls_shutdown_sent_) {
    ERR_clear_error();
    const int rc = SSL_shutdown(ssl_.get());
    if (rc < 0 && SSL_get_error(ssl_.get(), rc) == SSL_ERROR_WANT_WRITE) {
      write_wants_read_ = false;
      // Retried on writability: an empty buffer with no FIN sent yet.
      return;
    }
    ERR_clear_error();
    tls_shutdown_sent_ = true;
  }
  if (!fin_sent_) {
    // After close_notify: OpenSSL writes nothing once it has sent it.
    (void)::shutdown(fd_.get(), SHUT_WR);
    fin_sent_ = true;
  }
  // Now DoRead() discards until the peer's FIN (or close_timeout).
}

void Connection::Abort(std::string reason) {
  assert(loop_.InLoopThread() && "Connection is loop-thread only");
  Terminate({CloseCause::kAborted, std::move(reason)}, /*reset=*/true);
}

void Connection::PauseReading() {
  assert(loop_.InLoopThread() && "Connection is loop-thread only");
  read_paused_ = true;
  UpdateInterest();
}

void Connection::ResumeReading() {
  assert(loop_.InLoopThread() && "Connection is loop-thread only");
  if (!read_paused_) return;
  read_paused_ = false;
  ScheduleResume();
}

void Connection::CheckBacklog() {
  const std::size_t above = limits_.pause_reading_above_bytes;
  if (above == 0) return;
  const std::size_t backlog = outbound_bytes();
  if (!backlog_paused_ && backlog > above) {
    backlog_paused_ = true;
    UpdateInterest();
  } else if (backlog_paused_ && backlog <= above / 4) {
    backlog_paused_ = false;
    ScheduleResume();
  }
}

void Connection::ScheduleResume() {
  if (ReadingPaused() || state_ != State::kOpen || soon_timer_ != 0) {
    UpdateInterest();
    return;
  }
  // Messages framed before the pause are delivered first, at the next turn
  // (not from inside this call).
  std::weak_ptr<Connection> weak = Weak();
  soon_timer_ = loop_.ScheduleAfter(EventLoop::Clock::duration::zero(), [weak] {
    auto self = weak.lock();
    if (!self) return;
    self->soon_timer_ = 0;
    self->DeliverMessages();
    // Bytes held by OpenSSL, or left on the socket by a capped turn.
    self->DoRead();
    self->UpdateInterest();
  });
  UpdateInterest();
}

void Connection::UpdateInterest() {
  std::uint32_t want = 0;
  const bool pending = outbound_bytes() > 0;
  switch (state_) {
    case State::kClosed:
    case State::kStarting:
      return;
    case State::kConnecting:
      want = EventLoop::kWrite;
      break;
    case State::kHandshaking:
      want = handshake_want_;
      break;
    case State::kOpen:
      if (!ReadingPaused()) want |= EventLoop::kRead;
      if (read_wants_write_) want |= EventLoop::kWrite;
      if (pending) {
        want |= write_wants_read_ ? EventLoop::kRead : EventLoop::kWrite;
      }
      break;
    case State::kClosing:
      want |= EventLoop::kRead;  // discard until the peer's FIN
      if (pending || (ssl_ != nullptr && !tls_shutdown_sent_)) {
        want |= EventLoop::kWrite;
      }
      break;
  }
  if (want != interest_) {
    interest_ = want;
    (void)loop_.Modify(fd_.get(), want);
  }
}

void Connection::Terminate(CloseReason reason, bool reset) {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  for (EventLoop::TimerId* id : {&first_message_timer_, &connect_timer_,
                                 &stall_timer_, &close_timer_, &soon_timer_}) {
    CancelTimer(*id);
  }
  loop_.Remove(fd_.get());
  ssl_.reset();  // frees the SSL and its socket BIO on every path
  if (reset) {
    const linger abort{1, 0};
    (void)::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  }
  fd_.Reset();
  out_.clear();
  out_.shrink_to_fit();
  out_start_ = 0;
  // Later, so that no owner's call (Send, Close) runs on_close inside it;
  // the closure keeps this connection alive until it has run.
  loop_.ScheduleAfter(EventLoop::Clock::duration::zero(),
                      [self = shared_from_this(), r = std::move(reason)] {
                        ConnectionCallbacks callbacks =
                            std::move(self->callbacks_);
                        self->callbacks_ = {};
                        if (callbacks.on_close) callbacks.on_close(*self, r);
                      });
}

std::string Connection::TlsVersion() const {
  if (ssl_ == nullptr) return "";
  return SSL_get_version(ssl_.get());
}

std::string Connection::PeerCertificateSubject() const {
  if (ssl_ == nullptr) return "";
  X509* cert = SSL_get0_peer_certificate(ssl_.get());
  if (cert == nullptr) return "";
  char text[512];
  X509_NAME_oneline(X509_get_subject_name(cert), text, sizeof text);
  return text;
}

}  // namespace fixgw::net
