// Helpers the raw-socket broker tests share (mass cancel, cancel on
// disconnect): an order's body, and counts of what fixsim and a broker saw.
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

// The MsgSeqNums of the messages `broker` received that hold every one of
// `fields` (a message resent under its MsgSeqNum is one delivery).
std::set<std::string> Deliveries(Broker& broker,
                                 const std::vector<std::string>& fields);

// The body of a NewOrderSingle: limit Buy 10 `symbol` at `price`, DAY,
// account ACC1, ClOrdID `id`.
std::string Order(const std::string& id, const std::string& symbol,
                  const std::string& price);

}  // namespace fixgw::testing
