// Order tracking and the open/closed load loops; see load_runner.h for the
// latency definitions and threads.
#include "sim/fixload/load_runner.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <ostream>
#include <thread>

#include "gateway/core/clock.h"

namespace fixgw::load {
namespace {

constexpr int kAccount = 1;
constexpr int kClOrdId = 11;
constexpr int kMsgSeqNum = 34;
constexpr int kMsgType = 35;
constexpr int kOrderQty = 38;
constexpr int kOrdType = 40;
constexpr int kPrice = 44;
constexpr int kRefSeqNum = 45;
constexpr int kSide = 54;
constexpr int kSymbol = 55;
constexpr int kText = 58;
constexpr int kTimeInForce = 59;
constexpr int kTransactTime = 60;
constexpr int kExecType = 150;
constexpr int kRefMsgType = 372;
constexpr int kBusinessRejectRefId = 379;

constexpr std::chrono::milliseconds kSlice(50);

std::string Get(const FIX::FieldMap& map, int tag) {
  return map.isSetField(tag) ? map.getField(tag) : std::string();
}

bool SleepUntil(SteadyTime deadline, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return true;
    std::this_thread::sleep_until(std::min<SteadyTime>(deadline, now + kSlice));
  }
  return false;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

OrderTracker::OrderTracker(std::string id_prefix, uint64_t orders)
    : prefix_(std::move(id_prefix) + "-"),
      orders_(orders),
      origin_(orders),
      state_(orders, OrderState::kUnsent) {
  latencies_ns_.reserve(orders);
}

std::string OrderTracker::ClOrdId(uint64_t index) const {
  return prefix_ + std::to_string(index);
}

std::optional<uint64_t> OrderTracker::IndexOf(
    const std::string& cl_ord_id) const {
  if (cl_ord_id.size() <= prefix_.size() ||
      cl_ord_id.compare(0, prefix_.size(), prefix_) != 0) {
    return std::nullopt;
  }
  const char* first = cl_ord_id.data() + prefix_.size();
  const char* last = cl_ord_id.data() + cl_ord_id.size();
  uint64_t index = 0;
  auto [ptr, ec] = std::from_chars(first, last, index);
  if (ec != std::errc() || ptr != last || index >= orders_) {
    return std::nullopt;
  }
  return index;
}

std::optional<uint64_t> OrderTracker::ClaimNext() {
  std::lock_guard lock(mu_);
  if (next_ >= orders_) return std::nullopt;
  return next_++;
}

void OrderTracker::RecordSend(uint64_t index, SteadyTime latency_origin) {
  std::lock_guard lock(mu_);
  origin_[index] = latency_origin;
  state_[index] = OrderState::kSent;
  ++totals_.sent;
}

void OrderTracker::CancelSend(uint64_t index) {
  std::lock_guard lock(mu_);
  if (state_[index] != OrderState::kSent) return;
  state_[index] = OrderState::kUnsent;
  --totals_.sent;
}

void OrderTracker::EnableRefill(std::function<void(uint64_t)> send) {
  // Written before any send; the socket thread reads it only after seeing
  // refill_enabled_ under mu_.
  refill_ = std::move(send);
  std::lock_guard lock(mu_);
  refill_enabled_ = true;
}

void OrderTracker::DisableRefill() {
  std::lock_guard lock(mu_);
  refill_enabled_ = false;
}

std::optional<uint64_t> OrderTracker::FirstReportLocked(uint64_t index,
                                                        bool reject,
                                                        SteadyTime received) {
  if (state_[index] != OrderState::kSent) return std::nullopt;  // not first
  state_[index] = reject ? OrderState::kRejected : OrderState::kAcked;
  ++(reject ? totals_.rejected : totals_.acked);
  latencies_ns_.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(
                              received - origin_[index])
                              .count());
  totals_.last_report = received;
  // Wake the waiter only when it is done: a wake-up per report would cost
  // a context switch in the measured path. It notices stalls, stop and a
  // lost session by polling.
  if (next_ >= orders_ && totals_.acked + totals_.rejected == totals_.sent) {
    cv_.notify_all();
  }
  if (!refill_enabled_ || next_ >= orders_) return std::nullopt;
  return next_++;
}

void OrderTracker::FirstReport(uint64_t index, bool reject,
                               SteadyTime received) {
  std::optional<uint64_t> next;
  {
    std::lock_guard lock(mu_);
    next = FirstReportLocked(index, reject, received);
  }
  if (next) refill_(*next);
}

void OrderTracker::OnInbound(const FIX::Message& message, SteadyTime received) {
  std::string type = Get(message.getHeader(), kMsgType);
  if ((type == "8" && Get(message, kExecType) == "8") || type == "j" ||
      type == "3") {
    // Why the first refusal came: said when every order is refused.
    std::lock_guard lock(mu_);
    if (totals_.first_reject_text.empty()) {
      const std::string text = Get(message, kText);
      totals_.first_reject_text =
          "MsgType " + type + ": " + (text.empty() ? "(no Text)" : text);
    }
  }
  if (type == "8") {
    std::string exec_type = Get(message, kExecType);
    std::optional<uint64_t> index = IndexOf(Get(message, kClOrdId));
    if (exec_type == "F") {
      std::lock_guard lock(mu_);
      ++totals_.trades;
    }
    if (index) FirstReport(*index, exec_type == "8", received);
  } else if (type == "j") {
    if (Get(message, kRefMsgType) != "D") return;
    std::optional<uint64_t> index = IndexOf(Get(message, kBusinessRejectRefId));
    if (index) FirstReport(*index, /*reject=*/true, received);
  } else if (type == "3") {
    int seq = 0;
    std::string ref = Get(message, kRefSeqNum);
    auto [ptr, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), seq);
    if (ec != std::errc() || ptr != ref.data() + ref.size()) return;
    std::optional<uint64_t> index;
    {
      std::lock_guard lock(mu_);
      auto it = index_by_seq_.find(seq);
      if (it != index_by_seq_.end()) index = it->second;
    }
    if (index) FirstReport(*index, /*reject=*/true, received);
  }
}

