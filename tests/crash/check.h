// The crash battery's checker (scripts/crashtest.sh, program crashcheck):
// compares, per ClOrdID, what each broker sent and received (fixload
// --record files), what each venue received and reported (its fixsim's
// QuickFIX message log of its GW session), what the drop-copy consumer
// received and what the gateway journaled, and the gateway's final state
// (GET /state) against a replay of the journal and against the brokers'
// own fills. "The exchange" below is every venue together. Reads only; pure
// over its inputs (the program does the file reading). Thread-compatible.
//
// Definitions (the counts of the summary line):
//
// orders_sent   distinct (broker session, ClOrdID) of the NewOrderSingles
//               the brokers' applications sent (a PossDup resend of one
//               counts once).
// lost          a broker NewOrderSingle that
//                 (1) got no answer at all: the broker application never
//                     received an ExecutionReport (8) or OrderCancelReject
//                     (9) whose ClOrdID or OrigClOrdID is its ClOrdID, a
//                     BusinessMessageReject (j) whose BusinessRejectRefID is
//                     its ClOrdID, nor a session Reject (3) whose RefSeqNum
//                     is the MsgSeqNum it went out with; or
//                 (2) the gateway accepted (NewOrderAccepted in the
//                     journal) but that never reached the exchange: fixsim's
//                     log holds no NewOrderSingle with its exchange ClOrdID
//                     (a PossDup resend would do).
//               Counted once per (broker session, ClOrdID).
// dup_at_exchange
//                 (1) an exchange-side order message (D, F or G) with a
//                     gateway ClOrdID that the exchange received more than
//                     once other than as a PossDup resend (PossDupFlag
//                     43=Y; a PossResend 97=Y with a new MsgSeqNum is a
//                     second order as far as the exchange knows, so it
//                     counts), or that the exchange acknowledged (ExecType
//                     New) twice under different ExecIDs: counted per
//                     gateway ClOrdID; or
//                 (2) two exchange orders for one (broker session,
//                     ClOrdID): two NewOrderAccepted entries in the journal
//                     with different exchange ClOrdIDs; counted per
//                     (broker session, ClOrdID).
// reports_lost  an ExecutionReport the exchange sent for a gateway order
//               (its ClOrdID or OrigClOrdID is an exchange ClOrdID that the
//               journal maps to a broker session) whose ExecID the owning
//               broker's application never received. Counted per ExecID
//               (the exchange's resends of a report count once). Gateway-
//               made reports (ExecIDs <IdPrefix>-X<n>) are not exchange
//               reports; when one is not delivered its order counts as
//               lost (1) instead.
// reports_dup   an ExecID that one broker application received more than
//               once. Counted per (broker session, ExecID).
// state_mismatch
//                 (a) the gateway's final /state against the state of a
//                     replay of the whole journal (every event, in order,
//                     through OrderRouter::Apply with a RiskEngine whose
//                     limits come from the journaled RiskLimitsLoaded, as
//                     fixgw's recovery does; StateJson of the result): one
//                     per account whose cash, available, reserved,
//                     open_orders or positions differ, plus one if the open
//                     orders differ;
//                 (b) the same /state against the brokers' books: per
//                     account the risk file's cash + sum over sells of
//                     LastQty x LastPx - the same over buys, and per symbol
//                     the bought minus the sold LastQty, over the fills
//                     (ExecType F) the broker applications received, each
//                     ExecID once; one per account whose cash or a position
//                     differs.
//
// With several venues (one fixsim each) and a drop-copy consumer:
//
// misrouted     an order message (D, F or G) a venue received whose Symbol
//               (55) that venue does not list (CheckInput::venues; a venue
//               with no symbols takes every symbol). Counted per (venue,
//               gateway ClOrdID).
// dropcopy_lost a report a broker application received (35=8, not ExecType
//               I, which drop copies do not get), keyed by ExecID + ClOrdID,
//               of which the drop-copy consumer's application received no
//               copy. Counted per (broker session, ExecID, ClOrdID).
// dropcopy_dup  a copy (ExecID + ClOrdID) the consumer's application
//               received more than once. Counted per key.
// dropcopy_unmarked
//               a 35=8 the consumer received (its message log) without
//               CopyMsgIndicator (797) = Y. Counted per message.
// Unsolicited cancels of cancel-on-disconnect (Text starting "canceled on
// disconnect") are reports like any other: owed once to the broker and to
// the drop copy; they are counted per session, not as failures, except:
// cod_unexpected  such a cancel (per ExecID) received by a broker session
//               not in CheckInput::cancel_on_disconnect (when that is set).
//
// Also reported, not counted (they do not fit the definitions above but
// point at the same kind of bug): cancels and replaces that got no answer
// (requests_unanswered), cancels and replaces the gateway forwarded
// (CancelReplaceForwarded) that never reached the exchange
// (forwarded_not_at_exchange), cancel rejects the exchange sent that the
// owning broker never received (cancel_rejects_lost), cancel rejects a
// broker received twice for one request (cancel_rejects_dup: they carry no
// ExecID), and exchange reports for ClOrdIDs the journal does not know
// (unmapped_exchange_reports).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"
#include "store/journal.h"

