#include "gateway/fixreplay/replay_state.h"

#include <gtest/gtest.h>

#include <string>

#include "gateway/fixreplay/render.h"
#include "gateway/fixreplay/replay_test_util.h"

namespace fixgw::replay {
namespace {

using testing::At;
using testing::kB1;
using testing::Scenario;
using testing::TempJournal;

constexpr const char* kLimits = testing::kScenarioLimits;

class ReplayStateTest : public ::testing::Test {
 protected:
  void Write(bool with_limits) {
    Scenario s(tmp_.path());
    if (with_limits) {
      s.Event(gw::RiskLimitsLoaded{"risk.toml", kLimits}, -1);
    }
    s.WriteAll();
  }
  ReplayedState At_(int64_t ms) {
    auto journal = store::Journal::OpenReadOnly(tmp_.path());
    EXPECT_TRUE(journal.ok()) << journal.status().message();
    auto state = ReplayState(**journal, At(ms));
    EXPECT_TRUE(state.ok()) << state.status().message();
    return std::move(*state);
  }
  static std::vector<std::string> Open(const ReplayedState& s) {
    std::vector<std::string> out;
    for (const auto& o : s.orders) {
      if (!IsTerminal(o.status)) {
        out.push_back(o.cl_ord_id + ":" + std::string(Name(o.status)) + ":" +
                      FormatQty(o.leaves_qty));
      }
    }
    return out;
  }
  static std::string Money(Notional n) {
    return risk::FormatPx(Price::FromMicros(n.micros()));
  }

  TempJournal tmp_;
};

TEST_F(ReplayStateTest, BeforeTheFirstEntryNothingIsKnown) {
  Write(false);
  ReplayedState s = At_(-5);
  EXPECT_EQ(s.last_seq, 0);
  EXPECT_EQ(s.events_applied, 0);
  EXPECT_TRUE(s.orders.empty());
  EXPECT_TRUE(s.risk.state().accounts.empty());
}

TEST_F(ReplayStateTest, OpenOrdersPositionsAndCashAtSeveralMoments) {
  Write(true);
  // 15 ms: o1 acknowledged, 1000 @ 99 reserved.
  ReplayedState s = At_(15);
  EXPECT_EQ(Open(s), std::vector<std::string>{"o1:New:1000"});
  const auto& acc1 = s.risk.state().accounts.at("ACC1");
  EXPECT_EQ(Money(acc1.reserved), "99000.00");
  EXPECT_EQ(acc1.open_orders, 1);
  EXPECT_EQ(Money(s.risk.Cash("ACC1")), "1000000.00");

  // 25 ms: replaced by o1r, 800 @ 99.50.
  s = At_(25);
  EXPECT_EQ(Open(s), std::vector<std::string>{"o1r:New:800"});
  EXPECT_EQ(Money(s.risk.state().accounts.at("ACC1").reserved), "79600.00");

  // 32 ms: 300 traded at 99.50; s1 (ACC2) filled.
  s = At_(32);
  EXPECT_EQ(Open(s), std::vector<std::string>{"o1r:PartiallyFilled:500"});
  const auto& a1 = s.risk.state().accounts.at("ACC1");
  EXPECT_EQ(a1.symbols.at("AAPL").position, Qty(300));
  EXPECT_EQ(Money(a1.net_cash), "-29850.00");
  EXPECT_EQ(Money(a1.reserved), "49750.00");
  EXPECT_EQ(Money(s.risk.Cash("ACC1")), "970150.00");
  const auto& a2 = s.risk.state().accounts.at("ACC2");
  EXPECT_EQ(a2.symbols.at("AAPL").position, Qty(-300));
  EXPECT_EQ(Money(a2.net_cash), "29850.00");
  EXPECT_EQ(a2.open_orders, 0);

  // 45 ms: o1r canceled: nothing reserved, the position stays.
  s = At_(45);
  EXPECT_TRUE(Open(s).empty());
  EXPECT_EQ(s.risk.state().accounts.at("ACC1").symbols.at("AAPL").position,
            Qty(300));
  EXPECT_EQ(Money(s.risk.state().accounts.at("ACC1").reserved), "0.00");

  // The end: m1 open for ACC2.
  s = At_(1000);
  EXPECT_EQ(Open(s), std::vector<std::string>{"m1:New:100"});
  EXPECT_EQ(Money(s.risk.state().accounts.at("ACC2").reserved), "25000.00");
  EXPECT_EQ(s.risk_errors, 0u) << s.last_risk_error;
}

TEST_F(ReplayStateTest, TheTimeIsInclusiveAndEntriesAfterItAreNotApplied) {
  Write(false);
  ReplayedState at = At_(32);
  ReplayedState before = At_(31);
  EXPECT_GT(at.last_seq, before.last_seq);
  auto journal = store::Journal::OpenReadOnly(tmp_.path());
  ASSERT_TRUE(journal.ok());
  int64_t last_at_32 = 0;
  ASSERT_TRUE((*journal)
                  ->ForEach(0,
                            [&](const store::JournalEntry& e) {
                              if (e.time <= At(32)) last_at_32 = e.seq;
                              return true;
                            })
                  .ok());
  EXPECT_EQ(at.last_seq, last_at_32);
}

TEST_F(ReplayStateTest, RendersTheStateInEachFormat) {
  Write(true);
  ReplayedState s = At_(32);
  const std::string text = RenderState(Format::kText, s, {});
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "as of 2026-11-26T18:50:14.032000Z: journal entries up to seq " +
                std::to_string(s.last_seq) + ", " +
                std::to_string(s.events_applied) + " events applied");
  EXPECT_NE(text.find("account ACC1 cash=970150.00 net_cash=-29850.00 "
                      "reserved=49750.00 available=920400.00 open_orders=1\n"
                      "  position AAPL position=300 open_buy=500 "
                      "open_sell=0\n"
                      "  order symbol=AAPL session=FIX.4.4:GW->BROKER1 "
                      "cl_ord_id=o1r exch_cl_ord_id=GW-2 order_id=X-GW-2 "
                      "side=Buy ord_type=Limit tif=Day qty=800 price=99.50 "
                      "cum_qty=300 leaves_qty=500 avg_px=99.50 "
                      "status=PartiallyFilled\n"),
            std::string::npos)
      << text;

