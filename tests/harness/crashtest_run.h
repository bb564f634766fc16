// Runs scripts/crashtest.sh (the crash battery or its soak) for a test and
// reads its one-line summary. The run's files go to a new directory under
// $TMPDIR (or /tmp), which the caller removes when the test passes.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fixgw::testing {

struct CrashtestRun {
  std::string dir;  // the run's files (DIR/run) and its output (DIR/out)
  int exit_code = -1;
  std::string output;
  // orders_sent, kills, lost, dup_at_exchange, reports_lost, reports_dup,
  // state_mismatch; nullopt without a summary line.
  std::optional<std::array<int64_t, 7>> summary;
  // Every name=value of the summary line, the 7 above and those appended
  // after them (misrouted, dropcopy_lost, ...).
  std::map<std::string, int64_t> fields;
  // The per-session lines ("crashtest: session ..."), in order.
  std::vector<std::string> sessions;
};

// bash SCRIPT ARGS... --bin BIN_DIR --dir DIR/run, bounded by `timeout`
// (then SIGTERM, which the script's trap answers by stopping what it
// started).
CrashtestRun RunCrashtest(const std::string& script, const std::string& bin_dir,
                          const std::vector<std::string>& args,
                          std::chrono::seconds timeout);

}  // namespace fixgw::testing
