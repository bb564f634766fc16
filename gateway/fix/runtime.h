// Start-up pieces shared by the programs that run QuickFIX sessions (fixgw,
// fixsim): store and log factories chosen from the settings, threaded
// connectors, and waiting for a stop signal. Call from the main thread.
#pragma once

#include <memory>
#include <string>

#include "gateway/fix/quickfix.h"

namespace fixgw::fix {

// FileStoreFactory when any session (or [DEFAULT]) sets FileStorePath,
// otherwise in-memory stores.
std::unique_ptr<FIX::MessageStoreFactory> MakeStoreFactory(
    const FIX::SessionSettings& settings);

// FileLogFactory when any session sets FileLogPath, otherwise null (no logs).
std::unique_ptr<FIX::LogFactory> MakeLogFactory(
    const FIX::SessionSettings& settings);

// A Threaded* acceptor or initiator, logging through `log` when not null.
// Throws FIX::ConfigError like QuickFIX's constructors.
template <typename Connector>
std::unique_ptr<Connector> MakeConnector(FIX::Application& app,
                                         FIX::MessageStoreFactory& store,
                                         const FIX::SessionSettings& settings,
                                         FIX::LogFactory* log) {
  if (log != nullptr) {
    return std::make_unique<Connector>(app, store, settings, *log);
  }
  return std::make_unique<Connector>(app, store, settings);
}

// The Threaded* acceptor or initiator, or its SSL variant when `tls`
// (SplitSettings::acceptor_tls / initiator_tls, whose keys tls.h checked).
// Throws FIX::ConfigError like QuickFIX's constructors; a certificate
// QuickFIX cannot load surfaces as FIX::RuntimeError from start().
std::unique_ptr<FIX::Acceptor> MakeAcceptor(FIX::Application& app,
                                            FIX::MessageStoreFactory& store,
                                            const FIX::SessionSettings& settings,
                                            FIX::LogFactory* log, bool tls);
std::unique_ptr<FIX::Initiator> MakeInitiator(
    FIX::Application& app, FIX::MessageStoreFactory& store,
    const FIX::SessionSettings& settings, FIX::LogFactory* log, bool tls);

// Blocks SIGTERM and SIGINT (and SIGHUP if `with_hangup`) in the calling
// thread and so in every thread it starts afterwards (construct it before
// starting any session); Wait() returns the signal that arrived.
class StopSignals {
 public:
  explicit StopSignals(bool with_hangup = false);
  int Wait();

 private:
  sigset_t set_;
};

}  // namespace fixgw::fix