  const std::string csv = RenderState(Format::kCsv, s, {});
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "as_of,record,account,symbol,session,cl_ord_id,exch_cl_ord_id,"
            "order_id,side,ord_type,tif,qty,price,cum_qty,leaves_qty,avg_px,"
            "status,pending,position,open_buy,open_sell,cash,net_cash,"
            "reserved,available,open_orders");
  EXPECT_NE(csv.find("2026-11-26T18:50:14.032000Z,position,ACC2,AAPL,,,,,,,,"
                     ",,,,,,,-300,0,0,,,,,\n"),
            std::string::npos)
      << csv;

  const std::string json = RenderState(Format::kJson, s, {});
  EXPECT_NE(json.find(R"({"as_of":"2026-11-26T18:50:14.032000Z",)"
                      R"("record":"account","account":"ACC2",)"
                      R"("cash":"1029850.00","net_cash":"29850.00",)"
                      R"("reserved":"0.00","available":"1029850.00",)"
                      R"("open_orders":0})"
                      "\n"),
            std::string::npos)
      << json;

  StateFilter only_acc2;
  only_acc2.account = "ACC2";
  const std::string acc2 = RenderState(Format::kText, s, only_acc2);
  EXPECT_EQ(acc2.find("ACC1"), std::string::npos) << acc2;
  EXPECT_NE(acc2.find("account ACC2"), std::string::npos) << acc2;

  StateFilter broker1;
  broker1.session = "BROKER1";
  const std::string b1 = RenderState(Format::kText, s, broker1);
  EXPECT_EQ(b1.find("ACC2"), std::string::npos) << b1;
  EXPECT_NE(b1.find("cl_ord_id=o1r"), std::string::npos) << b1;
}

TEST_F(ReplayStateTest, UnknownKindsAreSkippedAndCounted) {
  {
    Scenario s(tmp_.path());
    s.Event(gw::ExchangeSessionChanged{true}, 0);
    store::JournalEntry future;
    future.time = At(1);
    future.kind = "MarketHalted";
    future.payload = R"({"kind":"MarketHalted"})";
    ASSERT_TRUE(s.writer().Raw(future).ok());
    ASSERT_TRUE(s.writer().Flush().ok());
  }
  ReplayedState s = At_(10);
  EXPECT_EQ(s.unknown_kinds, 1);
  EXPECT_EQ(s.first_unknown, "entry 2 of kind 'MarketHalted'");
  EXPECT_EQ(s.events_applied, 1);
}

TEST_F(ReplayStateTest, AnEventThatDoesNotDecodeIsAnErrorNamingTheEntry) {
  {
    Scenario s(tmp_.path());
    s.Event(gw::ExchangeSessionChanged{true}, 0);
    store::JournalEntry broken;
    broken.time = At(1);
    broken.kind = "NewOrderAccepted";
    broken.session = kB1;
    broken.payload = R"({"kind":"NewOrderAccepted","session":"x"})";
    ASSERT_TRUE(s.writer().Raw(broken).ok());
    ASSERT_TRUE(s.writer().Flush().ok());
  }
  auto journal = store::Journal::OpenReadOnly(tmp_.path());
  ASSERT_TRUE(journal.ok());
  auto state = ReplayState(**journal, At(10));
  ASSERT_FALSE(state.ok());
  EXPECT_NE(state.status().message().find("entry 2"), std::string::npos)
      << state.status().message();
}

}  // namespace
}  // namespace fixgw::replay
