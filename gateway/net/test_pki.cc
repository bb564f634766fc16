#include "gateway/net/internal/test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace fixgw::net::testing {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

Key NewKey() { return Key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

bool AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// issuer == nullptr: self-signed CA.
Cert MakeCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key,
              bool ca, const char* san) {
  static long serial = 1;
  Cert cert(X509_new());
  if (!cert) return nullptr;
  X509* x = cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(
      name, "O", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>("fixgw test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn), -1, -1,
                             0);
  X509_set_issuer_name(
      x, issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509* signer_cert = issuer != nullptr ? issuer : x;
  bool ok =
      AddExt(x, signer_cert, NID_basic_constraints,
             ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
      AddExt(x, signer_cert, NID_subject_key_identifier, "hash") &&
      AddExt(x, signer_cert, NID_authority_key_identifier, "keyid:always");
  if (ca) {
    ok = ok &&
         AddExt(x, signer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    ok = ok &&
         AddExt(x, signer_cert, NID_key_usage, "critical,digitalSignature") &&
         AddExt(x, signer_cert, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  if (san != nullptr)
    ok = ok && AddExt(x, signer_cert, NID_subject_alt_name, san);
  if (!ok) return nullptr;
  if (X509_sign(x, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) ==
      0) {
    return nullptr;
  }
  return cert;
}

bool WriteCert(const std::string& path, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  const bool ok = PEM_write_X509(f, cert) == 1;
  return std::fclose(f) == 0 && ok;
}

bool WriteKey(const std::string& path, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  const bool ok =
      PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  return std::fclose(f) == 0 && ok;
}

struct PkiHolder {
  TestPki pki;
  PkiHolder() {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") +
                        "/fixgw-net-pki-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) {
      pki.error = "mkdtemp failed";
      return;
    }
    pki.dir = templ;
    auto path = [&](const char* name) { return pki.dir + "/" + name; };
    pki.ca_cert = path("ca.pem");
    pki.server_cert = path("server.pem");
    pki.server_key = path("server.key");
    pki.client_cert = path("client.pem");
    pki.client_key = path("client.key");
    pki.other_ca_cert = path("other-ca.pem");
    pki.other_server_cert = path("other-server.pem");
    pki.other_server_key = path("other-server.key");
    pki.other_client_cert = path("other-client.pem");
    pki.other_client_key = path("other-client.key");

    const char* kServerSan = "DNS:localhost,IP:127.0.0.1";
    for (int which = 0; which < 2; ++which) {
      const bool other = which == 1;
      Key ca_key = NewKey(), server_key = NewKey(), client_key = NewKey();
      if (!ca_key || !server_key || !client_key) {
        pki.error = "key generation failed";
        return;
      }
      Cert ca = MakeCert(ca_key.get(), other ? "other test CA" : "test CA",
                         nullptr, nullptr, true, nullptr);
      if (!ca) {
        pki.error = "CA certificate failed";
        return;
      }
      Cert server = MakeCert(server_key.get(), "localhost", ca.get(),
                             ca_key.get(), false, kServerSan);
      Cert client =
          MakeCert(client_key.get(), other ? "other client" : "client1",
                   ca.get(), ca_key.get(), false, nullptr);
      if (!server || !client) {
        pki.error = "leaf certificate failed";
        return;
      }
      const bool ok =
          WriteCert(other ? pki.other_ca_cert : pki.ca_cert, ca.get()) &&
          WriteCert(other ? pki.other_server_cert : pki.server_cert,
                    server.get()) &&
          WriteKey(other ? pki.other_server_key : pki.server_key,
                   server_key.get()) &&
          WriteCert(other ? pki.other_client_cert : pki.client_cert,
                    client.get()) &&
          WriteKey(other ? pki.other_client_key : pki.client_key,
                   client_key.get());
      if (!ok) {
        pki.error = "writing PEM files failed";
        return;
      }
    }
  }
  ~PkiHolder() {
    if (!pki.dir.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(pki.dir, ignored);
    }
  }
};

}  // namespace

const TestPki& SharedTestPki() {
  static PkiHolder holder;
  return holder.pki;
}

}  // namespace fixgw::net::testing
