// Order router: decisions are const functions of the state, and Apply is the
// only mutation, so the journal of events alone rebuilds the state.
//
// Decisions taken where the header is silent:
// - IDs: exchange ClOrdIDs are `prefix-N`, gateway ExecIDs `prefix-XM`; N and
//   M count every ID ever assigned. Apply advances a counter to
//   max(counter + 1, number embedded in the event's ID), so replaying a
//   journal reproduces the next IDs even under another configuration.
// - New order checks run in this order: empty ClOrdID, duplicate ClOrdID,
//   exchange down, symbol, quantity, price, risk. With several venues:
//   empty, duplicate, symbol, venue (routing, then the venue down), ... A
//   duplicate is reported as a duplicate even while the exchange is down: every
//   ClOrdID has one fate, and a broker resending it never mistakes the
//   duplicate for a retryable "exchange closed".
// - A refused order's or cancel/replace's ClOrdID counts as used (a resend
//   is recognised by KnowsClOrdId and refused as a duplicate), except when
//   the refusal is itself "duplicate": that ID already belongs to something
//   else. Refused orders do not enter the order table.
// - Price shape: a limit order without a price or a market order with one is
//   kUnsupportedOrderCharacteristic; a limit price <= 0 is kOther.
// - Replace may not change symbol, side or account (an empty account means
//   "unchanged") nor set a quantity below the filled quantity.
// - Gateway-made messages carry TransactTime = `at` of Apply (the
//   CancelReject of CancelReplaceRejected included).
// - The order's status as stored is the exchange's, except that a reported
//   OrdStatus Replaced (not used in FIX 4.4) and a Pending* status undone by a
//   cancel reject are replaced by New/PartiallyFilled/Filled derived from
//   the quantities. Pending flags clear once the order is terminal.
// - Exchange reports are deduplicated by (order, ExecID) once applied, for
//   as long as their order is in the table; a report whose IDs match no
//   order (never known, or evicted) is dropped without recording its
//   ExecID. An ExecID already carried by another order (a venue that
//   restarted its counter) is applied and relayed as "<ExecID>.<the
//   order's first exchange ClOrdID>". An OrderID "NONE" from the exchange
//   is not recorded as the order's OrderID.
// - Every ExecType is relayed. Trade, TradeCorrect and TradeCancel move
//   cash and positions (a bust reverses the fill its ExecRefID names, a
//   correction reverses it and applies the corrected LastQty/LastPx; a
//   reference to no known fill falls back on the report's own LastQty and
//   LastPx, else counts as a risk error). After a bust, a correction or a
//   restatement of a live order, its open quantity in risk follows the
//   report's LeavesQty (reopened if the fill had closed it). DoneForDay,
//   Expired, Canceled and Rejected release what is left.
// - TransactTime: an order's, cancel's or replace's is the broker's when
//   it sent one, else `at`; a relayed report without one gets `at`.
// - A refused D (ExchangeRequestRefused) rejects the order only while
//   nothing of it has traded; a refused F/G is handled as an
//   OrderCancelReject of it with CxlRejReason Other.
// - A second NewOrderAccepted for a (session, ClOrdID) already in the table
//   (a corrupt journal) sends nothing: never an order twice.
// - Risk keys: an order is known to the risk engine by its first exchange
//   ClOrdID for its whole life (replaces do not re-key it). A risk event
//   the engine refuses (it cannot happen when checks and events agree) is
//   counted in risk_errors() with its message; the order flow goes on.
// - Mass cancel (35=q): orders with a cancel or replace pending are left
//   out and not counted (a cancel pending is already on its way; cancelling
//   an order whose replace is in flight could race the replace at the
//   exchange, and the broker asked for that replace); the broker may send
//   the request again once the replace is answered. Orders not yet
//   acknowledged are included. The per-order answers reach the broker as
//   unsolicited cancels (no OrigClOrdID) whose Text names the request's
//   ClOrdID; a cancel the exchange rejects is not relayed (as for the kill
//   switch) and leaves the order open.
// - Cancel-on-disconnect: every open order of the session without a cancel
//   pending, those with a replace pending included (the broker is gone: a
//   replace it asked for must not leave the order live; the cancel names
//   the order's current exchange ClOrdID and its OrderID, as a kill-switch
//   cancel does). An order with a cancel pending is left to that cancel.
//   Unacknowledged orders are included. The Canceled reports reach the
//   broker as unsolicited cancels, Text "canceled on disconnect (...)"; a
//   cancel the exchange rejects is not relayed and leaves the order open.
// - Several venues: an exchange report, cancel reject or refusal is taken
//   only from the venue the order was routed to (another venue's is
//   ignored, as for an unknown order). A kill switch, a mass cancel and a
//   cancel-on-disconnect cancel the orders on venues that can take a
//   cancel now and leave the others open: a mass cancel's report says how
//   many it left; a cancel-on-disconnect is decided again for them
//   (OpenOrdersOnUnusableVenues) once their venue is back. With one venue
//   the texts say "exchange" as before; with several they name the venue.
// - Kill switch: orders with a cancel pending are not cancelled again; an
//   order with a replace pending is cancelled under its current exchange
//   ClOrdID. A kill-switch cancel rejected by the exchange leaves the order
//   open (the reject is journaled; engaging again retries).
#include "gateway/router/order_router.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace fixgw::gw {
namespace {

constexpr std::string_view kNone = "NONE";

std::string Quoted(std::string_view s) {
  std::string out = "'";
  out += s;
  out += "'";
  return out;
}

// Where the digits an ID ends with begin ("GW-X17" -> 4; size() if none).
size_t TrailingDigitsBegin(std::string_view id) {
  size_t begin = id.size();
  while (begin > 0 && id[begin - 1] >= '0' && id[begin - 1] <= '9') --begin;
  return begin;
}

// The number an ID ends with ("GW-17" -> 17); nullopt if none or too long.
std::optional<uint64_t> TrailingNumber(std::string_view id) {
  const size_t begin = TrailingDigitsBegin(id);
  if (begin == id.size() || id.size() - begin > 19) return std::nullopt;
  uint64_t value = 0;
  for (size_t i = begin; i < id.size(); ++i) {
    value = value * 10 + static_cast<uint64_t>(id[i] - '0');
  }
  return value;
}

void Advance(uint64_t& counter, std::string_view id) {
  uint64_t next = counter + 1;
  if (auto embedded = TrailingNumber(id); embedded && *embedded > next) {
    next = *embedded;
  }
  counter = next;
}

// What a price must look like for an order type; nullopt if fine.
std::optional<Rejection> CheckPrice(OrdType type,
                                    const std::optional<Price>& price) {
  if (type == OrdType::kLimit) {
    if (!price) {
      return Rejection{OrdRejReason::kUnsupportedOrderCharacteristic,
                       "limit order needs a price"};
    }
    if (price->micros() <= 0) {
      return Rejection{OrdRejReason::kOther, "limit price must be > 0 (got " +
                                                 FormatPrice(*price) + ")"};
    }
  } else if (price) {
    return Rejection{OrdRejReason::kUnsupportedOrderCharacteristic,
                     "market order must not carry a price (got " +
                         FormatPrice(*price) + ")"};
  }
  return std::nullopt;
}

// `t`, or `at` when `t` is unset (a message without TransactTime).
Timestamp OrAt(Timestamp t, Timestamp at) { return t == Timestamp{} ? at : t; }

// Status of a live order from its quantities.
OrdStatus DerivedStatus(const OrderSnapshot& s) {
  if (s.cum_qty.units() <= 0) return OrdStatus::kNew;
  if (s.leaves_qty.units() <= 0) return OrdStatus::kFilled;
  return OrdStatus::kPartiallyFilled;
}

bool IsPendingStatus(OrdStatus s) {
  return s == OrdStatus::kPendingCancel || s == OrdStatus::kPendingReplace;
}

struct Refusal {
  CxlRejReason reason;
  std::string text;
};

// The (session, ClOrdID) pairs a journal has used, in constant space per
// pair: a 64-bit fingerprint each, in an open-addressing table at most half
// full (8 to 16 bytes a pair, against about 100 for the strings in a
// std::set). Two different pairs share a fingerprint with probability
// 2^-64, so with n pairs in a day a fresh ClOrdID is taken for a duplicate
// with probability about n^2 / 2^65 (3e-8 at a million orders); a
// duplicate is never taken for a fresh ID.
class ClOrdIdSet {
 public:
  bool Contains(const SessionKey& session, std::string_view id) const {
    if (slots_.empty()) return false;
    const uint64_t f = Fingerprint(session, id);
    for (size_t i = f & mask(); slots_[i] != 0; i = (i + 1) & mask()) {
      if (slots_[i] == f) return true;
    }
    return false;
  }
  void Insert(const SessionKey& session, std::string_view id) {
    if (2 * (size_ + 1) > slots_.size()) Grow();
    if (Place(slots_, Fingerprint(session, id))) ++size_;
  }

 private:
  size_t mask() const { return slots_.size() - 1; }
  static uint64_t Fingerprint(const SessionKey& session, std::string_view id) {
    std::string key;
    key.reserve(session.size() + 1 + id.size());
    key += session;
    key += '\x01';  // in neither a CompID nor a ClOrdID
    key += id;
    const uint64_t h = std::hash<std::string_view>{}(key);
    return h == 0 ? 1 : h;  // 0 marks an empty slot
  }
  // Adds `f` unless present; true if added. `table` has a free slot.
  static bool Place(std::vector<uint64_t>& table, uint64_t f) {
    const size_t m = table.size() - 1;
    size_t i = f & m;
    for (; table[i] != 0; i = (i + 1) & m) {
      if (table[i] == f) return false;
    }
    table[i] = f;
    return true;
  }
  void Grow() {
    std::vector<uint64_t> bigger(slots_.empty() ? 1024 : 2 * slots_.size());
    for (uint64_t f : slots_) {
      if (f != 0) Place(bigger, f);
    }
    slots_.swap(bigger);
  }

