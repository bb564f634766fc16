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

namespace fixgw::testing {

// Lines of fixsim's message log (SOH-separated) holding every one of
// `fields` ("tag=value").
int SimLines(const std::string& log, const std::vector<std::string>& fields);

// The body of a NewOrderSingle: limit Buy 10 `symbol` at `price`, DAY,
// account ACC1, ClOrdID `id`.
std::string Order(const std::string& id, const std::string& symbol,
                  const std::string& price);

}  // namespace fixgw::testing
