// A TLS client for tests, well-behaved or hostile: OpenSSL over a
// non-blocking TCP connection to 127.0.0.1. The handshake is a separate
// step (a peer may stop after its ClientHello, or handshake and then send
// nothing); sends never block the test (a peer the server stops reading
// must not hang it); a peer may never read and still see its connection
// cut. Every wait is bounded. Not thread-safe; one test thread uses a peer.
// Peers share a TlsClientContext (certificates loaded once); each peer
// holds a reference to it, so the caller may drop its own at any time.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace fixgw::testing {

struct TlsClientOptions {
  std::string ca_file{};           // PEM; the server is verified against it
  std::string certificate_file{};  // PEM; "" presents no client certificate
  std::string private_key_file{};
  // 0: TLS 1.2 and newer. Otherwise the newest version offered (e.g.
  // TLS1_1_VERSION, at OpenSSL's security level 0, so that the server is
  // the one refusing).
  int max_version = 0;
};

class TlsClientContext {
 public:
  // nullptr (and *error) if a file does not load.
  static std::shared_ptr<const TlsClientContext> Create(
      const TlsClientOptions& options, std::string* error);
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  SSL_CTX* native() const { return ctx_; }

 private:
  explicit TlsClientContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

class TlsPeer {
 public:
  // Connects (TCP only) to 127.0.0.1:port; `receive_buffer` > 0 sets
  // SO_RCVBUF (bytes) before connecting, so that a peer that never reads
  // fills up quickly.
  TlsPeer(int port, std::shared_ptr<const TlsClientContext> context,
          int receive_buffer = 0);
  ~TlsPeer();
  TlsPeer(const TlsPeer&) = delete;
  TlsPeer& operator=(const TlsPeer&) = delete;

  // The TCP connection was made (and not closed by Close()).
  bool connected() const { return fd_ >= 0; }
  // Runs the handshake until it completes, fails or `timeout` passes.
  // Under TLS 1.3 the client finishes first: a server that then refuses
  // the client's certificate says so on the next read (WaitClosed).
  bool Handshake(std::chrono::milliseconds timeout);
  // Sends the ClientHello and nothing more, ever: a handshake left
  // half-done (the server's answer stays unread). The peer then has no
  // TLS left: Handshake and Send fail, Receive reads nothing; Close and
  // ClosedWithoutReading work. False if even the ClientHello failed.
  bool StartHandshake();
  bool handshake_ok() const { return handshake_ok_; }
  // OpenSSL's reason when the handshake failed; "" otherwise.
  const std::string& handshake_error() const { return handshake_error_; }

  // Sends `bytes` as application data (inside TLS records) for as long as
  // the connection takes them within `timeout`, handshaking first if
  // needed; returns how many went (fewer when the server stopped reading
  // or closed; -1 if nothing could be sent).
  int64_t Send(const std::string& bytes, std::chrono::milliseconds timeout);
  // Reads (decrypts) what arrives within `timeout` into received(); stops
  // early once the server closed the connection.
  void Receive(std::chrono::milliseconds timeout);
  // True once the server closed the connection (reads within `timeout`).
  bool WaitClosed(std::chrono::milliseconds timeout);
  // True once the server closed or reset the connection (waits up to
  // `timeout`), found without reading: whatever it sent stays unread.
  bool ClosedWithoutReading(std::chrono::milliseconds timeout);
  const std::string& received() const { return received_; }
  // Abrupt: no close_notify; unread bytes make the kernel send a RST.
  void Close();

 private:
  // Waits for the socket to be readable (`want_read`) or writable until
  // `deadline`; false if the deadline passed.
  bool WaitFor(bool want_read,
               std::chrono::steady_clock::time_point deadline) const;

  std::shared_ptr<const TlsClientContext> context_;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool handshake_ok_ = false;
  bool handshake_failed_ = false;
  std::string handshake_error_;
  bool closed_ = false;
  std::string received_;
};

}  // namespace fixgw::testing
