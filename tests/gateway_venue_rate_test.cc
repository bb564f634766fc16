// MaxMessagesPerSecond / MaxQueuedMessages on a venue's session, end to
// end: a raw-socket FIX 4.4 broker bursts NewOrderSingles at fixgw in front
// of fixsim. What the venue's bucket allows goes at once, what fits in the
// queue follows at the configured rate, the rest is refused with an
// ExecutionReport Rejected saying why: every order gets exactly one answer,
// fixsim never gets more than the rate allows, and the venue takes orders
// again once its queue has drained.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/harness/broker.h"
#include "tests/harness/cluster.h"
#include "tests/harness/order_flow.h"
#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class GatewayVenueRateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.exchange_session_extra =
        "MaxMessagesPerSecond=4\nMaxQueuedMessages=4\n";
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
    ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
};

TEST_F(GatewayVenueRateTest, ABurstIsPacedQueuedThenRefusedWithAnAnswerEach) {
  Broker b(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(b.Logon(1, true));
  ASSERT_TRUE(b.WaitFor({"35=A"}, seconds(5))) << b.Transcript();
  constexpr int kOrders = 20;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1; i <= kOrders; ++i) {
    ASSERT_TRUE(b.Next("D", Order("o" + std::to_string(i), "AAPL", "100")));
  }
  // A cancel decided while the queue is still full is refused too.
  ASSERT_TRUE(
      b.Next("F", "11=c1|41=o1|55=AAPL|54=1|38=10|60=" + FixNow() + "|"));
  auto cancel_reject = b.WaitFor({"35=9", "11=c1"}, seconds(10));
  ASSERT_TRUE(cancel_reject) << b.Transcript() << ClusterLog(cluster_);
  EXPECT_EQ(Field(*cancel_reject, 434), "1") << *cancel_reject;
  EXPECT_NE(Field(*cancel_reject, 58)
                .find("venue SIM is over its message rate (4 a second"),
            std::string::npos)
      << *cancel_reject;
  EXPECT_NE(Field(*cancel_reject, 58).find(": cancel not sent"),
            std::string::npos)
      << *cancel_reject;
  // One answer per order: acknowledged by fixsim, or refused by fixgw.
  int acked = 0, refused = 0;
  auto last_ack = start;
  for (int i = 1; i <= kOrders; ++i) {
    const std::string id = "11=o" + std::to_string(i);
    auto answer = b.WaitFor({"35=8", id}, seconds(10));
    ASSERT_TRUE(answer) << id << "\n" << b.Transcript() << ClusterLog(cluster_);
    if (Field(*answer, 150) == "0") {
      ++acked;
      last_ack = std::chrono::steady_clock::now();
    } else {
      ++refused;
      EXPECT_EQ(Field(*answer, 150), "8") << *answer;
      EXPECT_EQ(Field(*answer, 39), "8") << *answer;
      EXPECT_NE(Field(*answer, 58)
                    .find("venue SIM is over its message rate "
                          "(4 a second"),
                std::string::npos)
          << *answer;
    }
  }
  EXPECT_EQ(b.CountDeliveries({"35=8"}, milliseconds(500)), kOrders)
      << b.Transcript();
  // The bucket (4) goes at once, the queue (4) follows; little refills while
  // the burst is decided.
  EXPECT_GE(acked, 8) << b.Transcript();
  EXPECT_LE(acked, 10) << b.Transcript();
  EXPECT_EQ(acked + refused, kOrders);
  // At 4 a second, the queue's last order left about a second after the
  // first ones.
  EXPECT_GE(last_ack - start, milliseconds(700));
  EXPECT_EQ(SimLines(cluster_.SimMessages(), {"35=D"}), acked)
      << ClusterLog(cluster_);
  EXPECT_EQ(SimLines(cluster_.SimMessages(), {"35=F"}), 0)
      << ClusterLog(cluster_);
  const Cluster::HttpReply metrics = cluster_.Admin("GET", "/metrics");
  EXPECT_NE(
      metrics.body.find("fixgw_venue_rate_refusals_total{venue=\"SIM\"} " +
                        std::to_string(refused + 1)),
      std::string::npos)
      << metrics.body;

  // Drained: the venue takes orders again.
  std::this_thread::sleep_for(milliseconds(1500));
  ASSERT_TRUE(b.Next("D", Order("late", "AAPL", "100")));
  auto late = b.WaitFor({"35=8", "11=late"}, seconds(10));
  ASSERT_TRUE(late) << b.Transcript();
  EXPECT_EQ(Field(*late, 150), "0") << *late;
}

TEST_F(GatewayVenueRateTest, CancelsOfQueuedOrdersFollowThemInOrder) {
  Broker b(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(b.Logon(1, true));
  ASSERT_TRUE(b.WaitFor({"35=A"}, seconds(5))) << b.Transcript();
  // 6 orders: 4 go at once, 2 wait; then a cancel of the last one, which
  // waits behind them and reaches fixsim after its order.
  for (int i = 1; i <= 6; ++i) {
    ASSERT_TRUE(b.Next("D", Order("o" + std::to_string(i), "AAPL", "100")));
  }
  ASSERT_TRUE(
      b.Next("F", "11=c6|41=o6|55=AAPL|54=1|38=10|60=" + FixNow() + "|"));
  auto canceled = b.WaitFor({"35=8", "11=c6", "150=4"}, seconds(10));
  ASSERT_TRUE(canceled) << b.Transcript() << ClusterLog(cluster_);
  for (int i = 1; i <= 5; ++i) {
    EXPECT_TRUE(
        b.WaitFor({"35=8", "11=o" + std::to_string(i), "150=0"}, seconds(5)))
        << i << "\n"
        << b.Transcript();
  }
  EXPECT_EQ(SimLines(cluster_.SimMessages(), {"35=D"}), 6);
  EXPECT_EQ(SimLines(cluster_.SimMessages(), {"35=F"}), 1);
}

}  // namespace
}  // namespace fixgw::testing
