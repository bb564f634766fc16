// The audit trail (see trail.h).
//
// Decisions taken where the header is silent:
// - Record-only entries (SentToBroker, SentToExchange, ResendIgnored,
//   ExchangeMessageIgnored) have payload "{}": their row comes from the FIX
//   message in raw_fix. Event entries come from the decoded payload, which
//   is what the gateway acted on.
// - Broker/exchange IDs on a row are the message's own: a broker ClOrdID is
//   only paired with an exchange ClOrdID through the order's chain (a
//   cancel's exchange ClOrdID is the one the cancel got, not the order's).
// - An order finishes when the exchange reports it Filled, Canceled,
//   Rejected or Expired (an OrdStatus Replaced is not final here: FIX 4.4
//   does not use it, and the order lives on).
// - Prices are shown with at least two decimals (risk::FormatPx), exactly.
#include "gateway/fixreplay/trail.h"

#include <cstdint>
#include <set>
#include <type_traits>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "gateway/core/session_name.h"
#include "gateway/fixreplay/fix_text.h"
#include "gateway/router/journal_events.h"
#include "risk/risk_engine.h"

namespace fixgw::replay {
namespace {

namespace tag {
constexpr int kAccount = 1;
constexpr int kClOrdId = 11;
constexpr int kCumQty = 14;
constexpr int kExecId = 17;
constexpr int kLastPx = 31;
constexpr int kLastQty = 32;
constexpr int kRefSeqNum = 45;
constexpr int kMsgType = 35;
constexpr int kOrderId = 37;
constexpr int kOrderQty = 38;
constexpr int kOrdStatus = 39;
constexpr int kOrdType = 40;
constexpr int kOrigClOrdId = 41;
constexpr int kPrice = 44;
constexpr int kSide = 54;
constexpr int kSymbol = 55;
constexpr int kText = 58;
constexpr int kTimeInForce = 59;
constexpr int kCxlRejReason = 102;
constexpr int kOrdRejReason = 103;
constexpr int kExecType = 150;
constexpr int kLeavesQty = 151;
constexpr int kRefTagId = 371;
constexpr int kRefMsgType = 372;
constexpr int kSessionRejectReason = 373;
constexpr int kBusinessRejectRefId = 379;
constexpr int kBusinessRejectReason = 380;
}  // namespace tag

using gw::kConnectionRefused;
using gw::kExchangeMessageIgnored;
using gw::kLogonRefused;
using gw::kRejectSent;
using gw::kResendIgnored;
using gw::kSentToBroker;
using gw::kSentToExchange;

std::string Px(const std::optional<Price>& price) {
  return price ? risk::FormatPx(*price) : std::string();
}
std::string Px(Price price) { return risk::FormatPx(price); }
std::string Q(Qty qty) { return FormatQty(qty); }
std::string S(std::string_view v) { return std::string(v); }

// A FIX value shown canonically when it parses, as sent otherwise.
std::string RawQty(std::string_view text) {
  if (text.empty()) return {};
  Result<Qty> q = ParseQty(text);
  return q.ok() ? FormatQty(*q) : std::string(text);
}
std::string RawPx(std::string_view text) {
  if (text.empty()) return {};
  Result<Price> p = ParsePrice(text);
  return p.ok() ? risk::FormatPx(*p) : std::string(text);
}
template <typename E>
std::string RawEnum(std::string_view text, std::optional<E> (*from_fix)(char)) {
  if (text.size() == 1) {
    if (std::optional<E> v = from_fix(text[0])) return S(Name(*v));
  }
  return std::string(text);
}

// OrdType and TimeInForce of a raw message, by name when known.
void RawOrderTerms(const FixText& m, TrailRow& row) {
  row.ord_type = RawEnum(m.Get(tag::kOrdType), &OrdTypeFromFix);
  row.tif = RawEnum(m.Get(tag::kTimeInForce), &TimeInForceFromFix);
}

// "OrdRejReason=6: duplicate ClOrdID" / "CxlRejReason=0" / "text".
std::string Reason(std::string_view code_name, std::string_view code,
                   std::string_view text) {
  std::string out;
  if (!code.empty()) {
    out.append(code_name).append("=").append(code);
    if (!text.empty()) out += ": ";
  }
  out.append(text);
  return out;
}
std::string Reason(OrdRejReason r, std::string_view text) {
  return Reason("OrdRejReason", std::to_string(ToFix(r)), text);
}
std::string Reason(CxlRejReason r, std::string_view text) {
  return Reason("CxlRejReason", std::to_string(ToFix(r)), text);
}

bool IsFinal(OrdStatus s) {
  return s == OrdStatus::kFilled || s == OrdStatus::kCanceled ||
         s == OrdStatus::kRejected || s == OrdStatus::kExpired ||
         s == OrdStatus::kDoneForDay;
}

std::string MsgTypeOf(bool is_replace) {
  return is_replace ? "OrderCancelReplaceRequest" : "OrderCancelRequest";
}

// Whether `kind` names an alternative of this version's JournalEvent.
template <size_t... I>
bool IsEventKindImpl(std::string_view kind, std::index_sequence<I...>) {
  return ((gw::KindName(gw::JournalEvent(std::in_place_index<I>)) == kind) ||
          ...);
}

std::string ScopeText(const risk::KillScope& scope) {
  std::string out(gw::KillScopeName(scope.kind));
  if (!scope.name.empty()) out += " " + scope.name;
  return out;
}

}  // namespace

std::string_view Name(Direction d) {
  switch (d) {
    case Direction::kFromBroker:
      return "from-broker";
    case Direction::kToBroker:
      return "to-broker";
    case Direction::kToExchange:
      return "to-exchange";
    case Direction::kFromExchange:
      return "from-exchange";
    case Direction::kInternal:
      return "internal";
    case Direction::kUnknown:
      return "unknown";
  }
  return "unknown";
}

bool IsEventKind(std::string_view kind) {
  return IsEventKindImpl(
      kind, std::make_index_sequence<std::variant_size_v<gw::JournalEvent>>{});
}

bool SessionMatches(std::string_view row_session, std::string_view wanted) {
  if (row_session.empty()) return false;
  if (row_session == wanted) return true;
  // "FIX.4.4:GW->BROKER1" matches "BROKER1" (the broker's CompID).
  return SessionShortName(row_session) == wanted;
}

// ---- OrderTracker ----------------------------------------------------------

OrderTracker::OrderTracker(size_t keep_finished)
    : keep_finished_(keep_finished) {}

std::string OrderTracker::BrokerKey(const std::string& session,
                                    const std::string& cl_ord_id) {
  std::string key;
  key.reserve(session.size() + 1 + cl_ord_id.size());
  key.append(session).push_back('\x1f');
  key.append(cl_ord_id);
  return key;
}

OrderTracker::Order* OrderTracker::Mutable(const Order* order) {
  if (order == nullptr) return nullptr;
  auto it = orders_.find(order->number);
  return it == orders_.end() ? nullptr : &it->second;
}

const OrderTracker::Order* OrderTracker::Add(const std::string& session,
                                             const std::string& cl_ord_id,
                                             const std::string& exch_cl_ord_id,
                                             const std::string& account,
                                             const std::string& symbol,
                                             const std::string& side,
                                             const std::string& venue) {
  const uint64_t number = next_number_++;
  if (exch_cl_ord_id.empty() || by_exch_.contains(exch_cl_ord_id) ||
      by_broker_.contains(BrokerKey(session, cl_ord_id))) {
    return nullptr;
  }
  Order& o = orders_[number];
  o.number = number;
  o.session = session;
  o.account = account;
  o.symbol = symbol;
  o.side = side;
  o.venue = venue;
  o.exch_ids.push_back(exch_cl_ord_id);
  o.broker_ids.push_back(cl_ord_id);
  by_exch_.emplace(exch_cl_ord_id, std::make_pair(number, cl_ord_id));
  if (!cl_ord_id.empty()) {
    by_broker_.emplace(BrokerKey(session, cl_ord_id),
                       std::make_pair(number, exch_cl_ord_id));
  }
  return &o;
}

void OrderTracker::Link(const Order* order, const std::string& cl_ord_id,
                        const std::string& exch_cl_ord_id) {
  Order* o = Mutable(order);
  if (o == nullptr || exch_cl_ord_id.empty() ||
      by_exch_.contains(exch_cl_ord_id)) {
    return;
  }
  std::string broker_id = cl_ord_id;
  if (broker_id.empty()) {
    for (auto it = o->broker_ids.rbegin(); it != o->broker_ids.rend(); ++it) {
      if (!it->empty()) {
        broker_id = *it;
        break;
      }
    }
  }
  by_exch_.emplace(exch_cl_ord_id, std::make_pair(o->number, broker_id));
  if (!cl_ord_id.empty()) {
    by_broker_.emplace(BrokerKey(o->session, cl_ord_id),
                       std::make_pair(o->number, exch_cl_ord_id));
  }
  o->exch_ids.push_back(exch_cl_ord_id);
  o->broker_ids.push_back(cl_ord_id);
}

std::optional<OrderTracker::Hit> OrderTracker::ByExch(
    const std::string& exch_cl_ord_id) const {
  if (exch_cl_ord_id.empty()) return std::nullopt;
  auto it = by_exch_.find(exch_cl_ord_id);
  if (it == by_exch_.end()) return std::nullopt;
  return Hit{&orders_.at(it->second.first), it->second.second};
}

std::optional<OrderTracker::Hit> OrderTracker::ByBroker(
    const std::string& session, const std::string& cl_ord_id) const {
  if (cl_ord_id.empty()) return std::nullopt;
  auto it = by_broker_.find(BrokerKey(session, cl_ord_id));
  if (it == by_broker_.end()) return std::nullopt;
  return Hit{&orders_.at(it->second.first), it->second.second};
}

void OrderTracker::Finish(const Order* order) {
  Order* o = Mutable(order);
  if (o == nullptr || o->finished) return;
  o->finished = true;
  finished_.push_back(o->number);
  while (finished_.size() > keep_finished_) {
    auto it = orders_.find(finished_.front());
    finished_.pop_front();
    if (it == orders_.end()) continue;
    const Order& gone = it->second;
    for (const std::string& id : gone.exch_ids) by_exch_.erase(id);
    for (const std::string& id : gone.broker_ids) {
      if (!id.empty()) by_broker_.erase(BrokerKey(gone.session, id));
    }
    orders_.erase(it);
  }
}

std::vector<uint64_t> OrderTracker::OrdersWithId(
    const std::string& id, const std::string& session) const {
  std::set<uint64_t> found;
  if (auto hit = ByExch(id)) found.insert(hit->order->number);
  for (const auto& [number, order] : orders_) {
    if (!session.empty() && !SessionMatches(order.session, session)) continue;
    for (const std::string& b : order.broker_ids) {
      if (b == id) found.insert(number);
    }
  }
  return {found.begin(), found.end()};
}

// ---- TrailBuilder ----------------------------------------------------------

TrailBuilder::TrailBuilder(size_t keep_finished) : tracker_(keep_finished) {}

void TrailBuilder::Problem(const store::JournalEntry& e,
                           const std::string& what) {
  if (first_problem_.empty()) {
    first_problem_ = "entry " + std::to_string(e.seq) + ": " + what;
  }
}

void TrailBuilder::Complete(const OrderTracker::Order* order, TrailRow& row) {
  if (order == nullptr) return;
  last_order_ = order->number;
  if (row.session.empty()) row.session = order->session;
  if (row.account.empty()) row.account = order->account;
  if (row.symbol.empty()) row.symbol = order->symbol;
  if (row.side.empty()) row.side = order->side;
  if (row.venue.empty()) row.venue = order->venue;
}

TrailRow TrailBuilder::Build(const store::JournalEntry& e) {
  last_order_ = 0;
  TrailRow row;
  row.seq = e.seq;
  row.time = e.time;
  row.event = e.kind;
  row.session = e.session;
  row.cl_ord_id = e.cl_ord_id;
  row.exch_cl_ord_id = e.exch_cl_ord_id;

  if (e.kind == kSentToBroker) {
    FromSentToBroker(e, row);
    return row;
  }
  if (e.kind == kSentToExchange) {
    FromSentToExchange(e, row);
    return row;
  }
  if (e.kind == kResendIgnored || e.kind == kExchangeMessageIgnored) {
    FromRecord(e, row);
    return row;
  }
  if (e.kind == kLogonRefused || e.kind == kConnectionRefused) {
    FromDenial(e, row);
    return row;
  }
  if (e.kind == kRejectSent) {
    FromRejectSent(e, row);
    return row;
  }
  if (e.kind == gw::kJournalVerified || e.kind == gw::kJournalDamageAccepted) {
    FromJournalCheck(e, row);
    return row;
  }
  if (e.kind == gw::kSessionControl) {
    FromSessionControl(e, row);
    return row;
  }
  Result<gw::JournalEvent> event = gw::DecodeEvent(e.payload);
  if (!event.ok()) {
    FromUndecodable(e, event.status(), row);
    return row;
  }
  // The orders a mass cancel or a cancel-on-disconnect cancels: counted
  // and named in the row's reason, each cancel linked to its order (whose
  // own rows, the cancel sent and the exchange's Canceled, follow).
  auto list_cancels = [&](const std::vector<gw::SessionOrderCancel>& cancels) {
    row.reason += std::to_string(cancels.size()) +
                  " order(s) canceled at the exchange";
    for (const gw::SessionOrderCancel& c : cancels) {
      row.reason += (&c == &cancels.front() ? ": " : ", ");
      row.reason += c.orig_cl_ord_id;
      if (auto hit = tracker_.ByExch(c.cancel.orig_exch_cl_ord_id)) {
        tracker_.Link(hit->order, "", c.cancel.exch_cl_ord_id);
      }
    }
  };
  std::visit(
      [&](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, gw::NewOrderAccepted>) {
          const NewOrder& o = ev.order;
          row.direction = Direction::kFromBroker;
          row.msg_type = "NewOrderSingle";
          row.session = ev.session;
          row.account = o.account;
          row.cl_ord_id = o.cl_ord_id;
          row.exch_cl_ord_id = ev.exch_cl_ord_id;
          row.symbol = o.symbol;
          row.side = S(Name(o.side));
          row.qty = Q(o.qty);
          row.price = Px(o.price);
          row.ord_type = S(Name(o.ord_type));
          row.tif = S(Name(o.tif));
          row.status = "Accepted";
          Complete(tracker_.Add(ev.session, o.cl_ord_id, ev.exch_cl_ord_id,
                                o.account, o.symbol, row.side, ev.venue),
                   row);
        } else if constexpr (std::is_same_v<T, gw::NewOrderRejected>) {
          const NewOrder& o = ev.order;
          row.direction = Direction::kFromBroker;
          row.msg_type = "NewOrderSingle";
          row.session = ev.session;
          row.account = o.account;
          row.cl_ord_id = o.cl_ord_id;
          row.exch_cl_ord_id.clear();
          row.symbol = o.symbol;
          row.side = S(Name(o.side));
          row.qty = Q(o.qty);
          row.price = Px(o.price);
          row.ord_type = S(Name(o.ord_type));
          row.tif = S(Name(o.tif));
          row.status = "Rejected";
          row.reason = Reason(ev.rejection.reason, ev.rejection.text);
        } else if constexpr (std::is_same_v<T, gw::CancelReplaceForwarded>) {
          row.direction = Direction::kFromBroker;
          row.msg_type = MsgTypeOf(ev.is_replace);
          row.session = ev.session;
          row.exch_cl_ord_id = ev.exch_cl_ord_id;
          std::string orig;
          if (ev.is_replace) {
            const ReplaceRequest& r = ev.replace;
            row.cl_ord_id = r.cl_ord_id;
            orig = r.orig_cl_ord_id;
            row.account = r.account;
            row.symbol = r.symbol;
            row.side = S(Name(r.side));
            row.qty = Q(r.qty);
            row.price = Px(r.price);
            row.ord_type = S(Name(r.ord_type));
            row.tif = S(Name(r.tif));
          } else {
            const CancelRequest& c = ev.cancel;
            row.cl_ord_id = c.cl_ord_id;
            orig = c.orig_cl_ord_id;
            row.symbol = c.symbol;
            row.side = S(Name(c.side));
          }
          row.orig_cl_ord_id = orig;
          row.status = "Forwarded";
          auto hit = tracker_.ByExch(ev.orig_exch_cl_ord_id);
          if (!hit) hit = tracker_.ByBroker(ev.session, orig);
          if (hit) {
            tracker_.Link(hit->order, row.cl_ord_id, ev.exch_cl_ord_id);
            Complete(hit->order, row);
          }
        } else if constexpr (std::is_same_v<T, gw::CancelReplaceRejected>) {
          const CancelReject& r = ev.reject;
          row.direction = Direction::kFromBroker;
          row.msg_type = MsgTypeOf(r.response_to == CxlRejResponseTo::kReplace);
          row.session = ev.session;
          row.cl_ord_id = r.cl_ord_id;
          row.orig_cl_ord_id = r.orig_cl_ord_id;
          row.status = "Rejected";
          row.reason = Reason(r.reason, r.text);
          if (auto hit = tracker_.ByBroker(ev.session, r.orig_cl_ord_id)) {
            Complete(hit->order, row);
          }
        } else if constexpr (std::is_same_v<T, gw::StatusAnswered>) {
          row.direction = Direction::kFromBroker;
          row.msg_type = "OrderStatusRequest";
          row.session = ev.session;
          row.cl_ord_id = ev.request.cl_ord_id;
          row.symbol = ev.request.symbol;
          row.side = S(Name(ev.request.side));
          row.status = "Answered";
          if (auto hit = tracker_.ByBroker(ev.session, ev.request.cl_ord_id)) {
            row.exch_cl_ord_id = hit->paired_id;
            Complete(hit->order, row);
          }
        } else if constexpr (std::is_same_v<T, gw::ExchangeReportReceived>) {
          const ExecutionReport& r = ev.report;
          row.direction = Direction::kFromExchange;
          row.msg_type = "ExecutionReport";
          row.exch_cl_ord_id = r.cl_ord_id;
          row.symbol = r.symbol;
          row.side = S(Name(r.side));
          row.qty = Q(r.order_qty);
          row.price = Px(r.price);
          row.ord_type = S(Name(r.ord_type));
          row.tif = S(Name(r.tif));
          row.exec_type = S(Name(r.exec_type));
          row.exec_id = r.exec_id;
          row.order_id = r.order_id;
          if (r.exec_type == ExecType::kTrade || r.last_qty.units() != 0) {
            row.last_qty = Q(r.last_qty);
            row.last_px = Px(r.last_px);
          }
          row.cum_qty = Q(r.cum_qty);
          row.leaves_qty = Q(r.leaves_qty);
          row.status = S(Name(r.ord_status));
          row.reason =
              r.ord_rej_reason ? Reason(*r.ord_rej_reason, r.text) : r.text;
          auto hit = tracker_.ByExch(r.cl_ord_id);
          auto orig = tracker_.ByExch(r.orig_cl_ord_id);
          if (hit) row.cl_ord_id = hit->paired_id;
          if (orig) row.orig_cl_ord_id = orig->paired_id;
          if (!hit) hit = orig;
          if (hit) {
            row.account = hit->order->account;
            Complete(hit->order, row);
            if (IsFinal(r.ord_status)) tracker_.Finish(hit->order);
          } else {
            row.account = r.account;
          }
        } else if constexpr (std::is_same_v<T,
                                            gw::ExchangeCancelRejectReceived>) {
          const CancelReject& r = ev.reject;
          row.direction = Direction::kFromExchange;
          row.msg_type = "OrderCancelReject";
          row.exch_cl_ord_id = r.cl_ord_id;
          row.status = S(Name(r.ord_status));
          row.reason = Reason(r.reason, r.text);
          auto hit = tracker_.ByExch(r.cl_ord_id);
          auto orig = tracker_.ByExch(r.orig_cl_ord_id);
          if (hit) row.cl_ord_id = hit->paired_id;
          if (orig) row.orig_cl_ord_id = orig->paired_id;
          if (!hit) hit = orig;
          if (hit) Complete(hit->order, row);
        } else if constexpr (std::is_same_v<T, gw::ExchangeSessionChanged>) {
          row.direction = Direction::kInternal;
          row.status = !ev.up          ? "ExchangeDown"
                       : ev.responsive ? "ExchangeUp"
                                       : "ExchangeNotAnswering";
          row.reason = ev.reason;
          row.venue = ev.venue;
        } else if constexpr (std::is_same_v<T, gw::KillSwitchChanged>) {
          row.direction = Direction::kInternal;
          row.status = ev.engaged ? "Engaged" : "Disengaged";
          if (ev.scope.kind == risk::KillScope::Kind::kAccount) {
            row.account = ev.scope.name;
          } else if (ev.scope.kind == risk::KillScope::Kind::kSession) {
            row.session = ev.scope.name;
          } else if (ev.scope.kind == risk::KillScope::Kind::kVenue) {
            row.venue = ev.scope.name;
          }
          row.reason = "kill switch " + ScopeText(ev.scope);
          if (!ev.reason.empty()) row.reason += ": " + ev.reason;
          if (!ev.source.empty()) row.reason += " (by " + ev.source + ")";
          if (!ev.cancels.empty()) {
            row.reason += "; " + std::to_string(ev.cancels.size()) +
                          " order(s) canceled at the exchange";
          }
          for (const gw::GatewayCancel& c : ev.cancels) {
            if (auto hit = tracker_.ByExch(c.orig_exch_cl_ord_id)) {
              tracker_.Link(hit->order, "", c.exch_cl_ord_id);
            }
          }
        } else if constexpr (std::is_same_v<T, gw::OperatorCancelRequested>) {
          row.direction = Direction::kInternal;
          row.status = "OperatorCancel";
          row.exch_cl_ord_id = ev.cancel.exch_cl_ord_id;
          row.reason = "canceled by the operator";
          if (!ev.reason.empty()) row.reason += ": " + ev.reason;
          if (!ev.source.empty()) row.reason += " (by " + ev.source + ")";
          if (auto hit = tracker_.ByExch(ev.cancel.orig_exch_cl_ord_id)) {
            tracker_.Link(hit->order, "", ev.cancel.exch_cl_ord_id);
            Complete(hit->order, row);
          }
        } else if constexpr (std::is_same_v<T, gw::RiskLimitsLoaded>) {
          row.direction = Direction::kInternal;
          row.status = "Loaded";
          row.reason = "risk limits from " + ev.source;
        } else if constexpr (std::is_same_v<T, gw::JournalContinued>) {
          row.direction = Direction::kInternal;
          row.status = "Continued";
          row.reason =
              "continues " + ev.previous_file + " after seq " +
              std::to_string(ev.previous_last_seq) +
              "; carried: " + std::to_string(ev.kill_switches.size()) +
              " kill switch(es), " + std::to_string(ev.accounts.size()) +
              " account(s)" +
              (ev.risk_source.empty() ? std::string()
                                      : ", risk limits from " + ev.risk_source);
        } else if constexpr (std::is_same_v<T, gw::ExchangeRequestRefused>) {
          row.direction = Direction::kFromExchange;
          row.msg_type = ev.ref_msg_type == 'D'   ? "NewOrderSingle"
                         : ev.ref_msg_type == 'F' ? "OrderCancelRequest"
                                                  : "OrderCancelReplaceRequest";
          row.exch_cl_ord_id = ev.exch_cl_ord_id;
          row.status = "RefusedByExchange";
          row.reason = ev.text;
          if (auto hit = tracker_.ByExch(ev.exch_cl_ord_id)) {
            row.cl_ord_id = hit->paired_id;
            row.account = hit->order->account;
            Complete(hit->order, row);
          }
        } else if constexpr (std::is_same_v<T, gw::MassCancelRequested>) {
          // One row for the request and its decision; the per-order
          // cancels are linked to their orders, whose own rows (the cancel
          // sent, the exchange's Canceled) follow.
          row.direction = Direction::kFromBroker;
          row.msg_type = "OrderMassCancelRequest";
          row.session = ev.session;
          row.cl_ord_id = ev.request.cl_ord_id;
          row.order_id = ev.order_id;
          row.account = ev.request.account;
          row.symbol = ev.request.symbol;
          if (ev.request.side) row.side = S(Name(*ev.request.side));
          if (ev.reject_reason) {
            row.status = "Rejected";
            row.reason = "MassCancelRejectReason " +
                         std::to_string(*ev.reject_reason) + ": " + ev.text;
          } else {
            row.status = "Accepted";
            row.reason = "MassCancelRequestType " +
                         std::string(1, ev.request.req_type) + "; ";
            list_cancels(ev.cancels);
          }
        } else if constexpr (std::is_same_v<T, gw::CancelOnDisconnectFired>) {
          // The gateway's own decision for a broker that went away.
          row.direction = Direction::kInternal;
          row.msg_type = "CancelOnDisconnect";
          row.session = ev.session;
          row.status = "Fired";
          row.reason = "session gone (" + ev.reason + "), not back within " +
                       std::to_string(ev.delay_seconds) + " s; ";
          list_cancels(ev.cancels);
        } else if constexpr (std::is_same_v<T, gw::MassStatusAnswered>) {
          row.direction = Direction::kFromBroker;
          row.msg_type = "OrderMassStatusRequest";
          row.session = ev.session;
          row.account = ev.request.account;
          row.symbol = ev.request.symbol;
          row.status = "Answered";
          row.reason = ev.refusal;
        } else {
          // An event added after this trail was written: its kind says
          // what it is; the journal's columns say whom it concerns.
          row.direction = Direction::kInternal;
        }
      },
      *event);
  return row;
}

