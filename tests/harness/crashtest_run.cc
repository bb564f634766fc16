#include "tests/harness/crashtest_run.h"

#include <signal.h>
#include <stdlib.h>

#include <regex>

#include "tests/harness/process.h"

namespace fixgw::testing {

CrashtestRun RunCrashtest(const std::string& script, const std::string& bin_dir,
                          const std::vector<std::string>& args,
                          std::chrono::seconds timeout) {
  CrashtestRun run;
  const char* tmp = std::getenv("TMPDIR");
  run.dir = std::string(tmp != nullptr ? tmp : "/tmp") +
            "/fixgw-crashtest-test.XXXXXX";
  if (mkdtemp(run.dir.data()) == nullptr) {
    run.output = "mkdtemp failed";
    return run;
  }
  std::vector<std::string> argv = {"/bin/bash", script};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--bin", bin_dir, "--dir", run.dir + "/run"});
  const std::string log = run.dir + "/out";
  {
    Process p(argv, log);
    std::optional<int> status = p.Wait(timeout);
    if (!status) {
      p.Signal(SIGTERM);
      status = p.Wait(std::chrono::seconds(30));
    }
    run.exit_code = status.value_or(-1);
  }
  run.output = ReadFile(log);
  std::smatch m;
  const std::regex summary(
      "crashtest: orders_sent=(\\d+) kills=(\\d+) lost=(\\d+) "
      "dup_at_exchange=(\\d+) reports_lost=(\\d+) reports_dup=(\\d+) "
      "state_mismatch=(\\d+)");
  if (std::regex_search(run.output, m, summary)) {
    std::array<int64_t, 7> values{};
    for (size_t i = 0; i < values.size(); ++i) values[i] = std::stoll(m[i + 1]);
    run.summary = values;
    const size_t start = static_cast<size_t>(m.position(0));
    const size_t end = run.output.find('\n', start);
    const std::string line = run.output.substr(start, end - start);
    const std::regex field("(\\w+)=(\\d+)");
    for (auto it = std::sregex_iterator(line.begin(), line.end(), field);
         it != std::sregex_iterator(); ++it) {
      run.fields[(*it)[1]] = std::stoll((*it)[2]);
    }
  }
  size_t pos = 0;
  const std::string session_prefix = "crashtest: session ";
  while ((pos = run.output.find(session_prefix, pos)) != std::string::npos) {
    const size_t end = run.output.find('\n', pos);
    run.sessions.push_back(run.output.substr(pos, end - pos));
    pos = end == std::string::npos ? end : end + 1;
    if (end == std::string::npos) break;
  }
  return run;
}

}  // namespace fixgw::testing
