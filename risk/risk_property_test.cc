// Randomized property test: any sequence of accepted orders, fills,
// replaces and cancels keeps the reservations equal to what the open orders
// imply, and the state equals a from-scratch recomputation.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "risk/risk_engine.h"

namespace fixgw::risk {
namespace {

constexpr const char* kLimits = R"(
[symbols.AAA]
reference_price = "10.25"
[symbols.BBB]
reference_price = "250"
collar_ticks = 7
[symbols.CCC]
reference_price = "0.0375"
)";

struct Accepted {
  OrderKey key;
  OrderTerms terms;
};
struct Replace {
  OrderKey key;
  OrderKey new_key;
  Qty qty;
  std::optional<Price> price;
};
// A replace sent (pending) and later answered (confirmed or rejected).
struct Request {
  OrderKey key;
  Qty qty;
  std::optional<Price> price;
};
struct Answer {
  OrderKey key;
  bool confirmed = false;
};
struct Fill {
  OrderKey key;
  Qty qty;
  Price px;
};
struct Finish {
  OrderKey key;
};
using Event = std::variant<Accepted, Replace, Request, Answer, Fill, Finish>;

const Timestamp kT0 = Timestamp(std::chrono::seconds(1'700'000'000));

void Apply(RiskEngine& e, const Event& ev) {
  Status st;
  if (const auto* a = std::get_if<Accepted>(&ev)) {
    st = e.OrderAccepted(a->key, a->terms, kT0);
  } else if (const auto* r = std::get_if<Replace>(&ev)) {
    st = e.Replaced(r->key, r->new_key, r->qty, r->price, kT0);
  } else if (const auto* q = std::get_if<Request>(&ev)) {
    st = e.ReplaceRequested(q->key, q->qty, q->price, kT0);
  } else if (const auto* ans = std::get_if<Answer>(&ev)) {
    st = ans->confirmed ? e.ReplaceConfirmed(ans->key)
                        : e.ReplaceRejected(ans->key);
  } else if (const auto* f = std::get_if<Fill>(&ev)) {
    st = e.Filled(f->key, f->qty, f->px);
  } else {
    st = e.Done(std::get<Finish>(ev).key);
  }
  ASSERT_TRUE(st.ok()) << st.message();
}

// Independent model: plain integers, recomputed from the event list.
struct ModelOrder {
  std::string account, symbol;
  bool buy = true;
  int64_t qty = 0, cum = 0, px = 0;  // px: reservation price in micros
  // A pending replace: the requested terms; qty/px above are then the
  // worse of old and new, and old_* the confirmed ones.
  bool pending = false;
  int64_t old_qty = 0, old_px = 0, new_qty = 0, new_px = 0;
};

TEST(RiskProperty, ReservationsAndStateMatchRecomputationAfterRandomEvents) {
  const RiskLimits limits = *ParseRiskLimits(kLimits, "property.toml");
  RiskEngine engine(limits);
  std::mt19937_64 rng(20240504);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const std::vector<std::string> accounts = {"ACC1", "ACC2", "ACC3"};
  const std::vector<std::string> symbols = {"AAA", "BBB", "CCC"};
  std::vector<Event> events;
  std::map<OrderKey, ModelOrder> open;
  std::map<std::string, int64_t> net_cash;
  std::map<std::pair<std::string, std::string>, int64_t> position;
  int next_key = 0;

  for (int step = 0; step < 20'000; ++step) {
    const int64_t dice = pick(0, 99);
    Event ev;
    if (open.empty() || dice < 35) {
      OrderTerms t;
      t.session = "S" + std::to_string(pick(1, 2));
      t.account = accounts[static_cast<size_t>(pick(0, 2))];
      t.symbol = symbols[static_cast<size_t>(pick(0, 2))];
      t.side = pick(0, 1) ? Side::kBuy : Side::kSell;
      t.ord_type = pick(0, 4) == 0 ? OrdType::kMarket : OrdType::kLimit;
      t.qty = Qty(pick(1, 1000));
      if (t.ord_type == OrdType::kLimit) {
        t.price = Price::FromMicros(pick(1, 500'000'000));
      }
      ModelOrder m{
          t.account,
          t.symbol,
          IsBuy(t.side),
          t.qty.units(),
          0,
          engine.ReservePrice(t.symbol, t.ord_type, t.price)->micros()};
      const OrderKey key = "K" + std::to_string(next_key++);
      open[key] = m;
      ev = Accepted{key, t};
    } else {
      auto it = open.begin();
      std::advance(it, pick(0, static_cast<int64_t>(open.size()) - 1));
      ModelOrder& m = it->second;
      const OrderKey key = it->first;
      if (dice < 70) {
        const int64_t leaves = m.qty - m.cum;
        // Sometimes an overfill: cash and position move in full.
        const int64_t q = pick(1, leaves + (dice < 40 ? 5 : 0));
        const int64_t px = pick(1, 500'000'000);
        const int64_t cash = q * px;
        net_cash[m.account] += m.buy ? -cash : cash;
        position[{m.account, m.symbol}] += m.buy ? q : -q;
        m.cum += q;
        if (m.cum >= m.qty) open.erase(it);
        ev = Fill{key, Qty(q), Price::FromMicros(px)};
      } else if (m.pending) {
        // Answer the pending replace.
        const bool confirmed = pick(0, 1) == 1;
        m.pending = false;
        m.qty = confirmed ? m.new_qty : m.old_qty;
        m.px = confirmed ? m.new_px : m.old_px;
        if (m.cum >= m.qty) open.erase(it);
        ev = Answer{key, confirmed};
      } else if (dice < 78) {
        // Request a replace; answered by a later step.
        const int64_t q = pick(1, 1200);
        std::optional<Price> price;
        const bool market =
            engine.state().orders.at(key).ord_type == OrdType::kMarket;
        if (!market && pick(0, 3) != 0) {
          price = Price::FromMicros(pick(1, 500'000'000));
        }
        m.pending = true;
        m.old_qty = m.qty;
        m.old_px = m.px;
        m.new_qty = q;
        m.new_px = price ? price->micros() : m.px;
        m.qty = std::max(m.old_qty, m.new_qty);
        m.px = std::max(m.old_px, m.new_px);
        ev = Request{key, Qty(q), price};
      } else if (dice < 85) {
        const int64_t q = pick(1, 1200);
        std::optional<Price> price;
        if (m.px != 0 && pick(0, 3) != 0) {
          price = Price::FromMicros(pick(1, 500'000'000));
        }
        const OrderKey new_key =
            pick(0, 1) ? key : "K" + std::to_string(next_key++);
        ModelOrder moved = m;
        moved.qty = q;
        // Limit orders take the new price; market orders keep reference
        // + collar (limits do not change in this test).
        if (price) moved.px = price->micros();
        open.erase(it);
        if (moved.cum < moved.qty) open[new_key] = moved;
        ev = Replace{key, new_key, Qty(q), price};
      } else {
        open.erase(it);
        ev = Finish{key};
      }
    }
    // Market orders are sent with no price; keep the model consistent.
    if (auto* r = std::get_if<Replace>(&ev)) {
      if (engine.state().orders.at(r->key).ord_type == OrdType::kMarket) {
        r->price.reset();
        if (open.count(r->new_key)) {
          open[r->new_key].px =
              engine.state().orders.at(r->key).reserve_price.micros();
        }
      }
    }
    events.push_back(ev);
    ASSERT_NO_FATAL_FAILURE(Apply(engine, ev));
  }

  const RiskState& s = engine.state();
  // Orders: the same keys, leaves and reservations as the model.
  ASSERT_EQ(s.orders.size(), open.size());
  std::map<std::string, AccountState> expected;
  for (const auto& [key, m] : open) {
    const auto it = s.orders.find(key);
    ASSERT_NE(it, s.orders.end()) << key;
    const int64_t leaves = m.qty - m.cum;
    EXPECT_EQ(it->second.leaves_qty, Qty(leaves)) << key;
    const int64_t reserved = m.buy ? leaves * m.px : 0;
    EXPECT_EQ(it->second.reserved.micros(), reserved) << key;
    AccountState& a = expected[m.account];
    a.reserved = Notional::FromMicros(a.reserved.micros() + reserved);
    ++a.open_orders;
    SymbolExposure& e = a.symbols[m.symbol];
    (m.buy ? e.open_buy : e.open_sell) += Qty(leaves);
  }
  for (const auto& [acc, cash] : net_cash) {
    expected[acc].net_cash = Notional::FromMicros(cash);
  }
  for (const auto& [k, pos] : position) {
    expected[k.first].symbols[k.second].position = Qty(pos);
  }
  // Compare ignoring all-zero entries (the engine keeps touched ones).
  for (const auto& acc : accounts) {
    const AccountState& got =
        s.accounts.count(acc) ? s.accounts.at(acc) : AccountState{};
    const AccountState& want = expected[acc];
    EXPECT_EQ(got.net_cash, want.net_cash) << acc;
    EXPECT_EQ(got.reserved, want.reserved) << acc;
    EXPECT_EQ(got.open_orders, want.open_orders) << acc;
    int64_t sum_reserved = 0;
    for (const auto& [key, o] : s.orders) {
      if (o.account == acc) sum_reserved += o.reserved.micros();
    }
    EXPECT_EQ(got.reserved.micros(), sum_reserved) << acc;
    for (const auto& sym : symbols) {
      EXPECT_EQ(engine.Exposure(acc, sym), want.symbols.count(sym)
                                               ? want.symbols.at(sym)
                                               : SymbolExposure{})
          << acc << " " << sym;
    }
  }
  // Replaying the journal from scratch rebuilds the identical state.
  RiskEngine replay(limits);
  for (const Event& ev : events) ASSERT_NO_FATAL_FAILURE(Apply(replay, ev));
  EXPECT_EQ(replay.state(), engine.state());
  EXPECT_GT(events.size(), 10'000u);
}

}  // namespace
}  // namespace fixgw::risk
