#include "tests/harness/tls_peer.h"

#include "gateway/net/tls_context.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace fixgw::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Bytes handed to one SSL_write: a retry after WANT_WRITE must pass the
// same length, so it is fixed, not what is left.
constexpr size_t kMaxWrite = 64 * 1024;

// The oldest queued OpenSSL error (or `fallback`), the queue cleared: the
// transport's own wording, so the test and fixgw name errors alike.
using net::TakeOpenSslError;

// OpenSSL's socket BIO writes with write(2), which raises SIGPIPE (ending
// the test) on a connection the server has reset. Each OpenSSL call that
// may write runs with SIGPIPE blocked on this thread, and one raised
// meanwhile is discarded: the write fails with EPIPE instead. Nothing
// process-wide changes (the programs the tests start keep SIGPIPE as is).
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlocked() {
    sigset_t pending;
    sigemptyset(&pending);
    if (!sigismember(&old_, SIGPIPE) && sigpending(&pending) == 0 &&
        sigismember(&pending, SIGPIPE)) {
      const timespec zero{};
      (void)sigtimedwait(&pipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
};

}  // namespace

std::shared_ptr<const TlsClientContext> TlsClientContext::Create(
    const TlsClientOptions& options, std::string* error) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) {
    *error = TakeOpenSslError("SSL_CTX_new failed");
    return nullptr;
  }
  std::shared_ptr<const TlsClientContext> holder(new TlsClientContext(ctx));
  if (options.max_version != 0) {
    // OpenSSL 3 refuses TLS 1.1 at its default security level; this client
    // must offer it so that the server is the one refusing.
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_cipher_list(ctx, "DEFAULT@SECLEVEL=0");
    SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
    SSL_CTX_set_max_proto_version(ctx, options.max_version);
  } else {
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  }
  // A send that the socket takes only in part returns what went, and its
  // retry may come from a buffer that moved.
  SSL_CTX_set_mode(
      ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (!options.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) !=
        1) {
      *error = "CA file " + options.ca_file + ": " + TakeOpenSslError("not PEM");
      return nullptr;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  if (!options.certificate_file.empty()) {
    if (SSL_CTX_use_certificate_file(ctx, options.certificate_file.c_str(),
                                     SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, options.private_key_file.c_str(),
                                    SSL_FILETYPE_PEM) != 1) {
      *error = "client certificate " + options.certificate_file + ": " +
               TakeOpenSslError("not PEM");
      return nullptr;
    }
  }
  return holder;
}

TlsClientContext::~TlsClientContext() { SSL_CTX_free(ctx_); }

TlsPeer::TlsPeer(int port, std::shared_ptr<const TlsClientContext> context,
                 int receive_buffer)
    : context_(std::move(context)) {
  if (context_ == nullptr) return;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  if (receive_buffer > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer,
                 sizeof receive_buffer);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  ssl_ = SSL_new(context_->native());
  if (ssl_ == nullptr || SSL_set_fd(ssl_, fd) != 1) {
    ERR_clear_error();
    if (ssl_ != nullptr) SSL_free(ssl_);
    ssl_ = nullptr;
    ::close(fd);
    return;
  }
  SSL_set_connect_state(ssl_);
  fd_ = fd;
}

TlsPeer::~TlsPeer() { Close(); }

void TlsPeer::Close() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  ssl_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool TlsPeer::WaitFor(bool want_read, Clock::time_point deadline) const {
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  pollfd p{fd_, static_cast<short>(want_read ? POLLIN : POLLOUT), 0};
  const int wait = left.count() > 0 ? static_cast<int>(left.count()) : 0;
  return ::poll(&p, 1, wait) > 0;
}