void TrailBuilder::FromSentToBroker(const store::JournalEntry& e,
                                    TrailRow& row) {
  const FixText m(e.raw_fix);
  row.direction = Direction::kToBroker;
  row.msg_type = MsgTypeName(m.Get(tag::kMsgType));
  row.account = S(m.Get(tag::kAccount));
  row.cl_ord_id = S(m.Get(tag::kClOrdId));
  row.orig_cl_ord_id = S(m.Get(tag::kOrigClOrdId));
  row.symbol = S(m.Get(tag::kSymbol));
  row.side = RawEnum(m.Get(tag::kSide), &SideFromFix);
  row.qty = RawQty(m.Get(tag::kOrderQty));
  row.price = RawPx(m.Get(tag::kPrice));
  RawOrderTerms(m, row);
  row.exec_type = RawEnum(m.Get(tag::kExecType), &ExecTypeFromFix);
  row.exec_id = S(m.Get(tag::kExecId));
  row.order_id = S(m.Get(tag::kOrderId));
  if (m.Has(tag::kLastQty) && RawQty(m.Get(tag::kLastQty)) != "0") {
    row.last_qty = RawQty(m.Get(tag::kLastQty));
    row.last_px = RawPx(m.Get(tag::kLastPx));
  }
  row.cum_qty = RawQty(m.Get(tag::kCumQty));
  row.leaves_qty = RawQty(m.Get(tag::kLeavesQty));
  row.status = RawEnum(m.Get(tag::kOrdStatus), &OrdStatusFromFix);
  if (m.Has(tag::kOrdRejReason)) {
    row.reason =
        Reason("OrdRejReason", m.Get(tag::kOrdRejReason), m.Get(tag::kText));
  } else if (m.Has(tag::kCxlRejReason)) {
    row.reason =
        Reason("CxlRejReason", m.Get(tag::kCxlRejReason), m.Get(tag::kText));
  } else {
    row.reason = S(m.Get(tag::kText));
  }
  if (auto hit = tracker_.ByBroker(row.session, row.cl_ord_id)) {
    row.exch_cl_ord_id = hit->paired_id;
    Complete(hit->order, row);
  } else if (auto orig = tracker_.ByBroker(row.session, row.orig_cl_ord_id)) {
    Complete(orig->order, row);
  }
}

