// Allowed source addresses, and QuickFIX's refusals as denials.
//
// AllowedRemoteAddresses (QuickFIX 1.15.1 has no such key and tells the
// application no session's peer address) is enforced per acceptor port: on
// QuickFIX's "Accepted connection from ADDRESS on port P" event, which the
// accepting thread logs before the connection's thread starts, a connection
// whose address is not allowed on P is shut down (its socket is found among
// the process's descriptors by local port and peer address) and journaled
// (ConnectionRefused, code address_not_allowed). A port is restricted when
// every session on it lists addresses; the allowed set is their union, so a
// session's list is exact when it has its own SocketAcceptPort.
//
// Turns QuickFIX's log events into denials for GatewayApplication::NoteDenial:
// QuickFIX refuses some connections itself and only says so in its logs
// (the connector's log for a TLS handshake it refused or a Logon for no
// configured session; the session's log for a Logon in the wrong state).
// Events arrive on QuickFIX's threads, one connection's events in order;
// the remote address is the last "Accepted connection from" before the
// failure, so with handshakes failing concurrently it is best effort.
// Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace fixgw::gw {

class DenialWatch {
 public:
  // (kind, session, code, detail), e.g. GatewayApplication::NoteDenial.
  using Sink =
      std::function<void(std::string, std::string, std::string, std::string)>;
  // Port -> allowed IPv4 addresses (dotted); ports absent are open.
  using AllowedByPort = std::map<int, std::set<std::string>>;
  explicit DenialWatch(Sink sink, AllowedByPort allowed = {})
      : sink_(std::move(sink)), allowed_(std::move(allowed)) {}

  // A MaskingLogFactory observer: `session` is "" for the connector's log.
  void OnEvent(const std::string& session, const std::string& event);

 private:
  // Shuts down every socket of this process connected from `address` to
  // local `port`; returns how many.
  static int ShutDownConnections(int port, const std::string& address);

  Sink sink_;
  const AllowedByPort allowed_;
  std::mutex mu_;
  std::string remote_;   // guarded by mu_
  std::string reasons_;  // guarded by mu_: this handshake's failure lines
};

}  // namespace fixgw::gw
