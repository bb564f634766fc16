// The crash battery's short form in the test suite: scripts/crashtest.sh
// --short with this build's programs, with one venue and with two (8 kills
// of fixgw, half of them at the deterministic crash points after-journal /
// after-send / after-report, a fixsim kill, two mid-message cuts; a
// drop-copy consumer and a cancel-on-disconnect broker), then its summary
// line must show that nothing was lost, duplicated or misrouted, the drop
// copy got every report once, and the state equals the journal's replay
// and the brokers' fills. The run's files are kept when the test fails.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/harness/crashtest_run.h"

namespace fixgw::testing {
namespace {

// scripts/crashtest.sh --short ARGS: a summary line with 8 kills, orders
// sent, every bad count 0 (the seven and those appended), a line for each
// of `sessions` sessions, exit 0. Returns the run (files removed if clean).
CrashtestRun ExpectCleanShortRun(const std::vector<std::string>& args,
                                 size_t sessions) {
  std::vector<std::string> argv = {"--short"};
  argv.insert(argv.end(), args.begin(), args.end());
  CrashtestRun run = RunCrashtest(FIXGW_CRASHTEST_SH, FIXGW_BIN_DIR, argv,
                                  std::chrono::seconds(240));
  EXPECT_TRUE(run.summary.has_value())
      << "no summary line (exit " << run.exit_code << "); files in " << run.dir
      << "\n"
      << run.output;
  if (!run.summary) return run;
  const auto& s = *run.summary;
  EXPECT_GT(s[0], 0) << run.output;
  EXPECT_EQ(s[1], 8) << run.output;
  // The five of the seven, then those appended (misrouted, the drop copy's).
  for (const auto& [name, value] : run.fields) {
    if (name == "orders_sent" || name == "kills") continue;
    EXPECT_EQ(value, 0) << name << "; files in " << run.dir << "\n"
                        << run.output;
  }
  EXPECT_GE(run.fields.size(), 7u) << run.output;
  EXPECT_EQ(run.sessions.size(), sessions) << run.output;
  EXPECT_EQ(run.exit_code, 0) << run.output;
  return run;
}

TEST(CrashBattery, ShortRunLosesAndDuplicatesNothing) {
  // BROKER1, BROKER2, DROPCOPY, SIM.
  const CrashtestRun run = ExpectCleanShortRun({"--venues", "1"}, 4);
  if (!HasFailure()) std::filesystem::remove_all(run.dir);
}

TEST(CrashBattery, ShortRunWithTwoVenuesLosesMisroutesAndDuplicatesNothing) {
  // BROKER1, BROKER2, DROPCOPY, SIM (venue XA: AAPL), SIM2 (XB: MSFT).
  const CrashtestRun run = ExpectCleanShortRun({"--venues", "2"}, 5);
  for (const char* venue : {"session SIM (venue)", "session SIM2 (venue)"}) {
    EXPECT_NE(run.output.find(venue), std::string::npos) << run.output;
  }
  if (!HasFailure()) std::filesystem::remove_all(run.dir);
}

}  // namespace
}  // namespace fixgw::testing