void TrailBuilder::FromSentToExchange(const store::JournalEntry& e,
                                      TrailRow& row) {
  const FixText m(e.raw_fix);
  row.direction = Direction::kToExchange;
  row.msg_type = MsgTypeName(m.Get(tag::kMsgType));
  row.account = S(m.Get(tag::kAccount));
  row.exch_cl_ord_id = S(m.Get(tag::kClOrdId));
  row.cl_ord_id.clear();
  row.symbol = S(m.Get(tag::kSymbol));
  row.side = RawEnum(m.Get(tag::kSide), &SideFromFix);
  row.qty = RawQty(m.Get(tag::kOrderQty));
  row.price = RawPx(m.Get(tag::kPrice));
  RawOrderTerms(m, row);
  row.status = "Sent";
  auto hit = tracker_.ByExch(row.exch_cl_ord_id);
  auto orig = tracker_.ByExch(S(m.Get(tag::kOrigClOrdId)));
  if (hit) row.cl_ord_id = hit->paired_id;
  if (orig) row.orig_cl_ord_id = orig->paired_id;
  if (!hit) hit = orig;
  if (hit) Complete(hit->order, row);
}

void TrailBuilder::FromRecord(const store::JournalEntry& e, TrailRow& row) {
  const FixText m(e.raw_fix);
  const bool from_broker = e.kind == kResendIgnored;
  row.direction =
      from_broker ? Direction::kFromBroker : Direction::kFromExchange;
  row.msg_type = MsgTypeName(m.Get(tag::kMsgType));
  row.account = S(m.Get(tag::kAccount));
  row.symbol = S(m.Get(tag::kSymbol));
  row.side = RawEnum(m.Get(tag::kSide), &SideFromFix);
  row.qty = RawQty(m.Get(tag::kOrderQty));
  row.price = RawPx(m.Get(tag::kPrice));
  row.status = "Ignored";
  if (from_broker) {
    row.cl_ord_id = S(m.Get(tag::kClOrdId));
    row.orig_cl_ord_id = S(m.Get(tag::kOrigClOrdId));
    row.reason =
        "resent (PossDupFlag/PossResend) with a ClOrdID already answered: "
        "not processed again";
    if (auto hit = tracker_.ByBroker(row.session, row.cl_ord_id)) {
      row.exch_cl_ord_id = hit->paired_id;
      Complete(hit->order, row);
    }
    return;
  }
  row.exch_cl_ord_id = S(m.Get(tag::kClOrdId));
  row.exec_type = RawEnum(m.Get(tag::kExecType), &ExecTypeFromFix);
  row.exec_id = S(m.Get(tag::kExecId));
  row.order_id = S(m.Get(tag::kOrderId));
  row.cum_qty = RawQty(m.Get(tag::kCumQty));
  row.leaves_qty = RawQty(m.Get(tag::kLeavesQty));
  row.reason = "exchange message not understood";
  if (m.Has(tag::kText)) row.reason += ": " + S(m.Get(tag::kText));
  if (auto hit = tracker_.ByExch(row.exch_cl_ord_id)) {
    row.cl_ord_id = hit->paired_id;
    Complete(hit->order, row);
  }
}

