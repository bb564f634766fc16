// The gateway's order router: broker orders in, exchange orders out, reports
// mapped back to the broker that owns the order. Pure and deterministic: no
// I/O, no clock, no threads.
//
// Two steps per input, so that the journal can sit between them:
//   1. Decide*(input) looks at the state (const) and returns the event to
//      journal: the decision, with any IDs it assigns.
//   2. Apply(event, at) is the only mutation: it updates the order table and
//      returns the messages to send. Recovery re-applies the journaled events
//      in order and discards the messages.
// The exchange never sees a broker ClOrdID: the router assigns its own
// (`id_prefix` + counter) and maps cancel/replace chains both ways.
//
// Not thread-safe: the caller serialises Decide/Apply (one mutex).
#pragma once

#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "gateway/router/journal_events.h"

namespace fixgw::gw {

// A message for a broker session.
struct ToBroker {
  SessionKey session;
  std::variant<ExecutionReport, CancelReject, MassCancelReport> message;
};
// A message for an exchange session (exchange ClOrdIDs): the venue's.
struct ToExchange {
  std::variant<NewOrder, CancelRequest, ReplaceRequest> message;
  VenueName venue = {};  // Options::venues' name (never "")
};
using Action = std::variant<ToBroker, ToExchange>;

// The gateway's view of one order.
struct OrderSnapshot {
  SessionKey session;
  std::string cl_ord_id;        // broker's current ClOrdID
  std::string exch_cl_ord_id;   // current exchange ClOrdID
  std::string order_id;         // exchange OrderID, once known
  VenueName venue;              // where it was routed
  std::string account;
  std::string symbol;
  Side side = Side::kBuy;
  OrdType ord_type = OrdType::kLimit;
  TimeInForce tif = TimeInForce::kDay;
  Qty order_qty;
  std::optional<Price> price;
  OrdStatus status = OrdStatus::kPendingNew;
  Qty cum_qty;
  Qty leaves_qty;
  Price avg_px;
  // A cancel or replace sent to the exchange and not answered yet (a
  // kill-switch cancel included).
  bool cancel_pending = false;
  bool replace_pending = false;
};

class OrderRouter {
 public:
  struct Options {
    // Prefix of exchange ClOrdIDs and gateway ExecIDs. Must differ between
    // gateways sharing an exchange.
    std::string id_prefix = "GW";
    // Tradable symbols; any other is rejected (OrdRejReason 1). Empty set:
    // every symbol is accepted.
    std::set<std::string> symbols;
    // How many finished (filled, canceled, rejected by the exchange, ...)
    // orders stay in the order table after the one that finished last;
    // older ones are evicted, so the table holds the open orders plus this
    // many. An evicted order is unknown to status, cancel and replace
    // requests (they are answered "unknown order"), to /state and to
    // exchange reports (a late one is ignored), but its ClOrdIDs still
    // count as used: the duplicate check covers every ClOrdID of the
    // journal. Eviction follows the applied events only, so replaying a
    // journal evicts the same orders. The default keeps every order.
    size_t finished_orders_kept = std::numeric_limits<size_t>::max();
    // Refuse new orders, replaces and cancels while the exchange is logged
    // on but not answering (ExchangeSessionChanged with responsive =
    // false), as if it were down; Text "exchange is not answering: ...".
    // Off: they are forwarded and wait for the exchange.
    bool refuse_when_exchange_unresponsive = false;
    // Drop-copy sessions (a broker-side session with Role=dropcopy). Apply
    // adds, right after each ExecutionReport, OrderCancelReject and
    // OrderMassCancelReport it sends a broker session, one copy of it
    // (ToBroker to the drop-copy session) per drop copy that covers it: the
    // copy goes through the same journal, session store and resend as the
    // original, so it is delivered exactly once and in journal order.
    // Copies keep every field of the original (the broker's ClOrdID, the
    // ExecID); an ExecutionReport's copy also carries CopyMsgIndicator
    // (797) = Y in its pass-through fields (FIX 4.4 defines 797 on the
    // ExecutionReport only). Not copied: the answers to status requests
    // (H, AF: ExecType OrderStatus; they describe, they report nothing
    // new) and anything sent to a drop-copy session itself.
    struct DropCopy {
      SessionKey session = {};
      // The accounts it covers; empty: every account. A report covers an
      // account by its Account (the order's, from the order table, when
      // the report has none); a cancel reject by its order's account (an
      // unknown order has none: copied only to drop copies without an
      // account filter); a mass cancel report by the request's Account.
      std::set<std::string> accounts = {};
      // The broker sessions it covers; empty: every one.
      std::set<SessionKey> sessions = {};
      bool operator==(const DropCopy&) const = default;
    };
    // Applied by Apply, so a replay of the journal derives the copies of
    // the configuration given here, not of the one in force when the
    // events were journaled (see README, "Drop copy").
    std::vector<DropCopy> drop_copies = {};
    // The exchange sessions (Venue= of each initiator). The first is the
    // default venue: the one an event without a venue (journaled before
    // fixgw had several) belongs to. Empty: one venue named "".
    // With one venue every order goes to it and ExDestination (100) is
    // only passed through. With several, an order goes to the venue its
    // ExDestination names (exactly; any other value is refused), else to
    // the venue whose `symbols` hold its Symbol, else it is refused; a
    // venue that is down (or not answering, with
    // refuse_when_exchange_unresponsive) refuses its orders, cancels and
    // replaces, and no other venue's.
    struct Venue {
      VenueName name = {};
      std::set<std::string> symbols = {};  // VenueSymbols
      bool operator==(const Venue&) const = default;
    };
    std::vector<Venue> venues = {};
  };