  std::vector<uint64_t> slots_;  // size a power of two, or empty
  size_t size_ = 0;
};

}  // namespace

class OrderRouter::Impl {
 public:
  struct ChainLink {
    std::string broker_cl_ord_id;
    std::string exch_cl_ord_id;
  };
  struct PendingRequest {
    bool is_replace = false;
    std::string exch_cl_ord_id;
    ReplaceRequest replace;  // when is_replace
  };
  struct OrderState {
    OrderSnapshot snap;
    std::vector<ChainLink> chain;  // oldest first; includes pending links
    std::optional<PendingRequest> pending;
    std::string risk_key;        // first exchange ClOrdID
    std::string gateway_cancel;  // exch ClOrdID of the gateway's own cancel
    std::string kill_text;       // Text for the broker when it completes
    // What eviction must take out of the indexes besides the chain: every
    // kill-switch cancel's exchange ClOrdID, and the exchange ExecIDs and
    // refused exchange ClOrdIDs applied to this order.
    std::vector<std::string> gateway_cancels;
    std::vector<std::string> exec_ids;
    std::vector<std::string> cancel_rejects;
    // The executions applied, by exchange ExecID: what a bust or a
    // correction referring to one of them takes back.
    struct Fill {
      std::string exec_id;
      Qty qty;
      Price px;
    };
    std::vector<Fill> fills;
    Timestamp finished_at;  // when it last became terminal
    // Whether it is in `awaiting`, and under which time (see Track).
    bool awaiting = false;
    Timestamp awaiting_since;
  };
  using BrokerKey = std::pair<SessionKey, std::string>;
  using OrderNo = uint64_t;  // orders are numbered as they enter the table

  Impl(Options o, risk::RiskEngine* r) : options(std::move(o)), risk(r) {
    if (options.venues.empty()) options.venues.push_back(Options::Venue{});
    for (const Options::Venue& v : options.venues) {
      venue_state.emplace(v.name, VenueState{});
      for (const std::string& symbol : v.symbols) {
        symbol_venue.emplace(symbol, v.name);
      }
    }
  }

  static risk::OrderTerms Terms(const SessionKey& session,
                                const NewOrder& order, const VenueName& venue) {
    return risk::OrderTerms{.session = session,
                            .venue = venue,
                            .account = order.account,
                            .symbol = order.symbol,
                            .side = order.side,
                            .ord_type = order.ord_type,
                            .qty = order.qty,
                            .price = order.price};
  }

  // Records a risk event the engine refused (see the file comment).
  void RiskResult(const Status& st) {
    if (st.ok()) return;
    ++risk_errors;
    last_risk_error = st.message();
  }

  // ---- venues -----------------------------------------------------------

  struct VenueState {
    bool up = false;
    bool responsive = true;  // meaningful while up
  };
  const VenueName& Canon(const VenueName& venue) const {
    return venue.empty() ? options.venues.front().name : venue;
  }
  bool several_venues() const { return options.venues.size() > 1; }
  // The venue as an event names it: nothing with one venue, so that its
  // journal reads as before there were several.
  VenueName Journaled(const VenueName& venue) const {
    return several_venues() ? venue : VenueName();
  }
  const VenueState* StateOf(const VenueName& venue) const {
    auto it = venue_state.find(Canon(venue));
    return it == venue_state.end() ? nullptr : &it->second;
  }
  // Why `venue` cannot take `what` ("order", "cancel"...) now; nullopt if
  // it can. One venue keeps the texts of the single-exchange gateway.
  std::optional<std::string> Unusable(const VenueName& venue,
                                      const std::string& what) const {
    const VenueState* v = StateOf(venue);
    const std::string name =
        several_venues() ? "venue " + Canon(venue) : std::string();
    if (v == nullptr || !v->up) {
      return (several_venues() ? name + " is down: "
                               : std::string("exchange session is down: ")) +
             what + " not sent";
    }
    if (!v->responsive && options.refuse_when_exchange_unresponsive) {
      return (several_venues() ? name + " is not answering: "
                               : std::string("exchange is not answering: ")) +
             what + " not sent";
    }
    return std::nullopt;
  }
  // Where a new order goes, or why it cannot go anywhere.
  Result<VenueName> Route(const NewOrder& order) const {
    if (!several_venues()) return options.venues.front().name;
    for (const FixField& f : order.extra) {
      if (f.tag != kExDestinationTag) continue;
      for (const Options::Venue& v : options.venues) {
        if (v.name == f.value) return v.name;
      }
      std::string names;
      for (const Options::Venue& v : options.venues) {
        names += (names.empty() ? "" : ", ") + v.name;
      }
      return Status::InvalidArgument(
          "unknown venue " + Quoted(f.value) +
          " in ExDestination (100) (venues: " + names + ")");
    }
    auto it = symbol_venue.find(order.symbol);
    if (it == symbol_venue.end()) {
      return Status::InvalidArgument("no venue for symbol " +
                                     Quoted(order.symbol) +
                                     ": set ExDestination (100)");
    }
    return it->second;
  }
  static constexpr int kExDestinationTag = 100;

  // ---- lookups ----------------------------------------------------------

  const OrderState* FindByBroker(const SessionKey& session,
                                 const std::string& id) const {
    auto it = by_broker.find(BrokerKey(session, id));
    return it == by_broker.end() ? nullptr : &orders.at(it->second);
  }
  std::optional<OrderNo> IndexByExch(const std::string& id) const {
    if (id.empty()) return std::nullopt;
    auto it = by_exch.find(id);
    if (it == by_exch.end()) return std::nullopt;
    return it->second;
  }
  bool Used(const SessionKey& session, const std::string& id) const {
    return used.Contains(session, id);
  }
  // The broker ClOrdID paired with an exchange ClOrdID of the order's chain;
  // the current one if the exchange names an ID outside the chain.
  static const std::string& BrokerIdOf(const OrderState& o,
                                       const std::string& exch_id) {
    for (const auto& link : o.chain) {
      if (link.exch_cl_ord_id == exch_id) return link.broker_cl_ord_id;
    }
    return o.snap.cl_ord_id;
  }

  // ---- drop copy (Options::drop_copies) --------------------------------

  bool IsDropCopy(const SessionKey& session) const {
    for (const Options::DropCopy& dc : options.drop_copies) {
      if (dc.session == session) return true;
    }
    return false;
  }
  // The account a message to a broker session is about; nullopt if none is
  // known (a cancel reject of an unknown order, a mass cancel without one).
  std::optional<std::string> AccountOf(const JournalEvent& event,
                                       const ToBroker& b) const {
    const auto of_order = [&](const std::string& id,
                              const std::string& orig)
        -> std::optional<std::string> {
      for (const std::string* i : {&id, &orig}) {
        if (i->empty()) continue;
        if (const OrderState* o = FindByBroker(b.session, *i)) {
          return o->snap.account;
        }
      }
      return std::nullopt;
    };
    if (const auto* r = std::get_if<ExecutionReport>(&b.message)) {
      if (!r->account.empty()) return r->account;
      return of_order(r->cl_ord_id, r->orig_cl_ord_id);
    }
    if (const auto* r = std::get_if<CancelReject>(&b.message)) {
      return of_order(r->cl_ord_id, r->orig_cl_ord_id);
    }
    if (const auto* m = std::get_if<MassCancelRequested>(&event)) {
      if (!m->request.account.empty()) return m->request.account;
    }
    return std::nullopt;
  }
  std::vector<Action> AddDropCopies(const JournalEvent& event,
                                    std::vector<Action> actions) const {
    std::vector<Action> out;
    out.reserve(actions.size());
    for (Action& action : actions) {
      const auto* b = std::get_if<ToBroker>(&action);
      if (b == nullptr || IsDropCopy(b->session)) {
        out.push_back(std::move(action));
        continue;
      }
      const std::optional<std::string> account = AccountOf(event, *b);
      ToBroker original = *b;
      out.push_back(std::move(action));
      for (const Options::DropCopy& dc : options.drop_copies) {
        if (!dc.sessions.empty() && !dc.sessions.contains(original.session)) {
          continue;
        }
        if (!dc.accounts.empty() &&
            (!account || !dc.accounts.contains(*account))) {
          continue;
        }
        ToBroker copy{dc.session, original.message};
        if (auto* r = std::get_if<ExecutionReport>(&copy.message)) {
          std::erase_if(r->extra, [](const FixField& f) {
            return f.tag == kCopyMsgIndicatorTag;
          });
          r->extra.push_back(FixField{kCopyMsgIndicatorTag, "Y"});
        }
        out.push_back(std::move(copy));
      }
    }
    return out;
  }
  static constexpr int kCopyMsgIndicatorTag = 797;

  std::string NextExchId() const {
    return options.id_prefix + "-" + std::to_string(exch_seq + 1);
  }
  std::string NextExecId() const {
    return options.id_prefix + "-X" + std::to_string(exec_seq + 1);
  }

  // ---- decisions --------------------------------------------------------