void TrailBuilder::FromDenial(const store::JournalEntry& e, TrailRow& row) {
  // A Logon or connection refused (issue 7): payload {"code","detail"};
  // raw_fix is the Logon (Password masked) when there was one.
  const FixText m(e.raw_fix);
  row.direction = Direction::kFromBroker;
  row.msg_type = e.raw_fix.empty() ? std::string("Connection")
                                   : MsgTypeName(m.Get(tag::kMsgType));
  row.status = "Refused";
  auto payload = nlohmann::json::parse(e.payload, nullptr, false);
  if (payload.is_object() && payload.contains("code") &&
      payload.contains("detail") && payload["code"].is_string() &&
      payload["detail"].is_string()) {
    row.reason = payload["code"].get<std::string>() + ": " +
                 payload["detail"].get<std::string>();
  } else {
    row.reason = "denial payload not understood";
    Problem(e, row.reason);
  }
}

void TrailBuilder::FromSessionControl(const store::JournalEntry& e,
                                      TrailRow& row) {
  // An operator's session action (admin API): status the action, reason
  // who asked, why, and for the sequence numbers the numbers.
  row.direction = Direction::kInternal;
  const auto p = nlohmann::json::parse(e.payload, nullptr, false);
  const auto field = [&](const char* key) -> std::string {
    if (!p.is_object() || !p.contains(key)) return "";
    return p[key].is_string() ? p[key].get<std::string>() : p[key].dump();
  };
  row.status = "Session:" + field("action");
  row.reason = "session " + field("action") + " by " + field("source");
  if (!field("reason").empty()) row.reason += ": " + field("reason");
  if (!field("next_sender").empty()) {
    row.reason += "; next sender " + field("next_sender_before") + " -> " +
                  field("next_sender") + ", next target " +
                  field("next_target_before") + " -> " +
                  field("next_target");
  }
}

