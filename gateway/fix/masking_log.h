// A QuickFIX LogFactory that masks passwords and lets the program watch
// events. Every message and event text goes through MaskPassword before it
// reaches the wrapped factory's logs (FileLog when FileLogPath is set, or
// none), so Password (554) never reaches a log file. QuickFIX logs a
// Logon's bytes when it arrives, when no session matches ("Session not
// found for incoming message: ...") and in resends; all pass here.
//
// The observer sees every event (masked), with the session it belongs to
// ("" for the connector's own log: accepted connections, TLS handshake
// failures). It is called on QuickFIX's socket threads, sometimes with a
// session lock held: it must not block on anything a session thread holds.
// The factory must outlive the connector that uses it; thread-safe as far
// as the wrapped factory is.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "gateway/fix/quickfix.h"

namespace fixgw::fix {

// `text` with the value of every Password (554) field replaced by "****";
// SOH or '|' separated.
std::string MaskPassword(std::string text);

class MaskingLogFactory : public FIX::LogFactory {
 public:
  using Observer =
      std::function<void(const std::string& session, const std::string& event)>;
  // `inner` may be null (no log files); `observer` may be empty.
  MaskingLogFactory(std::unique_ptr<FIX::LogFactory> inner, Observer observer);

  FIX::Log* create() override;
  FIX::Log* create(const FIX::SessionID& id) override;
  void destroy(FIX::Log* log) override;

 private:
  FIX::Log* Wrap(FIX::Log* inner, std::string session);

  std::unique_ptr<FIX::LogFactory> inner_;
  Observer observer_;
};

}  // namespace fixgw::fix
