#include "gateway/fix/tls.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace fixgw::fix {
namespace {

constexpr const char* kUseSsl = "SocketUseSSL";
constexpr const char* kProtocol = "SSLProtocol";
constexpr const char* kCiphers = "SSLCipherSuite";
constexpr const char* kServerCert = "ServerCertificateFile";
constexpr const char* kServerKey = "ServerCertificateKeyFile";
constexpr const char* kClientCert = "ClientCertificateFile";
constexpr const char* kClientKey = "ClientCertificateKeyFile";
constexpr const char* kCaFile = "CertificationAuthoritiesFile";
constexpr const char* kVerifyLevel = "CertificateVerifyLevel";

// Every key LiftTls moves into the side's defaults. The CA directory and
// revocation lists QuickFIX also reads are passed on unchecked.
const std::vector<const char*>& TlsKeys() {
  static const std::vector<const char*> keys = {
      kUseSsl,
      kProtocol,
      kCiphers,
      kServerCert,
      kServerKey,
      kClientCert,
      kClientKey,
      kCaFile,
      kVerifyLevel,
      "CertificationAuthoritiesDirectory",
      "CertificateRevocationListFile",
      "CertificateRevocationListDirectory"};
  return keys;
}

Status KeyError(const std::string& origin, const std::string& key,
                const std::string& value, const std::string& why) {
  return Status::InvalidArgument(origin + ": " + key + "=" + value + ": " +
                                 why);
}

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "not PEM";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

Result<File> OpenPem(const std::string& origin, const char* key,
                     const std::string& path) {
  File f(std::fopen(path.c_str(), "r"));
  if (!f) {
    return KeyError(origin, key, path,
                    std::string("cannot read: ") + std::strerror(errno));
  }
  return f;
}

// The file's first certificate; a CA file must hold at least one.
Result<X509*> ReadCert(const std::string& origin, const char* key,
                       const std::string& path) {
  auto f = OpenPem(origin, key, path);
  if (!f.ok()) return f.status();
  X509* cert = PEM_read_X509(f->get(), nullptr, nullptr, nullptr);
  if (cert == nullptr) {
    return KeyError(origin, key, path,
                    "not a PEM certificate (" + OpenSslError() + ")");
  }
  return cert;
}

Status CheckCertAndKey(const std::string& origin, const FIX::Dictionary& d,
                       const char* cert_key, const char* key_key) {
  const std::string cert_path = d.getString(cert_key);
  auto cert = ReadCert(origin, cert_key, cert_path);
  if (!cert.ok()) return cert.status();
  std::unique_ptr<X509, decltype(&X509_free)> cert_owner(*cert, &X509_free);
  const int type = EVP_PKEY_base_id(X509_get0_pubkey(*cert));
  if (type != EVP_PKEY_RSA && type != EVP_PKEY_DSA) {
    return KeyError(origin, cert_key, cert_path,
                    "not an RSA certificate (QuickFIX 1.15.1 loads only RSA "
                    "and DSA keys)");
  }
  // QuickFIX reads the key from the certificate file when no key file is set.
  const char* from = d.has(key_key) ? key_key : cert_key;
  const std::string key_path = d.getString(from);
  auto f = OpenPem(origin, from, key_path);
  if (!f.ok()) return f.status();
  EVP_PKEY* pkey = PEM_read_PrivateKey(f->get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) {
    return KeyError(origin, from, key_path,
                    "no unencrypted PEM private key (" + OpenSslError() + ")");
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_owner(pkey,
                                                                &EVP_PKEY_free);
  if (X509_check_private_key(*cert, pkey) != 1) {
    ERR_clear_error();
    return KeyError(origin, from, key_path,
                    "does not match the certificate in " + cert_path);
  }
  return Status::Ok();
}

// QuickFIX's SSLProtocol grammar: tokens SSLv2 SSLv3 TLSv1 TLSv1_1 TLSv1_2
// all, each optionally prefixed + (add) or - (remove); a bare token
// replaces the set. Returns the enabled set as bits, or -1 if malformed.
// TLS 1.3 is not in the grammar: OpenSSL 3 always allows it.
int ProtocolBits(const std::string& spec) {
  constexpr int kSsl2 = 1, kSsl3 = 2, kTls1 = 4, kTls11 = 8, kTls12 = 16;
  constexpr int kAll = kSsl2 | kSsl3 | kTls1 | kTls11 | kTls12;
  int bits = 0;
  size_t i = 0;
  while (i < spec.size()) {
    while (i < spec.size() && (spec[i] == ' ' || spec[i] == '\t')) ++i;
    if (i == spec.size()) break;
    char action = 0;
    if (spec[i] == '+' || spec[i] == '-') action = spec[i++];
    size_t end = spec.find_first_of(" \t", i);
    std::string word = spec.substr(i, end == std::string::npos ? end : end - i);
    i = end == std::string::npos ? spec.size() : end;
    for (char& c : word) c = static_cast<char>(std::tolower(c));
    int bit = word == "sslv2"     ? kSsl2
              : word == "sslv3"   ? kSsl3
              : word == "tlsv1"   ? kTls1
              : word == "tlsv1_1" ? kTls11
              : word == "tlsv1_2" ? kTls12
              : word == "all"     ? kAll
                                  : -1;
    if (bit < 0) return -1;
    if (action == '-') {
      bits &= ~bit;
    } else if (action == '+') {
      bits |= bit;
    } else {
      bits = bit;
    }
  }
  return bits;
}

Status CheckSide(const FIX::Dictionary& d, bool acceptor,
                 const std::string& origin) {
  const std::string protocol = d.getString(kProtocol);
  const int bits = ProtocolBits(protocol);
  if (bits < 0) {
    return KeyError(origin, kProtocol, protocol,
                    "unknown protocol (use TLSv1_2: TLS 1.2 and 1.3)");
  }
  if ((bits & ~16) != 0) {
    return KeyError(origin, kProtocol, protocol,
                    "enables a protocol below TLS 1.2");
  }
  if (d.has(kCiphers)) {
    const std::string ciphers = d.getString(kCiphers);
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(
        SSL_CTX_new(TLS_method()), &SSL_CTX_free);
    if (!ctx || SSL_CTX_set_cipher_list(ctx.get(), ciphers.c_str()) != 1) {
      ERR_clear_error();
      return KeyError(origin, kCiphers, ciphers,
                      "OpenSSL accepts none of these ciphers");
    }
  }
  if (d.has(kCaFile)) {
    auto ca = ReadCert(origin, kCaFile, d.getString(kCaFile));
    if (!ca.ok()) return ca.status();
    X509_free(*ca);
  }
  if (acceptor) {
    if (!d.has(kServerCert)) {
      return Status::InvalidArgument(origin + ": " + kUseSsl +
                                     "=Y on the acceptor side needs " +
                                     kServerCert);
    }
    if (Status st = CheckCertAndKey(origin, d, kServerCert, kServerKey);
        !st.ok()) {
      return st;
    }
    if (d.has(kVerifyLevel)) {
      const std::string level = d.getString(kVerifyLevel);
      if (level != "0" && level != "1") {
        return KeyError(origin, kVerifyLevel, level,
                        "must be 0 (no client certificate) or 1 (required)");
      }
      if (level == "1" && !d.has(kCaFile)) {
        return KeyError(origin, kVerifyLevel, level,
                        std::string("needs ") + kCaFile +
                            " (the CAs client certificates must chain to)");
      }
    }
  } else {
    if (!d.has(kCaFile)) {
      return Status::InvalidArgument(
          origin + ": " + kUseSsl + "=Y on the initiator side needs " +
          kCaFile + " (the CAs the peer's certificate must chain to)");
    }
    if (d.has(kClientCert)) {
      if (Status st = CheckCertAndKey(origin, d, kClientCert, kClientKey);
          !st.ok()) {
        return st;
      }
    } else if (d.has(kClientKey)) {
      return Status::InvalidArgument(origin + ": " + kClientKey +
                                     " is set without " + kClientCert);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<bool> LiftTls(FIX::SessionSettings& settings, bool acceptor,
                     const std::string& origin) {
  try {
    FIX::Dictionary defaults = settings.get();
    const std::set<FIX::SessionID> sessions = settings.getSessions();
    if (sessions.empty()) return false;  // no connector on this side
    for (const char* key : TlsKeys()) {
      std::string value;
      bool found = false;
      for (const FIX::SessionID& id : sessions) {
        const FIX::Dictionary& d = settings.get(id);
        const std::string v = d.has(key) ? d.getString(key) : "";
        if (!found) {
          value = v;
          found = true;
        } else if (v != value) {
          return Status::InvalidArgument(
              origin + ": " + key + " differs between the " +
              (acceptor ? "acceptor" : "initiator") +
              " sessions; QuickFIX applies one value per side (session " +
              id.toString() + " has '" + v + "', another '" + value + "')");
        }
      }
      if (found && !value.empty()) defaults.setString(key, value);
    }
    const std::string use =
        defaults.has(kUseSsl) ? defaults.getString(kUseSsl) : "N";
    if (use != "Y" && use != "N") {
      return KeyError(origin, kUseSsl, use, "must be Y or N");
    }
    if (use == "N") {
      for (const char* key : TlsKeys()) {
        if (std::string(key) != kUseSsl && defaults.has(key)) {
          return Status::InvalidArgument(origin + ": " + key +
                                         " is set but SocketUseSSL is not Y");
        }
      }
      return false;
    }
    if (!defaults.has(kProtocol)) defaults.setString(kProtocol, "TLSv1_2");
    if (Status st = CheckSide(defaults, acceptor, origin); !st.ok()) return st;
    settings.set(defaults);
    return true;
  } catch (const FIX::ConfigError& e) {
    return Status::InvalidArgument(origin + ": " + e.what());
  }
}

}  // namespace fixgw::fix