void TrailBuilder::FromJournalCheck(const store::JournalEntry& e,
                                    TrailRow& row) {
  // fixgw's start-up check of this journal (issue 18).
  row.direction = Direction::kInternal;
  const bool accepted = e.kind == gw::kJournalDamageAccepted;
  row.status = accepted ? "DamageAccepted" : "Verified";
  auto p = nlohmann::json::parse(e.payload, nullptr, false);
  auto text = [&](const char* key) -> std::string {
    return p.is_object() && p.contains(key) && p[key].is_string()
               ? p[key].get<std::string>()
               : std::string("?");
  };
  auto number = [&](const char* key) -> std::string {
    return p.is_object() && p.contains(key) && p[key].is_number_integer()
               ? std::to_string(p[key].get<int64_t>())
               : std::string("?");
  };
  if (!p.is_object()) {
    row.reason = "journal check payload not understood";
    Problem(e, row.reason);
    return;
  }
  if (accepted) {
    row.reason = "journal damaged, started anyway (--accept-journal-damage) "
                 "by " + text("by") + ": " + text("reason") + "; " +
                 text("problem");
  } else {
    row.reason = "journal verified at start (" + text("mode") + "): " +
                 number("entries") + " entries from seq " +
                 number("from_seq") + " to " + number("head_seq");
  }
}