  JournalEvent DecideNewOrder(const SessionKey& session, const NewOrder& order,
                              Timestamp at) const {
    auto reject = [&](OrdRejReason reason, std::string text) -> JournalEvent {
      return NewOrderRejected{session, order,
                              Rejection{reason, std::move(text)}, NextExecId()};
    };
    if (order.cl_ord_id.empty()) {
      return reject(OrdRejReason::kOther, "ClOrdID is empty: order not sent");
    }
    if (Used(session, order.cl_ord_id)) {
      return reject(
          OrdRejReason::kDuplicateOrder,
          "duplicate ClOrdID " + Quoted(order.cl_ord_id) + " on this session");
    }
    const bool known_symbol =
        options.symbols.empty() || options.symbols.contains(order.symbol);
    if (several_venues() && !known_symbol) {
      // Before routing: an unknown symbol is that, not "no venue for it".
      return reject(OrdRejReason::kUnknownSymbol,
                    "unknown symbol " + Quoted(order.symbol));
    }
    Result<VenueName> venue = Route(order);
    if (!venue.ok()) {
      return reject(OrdRejReason::kOther, venue.status().message());
    }
    if (auto why = Unusable(*venue, "order")) {
      return reject(OrdRejReason::kExchangeClosed, std::move(*why));
    }
    if (!known_symbol) {
      return reject(OrdRejReason::kUnknownSymbol,
                    "unknown symbol " + Quoted(order.symbol));
    }
    if (order.qty.units() <= 0) {
      return reject(
          OrdRejReason::kIncorrectQuantity,
          "order quantity must be > 0 (got " + FormatQty(order.qty) + ")");
    }
    if (auto bad = CheckPrice(order.ord_type, order.price)) {
      return reject(bad->reason, std::move(bad->text));
    }
    if (risk != nullptr) {
      if (auto refused =
              risk->CheckNewOrder(Terms(session, order, *venue), at)) {
        if (refused->text.empty()) refused->text = "refused by risk check";
        return reject(refused->reason, std::move(refused->text));
      }
    }
    return NewOrderAccepted{session, order, NextExchId(), Journaled(*venue)};
  }

  JournalEvent RejectCancelReplace(const SessionKey& session, bool is_replace,
                                   const std::string& cl_ord_id,
                                   const std::string& orig_cl_ord_id,
                                   Timestamp transact_time, Refusal refusal,
                                   const OrderState* order) const {
    CancelReject reject;
    reject.order_id = order != nullptr && !order->snap.order_id.empty()
                          ? order->snap.order_id
                          : std::string(kNone);
    reject.cl_ord_id = cl_ord_id;
    reject.orig_cl_ord_id = orig_cl_ord_id;
    reject.ord_status =
        order != nullptr ? order->snap.status : OrdStatus::kRejected;
    reject.response_to =
        is_replace ? CxlRejResponseTo::kReplace : CxlRejResponseTo::kCancel;
    reject.reason = refusal.reason;
    reject.text = std::move(refusal.text);
    reject.transact_time = transact_time;
    return CancelReplaceRejected{session, std::move(reject)};
  }

  // Checks shared by cancel and replace, in the header's order.
  std::optional<Refusal> CheckCancelReplace(const SessionKey& session,
                                            bool is_replace,
                                            const std::string& cl_ord_id,
                                            const std::string& orig_cl_ord_id,
                                            const OrderState* order) const {
    const char* what = is_replace ? "replace" : "cancel";
    if (cl_ord_id.empty()) {
      return Refusal{CxlRejReason::kOther,
                     std::string("ClOrdID is empty: ") + what + " not sent"};
    }
    if (Used(session, cl_ord_id)) {
      return Refusal{
          CxlRejReason::kDuplicateClOrdId,
          "duplicate ClOrdID " + Quoted(cl_ord_id) + " on this session"};
    }
    if (order == nullptr) {
      return Refusal{CxlRejReason::kUnknownOrder,
                     "unknown order: OrigClOrdID " + Quoted(orig_cl_ord_id) +
                         " on this session"};
    }
    const OrderSnapshot& s = order->snap;
    if (IsTerminal(s.status)) {
      return Refusal{CxlRejReason::kTooLateToCancel,
                     "order " + Quoted(orig_cl_ord_id) + " is " +
                         std::string(Name(s.status)) + ": too late to " + what};
    }
    if (s.cancel_pending || s.replace_pending) {
      return Refusal{
          CxlRejReason::kAlreadyPending,
          std::string("a ") + (s.cancel_pending ? "cancel" : "replace") +
              " is already pending for order " + Quoted(orig_cl_ord_id)};
    }
    if (auto why = Unusable(s.venue, what)) {
      return Refusal{CxlRejReason::kBrokerOption, std::move(*why)};
    }
    return std::nullopt;
  }

  JournalEvent DecideCancel(const SessionKey& session,
                            const CancelRequest& request) const {
    const OrderState* order = FindByBroker(session, request.orig_cl_ord_id);
    if (auto refusal = CheckCancelReplace(session, false, request.cl_ord_id,
                                          request.orig_cl_ord_id, order)) {
      return RejectCancelReplace(session, false, request.cl_ord_id,
                                 request.orig_cl_ord_id, request.transact_time,
                                 std::move(*refusal), order);
    }
    CancelReplaceForwarded event;
    event.session = session;
    event.is_replace = false;
    event.cancel = request;
    event.exch_cl_ord_id = NextExchId();
    event.orig_exch_cl_ord_id = order->snap.exch_cl_ord_id;
    return event;
  }

  std::optional<Refusal> CheckReplaceFields(const ReplaceRequest& request,
                                            const OrderState& order,
                                            Timestamp at) const {
    const OrderSnapshot& s = order.snap;
    auto refuse = [](std::string text) {
      return Refusal{CxlRejReason::kBrokerOption, std::move(text)};
    };
    if (request.symbol != s.symbol) {
      return refuse("replace cannot change symbol (" + Quoted(s.symbol) +
                    " -> " + Quoted(request.symbol) + ")");
    }
    if (request.side != s.side) {
      return refuse("replace cannot change side (" + std::string(Name(s.side)) +
                    " -> " + std::string(Name(request.side)) + ")");
    }
    if (!request.account.empty() && request.account != s.account) {
      return refuse("replace cannot change account (" + Quoted(s.account) +
                    " -> " + Quoted(request.account) + ")");
    }
    if (request.qty.units() <= 0) {
      return refuse("order quantity must be > 0 (got " +
                    FormatQty(request.qty) + ")");
    }
    if (request.qty < s.cum_qty) {
      return refuse("order quantity " + FormatQty(request.qty) +
                    " is below the filled quantity " + FormatQty(s.cum_qty));
    }
    if (auto bad = CheckPrice(request.ord_type, request.price)) {
      return refuse(std::move(bad->text));
    }
    if (risk != nullptr) {
      if (auto refused = risk->CheckReplace(order.risk_key, request.qty,
                                            request.price, at)) {
        if (refused->text.empty()) refused->text = "refused by risk check";
        return refuse(std::move(refused->text));
      }
    }
    return std::nullopt;
  }

  JournalEvent DecideReplace(const SessionKey& session,
                             const ReplaceRequest& request,
                             Timestamp at) const {
    const OrderState* order = FindByBroker(session, request.orig_cl_ord_id);
    auto refusal = CheckCancelReplace(session, true, request.cl_ord_id,
                                      request.orig_cl_ord_id, order);
    if (!refusal) refusal = CheckReplaceFields(request, *order, at);
    if (refusal) {
      return RejectCancelReplace(session, true, request.cl_ord_id,
                                 request.orig_cl_ord_id, request.transact_time,
                                 std::move(*refusal), order);
    }
    CancelReplaceForwarded event;
    event.session = session;
    event.is_replace = true;
    event.replace = request;
    event.exch_cl_ord_id = NextExchId();
    event.orig_exch_cl_ord_id = order->snap.exch_cl_ord_id;
    return event;
  }

  JournalEvent DecideUndecodableCancelReplace(const SessionKey& session,
                                              bool is_replace,
                                              const std::string& cl_ord_id,
                                              const std::string& orig_cl_ord_id,
                                              const Rejection& why) const {
    CxlRejReason reason = CxlRejReason::kOther;
    if (why.reason == OrdRejReason::kUnknownOrder) {
      reason = CxlRejReason::kUnknownOrder;
    } else if (why.reason == OrdRejReason::kDuplicateOrder) {
      reason = CxlRejReason::kDuplicateClOrdId;
    }
    return RejectCancelReplace(session, is_replace, cl_ord_id, orig_cl_ord_id,
                               Timestamp{}, Refusal{reason, why.text},
                               FindByBroker(session, orig_cl_ord_id));
  }

  static bool InScope(const risk::KillScope& scope, const OrderSnapshot& s) {
    switch (scope.kind) {
      case risk::KillScope::Kind::kGlobal:
        return true;
      case risk::KillScope::Kind::kAccount:
        return s.account == scope.name;
      case risk::KillScope::Kind::kSession:
        return s.session == scope.name;
      case risk::KillScope::Kind::kVenue:
        return s.venue == scope.name;
    }
    return false;
  }

  JournalEvent DecideKillSwitch(const risk::KillScope& scope, bool engaged,
                                std::string source, std::string reason) const {
    KillSwitchChanged event;
    event.scope = scope;
    event.engaged = engaged;
    event.source = std::move(source);
    event.reason = std::move(reason);
    if (!engaged) return event;
    uint64_t seq = exch_seq;
    for (const auto& [no, o] : orders) {
      const OrderSnapshot& s = o.snap;
      const VenueState* v = StateOf(s.venue);
      if (IsTerminal(s.status) || s.cancel_pending || !InScope(scope, s) ||
          v == nullptr || !v->up) {
        continue;
      }
      event.cancels.push_back(GatewayCancel{
          s.exch_cl_ord_id, options.id_prefix + "-" + std::to_string(++seq)});
    }
    return event;
  }

