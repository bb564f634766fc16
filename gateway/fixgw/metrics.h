// fixgw's counters and latency histograms, and the Prometheus text format
// (exposition format 0.0.4) they are served in by GET /metrics.
//
// GatewayMetrics holds what accumulates: messages per session, direction and
// type; orders accepted and refused (by reason); fills; denials; the order
// path and journal commit histograms. What is a state rather than a sum
// (sessions logged on, sequence numbers, open orders, risk use) is read at
// scrape time by the admin server and written next to it, with the
// process's own figures (WriteProcessMetrics) and the journal's files
// (WriteJournalFiles).
//
// Per-session and per-account series (fixgw_orders_accepted_by_account_total,
// fixgw_orders_rejected_by_account_total, fixgw_order_path_by_account_seconds)
// take their label values from the configuration only (SetLabelValues: the
// broker sessions and the accounts of the risk file and DefaultAccount;
// AddAccounts: those of a reloaded risk file); any other session or account is counted under "other", an order without
// an account under "none". So a broker cannot grow the series by sending
// new Account values.
//
// Thread-safe: counters are updated from the loop thread (the sessions),
// the committer thread and the admin server's threads. The mutex is a
// leaf: nothing is called while it is held.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "gateway/core/events.h"

namespace fixgw::gw {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Builds a Prometheus text exposition. Families must be written whole (all
// samples of a family after its Family() line).
class PromWriter {
 public:
  // `type`: "counter", "gauge" or "histogram".
  void Family(std::string_view name, std::string_view type,
              std::string_view help);
  void Sample(std::string_view name, const Labels& labels,
              std::string_view value);
  void Sample(std::string_view name, const Labels& labels, int64_t value);
  void Sample(std::string_view name, const Labels& labels, uint64_t value);
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

// A label value as Prometheus wants it: \ " and newline escaped.
std::string EscapeLabel(std::string_view value);
// Micro-units as a decimal number: 1500 -> "0.0015", -2 -> "-0.000002".
std::string FormatMicros(int64_t micros);

// How much of an account's cash is used: (limit - available) / limit in
// micro-units (250'000 = 0.25, 1'000'000 = all of it; negative when
// available exceeds the limit after sells), its magnitude capped at 10^12;
// 0 when the limit is not positive. Exact for any int64 amounts.
int64_t UtilisationMicros(Notional limit, Notional available);

// A cumulative histogram of durations with fixed bucket bounds
// (microseconds). Lock-free observations.
class LatencyHistogram {
 public:
  // Bounds: 10 us .. 10 s, roughly 1-2.5-5 per decade.
  static constexpr std::array<int64_t, 19> kBoundsMicros = {
      10,     25,     50,      100,     250,     500,       1'000,
      2'500,  5'000,  10'000,  25'000,  50'000,  100'000,   250'000,
      500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};

  void Observe(std::chrono::nanoseconds d);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  // Observations per bucket (not cumulative), in kBoundsMicros order, and
  // last those above the last bound. Read while others observe, the
  // buckets need not add up to count() exactly.
  std::array<uint64_t, kBoundsMicros.size() + 1> Counts() const;
  // Writes NAME_bucket{..,le=".."}, NAME_sum and NAME_count samples.
  void Write(PromWriter& w, std::string_view name, const Labels& labels) const;

 private:
  std::array<std::atomic<uint64_t>, kBoundsMicros.size()> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<int64_t> sum_nanos_{0};
};

// A refusal's metric label: the risk check that refused it ("buying_power",
// "throttle", ...), else its OrdRejReason ("duplicate_order",
// "exchange_closed", ...). A small fixed set whatever the Text says.
std::string RejectReasonLabel(const Rejection& r);
// The same for a cancel/replace refusal (CxlRejReason names).
std::string CancelRejectReasonLabel(const CancelReject& r);

// Process figures from /proc/self: process_start_time_seconds,
// process_open_fds, process_max_fds, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_threads, process_cpu_seconds_total
// (the names Prometheus's client libraries use). A figure /proc does not
// give is left out.
void WriteProcessMetrics(PromWriter& w);
// fixgw_journal_size_bytes, fixgw_journal_wal_size_bytes (0 when there is
// no -wal file) and fixgw_journal_disk_free_bytes (free to an unprivileged
// user on the journal's file system) of the journal at `journal_path`.
void WriteJournalFiles(PromWriter& w, const std::string& journal_path);

class GatewayMetrics {
 public:
  // Label values for the per-session and per-account series: index 0 is
  // "other", 1 "none" (no account), then the configured ones.
  struct LabelKey {
    uint32_t session = 0;
    uint32_t account = 0;
  };
  static constexpr std::string_view kOtherLabel = "other";
  static constexpr std::string_view kNoAccountLabel = "none";

  enum class Direction { kIn, kOut };
  // Where an order-path latency runs from and to: an order (or cancel,
  // replace) from a broker until it is sent to the exchange; an exchange
  // report or cancel reject until it is sent to the broker; a broker message
  // the gateway answers itself (a reject, a status) until the answer is sent.
  enum class Path { kBrokerToExchange, kExchangeToBroker, kGatewayAnswer };

  // The configured broker sessions (keys) and accounts; once, before the
  // sessions start.
  void SetLabelValues(const std::set<std::string>& sessions,
                      const std::set<std::string>& accounts);
  // Accounts a reloaded risk file names; those already known keep their
  // index (a series never changes its labels).
  void AddAccounts(const std::set<std::string>& accounts);
  LabelKey Key(const std::string& session, const std::string& account) const;

  void CountMessage(const std::string& session, Direction d,
                    const std::string& msg_type);
  // Logon state as the session callbacks report it (QuickFIX's own flags
  // are not safe to read from another thread).
  void SetLoggedOn(const std::string& session, bool logged_on);
  bool logged_on(const std::string& session) const;
  void CountOrderAccepted();
  void CountOrderRejected(const std::string& reason);
  // The same, also under the order's session and account.
  void CountOrderAccepted(LabelKey key);
  void CountOrderRejected(const std::string& reason, LabelKey key);
  void CountCancelReplaceRejected(const std::string& reason);
  void CountFill();
  void CountDenial(const std::string& reason);
  void ObservePath(Path p, std::chrono::nanoseconds d);
  // The same, also under the session and account the message is for.
  void ObservePath(Path p, std::chrono::nanoseconds d, LabelKey key);
  void ObserveCommit(std::chrono::nanoseconds d, size_t entries);
  // A TestRequest the gateway sent to probe a silent exchange.
  void CountExchangeTestRequest();
  // A cancel-on-disconnect that fired, and the cancels it sent.
  void CountCancelOnDisconnect(size_t cancels);

  // Messages in and out of one session so far.
  std::pair<uint64_t, uint64_t> SessionTotals(const std::string& session) const;
  // NewOrderSingles accepted and refused from one broker session so far
  // (0 and 0 for a session that is not a configured broker label value).
  struct OrderTotals {
    uint64_t accepted = 0;
    uint64_t rejected = 0;
  };
  OrderTotals SessionOrders(const std::string& session) const;
  uint64_t path_count(Path p) const;
  const LatencyHistogram& path(Path p) const {
    return paths_[static_cast<size_t>(p)];
  }
  uint64_t orders_accepted() const { return accepted_.load(); }
  std::map<std::string, uint64_t> denials() const;

  // Every counter and histogram family.
  void Write(PromWriter& w) const;

 private:
  mutable std::mutex mu_;
  // (session, direction, MsgType) -> count; guarded by mu_.
  std::map<std::tuple<std::string, Direction, std::string>, uint64_t>
      messages_;
  std::map<std::string, uint64_t> rejected_;         // guarded by mu_
  std::map<std::string, uint64_t> cxl_rejected_;     // guarded by mu_
  std::map<std::string, uint64_t> denials_;          // guarded by mu_
  std::map<std::string, bool> logged_on_;            // guarded by mu_
  // Label values by index (see LabelKey); guarded by mu_. Only ever grow.
  std::vector<std::string> session_labels_{std::string(kOtherLabel)};
  std::vector<std::string> account_labels_{std::string(kOtherLabel),
                                           std::string(kNoAccountLabel)};
  std::map<std::string, uint32_t, std::less<>> session_index_;
  std::map<std::string, uint32_t, std::less<>> account_index_;
  // (session, account) -> count; (reason, session, account) -> count;
  // guarded by mu_. Only combinations seen are written.
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> accepted_by_key_;
  std::map<std::tuple<std::string, uint32_t, uint32_t>, uint64_t>
      rejected_by_key_;
  // (path, session, account) -> histogram, made when first observed;
  // guarded by mu_ (the histograms themselves are lock-free).
  std::map<std::tuple<size_t, uint32_t, uint32_t>,
           std::unique_ptr<LatencyHistogram>>
      paths_by_key_;
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> fills_{0};
  std::atomic<uint64_t> commit_entries_{0};
  std::atomic<uint64_t> exchange_test_requests_{0};
  std::atomic<uint64_t> cod_fired_{0};
  std::atomic<uint64_t> cod_cancels_{0};
  std::array<LatencyHistogram, 3> paths_;
  LatencyHistogram commits_;
};

}  // namespace fixgw::gw
