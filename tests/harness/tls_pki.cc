#include "tests/harness/tls_pki.h"

#include <chrono>
#include <vector>

#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

bool MakePki(const TempDir& dir, std::string* error) {
  const std::string d = dir.path() + "/";
  const std::string log = d + "openssl.log";
  auto run = [&](std::vector<std::string> argv) {
    if (RunToCompletion(std::move(argv), log, std::chrono::seconds(60)) == 0) {
      return true;
    }
    *error = "openssl failed:\n" + ReadFile(log);
    return false;
  };
  for (const char* ca : {"ca", "other-ca"}) {
    if (!run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048",
              "-nodes", "-days", "2", "-subj",
              std::string("/CN=fixgw test ") + ca, "-keyout", d + ca + ".key",
              "-out", d + ca + ".pem"})) {
      return false;
    }
  }
  struct Leaf {
    const char* name;
    const char* ca;
  };
  for (Leaf leaf : {Leaf{"server", "ca"}, Leaf{"exchange", "ca"},
                    Leaf{"client", "ca"}, Leaf{"other-client", "other-ca"}}) {
    const std::string n = d + leaf.name;
    if (!run({"/usr/bin/openssl", "req", "-newkey", "rsa:2048", "-nodes",
              "-subj", std::string("/CN=") + leaf.name, "-keyout", n + ".key",
              "-out", n + ".csr"}) ||
        !run({"/usr/bin/openssl", "x509", "-req", "-days", "2", "-in",
              n + ".csr", "-CA", d + leaf.ca + ".pem", "-CAkey",
              d + leaf.ca + ".key", "-CAcreateserial", "-out", n + ".pem"})) {
      return false;
    }
  }
  return true;
}

}  // namespace

const TlsPki& SharedTlsPki() {
  // Destroyed at exit in reverse order: the description, then the files.
  static const TempDir dir;
  static const TlsPki pki = [] {
    TlsPki p;
    p.dir = dir.path();
    MakePki(dir, &p.error);
    return p;
  }();
  return pki;
}

void ConfigureTls(const TlsPki& pki, Cluster& cluster) {
  cluster.sim_extra =
      "SocketUseSSL=Y\nServerCertificateFile=" + pki.Pem("exchange.pem") +
      "\nServerCertificateKeyFile=" + pki.Pem("exchange.key") + "\n";
  cluster.broker_session_extra =
      "SocketUseSSL=Y\nServerCertificateFile=" + pki.Pem("server.pem") +
      "\nServerCertificateKeyFile=" + pki.Pem("server.key") +
      "\nCertificationAuthoritiesFile=" + pki.Pem("ca.pem") +
      "\nCertificateVerifyLevel=1\n"
      "SSLCipherSuite=ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-"
      "SHA384\n";
  cluster.exchange_session_extra =
      "SocketUseSSL=Y\nCertificationAuthoritiesFile=" + pki.Pem("ca.pem") +
      "\n";
}

}  // namespace fixgw::testing
