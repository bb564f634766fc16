// libFuzzer: bytes from the exchange's socket (ExecutionReports 8 and
// OrderCancelRejects 9, parsed and validated as QuickFIX does) into a
// router that holds live orders GW-1..GW-4, one with a replace pending
// (GW-5) and one with a cancel pending (GW-6).
#include "tests/fuzz/fuzz_support.h"

#include "gateway/core/decimal.h"

namespace {

using fixgw::fuzz::Gateway;

void Order(Gateway& gw, const char* id, const char* account,
           const char* symbol, fixgw::Side side, int64_t qty,
           const char* price) {
  fixgw::NewOrder o;
  o.cl_ord_id = id;
  o.account = account;
  o.symbol = symbol;
  o.side = side;
  o.qty = fixgw::Qty(qty);
  if (price != nullptr) {
    o.price = *fixgw::ParsePrice(price);
  } else {
    o.ord_type = fixgw::OrdType::kMarket;
  }
  const fixgw::Timestamp at = gw.Tick();
  fixgw::fuzz::ApplyChecked(
      gw, gw.router.DecideNewOrder(fixgw::fuzz::kBroker, o, at), at);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Gateway gw;
  Order(gw, "b1", "ACC1", "AAPL", fixgw::Side::kBuy, 100, "100.00");  // GW-1
  Order(gw, "s1", "ACC1", "AAPL", fixgw::Side::kSell, 50, "101.00");  // GW-2
  Order(gw, "m1", "ACC2", "AAPL", fixgw::Side::kBuy, 10, nullptr);    // GW-3
  Order(gw, "x1", "ACC1", "MSFT", fixgw::Side::kSellShort, 20, "250.00");
  fixgw::ReplaceRequest r;  // b1 -> 150 @ 99.50 under GW-5
  r.cl_ord_id = "b1r";
  r.orig_cl_ord_id = "b1";
  r.account = "ACC1";
  r.symbol = "AAPL";
  r.side = fixgw::Side::kBuy;
  r.qty = fixgw::Qty(150);
  r.price = *fixgw::ParsePrice("99.50");
  fixgw::Timestamp at = gw.Tick();
  fixgw::fuzz::ApplyChecked(
      gw, gw.router.DecideReplace(fixgw::fuzz::kBroker, r, at), at);
  fixgw::CancelRequest c;  // s1 canceled under GW-6
  c.cl_ord_id = "s1c";
  c.orig_cl_ord_id = "s1";
  c.symbol = "AAPL";
  c.side = fixgw::Side::kSell;
  at = gw.Tick();
  fixgw::fuzz::ApplyChecked(gw, gw.router.DecideCancel(fixgw::fuzz::kBroker, c),
                            at);
  fixgw::fuzz::FeedStream(gw, fixgw::fuzz::Peer::kExchange, data, size);
  return 0;
}
