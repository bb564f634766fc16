#include "gateway/fixgw/gateway_transport.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <future>

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
  if (t->connects_.size() != 1) {
    return Status::InvalidArgument(
        options.origin + ": needs exactly one exchange session");
  }
  t->exchange_session_ = t->connects_.front().session;
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
  const std::size_t behind =
      exchange_transport_->outbound_bytes(exchange_session_);
  const bool paused = broker_transport_->accepted_paused();
  if (!paused && behind > kPauseAboveBytes) {
    spdlog::warn("exchange {} reads slower than orders arrive ({} bytes "
                 "unsent): the brokers are not read until it catches up",
                 exchange_session_.toString(), behind);
    broker_transport_->PauseAccepted(true);
  } else if (paused && behind < kResumeBelowBytes) {
    spdlog::info("exchange {} caught up: reading the brokers again",
                 exchange_session_.toString());
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