  // `risk` may be null (pass-through: no pre-trade check, no kill switch);
  // it must outlive the router. The router is then the only caller of the
  // engine's mutations: Apply feeds it every accepted order, replace, fill
  // and end of order, keyed by the order's first exchange ClOrdID, so the
  // risk state too is a function of the journaled events.
  OrderRouter(Options options, risk::RiskEngine* risk);
  ~OrderRouter();
  OrderRouter(const OrderRouter&) = delete;
  OrderRouter& operator=(const OrderRouter&) = delete;

  // NewOrderSingle. Rejected (NewOrderRejected) when: the exchange session is
  // down, or not answering with Options::refuse_when_exchange_unresponsive
  // (kExchangeClosed, Text says so); duplicate ClOrdID of the session
  // (kDuplicateOrder); unknown symbol (kUnknownSymbol); qty <= 0
  // (kIncorrectQuantity); limit without price or price <= 0, market with a
  // price (kUnsupportedOrderCharacteristic / kOther); the risk engine
  // refuses at time `at` (its reason and Text). Otherwise NewOrderAccepted
  // with a fresh exchange ClOrdID. Apply must get the same `at`.
  JournalEvent DecideNewOrder(const SessionKey& session, const NewOrder& order,
                              Timestamp at = Timestamp{}) const;
  // A NewOrderSingle that failed decoding (unsupported value): rejected with
  // the decoder's reason. `order` holds the fields that could be read.
  JournalEvent DecideUndecodableOrder(const SessionKey& session,
                                      const NewOrder& order,
                                      const Rejection& why) const;

  // Cancel / replace. Refused with a CancelReject (CancelReplaceRejected)
  // when: the broker ClOrdID is already used by the session
  // (kDuplicateClOrdId); the order is unknown to this session
  // (kUnknownOrder, OrderID "NONE"); it is done (filled, canceled, rejected:
  // kTooLateToCancel); a cancel or replace is already pending
  // (kAlreadyPending); the exchange is down, or not answering with
  // Options::refuse_when_exchange_unresponsive (kBrokerOption, Text says so);
  // for replace: symbol/side changed, bad qty/price, or risk refuses
  // (kBrokerOption with Text). Otherwise CancelReplaceForwarded.
  JournalEvent DecideCancel(const SessionKey& session,
                            const CancelRequest& request) const;
  JournalEvent DecideReplace(const SessionKey& session,
                             const ReplaceRequest& request,
                             Timestamp at = Timestamp{}) const;
  // A cancel/replace that failed decoding.
  JournalEvent DecideUndecodableCancelReplace(const SessionKey& session,
                                              bool is_replace,
                                              const std::string& cl_ord_id,
                                              const std::string& orig_cl_ord_id,
                                              const Rejection& why) const;

  // Kill switch. Engaging also decides a cancel (with a fresh exchange
  // ClOrdID) for every open order of the scope that has no cancel pending,
  // if the exchange session is up. Without a risk engine the switch blocks
  // nothing (pass-through mode); the gateway refuses to engage it then.
  JournalEvent DecideKillSwitch(const risk::KillScope& scope, bool engaged,
                                std::string source, std::string reason) const;