void TrailBuilder::FromRejectSent(const store::JournalEntry& e,
                                  TrailRow& row) {
  // QuickFIX's own Reject / BusinessMessageReject: it names the refused
  // message by MsgSeqNum (and type, tag, reason), not by ClOrdID.
  const FixText m(e.raw_fix);
  row.direction = e.payload.find(R"("peer":"exchange")") != std::string::npos
                      ? Direction::kToExchange
                      : Direction::kToBroker;
  row.msg_type = MsgTypeName(m.Get(tag::kMsgType));
  row.status = "Rejected";
  std::string reason = "message";
  if (m.Has(tag::kRefSeqNum)) reason += " " + S(m.Get(tag::kRefSeqNum));
  if (m.Has(tag::kRefMsgType)) {
    reason += " (" + MsgTypeName(m.Get(tag::kRefMsgType)) + ")";
  }
  reason += " refused";
  if (m.Has(tag::kRefTagId)) reason += " at tag " + S(m.Get(tag::kRefTagId));
  if (m.Has(tag::kSessionRejectReason)) {
    reason += ", SessionRejectReason " + S(m.Get(tag::kSessionRejectReason));
  }
  if (m.Has(tag::kBusinessRejectReason)) {
    reason +=
        ", BusinessRejectReason " + S(m.Get(tag::kBusinessRejectReason));
  }
  if (m.Has(tag::kBusinessRejectRefId)) {
    reason += ", reference " + S(m.Get(tag::kBusinessRejectRefId));
  }
  if (m.Has(tag::kText)) reason += ": " + S(m.Get(tag::kText));
  row.reason = std::move(reason);
}

