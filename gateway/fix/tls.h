// TLS per side of a QuickFIX settings file: which side uses QuickFIX's SSL
// connectors, and a check of the SSL keys before QuickFIX reads them.
//
// QuickFIX 1.15.1's SSL connectors read their SSL keys once per connector,
// from the [DEFAULT] dictionary of the SessionSettings they are given. So
// the keys may be written in [DEFAULT] (both sides) or in the [SESSION]
// blocks of one side (every session of that side must then agree); LiftTls
// copies them into the side's defaults. `SocketUseSSL=Y` (a fixgw key, not
// QuickFIX's) turns TLS on for the side.
//
// Checks, each failing with one line naming the file, the key and its value:
// certificate and key files readable and parseable (PEM), key matching the
// certificate, CA file parseable; SSLProtocol never below TLS 1.2 (default
// `TLSv1_2`, which with OpenSSL 3 also allows TLS 1.3); SSLCipherSuite
// accepted by OpenSSL; CertificateVerifyLevel 0 or 1 (1 = client
// certificate required, needs CertificationAuthoritiesFile); an initiator
// always verifies its peer, so it needs CertificationAuthoritiesFile (QuickFIX
// verifies nothing without it). Each side ignores the other side's keys
// (Server* on an initiator, Client* on an acceptor), so one [DEFAULT] can
// serve both. SSL keys without SocketUseSSL=Y are an error (so nobody
// believes TLS is on when it is not). Pure functions of the settings and
// the files; thread-compatible.
#pragma once

#include <string>

#include "gateway/core/result.h"
#include "gateway/fix/quickfix.h"

namespace fixgw::fix {

// Decides and checks TLS for one side (`acceptor` or initiator) and lifts
// the SSL keys into `side`'s defaults. Returns whether the side uses TLS.
// `origin` names the file in errors.
Result<bool> LiftTls(FIX::SessionSettings& side, bool acceptor,
                     const std::string& origin);

}  // namespace fixgw::fix
