#include "tests/harness/order_flow.h"

#include <sstream>

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

}  // namespace fixgw::testing