void OrderTracker::OnOutbound(const FIX::Message& message) {
  if (Get(message.getHeader(), kMsgType) != "D") return;
  std::optional<uint64_t> index = IndexOf(Get(message, kClOrdId));
  std::string seq_text = Get(message.getHeader(), kMsgSeqNum);
  int seq = 0;
  auto [ptr, ec] =
      std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), seq);
  if (!index || ec != std::errc()) return;
  std::lock_guard lock(mu_);
  index_by_seq_[seq] = *index;
}

bool OrderTracker::WaitReported(bool all_claimed,
                                std::chrono::milliseconds stall_timeout,
                                std::optional<SteadyTime> deadline,
                                const Client& client,
                                const std::atomic<bool>& stop) {
  SteadyTime wait_start = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  while (true) {
    bool claimed = !all_claimed || next_ >= orders_;
    if (claimed && totals_.acked + totals_.rejected == totals_.sent) {
      return true;
    }
    if (stop.load() || !client.LoggedOn()) return false;
    SteadyTime progress =
        std::max(wait_start, totals_.last_report.value_or(wait_start));
    SteadyTime give_up = progress + stall_timeout;
    if (deadline) give_up = std::min(give_up, *deadline);
    SteadyTime now = std::chrono::steady_clock::now();
    if (now >= give_up) return false;
    cv_.wait_until(lock, std::min<SteadyTime>(give_up, now + kSlice));
  }
}

OrderTracker::Totals OrderTracker::totals() const {
  std::lock_guard lock(mu_);
  return totals_;
}

std::vector<int64_t> OrderTracker::TakeLatencies() {
  std::lock_guard lock(mu_);
  return std::move(latencies_ns_);
}

namespace {

// Builds and sends one order; everything it refers to outlives the
// Client's threads.
class OrderSender {
 public:
  OrderSender(const LoadOptions& options, Client* client, OrderTracker* tracker)
      : symbol_(options.symbol),
        account_(options.account),
        price_(FormatPrice(options.price)),
        qty_(FormatQty(options.qty)),
        client_(client),
        tracker_(tracker) {}

