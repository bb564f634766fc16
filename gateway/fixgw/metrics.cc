#include "gateway/fixgw/metrics.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "gateway/core/path.h"

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

int64_t UtilisationMicros(Notional limit, Notional available) {
  if (limit.micros() <= 0) return 0;
  const uint64_t den = static_cast<uint64_t>(limit.micros());
  // used = limit - available, in unsigned arithmetic (available may be
  // negative, or above the limit after sells).
  const bool negative = available.micros() > limit.micros();
  const uint64_t used =
      negative ? static_cast<uint64_t>(available.micros()) - den
               : den - static_cast<uint64_t>(available.micros());
  // Long division digit by digit: no overflow for any int64 amounts.
  uint64_t whole = used / den;
  uint64_t rest = used % den;
  int64_t micros = 0;
  for (int i = 0; i < 6; ++i) {
    // rest < den <= INT64_MAX, so rest * 10 fits in uint64.
    rest *= 10;
    micros = micros * 10 + static_cast<int64_t>(rest / den);
    rest %= den;
  }
  if (whole > 1'000'000) whole = 1'000'000;  // a ratio past 10^6 is moot
  const int64_t total = static_cast<int64_t>(whole) * 1'000'000 + micros;
  return negative ? -total : total;
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

std::array<uint64_t, LatencyHistogram::kBoundsMicros.size() + 1>
LatencyHistogram::Counts() const {
  std::array<uint64_t, kBoundsMicros.size() + 1> out{};
  // The count first, as in Write: the overflow bucket is what the count
  // holds beyond the bounded buckets, never negative.
  const uint64_t count = count_.load(std::memory_order_relaxed);
  uint64_t bounded = 0;
  for (size_t i = 0; i < kBoundsMicros.size(); ++i) {
    out[i] = buckets_[i].load(std::memory_order_relaxed);
    bounded += out[i];
  }
  out[kBoundsMicros.size()] = count > bounded ? count - bounded : 0;
  return out;
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

namespace {

// Seconds as a decimal: FormatMicros of a timespec.
int64_t Micros(const struct timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

}  // namespace

void WriteProcessMetrics(PromWriter& w) {
  // /proc/self/stat: after the command name in parentheses (which may hold
  // spaces and parentheses: take the last ')'), field 3 is the state.
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)),
                   std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');
  std::vector<std::string> fields;  // fields[0] is field 3 (state)
  if (close != std::string::npos) {
    std::istringstream in(stat.substr(close + 1));
    for (std::string f; in >> f;) fields.push_back(f);
  }
  const auto field = [&fields](size_t number) -> std::optional<uint64_t> {
    if (number < 3 || number - 3 >= fields.size()) return std::nullopt;
    const std::string& f = fields[number - 3];
    uint64_t v = 0;
    for (char c : f) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    return v;
  };
  const long ticks = ::sysconf(_SC_CLK_TCK);
  const long page = ::sysconf(_SC_PAGESIZE);
  // Start time: field 22 is in ticks since boot. Converted with the clocks
  // (no /proc/stat: the unit's ProcSubset=pid hides it).
  if (auto start_ticks = field(22); start_ticks && ticks > 0) {
    struct timespec boot {}, real {};
    ::clock_gettime(CLOCK_BOOTTIME, &boot);
    ::clock_gettime(CLOCK_REALTIME, &real);
    const int64_t since_boot = static_cast<int64_t>(
        *start_ticks * 1'000'000 / static_cast<uint64_t>(ticks));
    w.Family("process_start_time_seconds", "gauge",
             "start time of the process since the Unix epoch in seconds");
    w.Sample("process_start_time_seconds", {},
             std::string_view(FormatMicros(Micros(real) - Micros(boot) +
                                           since_boot)));
  }
  if (auto utime = field(14), stime = field(15); utime && stime && ticks > 0) {
    w.Family("process_cpu_seconds_total", "counter",
             "user and system CPU time spent in seconds");
    w.Sample("process_cpu_seconds_total", {},
             std::string_view(FormatMicros(static_cast<int64_t>(
                 (*utime + *stime) * 1'000'000 / static_cast<uint64_t>(ticks)))));
  }
  if (auto threads = field(20)) {
    w.Family("process_threads", "gauge", "threads of the process");
    w.Sample("process_threads", {}, *threads);
  }
  if (auto vsize = field(23)) {
    w.Family("process_virtual_memory_bytes", "gauge",
             "virtual memory size in bytes");
    w.Sample("process_virtual_memory_bytes", {}, *vsize);
  }
  if (auto rss = field(24); rss && page > 0) {
    w.Family("process_resident_memory_bytes", "gauge",
             "resident memory size in bytes");
    w.Sample("process_resident_memory_bytes", {},
             *rss * static_cast<uint64_t>(page));
  }
  std::error_code ec;
  uint64_t fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end;
       !ec && it != end; it.increment(ec)) {
    ++fds;
  }
  if (!ec) {
    w.Family("process_open_fds", "gauge", "open file descriptors");
    w.Sample("process_open_fds", {}, fds);
  }
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    w.Family("process_max_fds", "gauge",
             "the limit of open file descriptors (RLIMIT_NOFILE)");
    w.Sample("process_max_fds", {}, static_cast<uint64_t>(limit.rlim_cur));
  }
}