  Result<JournalEvent> DecideOperatorCancel(const std::string& exch_id,
                                            std::string source,
                                            std::string reason) const {
    const std::optional<OrderNo> index = IndexByExch(exch_id);
    if (!index) {
      return Status::NotFound("no order with the gateway's ClOrdID '" +
                              exch_id + "'");
    }
    const OrderSnapshot& s = orders.at(*index).snap;
    if (IsTerminal(s.status)) {
      return Status::FailedPrecondition(
          "order " + s.exch_cl_ord_id + " is " + std::string(Name(s.status)) +
          ": nothing to cancel");
    }
    if (s.cancel_pending || s.replace_pending) {
      return Status::FailedPrecondition(
          "order " + s.exch_cl_ord_id +
          " has a cancel or replace pending at the exchange");
    }
    if (const VenueState* v = StateOf(s.venue); v == nullptr || !v->up) {
      return Status::FailedPrecondition(
          several_venues()
              ? "venue " + s.venue + " is down: the cancel cannot be sent"
              : "the exchange session is down: the cancel cannot be sent");
    }
    return JournalEvent(OperatorCancelRequested{
        std::move(source), std::move(reason),
        GatewayCancel{s.exch_cl_ord_id, NextExchId()}});
  }

  JournalEvent DecideMassCancel(const SessionKey& session,
                                const MassCancelRequest& request) const {
    MassCancelRequested event;
    event.session = session;
    event.request = request;
    event.order_id = options.id_prefix + "-M" + std::to_string(exec_seq + 1);
    auto refuse = [&](int reason, std::string text) -> JournalEvent {
      event.reject_reason = reason;
      event.text = std::move(text);
      return event;
    };
    const char type = request.req_type;
    if (request.cl_ord_id.empty()) {
      return refuse(99, "ClOrdID is empty: nothing canceled");
    }
    if (Used(session, request.cl_ord_id)) {
      return refuse(99, "duplicate ClOrdID " + Quoted(request.cl_ord_id) +
                            " on this session: nothing canceled");
    }
    if (type != '1' && type != '7') {
      return refuse(0, "MassCancelRequestType " +
                           Quoted(std::string(1, type)) +
                           " is not supported (1: one Symbol, 7: all "
                           "orders): nothing canceled");
    }
    if (type == '1' && request.symbol.empty()) {
      return refuse(1, "MassCancelRequestType 1 needs a Symbol: nothing "
                       "canceled");
    }
    if (type == '1' && !options.symbols.empty() &&
        !options.symbols.contains(request.symbol)) {
      return refuse(1, "unknown symbol " + Quoted(request.symbol) +
                           ": nothing canceled");
    }
    if (!several_venues()) {
      if (auto why = Unusable(options.venues.front().name, "order")) {
        return refuse(99,
                      why->substr(0, why->find(':')) + ": nothing canceled");
      }
    }
    const auto matches = [&](const OrderSnapshot& s) {
      return (type != '1' || s.symbol == request.symbol) &&
             (!request.side || s.side == *request.side) &&
             (request.account.empty() || s.account == request.account);
    };
    LeftOpen left_on;
    event.cancels = SessionCancels(session, /*with_replace_pending=*/false,
                                   matches, &left_on);
    if (!left_on.empty()) {
      std::string names;
      size_t left = 0;
      for (const auto& [v, n] : left_on) {
        names += (names.empty() ? "" : ", ") + v;
        left += n;
      }
      if (event.cancels.empty()) {
        return refuse(99, "venue(s) " + names +
                              " cannot take a cancel now: nothing canceled");
      }
      event.text = std::to_string(event.cancels.size()) +
                   " order(s) to cancel; " + std::to_string(left) +
                   " left open: venue(s) " + names +
                   " cannot take a cancel now";
    }
    return event;
  }

  Result<JournalEvent> DecideCancelOnDisconnect(const SessionKey& session,
                                                std::string reason,
                                                int64_t delay_seconds) const {
    if (!several_venues()) {
      if (auto why = Unusable(options.venues.front().name, "cancel")) {
        return Status::FailedPrecondition(*why);
      }
    }
    CancelOnDisconnectFired event;
    event.session = session;
    event.reason = std::move(reason);
    event.delay_seconds = delay_seconds;
    LeftOpen left_on;
    event.cancels = SessionCancels(
        session, /*with_replace_pending=*/true,
        [](const OrderSnapshot&) { return true; }, &left_on);
    if (event.cancels.empty() && !left_on.empty()) {
      return Status::FailedPrecondition("venue " + left_on.begin()->first +
                                        " cannot take a cancel now");
    }
    return JournalEvent(std::move(event));
  }

  // A cancel (fresh exchange ClOrdIDs, in order-table order) for every open
  // order of `session` that `matches`, has no cancel pending and, unless
  // `with_replace_pending`, no replace pending either.
  // Per venue, the orders SessionCancels left out.
  using LeftOpen = std::map<VenueName, size_t>;
  // Orders on a venue that cannot take a cancel now are left out; their
  // venues are counted in `*left_on` when given.
  template <typename Matches>
  std::vector<SessionOrderCancel> SessionCancels(
      const SessionKey& session, bool with_replace_pending, Matches matches,
      LeftOpen* left_on = nullptr) const {
    std::vector<SessionOrderCancel> cancels;
    uint64_t seq = exch_seq;
    for (const auto& [no, o] : orders) {
      const OrderSnapshot& s = o.snap;
      if (s.session != session || IsTerminal(s.status) || s.cancel_pending ||
          (s.replace_pending && !with_replace_pending) || !matches(s)) {
        continue;
      }
      if (Unusable(s.venue, "cancel")) {
        if (left_on != nullptr) ++(*left_on)[s.venue];
        continue;
      }
      cancels.push_back(SessionOrderCancel{
          GatewayCancel{s.exch_cl_ord_id,
                        options.id_prefix + "-" + std::to_string(++seq)},
          s.cl_ord_id, s.order_id});
    }
    return cancels;
  }

  static std::string MassCancelText(const MassCancelRequested& e) {
    return "canceled by OrderMassCancelRequest " + Quoted(e.request.cl_ord_id);
  }

  static std::string DisconnectText(const CancelOnDisconnectFired& e) {
    std::string text = "canceled on disconnect (" + e.reason;
    if (e.delay_seconds > 0) {
      text += ", not back within " + std::to_string(e.delay_seconds) + " s";
    }
    return text + ")";
  }

  static std::string OperatorText(const OperatorCancelRequested& e) {
    std::string text = "canceled by the gateway operator";
    if (!e.reason.empty()) text += ": " + e.reason;
    return text;
  }

  static std::string KillText(const KillSwitchChanged& e) {
    std::string text = "canceled by kill switch (";
    text += KillScopeName(e.scope.kind);
    if (!e.scope.name.empty()) text += " " + e.scope.name;
    text += ")";
    if (!e.reason.empty()) text += ": " + e.reason;
    return text;
  }

  // ---- application ------------------------------------------------------

  std::vector<Action> ApplyEvent(const NewOrderAccepted& e, Timestamp at) {
    Advance(exch_seq, e.exch_cl_ord_id);
    BrokerKey key(e.session, e.order.cl_ord_id);
    used.Insert(e.session, e.order.cl_ord_id);
    if (by_broker.contains(key) || by_exch.contains(e.exch_cl_ord_id)) {
      return {};
    }
    OrderState o;
    OrderSnapshot& s = o.snap;
    s.session = e.session;
    s.cl_ord_id = e.order.cl_ord_id;
    s.exch_cl_ord_id = e.exch_cl_ord_id;
    s.venue = Canon(e.venue);
    s.account = e.order.account;
    s.symbol = e.order.symbol;
    s.side = e.order.side;
    s.ord_type = e.order.ord_type;
    s.tif = e.order.tif;
    s.order_qty = e.order.qty;
    s.price = e.order.price;
    s.status = OrdStatus::kPendingNew;
    s.leaves_qty = e.order.qty;
    o.chain.push_back({e.order.cl_ord_id, e.exch_cl_ord_id});
    o.risk_key = e.exch_cl_ord_id;
    if (risk != nullptr) {
      RiskResult(risk->OrderAccepted(o.risk_key,
                                     Terms(e.session, e.order, s.venue), at));
    }
    const OrderNo index = next_order_no++;
    orders.emplace(index, std::move(o));
    by_broker.emplace(std::move(key), index);
    by_exch.emplace(e.exch_cl_ord_id, index);
    Track(index, at);

    const VenueName venue = Canon(e.venue);
    NewOrder out = e.order;
    out.cl_ord_id = e.exch_cl_ord_id;
    out.transact_time = OrAt(e.order.transact_time, at);
    return {ToExchange{std::move(out), venue}};
  }

  std::vector<Action> ApplyEvent(const NewOrderRejected& e, Timestamp at) {
    Advance(exec_seq, e.exec_id);
    if (e.rejection.reason != OrdRejReason::kDuplicateOrder &&
        !e.order.cl_ord_id.empty()) {
      used.Insert(e.session, e.order.cl_ord_id);
    }
    ExecutionReport er;
    er.order_id = kNone;
    er.cl_ord_id = e.order.cl_ord_id;
    er.exec_id = e.exec_id;
    er.exec_type = ExecType::kRejected;
    er.ord_status = OrdStatus::kRejected;
    er.account = e.order.account;
    er.symbol = e.order.symbol;
    er.side = e.order.side;
    er.ord_type = e.order.ord_type;
    er.tif = e.order.tif;
    er.order_qty = e.order.qty;
    er.price = e.order.price;
    er.ord_rej_reason = e.rejection.reason;
    er.text = e.rejection.text;
    er.transact_time = at;
    return {ToBroker{e.session, std::move(er)}};
  }