  // An operator's cancel of one order, named by any exchange ClOrdID of
  // its chain (the gateway's order id, as /state shows it): a cancel with a
  // fresh exchange ClOrdID, sent and answered like a kill-switch cancel.
  // NotFound for an order the table does not hold; FailedPrecondition for
  // one that is finished, has a cancel or replace pending, or while the
  // exchange session is down (nothing is queued).
  Result<JournalEvent> DecideOperatorCancel(const std::string& exch_cl_ord_id,
                                            std::string source,
                                            std::string reason) const;

  // OrderMassCancelRequest (q) of `session` (MassCancelRequested). Refused,
  // with MassCancelRejectReason (532) and Text, when: the ClOrdID is empty
  // or already used by the session (99); MassCancelRequestType is neither 1
  // (one Symbol) nor 7 (all orders) (0: not supported); type 1 without a
  // Symbol, or with one outside Options::symbols (1); the exchange session
  // is down, or not answering with
  // Options::refuse_when_exchange_unresponsive (99). Otherwise accepted: a
  // cancel (fresh exchange ClOrdID) for every order of `session` that is
  // open, matches Symbol (type 1), Side and Account when the request has
  // them, and has no cancel or replace pending; orders the exchange has not
  // acknowledged yet are included (their cancel follows the order on the
  // same FIX session). Another session's orders are never touched. An
  // engaged kill switch does not stop it (it blocks orders, not cancels).
  JournalEvent DecideMassCancel(const SessionKey& session,
                                const MassCancelRequest& request) const;
  // Cancel-on-disconnect of broker session `session`, which went away
  // (`reason`: "logout", "disconnect" or "restart") and stayed away
  // `delay_seconds` (CancelOnDisconnectFired): a cancel (fresh exchange
  // ClOrdID) for every open order of the session without a cancel pending,
  // an order with a replace pending included (see order_router.cc); none
  // of another session. The event may hold no cancel (nothing open).
  // FailedPrecondition while the exchange session is down, or not
  // answering with Options::refuse_when_exchange_unresponsive: nothing can
  // be sent, the caller decides again later.
  Result<JournalEvent> DecideCancelOnDisconnect(const SessionKey& session,
                                                std::string reason,
                                                int64_t delay_seconds) const;
  // A mass cancel request that failed decoding (an unsupported Side):
  // refused with MassCancelRejectReason 99 and `text`.
  JournalEvent DecideUndecodableMassCancel(const SessionKey& session,
                                           const std::string& cl_ord_id,
                                           const std::string& req_type,
                                           std::string text) const;

  // End-of-day rollover: the first event of the journal that continues the
  // current one, whose last entry is `last_seq` with hash `last_hash`
  // (JournalContinued: limits as last loaded, engaged kill switches, each
  // account's net cash and positions, ID counters). The caller makes sure
  // no order is open (CountOrders); open orders are not carried.
  JournalContinued DecideContinuation(std::string previous_file,
                                      int64_t last_seq,
                                      std::string last_hash) const;

  // Status request: answered from the order table.
  JournalEvent DecideStatus(const SessionKey& session,
                            const StatusRequest& request) const;
  // OrderMassStatusRequest: every order of the session that matches and is
  // open, or finished at or after `since` (MassStatusAnswered).
  // A non-empty `refusal` answers the request with one rejected report.
  JournalEvent DecideMassStatus(const SessionKey& session,
                                const MassStatusRequest& request,
                                Timestamp since,
                                std::string refusal = {}) const;
  // The exchange refused (35=3 / 35=j) the D, F or G it got under
  // `exch_cl_ord_id` for `text` (ExchangeRequestRefused).
  JournalEvent DecideExchangeRefusal(std::string exch_cl_ord_id,
                                     char ref_msg_type, std::string text,
                                     VenueName venue = {}) const;

  // Applies an event; returns what to send. Exchange reports for unknown
  // exchange ClOrdIDs and repeated ExecIDs are ignored (no action).
  // Risk: NewOrderAccepted reserves; a forwarded replace reserves the worse
  // of old and new terms until the exchange answers; fills move cash and
  // positions; a terminal report releases what is left. A kill-switch
  // cancel answered Canceled reaches the broker as an unsolicited cancel
  // (ClOrdID = the order's current one, Text naming the kill switch); a
  // cancel reject for it is not relayed (the broker asked nothing).
  // RiskLimitsLoaded replaces the engine's limits (text that fails to
  // parse leaves them as they were). JournalContinued (the first event of
  // a continued journal) loads its limits, engages its kill switches,
  // carries its accounts' cash and positions into the engine and moves the
  // ID counters past the previous journal's.
  std::vector<Action> Apply(const JournalEvent& event, Timestamp at);

