#include "gateway/net/tls_context.h"

#include <openssl/err.h>

namespace fixgw::net {
namespace {

struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxDeleter>;

Status FileError(const std::string& what, const std::string& path) {
  return Status::InvalidArgument(what + " " + path + ": " +
                                 TakeOpenSslError("unreadable or not PEM"));
}

// What both sides share: the method, the version floor, the options.
Result<CtxPtr> NewContext(bool server, const std::string& cipher_list) {
  ERR_clear_error();
  CtxPtr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
  if (!ctx) return Status::Internal(TakeOpenSslError("SSL_CTX_new failed"));
  if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1) {
    return Status::Internal(TakeOpenSslError("cannot set TLS 1.2 minimum"));
  }
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION |
                                     SSL_OP_NO_COMPRESSION |
                                     SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Partial writes and a moving buffer: the connection's outbound buffer
  // may be compacted or grown between a WANT_WRITE and the retry.
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE |
                                  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                  SSL_MODE_RELEASE_BUFFERS);
  if (!cipher_list.empty() &&
      SSL_CTX_set_cipher_list(ctx.get(), cipher_list.c_str()) != 1) {
    return Status::InvalidArgument("cipher list '" + cipher_list + "': " +
                                   TakeOpenSslError("no usable cipher"));
  }
  return ctx;
}

Status LoadCertificate(SSL_CTX* ctx, const std::string& cert,
                       const std::string& key) {
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) {
    return FileError("certificate", cert);
  }
  const std::string& key_path = key.empty() ? cert : key;
  if (SSL_CTX_use_PrivateKey_file(ctx, key_path.c_str(), SSL_FILETYPE_PEM) !=
      1) {
    return FileError("private key", key_path);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Status::InvalidArgument("private key " + key_path +
                                   " does not match the certificate " + cert);
  }
  return Status::Ok();
}

Status LoadCa(SSL_CTX* ctx, const std::string& ca) {
  if (SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1) {
    return FileError("CA file", ca);
  }
  return Status::Ok();
}

}  // namespace

std::string TakeOpenSslError(const std::string& fallback) {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return fallback;
  char text[256];
  ERR_error_string_n(e, text, sizeof text);
  return text;
}

Result<std::shared_ptr<TlsContext>> TlsContext::Server(
    const TlsServerOptions& options) {
  if (options.certificate_file.empty()) {
    return Status::InvalidArgument("a TLS server needs a certificate file");
  }
  if (options.require_client_certificate && options.ca_file.empty()) {
    return Status::InvalidArgument(
        "requiring client certificates needs a CA file");
  }
  auto ctx = NewContext(/*server=*/true, options.cipher_list);
  if (!ctx.ok()) return ctx.status();
  if (Status st = LoadCertificate(ctx->get(), options.certificate_file,
                                  options.private_key_file);
      !st.ok()) {
    return st;
  }
  if (!options.ca_file.empty()) {
    if (Status st = LoadCa(ctx->get(), options.ca_file); !st.ok()) return st;
    STACK_OF(X509_NAME)* names =
        SSL_load_client_CA_file(options.ca_file.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(ctx->get(), names);
  }
  SSL_CTX_set_verify(ctx->get(),
                     options.require_client_certificate
                         ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                         : SSL_VERIFY_NONE,
                     nullptr);
  // No session resumption state kept per client: nothing grows with churn.
  SSL_CTX_set_session_cache_mode(ctx->get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx->get(), 0);
  return std::shared_ptr<TlsContext>(new TlsContext(ctx->release(), true));
}

Result<std::shared_ptr<TlsContext>> TlsContext::Client(
    const TlsClientOptions& options) {
  if (options.ca_file.empty()) {
    return Status::InvalidArgument(
        "a TLS client needs a CA file (the server is always verified)");
  }
  auto ctx = NewContext(/*server=*/false, options.cipher_list);
  if (!ctx.ok()) return ctx.status();
  if (Status st = LoadCa(ctx->get(), options.ca_file); !st.ok()) return st;
  if (!options.certificate_file.empty()) {
    if (Status st = LoadCertificate(ctx->get(), options.certificate_file,
                                    options.private_key_file);
        !st.ok()) {
      return st;
    }
  } else if (!options.private_key_file.empty()) {
    return Status::InvalidArgument("private key " + options.private_key_file +
                                   " given without a certificate file");
  }
  SSL_CTX_set_verify(ctx->get(), SSL_VERIFY_PEER, nullptr);
  return std::shared_ptr<TlsContext>(new TlsContext(ctx->release(), false));
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

}  // namespace fixgw::net