bool TlsPeer::Handshake(std::chrono::milliseconds timeout) {
  if (handshake_ok_) return true;
  if (ssl_ == nullptr || handshake_failed_) return false;
  const auto deadline = Clock::now() + timeout;
  while (true) {
    SigpipeBlocked blocked;
    ERR_clear_error();
    errno = 0;
    const int rc = SSL_do_handshake(ssl_);
    if (rc == 1) {
      handshake_ok_ = true;
      return true;
    }
    const int error = SSL_get_error(ssl_, rc);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      if (!WaitFor(error == SSL_ERROR_WANT_READ, deadline)) return false;
      continue;
    }
    handshake_failed_ = true;
    const int sys = errno;
    handshake_error_ = TakeOpenSslError(sys != 0 ? std::strerror(sys)
                                          : "connection closed by the server");
    return false;
  }
}

bool TlsPeer::StartHandshake() {
  if (ssl_ == nullptr || handshake_ok_ || handshake_failed_) return false;
  // The ClientHello is made into memory and sent as raw bytes: over the
  // socket, OpenSSL would go on to finish the handshake whenever the
  // server's answer is already there when it looks (this thread preempted
  // between its write and its read).
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  if (in == nullptr || out == nullptr) {
    BIO_free(in);
    BIO_free(out);
    return false;
  }
  SSL_set_bio(ssl_, in, out);  // the SSL owns them; the fd stays open
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl_);
  const bool waiting =
      rc != 1 && SSL_get_error(ssl_, rc) == SSL_ERROR_WANT_READ;
  ERR_clear_error();
  char* hello = nullptr;
  const long size = BIO_get_mem_data(out, &hello);
  const std::string bytes(hello != nullptr ? hello : "",
                          static_cast<size_t>(size > 0 ? size : 0));
  // This peer never answers: no more TLS on it, only the socket.
  SSL_free(ssl_);
  ssl_ = nullptr;
  handshake_failed_ = true;
  handshake_error_ = "stopped after the ClientHello";
  if (!waiting || bytes.empty()) return false;
  return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
         static_cast<ssize_t>(bytes.size());
}

int64_t TlsPeer::Send(const std::string& bytes,
                      std::chrono::milliseconds timeout) {
  if (ssl_ == nullptr || closed_) return -1;
  const auto deadline = Clock::now() + timeout;
  if (!Handshake(timeout)) return -1;
  size_t off = 0;
  while (off < bytes.size()) {
    const size_t size = std::min(bytes.size() - off, kMaxWrite);
    SigpipeBlocked blocked;
    ERR_clear_error();
    errno = 0;
    const int n = SSL_write(ssl_, bytes.data() + off, static_cast<int>(size));
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    const int error = SSL_get_error(ssl_, n);
    ERR_clear_error();
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      if (!WaitFor(error == SSL_ERROR_WANT_READ, deadline)) break;
      continue;
    }
    // Reset or closed by the server: nothing more goes.
    closed_ = true;
    break;
  }
  return off == 0 && closed_ ? -1 : static_cast<int64_t>(off);
}

void TlsPeer::Receive(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (ssl_ != nullptr && !closed_) {
    char buf[65536];
    SigpipeBlocked blocked;  // a read may answer with an alert
    ERR_clear_error();
    const int n = SSL_read(ssl_, buf, sizeof buf);
    if (n > 0) {
      received_.append(buf, static_cast<size_t>(n));
      continue;
    }
    const int error = SSL_get_error(ssl_, n);
    ERR_clear_error();
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      if (!WaitFor(error == SSL_ERROR_WANT_READ, deadline)) break;
      continue;
    }
    // close_notify, a FIN, a reset or an alert: the server is gone.
    closed_ = true;
  }
}

bool TlsPeer::WaitClosed(std::chrono::milliseconds timeout) {
  if (ssl_ == nullptr) return ClosedWithoutReading(timeout);  // no TLS left
  Receive(timeout);
  return closed_;
}

bool TlsPeer::ClosedWithoutReading(std::chrono::milliseconds timeout) {
  if (fd_ < 0 || closed_) return true;
  pollfd p{fd_, POLLRDHUP, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

}  // namespace fixgw::testing
