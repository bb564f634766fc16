// Latency statistics and the load-run report of fixload. Pure functions over
// values; thread-compatible.
//
// Percentiles are exact, by the nearest-rank method over all samples: the
// p-th percentile of n sorted samples is sample number ceil(p/100 * n)
// (1-based), so p100 is the maximum and no value is interpolated. Samples
// are nanoseconds; reports show microseconds. Floating point is used only
// for these statistics, never for prices or quantities.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fixgw::load {

// Nearest-rank percentile of `sorted` (ascending, non-empty); `per_mille`
// in [1, 1000]: 500 = p50, 999 = p99.9.
int64_t PercentileOfSorted(const std::vector<int64_t>& sorted,
                           uint32_t per_mille);

struct LatencySummary {
  uint64_t count = 0;
  int64_t p50_ns = 0;
  int64_t p90_ns = 0;
  int64_t p99_ns = 0;
  int64_t p999_ns = 0;
  int64_t max_ns = 0;
};

// nullopt when there are no samples.
std::optional<LatencySummary> Summarize(std::vector<int64_t> samples_ns);

struct LoadReport {
  bool open_loop = false;
  uint64_t requested = 0;  // --orders
  double rate = 0;         // orders/s, open loop only
  uint64_t in_flight = 0;  // closed loop only
  uint64_t sent = 0;
  uint64_t acked = 0;        // first report was not a reject
  uint64_t rejected = 0;     // first report was a reject (8 with 150=8, 3, j)
  uint64_t missing = 0;      // sent - acked - rejected
  uint64_t trades = 0;       // ExecutionReports with ExecType=F, any order
  double elapsed_s = 0;      // first send to last first report (or give-up)
  bool interrupted = false;  // SIGINT/SIGTERM or lost session
  std::string first_reject_text;  // "MsgType 8: <Text>" of the first reject
  std::optional<LatencySummary> latency;  // over first reports

  // (acked + rejected) / elapsed_s; 0 when nothing elapsed.
  double throughput_ops() const;
};

// One JSON object on one line, no trailing newline. Keys: mode
// ("open-loop" | "closed-loop"), orders (sent), rate (null for closed
// loop), in_flight (null for open loop), acked, rejected, missing,
// elapsed_s, throughput_ops, p50_us, p90_us, p99_us, p999_us, max_us (null
// without samples).
std::string FormatJson(const LoadReport& report);

// A few lines for humans, ending with a newline.
std::string FormatHuman(const LoadReport& report);

}  // namespace fixgw::load
