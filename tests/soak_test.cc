// The soak's short form in the test suite: scripts/crashtest.sh --soak with
// this build's programs. fixgw runs the whole time (no kills) under the
// mixed flow of two brokers while both legs are cut mid-message in turn
// every 10 s and fixsim is killed and restarted; then nothing may be lost
// or duplicated, the state must equal the journal's replay and the brokers'
// fills, and fixgw's open file descriptors must not grow (sessions that
// drop and reconnect leak nothing). RSS and journal growth are reported
// (they grow with the orders of the day: the order table is in memory).
#include <gtest/gtest.h>
#include <cstdio>
#include <filesystem>
#include <regex>

#include "tests/harness/crashtest_run.h"

namespace fixgw::testing {
namespace {

TEST(Soak, ShortSoakLosesNothingAndLeaksNoDescriptors) {
  const CrashtestRun run =
      RunCrashtest(FIXGW_CRASHTEST_SH, FIXGW_BIN_DIR,
                   {"--soak", "65", "--no-bench"}, std::chrono::seconds(260));
  const std::string& out = run.output;
  ASSERT_TRUE(run.summary.has_value())
      << "no summary line (exit " << run.exit_code << "); files in "
      << run.dir << "\n"
      << out;
  const auto& v = *run.summary;
  EXPECT_GT(v[0], 0) << out;
  EXPECT_EQ(v[1], 0) << out;  // no kills in a soak
  for (size_t i = 2; i < v.size(); ++i) {
    EXPECT_EQ(v[i], 0) << "files in " << run.dir << "\n" << out;
  }
  std::smatch s;
  const std::regex soak("open fds (\\d+) -> (\\d+) \\(max (\\d+)\\)");
  ASSERT_TRUE(std::regex_search(out, s, soak)) << out;
  // A reconnect may be in progress at a sample: allow the few descriptors
  // of one connection, not a trend.
  EXPECT_LE(std::stoi(s[3]), std::stoi(s[1]) + 4) << out;
  EXPECT_EQ(run.exit_code, 0) << out;
  const size_t line = out.find("crashtest: soak:");
  if (line != std::string::npos) {
    std::printf("%s\n", out.substr(line, out.find('\n', line) - line).c_str());
  }
  if (!HasFailure()) std::filesystem::remove_all(run.dir);
}

}  // namespace
}  // namespace fixgw::testing