  std::vector<Action> ApplyEvent(const CancelReplaceForwarded& e,
                                 Timestamp at) {
    Advance(exch_seq, e.exch_cl_ord_id);
    const std::string& broker_id =
        e.is_replace ? e.replace.cl_ord_id : e.cancel.cl_ord_id;
    const std::string& orig_broker_id =
        e.is_replace ? e.replace.orig_cl_ord_id : e.cancel.orig_cl_ord_id;
    used.Insert(e.session, broker_id);

    std::optional<OrderNo> index = IndexByExch(e.orig_exch_cl_ord_id);
    if (!index) {
      auto it = by_broker.find(BrokerKey(e.session, orig_broker_id));
      if (it != by_broker.end()) index = it->second;
    }
    if (!index || by_exch.contains(e.exch_cl_ord_id)) return {};
    OrderState& o = orders.at(*index);
    OrderSnapshot& s = o.snap;
    o.chain.push_back({broker_id, e.exch_cl_ord_id});
    by_broker.emplace(BrokerKey(e.session, broker_id), *index);
    by_exch.emplace(e.exch_cl_ord_id, *index);
    o.pending = PendingRequest{e.is_replace, e.exch_cl_ord_id, e.replace};

    if (!e.is_replace) {
      s.cancel_pending = true;
      Track(*index, at);
      CancelRequest out;
      out.cl_ord_id = e.exch_cl_ord_id;
      out.orig_cl_ord_id = e.orig_exch_cl_ord_id;
      out.order_id = s.order_id;
      out.symbol = s.symbol;
      out.side = s.side;
      out.transact_time = OrAt(e.cancel.transact_time, at);
      out.extra = e.cancel.extra;
      return {ToExchange{std::move(out), s.venue}};
    }
    s.replace_pending = true;
    Track(*index, at);
    if (risk != nullptr) {
      RiskResult(risk->ReplaceRequested(o.risk_key, e.replace.qty,
                                        e.replace.price, at));
    }
    ReplaceRequest out = e.replace;
    out.cl_ord_id = e.exch_cl_ord_id;
    out.orig_cl_ord_id = e.orig_exch_cl_ord_id;
    out.order_id = s.order_id;
    out.account = s.account;
    out.symbol = s.symbol;
    out.side = s.side;
    out.transact_time = OrAt(e.replace.transact_time, at);
    return {ToExchange{std::move(out), s.venue}};
  }

  std::vector<Action> ApplyEvent(const CancelReplaceRejected& e, Timestamp at) {
    if (e.reject.reason != CxlRejReason::kDuplicateClOrdId &&
        !e.reject.cl_ord_id.empty()) {
      used.Insert(e.session, e.reject.cl_ord_id);
    }
    CancelReject out = e.reject;
    out.transact_time = at;
    return {ToBroker{e.session, std::move(out)}};
  }

  std::vector<Action> ApplyEvent(const StatusAnswered& e, Timestamp at) {
    Advance(exec_seq, e.exec_id);
    ExecutionReport er;
    er.exec_id = e.exec_id;
    er.exec_type = ExecType::kOrderStatus;
    er.transact_time = at;
    const OrderState* o = FindByBroker(e.session, e.request.cl_ord_id);
    if (o == nullptr) {
      er.order_id = kNone;
      er.cl_ord_id = e.request.cl_ord_id;
      er.ord_status = OrdStatus::kRejected;
      er.symbol = e.request.symbol;
      er.side = e.request.side;
      er.ord_rej_reason = OrdRejReason::kUnknownOrder;
      er.text = "unknown order: ClOrdID " + Quoted(e.request.cl_ord_id) +
                " on this session";
      return {ToBroker{e.session, std::move(er)}};
    }
    FillStatus(o->snap, er);
    return {ToBroker{e.session, std::move(er)}};
  }

  // The order's state in a status report (ExecType OrderStatus).
  static void FillStatus(const OrderSnapshot& s, ExecutionReport& er) {
    er.order_id = s.order_id.empty() ? std::string(kNone) : s.order_id;
    er.cl_ord_id = s.cl_ord_id;
    er.ord_status = s.status;
    er.account = s.account;
    er.symbol = s.symbol;
    er.side = s.side;
    er.ord_type = s.ord_type;
    er.tif = s.tif;
    er.order_qty = s.order_qty;
    er.price = s.price;
    er.cum_qty = s.cum_qty;
    er.leaves_qty = s.leaves_qty;
    er.avg_px = s.avg_px;
  }

  // The order an exchange report or reject names (ClOrdID, else
  // OrigClOrdID), if the table holds it.
  // Only an order of `venue` (the session the message came on).
  std::optional<OrderNo> IndexOfReport(const std::string& cl_ord_id,
                                       const std::string& orig,
                                       const VenueName& venue) const {
    std::optional<OrderNo> index = IndexByExch(cl_ord_id);
    if (!index) index = IndexByExch(orig);
    if (index && orders.at(*index).snap.venue != Canon(venue)) return {};
    return index;
  }

  static bool HasExec(const OrderState& o, const std::string& exec_id) {
    return std::find(o.exec_ids.begin(), o.exec_ids.end(), exec_id) !=
           o.exec_ids.end();
  }

  ReportFate ClassifyReport(const ExecutionReport& r,
                            const VenueName& venue) const {
    std::optional<OrderNo> index =
        IndexOfReport(r.cl_ord_id, r.orig_cl_ord_id, venue);
    if (!index) return ReportFate::kUnknownOrder;
    if (!r.exec_id.empty() && HasExec(orders.at(*index), r.exec_id)) {
      return ReportFate::kDuplicate;
    }
    return ReportFate::kApply;
  }

  std::string ExecIdReusedFrom(const ExecutionReport& r) const {
    if (r.exec_id.empty()) return {};
    auto owner = exec_owner.find(r.exec_id);
    std::optional<OrderNo> index = IndexByExch(r.cl_ord_id);
    if (!index) index = IndexByExch(r.orig_cl_ord_id);
    if (owner == exec_owner.end() || !index || owner->second == *index) {
      return {};
    }
    return orders.at(owner->second).risk_key;
  }

  // Cash and position of the execution `exec_ref_id` of `o` taken back (a
  // bust, or the old side of a correction); `fallback_qty`/`px` when the
  // order has no such fill. Returns whether anything was taken back.
  bool ReverseFill(OrderState& o, const std::string& exec_ref_id,
                   Qty fallback_qty, Price fallback_px) {
    auto it = std::find_if(o.fills.begin(), o.fills.end(),
                           [&](const OrderState::Fill& f) {
                             return f.exec_id == exec_ref_id;
                           });
    Qty qty = fallback_qty;
    Price px = fallback_px;
    if (it != o.fills.end()) {
      qty = it->qty;
      px = it->px;
      o.fills.erase(it);
    }
    if (qty.units() <= 0) {
      ++risk_errors;
      last_risk_error = "bust/correction of exchange order " +
                        o.snap.exch_cl_ord_id + ": no fill " +
                        Quoted(exec_ref_id) + " and no LastQty to take back";
      return false;
    }
    if (risk != nullptr) {
      RiskResult(risk->AdjustFill(o.snap.account, o.snap.symbol, o.snap.side,
                                  qty, px, /*reverse=*/true));
    }
    return true;
  }

  std::vector<Action> ApplyEvent(const ExchangeReportReceived& e,
                                 Timestamp at) {
    const ExecutionReport& r = e.report;
    std::optional<OrderNo> index =
        IndexOfReport(r.cl_ord_id, r.orig_cl_ord_id, e.venue);
    if (!index) return {};
    OrderState& o = orders.at(*index);
    OrderSnapshot& s = o.snap;
    std::string broker_exec_id = r.exec_id;
    if (!r.exec_id.empty()) {
      if (HasExec(o, r.exec_id)) return {};  // a resend
      auto [owner, fresh] = exec_owner.emplace(r.exec_id, *index);
      if (!fresh && owner->second != *index) {
        broker_exec_id = r.exec_id + "." + o.risk_key;
      }
      o.exec_ids.push_back(r.exec_id);
    }
    const bool was_terminal = IsTerminal(s.status);
    const bool by_gateway =
        !o.gateway_cancel.empty() && r.cl_ord_id == o.gateway_cancel;
    switch (r.exec_type) {
      case ExecType::kTrade:
        if (r.last_qty.units() > 0) {
          o.fills.push_back({r.exec_id, r.last_qty, r.last_px});
          if (risk != nullptr) {
            RiskResult(risk->Filled(o.risk_key, r.last_qty, r.last_px));
          }
        }
        break;
      case ExecType::kTradeCancel:
        ReverseFill(o, r.exec_ref_id, r.last_qty, r.last_px);
        break;
      case ExecType::kTradeCorrect:
        if (ReverseFill(o, r.exec_ref_id, Qty(0), Price()) &&
            r.last_qty.units() > 0) {
          // The corrected execution, under the correction's ExecID (a later
          // bust names either).
          o.fills.push_back({r.exec_id, r.last_qty, r.last_px});
          o.fills.push_back({r.exec_ref_id, r.last_qty, r.last_px});
          if (risk != nullptr) {
            RiskResult(risk->AdjustFill(s.account, s.symbol, s.side,
                                        r.last_qty, r.last_px,
                                        /*reverse=*/false));
          }
        }
        break;
      default:
        break;
    }
    if (!r.order_id.empty() && r.order_id != kNone) s.order_id = r.order_id;
    s.cum_qty = r.cum_qty;
    s.leaves_qty = r.leaves_qty;
    s.avg_px = r.avg_px;
    if (r.exec_type == ExecType::kReplaced) {
      if (o.pending && o.pending->is_replace &&
          o.pending->exch_cl_ord_id == r.cl_ord_id) {
        const ReplaceRequest& q = o.pending->replace;
        s.order_qty = q.qty;
        s.price = q.price;
        s.tif = q.tif;
        s.ord_type = q.ord_type;
        o.pending.reset();
        if (risk != nullptr) RiskResult(risk->ReplaceConfirmed(o.risk_key));
      } else {
        s.order_qty = r.order_qty;
        s.price = r.price;
        s.tif = r.tif;
        s.ord_type = r.ord_type;
      }
      for (const auto& link : o.chain) {
        if (link.exch_cl_ord_id == r.cl_ord_id) {
          s.cl_ord_id = link.broker_cl_ord_id;
          s.exch_cl_ord_id = link.exch_cl_ord_id;
        }
      }
      s.replace_pending = false;
    } else if (r.exec_type == ExecType::kCanceled) {
      s.cancel_pending = false;
      if (o.pending && !o.pending->is_replace) o.pending.reset();
      o.gateway_cancel.clear();
    } else if (r.exec_type == ExecType::kRestated &&
               r.order_qty.units() > 0) {
      s.order_qty = r.order_qty;
    }
    s.status =
        r.ord_status == OrdStatus::kReplaced ? DerivedStatus(s) : r.ord_status;
    if (IsTerminal(s.status)) {
      s.cancel_pending = false;
      s.replace_pending = false;
      o.pending.reset();
      o.gateway_cancel.clear();
      // Filled orders usually left the engine with their last fill.
      if (risk != nullptr && risk->state().orders.contains(o.risk_key)) {
        RiskResult(risk->Done(o.risk_key));
      }
    } else if (risk != nullptr && (r.exec_type == ExecType::kTradeCancel ||
                                   r.exec_type == ExecType::kTradeCorrect ||
                                   r.exec_type == ExecType::kRestated)) {
      // The exchange says how much is open now: risk follows.
      RiskResult(risk->LeavesRestated(o.risk_key,
                                      risk::OrderTerms{.session = s.session,
                                                       .venue = s.venue,
                                                       .account = s.account,
                                                       .symbol = s.symbol,
                                                       .side = s.side,
                                                       .ord_type = s.ord_type,
                                                       .qty = s.order_qty,
                                                       .price = s.price},
                                      s.leaves_qty));
    }

    ExecutionReport out = r;
    out.exec_id = std::move(broker_exec_id);
    out.cl_ord_id = BrokerIdOf(o, r.cl_ord_id);
    if (by_gateway) {
      // Unsolicited for the broker: no request of its own to refer to.
      out.orig_cl_ord_id.clear();
      out.text = o.kill_text;
    } else if (!r.orig_cl_ord_id.empty()) {
      out.orig_cl_ord_id = BrokerIdOf(o, r.orig_cl_ord_id);
    }
    out.account = s.account;
    out.transact_time = OrAt(r.transact_time, at);
    std::vector<Action> actions{ToBroker{s.session, std::move(out)}};
    Track(*index, at);
    if (!was_terminal && IsTerminal(s.status)) Finished(*index, at);
    return actions;
  }

