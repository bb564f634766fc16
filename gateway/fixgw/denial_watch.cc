#include "gateway/fixgw/denial_watch.h"

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
              ": " + (reasons_.empty() ? std::string("handshake failed")
                                       : reasons_));
    reasons_.clear();
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

}  // namespace fixgw::gw
