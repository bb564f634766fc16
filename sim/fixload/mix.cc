// The mixed order flow's planner; see mix.h.
#include "sim/fixload/mix.h"

#include <algorithm>
#include <cassert>

namespace fixgw::load {
namespace {

bool IsTerminalStatus(char s) {
  std::optional<OrdStatus> status = OrdStatusFromFix(s);
  return status && IsTerminal(*status);
}

}  // namespace

Result<std::vector<MixInstrument>> ParseInstruments(std::string_view text) {
  std::vector<MixInstrument> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    size_t c1 = item.find(':');
    size_t c2 = c1 == std::string_view::npos ? c1 : item.find(':', c1 + 1);
    if (c2 == std::string_view::npos || c1 == 0) {
      return Status::InvalidArgument("instrument '" + std::string(item) +
                                     "': want SYMBOL:TICK:REFERENCE");
    }
    MixInstrument in;
    in.symbol = std::string(item.substr(0, c1));
    Result<Price> tick = ParsePrice(item.substr(c1 + 1, c2 - c1 - 1));
    Result<Price> reference = ParsePrice(item.substr(c2 + 1));
    if (!tick.ok() || tick->micros() <= 0) {
      return Status::InvalidArgument("instrument '" + std::string(item) +
                                     "': bad tick");
    }
    if (!reference.ok() || reference->micros() <= 0 ||
        reference->micros() % tick->micros() != 0) {
      return Status::InvalidArgument(
          "instrument '" + std::string(item) +
          "': bad reference price (not on the tick grid?)");
    }
    in.tick = *tick;
    in.reference = *reference;
    out.push_back(std::move(in));
    start = comma + 1;
  }
  return out;
}

MixPlanner::MixPlanner(MixOptions options)
    : options_(std::move(options)), rng_(options_.seed) {
  assert(!options_.instruments.empty());
  assert(options_.min_qty.units() > 0 && options_.max_qty >= options_.min_qty);
}

uint64_t MixPlanner::Draw(uint64_t n) {
  // Modulo bias is irrelevant here; the point is a fixed sequence per seed.
  return n == 0 ? 0 : rng_() % n;
}

Price MixPlanner::DrawPrice(const MixInstrument& instrument) {
  const int64_t span = 2 * options_.spread_ticks + 1;
  const int64_t ticks =
      static_cast<int64_t>(Draw(static_cast<uint64_t>(span))) -
      options_.spread_ticks;
  Price p = Price::FromMicros(instrument.reference.micros() +
                              ticks * instrument.tick.micros());
  return p.micros() > 0 ? p : instrument.tick;
}

Qty MixPlanner::DrawQty() {
  const int64_t lots = options_.max_qty.units() / options_.min_qty.units();
  return Qty(options_.min_qty.units() *
             (1 + static_cast<int64_t>(Draw(static_cast<uint64_t>(lots)))));
}

std::optional<uint64_t> MixPlanner::PickEligible() {
  std::vector<uint64_t> eligible;
  for (const auto& [key, o] : orders_) {
    if (o.acked && o.pending.empty() && o.tif == TimeInForce::kDay) {
      eligible.push_back(key);
    }
  }
  if (eligible.empty()) return std::nullopt;
  return eligible[Draw(eligible.size())];
}

MixPlanner::Order* MixPlanner::Find(const std::string& cl_ord_id,
                                    uint64_t* key) {
  auto it = order_of_.find(cl_ord_id);
  if (it == order_of_.end()) return nullptr;
  auto o = orders_.find(it->second);
  if (o == orders_.end()) return nullptr;
  *key = it->second;
  return &o->second;
}

void MixPlanner::EndOrder(uint64_t key) {
  auto it = orders_.find(key);
  if (it == orders_.end()) return;
  for (const std::string& id : it->second.ids) order_of_.erase(id);
  orders_.erase(it);
}

