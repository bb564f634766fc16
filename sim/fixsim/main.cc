// fixsim: FIX 4.4 exchange simulator. Usage: fixsim --config FILE
//
// FILE is a QuickFIX settings file with acceptor sessions and a [SIM]
// section (see sim_config.h). The sessions run on the gateway's own
// transport (gateway/fix/fix_transport.h): QuickFIX's session logic over
// our epoll loop, listening on each session's SocketAcceptHost. Stores are in memory unless FileStorePath is
// set; logs are off unless FileLogPath is set. SIGTERM/SIGINT log the
// sessions out and exit 0. Exit 2 on bad configuration.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include <future>
#include <thread>

#include "fixgw_version.h"
#include "gateway/fix/fix_transport.h"
#include "gateway/fix/masking_log.h"
#include "gateway/fix/session_driver.h"
#include "gateway/fix/transport_settings.h"
#include "gateway/net/net.h"
#include "gateway/fix/runtime.h"
#include "gateway/fix/settings.h"
#include "sim/fixsim/sim_application.h"

namespace {

int Run(const std::string& config_path) {
  using namespace fixgw;
  auto split = fix::LoadSessionSettings(config_path);
  if (!split.ok()) {
    fmt::print(stderr, "fixsim: {}\n", split.status().message());
    return 2;
  }
  if (split->acceptor_count == 0 || split->initiator_count != 0) {
    fmt::print(stderr,
               "fixsim: {}: needs at least one session with "
               "ConnectionType=acceptor and no initiator sessions\n",
               config_path);
    return 2;
  }
  // Unique per start (seconds since the epoch) unless IdPrefix is given.
  const std::string default_prefix = fmt::format(
      "T{}-", std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count());
  auto sim_config = sim::LoadSimConfig(config_path, default_prefix);
  if (!sim_config.ok()) {
    fmt::print(stderr, "fixsim: {}\n", sim_config.status().message());
    return 2;
  }

  fix::StopSignals stop;  // before any thread starts
  const FIX::SessionSettings& settings = split->acceptors;
  auto plan = fix::PlanTransport(settings, /*acceptor=*/true,
                                 split->acceptor_tls, config_path);
  if (!plan.ok()) {
    fmt::print(stderr, "fixsim: {}\n", plan.status().message());
    return 2;
  }
  std::unique_ptr<sim::RequestLedger> ledger;
  if (!sim_config->request_ledger.empty()) {
    auto opened = sim::RequestLedger::Open(sim_config->request_ledger);
    if (!opened.ok()) {
      fmt::print(stderr, "fixsim: {}: RequestLedger: {}\n", config_path,
                 opened.status().message());
      return 2;
    }
    ledger = std::move(opened).value();
    fmt::print(stderr, "fixsim: request ledger {}: {} request(s) taken before\n",
               sim_config->request_ledger, ledger->size());
  }
  auto loop = net::EventLoop::Create();
  if (!loop.ok()) {
    fmt::print(stderr, "fixsim: {}\n", loop.status().message());
    return 2;
  }
  sim::SimApplication app(*sim_config, std::move(ledger));
  app.SetSendExecutor(
      [&loop](std::function<void()> fn) { (*loop)->Post(std::move(fn)); });
  auto store = fix::MakeStoreFactory(settings);
  // Password (554) never reaches a log file.
  fix::MaskingLogFactory log(fix::MakeLogFactory(settings), nullptr);
  auto driver = fix::SessionDriver::Create(app, *store, &log, settings);
  if (!driver.ok()) {
    fmt::print(stderr, "fixsim: {}: {}\n", config_path,
               driver.status().message());
    return 2;
  }
  fix::FixTransportEvents events;
  events.on_closed = [](const fix::ClosedConnection& c) {
    // Ordinary ends are not worth a line; refusals and failures are.
    if (c.cause == "peer_closed" || c.cause == "closed_locally") return;
    fmt::print(stderr, "fixsim: connection from {}{}{} ended: {}: {}\n",
               c.peer.ToString(), c.session.empty() ? "" : " for ", c.session,
               c.cause, c.text);
  };
  auto transport = fix::FixTransport::Start(**loop, **driver, plan->listens,
                                            {}, std::move(events));
  if (!transport.ok()) {
    fmt::print(stderr, "fixsim: {}: {}\n", config_path,
               transport.status().message());
    return 2;
  }
  std::string where;
  for (const fix::FixListen& l : plan->listens) {
    where += fmt::format("{}{}:{}", where.empty() ? "" : ", ", l.host, l.port);
  }
  fmt::print(stderr,
             "fixsim: started, {} instrument(s), {} session(s) on {}{}\n",
             sim_config->engine.instruments.size(), split->acceptor_count,
             where, split->acceptor_tls ? ", TLS" : "");

  std::thread loop_thread([&loop] { (*loop)->Run(); });
  int sig = stop.Wait();
  fmt::print(stderr, "fixsim: signal {}, logging out\n", sig);
  // On the loop thread: Logout to every logged-on session, then wait (at
  // most 2 s) for their answers, then drop every connection.
  fix::SessionDriver& sessions = **driver;
  (*loop)->Post([&sessions] {
    for (const FIX::SessionID& id : sessions.acceptor_sessions()) {
      FIX::Session* s = sessions.Find(id);
      if (s != nullptr && sessions.connected(id) && s->isLoggedOn()) {
        s->logout("fixsim stopping");
        sessions.Tick(s, FIX::UtcTimeStamp());
      }
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline) {
    std::promise<bool> any;
    (*loop)->Post([&sessions, &any] {
      bool connected = false;
      for (const FIX::SessionID& id : sessions.acceptor_sessions()) {
        connected = connected || sessions.connected(id);
      }
      any.set_value(connected);
    });
    if (!any.get_future().get()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  (*loop)->Post([&transport, &loop] {
    transport->reset();
    (*loop)->Stop();
  });
  loop_thread.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"fixsim: FIX 4.4 exchange simulator (matching engine)"};
  cli.set_version_flag("--version", "fixsim " FIXGW_VERSION);
  std::string config;
  cli.add_option("-c,--config", config,
                 "QuickFIX settings file: acceptor sessions and the [SIM] "
                 "section")
      ->required()
      ->check(CLI::ExistingFile);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  return Run(config);
}