  std::vector<Action> ApplyEvent(const ExchangeRequestRefused& e,
                                 Timestamp at) {
    Advance(exec_seq, e.exec_id);
    std::optional<OrderNo> index =
        IndexOfReport(e.exch_cl_ord_id, /*orig=*/{}, e.venue);
    if (!index) return {};
    const OrderState& o = orders.at(*index);
    const OrderSnapshot& s = o.snap;
    if (e.ref_msg_type != 'D') {
      CancelReject reject;
      reject.order_id = s.order_id;
      reject.cl_ord_id = e.exch_cl_ord_id;
      reject.orig_cl_ord_id = s.exch_cl_ord_id;
      reject.ord_status = s.status;
      reject.response_to = e.ref_msg_type == 'G' ? CxlRejResponseTo::kReplace
                                                 : CxlRejResponseTo::kCancel;
      reject.reason = CxlRejReason::kOther;
      reject.text = e.text;
      const bool pending = (o.pending && o.pending->exch_cl_ord_id ==
                                             e.exch_cl_ord_id) ||
                           o.gateway_cancel == e.exch_cl_ord_id;
      if (!pending) return {};  // answered already, or not a request
      return ApplyEvent(
          ExchangeCancelRejectReceived{std::move(reject), e.venue}, at);
    }
    // Only an order the exchange has not traded can be refused.
    if (o.chain.front().exch_cl_ord_id != e.exch_cl_ord_id ||
        IsTerminal(s.status) || s.cum_qty.units() > 0) {
      return {};
    }
    ExecutionReport r;
    r.order_id = std::string(kNone);
    r.cl_ord_id = e.exch_cl_ord_id;
    r.exec_id = e.exec_id;
    r.exec_type = ExecType::kRejected;
    r.ord_status = OrdStatus::kRejected;
    r.symbol = s.symbol;
    r.side = s.side;
    r.ord_type = s.ord_type;
    r.tif = s.tif;
    r.order_qty = s.order_qty;
    r.price = s.price;
    r.ord_rej_reason = OrdRejReason::kOther;
    r.text = e.text;
    r.transact_time = at;
    return ApplyEvent(ExchangeReportReceived{std::move(r), e.venue}, at);
  }

  std::vector<Action> ApplyEvent(const MassStatusAnswered& e, Timestamp at) {
    const MassStatusRequest& q = e.request;
    std::vector<const OrderState*> matching;
    for (const auto& [no, o] : orders) {
      const OrderSnapshot& s = o.snap;
      if (!e.refusal.empty() || s.session != e.session) continue;
      if (q.req_type == 1 && s.symbol != q.symbol) continue;
      if (!q.account.empty() && s.account != q.account) continue;
      if (IsTerminal(s.status) && o.finished_at < e.since) continue;
      matching.push_back(&o);
    }
    // ExecIDs: e.exec_id, then the numbers after it.
    const std::string stem =
        e.exec_id.substr(0, TrailingDigitsBegin(e.exec_id));
    const uint64_t number = TrailingNumber(e.exec_id).value_or(1);
    auto mass_fields = [&](size_t total, bool last) {
      return FixFields{{584, q.mass_status_req_id},
                       {911, std::to_string(total)},
                       {912, last ? "Y" : "N"}};
    };
    std::vector<Action> out;
    if (matching.empty()) {
      Advance(exec_seq, e.exec_id);
      ExecutionReport er;
      er.order_id = std::string(kNone);
      er.exec_id = e.exec_id;
      er.exec_type = ExecType::kOrderStatus;
      er.ord_status = OrdStatus::kRejected;
      er.account = q.account;
      er.symbol = q.symbol.empty() ? "[N/A]" : q.symbol;
      er.ord_rej_reason = OrdRejReason::kUnknownOrder;
      er.text = e.refusal.empty()
                    ? "no order of this session matches the mass status request"
                    : e.refusal;
      er.transact_time = at;
      er.extra = mass_fields(0, true);
      out.push_back(ToBroker{e.session, std::move(er)});
      return out;
    }
    for (size_t i = 0; i < matching.size(); ++i) {
      ExecutionReport er;
      er.exec_id = stem + std::to_string(number + i);
      Advance(exec_seq, er.exec_id);
      er.exec_type = ExecType::kOrderStatus;
      FillStatus(matching[i]->snap, er);
      er.transact_time = at;
      er.extra = mass_fields(matching.size(), i + 1 == matching.size());
      out.push_back(ToBroker{e.session, std::move(er)});
    }
    return out;
  }

  std::vector<Action> ApplyEvent(const ExchangeCancelRejectReceived& e,
                                 Timestamp at) {
    const CancelReject& r = e.reject;
    if (!r.cl_ord_id.empty() && cancel_rejects.contains(r.cl_ord_id)) {
      return {};  // the same request refused twice (a resend)
    }
    std::optional<OrderNo> index =
        IndexOfReport(r.cl_ord_id, r.orig_cl_ord_id, e.venue);
    if (!index) return {};
    OrderState& o = orders.at(*index);
    OrderSnapshot& s = o.snap;
    const bool was_terminal = IsTerminal(s.status);
    if (!r.cl_ord_id.empty()) {
      cancel_rejects.insert(r.cl_ord_id);
      o.cancel_rejects.push_back(r.cl_ord_id);
    }
    if (!o.gateway_cancel.empty() && r.cl_ord_id == o.gateway_cancel) {
      // The kill switch's cancel failed; the broker asked nothing.
      o.gateway_cancel.clear();
      s.cancel_pending = false;
      if (IsPendingStatus(s.status)) s.status = DerivedStatus(s);
      Track(*index, at);
      if (!was_terminal && IsTerminal(s.status)) Finished(*index, at);
      return {};
    }
    bool is_replace = r.response_to == CxlRejResponseTo::kReplace;
    if (o.pending && o.pending->exch_cl_ord_id == r.cl_ord_id) {
      is_replace = o.pending->is_replace;
      if (is_replace && risk != nullptr) {
        RiskResult(risk->ReplaceRejected(o.risk_key));
      }
      o.pending.reset();
    }
    (is_replace ? s.replace_pending : s.cancel_pending) = false;
    if (IsPendingStatus(s.status)) s.status = DerivedStatus(s);

    CancelReject out;
    out.order_id = !s.order_id.empty()   ? s.order_id
                   : !r.order_id.empty() ? r.order_id
                                         : std::string(kNone);
    out.cl_ord_id = BrokerIdOf(o, r.cl_ord_id);
    out.orig_cl_ord_id = s.cl_ord_id;
    out.ord_status = s.status;
    out.response_to = r.response_to;
    out.reason = r.reason;
    out.text = r.text;
    out.transact_time = OrAt(r.transact_time, at);
    out.extra = r.extra;
    std::vector<Action> actions{ToBroker{s.session, std::move(out)}};
    Track(*index, at);
    if (!was_terminal && IsTerminal(s.status)) Finished(*index, at);
    return actions;
  }

  std::vector<Action> ApplyEvent(const ExchangeSessionChanged& e, Timestamp) {
    VenueState& v = venue_state[Canon(e.venue)];
    v.up = e.up;
    v.responsive = e.responsive;
    return {};
  }