void TrailBuilder::FromUndecodable(const store::JournalEntry& e,
                                   const Status& why, TrailRow& row) {
  // What the journal's columns and the FIX message still say.
  const FixText m(e.raw_fix);
  row.msg_type = MsgTypeName(m.Get(tag::kMsgType));
  row.symbol = S(m.Get(tag::kSymbol));
  row.side = RawEnum(m.Get(tag::kSide), &SideFromFix);
  row.qty = RawQty(m.Get(tag::kOrderQty));
  row.price = RawPx(m.Get(tag::kPrice));
  if (IsEventKind(e.kind)) {
    ++unreadable_;
    row.direction = Direction::kUnknown;
    row.reason = "payload not understood: " + why.message();
    Problem(e, row.reason);
  } else {
    ++unknown_kinds_;
    row.direction = Direction::kUnknown;
    row.reason = "entry kind not known to this version of fixreplay";
    Problem(e, "unknown entry kind '" + e.kind + "'");
  }
  std::optional<OrderTracker::Hit> hit;
  if (!e.exch_cl_ord_id.empty()) hit = tracker_.ByExch(e.exch_cl_ord_id);
  if (!hit) hit = tracker_.ByBroker(e.session, e.cl_ord_id);
  if (hit) Complete(hit->order, row);
}

