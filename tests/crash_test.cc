// The crash battery's short form in the test suite: scripts/crashtest.sh
// --short with this build's programs (8 kills of fixgw, half of them at the
// deterministic crash points after-journal / after-send / after-report, a
// fixsim kill, two mid-message cuts; a drop-copy consumer and a
// cancel-on-disconnect broker), then its summary line must show that
// nothing was lost or duplicated, nothing misrouted, the drop copy got
// every report once, and the state equals the journal's replay and the
// brokers' fills. The run's files are kept when the test fails.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/harness/crashtest_run.h"

namespace fixgw::testing {
namespace {

TEST(CrashBattery, ShortRunLosesAndDuplicatesNothing) {
  const CrashtestRun run =
      RunCrashtest(FIXGW_CRASHTEST_SH, FIXGW_BIN_DIR,
                   {"--short", "--venues", "1"}, std::chrono::seconds(240));
  ASSERT_TRUE(run.summary.has_value())
      << "no summary line (exit " << run.exit_code << "); files in "
      << run.dir << "\n"
      << run.output;
  const auto& s = *run.summary;
  EXPECT_GT(s[0], 0) << run.output;
  EXPECT_EQ(s[1], 8) << run.output;
  const char* names[] = {"lost", "dup_at_exchange", "reports_lost",
                         "reports_dup", "state_mismatch"};
  for (size_t i = 2; i < s.size(); ++i) {
    EXPECT_EQ(s[i], 0) << names[i - 2] << "; files in " << run.dir << "\n"
                       << run.output;
  }
  // The counts appended after the seven (misrouted, the drop copy's).
  for (const auto& [name, value] : run.fields) {
    if (name == "orders_sent" || name == "kills") continue;
    EXPECT_EQ(value, 0) << name << "; files in " << run.dir << "\n"
                        << run.output;
  }
  EXPECT_GE(run.sessions.size(), 4u) << run.output;  // 2 brokers, DC, venue
  EXPECT_EQ(run.exit_code, 0) << run.output;
  if (!HasFailure()) std::filesystem::remove_all(run.dir);
}

}  // namespace
}  // namespace fixgw::testing
