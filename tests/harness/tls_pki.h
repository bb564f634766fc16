// Throwaway certificates for TLS tests, made once per test binary with the
// openssl command in a temporary directory removed at exit (nothing is
// committed): a CA ("ca"), leaves signed by it for fixgw's broker side
// ("server"), fixsim ("exchange") and a broker ("client"), and a second CA
// ("other-ca") with its own client ("other-client"). Each NAME has
// NAME.pem and NAME.key. RSA 2048: fixload's initiator is QuickFIX's SSL
// code, which loads only RSA and DSA keys.
// Not thread-safe to create; read-only after.
#pragma once

#include <string>

#include "tests/harness/cluster.h"
#include "tests/harness/tls_peer.h"

namespace fixgw::testing {

struct TlsPki {
  std::string dir;
  std::string error;  // non-empty if making them failed
  // The path of `file` ("ca.pem", "client.key", ...).
  std::string Pem(const std::string& file) const { return dir + "/" + file; }
  // A broker's client: verifies fixgw against ca, presents `client`.
  TlsClientOptions BrokerClient() const {
    return {Pem("ca.pem"), Pem("client.pem"), Pem("client.key")};
  }
};

const TlsPki& SharedTlsPki();

// TLS on both sides of `cluster`: fixgw's broker acceptors present
// `server` and require a client certificate from `ca`, TLS 1.2 ciphers
// ECDHE-RSA with AES-GCM; fixsim presents `exchange`, which fixgw's
// exchange session verifies. Replaces sim_extra, broker_session_extra and
// exchange_session_extra (append to them afterwards).
void ConfigureTls(const TlsPki& pki, Cluster& cluster);

}  // namespace fixgw::testing
