#include "gateway/fixreplay/replay_state.h"

#include <utility>

#include "gateway/fixreplay/trail.h"
#include "gateway/router/journal_events.h"
#include "gateway/router/state_report.h"

namespace fixgw::replay {

Result<ReplayedState> ReplayState(const store::Journal& journal,
                                  Timestamp until) {
  ReplayedState state;
  // The router feeds the engine every accepted order, replace, fill, end of
  // order, kill switch and limits change, exactly as in the gateway. The
  // symbol list only matters for new decisions, which a replay never takes.
  gw::OrderRouter router(gw::OrderRouter::Options{}, &state.risk);
  if (Status st = ReplayInto(journal, until, router, state); !st.ok()) {
    return st;
  }
  state.orders = router.Orders();
  state.risk_errors = router.risk_errors();
  state.last_risk_error = router.last_risk_error();
  state.state_json = gw::StateJson(router, &state.risk);
  return state;
}

Status ReplayInto(const store::Journal& journal, Timestamp until,
                  gw::OrderRouter& router, ReplayedState& state) {
  state.until = until;
  Status failure;
  Status st = journal.ForEach(0, [&](const store::JournalEntry& e) {
    if (e.time > until) return false;
    state.last_seq = e.seq;
    gw::TrackDisabledSessions(e.kind, e.session, e.payload,
                              state.disabled_sessions);
    if (IsRecordOnly(e.kind)) return true;
    Result<gw::JournalEvent> event = gw::DecodeEvent(e.payload);
    if (!event.ok()) {
      if (!IsEventKind(e.kind)) {
        if (state.unknown_kinds++ == 0) {
          state.first_unknown =
              "entry " + std::to_string(e.seq) + " of kind '" + e.kind + "'";
        }
        return true;
      }
      failure = Status::InvalidArgument("journal " + journal.path() +
                                        " entry " + std::to_string(e.seq) +
                                        ": " + event.status().message());
      return false;
    }
    router.Apply(*event, e.time);
    ++state.events_applied;
    return true;
  });
  if (!st.ok()) return st;
  return failure;
}

}  // namespace fixgw::replay