void WriteJournalFiles(PromWriter& w, const std::string& journal_path) {
  const auto size = [](const std::string& path) -> uint64_t {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size)
                                          : 0;
  };
  w.Family("fixgw_journal_size_bytes", "gauge",
           "size of the journal's SQLite file");
  w.Sample("fixgw_journal_size_bytes", {}, size(journal_path));
  w.Family("fixgw_journal_wal_size_bytes", "gauge",
           "size of the journal's write-ahead log (-wal); 0 when absent");
  w.Sample("fixgw_journal_wal_size_bytes", {}, size(journal_path + "-wal"));
  struct statvfs fs {};
  if (::statvfs(DirectoryOf(journal_path).c_str(), &fs) == 0) {
    w.Family("fixgw_journal_disk_free_bytes", "gauge",
             "bytes free to the service on the journal's file system");
    w.Sample("fixgw_journal_disk_free_bytes", {},
             static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize);
  }
}

void GatewayMetrics::SetLabelValues(const std::set<std::string>& sessions,
                                    const std::set<std::string>& accounts) {
  std::lock_guard lock(mu_);
  session_labels_.resize(1);
  account_labels_.resize(2);
  session_index_.clear();
  account_index_.clear();
  for (const std::string& s : sessions) {
    session_index_.emplace(s, static_cast<uint32_t>(session_labels_.size()));
    session_labels_.push_back(s);
  }
  for (const std::string& a : accounts) {
    if (a.empty()) continue;
    account_index_.emplace(a, static_cast<uint32_t>(account_labels_.size()));
    account_labels_.push_back(a);
  }
}

void GatewayMetrics::AddAccounts(const std::set<std::string>& accounts) {
  std::lock_guard lock(mu_);
  for (const std::string& a : accounts) {
    if (a.empty() || account_index_.contains(a)) continue;
    account_index_.emplace(a, static_cast<uint32_t>(account_labels_.size()));
    account_labels_.push_back(a);
  }
}

GatewayMetrics::LabelKey GatewayMetrics::Key(const std::string& session,
                                             const std::string& account) const {
  std::lock_guard lock(mu_);
  LabelKey key;
  if (auto it = session_index_.find(session); it != session_index_.end()) {
    key.session = it->second;
  }
  if (account.empty()) {
    key.account = 1;
  } else if (auto it = account_index_.find(account);
             it != account_index_.end()) {
    key.account = it->second;
  }
  return key;
}

