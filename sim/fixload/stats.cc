// Nearest-rank latency percentiles and load report formatting; see
// stats.h. Pure functions.
#include "sim/fixload/stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

namespace fixgw::load {
namespace {

double Micros(int64_t ns) { return static_cast<double>(ns) / 1000.0; }

std::string JsonMicros(const std::optional<LatencySummary>& latency,
                       int64_t LatencySummary::*field) {
  if (!latency) return "null";
  return fmt::format("{:.1f}", Micros((*latency).*field));
}

}  // namespace

int64_t PercentileOfSorted(const std::vector<int64_t>& sorted,
                           uint32_t per_mille) {
  assert(!sorted.empty() && per_mille >= 1 && per_mille <= 1000);
  // rank = ceil(per_mille * n / 1000), 1-based.
  uint64_t n = sorted.size();
  uint64_t rank = (uint64_t{per_mille} * n + 999) / 1000;
  if (rank == 0) rank = 1;
  return sorted[rank - 1];
}

std::optional<LatencySummary> Summarize(std::vector<int64_t> samples_ns) {
  if (samples_ns.empty()) return std::nullopt;
  std::sort(samples_ns.begin(), samples_ns.end());
  LatencySummary s;
  s.count = samples_ns.size();
  s.p50_ns = PercentileOfSorted(samples_ns, 500);
  s.p90_ns = PercentileOfSorted(samples_ns, 900);
  s.p99_ns = PercentileOfSorted(samples_ns, 990);
  s.p999_ns = PercentileOfSorted(samples_ns, 999);
  s.max_ns = samples_ns.back();
  return s;
}

double LoadReport::throughput_ops() const {
  if (elapsed_s <= 0) return 0;
  return static_cast<double>(acked + rejected) / elapsed_s;
}

std::string FormatJson(const LoadReport& r) {
  return fmt::format(
      "{{\"mode\":\"{}\",\"orders\":{},\"rate\":{},\"in_flight\":{},"
      "\"acked\":{},\"rejected\":{},\"missing\":{},\"elapsed_s\":{:.6f},"
      "\"throughput_ops\":{:.1f},\"p50_us\":{},\"p90_us\":{},\"p99_us\":{},"
      "\"p999_us\":{},\"max_us\":{}}}",
      r.open_loop ? "open-loop" : "closed-loop", r.sent,
      r.open_loop ? fmt::format("{}", r.rate) : "null",
      r.open_loop ? "null" : fmt::format("{}", r.in_flight), r.acked,
      r.rejected, r.missing, r.elapsed_s, r.throughput_ops(),
      JsonMicros(r.latency, &LatencySummary::p50_ns),
      JsonMicros(r.latency, &LatencySummary::p90_ns),
      JsonMicros(r.latency, &LatencySummary::p99_ns),
      JsonMicros(r.latency, &LatencySummary::p999_ns),
      JsonMicros(r.latency, &LatencySummary::max_ns));
}

std::string FormatHuman(const LoadReport& r) {
  std::string out;
  if (r.open_loop) {
    out += fmt::format(
        "mode         open loop at {} orders/s (latency from intended send "
        "time)\n",
        r.rate);
  } else {
    out += fmt::format(
        "mode         closed loop, {} in flight (latency from actual send "
        "time)\n",
        r.in_flight);
  }
  out += fmt::format("orders       {} sent of {}{}\n", r.sent, r.requested,
                     r.interrupted ? " (interrupted)" : "");
  out += fmt::format(
      "reports      {} acked, {} rejected, {} missing; {} trade reports\n",
      r.acked, r.rejected, r.missing, r.trades);
  out += fmt::format("elapsed      {:.3f} s\n", r.elapsed_s);
  out += fmt::format("throughput   {:.0f} orders/s\n", r.throughput_ops());
  if (r.latency) {
    const LatencySummary& l = *r.latency;
    out += fmt::format(
        "latency us   p50 {:.1f}  p90 {:.1f}  p99 {:.1f}  p99.9 {:.1f}  max "
        "{:.1f}  ({} samples)\n",
        Micros(l.p50_ns), Micros(l.p90_ns), Micros(l.p99_ns), Micros(l.p999_ns),
        Micros(l.max_ns), l.count);
  } else {
    out += "latency us   no samples\n";
  }
  return out;
}

}  // namespace fixgw::load
