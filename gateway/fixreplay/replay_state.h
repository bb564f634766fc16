// The gateway's state at a moment, recomputed from the journal: the order
// table (OrderRouter) and the risk state (RiskEngine: positions, cash,
// reservations) after applying, in journal order, every event entry up to
// and including the last one stamped at or before that moment.
//
// This is the one place that replays state for fixreplay: it drives the
// same OrderRouter and RiskEngine code as the gateway, so the result is
// what a gateway restarted from that prefix of the journal would hold.
// Not thread-safe; the journal must outlive the call.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/core/types.h"
#include "gateway/router/order_router.h"
#include "risk/risk_engine.h"
#include "store/journal.h"

namespace fixgw::replay {

struct ReplayedState {
  Timestamp until;
  int64_t last_seq = 0;        // last journal entry taken into account
  int64_t events_applied = 0;  // event entries applied (records excluded)
  // Every order known at `until`, oldest first, open or not.
  std::vector<gw::OrderSnapshot> orders;
  // Limits: the defaults until the journal loads a risk file.
  risk::RiskEngine risk{risk::RiskLimits{}};
  // Risk events the engine refused while replaying (as the gateway would
  // have counted them), and the last one's message.
  uint64_t risk_errors = 0;
  std::string last_risk_error;
  // The same state as fixgw's admin API shows it (GET /state,
  // gw::StateJson): one JSON document, byte for byte comparable.
  std::string state_json;
  // Entries of kinds this version does not know: skipped, so the state
  // may be incomplete; the first one is named.
  int64_t unknown_kinds = 0;
  std::string first_unknown;
  // Broker sessions the operator disabled (SessionControl) and did not
  // enable again: fixgw refuses their logons (the rollover carries them).
  std::set<std::string> disabled_sessions;
};

// Replays `journal` up to `until` (inclusive). The journal is read as a
// prefix: replay stops at the first entry stamped after `until`, so a
// wall-clock step backwards never applies an event without the ones
// before it. Errors: the journal cannot be read, or an event entry does not
// decode (the state would be wrong); they name the entry.
Result<ReplayedState> ReplayState(const store::Journal& journal,
                                  Timestamp until);

// The replay loop itself, for callers that need the router afterwards (the
// rollover): applies the events up to `until` to `router` and fills in
// `state`'s last_seq, events_applied and unknown kinds (not orders, risk
// or state_json). Errors as ReplayState.
Status ReplayInto(const store::Journal& journal, Timestamp until,
                  gw::OrderRouter& router, ReplayedState& state);

}  // namespace fixgw::replay