// ---- ReplayTrail -----------------------------------------------------------

Result<TrailStats> ReplayTrail(
    const store::Journal& journal, const TrailFilter& filter,
    const std::function<void(const TrailRow&)>& emit) {
  // --order: a first pass learns every order's chain (only the entries that
  // create or extend one), so that the second pass knows the order's
  // number from its first entry on, whichever link of the chain was named.
  std::set<uint64_t> orders;
  size_t keep = TrailBuilder::kKeepFinished;
  if (filter.order_id) {
    keep = SIZE_MAX;  // nothing forgotten: numbers match the first pass
    TrailBuilder learner(keep);
    Status st = journal.ForEach(0, [&](const store::JournalEntry& e) {
      if (e.kind == "NewOrderAccepted" || e.kind == "CancelReplaceForwarded" ||
          e.kind == "KillSwitchChanged" ||
          e.kind == "OperatorCancelRequested" ||
          e.kind == "MassCancelRequested" ||
          e.kind == "CancelOnDisconnectFired") {
        static_cast<void>(learner.Build(e));
      }
      return true;
    });
    if (!st.ok()) return st;
    for (uint64_t n : learner.tracker().OrdersWithId(
             *filter.order_id, filter.session.value_or(""))) {
      orders.insert(n);
    }
  }

  TrailBuilder builder(keep);
  TrailStats stats;
  const bool scoped = filter.order_id || filter.account || filter.symbol ||
                      filter.session || filter.venue;
  Status st = journal.ForEach(0, [&](const store::JournalEntry& e) {
    ++stats.entries;
    TrailRow row = builder.Build(e);
    if (filter.account && !row.account.empty()) {
      stats.accounts.insert(row.account);
    }
    if (filter.symbol && !row.symbol.empty()) stats.symbols.insert(row.symbol);
    if (filter.session && !row.session.empty()) {
      stats.sessions.insert(row.session);
    }
    if (filter.venue && !row.venue.empty()) stats.venues.insert(row.venue);
    if (filter.order_id && !stats.order_seen) {
      const std::string& id = *filter.order_id;
      stats.order_seen = orders.contains(builder.last_order()) ||
                         row.cl_ord_id == id || row.orig_cl_ord_id == id ||
                         row.exch_cl_ord_id == id;
    }
    if (filter.from && row.time < *filter.from) return true;
    if (filter.to && row.time > *filter.to) return true;
    if (filter.account && row.account != *filter.account) return true;
    if (filter.symbol && row.symbol != *filter.symbol) return true;
    if (filter.session && !SessionMatches(row.session, *filter.session)) {
      return true;
    }
    if (filter.venue && row.venue != *filter.venue) return true;
    if (filter.order_id) {
      const std::string& id = *filter.order_id;
      const bool named = row.cl_ord_id == id || row.orig_cl_ord_id == id ||
                         row.exch_cl_ord_id == id;
      if (!orders.contains(builder.last_order()) && !named) return true;
    }
    if (scoped && row.direction == Direction::kInternal &&
        row.session.empty() && row.account.empty() && row.venue.empty()) {
      return true;  // gateway-wide events belong to no order or account
    }
    ++stats.rows;
    emit(row);
    return true;
  });
  if (!st.ok()) return st;
  stats.unknown_kinds = builder.unknown_kinds();
  stats.unreadable = builder.unreadable();
  stats.first_problem = builder.first_problem();
  return stats;
}

}  // namespace fixgw::replay
