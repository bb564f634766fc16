// The gateway's journaled events: every decision the router takes and every
// message from the exchange, as plain values. The router's state changes only
// by applying these events (OrderRouter::Apply), so replaying the journal's
// events in order rebuilds the state exactly, whatever the configuration is
// at replay time. Encoded as one JSON object per event for the journal.
// Values only, thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "gateway/core/events.h"
#include "gateway/core/result.h"
#include "risk/risk_engine.h"

namespace fixgw::gw {

// A broker session, as QuickFIX names it ("FIX.4.4:GW->BROKER1").
using SessionKey = std::string;

// The name of an exchange-side session (Venue= in the settings file).
// Events written before fixgw had several venues carry none: "" stands for
// the default venue (OrderRouter::Options::venues' first).
using VenueName = std::string;

// A broker's NewOrderSingle was accepted and is forwarded to the exchange
// `venue` under `exch_cl_ord_id`.
struct NewOrderAccepted {
  SessionKey session;
  NewOrder order;
  std::string exch_cl_ord_id;
  VenueName venue = {};
};

// A broker's NewOrderSingle was refused by the gateway (validation, risk,
// exchange down, duplicate ClOrdID). The broker gets an ExecutionReport
// Rejected with `exec_id`. `order` holds what could be decoded.
struct NewOrderRejected {
  SessionKey session;
  NewOrder order;
  Rejection rejection;
  std::string exec_id;
};

// A broker's cancel or cancel-replace was forwarded to the exchange under
// `exch_cl_ord_id`, referring to the order's current exchange ClOrdID
// `orig_exch_cl_ord_id`. Exactly one of cancel/replace is meaningful,
// chosen by `is_replace`.
struct CancelReplaceForwarded {
  SessionKey session;
  bool is_replace = false;
  CancelRequest cancel;
  ReplaceRequest replace;
  std::string exch_cl_ord_id;
  std::string orig_exch_cl_ord_id;
};

// A broker's cancel or cancel-replace was refused by the gateway (unknown
// order, already pending, order done, exchange down...).
struct CancelReplaceRejected {
  SessionKey session;
  CancelReject reject;  // as sent to the broker
};

// A broker's OrderStatusRequest, answered from the gateway's order table
// with `exec_id` (ExecType OrderStatus; OrdStatus Rejected if unknown).
struct StatusAnswered {
  SessionKey session;
  StatusRequest request;
  std::string exec_id;
};

// An ExecutionReport from the exchange (exchange ClOrdIDs), before mapping.
struct ExchangeReportReceived {
  ExecutionReport report;
  VenueName venue = {};  // the session it came on
};

// An OrderCancelReject from the exchange (exchange ClOrdIDs).
struct ExchangeCancelRejectReceived {
  CancelReject reject;
  VenueName venue = {};  // the session it came on
};

// The exchange refused a message the gateway forwarded to it: a session
// Reject (35=3) or a BusinessMessageReject (35=j) naming a NewOrderSingle,
// cancel or replace (by its ClOrdID, or by the MsgSeqNum it was sent
// with). The order is rejected (D: the broker gets an ExecutionReport
// Rejected with `exec_id`) or the request refused (F/G: an
// OrderCancelReject), and what it reserved is released.
struct ExchangeRequestRefused {
  std::string exch_cl_ord_id;  // ClOrdID of the refused message
  char ref_msg_type = 'D';     // 'D', 'F' or 'G'
  std::string text;            // the venue's reason, as the broker reads it
  std::string exec_id;         // gateway ExecID, for a refused D
  VenueName venue = {};        // the session the refusal came on
};

// A broker's OrderMassStatusRequest (AF), answered from the order table:
// one ExecutionReport (ExecType OrderStatus) per order of the session that
// matches the request and is open, or finished at or after `since` (when
// the session's previous connection logged on, so a broker that reset its
// sequence numbers can rebuild its books). ExecIDs are `exec_id` and the numbers that follow
// it. No match, or a request refused (`refusal` says why, e.g. an
// unsupported MassStatusReqType): one ExecutionReport Rejected saying so.
struct MassStatusAnswered {
  SessionKey session;
  MassStatusRequest request;
  Timestamp since;
  std::string exec_id;
  std::string refusal;
};

// The exchange session logged on (up) or off (down), or, while logged on,
// stopped answering (responsive = false: a TestRequest went unanswered, see
// GatewayApplication's liveness probe) or answered again. `reason` says why
// for the audit trail ("" for plain logons and logouts). Journaled so that
// a decision taken on it (RefuseOrdersWhenExchangeUnresponsive) replays.
// Encoded without "responsive" when true and without "reason" when empty,
// so journals written before these fields decode unchanged.
struct ExchangeSessionChanged {
  ExchangeSessionChanged() = default;
  explicit ExchangeSessionChanged(bool is_up, bool is_responsive = true,
                                  std::string why = {}, VenueName where = {})
      : up(is_up),
        responsive(is_responsive),
        reason(std::move(why)),
        venue(std::move(where)) {}
  bool up = false;
  bool responsive = true;
  std::string reason;
  VenueName venue;  // whose session; encoded only when set
};

// A cancel the gateway itself sends to the exchange (kill switch): the
// order's current exchange ClOrdID and the cancel's new one.
struct GatewayCancel {
  std::string orig_exch_cl_ord_id;
  std::string exch_cl_ord_id;
  bool operator==(const GatewayCancel&) const = default;
};

// An operator engaged or disengaged a kill switch. While engaged, risk
// refuses every new order and replace in the scope; on engagement the
// gateway cancels the scope's open orders at the exchange (`cancels`,
// decided with the IDs they use). `source` says who (e.g. "admin
// 127.0.0.1"), `reason` why.
struct KillSwitchChanged {
  risk::KillScope scope;
  bool engaged = false;
  std::string source;
  std::string reason;
  std::vector<GatewayCancel> cancels;
};

// An operator (admin API) asked the gateway to cancel one open order at
// the exchange: `cancel` is decided like a kill-switch cancel (the order's
// current exchange ClOrdID and the cancel's new one). The broker that owns
// the order gets the exchange's answer as an unsolicited cancel whose Text
// names the operator's reason. `source` says who ("admin token:NAME from
// 127.0.0.1:PORT"), `reason` why (may be empty).
struct OperatorCancelRequested {
  std::string source;
  std::string reason;
  GatewayCancel cancel;
  bool operator==(const OperatorCancelRequested&) const = default;
};

// A broker's OrderMassCancelRequest (q), decided. The broker gets an
// OrderMassCancelReport (r) under the gateway's id `order_id` for the
// request; accepted (no `reject_reason`), the gateway sends one cancel to
// the exchange per entry of `cancels`, decided like a kill-switch cancel
// (the order's current exchange ClOrdID and the cancel's new one), and the
// report lists those orders (the broker's ClOrdID and the exchange's
// OrderID of each, as they were when decided). The decision, the report and
// the cancels are one journal entry: a crash leaves all or nothing of them.
// Refused (`reject_reason`: MassCancelRejectReason 532, `text` why): the
// report says so and nothing is cancelled.
// One order of a broker session that the gateway cancels on the session's
// behalf (mass cancel, cancel-on-disconnect): the cancel's exchange
// ClOrdIDs, and the order as the broker knows it when decided.
struct SessionOrderCancel {
  GatewayCancel cancel;
  std::string orig_cl_ord_id;  // the order's broker ClOrdID (41)
  std::string order_id;        // exchange OrderID (535); "" if none yet
  bool operator==(const SessionOrderCancel&) const = default;
};

struct MassCancelRequested {
  using Cancel = SessionOrderCancel;
  SessionKey session;
  MassCancelRequest request;
  std::string order_id;  // OrderID (37) of the report: "<prefix>-M<n>"
  std::optional<int> reject_reason;
  std::string text;
  std::vector<Cancel> cancels;
};

// Cancel-on-disconnect fired: broker session `session`, configured with
// CancelOnDisconnect=Y, went away (`reason`: "logout" when it sent a
// Logout, "disconnect" when its connection ended without one, "restart"
// when it was not back within the delay after the gateway started) and did
// not log back on within `delay_seconds`. The gateway sends one cancel per
// entry of `cancels` (decided like a kill-switch cancel); the broker gets
// each Canceled report as an unsolicited cancel, stored for its next logon.
// The decision and every cancel are one journal entry.
struct CancelOnDisconnectFired {
  SessionKey session;
  std::string reason;
  int64_t delay_seconds = 0;
  std::vector<SessionOrderCancel> cancels;
  bool operator==(const CancelOnDisconnectFired&) const = default;
};

// The risk limits in force from now on: the risk file's text as read (not
// its path), so that a replay rebuilds the same limits whatever the file
// holds today. `source` is the path it was read from.
struct RiskLimitsLoaded {
  std::string source;
  std::string text;
};

// The first entry of a journal that continues an archived one (end-of-day
// rollover, `fixreplay --roll`): what must survive the day, so that a
// gateway started on the new journal decides as it would have on the old
// one. Written only when the old journal has no open order. Carried: the
// risk limits in force (the last RiskLimitsLoaded's source and text; empty
// if none was loaded), the engaged kill switches, each account's net cash
// and positions, and the ID counters (so that exchange ClOrdIDs and gateway
// ExecIDs never repeat across the archive). Not carried: done orders, the
// ClOrdIDs and ExecIDs seen (duplicates are detected within one journal),
// throttle buckets (full again by the next day). The previous file's name,
// last seq and last hash repeat the journal's chain seed inside the chain.
struct JournalContinued {
  std::string previous_file;
  int64_t previous_last_seq = 0;
  std::string previous_last_hash;
  std::string risk_source;
  std::string risk_text;
  std::vector<risk::KillScope> kill_switches;
  std::vector<risk::CarriedAccount> accounts;
  uint64_t exch_ids = 0;  // exchange ClOrdIDs assigned so far
  uint64_t exec_ids = 0;  // gateway ExecIDs assigned so far
  bool operator==(const JournalContinued&) const = default;
};

using JournalEvent =
    std::variant<NewOrderAccepted, NewOrderRejected, CancelReplaceForwarded,
                 CancelReplaceRejected, StatusAnswered, ExchangeReportReceived,
                 ExchangeCancelRejectReceived, ExchangeSessionChanged,
                 KillSwitchChanged, RiskLimitsLoaded, JournalContinued,
                 ExchangeRequestRefused, MassStatusAnswered,
                 OperatorCancelRequested, MassCancelRequested,
                 CancelOnDisconnectFired>;

// "global", "account", "session" or "venue".
std::string_view KillScopeName(risk::KillScope::Kind kind);
std::optional<risk::KillScope::Kind> KillScopeFromName(std::string_view name);

// Journal kinds that only record a message (sent, or ignored) and hold no
// event: their payload is "{}" and the FIX message is in raw_fix. They
// change no state: recovery and replay skip them.
inline constexpr const char* kSentToBroker = "SentToBroker";
inline constexpr const char* kSentToExchange = "SentToExchange";
inline constexpr const char* kResendIgnored = "ResendIgnored";
inline constexpr const char* kExchangeMessageIgnored = "ExchangeMessageIgnored";
// Denials (issue 7): a broker Logon refused (session set; payload
// {"code":..,"detail":..}; raw_fix the Logon with Password masked), or a
// connection refused before any session (TLS handshake; session empty).
inline constexpr const char* kLogonRefused = "LogonRefused";
inline constexpr const char* kConnectionRefused = "ConnectionRefused";
// A Reject (35=3) or BusinessMessageReject (35=j) that QuickFIX itself
// sent, for a message that failed its session-level checks or has a type
// the gateway does not take (session set; raw_fix the reject, whose
// RefSeqNum names the message refused; payload {"peer":"broker"} or
// {"peer":"exchange"}).
inline constexpr const char* kRejectSent = "RejectSent";
// fixgw's start-up check of the journal (store/journal_head.h): passed
// (payload {"mode","from_seq","entries","head_seq","took_us"}), or failed
// and started anyway by the operator's --accept-journal-damage (payload
// {"problem","first_bad_seq","reason","by"}).
inline constexpr const char* kJournalVerified = "JournalVerified";
inline constexpr const char* kJournalDamageAccepted = "JournalDamageAccepted";
// An operator's session control (admin API: logon, logout, enable,
// disable, set-seq, reset-seq): session set; payload {"action":..,
// "source":..,"reason":..} plus, for the sequence numbers, "next_sender"
// and "next_target" before and after. Changes no order or risk state; the
// gateway reads the last enable/disable of each session at start-up
// (RecoverFromJournal), so a disabled session stays disabled across a
// restart.
inline constexpr const char* kSessionControl = "SessionControl";
// Keeps `disabled` (broker sessions whose logons are refused) up to date
// with one journal entry: a SessionControl "disable" adds its session, an
// "enable" removes it, anything else changes nothing. Fed every entry in
// order, the last enable/disable of each session stands.
void TrackDisabledSessions(std::string_view kind, const std::string& session,
                           std::string_view payload,
                           std::set<std::string>& disabled);
bool IsRecordOnly(std::string_view kind);

// The event's kind as journaled ("NewOrderAccepted", ...).
std::string_view KindName(const JournalEvent& event);

// One JSON object per event; decoding validates kind and fields. Prices are
// decimal strings, quantities integers, times FIX UTCTimestamps: no floats.
std::string EncodeEvent(const JournalEvent& event);
Result<JournalEvent> DecodeEvent(std::string_view json);

}  // namespace fixgw::gw