MixRequest MixPlanner::Next(MixTime now) {
  MixRequest r;
  r.account = options_.account;
  r.cl_ord_id = options_.id_prefix + "-" + std::to_string(next_id_++);

  const uint64_t total = uint64_t{options_.new_weight} +
                         options_.cancel_weight + options_.replace_weight;
  uint64_t roll = Draw(total == 0 ? 1 : total);
  std::optional<uint64_t> target;
  if (orders_.size() >= options_.max_live || roll >= options_.new_weight) {
    target = PickEligible();
  }
  if (target) {
    Order& o = orders_.at(*target);
    // At max_live the rolls for a new order become cancels too.
    const bool cancel = roll < options_.new_weight + options_.cancel_weight;
    r.kind = cancel ? RequestKind::kCancel : RequestKind::kReplace;
    r.orig_cl_ord_id = o.current;
    r.symbol = o.symbol;
    r.side = o.side;
    r.tif = o.tif;
    r.qty = o.qty;
    r.price = o.price;
    if (!cancel) {
      r.qty = DrawQty();
      const int64_t tick = o.instrument->tick.micros();
      int64_t move = 1 + static_cast<int64_t>(Draw(3));
      if (Draw(2) == 0) move = -move;
      const int64_t low =
          o.instrument->reference.micros() - options_.spread_ticks * tick;
      const int64_t high =
          o.instrument->reference.micros() + options_.spread_ticks * tick;
      int64_t price = std::clamp(o.price.micros() + move * tick, low, high);
      if (price <= 0) price = tick;
      r.price = Price::FromMicros(price);
    }
    o.pending = r.cl_ord_id;
    o.ids.push_back(r.cl_ord_id);
    order_of_[r.cl_ord_id] = *target;
    outstanding_[r.cl_ord_id] =
        Outstanding{r.kind, *target, now, r.qty, r.price};
    ++(cancel ? counts_.cancels_sent : counts_.replaces_sent);
    return r;
  }

  const MixInstrument& in =
      options_.instruments[Draw(options_.instruments.size())];
  r.kind = RequestKind::kNew;
  r.symbol = in.symbol;
  r.side = Draw(2) == 0 ? Side::kBuy : Side::kSell;
  r.qty = DrawQty();
  r.price = DrawPrice(in);
  r.tif =
      Draw(100) < options_.ioc_percent ? TimeInForce::kIoc : TimeInForce::kDay;
  const uint64_t key = next_order_++;
  Order o;
  o.current = r.cl_ord_id;
  o.symbol = r.symbol;
  o.side = r.side;
  o.qty = r.qty;
  o.price = r.price;
  o.instrument = &in;
  o.tif = r.tif;
  o.pending = r.cl_ord_id;
  o.ids.push_back(r.cl_ord_id);
  orders_.emplace(key, std::move(o));
  order_of_[r.cl_ord_id] = key;
  outstanding_[r.cl_ord_id] = Outstanding{r.kind, key, now, r.qty, r.price};
  ++counts_.new_sent;
  return r;
}

void MixPlanner::Unsent(const std::string& cl_ord_id) {
  auto it = outstanding_.find(cl_ord_id);
  if (it == outstanding_.end()) return;
  const Outstanding req = it->second;
  outstanding_.erase(it);
  switch (req.kind) {
    case RequestKind::kNew:
      --counts_.new_sent;
      EndOrder(req.order);
      break;
    case RequestKind::kCancel:
    case RequestKind::kReplace: {
      --(req.kind == RequestKind::kCancel ? counts_.cancels_sent
                                          : counts_.replaces_sent);
      auto o = orders_.find(req.order);
      if (o != orders_.end()) {
        o->second.pending.clear();
        std::erase(o->second.ids, cl_ord_id);
      }
      order_of_.erase(cl_ord_id);
      break;
    }
  }
}

void MixPlanner::SentWithSeq(const std::string& cl_ord_id, int seq) {
  if (outstanding_.contains(cl_ord_id)) id_by_seq_[seq] = cl_ord_id;
}

void MixPlanner::OnAnswer(const MixAnswer& a) {
  std::string id = a.cl_ord_id;
  bool reject = false;
  if (a.msg_type == "3") {
    if (!a.ref_seq_num) return;
    auto it = id_by_seq_.find(*a.ref_seq_num);
    if (it == id_by_seq_.end()) return;
    id = it->second;
    reject = true;
  } else if (a.msg_type == "j") {
    id = a.business_ref_id;
    reject = true;
  } else if (a.msg_type == "9") {
    reject = true;
  } else if (a.msg_type == "8") {
    reject = a.exec_type == '8';
    if (a.exec_type == 'F') ++counts_.fills;
  } else {
    return;
  }

  // The first answer to one of our requests.
  auto out = outstanding_.find(id);
  std::optional<Outstanding> request;
  if (out != outstanding_.end()) {
    request = out->second;
    outstanding_.erase(out);
    ++counts_.answered;
    if (reject) ++counts_.rejected;
  } else if (expired_.erase(id) > 0) {
    ++counts_.late_answers;
  }

  uint64_t key = 0;
  Order* o = Find(id, &key);
  if (o == nullptr && !a.orig_cl_ord_id.empty()) {
    o = Find(a.orig_cl_ord_id, &key);
  }
  if (o == nullptr) return;
  if (request && o->pending == id) o->pending.clear();

  if (a.msg_type == "3" || a.msg_type == "j") {
    // The request never reached the order: a new order does not exist.
    if (request && request->kind == RequestKind::kNew) EndOrder(key);
    return;
  }
  if (request && request->kind == RequestKind::kNew) o->acked = true;
  if (a.msg_type == "8" && a.exec_type == '5' && request &&
      request->kind == RequestKind::kReplace) {
    o->current = id;
    o->qty = request->qty;
    o->price = request->price;
  }
  if (a.ord_status && IsTerminalStatus(*a.ord_status)) {
    // A cancel reject carries the order's status too; a Rejected one
    // there means the order is unknown or gone.
    EndOrder(key);
  } else if (a.msg_type == "9" && a.cxl_rej_reason == 1) {
    EndOrder(key);  // unknown where it lives: nothing left to manage
  }
}

size_t MixPlanner::Expire(MixTime now, std::chrono::milliseconds timeout) {
  size_t n = 0;
  for (auto it = outstanding_.begin(); it != outstanding_.end();) {
    if (now - it->second.since < timeout) {
      ++it;
      continue;
    }
    EndOrder(it->second.order);
    expired_.insert(it->first);
    it = outstanding_.erase(it);
    ++counts_.timed_out;
    ++n;
  }
  return n;
}

}  // namespace fixgw::load
