// Test-only: throwaway certificates made in-process with OpenSSL's X509
// API, once per test binary, in a private temp directory removed at exit.
// A CA with server ("localhost", IP 127.0.0.1) and client certificates, and
// a second unrelated CA with its own server and client certificates. EC
// P-256 keys (fast to make). Not thread-safe to create; read-only after.
#pragma once

#include <string>

namespace fixgw::net::testing {

struct TestPki {
  std::string dir;
  std::string ca_cert;
  std::string server_cert, server_key;
  std::string client_cert, client_key;
  std::string other_ca_cert;
  std::string other_server_cert, other_server_key;
  std::string other_client_cert, other_client_key;
  std::string error;  // non-empty if making them failed
};

const TestPki& SharedTestPki();

}  // namespace fixgw::net::testing
