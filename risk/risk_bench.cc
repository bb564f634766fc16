// CheckNewOrder on a realistic state: 50 accounts, 200 symbols, 2000 open
// orders and positions; the checked order passes, so every check runs.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "risk/risk_engine.h"

namespace fixgw::risk {
namespace {

RiskEngine MakeEngine() {
  std::string toml =
      "[defaults.account]\ncash = \"100000000\"\n"
      "max_open_orders = 1000\nmax_long = 10000000\n"
      "max_short = 10000000\nshort_selling = true\n"
      "max_short_qty = 100000\n"
      "restricted_symbols = [\"R1\", \"R2\"]\n"
      "[defaults.session]\nallowed_accounts = [\"*\"]\n"
      "orders_per_second = 1000000\nburst = 1000000\n";
  for (int s = 0; s < 200; ++s) {
    toml +=
        "[symbols.SYM" + std::to_string(s) + "]\nreference_price = \"100\"\n";
  }
  for (int a = 0; a < 50; ++a) {
    toml += "[accounts.ACC" + std::to_string(a) + "]\nmax_order_qty = 5000\n";
  }
  RiskEngine engine(*ParseRiskLimits(toml, "bench.toml"));
  const Timestamp t0 = Timestamp(std::chrono::seconds(1'700'000'000));
  for (int i = 0; i < 2000; ++i) {
    OrderTerms o{.session = "FIX.4.4:GW->BROKER" + std::to_string(i % 4),
                 .account = "ACC" + std::to_string(i % 50),
                 .symbol = "SYM" + std::to_string((i * 7) % 200),
                 .side = i % 3 == 0 ? Side::kSell : Side::kBuy,
                 .ord_type = OrdType::kLimit,
                 .qty = Qty(100 + i % 400),
                 .price = Price::FromUnits(95 + i % 10)};
    const std::string key = "ORD" + std::to_string(i);
    (void)engine.OrderAccepted(key, o, t0);
    if (i % 2 == 0) (void)engine.Filled(key, Qty(50), Price::FromUnits(100));
  }
  return engine;
}

void BM_CheckNewOrder(benchmark::State& state) {
  static const RiskEngine engine = MakeEngine();
  const OrderTerms order{.session = "FIX.4.4:GW->BROKER1",
                         .account = "ACC17",
                         .symbol = "SYM42",
                         .side = Side::kBuy,
                         .ord_type = OrdType::kLimit,
                         .qty = Qty(300),
                         .price = Price::FromMicros(101'250'000)};
  const Timestamp at = Timestamp(std::chrono::seconds(1'700'000'001));
  for (auto _ : state) {
    auto r = engine.CheckNewOrder(order, at);
    benchmark::DoNotOptimize(r);
    if (r) state.SkipWithError(r->text.c_str());
  }
}
BENCHMARK(BM_CheckNewOrder);

// Times every call (steady_clock overhead included, ~20 ns) to report the
// per-check median and p99.
void BM_CheckNewOrderPercentiles(benchmark::State& state) {
  static const RiskEngine engine = MakeEngine();
  const OrderTerms order{.session = "FIX.4.4:GW->BROKER2",
                         .account = "ACC33",
                         .symbol = "SYM99",
                         .side = Side::kSell,
                         .ord_type = OrdType::kLimit,
                         .qty = Qty(300),
                         .price = Price::FromMicros(99'750'000)};
  const Timestamp at = Timestamp(std::chrono::seconds(1'700'000'001));
  std::vector<int64_t> ns;
  ns.reserve(1 << 20);
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto r = engine.CheckNewOrder(order, at);
    benchmark::DoNotOptimize(r);
    const auto end = std::chrono::steady_clock::now();
    if (ns.size() < ns.capacity()) ns.push_back((end - start).count());
  }
  std::sort(ns.begin(), ns.end());
  auto at_pct = [&](size_t pct) { return ns[ns.size() * pct / 100]; };
  // A label, not counters: counters are floating point, and risk/ holds
  // no floating point at all.
  if (!ns.empty()) {
    state.SetLabel("p50_ns=" + std::to_string(at_pct(50)) +
                   " p99_ns=" + std::to_string(at_pct(99)));
  }
}
BENCHMARK(BM_CheckNewOrderPercentiles);

}  // namespace
}  // namespace fixgw::risk

BENCHMARK_MAIN();
