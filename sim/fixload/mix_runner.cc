// The mixed-flow loop of fixload; see mix_runner.h.
#include "sim/fixload/mix_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <thread>

#include "gateway/core/clock.h"

namespace fixgw::load {
namespace {

constexpr int kAccount = 1;
constexpr int kClOrdId = 11;
constexpr int kCumQty = 14;
constexpr int kMsgSeqNum = 34;
constexpr int kMsgType = 35;
constexpr int kOrderQty = 38;
constexpr int kOrdStatus = 39;
constexpr int kOrdType = 40;
constexpr int kOrigClOrdId = 41;
constexpr int kPossDupFlag = 43;
constexpr int kPrice = 44;
constexpr int kRefSeqNum = 45;
constexpr int kSide = 54;
constexpr int kSymbol = 55;
constexpr int kTimeInForce = 59;
constexpr int kTransactTime = 60;
constexpr int kExecType = 150;
constexpr int kCxlRejReason = 102;
constexpr int kBusinessRejectRefId = 379;

std::string Get(const FIX::FieldMap& map, int tag) {
  return map.isSetField(tag) ? map.getField(tag) : std::string();
}

std::optional<int> ToInt(const std::string& text) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size())
    return std::nullopt;
  return v;
}

std::optional<char> OneChar(const std::string& text) {
  if (text.size() != 1) return std::nullopt;
  return text[0];
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

MixRequest MixFlow::Next() {
  std::lock_guard lock(mu_);
  return planner_.Next(std::chrono::steady_clock::now());
}

void MixFlow::Unsent(const std::string& cl_ord_id) {
  std::lock_guard lock(mu_);
  planner_.Unsent(cl_ord_id);
}

size_t MixFlow::Expire(std::chrono::milliseconds timeout) {
  std::lock_guard lock(mu_);
  return planner_.Expire(std::chrono::steady_clock::now(), timeout);
}

size_t MixFlow::outstanding() const {
  std::lock_guard lock(mu_);
  return planner_.outstanding();
}

MixCounts MixFlow::counts() const {
  std::lock_guard lock(mu_);
  return planner_.counts();
}

std::optional<SteadyTime> MixFlow::last_inbound() const {
  std::lock_guard lock(mu_);
  return last_inbound_;
}

void MixFlow::OnInbound(const FIX::Message& message, SteadyTime received) {
  MixAnswer a;
  a.msg_type = Get(message.getHeader(), kMsgType);
  if (a.msg_type == "5") return;
  a.cl_ord_id = Get(message, kClOrdId);
  a.orig_cl_ord_id = Get(message, kOrigClOrdId);
  a.exec_type = OneChar(Get(message, kExecType));
  a.ord_status = OneChar(Get(message, kOrdStatus));
  if (Result<Qty> cum = ParseQty(Get(message, kCumQty)); cum.ok()) {
    a.cum_qty = *cum;
  }
  a.ref_seq_num = ToInt(Get(message, kRefSeqNum));
  a.business_ref_id = Get(message, kBusinessRejectRefId);
  a.cxl_rej_reason = ToInt(Get(message, kCxlRejReason));
  std::lock_guard lock(mu_);
  last_inbound_ = received;
  planner_.OnAnswer(a);
}

void MixFlow::OnOutbound(const FIX::Message& message) {
  if (Get(message.getHeader(), kPossDupFlag) == "Y") return;  // a resend
  std::optional<int> seq = ToInt(Get(message.getHeader(), kMsgSeqNum));
  if (!seq) return;
  std::lock_guard lock(mu_);
  planner_.SentWithSeq(Get(message, kClOrdId), *seq);
}

double MixReport::orders_per_s() const {
  return send_s > 0 ? static_cast<double>(counts.new_sent) / send_s : 0;
}

FIX::Message BuildMixMessage(const MixRequest& r,
                             const std::string& transact_time) {
  FIX::Message m;
  const char* type = r.kind == RequestKind::kNew      ? "D"
                     : r.kind == RequestKind::kCancel ? "F"
                                                      : "G";
  m.getHeader().setField(kMsgType, type);
  m.setField(kClOrdId, r.cl_ord_id);
  if (r.kind != RequestKind::kNew) m.setField(kOrigClOrdId, r.orig_cl_ord_id);
  if (!r.account.empty()) m.setField(kAccount, r.account);
  m.setField(kSymbol, r.symbol);
  m.setField(kSide, std::string(1, ToFix(r.side)));
  m.setField(kTransactTime, transact_time);
  m.setField(kOrderQty, FormatQty(r.qty));
  if (r.kind != RequestKind::kCancel) {
    m.setField(kOrdType, "2");
    m.setField(kPrice, FormatPrice(r.price));
    m.setField(kTimeInForce, std::string(1, ToFix(r.tif)));
  }
  return m;
}

MixReport RunMix(Client& client, MixFlow& flow, const MixRunOptions& options,
                 const std::atomic<bool>& stop, std::ostream& err) {
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / options.rate));
  const SteadyTime start = Clock::now();
  const SteadyTime end_sending = start + options.duration;
  SteadyTime due = start;
  bool was_up = true;
  while (!stop.load()) {
    SteadyTime now = Clock::now();
    if (now >= end_sending) break;
    if (options.max_orders && flow.counts().new_sent >= *options.max_orders) {
      break;
    }
    flow.Expire(options.request_timeout);
    if (!client.LoggedOn()) {
      if (was_up) err << "fixload: session down, waiting for it\n";
      was_up = false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    if (!was_up) {
      was_up = true;
      due = now;  // no burst to catch up on the time spent down
    }
    if (flow.outstanding() >= options.max_in_flight) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      due = std::max(due, Clock::now() - interval);
      continue;
    }
    if (now < due) {
      std::this_thread::sleep_until(
          std::min<SteadyTime>(due, now + std::chrono::milliseconds(20)));
      continue;
    }
    due += interval;
    if (due < now - std::chrono::milliseconds(100)) due = now;
    MixRequest request = flow.Next();
    FIX::Message message = BuildMixMessage(request, FormatFixTimestamp(Now()));
    if (!client.Send(message)) flow.Unsent(request.cl_ord_id);
  }
  const SteadyTime sending_done = Clock::now();

  // Drain: answers to what is outstanding, resends, trailing fills.
  const SteadyTime give_up = sending_done + options.drain_timeout;
  bool drained = false;
  while (true) {
    SteadyTime now = Clock::now();
    flow.Expire(options.request_timeout);
    std::optional<SteadyTime> last = flow.last_inbound();
    SteadyTime quiet_since =
        std::max(sending_done, last.value_or(sending_done));
    if (client.LoggedOn() && flow.outstanding() == 0 &&
        now - quiet_since >= options.settle) {
      drained = true;
      break;
    }
    if (now >= give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  MixReport report;
  report.counts = flow.counts();
  report.unanswered = flow.outstanding();
  report.send_s = Seconds(sending_done - start);
  report.elapsed_s = Seconds(Clock::now() - start);
  report.drained = drained;
  if (!drained) {
    err << fmt::format(
        "fixload: drain not complete after {} ms: {}, {} request(s) "
        "unanswered\n",
        options.drain_timeout.count(),
        client.LoggedOn() ? "logged on" : "session down", report.unanswered);
  }
  return report;
}

std::string FormatMixJson(const MixReport& r) {
  const MixCounts& c = r.counts;
  return fmt::format(
      "{{\"mode\":\"mix\",\"orders\":{},\"cancels\":{},\"replaces\":{},"
      "\"answered\":{},\"rejected\":{},\"fills\":{},\"timed_out\":{},"
      "\"late_answers\":{},\"unanswered\":{},\"send_s\":{:.3f},"
      "\"elapsed_s\":{:.3f},\"orders_per_s\":{:.1f},\"drained\":{}}}",
      c.new_sent, c.cancels_sent, c.replaces_sent, c.answered, c.rejected,
      c.fills, c.timed_out, c.late_answers, r.unanswered, r.send_s, r.elapsed_s,
      r.orders_per_s(), r.drained ? "true" : "false");
}

std::string FormatMixHuman(const MixReport& r) {
  const MixCounts& c = r.counts;
  std::string out;
  out += fmt::format("mode         mixed flow (orders, cancels, replaces)\n");
  out += fmt::format("requests     {} orders, {} cancels, {} replaces\n",
                     c.new_sent, c.cancels_sent, c.replaces_sent);
  out += fmt::format(
      "answers      {} answered ({} rejects), {} unanswered, {} timed out "
      "({} answered late); {} fills\n",
      c.answered, c.rejected, r.unanswered, c.timed_out, c.late_answers,
      c.fills);
  out += fmt::format("elapsed      {:.3f} s sending, {:.3f} s in all{}\n",
                     r.send_s, r.elapsed_s, r.drained ? "" : " (not drained)");
  out += fmt::format("throughput   {:.0f} orders/s\n", r.orders_per_s());
  return out;
}

}  // namespace fixgw::load
