// libFuzzer: risk-file text (TOML) -> risk::ParseRiskLimits. Limits that
// parse are put to work: an engine checks and accepts an order with them.
#include <string_view>

#include "risk/limits.h"
#include "risk/risk_engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto limits = fixgw::risk::ParseRiskLimits(text, "fuzz.toml");
  if (!limits.ok()) return 0;
  fixgw::risk::RiskEngine engine(*limits);
  for (const auto& [symbol, symbol_limits] : limits->symbols) {
    fixgw::risk::OrderTerms order;
    order.session = "FIX.4.4:GW->BROKER1";
    order.account = limits->accounts.empty() ? "ACC1"
                                             : limits->accounts.begin()->first;
    order.symbol = symbol;
    order.qty = fixgw::Qty(1);
    order.price = symbol_limits.CollarHigh();
    (void)symbol_limits.CollarLow();
    const fixgw::Timestamp at{};
    if (!engine.CheckNewOrder(order, at)) {
      (void)engine.OrderAccepted("K-" + symbol, order, at);
    }
  }
  return 0;
}
