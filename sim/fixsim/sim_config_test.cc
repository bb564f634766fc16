#include "sim/fixsim/sim_config.h"

#include <gtest/gtest.h>

namespace fixgw::sim {
namespace {

using Keys = std::map<std::string, std::string>;

TEST(SimConfigTest, ParsesEveryKey) {
  auto config = ParseSimConfig(
      Keys{{"INSTRUMENTS", "AAPL:0.01:187.50,MSFT:0.05:402.10"},
           {"SEED", "42"},
           {"LIQUIDITYLEVELS", "5"},
           {"LIQUIDITYFIRSTOFFSETTICKS", "2"},
           {"LIQUIDITYSPACINGTICKS", "3"},
           {"LIQUIDITYMINQTY", "10"},
           {"LIQUIDITYMAXQTY", "20"},
           {"REJECTRATIO", "0.25"},
           {"ACKDELAYMS", "150"},
           {"DROPAFTERMESSAGES", "7"},
           {"IDPREFIX", "X-"},
           {"REQUESTLEDGER", "/tmp/ledger"}},
      "sim.cfg", "default-");
  ASSERT_TRUE(config.ok()) << config.status().message();
  const EngineOptions& e = config->engine;
  ASSERT_EQ(e.instruments.size(), 2u);
  EXPECT_EQ(e.instruments[1].symbol, "MSFT");
  EXPECT_EQ(e.instruments[1].tick_size, ParsePrice("0.05").value());
  EXPECT_EQ(e.instruments[1].reference_price, ParsePrice("402.10").value());
  EXPECT_EQ(e.seed, 42u);
  EXPECT_EQ(e.liquidity.levels, 5);
  EXPECT_EQ(e.liquidity.first_offset_ticks, 2);
  EXPECT_EQ(e.liquidity.level_spacing_ticks, 3);
  EXPECT_EQ(e.liquidity.min_qty, Qty(10));
  EXPECT_EQ(e.liquidity.max_qty, Qty(20));
  EXPECT_EQ(e.reject_per_million, 250'000u);
  EXPECT_EQ(config->faults.ack_delay, std::chrono::milliseconds(150));
  EXPECT_EQ(config->faults.drop_after_messages, 7);
  EXPECT_EQ(e.id_prefix, "X-");
  EXPECT_EQ(config->request_ledger, "/tmp/ledger");
}

TEST(SimConfigTest, IdPrefixDefaultsToTheGivenOne) {
  auto config = ParseSimConfig(Keys{{"INSTRUMENTS", "AAPL:0.01:100"}},
                               "sim.cfg", "T123-");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->engine.id_prefix, "T123-");
}

struct BadCase {
  Keys keys;
  std::string must_mention;
};

class SimConfigErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(SimConfigErrorTest, ErrorNamesFileAndKey) {
  auto config = ParseSimConfig(GetParam().keys, "sim.cfg");
  ASSERT_FALSE(config.ok());
  const std::string& msg = config.status().message();
  EXPECT_NE(msg.find("sim.cfg"), std::string::npos) << msg;
  EXPECT_NE(msg.find(GetParam().must_mention), std::string::npos) << msg;
}

const Keys kOk = {{"INSTRUMENTS", "AAPL:0.01:100"}};
Keys With(std::string key, std::string value) {
  Keys k = kOk;
  k[std::move(key)] = std::move(value);
  return k;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SimConfigErrorTest,
    ::testing::Values(
        BadCase{Keys{}, "Instruments"},
        BadCase{Keys{{"INSTRUMENTS", "AAPL"}}, "Instruments"},
        BadCase{Keys{{"INSTRUMENTS", "AAPL:0:100"}}, "tick size"},
        BadCase{Keys{{"INSTRUMENTS", "AAPL:0.05:100.01"}}, "multiple"},
        BadCase{Keys{{"INSTRUMENTS", "AAPL:0.01:1,AAPL:0.01:2"}}, "twice"},
        BadCase{With("SEED", "-1"), "Seed"},
        BadCase{With("SEED", "abc"), "Seed"},
        BadCase{With("REJECTRATIO", "1.5"), "RejectRatio"},
        BadCase{With("REJECTRATIO", "0.0000001"), "RejectRatio"},
        BadCase{With("ACKDELAYMS", "99999999"), "AckDelayMs"},
        BadCase{With("LIQUIDITYSPACINGTICKS", "0"), "LiquiditySpacingTicks"},
        BadCase{With("COLOUR", "blue"), "COLOUR"}));

TEST(SimConfigTest, LiquidityBoundsMustBeOrdered) {
  Keys k = With("LIQUIDITYLEVELS", "3");
  k["LIQUIDITYMINQTY"] = "500";
  k["LIQUIDITYMAXQTY"] = "100";
  auto config = ParseSimConfig(k, "sim.cfg");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("LiquidityMinQty"),
            std::string::npos);
}

}  // namespace
}  // namespace fixgw::sim
