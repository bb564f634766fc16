// The audit trail: one row per journal entry, in journal order, saying when
// it happened, for which broker session and order (broker and exchange
// ClOrdIDs), which FIX message it was, what the gateway decided and why.
//
// Exchange-side entries carry only exchange ClOrdIDs in the journal; the
// trail fills in the broker session, ClOrdID and account of the order they
// belong to, from an OrderTracker fed by the same entries. The tracker keeps
// the live orders plus a bounded number of finished ones (late messages
// about a finished order still resolve), so memory grows with the number of
// open orders, not with the length of the journal.
//
// Reading never stops at an entry it does not understand: an unknown kind
// (a newer gateway) or a payload that does not decode becomes a row with
// its kind, the journal's own columns and a reason, and is counted.
// Not thread-safe; values only. The journal must outlive the calls.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/router/journal_events.h"
#include "gateway/core/types.h"
#include "store/journal.h"

namespace fixgw::replay {

// Which way the message behind an entry went.
enum class Direction {
  kFromBroker,    // a broker's request and the gateway's decision on it
  kToBroker,      // a message the gateway sent to a broker
  kToExchange,    // a message the gateway sent to the exchange
  kFromExchange,  // a message the exchange sent
  kInternal,      // no FIX message: session state, kill switch, limits
  kUnknown,       // an entry kind this version does not know
};
// "from-broker", "to-broker", "to-exchange", "from-exchange", "internal",
// "unknown".
std::string_view Name(Direction d);

// One line of the trail. Every field is display text ("" when it does not
// apply): quantities are whole numbers, prices decimals with at least two
// places, enums by name ("Buy", "PartiallyFilled").
struct TrailRow {
  int64_t seq = 0;
  Timestamp time;
  std::string event;  // the journal entry's kind ("NewOrderAccepted")
  std::string session;
  Direction direction = Direction::kUnknown;
  std::string msg_type;  // FIX message name ("ExecutionReport")
  std::string account;
  std::string cl_ord_id;       // broker ClOrdID
  std::string orig_cl_ord_id;  // broker OrigClOrdID
  std::string exch_cl_ord_id;  // gateway-assigned exchange ClOrdID
  std::string symbol;
  std::string side;
  std::string qty;    // OrderQty
  std::string price;  // limit price
  std::string ord_type;  // "Limit", "Market"
  std::string tif;       // TimeInForce: "Day", "IOC", ...
  std::string exec_type;
  std::string exec_id;   // ExecID of an ExecutionReport (exchange's or ours)
  std::string order_id;  // OrderID: the exchange's order identifier
  std::string last_qty;
  std::string last_px;
  std::string cum_qty;
  std::string leaves_qty;
  std::string status;  // OrdStatus, or the decision ("Accepted", "Rejected")
  std::string reason;  // Text, with OrdRejReason / CxlRejReason when given
  // The venue of the order, or of the exchange session the row is about;
  // "" in journals of a gateway with one venue (their events name none).
  std::string venue;
};

// What the trail knows of each order: its broker session and account, and
// which broker ClOrdID goes with each exchange ClOrdID of its chain.
class OrderTracker {
 public:
  struct Order {
    uint64_t number = 0;  // 1, 2, ...: NewOrderAccepted entries in order
    std::string session;
    std::string account;
    std::string symbol;
    std::string side;
    std::string venue;
    std::vector<std::string> exch_ids;    // the chain, oldest first
    std::vector<std::string> broker_ids;  // ditto ("" for gateway cancels)
    bool finished = false;
  };
  // An order and the ID paired with the one looked up (the broker ClOrdID
  // of an exchange ClOrdID, or the other way round).
  struct Hit {
    const Order* order = nullptr;
    std::string paired_id;
  };

  // `keep_finished`: how many finished orders stay resolvable after they
  // finished (oldest forgotten first).
  explicit OrderTracker(size_t keep_finished);

  // A new order (NewOrderAccepted). Null if its IDs are already known (a
  // damaged journal): the first order keeps them.
  const Order* Add(const std::string& session, const std::string& cl_ord_id,
                   const std::string& exch_cl_ord_id,
                   const std::string& account, const std::string& symbol,
                   const std::string& side, const std::string& venue = {});
  // A new link of `order`'s chain (a forwarded cancel/replace, or a
  // gateway's own cancel with an empty broker ClOrdID, which then pairs
  // with the order's latest broker ClOrdID).
  void Link(const Order* order, const std::string& cl_ord_id,
            const std::string& exch_cl_ord_id);
  std::optional<Hit> ByExch(const std::string& exch_cl_ord_id) const;
  std::optional<Hit> ByBroker(const std::string& session,
                              const std::string& cl_ord_id) const;
  // The order reached a final state (filled, canceled, rejected, expired).
  void Finish(const Order* order);