  // Sends order `index`; `origin` is its latency origin, or nullopt for
  // "now, just before sending". False if the session is down.
  bool Send(uint64_t index, std::optional<SteadyTime> origin) const {
    FIX::Message order;
    order.getHeader().setField(kMsgType, "D");
    order.setField(kClOrdId, tracker_->ClOrdId(index));
    if (!account_.empty()) order.setField(kAccount, account_);
    order.setField(kSymbol, symbol_);
    order.setField(kSide, index % 2 == 0 ? "1" : "2");
    order.setField(kTransactTime, FormatFixTimestamp(Now()));
    order.setField(kOrderQty, qty_);
    order.setField(kOrdType, "2");
    order.setField(kPrice, price_);
    order.setField(kTimeInForce, "0");
    tracker_->RecordSend(index,
                         origin.value_or(std::chrono::steady_clock::now()));
    if (client_->Send(order)) return true;
    tracker_->CancelSend(index);
    return false;
  }

 private:
  const std::string symbol_;
  const std::string account_;
  const std::string price_;
  const std::string qty_;
  Client* const client_;
  OrderTracker* const tracker_;
};

}  // namespace

LoadReport RunLoad(Client& client, OrderTracker& tracker,
                   const LoadOptions& options, const std::atomic<bool>& stop,
                   std::ostream& err) {
  LoadReport report;
  report.open_loop = options.rate.has_value();
  report.requested = options.orders;
  report.rate = options.rate.value_or(0);
  report.in_flight = options.in_flight.value_or(0);

  auto sender = std::make_shared<const OrderSender>(options, &client, &tracker);
  bool drained = false;
  const SteadyTime start = std::chrono::steady_clock::now();
  if (report.open_loop) {
    for (std::optional<uint64_t> i = tracker.ClaimNext(); i;
         i = tracker.ClaimNext()) {
      // Intended send time; sending late does not move it.
      SteadyTime due =
          start + std::chrono::nanoseconds(std::llround(
                      static_cast<double>(*i) * 1e9 / *options.rate));
      if (!SleepUntil(due, stop)) break;
      if (!sender->Send(*i, due)) {
        err << "fixload: session lost after " << *i << " orders\n";
        break;
      }
    }
    drained = tracker.WaitReported(
        /*all_claimed=*/false, options.drain_timeout,
        std::chrono::steady_clock::now() + options.drain_timeout, client, stop);
  } else {
    tracker.EnableRefill([sender, &stop](uint64_t i) {
      if (!stop.load()) sender->Send(i, std::nullopt);
    });
    for (uint64_t k = 0; k < *options.in_flight && !stop.load(); ++k) {
      std::optional<uint64_t> i = tracker.ClaimNext();
      if (!i) break;
      if (!sender->Send(*i, std::nullopt)) break;
    }
    drained = tracker.WaitReported(/*all_claimed=*/true, options.drain_timeout,
                                   std::nullopt, client, stop);
    tracker.DisableRefill();
  }
  OrderTracker::Totals totals = tracker.totals();
  if (!drained && !stop.load()) {
    if (!client.LoggedOn()) {
      err << "fixload: session lost after " << totals.sent << " orders\n";
    } else {
      err << "fixload: --drain-timeout (" << options.drain_timeout.count()
          << " ms) expired with "
          << totals.sent - totals.acked - totals.rejected
          << " orders unanswered\n";
    }
  }
  SteadyTime end = drained && totals.last_report
                       ? *totals.last_report
                       : std::chrono::steady_clock::now();

  report.sent = totals.sent;
  report.acked = totals.acked;
  report.rejected = totals.rejected;
  report.first_reject_text = totals.first_reject_text;
  report.missing = totals.sent - totals.acked - totals.rejected;
  report.trades = totals.trades;
  report.elapsed_s = Seconds(end - start);
  report.interrupted = stop.load() || !client.LoggedOn();
  report.latency = Summarize(tracker.TakeLatencies());
  return report;
}

}  // namespace fixgw::load
