// What the gateway's own transport (FixTransport) takes from one side of a
// QuickFIX settings file: where to listen or connect, TLS, and the limits.
//
// Acceptor side: one listener per distinct SocketAcceptHost:SocketAcceptPort,
// serving exactly the sessions that name it. SocketAcceptHost is honoured
// (QuickFIX 1.15.1 ignored it and bound every interface); without it the
// listener binds 0.0.0.0, every interface, as QuickFIX did, so a file that
// says nothing keeps its meaning. The first-message timeout is the longest
// LogonTimeout of the port's sessions (QuickFIX's default 10 s); an
// accepted connection is not read while more than kPauseReadingAboveBytes
// wait to be sent to it (connection_limits.h).
// Initiator side: one connection per session, to SocketConnectHost:
// SocketConnectPort, reconnecting every ReconnectInterval seconds
// (QuickFIX's default 30).
// TLS (SocketUseSSL=Y, keys already checked and lifted into the side's
// [DEFAULT] by LiftTls): ServerCertificateFile/-KeyFile,
// CertificationAuthoritiesFile, CertificateVerifyLevel=1 (client
// certificate required), SSLCipherSuite; an initiator verifies the
// venue's chain against CertificationAuthoritiesFile and may present
// ClientCertificateFile/-KeyFile.
// Errors are one line naming `origin`, the session and the key.
#pragma once

#include <string>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/fix/fix_transport.h"
#include "gateway/fix/quickfix.h"

namespace fixgw::fix {

struct TransportPlan {
  std::vector<FixListen> listens;
  std::vector<FixConnect> connects;
};

Result<TransportPlan> PlanTransport(const FIX::SessionSettings& side,
                                    bool acceptor, bool tls,
                                    const std::string& origin);

}  // namespace fixgw::fix
