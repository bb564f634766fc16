#include "gateway/fixgw/denial_watch.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>

#include "gateway/router/journal_events.h"

namespace fixgw::gw {
namespace {

bool StartsWith(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

}  // namespace

void DenialWatch::OnEvent(const std::string& session,
                          const std::string& event) {
  if (!session.empty()) {
    // Session::verify's words for a Logon on a session already logged on
    // (or a message before Logon); QuickFIX then disconnects, unanswered.
    if (event == "Logon state is not valid for message") {
      sink_(kLogonRefused, session, "logon_state",
            "message not valid in the session's logon state (a second "
            "Logon, or a message before Logon): disconnected, no answer");
    }
    return;
  }
  std::lock_guard lock(mu_);
  constexpr const char* kAccepted = "Accepted connection from ";
  if (StartsWith(event, kAccepted)) {
    std::string rest = event.substr(std::string(kAccepted).size());
    remote_ = rest.substr(0, rest.find(' '));
    reasons_.clear();
    constexpr const char* kOnPort = " on port ";
    const size_t at = rest.find(kOnPort);
    if (at == std::string::npos) return;
    // QuickFIX 1.15.1 keeps ports in a short: 45881 is logged as -19655.
    int port = std::atoi(rest.c_str() + at + std::string(kOnPort).size());
    if (port < 0) port += 65536;
    auto it = allowed_.find(port);
    if (it == allowed_.end() || it->second.contains(remote_)) return;
    const int cut = ShutDownConnections(port, remote_);
    sink_(kConnectionRefused, "", "address_not_allowed",
          "connection from " + remote_ + " to port " + std::to_string(port) +
              " refused: not in AllowedRemoteAddresses (" +
              std::to_string(cut) + " socket(s) shut down)");
    return;
  }
  constexpr const char* kReason = "SSL failure reason: ";
  if (StartsWith(event, kReason)) {
    if (!reasons_.empty()) reasons_ += "; ";
    reasons_ += event.substr(std::string(kReason).size());
    return;
  }
  if (StartsWith(event, "SSL client authentication failed") ||
      StartsWith(event, "No acceptable peer certificate") ||
      StartsWith(event, "SSL handshake stopped") ||
      StartsWith(event, "SSL handshake interrupted") ||
      StartsWith(event, "Spurious SSL handshake")) {
    if (!reasons_.empty()) reasons_ += "; ";
    reasons_ += event;
    return;
  }
  if (event == "Failed to accept new SSL connection") {
    sink_(kConnectionRefused, "", "tls_handshake",
          "TLS handshake refused from " +
              (remote_.empty() ? std::string("unknown address") : remote_) +
              ": " +
              (reasons_.empty() ? std::string("handshake failed") : reasons_));
    reasons_.clear();
    return;
  }
  // gateway/fix/socket_connection.cc's limits before any session: too many
  // bytes, too long, or a first message that cannot be framed.
  constexpr const char* kDropped = "Connection from ";
  constexpr const char* kBeforeSession = " dropped before any session: ";
  if (const size_t at = event.find(kBeforeSession);
      StartsWith(event, kDropped) && at != std::string::npos) {
    const std::string detail =
        event.substr(at + std::string(kBeforeSession).size());
    // A peer that closed, or a socket error, is no refusal (a port probe
    // connects and closes): only drops that fixgw decided are journaled.
    if (!StartsWith(detail, "Disconnecting: ")) return;
    const char* code =
        detail.find("no complete message within") != std::string::npos
            ? "first_message_timeout"
        : detail.find("without a complete first message") != std::string::npos
            ? "first_message_size"
            : "first_message_invalid";
    sink_(kConnectionRefused, "", code,
          "connection from " +
              event.substr(std::string(kDropped).size(),
                           at - std::string(kDropped).size()) +
              " dropped before any session: " + detail);
    return;
  }
  constexpr const char* kNoSession = "Session not found for incoming message: ";
  if (StartsWith(event, kNoSession)) {
    sink_(kLogonRefused, "", "unknown_session",
          "message for no configured session from " +
              (remote_.empty() ? std::string("unknown address") : remote_) +
              ": disconnected, no answer: " +
              event.substr(std::string(kNoSession).size()));
  }
}

int DenialWatch::ShutDownConnections(int port, const std::string& address) {
  in_addr wanted{};
  if (inet_pton(AF_INET, address.c_str(), &wanted) != 1) return 0;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  int cut = 0;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const int fd = std::atoi(entry->d_name);
    if (fd == dirfd(dir)) continue;
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_in local{}, peer{};
    socklen_t len = sizeof local;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0 ||
        local.sin_family != AF_INET || ntohs(local.sin_port) != port) {
      continue;
    }
    len = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0 ||
        peer.sin_addr.s_addr != wanted.s_addr) {
      continue;
    }
    // QuickFIX's connection thread then reads EOF and closes the socket.
    if (shutdown(fd, SHUT_RDWR) == 0) ++cut;
  }
  closedir(dir);
  return cut;
}

}  // namespace fixgw::gw
