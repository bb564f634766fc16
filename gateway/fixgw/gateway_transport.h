// fixgw's FIX sessions on the gateway's own transport (issue 19): one event
// loop thread holds the broker listeners, the exchange connection and
// every QuickFIX session (fix::SessionDriver + fix::FixTransport); the
// application (GatewayApplication) is called back on it and commits on it
// or hands its committed messages to it (GatewayApplication::AttachLoop).
//
// What the transport sees first-hand becomes a journaled denial
// (DenialOf): an address not allowed on its port, a refused TLS handshake,
// a connection that sends no complete first message in time or too many
// bytes before one, a first message for no session or for a session
// already connected, a Logon in the wrong state. No log text is parsed.
//
// Backpressure: while the exchange's connection holds more than
// kPauseAboveBytes unsent bytes, the brokers' connections are not read
// (TCP pushes back on the brokers) until it is below kResumeBelowBytes.
//
// Shutdown: LogoutBrokers and LogoutExchange send a Logout to every
// logged-on session of that side and wait, up to `wait`, for the
// connections to end; what is left is cut. Stop ends the loop thread.
// Every public method is called from one control thread (main), except
// Control (SessionControl, session_control.h), which the admin server
// calls from its threads between Start and LogoutBrokers: it runs the
// action on the loop thread and waits for it.
#pragma once

#include <chrono>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "gateway/core/result.h"
#include "gateway/fix/fix_transport.h"
#include "gateway/fix/quickfix.h"
#include "gateway/fix/session_driver.h"
#include "gateway/fixgw/session_control.h"
#include "gateway/net/net.h"

namespace fixgw::gw {

class GatewayApplication;

// A refusal the journal records (GatewayApplication::NoteDenial).
struct TransportDenial {
  std::string kind;  // kConnectionRefused or kLogonRefused
  std::string session;
  std::string code;  // address_not_allowed, tls_handshake, ...
  std::string detail;
};
// What an ended connection means for the journal: a denial, or nothing (an
// ordinary end, or the end of a logged-on session, which is logged).
std::optional<TransportDenial> DenialOf(const fix::ClosedConnection& closed);

// The text refusing `peer` on `port` when AllowedRemoteAddresses does not
// list it; nullopt admits. `allowed_by_port` as LoadAllowedAddresses.
std::optional<std::string> RefuseAddress(
    const std::map<int, std::set<std::string>>& allowed_by_port,
    const net::PeerAddress& peer, std::uint16_t port);

struct GatewayTransportOptions {
  const FIX::SessionSettings* brokers = nullptr;    // acceptor sessions
  const FIX::SessionSettings* exchanges = nullptr;  // the venues' sessions
  bool broker_tls = false;
  bool exchange_tls = false;
  std::string origin{};  // the settings file, for errors
  std::map<int, std::set<std::string>> allowed_by_port{};
  FIX::MessageStoreFactory* stores = nullptr;
  FIX::LogFactory* broker_log = nullptr;    // may be null
  FIX::LogFactory* exchange_log = nullptr;  // may be null
  // Commit on the loop (GatewayApplication::LoopHooks::commit_on_loop).
  bool commit_on_loop = false;
};

class GatewayTransport final : public SessionControl {
 public:
  static constexpr std::size_t kPauseAboveBytes = 4 * 1024 * 1024;
  static constexpr std::size_t kResumeBelowBytes = 1024 * 1024;

  // Creates the loop and every session (so the outbox can be handed to
  // them before Start). `app` must outlive this object. Errors are one
  // line naming the file, the session and the key.
  static Result<std::unique_ptr<GatewayTransport>> Create(
      GatewayApplication& app, const GatewayTransportOptions& options);
  ~GatewayTransport() override;  // Stop()
  GatewayTransport(const GatewayTransport&) = delete;
  GatewayTransport& operator=(const GatewayTransport&) = delete;

  // Binds every broker listener (a port in use: an error, nothing left
  // listening), then dials the exchange and starts the loop thread.
  Status Start();
  void LogoutBrokers(std::chrono::milliseconds wait);
  void LogoutExchange(std::chrono::milliseconds wait);
  // Cuts what is left and ends the loop thread; idempotent.
  void Stop();

  // After Start: runs `fn` on the loop thread every `period` for as long
  // as the loop turns (the service watchdog, main.cc: a loop that is stuck
  // stops calling it).
  void Every(std::chrono::milliseconds period, std::function<void()> fn);
  // Operator session control (session_control.h): journaled, then done,
  // on the loop thread. Only while the loop runs (after Start, before
  // LogoutBrokers).
  Result<SessionControlOutcome> Control(const SessionCommand& command) override;
  // Read on the loop thread, like Control (and under the same contract).
  std::vector<SessionConnection> Connections() override;

  // The broker listeners' bound ports.
  std::vector<std::uint16_t> broker_ports() const { return broker_ports_; }

 private:
  GatewayTransport(GatewayApplication& app, std::unique_ptr<net::EventLoop> loop);
  void OnClosed(const fix::ClosedConnection& closed);
  Result<SessionControlOutcome> ControlOnLoop(const SessionCommand& command);
  void CheckBackpressure();
  // Runs `fn` on the loop thread and waits for it.
  template <typename Fn>
  auto OnLoop(Fn fn) -> decltype(fn());
  // Logout to every logged-on session of `driver`, then waits for their
  // connections, then destroys `transport` (on the loop).
  void LogoutSide(fix::SessionDriver& driver,
                  std::unique_ptr<fix::FixTransport>& transport,
                  std::chrono::milliseconds wait);

  GatewayApplication& app_;
  std::unique_ptr<net::EventLoop> loop_;
  GatewayTransportOptions options_;
  std::unique_ptr<fix::SessionDriver> brokers_;
  std::unique_ptr<fix::SessionDriver> exchange_;
  std::vector<fix::FixListen> listens_;
  std::vector<fix::FixConnect> connects_;
  std::set<FIX::SessionID> exchange_sessions_;  // one per venue
  // Loop thread only, once started.
  std::unique_ptr<fix::FixTransport> broker_transport_;
  std::unique_ptr<fix::FixTransport> exchange_transport_;
  std::vector<std::uint16_t> broker_ports_;
  std::thread thread_;
  std::atomic<std::thread::id> loop_thread_id_{};
  bool stopped_ = false;
};

}  // namespace fixgw::gw
