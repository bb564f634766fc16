// QuickFIX sessions driven by the gateway's own transport (issue 19), through
// QuickFIX's public API only: no ThreadedSocketAcceptor/Initiator, no
// replaced library symbols.
//
// The driver creates every session of a settings file with
// FIX::SessionFactory (so they get exactly the defaults, data dictionaries,
// stores and logs a QuickFIX connector would give them) and lets a transport
// that owns the sockets attach connections to them:
//   - an accepted connection's first complete message names its session
//     (Accept: the header's BeginString and CompIDs, reversed); a session
//     not in the file, an initiator session, or one another connection holds
//     is refused with a reason, and the transport closes the connection;
//   - an outbound connection to an initiator session's peer is attached with
//     Connect, which makes the session send its Logon at the next Tick;
//   - every complete message is handed to Deliver (Session::next(message));
//   - Tick (Session::next(now)) runs heartbeats, TestRequests, logon and
//     logout timeouts; call it about once a second, and after Connect;
//   - Detach when the transport closed a connection.
// The transport implements FIX::Responder for each connection: QuickFIX
// calls send() with a whole message (already stored with its MsgSeqNum) and
// disconnect() when the session ends the connection. disconnect() is called
// from inside Deliver/Tick: the transport must only mark the connection for
// closing there and close it after the call returns.
//
// Threading: not thread-safe; one thread (the transport's loop) makes every
// call. QuickFIX's per-session locks are then never contended. Application
// callbacks run on that thread, inside Deliver and Tick. No QuickFIX
// exception leaves this class: each becomes a Status or a refusal.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/fix/quickfix.h"

namespace fixgw::fix {

class SessionDriver {
 public:
  // Creates the sessions of `settings` (all of them; acceptor and initiator
  // sessions may be mixed). `application`, `stores` and `logs` (may be
  // null) must outlive the driver. An error names the session and what
  // QuickFIX refused.
  static Result<std::unique_ptr<SessionDriver>> Create(
      FIX::Application& application, FIX::MessageStoreFactory& stores,
      FIX::LogFactory* logs, const FIX::SessionSettings& settings);
  ~SessionDriver();
  SessionDriver(const SessionDriver&) = delete;
  SessionDriver& operator=(const SessionDriver&) = delete;

  // The acceptor session `first_message` (a complete raw FIX message, SOH
  // separated) logs on to, attached to `responder`. Refused, with a reason
  // fit for the log and the journal: a message whose header cannot be read,
  // a session this process does not accept (or, with `only`, that is not
  // among them: the sessions of the port the connection came to), one
  // already connected.
  Result<FIX::Session*> Accept(std::string_view first_message,
                               FIX::Responder* responder,
                               const std::set<FIX::SessionID>* only = nullptr);
  // Attaches `responder` (a new outbound connection) to the initiator
  // session `id`; its Logon goes out at the next Tick.
  Result<FIX::Session*> Connect(const FIX::SessionID& id,
                                FIX::Responder* responder);
  // Hands one complete message to its session. False when the connection
  // must be closed (a message QuickFIX cannot parse before the session is
  // logged on, as QuickFIX's own connections do); `why` then says why.
  bool Deliver(FIX::Session* session, const std::string& message,
               const FIX::UtcTimeStamp& now, std::string* why);
  // The transport closed `session`'s connection: the session forgets its
  // responder and is free for the next connection.
  void Detach(FIX::Session* session);
  // Session::next(now) for every session with a connection (an initiator
  // sends its Logon here; reconnecting is the transport's job). QuickFIX
  // 1.15.1 uses `now` for the session's schedule only: heartbeat, test
  // request and timeout checks read the wall clock themselves.
  void Tick(const FIX::UtcTimeStamp& now);
  // The same for one session (an initiator's Logon right after Connect).
  void Tick(FIX::Session* session, const FIX::UtcTimeStamp& now);

  std::vector<FIX::SessionID> acceptor_sessions() const;
  std::vector<FIX::SessionID> initiator_sessions() const;
  FIX::Session* Find(const FIX::SessionID& id) const;
  bool connected(const FIX::SessionID& id) const;

 private:
  struct Entry {
    FIX::Session* session = nullptr;  // owned through factory_
    bool acceptor = false;
    bool connected = false;
  };
  SessionDriver(FIX::Application& application,
                FIX::MessageStoreFactory& stores, FIX::LogFactory* logs);
  // Gives `entry`'s session to a connection; refused if one holds it.
  Result<FIX::Session*> Attach(const FIX::SessionID& id, Entry& entry,
                               FIX::Responder* responder);

  FIX::SessionFactory factory_;
  std::map<FIX::SessionID, Entry> sessions_;
};

}  // namespace fixgw::fix
