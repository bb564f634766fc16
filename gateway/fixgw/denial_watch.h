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
#include <mutex>
#include <string>

namespace fixgw::gw {

class DenialWatch {
 public:
  // (kind, session, code, detail), e.g. GatewayApplication::NoteDenial.
  using Sink = std::function<void(std::string, std::string, std::string,
                                  std::string)>;
  explicit DenialWatch(Sink sink) : sink_(std::move(sink)) {}

  // A MaskingLogFactory observer: `session` is "" for the connector's log.
  void OnEvent(const std::string& session, const std::string& event);

 private:
  Sink sink_;
  std::mutex mu_;
  std::string remote_;   // guarded by mu_
  std::string reasons_;  // guarded by mu_: this handshake's failure lines
};

}  // namespace fixgw::gw
