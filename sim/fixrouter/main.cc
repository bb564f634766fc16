// fixrouter: the plainest pass-through FIX router QuickFIX's public API
// allows, the baseline scripts/bench.sh measures fixgw against. Nothing of
// the project's own code runs in it but the wrapper header that includes
// QuickFIX (gateway/fix/quickfix.h: C++20 cannot read QuickFIX 1.15.1's
// exception specifications otherwise).
//
//   fixrouter BROKERS.cfg EXCHANGE.cfg
//   fixrouter --version
//
// BROKERS.cfg holds the broker sessions (acceptors, served by a
// ThreadedSocketAcceptor: one thread per connection), EXCHANGE.cfg exactly
// one exchange session (initiator, a SocketInitiator: one thread). They are
// two files because an acceptor reads SocketAcceptPort from every session
// of the settings it is given.
//
// Every application message from a broker goes to the exchange; every
// application message from the exchange goes back to the broker session
// that sent its ClOrdID (11), or for a BusinessMessageReject its
// BusinessRejectRefID (379), through a ClOrdID -> session map, so several
// brokers can share the exchange session. Messages from the exchange that
// name no known ClOrdID (e.g. a session-level Reject, which refers to the
// router's own sequence numbers) are dropped and counted. ClOrdIDs pass
// unchanged, so they must be unique across brokers; the map keeps every
// ClOrdID for the life of the process. The header rewrite is
// Session::sendToTarget's: it fills BeginString, SenderCompID,
// TargetCompID, MsgSeqNum and SendingTime for the session it is given.
//
// No risk checks, no journal, no log (no LogFactory), sessions in a
// MemoryStore: a restart starts every session at sequence number 1.
// Validation is QuickFIX's own (UseDataDictionary in the settings).
//
// Threads: fromApp runs on the broker connections' threads and on the
// initiator's thread; the map is guarded by a mutex; sendToTarget is
// thread-safe. SIGINT or SIGTERM stops the router, which then prints how
// many messages it carried each way.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "fixgw_version.h"
#include "gateway/fix/quickfix.h"

namespace {

class Router : public FIX::Application {
 public:
  explicit Router(FIX::SessionID exchange) : exchange_(std::move(exchange)) {}

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& id) override {
    std::fprintf(stderr, "fixrouter: %s logged on\n", id.toString().c_str());
  }
  void onLogout(const FIX::SessionID& id) override {
    std::fprintf(stderr, "fixrouter: %s logged out\n", id.toString().c_str());
  }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) override {}

  void fromApp(const FIX::Message& message,
               const FIX::SessionID& from) override {
    FIX::Message out = message;
    if (from == exchange_) {
      std::optional<FIX::SessionID> broker = BrokerOf(message);
      if (broker && FIX::Session::sendToTarget(out, *broker)) {
        to_brokers_.fetch_add(1, std::memory_order_relaxed);
      } else {
        dropped_.fetch_add(1, std::memory_order_relaxed);
      }
      return;
    }
    if (message.isSetField(FIX::FIELD::ClOrdID)) {
      std::lock_guard lock(mu_);
      broker_of_[message.getField(FIX::FIELD::ClOrdID)] = from;
    }
    if (FIX::Session::sendToTarget(out, exchange_)) {
      to_exchange_.fetch_add(1, std::memory_order_relaxed);
    } else {
      dropped_.fetch_add(1, std::memory_order_relaxed);
    }
  }

  void PrintCounts() const {
    std::fprintf(stderr,
                 "fixrouter: carried %llu messages to the exchange, %llu to "
                 "brokers, dropped %llu\n",
                 static_cast<unsigned long long>(to_exchange_.load()),
                 static_cast<unsigned long long>(to_brokers_.load()),
                 static_cast<unsigned long long>(dropped_.load()));
  }

 private:
  std::optional<FIX::SessionID> BrokerOf(const FIX::Message& message) {
    for (int tag : {FIX::FIELD::ClOrdID, FIX::FIELD::BusinessRejectRefID}) {
      if (!message.isSetField(tag)) continue;
      std::lock_guard lock(mu_);
      auto it = broker_of_.find(message.getField(tag));
      if (it != broker_of_.end()) return it->second;
    }
    return std::nullopt;
  }

  const FIX::SessionID exchange_;
  std::mutex mu_;
  std::unordered_map<std::string, FIX::SessionID> broker_of_;  // by ClOrdID
  std::atomic<unsigned long long> to_exchange_{0};
  std::atomic<unsigned long long> to_brokers_{0};
  std::atomic<unsigned long long> dropped_{0};
};

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--version") {
    std::printf("fixrouter %s\n", FIXGW_VERSION);
    return 0;
  }
  if (argc != 3) {
    std::fprintf(stderr, "usage: fixrouter BROKERS.cfg EXCHANGE.cfg\n");
    return 2;
  }
  // Blocked before QuickFIX starts its threads, so that only sigwait below
  // receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  try {
    FIX::SessionSettings brokers(argv[1]);
    FIX::SessionSettings exchange(argv[2]);
    if (exchange.getSessions().size() != 1) {
      std::fprintf(stderr, "fixrouter: %s must hold exactly one session\n",
                   argv[2]);
      return 2;
    }
    Router router(*exchange.getSessions().begin());
    FIX::MemoryStoreFactory store;
    FIX::SocketInitiator initiator(router, store, exchange);
    FIX::ThreadedSocketAcceptor acceptor(router, store, brokers);
    initiator.start();
    acceptor.start();
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    acceptor.stop();
    initiator.stop();
    router.PrintCounts();
  } catch (const std::exception& e) {  // ConfigError, RuntimeError
    std::fprintf(stderr, "fixrouter: %s\n", e.what());
    return 2;
  }
  return 0;
}