  // Every venue's session is logged on.
  bool exchange_up() const;
  // False while the last ExchangeSessionChanged of some venue said its
  // logged-on session does not answer.
  bool exchange_responsive() const;
  // One venue's state as the journal says it (up false for a name that is
  // not configured and never appeared).
  bool VenueUp(const VenueName& venue) const;
  bool VenueResponsive(const VenueName& venue) const;
  // The configured venues' names, in Options::venues order ({""} without).
  std::vector<VenueName> VenueNames() const;
  // Every venue whose session the journal says is up, configured or not
  // (an event may name a venue of another configuration).
  std::vector<VenueName> VenuesUp() const;
  // The venue an event's venue field names: itself, or the default venue
  // for "".
  const VenueName& CanonicalVenue(const VenueName& venue) const;
  // The other way: what an event decided now says for `venue` ("" with one
  // venue, so that a one-venue journal reads as before there were several).
  VenueName JournaledVenue(const VenueName& venue) const;
  // Open orders of `session` on venues that cannot take a cancel now (down,
  // or not answering with refuse_when_exchange_unresponsive) and without a
  // cancel pending: what a cancel-on-disconnect left for later.
  size_t OpenOrdersOnUnusableVenues(const SessionKey& session) const;
  // Risk events the engine refused so far, and the last one's message.
  uint64_t risk_errors() const;
  const std::string& last_risk_error() const;
  // Whether `cl_ord_id` was already used by `session` (orders, cancels and
  // replaces alike): how the adapter recognises a resent message.
  bool KnowsClOrdId(const SessionKey& session,
                    const std::string& cl_ord_id) const;
  // How Apply takes an exchange report: applied; a duplicate (its ExecID
  // was already applied to the same order: a resend); or for an order the
  // table does not hold (never known, or evicted), ignored.
  enum class ReportFate { kApply, kDuplicate, kUnknownOrder };
  // Whether some order in the table carried the exchange ExecID.
  bool KnowsExecId(const std::string& exec_id) const;
  // A report that came on `venue`'s session ("": the default venue) and
  // names an order routed to another venue is kUnknownOrder: a venue
  // reports only on its own orders.
  ReportFate ClassifyReport(const ExecutionReport& report,
                            const VenueName& venue = {}) const;
  // The exchange ClOrdID of another order that already carried the
  // report's ExecID (a venue reusing ExecIDs), or empty. Such a report is
  // applied all the same (ExecIDs are deduplicated per order), and relayed
  // with ExecID "<ExecID>.<the order's first exchange ClOrdID>" so the
  // broker's ExecIDs stay unique.
  std::string ExecIdReusedFrom(const ExecutionReport& report) const;
  // Whether an exchange OrderCancelReject for the exchange ClOrdID
  // `exch_cl_ord_id` (the cancel/replace it refuses) was already applied:
  // OrderCancelRejects carry no ExecID, and a request is refused once.
  bool KnowsCancelReject(const std::string& exch_cl_ord_id) const;

  struct OrderCounts {
    size_t open = 0;  // not terminal
    // Open and waiting for the exchange: not acknowledged yet, or with a
    // cancel or replace pending.
    size_t awaiting_exchange = 0;
  };
  OrderCounts CountOrders() const;  // O(orders), no copies

  // The order that has waited longest for an exchange answer (the ones
  // CountOrders counts in awaiting_exchange), or nullopt. `since` is the
  // time of the event that made it wait (Apply's `at`: the journal time),
  // so a replay rebuilds it; a request sent while the order already waited
  // (a cancel of an unacknowledged order) does not restart the clock, and
  // neither does an exchange report that leaves it waiting (a partial fill
  // while a cancel is pending). `cl_ord_id` is the broker's ClOrdID of the
  // waiting request (the cancel's or replace's own, else the order's).
  // O(log orders) per event to maintain, O(1) to read.
  struct AwaitingOrder {
    SessionKey session;
    std::string cl_ord_id;
    std::string exch_cl_ord_id;
    Timestamp since;
  };
  std::optional<AwaitingOrder> OldestAwaiting() const;

  std::optional<OrderSnapshot> FindOrder(const SessionKey& session,
                                         const std::string& cl_ord_id) const;
  // Every order in the table (see Options::finished_orders_kept), oldest
  // first.
  std::vector<OrderSnapshot> Orders() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgw::gw