void GatewayMetrics::CountOrderAccepted(LabelKey key) {
  CountOrderAccepted();
  std::lock_guard lock(mu_);
  ++accepted_by_key_[{key.session, key.account}];
}

void GatewayMetrics::CountOrderRejected(const std::string& reason,
                                        LabelKey key) {
  std::lock_guard lock(mu_);
  ++rejected_[reason];
  ++rejected_by_key_[{reason, key.session, key.account}];
}

void GatewayMetrics::ObservePath(Path p, std::chrono::nanoseconds d,
                                 LabelKey key) {
  ObservePath(p, d);
  LatencyHistogram* h = nullptr;
  {
    std::lock_guard lock(mu_);
    auto& slot =
        paths_by_key_[{static_cast<size_t>(p), key.session, key.account}];
    if (!slot) slot = std::make_unique<LatencyHistogram>();
    h = slot.get();  // never removed: valid after the lock
  }
  h->Observe(d);
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

void GatewayMetrics::CountCancelOnDisconnect(size_t cancels) {
  cod_fired_.fetch_add(1, std::memory_order_relaxed);
  cod_cancels_.fetch_add(cancels, std::memory_order_relaxed);
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

GatewayMetrics::OrderTotals GatewayMetrics::SessionOrders(
    const std::string& session) const {
  std::lock_guard lock(mu_);
  OrderTotals totals;
  const auto it = session_index_.find(session);
  if (it == session_index_.end()) return totals;
  const uint32_t index = it->second;
  for (const auto& [key, n] : accepted_by_key_) {
    if (key.first == index) totals.accepted += n;
  }
  for (const auto& [key, n] : rejected_by_key_) {
    if (std::get<1>(key) == index) totals.rejected += n;
  }
  return totals;
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
  w.Family("fixgw_orders_accepted_by_account_total", "counter",
           "NewOrderSingles accepted, by broker session and account "
           "(configured ones; others: \"other\")");
  for (const auto& [key, n] : accepted_by_key_) {
    w.Sample("fixgw_orders_accepted_by_account_total",
             {{"session", session_labels_[key.first]},
              {"account", account_labels_[key.second]}},
             n);
  }
  w.Family("fixgw_orders_rejected_by_account_total", "counter",
           "NewOrderSingles refused by the gateway, by broker session, "
           "account and reason");
  for (const auto& [key, n] : rejected_by_key_) {
    const auto& [reason, session, account] = key;
    w.Sample("fixgw_orders_rejected_by_account_total",
             {{"session", session_labels_[session]},
              {"account", account_labels_[account]},
              {"reason", reason}},
             n);
  }
  w.Family("fixgw_order_path_seconds", "histogram",
           "time from a message's arrival at the gateway to the send of what "
           "it caused");
  for (size_t i = 0; i < paths_.size(); ++i) {
    paths_[i].Write(w, "fixgw_order_path_seconds",
                    {{"path", std::string(kPathLabels[i])}});
  }
  w.Family("fixgw_order_path_by_account_seconds", "histogram",
           "fixgw_order_path_seconds by the broker session and account the "
           "message is for");
  for (const auto& [key, h] : paths_by_key_) {
    const auto& [path, session, account] = key;
    h->Write(w, "fixgw_order_path_by_account_seconds",
             {{"path", std::string(kPathLabels[path])},
              {"session", session_labels_[session]},
              {"account", account_labels_[account]}});
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
  w.Family("fixgw_cancel_on_disconnect_total", "counter",
           "cancel-on-disconnects that fired (a broker session with "
           "CancelOnDisconnect=Y away longer than its delay)");
  w.Sample("fixgw_cancel_on_disconnect_total", {}, cod_fired_.load());
  w.Family("fixgw_cancel_on_disconnect_orders_total", "counter",
           "cancels sent to the exchange by cancel-on-disconnect");
  w.Sample("fixgw_cancel_on_disconnect_orders_total", {}, cod_cancels_.load());
}

}  // namespace fixgw::gw
