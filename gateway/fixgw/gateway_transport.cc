#include "gateway/fixgw/gateway_transport.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>

#include <nlohmann/json.hpp>

#include "gateway/fix/transport_settings.h"
#include "gateway/fixgw/gateway_app.h"
#include "gateway/router/journal_events.h"

namespace fixgw::gw {

std::optional<TransportDenial> DenialOf(const fix::ClosedConnection& c) {
  if (!c.inbound) return std::nullopt;
  const std::string& host = c.peer.ip;
  const auto before_session = [&](const char* code) {
    return TransportDenial{kConnectionRefused, "", code,
                           fmt::format("connection from {} dropped before any "
                                       "session: {}",
                                       host, c.text)};
  };
  if (c.cause == "address_not_allowed") {
    return TransportDenial{kConnectionRefused, "", "address_not_allowed",
                           c.text};
  }
  if (c.cause == "unknown_session") {
    return TransportDenial{
        kLogonRefused, "", "unknown_session",
        fmt::format("message for no configured session from {}: "
                    "disconnected, no answer: {}",
                    host, c.text)};
  }
  if (c.cause == "session_in_use") {
    return TransportDenial{
        kLogonRefused, "", "logon_state",
        fmt::format("second connection from {} refused: {}", host, c.text)};
  }
  if (c.cause == "logon_state") {
    return TransportDenial{kLogonRefused, c.session, "logon_state",
                           fmt::format("from {}: {}", host, c.text)};
  }
  if (!c.session.empty()) return std::nullopt;  // a session's connection
  if (c.cause == "tls_error") {
    return TransportDenial{
        kConnectionRefused, "", "tls_handshake",
        fmt::format("TLS handshake refused from {}: {}", host, c.text)};
  }
  if (c.cause == "first_message_timeout") {
    return before_session("first_message_timeout");
  }
  if (c.cause == "framing") {
    return before_session(c.frame_error == net::FrameError::kFirstMessageTooLarge
                              ? "first_message_size"
                              : "first_message_invalid");
  }
  if (c.cause == "invalid_message") {
    return before_session("first_message_invalid");
  }
  // A peer that connected and closed (a port probe), or a socket error:
  // no refusal of fixgw's.
  return std::nullopt;
}

std::optional<std::string> RefuseAddress(
    const std::map<int, std::set<std::string>>& allowed_by_port,
    const net::PeerAddress& peer, std::uint16_t port) {
  const auto it = allowed_by_port.find(port);
  if (it == allowed_by_port.end() || it->second.contains(peer.ip)) {
    return std::nullopt;
  }
  return fmt::format(
      "connection from {} to port {} refused: not in AllowedRemoteAddresses",
      peer.ip, port);
}

GatewayTransport::GatewayTransport(GatewayApplication& app,
                                   std::unique_ptr<net::EventLoop> loop)
    : app_(app), loop_(std::move(loop)) {}

GatewayTransport::~GatewayTransport() { Stop(); }

Result<std::unique_ptr<GatewayTransport>> GatewayTransport::Create(
    GatewayApplication& app, const GatewayTransportOptions& options) {
  auto loop = net::EventLoop::Create();
  if (!loop.ok()) return loop.status();
  std::unique_ptr<GatewayTransport> t(
      new GatewayTransport(app, std::move(loop).value()));
  t->options_ = options;
  auto brokers = fix::PlanTransport(*options.brokers, /*acceptor=*/true,
                                    options.broker_tls, options.origin);
  if (!brokers.ok()) return brokers.status();
  auto exchange = fix::PlanTransport(*options.exchanges, /*acceptor=*/false,
                                     options.exchange_tls, options.origin);
  if (!exchange.ok()) return exchange.status();
  t->listens_ = std::move(brokers->listens);
  t->connects_ = std::move(exchange->connects);
  if (t->connects_.empty()) {
    return Status::InvalidArgument(options.origin +
                                   ": needs at least one exchange session");
  }
  for (const auto& c : t->connects_) t->exchange_sessions_.insert(c.session);
  auto broker_driver = fix::SessionDriver::Create(
      app, *options.stores, options.broker_log, *options.brokers);
  if (!broker_driver.ok()) {
    return Status::InvalidArgument(options.origin + ": " +
                                   broker_driver.status().message());
  }
  t->brokers_ = std::move(broker_driver).value();
  auto exchange_driver = fix::SessionDriver::Create(
      app, *options.stores, options.exchange_log, *options.exchanges);
  if (!exchange_driver.ok()) {
    return Status::InvalidArgument(options.origin + ": " +
                                   exchange_driver.status().message());
  }
  t->exchange_ = std::move(exchange_driver).value();
  return t;
}

Status GatewayTransport::Start() {
  fix::FixTransportEvents broker_events;
  broker_events.admit = [this](const net::PeerAddress& peer,
                               std::uint16_t port) {
    return RefuseAddress(options_.allowed_by_port, peer, port);
  };
  broker_events.on_closed = [this](const fix::ClosedConnection& c) {
    OnClosed(c);
  };
  // The brokers' side first: a port in use fails before the exchange is
  // dialled.
  auto brokers = fix::FixTransport::Start(*loop_, *brokers_, listens_, {},
                                          std::move(broker_events));
  if (!brokers.ok()) {
    return Status::FailedPrecondition(
        fmt::format("{}: broker listener: {}", options_.origin,
                    brokers.status().message()));
  }
  broker_transport_ = std::move(brokers).value();
  broker_ports_ = broker_transport_->ports();
  fix::FixTransportEvents exchange_events;
  exchange_events.on_closed = [this](const fix::ClosedConnection& c) {
    OnClosed(c);
  };
  auto exchange = fix::FixTransport::Start(*loop_, *exchange_, {}, connects_,
                                           std::move(exchange_events));
  if (!exchange.ok()) {
    broker_transport_.reset();
    return Status::FailedPrecondition(fmt::format(
        "{}: exchange connection: {}", options_.origin,
        exchange.status().message()));
  }
  exchange_transport_ = std::move(exchange).value();
  loop_->ScheduleEvery(std::chrono::milliseconds(5),
                       [this] { CheckBackpressure(); });
  // Attached now, not at Create: until the loop runs (the outbox is
  // handed to the sessions before Start), the committer thread commits.
  net::EventLoop* raw_loop = loop_.get();
  GatewayApplication::LoopHooks hooks;
  hooks.post = [raw_loop](std::function<void()> fn) {
    raw_loop->Post(std::move(fn));
  };
  hooks.at_turn_end = [raw_loop](std::function<void()> fn) {
    raw_loop->AtTurnEnd(std::move(fn));
  };
  // Not InLoopThread(): that is also true before the loop first runs, on
  // the thread that set it up.
  hooks.in_loop = [this] {
    return loop_thread_id_.load() == std::this_thread::get_id();
  };
  hooks.commit_on_loop = options_.commit_on_loop;
  app_.AttachLoop(std::move(hooks));
  thread_ = std::thread([this] {
    loop_thread_id_.store(std::this_thread::get_id());
    loop_->Run();
  });
  return Status::Ok();
}

void GatewayTransport::Every(std::chrono::milliseconds period,
                             std::function<void()> fn) {
  net::EventLoop* loop = loop_.get();
  loop->Post([loop, period, fn = std::move(fn)]() mutable {
    loop->ScheduleEvery(period, std::move(fn));
  });
}

void GatewayTransport::OnClosed(const fix::ClosedConnection& c) {
  if (auto denial = DenialOf(c)) {
    app_.NoteDenial(denial->kind, denial->session, denial->code,
                    denial->detail);
    return;
  }
  if (c.cause == "peer_closed" || c.cause == "closed_locally") {
    if (!c.session.empty()) {
      spdlog::info("{}: connection with {} ended ({})", c.session,
                   c.peer.ToString(), c.cause);
    }
    return;
  }
  if (!c.inbound) {
    spdlog::warn("exchange {}: connection to {}: {}: {}", c.session,
                 c.peer.ToString(), c.cause, c.text);
    return;
  }
  if (!c.session.empty()) {
    spdlog::warn("{}: connection from {} cut: {}: {}", c.session,
                 c.peer.ToString(), c.cause, c.text);
  }
}

void GatewayTransport::CheckBackpressure() {
  if (broker_transport_ == nullptr || exchange_transport_ == nullptr) return;
  // The venue furthest behind decides: one slow venue pauses every broker
  // (their orders may be for it; the gateway does not queue them).
  std::size_t behind = 0;
  const FIX::SessionID* slowest = nullptr;
  for (const FIX::SessionID& id : exchange_sessions_) {
    const std::size_t bytes = exchange_transport_->outbound_bytes(id);
    if (slowest == nullptr || bytes > behind) {
      behind = bytes;
      slowest = &id;
    }
  }
  if (slowest == nullptr) return;
  const bool paused = broker_transport_->accepted_paused();
  if (!paused && behind > kPauseAboveBytes) {
    spdlog::warn(
        "exchange {} reads slower than orders arrive ({} bytes "
        "unsent): the brokers are not read until it catches up",
        slowest->toString(), behind);
    broker_transport_->PauseAccepted(true);
  } else if (paused && behind < kResumeBelowBytes) {
    spdlog::info("exchange {} caught up: reading the brokers again",
                 slowest->toString());
    broker_transport_->PauseAccepted(false);
  }
}

template <typename Fn>
auto GatewayTransport::OnLoop(Fn fn) -> decltype(fn()) {
  using R = decltype(fn());
  std::promise<R> done;
  auto result = done.get_future();
  loop_->Post([&] {
    if constexpr (std::is_void_v<R>) {
      fn();
      done.set_value();
    } else {
      done.set_value(fn());
    }
  });
  return result.get();
}

void GatewayTransport::LogoutSide(fix::SessionDriver& driver,
                                  std::unique_ptr<fix::FixTransport>& transport,
                                  std::chrono::milliseconds wait) {
  if (stopped_ || !thread_.joinable()) return;
  // Waits for the Logout handshakes: a connection without a logged-on
  // session (an idle peer, the exchange reconnecting) is not waited for.
  const auto any_logged_on = [&driver] {
    bool logged_on = false;
    for (const FIX::SessionID& id : driver.acceptor_sessions()) {
      FIX::Session* s = driver.Find(id);
      logged_on = logged_on || (driver.connected(id) && s->isLoggedOn());
    }
    for (const FIX::SessionID& id : driver.initiator_sessions()) {
      FIX::Session* s = driver.Find(id);
      logged_on = logged_on || (driver.connected(id) && s->isLoggedOn());
    }
    return logged_on;
  };
  OnLoop([&] {
    const auto logout = [&driver](const FIX::SessionID& id) {
      FIX::Session* s = driver.Find(id);
      if (s == nullptr || !driver.connected(id)) return;
      // No reconnect and no new logon from here on.
      s->logout("gateway stopping");
      if (s->isLoggedOn()) driver.Tick(s, FIX::UtcTimeStamp());
    };
    for (const FIX::SessionID& id : driver.acceptor_sessions()) logout(id);
    for (const FIX::SessionID& id : driver.initiator_sessions()) logout(id);
  });
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < deadline &&
         OnLoop([&] { return any_logged_on(); })) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // What is left (peers that did not answer, connections without a
  // session) is cut; the listeners close with it.
  OnLoop([&] { transport.reset(); });
}

