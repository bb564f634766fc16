#include "gateway/fix/fix_transport.h"

#include <fmt/format.h>

namespace fixgw::fix {

// One connection: the transport's end (net::Connection) and QuickFIX's
// (the Responder its session sends through).
struct FixTransport::Link : FIX::Responder {
  std::shared_ptr<net::Connection> conn;
  const std::set<FIX::SessionID>* sessions = nullptr;  // served by its port
  FIX::Session* session = nullptr;
  std::string session_name;
  net::PeerAddress peer;
  std::optional<std::size_t> connect;  // index into connects_: outbound
  bool refused = false;                // aborted before naming a session

  bool send(const std::string& bytes) override {
    return conn != nullptr && conn->Send(bytes);
  }
  // Called by QuickFIX inside Deliver/Tick (after a Logout, a timeout):
  // the connection closes gracefully; on_close comes at a later turn.
  void disconnect() override {
    if (conn != nullptr) conn->Close("the FIX session ended the connection");
  }
};

FixTransport::FixTransport(net::EventLoop& loop, SessionDriver& driver,
                           FixTransportEvents events)
    : loop_(loop), driver_(driver), events_(std::move(events)) {}

FixTransport::~FixTransport() {
  loop_.Cancel(tick_timer_);
  for (net::EventLoop::TimerId id : reconnect_timers_) loop_.Cancel(id);
  for (auto& [ptr, link] : links_) {
    if (link->session != nullptr) driver_.Detach(link->session);
    link->session = nullptr;
    // Dropping the last reference closes the socket without a callback.
    if (link->conn != nullptr) link->conn->Abort("gateway stopping");
  }
  links_.clear();
}

Result<std::unique_ptr<FixTransport>> FixTransport::Start(
    net::EventLoop& loop, SessionDriver& driver, std::vector<FixListen> listens,
    std::vector<FixConnect> connects, FixTransportEvents events) {
  std::unique_ptr<FixTransport> t(
      new FixTransport(loop, driver, std::move(events)));
  t->listens_ = std::move(listens);
  t->connects_ = std::move(connects);
  for (std::size_t i = 0; i < t->listens_.size(); ++i) {
    net::ListenerCallbacks callbacks;
    FixTransport* self = t.get();
    callbacks.admit = t->events_.admit;
    callbacks.on_accept = [self, i](net::UniqueFd fd,
                                    const net::PeerAddress& peer) {
      self->OnAccept(i, std::move(fd), peer);
    };
    callbacks.on_refuse = [self](const net::PeerAddress& peer,
                                 const std::string& reason) {
      if (self->events_.on_closed) {
        self->events_.on_closed("", peer, "address_not_allowed", reason);
      }
    };
    auto listener = net::Listener::Listen(
        loop, net::ListenOptions{.host = t->listens_[i].host,
                                 .port = t->listens_[i].port},
        std::move(callbacks));
    if (!listener.ok()) return listener.status();
    t->listeners_.push_back(std::move(listener).value());
  }
  for (const FixConnect& c : t->connects_) {
    if (driver.Find(c.session) == nullptr) {
      return Status::InvalidArgument(
          fmt::format("no initiator session {}", c.session.toString()));
    }
  }
  t->reconnect_timers_.assign(t->connects_.size(), 0);
  for (std::size_t i = 0; i < t->connects_.size(); ++i) t->Dial(i);
  FixTransport* self = t.get();
  t->tick_timer_ = loop.ScheduleEvery(std::chrono::seconds(1), [self] {
    self->driver_.Tick(FIX::UtcTimeStamp());
  });
  return t;
}

std::vector<std::uint16_t> FixTransport::ports() const {
  std::vector<std::uint16_t> out;
  for (const auto& l : listeners_) out.push_back(l->port());
  return out;
}

net::ConnectionCallbacks FixTransport::CallbacksFor(Link* link) {
  net::ConnectionCallbacks callbacks;
  std::weak_ptr<int> alive = alive_;
  callbacks.on_open = [this, link, alive](net::Connection&) {
    if (alive.expired() || !link->connect) return;
    const FixConnect& c = connects_[*link->connect];
    auto session = driver_.Connect(c.session, link);
    if (!session.ok()) {
      link->conn->Abort(session.status().message());
      return;
    }
    link->session = *session;
    link->session_name = c.session.toString();
    driver_.Tick(link->session, FIX::UtcTimeStamp());  // its Logon, now
  };
  callbacks.on_message = [this, link, alive](net::Connection&,
                                             std::string_view raw) {
    if (!alive.expired()) OnMessage(*link, raw);
  };
  callbacks.on_close = [this, link, alive](net::Connection&,
                                           const net::CloseReason& reason) {
    if (!alive.expired()) OnClose(*link, reason);
  };
  return callbacks;
}

void FixTransport::OnAccept(std::size_t listen, net::UniqueFd fd,
                            const net::PeerAddress& peer) {
  auto link = std::make_unique<Link>();
  link->peer = peer;
  Link* raw = link.get();
  const FixListen& l = listens_[listen];
  if (!l.sessions.empty()) link->sessions = &l.sessions;
  auto conn = net::Connection::Accept(loop_, std::move(fd), peer, l.limits,
                                      l.tls, CallbacksFor(raw));
  if (!conn.ok()) {
    if (events_.on_closed) {
      events_.on_closed("", peer, "socket_error", conn.status().message());
    }
    return;
  }
  link->conn = std::move(conn).value();
  links_.emplace(raw, std::move(link));
}

void FixTransport::Dial(std::size_t connect) {
  const FixConnect& c = connects_[connect];
  auto link = std::make_unique<Link>();
  link->connect = connect;
  link->session_name = c.session.toString();
  link->peer = net::PeerAddress{c.connect.host, c.connect.port};
  Link* raw = link.get();
  auto conn = net::Connection::Connect(loop_, c.connect, CallbacksFor(raw));
  if (!conn.ok()) {
    Report(*link, "connect_failed", conn.status().message());
    ScheduleReconnect(connect);
    return;
  }
  link->conn = std::move(conn).value();
  links_.emplace(raw, std::move(link));
}

void FixTransport::OnMessage(Link& link, std::string_view raw) {
  if (link.refused) return;
  const std::string message(raw);
  if (link.session == nullptr) {
    if (link.connect) return;  // outbound, not yet attached: cannot happen
    auto session = driver_.Accept(message, &link, link.sessions);
    if (!session.ok()) {
      link.refused = true;
      Report(link, "refused", session.status().message());
      link.conn->Abort(session.status().message());
      return;
    }
    link.session = *session;
    link.session_name = link.session->getSessionID().toString();
  }
  std::string why;
  if (!driver_.Deliver(link.session, message, FIX::UtcTimeStamp(), &why)) {
    link.refused = true;
    Report(link, "invalid_message", why);
    link.conn->Abort(why);
  }
}

void FixTransport::OnClose(Link& link, const net::CloseReason& reason) {
  if (link.session != nullptr) {
    driver_.Detach(link.session);
    link.session = nullptr;
  }
  if (!link.refused) {
    Report(link, std::string(net::CloseCauseName(reason.cause)), reason.text);
  }
  const std::optional<std::size_t> connect = link.connect;
  links_.erase(&link);  // the loop still holds the connection for this call
  if (connect) ScheduleReconnect(*connect);
}

void FixTransport::ScheduleReconnect(std::size_t connect) {
  std::weak_ptr<int> alive = alive_;
  loop_.Cancel(reconnect_timers_[connect]);
  reconnect_timers_[connect] = loop_.ScheduleAfter(
      connects_[connect].reconnect_interval, [this, alive, connect] {
        if (alive.expired()) return;
        reconnect_timers_[connect] = 0;
        Dial(connect);
      });
}

void FixTransport::Report(const Link& link, const std::string& cause,
                          const std::string& text) {
  if (events_.on_closed) {
    events_.on_closed(link.session_name, link.peer, cause, text);
  }
}

}  // namespace fixgw::fix
