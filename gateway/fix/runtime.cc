#include "gateway/fix/runtime.h"

#include <pthread.h>
#include <signal.h>


namespace fixgw::fix {
namespace {

bool AnySessionHas(const FIX::SessionSettings& settings, const char* key) {
  if (settings.get().has(key)) return true;
  for (const FIX::SessionID& id : settings.getSessions()) {
    if (settings.get(id).has(key)) return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<FIX::MessageStoreFactory> MakeStoreFactory(
    const FIX::SessionSettings& settings) {
  if (AnySessionHas(settings, "FileStorePath")) {
    return std::make_unique<FIX::FileStoreFactory>(settings);
  }
  return std::make_unique<FIX::MemoryStoreFactory>();
}

std::unique_ptr<FIX::LogFactory> MakeLogFactory(
    const FIX::SessionSettings& settings) {
  if (AnySessionHas(settings, "FileLogPath")) {
    return std::make_unique<FIX::FileLogFactory>(settings);
  }
  return nullptr;
}

std::unique_ptr<FIX::Acceptor> MakeAcceptor(FIX::Application& app,
                                            FIX::MessageStoreFactory& store,
                                            const FIX::SessionSettings& settings,
                                            FIX::LogFactory* log, bool tls) {
  if (tls) {
    return MakeConnector<FIX::ThreadedSSLSocketAcceptor>(app, store, settings,
                                                         log);
  }
  return MakeConnector<FIX::ThreadedSocketAcceptor>(app, store, settings, log);
}

std::unique_ptr<FIX::Initiator> MakeInitiator(
    FIX::Application& app, FIX::MessageStoreFactory& store,
    const FIX::SessionSettings& settings, FIX::LogFactory* log, bool tls) {
  if (tls) {
    return MakeConnector<FIX::ThreadedSSLSocketInitiator>(app, store, settings,
                                                          log);
  }
  return MakeConnector<FIX::ThreadedSocketInitiator>(app, store, settings,
                                                     log);
}

StopSignals::StopSignals(bool with_hangup) {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  if (with_hangup) sigaddset(&set_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
}

int StopSignals::Wait() {
  int sig = 0;
  sigwait(&set_, &sig);
  return sig;
}

}  // namespace fixgw::fix
