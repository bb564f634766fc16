#include "gateway/fix/fix_transport.h"

#include <fmt/format.h>

namespace fixgw::fix {
namespace {

// The MsgType (35) of a framed message; "" if it has none.
std::string_view MsgTypeOf(std::string_view raw) {
  constexpr std::string_view kTag = "\x01" "35=";
  const std::size_t at = raw.find(kTag);
  if (at == std::string_view::npos) return {};
  const std::size_t from = at + kTag.size();
  const std::size_t end = raw.find('\x01', from);
  return raw.substr(from, end == std::string_view::npos ? raw.size() - from
                                                       : end - from);
}

}  // namespace

// One connection: the transport's end (net::Connection) and QuickFIX's
// (the Responder its session sends through).
struct FixTransport::Link : FIX::Responder {
  std::shared_ptr<net::Connection> conn;
  const std::set<FIX::SessionID>* sessions = nullptr;  // served by its port
  FIX::Session* session = nullptr;
  std::string session_name;
  net::PeerAddress peer;
  std::optional<std::size_t> connect;  // index into connects_: outbound
  std::uint16_t local_port = 0;        // the listener's port (inbound)
  // The turn time of the last message read (FixTransport::session_links).
  std::optional<net::EventLoop::Clock::time_point> last_received;
  bool refused = false;  // reported already; the close is not reported
  bool ended = false;    // the session called disconnect()

  bool send(const std::string& bytes) override {
    return conn != nullptr && conn->Send(bytes);
  }
  // Called by QuickFIX inside Deliver/Tick (after a Logout, a timeout):
  // the connection closes gracefully; on_close comes at a later turn.
  void disconnect() override {
    ended = true;
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
    if (t->events_.admit) {
      callbacks.admit = [self, i](const net::PeerAddress& peer) {
        // Called at accept time: every listener is bound by then.
        return self->events_.admit(peer, self->listeners_[i]->port());
      };
    }
    callbacks.on_accept = [self, i](net::UniqueFd fd,
                                    const net::PeerAddress& peer) {
      self->OnAccept(i, std::move(fd), peer);
    };
    callbacks.on_refuse = [self, i](const net::PeerAddress& peer,
                                    const std::string& reason) {
      if (!self->events_.on_closed) return;
      ClosedConnection c;
      c.peer = peer;
      c.cause = "address_not_allowed";
      c.text = reason;
      c.local_port = self->listeners_[i]->port();
      self->events_.on_closed(c);
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
  link->local_port = listeners_[listen]->port();
  auto conn = net::Connection::Accept(loop_, std::move(fd), peer, l.limits,
                                      l.tls, CallbacksFor(raw));
  if (!conn.ok()) {
    Report(*link, "socket_error", conn.status().message());
    return;
  }
  link->conn = std::move(conn).value();
  if (accepted_paused_) link->conn->PauseReading();
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
  link.last_received = loop_.Now();
  const std::string message(raw);
  if (link.session == nullptr) {
    if (link.connect) return;  // outbound, not yet attached: cannot happen
    auto session = driver_.Accept(message, &link, link.sessions);
    if (!session.ok()) {
      link.refused = true;
      Report(link,
             session.status().code() == Status::Code::kAlreadyExists
                 ? "session_in_use"
                 : "unknown_session",
             session.status().message());
      link.conn->Abort(session.status().message());
      return;
    }
    link.session = *session;
    link.session_name = link.session->getSessionID().toString();
  }
  const bool was_logged_on = link.session->isLoggedOn();
  const bool logon = MsgTypeOf(raw) == "A";
  std::string why;
  if (!driver_.Deliver(link.session, message, FIX::UtcTimeStamp(), &why)) {
    link.refused = true;
    Report(link, "invalid_message", why);
    link.conn->Abort(why);
    return;
  }
  // QuickFIX ends the connection, unanswered, on a Logon while logged on
  // or on any other message before the Logon (Session::verify: "Logon
  // state is not valid for message"). A refused Logon (wrong password) is
  // answered with a Logout and is not this.
  if (link.ended && !link.refused && !link.connect &&
      (was_logged_on ? logon : !logon)) {
    link.refused = true;
    Report(link, "logon_state",
           was_logged_on
               ? "a second Logon on a logged-on session: disconnected, no "
                 "answer"
               : "a message before Logon: disconnected, no answer");
  }
}

void FixTransport::OnClose(Link& link, const net::CloseReason& reason) {
  if (link.session != nullptr) {
    driver_.Detach(link.session);
    link.session = nullptr;
  }
  if (!link.refused) {
    Report(link, std::string(net::CloseCauseName(reason.cause)), reason.text,
           reason.frame_error);
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
                          const std::string& text,
                          net::FrameError frame_error) {
  if (!events_.on_closed) return;
  ClosedConnection c;
  c.session = link.session_name;
  c.peer = link.peer;
  c.inbound = !link.connect.has_value();
  c.cause = cause;
  c.text = text;
  c.frame_error = frame_error;
  c.local_port = link.local_port;
  events_.on_closed(c);
}

std::size_t FixTransport::outbound_bytes(const FIX::SessionID& session) const {
  for (const auto& [ptr, link] : links_) {
    if (link->session != nullptr && link->conn != nullptr &&
        link->session->getSessionID() == session) {
      return link->conn->outbound_bytes();
    }
  }
  return 0;
}

std::vector<FixTransport::SessionLink> FixTransport::session_links() const {
  std::vector<SessionLink> out;
  for (const auto& [ptr, link] : links_) {
    if (link->session == nullptr || link->conn == nullptr) continue;
    out.push_back(SessionLink{link->session->getSessionID(), link->peer,
                              !link->connect.has_value(),
                              link->last_received});
  }
  return out;
}

void FixTransport::PauseAccepted(bool paused) {
  if (paused == accepted_paused_) return;
  accepted_paused_ = paused;
  for (auto& [ptr, link] : links_) {
    if (link->connect || link->conn == nullptr) continue;
    if (paused) {
      link->conn->PauseReading();
    } else {
      link->conn->ResumeReading();
    }
  }
}

}  // namespace fixgw::fix
