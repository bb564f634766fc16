#include "gateway/fixgw/metrics.h"

#include <fmt/format.h>

#include <optional>

namespace fixgw::gw {
namespace {

// The risk checks' Texts start with these (risk/risk_engine.cc); checked in
// order, so "short sell" comes before anything shorter it could match.
constexpr std::pair<std::string_view, std::string_view> kRiskPrefixes[] = {
    {"kill switch", "kill_switch"},
    {"entitlement", "entitlement"},
    {"throttle", "throttle"},
    {"unknown symbol", "symbol"},
    {"symbol ", "symbol"},
    {"order quantity", "quantity"},
    {"order notional", "notional"},
    {"open orders", "open_orders"},
    {"short sell", "short_sale"},
    {"short sale", "short_sale"},
    {"position limit", "position"},
    {"buying power", "buying_power"},
    {"gateway is shutting down", "shutting_down"},
    {"exchange is not answering", "exchange_not_answering"},
};

std::string_view OrdRejReasonLabel(OrdRejReason r) {
  switch (r) {
    case OrdRejReason::kBrokerOption: return "broker_option";
    case OrdRejReason::kUnknownSymbol: return "unknown_symbol";
    case OrdRejReason::kExchangeClosed: return "exchange_closed";
    case OrdRejReason::kOrderExceedsLimit: return "order_exceeds_limit";
    case OrdRejReason::kUnknownOrder: return "unknown_order";
    case OrdRejReason::kDuplicateOrder: return "duplicate_order";
    case OrdRejReason::kUnsupportedOrderCharacteristic:
      return "unsupported_order_characteristic";
    case OrdRejReason::kIncorrectQuantity: return "incorrect_quantity";
    case OrdRejReason::kOther: return "other";
  }
  return "other";
}

// The risk check (or gateway condition) a refusal's Text names, if any.
std::optional<std::string_view> TextLabel(std::string_view text) {
  if (text.starts_with("price ") &&
      text.find(" outside collar ") != std::string_view::npos) {
    return "collar";
  }
  for (const auto& [prefix, label] : kRiskPrefixes) {
    if (text.starts_with(prefix)) return label;
  }
  return std::nullopt;
}

std::string_view DirectionLabel(GatewayMetrics::Direction d) {
  return d == GatewayMetrics::Direction::kIn ? "in" : "out";
}

constexpr std::array<std::string_view, 3> kPathLabels = {
    "broker_to_exchange", "exchange_to_broker", "gateway_answer"};

}  // namespace

std::string EscapeLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatMicros(int64_t micros) {
  const bool negative = micros < 0;
  // Negate in unsigned arithmetic: INT64_MIN has no positive counterpart.
  uint64_t abs = negative ? 0 - static_cast<uint64_t>(micros)
                          : static_cast<uint64_t>(micros);
  std::string out = fmt::format("{}{}", negative ? "-" : "", abs / 1'000'000);
  uint64_t frac = abs % 1'000'000;
  if (frac == 0) return out;
  std::string digits = fmt::format("{:06}", frac);
  while (digits.back() == '0') digits.pop_back();
  return out + "." + digits;
}

void PromWriter::Family(std::string_view name, std::string_view type,
                        std::string_view help) {
  out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void PromWriter::Sample(std::string_view name, const Labels& labels,
                        std::string_view value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) out_ += ',';
      out_ += fmt::format("{}=\"{}\"", labels[i].first,
                          EscapeLabel(labels[i].second));
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += value;
  out_ += '\n';
}

void PromWriter::Sample(std::string_view name, const Labels& labels,
                        int64_t value) {
  Sample(name, labels, std::string_view(std::to_string(value)));
}

void PromWriter::Sample(std::string_view name, const Labels& labels,
                        uint64_t value) {
  Sample(name, labels, std::string_view(std::to_string(value)));
}

void LatencyHistogram::Observe(std::chrono::nanoseconds d) {
  const int64_t nanos = std::max<int64_t>(d.count(), 0);
  const int64_t micros = nanos / 1000;
  for (size_t i = 0; i < kBoundsMicros.size(); ++i) {
    if (micros <= kBoundsMicros[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  sum_nanos_.fetch_add(nanos, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void LatencyHistogram::Write(PromWriter& w, std::string_view name,
                             const Labels& labels) const {
  // Read the count first: a concurrent Observe may then show in a bucket
  // but not yet in the count, never the reverse beyond +Inf.
  const uint64_t count = count_.load(std::memory_order_relaxed);
  uint64_t cumulative = 0;
  const std::string bucket = std::string(name) + "_bucket";
  for (size_t i = 0; i < kBoundsMicros.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    Labels l = labels;
    l.emplace_back("le", FormatMicros(kBoundsMicros[i]));
    w.Sample(bucket, l, std::min(cumulative, count));
  }
  Labels inf = labels;
  inf.emplace_back("le", "+Inf");
  w.Sample(bucket, inf, count);
  w.Sample(std::string(name) + "_sum", labels,
           std::string_view(FormatMicros(
               sum_nanos_.load(std::memory_order_relaxed) / 1000)));
  w.Sample(std::string(name) + "_count", labels, count);
}

std::string RejectReasonLabel(const Rejection& r) {
  if (auto label = TextLabel(r.text)) return std::string(*label);
  return std::string(OrdRejReasonLabel(r.reason));
}

std::string CancelRejectReasonLabel(const CancelReject& r) {
  if (auto label = TextLabel(r.text)) return std::string(*label);
  switch (r.reason) {
    case CxlRejReason::kTooLateToCancel: return "too_late_to_cancel";
    case CxlRejReason::kUnknownOrder: return "unknown_order";
    case CxlRejReason::kBrokerOption: return "broker_option";
    case CxlRejReason::kAlreadyPending: return "already_pending";
    case CxlRejReason::kDuplicateClOrdId: return "duplicate_cl_ord_id";
    case CxlRejReason::kOther: return "other";
  }
  return "other";
}

void GatewayMetrics::CountMessage(const std::string& session, Direction d,
                                  const std::string& msg_type) {
  std::lock_guard lock(mu_);
  ++messages_[{session, d, msg_type}];
}

void GatewayMetrics::SetLoggedOn(const std::string& session,
                                 bool logged_on) {
  std::lock_guard lock(mu_);
  logged_on_[session] = logged_on;
}

bool GatewayMetrics::logged_on(const std::string& session) const {
  std::lock_guard lock(mu_);
  auto it = logged_on_.find(session);
  return it != logged_on_.end() && it->second;
}

void GatewayMetrics::CountOrderAccepted() {
  accepted_.fetch_add(1, std::memory_order_relaxed);
}

void GatewayMetrics::CountOrderRejected(const std::string& reason) {
  std::lock_guard lock(mu_);
  ++rejected_[reason];
}

void GatewayMetrics::CountCancelReplaceRejected(const std::string& reason) {
  std::lock_guard lock(mu_);
  ++cxl_rejected_[reason];
}

void GatewayMetrics::CountFill() {
  fills_.fetch_add(1, std::memory_order_relaxed);
}

void GatewayMetrics::CountDenial(const std::string& reason) {
  std::lock_guard lock(mu_);
  ++denials_[reason];
}

std::map<std::string, uint64_t> GatewayMetrics::denials() const {
  std::lock_guard lock(mu_);
  return denials_;
}

void GatewayMetrics::ObservePath(Path p, std::chrono::nanoseconds d) {
  paths_[static_cast<size_t>(p)].Observe(d);
}

void GatewayMetrics::ObserveCommit(std::chrono::nanoseconds d,
                                   size_t entries) {
  commits_.Observe(d);
  commit_entries_.fetch_add(entries, std::memory_order_relaxed);
}

void GatewayMetrics::CountExchangeTestRequest() {
  exchange_test_requests_.fetch_add(1, std::memory_order_relaxed);
}

std::pair<uint64_t, uint64_t> GatewayMetrics::SessionTotals(
    const std::string& session) const {
  std::lock_guard lock(mu_);
  uint64_t in = 0;
  uint64_t out = 0;
  for (auto it = messages_.lower_bound({session, Direction::kIn, ""});
       it != messages_.end() && std::get<0>(it->first) == session; ++it) {
    (std::get<1>(it->first) == Direction::kIn ? in : out) += it->second;
  }
  return {in, out};
}

uint64_t GatewayMetrics::path_count(Path p) const {
  return paths_[static_cast<size_t>(p)].count();
}

void GatewayMetrics::Write(PromWriter& w) const {
  std::lock_guard lock(mu_);
  w.Family("fixgw_messages_total", "counter",
           "FIX messages received (in) and sent (out) per session and "
           "MsgType, session-level included");
  for (const auto& [key, n] : messages_) {
    const auto& [session, direction, type] = key;
    w.Sample("fixgw_messages_total",
             {{"session", session},
              {"direction", std::string(DirectionLabel(direction))},
              {"msg_type", type}},
             n);
  }
  w.Family("fixgw_orders_accepted_total", "counter",
           "NewOrderSingles accepted and forwarded to the exchange");
  w.Sample("fixgw_orders_accepted_total", {}, accepted_.load());
  w.Family("fixgw_orders_rejected_total", "counter",
           "NewOrderSingles refused by the gateway, by reason");
  for (const auto& [reason, n] : rejected_) {
    w.Sample("fixgw_orders_rejected_total", {{"reason", reason}}, n);
  }
  w.Family("fixgw_cancel_replace_rejected_total", "counter",
           "cancel and cancel/replace requests refused by the gateway, by "
           "reason");
  for (const auto& [reason, n] : cxl_rejected_) {
    w.Sample("fixgw_cancel_replace_rejected_total", {{"reason", reason}}, n);
  }
  w.Family("fixgw_fills_total", "counter",
           "executions (partial and full fills) reported by the exchange");
  w.Sample("fixgw_fills_total", {}, fills_.load());
  w.Family("fixgw_denials_total", "counter",
           "logons, certificates and requests denied, by reason");
  for (const auto& [reason, n] : denials_) {
    w.Sample("fixgw_denials_total", {{"reason", reason}}, n);
  }
  w.Family("fixgw_order_path_seconds", "histogram",
           "time from a message's arrival at the gateway to the send of what "
           "it caused");
  for (size_t i = 0; i < paths_.size(); ++i) {
    paths_[i].Write(w, "fixgw_order_path_seconds",
                    {{"path", std::string(kPathLabels[i])}});
  }
  w.Family("fixgw_journal_commit_seconds", "histogram",
           "duration of one journal transaction (group commit)");
  commits_.Write(w, "fixgw_journal_commit_seconds", {});
  w.Family("fixgw_journal_entries_total", "counter",
           "journal entries committed by this process");
  w.Sample("fixgw_journal_entries_total", {}, commit_entries_.load());
  w.Family("fixgw_exchange_test_requests_total", "counter",
           "TestRequests the gateway sent to an exchange that had been "
           "silent for ExchangeSilenceSeconds");
  w.Sample("fixgw_exchange_test_requests_total", {},
           exchange_test_requests_.load());
}

}  // namespace fixgw::gw
