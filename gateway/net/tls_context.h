// TlsContext: an OpenSSL SSL_CTX for the transport's TLS connections, built
// from plain file paths (PEM). No settings parsing: gateway/fix/tls.cc
// checks the QuickFIX-style keys and passes the paths here.
//
// Policy: TLS 1.2 at least (1.3 when both sides have it); renegotiation off
// (a peer could make the server redo handshakes at will); read buffers
// released while idle (idle connections then hold a few kB, not ~70 kB). A
// server may require a client certificate that chains to its CA file. A
// client always verifies the server's chain against its CA file and, when
// given a name, the name in the certificate.
//
// Thread-safety: immutable once built; SSL_CTX is reference-counted and may
// be shared by connections on any thread. Ownership: hold it in a
// shared_ptr; each Connection keeps one, so it outlives their SSL objects.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "gateway/core/result.h"

namespace fixgw::net {

struct TlsServerOptions {
  std::string certificate_file{};  // PEM, the server's certificate (chain)
  std::string private_key_file{};  // PEM, unencrypted; empty: in the cert file
  std::string ca_file{};           // PEM, CAs for client certificates
  bool require_client_certificate = false;  // needs ca_file
  std::string
      cipher_list{};  // TLS 1.2 ciphers (OpenSSL syntax); empty: default
};

struct TlsClientOptions {
  std::string ca_file{};  // PEM; required: the server is always verified
  std::string certificate_file{};  // optional client certificate
  std::string private_key_file{};  // empty: in the certificate file
  std::string cipher_list{};
};

class TlsContext {
 public:
  // Errors are one line naming the file and OpenSSL's reason.
  static Result<std::shared_ptr<TlsContext>> Server(
      const TlsServerOptions& options);
  static Result<std::shared_ptr<TlsContext>> Client(
      const TlsClientOptions& options);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* native() const { return ctx_; }
  bool is_server() const { return server_; }

 private:
  TlsContext(SSL_CTX* ctx, bool server) : ctx_(ctx), server_(server) {}

  SSL_CTX* ctx_;
  bool server_;
};

// The oldest error on this thread's OpenSSL error queue as text (or
// `fallback`), and the queue cleared.
std::string TakeOpenSslError(const std::string& fallback);

}  // namespace fixgw::net
