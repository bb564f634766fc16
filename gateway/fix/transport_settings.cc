#include "gateway/fix/transport_settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

#include "gateway/fix/connection_limits.h"

namespace fixgw::fix {

// The limits tests and documentation state (connection_limits.h) are the
// transport's.
static_assert(net::ConnectionLimits{}.framer.max_bytes_before_first_message ==
              kMaxBytesBeforeFirstMessage);
static_assert(net::ConnectionLimits{}.framer.max_message_bytes ==
              kMaxBytesPerMessage);
static_assert(net::ConnectionLimits{}.first_message_timeout ==
              kDefaultFirstMessageTimeout);
static_assert(net::ConnectionLimits{}.send_stall_timeout == kSendStallTimeout);

namespace {

std::string Get(const FIX::Dictionary& d, const char* key) {
  return d.has(key) ? d.getString(key) : std::string();
}

Result<std::uint16_t> Port(const FIX::Dictionary& d, const char* key,
                           const FIX::SessionID& id,
                           const std::string& origin) {
  const std::string text = Get(d, key);
  if (text.empty()) {
    return Status::InvalidArgument(fmt::format(
        "{}: session {}: {} is required", origin, id.toString(), key));
  }
  int port = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || port > 65535) {
      port = -1;
      break;
    }
    port = port * 10 + (c - '0');
  }
  if (port <= 0 || port > 65535) {
    return Status::InvalidArgument(
        fmt::format("{}: session {}: {}={}: not a port (1-65535)", origin,
                    id.toString(), key, text));
  }
  return static_cast<std::uint16_t>(port);
}

// A whole number of seconds from `key`, or `fallback` when unset.
Result<int> Seconds(const FIX::Dictionary& d, const char* key, int fallback,
                    const FIX::SessionID& id, const std::string& origin) {
  const std::string text = Get(d, key);
  if (text.empty()) return fallback;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || value > 86'400) {
      return Status::InvalidArgument(
          fmt::format("{}: session {}: {}={}: not a number of seconds",
                      origin, id.toString(), key, text));
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

Result<std::shared_ptr<net::TlsContext>> TlsFor(const FIX::Dictionary& d,
                                                bool acceptor,
                                                const std::string& origin) {
  Result<std::shared_ptr<net::TlsContext>> ctx =
      acceptor
          ? net::TlsContext::Server(net::TlsServerOptions{
                .certificate_file = Get(d, "ServerCertificateFile"),
                .private_key_file = Get(d, "ServerCertificateKeyFile"),
                .ca_file = Get(d, "CertificationAuthoritiesFile"),
                .require_client_certificate =
                    Get(d, "CertificateVerifyLevel") == "1",
                .cipher_list = Get(d, "SSLCipherSuite")})
          : net::TlsContext::Client(net::TlsClientOptions{
                .ca_file = Get(d, "CertificationAuthoritiesFile"),
                .certificate_file = Get(d, "ClientCertificateFile"),
                .private_key_file = Get(d, "ClientCertificateKeyFile"),
                .cipher_list = Get(d, "SSLCipherSuite")});
  if (!ctx.ok()) {
    return Status::InvalidArgument(origin + ": " + ctx.status().message());
  }
  return ctx;
}

}  // namespace

Result<TransportPlan> PlanTransport(const FIX::SessionSettings& side,
                                    bool acceptor, bool tls,
                                    const std::string& origin) {
  TransportPlan plan;
  std::shared_ptr<net::TlsContext> context;
  if (tls) {
    auto ctx = TlsFor(side.get(), acceptor, origin);
    if (!ctx.ok()) return ctx.status();
    context = std::move(ctx).value();
  }
  std::map<std::pair<std::string, std::uint16_t>, std::size_t> by_address;
  for (const FIX::SessionID& id : side.getSessions()) {
    const FIX::Dictionary& d = side.get(id);
    if (acceptor) {
      auto port = Port(d, "SocketAcceptPort", id, origin);
      if (!port.ok()) return port.status();
      std::string host = Get(d, "SocketAcceptHost");
      if (host.empty()) host = "0.0.0.0";
      auto logon = Seconds(d, "LogonTimeout", 10, id, origin);
      if (!logon.ok()) return logon.status();
      const auto key = std::make_pair(host, *port);
      auto [it, added] = by_address.emplace(key, plan.listens.size());
      if (added) {
        FixListen l;
        l.host = host;
        l.port = *port;
        l.tls = context;
        l.limits.first_message_timeout = std::chrono::seconds(*logon);
        l.limits.pause_reading_above_bytes = kPauseReadingAboveBytes;
        l.limits.max_messages_per_turn = kMaxMessagesPerTurn;
        plan.listens.push_back(std::move(l));
      }
      FixListen& l = plan.listens[it->second];
      l.sessions.insert(id);
      l.limits.first_message_timeout =
          std::max<std::chrono::milliseconds>(l.limits.first_message_timeout,
                                              std::chrono::seconds(*logon));
    } else {
      auto port = Port(d, "SocketConnectPort", id, origin);
      if (!port.ok()) return port.status();
      const std::string host = Get(d, "SocketConnectHost");
      if (host.empty()) {
        return Status::InvalidArgument(
            fmt::format("{}: session {}: SocketConnectHost is required",
                        origin, id.toString()));
      }
      auto reconnect = Seconds(d, "ReconnectInterval", 30, id, origin);
      if (!reconnect.ok()) return reconnect.status();
      FixConnect c;
      c.session = id;
      c.connect.host = host;
      c.connect.port = *port;
      c.connect.tls = context;
      c.reconnect_interval = std::chrono::seconds(std::max(1, *reconnect));
      plan.connects.push_back(std::move(c));
    }
  }
  return plan;
}

}  // namespace fixgw::fix