  // The numbers of the orders whose chain holds `id`, as an exchange
  // ClOrdID or as a broker ClOrdID (of `session`, or of any session if
  // empty). Scans every order: meant for a tracker that forgets nothing.
  std::vector<uint64_t> OrdersWithId(const std::string& id,
                                     const std::string& session) const;
  size_t tracked() const { return orders_.size(); }

 private:
  static std::string BrokerKey(const std::string& session,
                               const std::string& cl_ord_id);
  Order* Mutable(const Order* order);

  size_t keep_finished_;
  std::unordered_map<uint64_t, Order> orders_;
  // exchange ClOrdID -> (order number, broker ClOrdID)
  std::unordered_map<std::string, std::pair<uint64_t, std::string>> by_exch_;
  // session '\x1f' broker ClOrdID -> (order number, exchange ClOrdID)
  std::unordered_map<std::string, std::pair<uint64_t, std::string>> by_broker_;
  std::deque<uint64_t> finished_;  // oldest first
  uint64_t next_number_ = 1;
};

// Turns journal entries, fed in journal order, into trail rows.
class TrailBuilder {
 public:
  // Finished orders kept resolvable by default (see OrderTracker).
  static constexpr size_t kKeepFinished = 16384;
  explicit TrailBuilder(size_t keep_finished = kKeepFinished);

  TrailRow Build(const store::JournalEntry& entry);
  // The tracker's number of the order the last row belongs to; 0 if none.
  uint64_t last_order() const { return last_order_; }
  const OrderTracker& tracker() const { return tracker_; }

  // Entries of kinds this version does not know, and entries whose payload
  // did not decode, seen so far (the first one's message is kept).
  int64_t unknown_kinds() const { return unknown_kinds_; }
  int64_t unreadable() const { return unreadable_; }
  const std::string& first_problem() const { return first_problem_; }

 private:
  void FromSentToBroker(const store::JournalEntry& e, TrailRow& row);
  void FromSentToExchange(const store::JournalEntry& e, TrailRow& row);
  void FromRecord(const store::JournalEntry& e, TrailRow& row);
  void FromDenial(const store::JournalEntry& e, TrailRow& row);
  void FromSessionControl(const store::JournalEntry& e, TrailRow& row);
  void FromJournalCheck(const store::JournalEntry& e, TrailRow& row);
  void FromRejectSent(const store::JournalEntry& e, TrailRow& row);
  void FromUndecodable(const store::JournalEntry& e, const Status& why,
                       TrailRow& row);
  void Problem(const store::JournalEntry& e, const std::string& what);
  // Fills session/account/symbol/side from `order` where the row has none.
  void Complete(const OrderTracker::Order* order, TrailRow& row);

  OrderTracker tracker_;
  uint64_t last_order_ = 0;
  int64_t unknown_kinds_ = 0;
  int64_t unreadable_ = 0;
  std::string first_problem_;
};

struct TrailFilter {
  // Broker or exchange ClOrdID: every entry of the orders whose cancel/
  // replace chain holds it, on both sides, plus entries naming it directly
  // (a rejected order, a cancel reject).
  std::optional<std::string> order_id;
  std::optional<std::string> account;
  std::optional<std::string> symbol;
  // The full session key ("FIX.4.4:GW->BROKER1") or the broker's CompID
  // ("BROKER1").
  std::optional<std::string> session;
  std::optional<Timestamp> from;  // inclusive
  std::optional<Timestamp> to;    // inclusive
  // The orders routed to this venue and its session's changes (journals of
  // a gateway with several venues: one venue's events name none).
  std::optional<std::string> venue = std::nullopt;
};

// Record-only kinds: gw::IsRecordOnly (gateway/router/journal_events.h).
using gw::IsRecordOnly;

// Whether `kind` is an event kind this version decodes ("NewOrderAccepted").
bool IsEventKind(std::string_view kind);

// Whether a row's session matches a --session argument.
bool SessionMatches(std::string_view row_session, std::string_view wanted);

struct TrailStats {
  int64_t entries = 0;  // journal entries read
  int64_t rows = 0;     // rows that passed the filter
  int64_t unknown_kinds = 0;
  int64_t unreadable = 0;
  std::string first_problem;
  // For each name filter given: every value of that kind in the journal
  // (all rows, before any filter), so that a name the journal never saw
  // is told apart from one with no entries in the time range.
  std::set<std::string> accounts, symbols, sessions, venues;
  // With order_id: whether any entry names it or its chain.
  bool order_seen = false;
};

// Streams `journal` in order and calls `emit` for each row passing
// `filter`. Memory stays bounded (see OrderTracker) except with order_id,
// which first reads the journal once to find the order's whole chain and
// then keeps every order resolvable. Errors: the journal cannot be read.
Result<TrailStats> ReplayTrail(
    const store::Journal& journal, const TrailFilter& filter,
    const std::function<void(const TrailRow&)>& emit);

}  // namespace fixgw::replay
