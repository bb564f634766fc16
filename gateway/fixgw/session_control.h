// Operator control of one FIX session (admin API POST /session): the
// actions, their parameters as the API takes them, and the port through
// which the admin server reaches the sessions (GatewayTransport implements
// it on the event loop that owns them; FIX::Session is not thread-safe).
//
// Actions, after QuickFIX/J's JMX session bean and Artio's admin API:
//   logon      an initiator (the exchange) logs on again; an acceptor (a
//              broker) that the operator logged out may log on again
//   logout     Logout (Text = the reason) and disconnect; an initiator does
//              not log on again, an acceptor refuses logons, until `logon`
//              or a restart
//   disable    a broker session refuses every logon with a Logout naming
//              the operator (and is logged out if logged on) until
//              `enable`; it survives a restart (journaled, read back at
//              start-up) but not a journal rollover
//   enable     undoes disable
//   set-seq    sets the next sender and/or target MsgSeqNum
//   reset-seq  both back to 1 (QuickFIX's store reset: stored messages are
//              discarded)
// The sequence-number actions are refused (FailedPrecondition, HTTP 409)
// while the session is logged on, unless forced. Every action is journaled
// (kSessionControl) with who asked before it takes effect.
// Pure values and parsing here; thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"

namespace fixgw::gw {

enum class SessionAction {
  kLogon,
  kLogout,
  kEnable,
  kDisable,
  kSetSeq,
  kResetSeq
};
inline constexpr SessionAction kAllSessionActions[] = {
    SessionAction::kLogon,   SessionAction::kLogout, SessionAction::kEnable,
    SessionAction::kDisable, SessionAction::kSetSeq, SessionAction::kResetSeq};

// "logon", "logout", "enable", "disable", "set-seq", "reset-seq".
std::string_view SessionActionName(SessionAction action);
std::optional<SessionAction> SessionActionFromName(std::string_view name);

// Why a broker session refuses logons (none: kOpen).
enum class Admission { kOpen, kLoggedOut, kDisabled };
// "open", "logged-out", "disabled".
std::string_view AdmissionName(Admission admission);

struct SessionCommand {
  SessionAction action = SessionAction::kLogon;
  std::string session;  // the full session key (names resolved before)
  std::optional<int64_t> next_sender;  // set-seq
  std::optional<int64_t> next_target;  // set-seq
  bool force = false;                  // seq actions while logged on
  std::string source;                  // "admin token:NAME from 127.0.0.1:PORT"
  std::string reason;                  // free text, may be empty
};

// The API's parameters (ParseAdminParams' strings: session, action,
// next_sender, next_target, force, reason) as a command; the session name
// is taken as given. InvalidArgument naming the parameter: an unknown
// action, a sequence number that is not an integer in 1..2^31-1, set-seq
// without either number, numbers with another action, force other than
// "true"/"false".
Result<SessionCommand> ParseSessionCommand(
    const std::map<std::string, std::string>& params);

// The state of a session after an action.
struct SessionControlOutcome {
  std::string session;
  bool exchange = false;  // the initiator session
  bool logged_on = false;
  Admission admission = Admission::kOpen;
  int64_t next_sender_seq = 0;
  int64_t next_target_seq = 0;
};

// One session's live connection, as the event loop that owns it sees it.
struct SessionConnection {
  std::string session;  // the full session key
  std::string remote;   // the peer, "127.0.0.1:50312" or "[::1]:50312"
  // Since the last message received on this connection; none yet: nullopt.
  std::optional<std::chrono::microseconds> heard_ago;
};

// The sessions as the admin server reaches them; implemented on the event
// loop. Control errors: NotFound (no such session), InvalidArgument (an
// action the session's side does not have), FailedPrecondition (logged on,
// without force; disabled, for logon), Internal (the store refused).
class SessionControl {
 public:
  virtual ~SessionControl() = default;
  virtual Result<SessionControlOutcome> Control(
      const SessionCommand& command) = 0;
  // Every session that has a connection now (named by its first message,
  // or dialled), read on the loop; sessions without one are absent.
  virtual std::vector<SessionConnection> Connections() = 0;
};

}  // namespace fixgw::gw
