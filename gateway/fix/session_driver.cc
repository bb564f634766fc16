#include "gateway/fix/session_driver.h"

#include <fmt/format.h>

namespace fixgw::fix {

SessionDriver::SessionDriver(FIX::Application& application,
                             FIX::MessageStoreFactory& stores,
                             FIX::LogFactory* logs)
    : factory_(application, stores, logs) {}

SessionDriver::~SessionDriver() {
  for (auto& [id, entry] : sessions_) {
    try {
      if (entry.connected) {
        entry.session->setResponder(nullptr);
        FIX::Session::unregisterSession(id);
      }
      factory_.destroy(entry.session);
    } catch (const std::exception&) {
      // Destroying a session only releases memory and its store; nothing
      // to report to anyone at this point.
    }
  }
}

Result<std::unique_ptr<SessionDriver>> SessionDriver::Create(
    FIX::Application& application, FIX::MessageStoreFactory& stores,
    FIX::LogFactory* logs, const FIX::SessionSettings& settings) {
  std::unique_ptr<SessionDriver> driver(
      new SessionDriver(application, stores, logs));
  for (const FIX::SessionID& id : settings.getSessions()) {
    try {
      const FIX::Dictionary& dict = settings.get(id);
      Entry entry;
      entry.acceptor = dict.getString(FIX::CONNECTION_TYPE) == "acceptor";
      entry.session = driver->factory_.create(id, dict);
      driver->sessions_.emplace(id, entry);
    } catch (const std::exception& e) {
      return Status::InvalidArgument(
          fmt::format("session {}: {}", id.toString(), e.what()));
    }
  }
  return driver;
}

Result<FIX::Session*> SessionDriver::Accept(
    std::string_view first_message, FIX::Responder* responder,
    const std::set<FIX::SessionID>* only) {
  FIX::SessionID id;
  try {
    FIX::Message header_only;
    if (!header_only.setStringHeader(std::string(first_message))) {
      return Status::InvalidArgument("first message has no readable header");
    }
    const FIX::Header& h = header_only.getHeader();
    // The peer's SenderCompID is this side's TargetCompID.
    id = FIX::SessionID(h.getField(FIX::FIELD::BeginString),
                        h.getField(FIX::FIELD::TargetCompID),
                        h.getField(FIX::FIELD::SenderCompID));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(
        fmt::format("first message has no readable header: {}", e.what()));
  }
  auto it = sessions_.find(id);
  if (it == sessions_.end() || !it->second.acceptor ||
      (only != nullptr && !only->contains(id))) {
    return Status::NotFound(
        fmt::format("no session {} accepted here", id.toString()));
  }
  return Attach(id, it->second, responder);
}

Result<FIX::Session*> SessionDriver::Attach(const FIX::SessionID& id,
                                            Entry& entry,
                                            FIX::Responder* responder) {
  // registerSession marks the session as held by a connection in QuickFIX's
  // registry (nullptr if it already is).
  FIX::Session* session = entry.connected || FIX::Session::isSessionRegistered(id)
                              ? nullptr
                              : FIX::Session::registerSession(id);
  if (session == nullptr) {
    return Status::AlreadyExists(
        fmt::format("session {} is already connected", id.toString()));
  }
  session->setResponder(responder);
  entry.connected = true;
  return session;
}

Result<FIX::Session*> SessionDriver::Connect(const FIX::SessionID& id,
                                             FIX::Responder* responder) {
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.acceptor) {
    return Status::NotFound(
        fmt::format("no initiator session {}", id.toString()));
  }
  return Attach(id, it->second, responder);
}

bool SessionDriver::Deliver(FIX::Session* session, const std::string& message,
                            const FIX::UtcTimeStamp& now, std::string* why) {
  try {
    session->next(message, now);
    return true;
  } catch (const FIX::InvalidMessage& e) {
    // QuickFIX's connections drop a peer whose message cannot be parsed
    // before it is logged on, and keep a logged-on one (the session has
    // already answered what it could).
    if (session->isLoggedOn()) return true;
    if (why != nullptr) *why = fmt::format("invalid message: {}", e.what());
    return false;
  } catch (const std::exception& e) {
    // A store or log failure inside QuickFIX: the session cannot go on
    // safely on this connection.
    if (why != nullptr) *why = fmt::format("session error: {}", e.what());
    return false;
  }
}

void SessionDriver::Detach(FIX::Session* session) {
  if (session == nullptr) return;
  const FIX::SessionID id = session->getSessionID();
  auto it = sessions_.find(id);
  if (it == sessions_.end() || !it->second.connected) return;
  it->second.connected = false;
  // The connection is already gone: forget it first, so disconnect() only
  // resets the logon state (and calls onLogout) without calling back.
  session->setResponder(nullptr);
  try {
    session->disconnect();
  } catch (const std::exception&) {
    // disconnect() logs and resets state; a failing log cannot stop the
    // connection from being gone.
  }
  FIX::Session::unregisterSession(id);
}

void SessionDriver::Tick(const FIX::UtcTimeStamp& now) {
  for (auto& [id, entry] : sessions_) {
    if (!entry.connected) continue;
    try {
      entry.session->next(now);
    } catch (const std::exception&) {
      // Session::next(now) catches its own errors and disconnects; any
      // other exception must not end the loop for the other sessions.
    }
  }
}

void SessionDriver::Tick(FIX::Session* session, const FIX::UtcTimeStamp& now) {
  try {
    session->next(now);
  } catch (const std::exception&) {
    // As in Tick(now): the session disconnects itself on its own errors.
  }
}

std::vector<FIX::SessionID> SessionDriver::acceptor_sessions() const {
  std::vector<FIX::SessionID> out;
  for (const auto& [id, entry] : sessions_) {
    if (entry.acceptor) out.push_back(id);
  }
  return out;
}

std::vector<FIX::SessionID> SessionDriver::initiator_sessions() const {
  std::vector<FIX::SessionID> out;
  for (const auto& [id, entry] : sessions_) {
    if (!entry.acceptor) out.push_back(id);
  }
  return out;
}

FIX::Session* SessionDriver::Find(const FIX::SessionID& id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.session;
}

bool SessionDriver::connected(const FIX::SessionID& id) const {
  auto it = sessions_.find(id);
  return it != sessions_.end() && it->second.connected;
}

}  // namespace fixgw::fix