  std::vector<Action> ApplyEvent(const KillSwitchChanged& e, Timestamp at) {
    if (risk != nullptr) {
      if (e.engaged) {
        risk->EngageKillSwitch(e.scope);
      } else {
        risk->DisengageKillSwitch(e.scope);
      }
    }
    std::vector<Action> out;
    for (const GatewayCancel& c : e.cancels) {
      if (auto cancel = ApplyGatewayCancel(c, KillText(e), at)) {
        out.push_back(std::move(*cancel));
      }
    }
    return out;
  }

  std::vector<Action> ApplyEvent(const OperatorCancelRequested& e,
                                 Timestamp at) {
    std::vector<Action> out;
    if (auto cancel = ApplyGatewayCancel(e.cancel, OperatorText(e), at)) {
      out.push_back(std::move(*cancel));
    }
    return out;
  }

  // The report first, then the cancels: the broker reads which orders will
  // be canceled before any of them is.
  std::vector<Action> ApplyEvent(const MassCancelRequested& e, Timestamp at) {
    Advance(exec_seq, e.order_id);
    if (!e.request.cl_ord_id.empty()) {
      used.Insert(e.session, e.request.cl_ord_id);
    }
    MassCancelReport report;
    report.cl_ord_id = e.request.cl_ord_id;
    report.order_id = e.order_id;
    report.req_type = e.request.req_type;
    report.symbol = e.request.symbol;
    report.side = e.request.side;
    report.text = e.text;
    report.transact_time = at;
    std::vector<Action> out;
    out.push_back(ToBroker{e.session, MassCancelReport{}});
    if (e.reject_reason) {
      report.response = '0';
      report.reject_reason = e.reject_reason;
    } else {
      report.response = e.request.req_type;
      for (const SessionOrderCancel* c :
           ApplySessionCancels(e.session, e.cancels, MassCancelText(e), at,
                               out)) {
        report.affected.push_back({c->orig_cl_ord_id, c->order_id});
      }
      if (report.text.empty()) {
        report.text = std::to_string(report.affected.size()) +
                      " order(s) to cancel";
      }
    }
    std::get<ToBroker>(out.front()).message = std::move(report);
    return out;
  }

  // The broker learns nothing now (it is away): each Canceled report is
  // stored for its next logon.
  std::vector<Action> ApplyEvent(const CancelOnDisconnectFired& e,
                                 Timestamp at) {
    std::vector<Action> out;
    ApplySessionCancels(e.session, e.cancels, DisconnectText(e), at, out);
    return out;
  }

  // The cancels of `cancels` that apply, appended to `out`; returns the
  // entries that were sent. Only an order of `session`, ever (a journal
  // that says otherwise is not obeyed); an entry skipped still advances the
  // exchange ClOrdID counter, so that a replay assigns the same IDs.
  std::vector<const SessionOrderCancel*> ApplySessionCancels(
      const SessionKey& session, const std::vector<SessionOrderCancel>& cancels,
      const std::string& text, Timestamp at, std::vector<Action>& out) {
    std::vector<const SessionOrderCancel*> sent;
    for (const SessionOrderCancel& c : cancels) {
      std::optional<OrderNo> index = IndexByExch(c.cancel.orig_exch_cl_ord_id);
      if (!index || orders.at(*index).snap.session != session) {
        Advance(exch_seq, c.cancel.exch_cl_ord_id);
        continue;
      }
      if (auto cancel = ApplyGatewayCancel(c.cancel, text, at)) {
        sent.push_back(&c);
        out.push_back(std::move(*cancel));
      }
    }
    return sent;
  }

  // A cancel the gateway itself sends (kill switch, operator): the order
  // waits for it, and its answer reaches the broker with `text`. Nothing
  // for an order unknown, finished or with a cancel pending.
  std::optional<Action> ApplyGatewayCancel(const GatewayCancel& c,
                                           std::string text, Timestamp at) {
    Advance(exch_seq, c.exch_cl_ord_id);
    std::optional<OrderNo> index = IndexByExch(c.orig_exch_cl_ord_id);
    if (!index || by_exch.contains(c.exch_cl_ord_id)) return std::nullopt;
    OrderState& o = orders.at(*index);
    OrderSnapshot& s = o.snap;
    if (IsTerminal(s.status) || s.cancel_pending) return std::nullopt;
    by_exch.emplace(c.exch_cl_ord_id, *index);
    o.gateway_cancels.push_back(c.exch_cl_ord_id);
    o.gateway_cancel = c.exch_cl_ord_id;
    o.kill_text = std::move(text);
    s.cancel_pending = true;
    Track(*index, at);
    CancelRequest cancel;
    cancel.cl_ord_id = c.exch_cl_ord_id;
    cancel.orig_cl_ord_id = c.orig_exch_cl_ord_id;
    cancel.order_id = s.order_id;
    cancel.symbol = s.symbol;
    cancel.side = s.side;
    cancel.transact_time = at;
    // OrderQty: FIX 4.2 venues require it on a cancel (4.4 allows it).
    cancel.extra = {{38, FormatQty(s.order_qty)}};
    return Action{ToExchange{std::move(cancel), s.venue}};
  }

  std::vector<Action> ApplyEvent(const RiskLimitsLoaded& e, Timestamp) {
    LoadLimits(e.source, e.text);
    return {};
  }

  // The limits in force become `text`; kept as loaded for a rollover. Text
  // that does not parse changes nothing (and counts as a risk error).
  void LoadLimits(const std::string& source, const std::string& text) {
    if (risk == nullptr) {
      limits_loaded = RiskLimitsLoaded{source, text};
      return;
    }
    Result<risk::RiskLimits> limits = risk::ParseRiskLimits(text, source);
    if (limits.ok()) {
      risk->SetLimits(std::move(*limits));
      limits_loaded = RiskLimitsLoaded{source, text};
    } else {
      RiskResult(limits.status());
    }
  }

  JournalContinued DecideContinuation(std::string previous_file,
                                      int64_t last_seq,
                                      std::string last_hash) const {
    JournalContinued e;
    e.previous_file = std::move(previous_file);
    e.previous_last_seq = last_seq;
    e.previous_last_hash = std::move(last_hash);
    e.risk_source = limits_loaded.source;
    e.risk_text = limits_loaded.text;
    if (risk != nullptr) {
      e.kill_switches = risk->EngagedKillSwitches();
      e.accounts = risk->CarriedAccounts();
    }
    e.exch_ids = exch_seq;
    e.exec_ids = exec_seq;
    return e;
  }

  // The first event of a continued journal: the state carried over.
  std::vector<Action> ApplyEvent(const JournalContinued& e, Timestamp) {
    exch_seq = std::max(exch_seq, e.exch_ids);
    exec_seq = std::max(exec_seq, e.exec_ids);
    if (!e.risk_text.empty()) LoadLimits(e.risk_source, e.risk_text);
    if (risk != nullptr) {
      for (const risk::KillScope& k : e.kill_switches) {
        risk->EngageKillSwitch(k);
      }
      for (const risk::CarriedAccount& a : e.accounts) {
        RiskResult(risk->CarryOver(a));
      }
    }
    return {};
  }

  // ---- orders waiting for the exchange ----------------------------------

  // What CountOrders counts as awaiting_exchange.
  static bool Awaits(const OrderSnapshot& s) {
    return !IsTerminal(s.status) &&
           (s.status == OrdStatus::kPendingNew || s.cancel_pending ||
            s.replace_pending);
  }

  // Order `no` may have started or stopped waiting for the exchange with
  // the event applied at `at`: `awaiting` follows. An order that already
  // waits keeps its time (its oldest unanswered request).
  void Track(OrderNo no, Timestamp at) {
    OrderState& o = orders.at(no);
    const bool waits = Awaits(o.snap);
    if (waits == o.awaiting) return;
    if (waits) {
      o.awaiting_since = at;
      awaiting.emplace(at, no);
    } else {
      awaiting.erase({o.awaiting_since, no});
    }
    o.awaiting = waits;
  }

  // ---- eviction ---------------------------------------------------------

  // Order `no` has just become terminal. Once more than
  // options.finished_orders_kept orders have finished, the oldest finished
  // one leaves the table (unless it is open again: a late report).
  void Finished(OrderNo no, Timestamp at) {
    orders.at(no).finished_at = at;
    finished.push_back(no);
    while (finished.size() > options.finished_orders_kept) {
      const OrderNo oldest = finished.front();
      finished.pop_front();
      auto it = orders.find(oldest);
      if (it != orders.end() && IsTerminal(it->second.snap.status)) Evict(it);
    }
  }

  // Takes an order and everything that names it out of the table. Its
  // ClOrdIDs stay in `used`: the broker may never use them again today.
  void Evict(std::map<OrderNo, OrderState>::iterator it) {
    const OrderState& o = it->second;
    for (const ChainLink& link : o.chain) {
      by_broker.erase(BrokerKey(o.snap.session, link.broker_cl_ord_id));
      by_exch.erase(link.exch_cl_ord_id);
    }
    for (const std::string& id : o.gateway_cancels) by_exch.erase(id);
    for (const std::string& id : o.exec_ids) {
      auto owner = exec_owner.find(id);
      if (owner != exec_owner.end() && owner->second == it->first) {
        exec_owner.erase(owner);
      }
    }
    for (const std::string& id : o.cancel_rejects) cancel_rejects.erase(id);
    if (o.awaiting) awaiting.erase({o.awaiting_since, it->first});
    orders.erase(it);
  }

