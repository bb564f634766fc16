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
  std::variant<ExecutionReport, CancelReject> message;
};
// A message for the exchange session (exchange ClOrdIDs).
struct ToExchange {
  std::variant<NewOrder, CancelRequest, ReplaceRequest> message;
};
using Action = std::variant<ToBroker, ToExchange>;

// The gateway's view of one order.
struct OrderSnapshot {
  SessionKey session;
  std::string cl_ord_id;        // broker's current ClOrdID
  std::string exch_cl_ord_id;   // current exchange ClOrdID
  std::string order_id;         // exchange OrderID, once known
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
  // A cancel or replace sent to the exchange and not answered yet.
  bool cancel_pending = false;
  bool replace_pending = false;
};

// Pre-trade check between validation and the exchange. Implementations must
// be pure functions of their arguments and their own configuration.
class RiskHook {
 public:
  virtual ~RiskHook() = default;
  virtual std::optional<Rejection> CheckNewOrder(const SessionKey& session,
                                                 const NewOrder& order) const = 0;
  // `current` is the order being replaced.
  virtual std::optional<Rejection> CheckReplace(
      const SessionKey& session, const ReplaceRequest& request,
      const OrderSnapshot& current) const = 0;
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
  };

  // `risk` may be null (no pre-trade check); it must outlive the router.
  OrderRouter(Options options, const RiskHook* risk);
  ~OrderRouter();
  OrderRouter(const OrderRouter&) = delete;
  OrderRouter& operator=(const OrderRouter&) = delete;

  // NewOrderSingle. Rejected (NewOrderRejected) when: the exchange session is
  // down (kExchangeClosed, Text says so); duplicate ClOrdID of the session
  // (kDuplicateOrder); unknown symbol (kUnknownSymbol); qty <= 0
  // (kIncorrectQuantity); limit without price or price <= 0, market with a
  // price (kUnsupportedOrderCharacteristic / kOther); the risk hook refuses.
  // Otherwise NewOrderAccepted with a fresh exchange ClOrdID.
  JournalEvent DecideNewOrder(const SessionKey& session,
                              const NewOrder& order) const;
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
  // (kAlreadyPending); the exchange is down (kBrokerOption, Text says so);
  // for replace: symbol/side changed, bad qty/price, or risk refuses
  // (kBrokerOption with Text). Otherwise CancelReplaceForwarded.
  JournalEvent DecideCancel(const SessionKey& session,
                            const CancelRequest& request) const;
  JournalEvent DecideReplace(const SessionKey& session,
                             const ReplaceRequest& request) const;
  // A cancel/replace that failed decoding.
  JournalEvent DecideUndecodableCancelReplace(const SessionKey& session,
                                              bool is_replace,
                                              const std::string& cl_ord_id,
                                              const std::string& orig_cl_ord_id,
                                              const Rejection& why) const;

  // Status request: answered from the order table.
  JournalEvent DecideStatus(const SessionKey& session,
                            const StatusRequest& request) const;

  // Applies an event; returns what to send. Exchange reports for unknown
  // exchange ClOrdIDs and repeated ExecIDs are ignored (no action).
  std::vector<Action> Apply(const JournalEvent& event, Timestamp at);

  bool exchange_up() const;
  // Whether `cl_ord_id` was already used by `session` (orders, cancels and
  // replaces alike): how the adapter recognises a resent message.
  bool KnowsClOrdId(const SessionKey& session,
                    const std::string& cl_ord_id) const;
  // Whether an exchange ExecID was already applied.
  bool KnowsExecId(const std::string& exec_id) const;

  std::optional<OrderSnapshot> FindOrder(const SessionKey& session,
                                         const std::string& cl_ord_id) const;
  std::vector<OrderSnapshot> Orders() const;  // every order, oldest first

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgw::gw
