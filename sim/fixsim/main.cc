// fixsim: FIX 4.4 exchange simulator. Usage: fixsim --config FILE
//
// FILE is a QuickFIX settings file with acceptor sessions and a [SIM]
// section (see sim_config.h). Stores are in memory unless FileStorePath is
// set; logs are off unless FileLogPath is set. SIGTERM/SIGINT log the
// sessions out and exit 0. Exit 2 on bad configuration.
#include <fmt/format.h>

#include "gateway/fix/masking_log.h"
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
  sim::SimApplication app(*sim_config, std::move(ledger));
  auto store = fix::MakeStoreFactory(settings);
  // Password (554) never reaches a log file.
  fix::MaskingLogFactory log(fix::MakeLogFactory(settings), nullptr);
  std::unique_ptr<FIX::Acceptor> acceptor;
  try {
    acceptor = fix::MakeAcceptor(app, *store, settings, &log,
                                 split->acceptor_tls);
    acceptor->start();
  } catch (const FIX::ConfigError& e) {
    fmt::print(stderr, "fixsim: {}: {}\n", config_path, e.what());
    return 2;
  } catch (const FIX::RuntimeError& e) {
    fmt::print(stderr, "fixsim: cannot start acceptor: {}\n", e.what());
    return 2;
  }
  fmt::print(stderr,
             "fixsim: started, {} instrument(s), {} session(s){}\n",
             sim_config->engine.instruments.size(), split->acceptor_count,
             split->acceptor_tls ? ", TLS" : "");

  int sig = stop.Wait();
  fmt::print(stderr, "fixsim: signal {}, logging out\n", sig);
  acceptor->stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return fixgw::fix::RunWithConfigArg(
      argc, argv, "fixsim: FIX 4.4 exchange simulator (matching engine)", &Run);
}