  Options options;
  risk::RiskEngine* risk;
  uint64_t risk_errors = 0;
  std::string last_risk_error;
  // Each venue's session as the journal says it: every configured venue,
  // and any other an event named.
  std::map<VenueName, VenueState> venue_state;
  std::map<std::string, VenueName> symbol_venue;  // Options::venues' symbols
  uint64_t exch_seq = 0;                  // exchange ClOrdIDs assigned so far
  uint64_t exec_seq = 0;                  // gateway ExecIDs assigned so far
  RiskLimitsLoaded limits_loaded;         // the limits in force, as loaded
  // The order table: every open order and the last
  // options.finished_orders_kept finished ones, oldest first. The indexes
  // below cover exactly the orders in it.
  std::map<OrderNo, OrderState> orders;
  OrderNo next_order_no = 0;
  std::deque<OrderNo> finished;            // in the order they finished
  std::map<BrokerKey, OrderNo> by_broker;  // every chain ClOrdID
  std::map<std::string, OrderNo> by_exch;  // chain and kill-switch exch IDs
  // Exchange ExecIDs applied, each to the first order that carried it.
  std::unordered_map<std::string, OrderNo> exec_owner;
  std::unordered_set<std::string> cancel_rejects;  // exch IDs refused by a 9
  // The orders waiting for an exchange answer, by the time they started
  // waiting (Track): the oldest is first.
  std::set<std::pair<Timestamp, OrderNo>> awaiting;
  // Every ClOrdID of the journal, evicted orders' included, as
  // fingerprints (see ClOrdIdSet).
  ClOrdIdSet used;
};

OrderRouter::OrderRouter(Options options, risk::RiskEngine* risk)
    : impl_(std::make_unique<Impl>(std::move(options), risk)) {}

OrderRouter::~OrderRouter() = default;

JournalEvent OrderRouter::DecideNewOrder(const SessionKey& session,
                                         const NewOrder& order,
                                         Timestamp at) const {
  return impl_->DecideNewOrder(session, order, at);
}

JournalEvent OrderRouter::DecideUndecodableOrder(const SessionKey& session,
                                                 const NewOrder& order,
                                                 const Rejection& why) const {
  return NewOrderRejected{session, order, why, impl_->NextExecId()};
}

JournalEvent OrderRouter::DecideCancel(const SessionKey& session,
                                       const CancelRequest& request) const {
  return impl_->DecideCancel(session, request);
}

JournalEvent OrderRouter::DecideReplace(const SessionKey& session,
                                        const ReplaceRequest& request,
                                        Timestamp at) const {
  return impl_->DecideReplace(session, request, at);
}

JournalEvent OrderRouter::DecideKillSwitch(const risk::KillScope& scope,
                                           bool engaged, std::string source,
                                           std::string reason) const {
  return impl_->DecideKillSwitch(scope, engaged, std::move(source),
                                 std::move(reason));
}

Result<JournalEvent> OrderRouter::DecideOperatorCancel(
    const std::string& exch_cl_ord_id, std::string source,
    std::string reason) const {
  return impl_->DecideOperatorCancel(exch_cl_ord_id, std::move(source),
                                     std::move(reason));
}

JournalEvent OrderRouter::DecideUndecodableCancelReplace(
    const SessionKey& session, bool is_replace, const std::string& cl_ord_id,
    const std::string& orig_cl_ord_id, const Rejection& why) const {
  return impl_->DecideUndecodableCancelReplace(session, is_replace, cl_ord_id,
                                               orig_cl_ord_id, why);
}

JournalEvent OrderRouter::DecideMassCancel(
    const SessionKey& session, const MassCancelRequest& request) const {
  return impl_->DecideMassCancel(session, request);
}

Result<JournalEvent> OrderRouter::DecideCancelOnDisconnect(
    const SessionKey& session, std::string reason,
    int64_t delay_seconds) const {
  return impl_->DecideCancelOnDisconnect(session, std::move(reason),
                                         delay_seconds);
}

JournalEvent OrderRouter::DecideUndecodableMassCancel(
    const SessionKey& session, const std::string& cl_ord_id,
    const std::string& req_type, std::string text) const {
  MassCancelRequested event;
  event.session = session;
  event.request.cl_ord_id = cl_ord_id;
  event.request.req_type = req_type.size() == 1 ? req_type[0] : '7';
  event.order_id =
      impl_->options.id_prefix + "-M" + std::to_string(impl_->exec_seq + 1);
  event.reject_reason = 99;
  event.text = std::move(text) + ": nothing canceled";
  return event;
}

JournalContinued OrderRouter::DecideContinuation(std::string previous_file,
                                                 int64_t last_seq,
                                                 std::string last_hash) const {
  return impl_->DecideContinuation(std::move(previous_file), last_seq,
                                   std::move(last_hash));
}

JournalEvent OrderRouter::DecideStatus(const SessionKey& session,
                                       const StatusRequest& request) const {
  return StatusAnswered{session, request, impl_->NextExecId()};
}

std::vector<Action> OrderRouter::Apply(const JournalEvent& event,
                                       Timestamp at) {
  std::vector<Action> actions = std::visit(
      [&](const auto& e) { return impl_->ApplyEvent(e, at); }, event);
  if (impl_->options.drop_copies.empty() ||
      std::holds_alternative<StatusAnswered>(event) ||
      std::holds_alternative<MassStatusAnswered>(event)) {
    return actions;
  }
  return impl_->AddDropCopies(event, std::move(actions));
}

bool OrderRouter::exchange_up() const {
  for (const auto& v : impl_->options.venues) {
    if (!VenueUp(v.name)) return false;
  }
  return true;
}

bool OrderRouter::exchange_responsive() const {
  for (const auto& v : impl_->options.venues) {
    if (!VenueResponsive(v.name)) return false;
  }
  return true;
}

bool OrderRouter::VenueUp(const VenueName& venue) const {
  const Impl::VenueState* v = impl_->StateOf(venue);
  return v != nullptr && v->up;
}

bool OrderRouter::VenueResponsive(const VenueName& venue) const {
  const Impl::VenueState* v = impl_->StateOf(venue);
  return v == nullptr || !v->up || v->responsive;
}

std::vector<VenueName> OrderRouter::VenueNames() const {
  std::vector<VenueName> names;
  for (const auto& v : impl_->options.venues) names.push_back(v.name);
  return names;
}

std::vector<VenueName> OrderRouter::VenuesUp() const {
  std::vector<VenueName> up;
  for (const auto& [name, state] : impl_->venue_state) {
    if (state.up) up.push_back(name);
  }
  return up;
}

VenueName OrderRouter::JournaledVenue(const VenueName& venue) const {
  return impl_->Journaled(venue);
}

const VenueName& OrderRouter::CanonicalVenue(const VenueName& venue) const {
  return impl_->Canon(venue);
}

size_t OrderRouter::OpenOrdersOnUnusableVenues(
    const SessionKey& session) const {
  Impl::LeftOpen left;
  impl_->SessionCancels(
      session, /*with_replace_pending=*/true,
      [](const OrderSnapshot&) { return true; }, &left);
  size_t n = 0;
  for (const auto& [venue, count] : left) n += count;
  return n;
}

uint64_t OrderRouter::risk_errors() const { return impl_->risk_errors; }

const std::string& OrderRouter::last_risk_error() const {
  return impl_->last_risk_error;
}

bool OrderRouter::KnowsClOrdId(const SessionKey& session,
                               const std::string& cl_ord_id) const {
  return impl_->Used(session, cl_ord_id);
}

bool OrderRouter::KnowsExecId(const std::string& exec_id) const {
  return impl_->exec_owner.contains(exec_id);
}

OrderRouter::ReportFate OrderRouter::ClassifyReport(
    const ExecutionReport& report, const VenueName& venue) const {
  return impl_->ClassifyReport(report, venue);
}

std::string OrderRouter::ExecIdReusedFrom(const ExecutionReport& report) const {
  return impl_->ExecIdReusedFrom(report);
}

JournalEvent OrderRouter::DecideMassStatus(const SessionKey& session,
                                           const MassStatusRequest& request,
                                           Timestamp since,
                                           std::string refusal) const {
  return MassStatusAnswered{session, request, since, impl_->NextExecId(),
                            std::move(refusal)};
}

JournalEvent OrderRouter::DecideExchangeRefusal(std::string exch_cl_ord_id,
                                                char ref_msg_type,
                                                std::string text,
                                                VenueName venue) const {
  return ExchangeRequestRefused{std::move(exch_cl_ord_id), ref_msg_type,
                                std::move(text), impl_->NextExecId(),
                                std::move(venue)};
}

bool OrderRouter::KnowsCancelReject(const std::string& exch_cl_ord_id) const {
  return impl_->cancel_rejects.contains(exch_cl_ord_id);
}

std::optional<OrderSnapshot> OrderRouter::FindOrder(
    const SessionKey& session, const std::string& cl_ord_id) const {
  const Impl::OrderState* o = impl_->FindByBroker(session, cl_ord_id);
  if (o == nullptr) return std::nullopt;
  return o->snap;
}

OrderRouter::OrderCounts OrderRouter::CountOrders() const {
  OrderCounts counts;
  for (const auto& [no, o] : impl_->orders) {
    const OrderSnapshot& s = o.snap;
    if (IsTerminal(s.status)) continue;
    ++counts.open;
    if (Impl::Awaits(s)) ++counts.awaiting_exchange;
  }
  return counts;
}

std::optional<OrderRouter::AwaitingOrder> OrderRouter::OldestAwaiting() const {
  if (impl_->awaiting.empty()) return std::nullopt;
  const auto& [since, no] = *impl_->awaiting.begin();
  const Impl::OrderState& o = impl_->orders.at(no);
  const std::string& exch_id =
      o.pending ? o.pending->exch_cl_ord_id : o.snap.exch_cl_ord_id;
  return AwaitingOrder{o.snap.session, Impl::BrokerIdOf(o, exch_id), exch_id,
                       since};
}

std::vector<OrderSnapshot> OrderRouter::Orders() const {
  std::vector<OrderSnapshot> out;
  out.reserve(impl_->orders.size());
  for (const auto& [no, o] : impl_->orders) out.push_back(o.snap);
  return out;
}

}  // namespace fixgw::gw
