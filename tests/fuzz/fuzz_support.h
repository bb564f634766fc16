// Shared pieces of the libFuzzer harnesses (tests/fuzz/): the inbound FIX
// path of fixgw without sockets, as QuickFIX's session and fixgw's
// GatewayApplication run it. Only built with FIXGW_FUZZ=ON (clang).
//
// FeedStream() splits raw bytes into messages the way QuickFIX's socket
// reader does (FIX::Parser), parses each with the project's dictionary and
// validates it as Session::next does, then hands the valid application
// messages to the same decode (gateway/fix/convert) and OrderRouter
// Decide/Apply calls as GatewayApplication::FromBroker / FromExchange.
// Every event is also encoded as its journal payload and decoded back
// (recovery depends on that round trip) and every outgoing message is
// encoded as FIX. Anything that goes wrong without an error value aborts,
// so libFuzzer reports it. Not thread-safe: one harness thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "gateway/core/types.h"
#include "gateway/fix/quickfix.h"
#include "gateway/router/order_router.h"
#include "risk/risk_engine.h"

namespace fixgw::fuzz {

inline const std::string kBroker = "FIX.4.4:GW->BROKER1";

// The dictionary every fixgw session loads (fixspec/FIX44.xml), loaded once.
const FIX::DataDictionary& Dictionary();

// Risk limits like the examples: two symbols, two accounts with limits a
// fuzzed order can hit, a throttled session.
const risk::RiskLimits& ExampleLimits();

// A router with a risk engine over ExampleLimits(), the exchange session up.
struct Gateway {
  Gateway();
  risk::RiskEngine risk;
  gw::OrderRouter router;
  int64_t clock_ms = 0;  // advanced per message: the time passed in
  Timestamp Tick();
};

enum class Peer { kBroker, kExchange };

// Feeds `data` as bytes read from a `peer` session's socket. At most
// `max_messages` messages are taken from the stream.
void FeedStream(Gateway& gw, Peer peer, const uint8_t* data, size_t size,
                int max_messages = 64);

// Applies `event`, encodes what it sends and checks that its journal
// payload decodes back to the same payload; aborts otherwise.
void ApplyChecked(Gateway& gw, const gw::JournalEvent& event, Timestamp at);

}  // namespace fixgw::fuzz
