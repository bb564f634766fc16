// The soak's short form in the test suite: scripts/crashtest.sh --soak with
// this build's programs. fixgw runs the whole time (no kills) under the
// mixed flow of two brokers while both legs are cut mid-message in turn
// every 10 s and fixsim is killed and restarted; then nothing may be lost
// or duplicated, the state must equal the journal's replay and the brokers'
// fills, and fixgw's open file descriptors must not grow (sessions that
// drop and reconnect leak nothing). RSS and journal growth are reported
// (they grow with the orders of the day: the order table is in memory).
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <regex>

#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::seconds;

TEST(Soak, ShortSoakLosesNothingAndLeaksNoDescriptors) {
  std::string base =
      (std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp");
  std::string dir = base + "/fixgw-soak-test.XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string log = dir + "/soak.out";
  int rc = -1;
  {
    Process p({"/bin/bash", FIXGW_CRASHTEST_SH, "--soak", "65", "--no-bench",
               "--bin", FIXGW_BIN_DIR, "--dir", dir + "/run"},
              log);
    std::optional<int> status = p.Wait(seconds(260));
    if (!status) {
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
  EXPECT_EQ(m[2], "0") << out;
  for (size_t i = 3; i <= 7; ++i) {
    EXPECT_EQ(m[i], "0") << "files in " << dir << "\n" << out;
  }
  std::smatch s;
  const std::regex soak("open fds (\\d+) -> (\\d+) \\(max (\\d+)\\)");
  ASSERT_TRUE(std::regex_search(out, s, soak)) << out;
  // A reconnect may be in progress at a sample: allow the few descriptors
  // of one connection, not a trend.
  EXPECT_LE(std::stoi(s[3]), std::stoi(s[1]) + 4) << out;
  EXPECT_EQ(rc, 0) << out;
  const size_t line = out.find("crashtest: soak:");
  if (line != std::string::npos) {
    std::printf("%s\n", out.substr(line, out.find('\n', line) - line).c_str());
  }
  if (!HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fixgw::testing
