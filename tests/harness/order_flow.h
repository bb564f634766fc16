// Helpers the raw-socket broker tests share (mass cancel, cancel on
// disconnect, drop copy): an order's body, and what fixsim saw (a broker's
// deliveries: Deliveries and DeliveredSeqs in broker.h).
// Pure functions over text and a Broker's transcript; not thread-safe
// (Broker is not).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "tests/harness/broker.h"
#include "tests/harness/cluster.h"

namespace fixgw::testing {

// Lines of fixsim's message log (SOH-separated) holding every one of
// `fields` ("tag=value").
int SimLines(const std::string& log, const std::vector<std::string>& fields);

// The body of a NewOrderSingle: limit Buy 10 `symbol` at `price`, DAY,
// account ACC1, ClOrdID `id`.
std::string Order(const std::string& id, const std::string& symbol,
                  const std::string& price);

// Logs `broker` on (sequence 1, reset) and places `orders` ({ClOrdID,
// symbol, price} each, as Order), waiting for each one's New report.
// Returns "" when all went through, else what failed with the broker's
// transcript.
std::string LogonAndOrder(Broker& broker,
                          const std::vector<std::vector<std::string>>& orders);

// A crash point ("after-journal") as a test name's part ("afterjournal").
std::string CrashPointTestName(std::string point);

// fixgw's log and every fixsim's messages, for a failure message.
std::string ClusterLog(const Cluster& cluster);

}  // namespace fixgw::testing
