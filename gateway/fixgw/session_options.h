// The gateway's per-session settings beyond QuickFIX's, read from the
// [SESSION] blocks of fixgw's settings file:
//
//   BeginString=FIX.4.4      FIX.4.2 or FIX.4.4 (any other is refused)
//   TimestampPrecision=3     QuickFIX's key: decimals of the timestamps the
//                              gateway writes to the session (0, 3, 6, 9)
//   DataDictionary=...       QuickFIX's key: the session's dictionary, whose
//                              version must be the session's; it also
//                              decides which pass-through fields the session
//                              gets (those it defines for the message, and
//                              user-defined tags >= 5000)
//   DefaultAccount=ACC1      broker sessions: Account of orders without one
//   PassThroughDeny=58,9001  tags never passed through to this session
//   CancelOnDisconnect=N     broker sessions: Y cancels the session's open
//                              orders when it logs out or its connection
//                              drops and it is not back within the delay
//   CancelOnDisconnectDelaySeconds=0
//                            that delay, 0 to 3600 (with
//                              CancelOnDisconnect=Y only)
//   Role=broker              broker sessions: broker (sends orders, default)
//                              or dropcopy (receives a copy of the reports
//                              of the sessions and accounts below; sends no
//                              orders)
//   DropCopySessions=B1,B2   Role=dropcopy only: the broker sessions it
//                              copies (full key or short name); absent or
//                              empty: every broker session
//   DropCopyAccounts=A1,A2   Role=dropcopy only: the accounts it copies;
//                              absent or empty: every account
//
// Exchange (initiator) sessions, one per venue:
//   Venue=XA                 the venue's name (letters, digits, '_', '-',
//                              '.'; at most 32): what ExDestination (100)
//                              names, and the name in /health, the metrics,
//                              the kill switch and the journal. Required on
//                              every exchange session when there are
//                              several; with one it defaults to the
//                              session's TargetCompID
//   VenueSymbols=AAPL,MSFT   the symbols routed to this venue when an order
//                              has no ExDestination (a symbol may be listed
//                              by one venue only)
//   MaxMessagesPerSecond=0   at most this many orders, cancels and replaces
//                              a second to the venue (0: no limit); more
//                              wait in a queue
//   MaxQueuedMessages=1000   how many may wait; an order, cancel or replace
//                              that finds the queue full is refused (with
//                              MaxMessagesPerSecond only)
//
// Errors are one line naming the file, the session and the key.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/fix/settings.h"
#include "gateway/fixgw/gateway_app.h"
#include "gateway/router/order_router.h"

namespace fixgw::gw {

inline constexpr int64_t kMaxCancelOnDisconnectDelaySeconds = 3600;

inline constexpr size_t kMaxVenueNameLength = 32;
inline constexpr int64_t kMaxMessagesPerSecondLimit = 1'000'000;

// One exchange session as configured.
struct VenueConfig {
  VenueName name;
  FIX::SessionID session;
  std::set<std::string> symbols;        // VenueSymbols
  int64_t max_messages_per_second = 0;  // 0: no limit
  int64_t max_queued_messages = 1000;
};

struct LoadedSessionOptions {
  // The exchange sessions, in the settings file's order (the first is the
  // default venue: see OrderRouter::Options::venues).
  std::vector<VenueConfig> venues;
  // The router's view of them.
  std::vector<OrderRouter::Options::Venue> RouterVenues() const;
  std::map<std::string, GatewayApplication::SessionOptions> sessions;
  // The drop-copy sessions (Role=dropcopy), their DropCopySessions
  // resolved to full session keys.
  std::vector<OrderRouter::Options::DropCopy> drop_copies;
  // The dictionaries the dialects point into (one per file).
  std::vector<std::unique_ptr<FIX::DataDictionary>> dictionaries;
};

Result<LoadedSessionOptions> LoadSessionOptions(const fix::SplitSettings& split,
                                                const std::string& origin);

// Checks every DropCopyAccounts name against `accounts` (the risk file's
// and the sessions' DefaultAccount): an unknown one is an error naming the
// file, the session and the key. Without risk checks there is no list of
// accounts and the caller does not call this.
Status CheckDropCopyAccounts(const LoadedSessionOptions& loaded,
                             const std::set<std::string>& accounts,
                             const std::string& origin);

// QuickFIX keys fixgw gives sessions that do not set them: the exchange
// session accepts user-defined fields (>= 5000) and standard fields outside
// a message's definition (a venue's extra tags are passed through, never
// answered with a session Reject).
fix::SideDefaults GatewaySessionDefaults();

}  // namespace fixgw::gw