namespace fixgw::crash {

// One line of a fixload --record file (sim/fixload/recorder.h).
struct RecordMsg {
  bool out = false;
  int64_t time_us = 0;
  std::string type, seq;
  bool possdup = false;
  std::string cl_ord_id, orig_cl_ord_id, exec_id, exec_type, ord_status;
  std::string account, side, symbol, qty, price, last_qty, last_px;
  std::string ref_seq, biz_ref_id, text;
  int line = 0;
};

struct BrokerRecord {
  std::string path;
  std::string session;          // fixload's: "FIX.4.4:BROKER1->GW"
  std::string gateway_session;  // fixgw's key: "FIX.4.4:GW->BROKER1"
  std::vector<RecordMsg> messages;
};

Result<BrokerRecord> ParseRecord(std::string_view text,
                                 const std::string& path);

// One message of fixsim's QuickFIX message log.
struct SimMsg {
  bool from_exchange = false;  // SenderCompID is the exchange's
  std::string logged_at;       // the log line's time stamp
  std::string type, seq;
  bool possdup = false, possresend = false;
  std::string cl_ord_id, orig_cl_ord_id, exec_id, exec_type, ord_status;
  std::string side, last_qty, last_px, symbol;
  bool copy_msg_indicator = false;  // 797=Y
  size_t venue = 0;                 // index into CheckInput::venues
  int line = 0;
};

// Lines "<time> : 8=FIX...<SOH>10=nnn<SOH>"; other lines are skipped.
// `exchange_comp_id` tells the directions apart.
std::vector<SimMsg> ParseSimLog(std::string_view text,
                                const std::string& exchange_comp_id);

// A line of the battery's event log: "<time_us> <what happened>".
struct RunEvent {
  int64_t time_us = 0;
  std::string what;
};
std::vector<RunEvent> ParseEvents(std::string_view text);

// One venue: an exchange (fixsim) and the symbols the gateway routes to it.
struct VenueInput {
  std::string comp_id;               // the exchange's SenderCompID
  std::vector<std::string> symbols;  // empty: every symbol
  std::string name = {};             // its Venue= in fixgw ("": comp_id)
};

struct CheckInput {
  std::vector<BrokerRecord> brokers;
  // Every venue's messages (SimMsg::venue says whose); `venues` empty means
  // one venue taking every symbol.
  std::vector<SimMsg> sim;
  std::vector<VenueInput> venues;
  // The drop-copy consumer, if the run had one: its fixload record and its
  // message log (ParseSimLog with its own CompID as `exchange_comp_id`).
  std::optional<BrokerRecord> drop_copy;
  std::vector<SimMsg> drop_copy_log;
  // The broker CompIDs with CancelOnDisconnect=Y; nullopt: not checked.
  std::optional<std::vector<std::string>> cancel_on_disconnect;
  std::vector<store::JournalEntry> journal;
  std::string state_json;  // GET /state at the end of the run
  std::string risk_text;   // the risk file (initial cash)
  std::string id_prefix = "GW";
  std::vector<RunEvent> events;
  int64_t kills = 0;
  size_t max_details = 20;  // per kind of problem
};

struct Counts {
  uint64_t orders_sent = 0;
  uint64_t lost = 0;
  uint64_t dup_at_exchange = 0;
  uint64_t reports_lost = 0;
  uint64_t reports_dup = 0;
  uint64_t state_mismatch = 0;
  uint64_t misrouted = 0;
  uint64_t dropcopy_lost = 0;
  uint64_t dropcopy_dup = 0;
  uint64_t dropcopy_unmarked = 0;
  uint64_t cod_unexpected = 0;
  // Not counted as failures (see above).
  uint64_t requests_unanswered = 0;
  uint64_t forwarded_not_at_exchange = 0;
  uint64_t cancel_rejects_lost = 0;
  uint64_t cancel_rejects_dup = 0;
  uint64_t unmapped_exchange_reports = 0;
  bool ok() const {
    return lost == 0 && dup_at_exchange == 0 && reports_lost == 0 &&
           reports_dup == 0 && state_mismatch == 0 && misrouted == 0 &&
           dropcopy_lost == 0 && dropcopy_dup == 0 && dropcopy_unmarked == 0 &&
           cod_unexpected == 0;
  }
};

// The counts of one session, from its own side.
//   broker:  sent = orders (D) sent; received = distinct ExecIDs received;
//            lost = its lost orders + its reports_lost; duplicated = its
//            reports_dup + its orders in dup_at_exchange; unsolicited =
//            cancel-on-disconnect cancels received.
//   dropcopy: sent = reports the brokers received (copies owed); received =
//            distinct copies received; lost = dropcopy_lost; duplicated =
//            dropcopy_dup (+ dropcopy_unmarked).
//   venue:   sent = distinct ExecIDs it reported; received = distinct
//            gateway ClOrdIDs of the D/F/G it received; lost = orders
//            accepted for it that never reached it + reports_lost of its
//            reports; duplicated = its dup_at_exchange (1); misrouted.
struct SessionCounts {
  std::string name, role;
  uint64_t sent = 0, received = 0, lost = 0, duplicated = 0;
  uint64_t misrouted = 0, unsolicited = 0;
  std::string Line() const;
};

struct CheckResult {
  Counts counts;
  int64_t kills = 0;
  // One entry per bad case, possibly several lines each.
  std::vector<std::string> details;
  // Problems with the inputs themselves (unparsable state, journal events
  // that do not decode...); they make the run fail too.
  std::vector<std::string> errors;
  // Brokers, then the drop copy, then the venues.
  std::vector<SessionCounts> sessions;

  // "crashtest: orders_sent=.. kills=.. lost=.. dup_at_exchange=..
  // reports_lost=.. reports_dup=.. state_mismatch=.." then "misrouted=..
  // dropcopy_lost=.. dropcopy_dup=.. dropcopy_unmarked=.. cod_unexpected=.."
  std::string Summary() const;
  // "crashtest: also: requests_unanswered=.. ..."
  std::string Extra() const;
};

CheckResult Check(const CheckInput& input);

// StateJson (gateway/router/state_report.h) of a replay of `journal`,
// through a router configured with `venues` as fixgw was (none: one venue).
Result<std::string> ReplayState(const std::vector<store::JournalEntry>& journal,
                                const std::string& id_prefix,
                                const std::vector<VenueInput>& venues = {});

}  // namespace fixgw::crash
