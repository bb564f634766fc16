// The FIX face of the gateway: one QuickFIX Application serving the broker
// sessions (acceptor) and the exchange session (initiator).
//
// Per inbound application message, under one mutex:
//   decode -> OrderRouter::Decide* -> OrderRouter::Apply -> journal the event
//   and every message it produces in one transaction -> send them.
// Nothing is sent before its journal transaction committed. If the journal
// cannot be written the gateway stops at once (fail-stop, exit code 3): the
// in-memory state already holds the unjournaled event, and a restart
// rebuilds the state from what the journal does hold.
//
// Threading: QuickFIX calls back on its socket threads. toApp/toAdmin never
// take the mutex, so sending under it cannot deadlock with QuickFIX's
// per-session locks.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "gateway/fix/quickfix.h"
#include "gateway/router/order_router.h"
#include "store/journal.h"

namespace fixgw::gw {

class GatewayApplication : public FIX::Application {
 public:
  // `journal` and `router` must outlive this object; the router must already
  // hold the recovered state (RecoverFromJournal).
  GatewayApplication(store::Journal& journal, OrderRouter& router,
                     FIX::SessionID exchange_session);

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& id) override;
  void onLogout(const FIX::SessionID& id) override;
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) override {}
  // Broker side: D, F, G, H; anything else throws
  // FIX::UnsupportedMessageType (QuickFIX answers BusinessMessageReject).
  // Exchange side: 8 and 9; anything else is logged and dropped.
  void fromApp(const FIX::Message& msg, const FIX::SessionID& id) override;

 private:
  void FromBroker(const FIX::Message& msg, const FIX::SessionID& id,
                  const std::string& type);
  void FromExchange(const FIX::Message& msg, const std::string& type);
  // Applies, journals and sends; requires mu_.
  void Process(const JournalEvent& event, const std::string& raw_fix);
  void Send(const Action& action);

  store::Journal& journal_;
  OrderRouter& router_;
  const FIX::SessionID exchange_session_;
  std::mutex mu_;  // serialises router_, journal_ and the order of sends
};

// Rebuilds `router` from every event in `journal`, then journals that the
// exchange session is down (it is, until it logs on). Errors name the entry.
Status RecoverFromJournal(store::Journal& journal, OrderRouter& router);

}  // namespace fixgw::gw
