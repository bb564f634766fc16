// libFuzzer: bytes from a broker's socket -> QuickFIX framing, parsing and
// dictionary validation -> fixgw's decode -> OrderRouter Decide/Apply with
// a risk engine (fuzz_support.h). A stream may hold several messages, so
// sequences (an order, then its cancel or replace) are reached too.
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fixgw::fuzz::Gateway gw;
  fixgw::fuzz::FeedStream(gw, fixgw::fuzz::Peer::kBroker, data, size);
  return 0;
}
