#include "tests/harness/order_flow.h"

#include <chrono>
#include <sstream>

#include "tests/harness/process.h"

namespace fixgw::testing {

int SimLines(const std::string& log, const std::vector<std::string>& fields) {
  std::istringstream in(log);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    bool all = true;
    for (const std::string& f : fields) {
      all = all && line.find("\x01" + f + "\x01") != std::string::npos;
    }
    n += all ? 1 : 0;
  }
  return n;
}

std::string Order(const std::string& id, const std::string& symbol,
                  const std::string& price) {
  return "11=" + id + "|1=ACC1|55=" + symbol + "|54=1|60=" + FixNow() +
         "|38=10|40=2|44=" + price + "|59=0|";
}

std::string LogonAndOrder(Broker& broker,
                          const std::vector<std::vector<std::string>>& orders) {
  if (!broker.Logon(1, /*reset=*/true)) return "the Logon was not sent";
  if (!broker.WaitFor({"35=A"})) {
    return "no Logon answer:\n" + broker.Transcript();
  }
  for (const auto& o : orders) {
    if (!broker.Next("D", Order(o[0], o[1], o[2]))) {
      return "order " + o[0] + " was not sent";
    }
    if (!broker.WaitFor({"35=8", "11=" + o[0], "150=0"},
                        std::chrono::seconds(10))) {
      return "no New report for " + o[0] + ":\n" + broker.Transcript();
    }
  }
  return "";
}

std::string CrashPointTestName(std::string point) {
  std::erase(point, '-');
  return point;
}

std::string ClusterLog(const Cluster& cluster) {
  std::string log = "--- fixgw log:\n" + ReadFile(cluster.gateway_log()) +
                    "--- fixsim messages:\n" + cluster.SimMessages();
  for (size_t i = 1; i < cluster.venue_count(); ++i) {
    log += "--- fixsim " + cluster.venue(i).comp_id + " messages:\n" +
           cluster.SimMessages(i);
  }
  return log;
}

}  // namespace fixgw::testing