Result<SessionControlOutcome> GatewayTransport::Control(
    const SessionCommand& command) {
  return OnLoop([&] { return ControlOnLoop(command); });
}

std::vector<SessionConnection> GatewayTransport::Connections() {
  return OnLoop([&] {
    std::vector<SessionConnection> out;
    const auto now = net::EventLoop::Clock::now();
    for (const fix::FixTransport* t :
         {broker_transport_.get(), exchange_transport_.get()}) {
      if (t == nullptr) continue;  // logged out and gone (shutdown)
      for (const fix::FixTransport::SessionLink& l : t->session_links()) {
        SessionConnection c;
        c.session = l.session.toString();
        c.remote = l.peer.ToString();
        if (l.last_received) {
          c.heard_ago = std::max(
              std::chrono::microseconds(0),
              std::chrono::duration_cast<std::chrono::microseconds>(
                  now - *l.last_received));
        }
        out.push_back(std::move(c));
      }
    }
    return out;
  });
}

Result<SessionControlOutcome> GatewayTransport::ControlOnLoop(
    const SessionCommand& c) {
  FIX::SessionID id;
  id.fromString(c.session);
  const bool exchange = exchange_sessions_.contains(id);
  fix::SessionDriver& driver = exchange ? *exchange_ : *brokers_;
  FIX::Session* s = driver.Find(id);
  if (s == nullptr) return Status::NotFound("no FIX session " + c.session);
  const auto outcome = [&] {
    SessionControlOutcome o;
    o.session = c.session;
    o.exchange = exchange;
    o.logged_on = driver.connected(id) && s->isLoggedOn();
    o.admission = app_.AdmissionOf(c.session);
    o.next_sender_seq = s->getExpectedSenderNum();
    o.next_target_seq = s->getExpectedTargetNum();
    return o;
  };
  const SessionControlOutcome before = outcome();
  const std::string_view action = SessionActionName(c.action);
  const bool seq_action = c.action == SessionAction::kSetSeq ||
                          c.action == SessionAction::kResetSeq;
  if (exchange && (c.action == SessionAction::kEnable ||
                   c.action == SessionAction::kDisable)) {
    return Status::InvalidArgument(
        "the exchange session is the gateway's initiator: use logout to "
        "keep it logged out and logon to let it log on again");
  }
  if (c.action == SessionAction::kLogon &&
      before.admission == Admission::kDisabled) {
    return Status::FailedPrecondition(c.session +
                                      " is disabled: enable it first");
  }
  if (seq_action && before.logged_on && !c.force) {
    return Status::FailedPrecondition(
        c.session +
        " is logged on: sequence numbers are changed while it is logged out, "
        "or with force=true (which may make its peer log out)");
  }

  // Journaled before it takes effect, with who asked.
  nlohmann::ordered_json payload{{"action", action},
                                 {"source", c.source},
                                 {"reason", c.reason}};
  if (seq_action) {
    payload["force"] = c.force;
    payload["logged_on"] = before.logged_on;
    payload["next_sender_before"] = before.next_sender_seq;
    payload["next_target_before"] = before.next_target_seq;
    const int64_t reset_to = 1;
    payload["next_sender"] =
        c.action == SessionAction::kResetSeq
            ? reset_to
            : c.next_sender.value_or(before.next_sender_seq);
    payload["next_target"] =
        c.action == SessionAction::kResetSeq
            ? reset_to
            : c.next_target.value_or(before.next_target_seq);
  }
  app_.JournalSessionControl(
      c.session,
      payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  spdlog::warn("session {}: {} by {}{}", c.session, action, c.source,
               c.reason.empty() ? "" : " (" + c.reason + ")");

  const std::string text =
      "by the gateway operator" + (c.reason.empty() ? "" : ": " + c.reason);
  // A Logout now (Text `why`); the session is then enabled again in
  // QuickFIX for a broker, whose logons the application refuses with a
  // Text of its own (GatewayApplication::CheckAdmission), and stays
  // disabled for the exchange, which then does not log on again.
  const auto logout = [&](const std::string& why) {
    s->logout(why);
    if (driver.connected(id)) driver.Tick(s, FIX::UtcTimeStamp());
    if (!exchange) s->logon();
  };
  try {
    switch (c.action) {
      case SessionAction::kLogon:
        app_.SetAdmission(c.session, Admission::kOpen);
        if (exchange) {
          s->logon();
          if (driver.connected(id)) driver.Tick(s, FIX::UtcTimeStamp());
        }
        break;
      case SessionAction::kLogout:
        app_.SetAdmission(c.session, Admission::kLoggedOut);
        logout("logged out " + text);
        break;
      case SessionAction::kEnable:
        app_.SetAdmission(c.session, Admission::kOpen);
        break;
      case SessionAction::kDisable:
        app_.SetAdmission(c.session, Admission::kDisabled);
        if (before.logged_on) logout("session disabled " + text);
        break;
      case SessionAction::kSetSeq:
        if (c.next_sender) {
          s->setNextSenderMsgSeqNum(static_cast<int>(*c.next_sender));
        }
        if (c.next_target) {
          s->setNextTargetMsgSeqNum(static_cast<int>(*c.next_target));
        }
        break;
      case SessionAction::kResetSeq:
        // QuickFIX's reset: a Logout if logged on, a disconnect, and the
        // store reset (messages discarded, both numbers 1, new creation
        // time).
        s->reset();
        break;
    }
  } catch (const std::exception& e) {
    return Status::Internal(c.session + ": " + std::string(action) +
                            " failed: " + e.what());
  }
  return outcome();
}

void GatewayTransport::LogoutBrokers(std::chrono::milliseconds wait) {
  LogoutSide(*brokers_, broker_transport_, wait);
}

void GatewayTransport::LogoutExchange(std::chrono::milliseconds wait) {
  LogoutSide(*exchange_, exchange_transport_, wait);
}

void GatewayTransport::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (thread_.joinable()) {
    loop_->Post([this] {
      broker_transport_.reset();
      exchange_transport_.reset();
      loop_->Stop();
    });
    thread_.join();
  } else {
    broker_transport_.reset();
    exchange_transport_.reset();
  }
  // Nothing runs on the loop any more: the committer thread commits what
  // is left and hands it to the sessions, which store it (their peers get
  // it by resend at the next logon).
  app_.DetachLoop();
  app_.FlushCommits();
}

}  // namespace fixgw::gw
