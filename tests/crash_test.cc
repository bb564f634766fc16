// The crash battery's short form in the test suite: scripts/crashtest.sh
// --short with this build's programs (8 kills of fixgw, half of them at the
// deterministic crash points after-journal / after-send / after-report, a
// fixsim kill, two mid-message cuts), then its summary line must show that
// nothing was lost or duplicated and the state equals the journal's replay
// and the brokers' fills. The run's files are kept when the test fails.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <regex>

#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::seconds;

TEST(CrashBattery, ShortRunLosesAndDuplicatesNothing) {
  std::string base =
      (std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp");
  std::string dir = base + "/fixgw-crash-test.XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string log = dir + "/crashtest.out";
  int rc = -1;
  {
    Process p({"/bin/bash", FIXGW_CRASHTEST_SH, "--short", "--bin",
               FIXGW_BIN_DIR, "--dir", dir + "/run"},
              log);
    std::optional<int> status = p.Wait(seconds(240));
    if (!status) {
      // The script's trap stops what it started.
      p.Signal(SIGTERM);
      status = p.Wait(seconds(30));
    }
    rc = status.value_or(-1);
  }
  const std::string out = ReadFile(log);
  std::smatch m;
  const std::regex summary(
      "crashtest: orders_sent=(\\d+) kills=(\\d+) lost=(\\d+) "
      "dup_at_exchange=(\\d+) reports_lost=(\\d+) reports_dup=(\\d+) "
      "state_mismatch=(\\d+)");
  ASSERT_TRUE(std::regex_search(out, m, summary))
      << "no summary line (exit " << rc << "); files in " << dir << "\n"
      << out;
  EXPECT_GT(std::stoi(m[1]), 0) << out;
  EXPECT_EQ(m[2], "8") << out;
  EXPECT_EQ(m[3], "0") << "lost; files in " << dir << "\n" << out;
  EXPECT_EQ(m[4], "0") << "dup_at_exchange; files in " << dir << "\n" << out;
  EXPECT_EQ(m[5], "0") << "reports_lost; files in " << dir << "\n" << out;
  EXPECT_EQ(m[6], "0") << "reports_dup; files in " << dir << "\n" << out;
  EXPECT_EQ(m[7], "0") << "state_mismatch; files in " << dir << "\n" << out;
  EXPECT_EQ(rc, 0) << out;
  if (!HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fixgw::testing
