// fixgw: the FIX order gateway. Usage: fixgw --config FILE
//
// FILE is one QuickFIX settings file: acceptor sessions face the brokers,
// the one initiator session faces the exchange, and a [GATEWAY] section holds
// the gateway's own keys (gateway_config.h). At start the journal is opened
// and the order table rebuilt from it; then the sessions start. SIGTERM or
// SIGINT logs every session out and exits 0. Exit 2 on bad configuration or
// an unusable journal, 3 if the journal fails while running.
#include <CLI/CLI.hpp>
#include <csignal>
#include <fmt/format.h>

#include "gateway/fix/settings.h"
#include "gateway/fixgw/gateway_app.h"
#include "gateway/fixgw/gateway_config.h"
#include "gateway/fixgw/max_qty_risk.h"

namespace {

using namespace fixgw;

bool AnySessionHas(const FIX::SessionSettings& settings, const char* key) {
  if (settings.get().has(key)) return true;
  for (const FIX::SessionID& id : settings.getSessions()) {
    if (settings.get(id).has(key)) return true;
  }
  return false;
}

std::unique_ptr<FIX::MessageStoreFactory> StoreFor(
    const FIX::SessionSettings& settings) {
  if (AnySessionHas(settings, "FileStorePath")) {
    return std::make_unique<FIX::FileStoreFactory>(settings);
  }
  return std::make_unique<FIX::MemoryStoreFactory>();
}

int Run(const std::string& config_path) {
  auto split = fix::LoadSessionSettings(config_path);
  if (!split.ok()) {
    fmt::print(stderr, "fixgw: {}\n", split.status().message());
    return 2;
  }
  if (split->acceptor_count == 0 || split->initiator_count != 1) {
    fmt::print(stderr,
               "fixgw: {}: needs at least one broker session "
               "(ConnectionType=acceptor) and exactly one exchange session "
               "(ConnectionType=initiator), found {} and {}\n",
               config_path, split->acceptor_count, split->initiator_count);
    return 2;
  }
  auto config = gw::LoadGatewayConfig(config_path);
  if (!config.ok()) {
    fmt::print(stderr, "fixgw: {}\n", config.status().message());
    return 2;
  }
  auto journal = store::Journal::Open(config->journal_path,
                                      config->journal_sync);
  if (!journal.ok()) {
    fmt::print(stderr, "fixgw: {}\n", journal.status().message());
    return 2;
  }

  gw::MaxQtyRisk risk(config->max_order_qty);
  gw::OrderRouter router(
      gw::OrderRouter::Options{config->id_prefix, config->symbols}, &risk);
  if (Status st = gw::RecoverFromJournal(**journal, router); !st.ok()) {
    fmt::print(stderr, "fixgw: recovery failed: {}\n", st.message());
    return 2;
  }

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const FIX::SessionID exchange = *split->initiators.getSessions().begin();
  gw::GatewayApplication app(**journal, router, exchange);
  auto broker_store = StoreFor(split->acceptors);
  auto exchange_store = StoreFor(split->initiators);
  std::unique_ptr<FIX::LogFactory> broker_log, exchange_log;
  std::unique_ptr<FIX::ThreadedSocketAcceptor> acceptor;
  std::unique_ptr<FIX::ThreadedSocketInitiator> initiator;
  try {
    if (AnySessionHas(split->acceptors, "FileLogPath")) {
      broker_log = std::make_unique<FIX::FileLogFactory>(split->acceptors);
      acceptor = std::make_unique<FIX::ThreadedSocketAcceptor>(
          app, *broker_store, split->acceptors, *broker_log);
    } else {
      acceptor = std::make_unique<FIX::ThreadedSocketAcceptor>(
          app, *broker_store, split->acceptors);
    }
    if (AnySessionHas(split->initiators, "FileLogPath")) {
      exchange_log = std::make_unique<FIX::FileLogFactory>(split->initiators);
      initiator = std::make_unique<FIX::ThreadedSocketInitiator>(
          app, *exchange_store, split->initiators, *exchange_log);
    } else {
      initiator = std::make_unique<FIX::ThreadedSocketInitiator>(
          app, *exchange_store, split->initiators);
    }
    initiator->start();
    acceptor->start();
  } catch (const FIX::ConfigError& e) {
    fmt::print(stderr, "fixgw: {}: {}\n", config_path, e.what());
    return 2;
  } catch (const FIX::RuntimeError& e) {
    fmt::print(stderr, "fixgw: cannot start sessions: {}\n", e.what());
    return 2;
  }
  fmt::print(stderr, "fixgw: started: {} broker session(s), exchange {}\n",
             split->acceptor_count, exchange.toString());

  int sig = 0;
  sigwait(&stop_signals, &sig);
  fmt::print(stderr, "fixgw: signal {}, logging out\n", sig);
  acceptor->stop();
  initiator->stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"fixgw: FIX 4.4 order gateway"};
  std::string config;
  cli.add_option("-c,--config", config, "QuickFIX settings file")
      ->required()
      ->check(CLI::ExistingFile);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  return Run(config);
}
