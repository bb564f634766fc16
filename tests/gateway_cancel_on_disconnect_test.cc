// Cancel-on-disconnect end to end: fixgw in front of fixsim, raw-socket
// FIX 4.4 brokers (exact bytes, nothing of QuickFIX's). BROKER1's session
// has CancelOnDisconnect=Y, BROKER2's has not. When BROKER1 drops its
// connection or logs out and stays away for its delay, fixsim gets one
// OrderCancelRequest per open order of BROKER1 and nothing else; when it
// logs back on it gets one Canceled report per order (by resend). A
// reconnect within the delay cancels nothing, a SIGTERM drain and the
// restart after it cancel nothing, and a kill -9 of fixgw while the timer runs, or right after it
// fired, neither loses nor repeats a cancel.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <memory>
#include <set>
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

constexpr const char* kCodEntries =
    "SELECT count(*) FROM journal WHERE kind='CancelOnDisconnectFired'";

class GatewayCancelOnDisconnectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
  }

  // BROKER1 cancels on disconnect after `delay` seconds; BROKER2 does not.
  void Configure(int delay) {
    cluster_.broker_session_extra_for["BROKER1"] =
        "CancelOnDisconnect=Y\nCancelOnDisconnectDelaySeconds=" +
        std::to_string(delay) + "\n";
  }

  std::string Log() { return ClusterLog(cluster_); }

  // Logs `broker` on (reset) and places the orders, each acknowledged.
  void LogonAndOrder(Broker& broker,
                     const std::vector<std::vector<std::string>>& orders) {
    ASSERT_EQ(fixgw::testing::LogonAndOrder(broker, orders), "") << Log();
  }

  // Starts fixgw; BROKER1 places o1 (GWT-1) and o2 (GWT-2), BROKER2 p1
  // (GWT-3); then both connections drop without a Logout, and BROKER1's
  // timer is armed.
  void OrdersThenBothDrop() {
    std::string error;
    ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
    {
      Broker b1(cluster_.gateway_port(), "BROKER1");
      Broker b2(cluster_.gateway_port(), "BROKER2");
      LogonAndOrder(b1, {{"o1", "AAPL", "100"}, {"o2", "MSFT", "250"}});
      LogonAndOrder(b2, {{"p1", "AAPL", "100"}});
    }
    ASSERT_TRUE(cluster_.WaitForGatewayLog(
        "GW->BROKER1: cancel-on-disconnect armed (disconnect)", 1, seconds(5)))
        << Log();
  }

  // Cancels fixsim received for the order it knows as `exch_id`.
  int SimCancels(const std::string& exch_id) {
    return SimLines(cluster_.SimMessages(), {"35=F", "41=" + exch_id});
  }
  int SimCancels() { return SimLines(cluster_.SimMessages(), {"35=F"}); }
  // Waits until fixsim got at least `n` cancels in all.
  bool WaitSimCancels(int n, milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (SimCancels() < n) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return true;
  }

  // Logs BROKER1 back on at `seq` (no reset) and asks for everything the
  // gateway sent it since its first logon; waits for a Canceled report of
  // each of `ids`. Returns the broker, for counting.
  std::unique_ptr<Broker> Return(int seq, const std::vector<std::string>& ids) {
    auto broker = std::make_unique<Broker>(cluster_.gateway_port());
    EXPECT_TRUE(broker->Logon(seq, /*reset=*/false));
    EXPECT_TRUE(broker->WaitFor({"35=A"})) << broker->Transcript() << Log();
    EXPECT_TRUE(broker->Send("2", seq + 1, "7=2|16=0|"));
    for (const std::string& id : ids) {
      EXPECT_TRUE(
          broker->WaitFor({"35=8", "11=" + id, "150=4", "39=4"}, seconds(10)))
          << id << "\n"
          << broker->Transcript() << Log();
    }
    // Anything sent twice would arrive by now.
    std::this_thread::sleep_for(milliseconds(500));
    return broker;
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
};

TEST_F(GatewayCancelOnDisconnectTest,
       ADroppedConnectionCancelsTheSessionsOrdersAfterTheDelay) {
  Configure(2);
  OrdersThenBothDrop();
  if (HasFatalFailure()) return;
  // Not before the delay...
  std::this_thread::sleep_for(milliseconds(1000));
  EXPECT_EQ(SimCancels(), 0) << Log();
  // ... then one cancel per order of BROKER1.
  ASSERT_TRUE(WaitSimCancels(2, seconds(10))) << Log();
  EXPECT_TRUE(cluster_.WaitForGatewayLog(
      "cancel-on-disconnect fired session=FIX.4.4:GW->BROKER1 "
      "reason=disconnect delay=2 s: 2 order(s) to cancel",
      1, seconds(5)))
      << Log();
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_EQ(SimCancels("GWT-1"), 1) << Log();
  EXPECT_EQ(SimCancels("GWT-2"), 1) << Log();
  // BROKER2 (no CancelOnDisconnect) is away too: its order stays.
  EXPECT_EQ(SimCancels("GWT-3"), 0) << Log();
  EXPECT_EQ(SimCancels(), 2) << Log();
  EXPECT_EQ(cluster_.JournalCount(kCodEntries), 1);

  // Back: each Canceled report exactly once, saying why.
  auto b1 = Return(4, {"o1", "o2"});
  for (const char* id : {"o1", "o2"}) {
    EXPECT_EQ(
        DeliveredSeqs(*b1, {"35=8", std::string("11=") + id, "150=4"}).size(), 1u)
        << b1->Transcript();
  }
  // Unsolicited (no OrigClOrdID), with the reason in Text.
  const std::string transcript = b1->Transcript();
  EXPECT_EQ(Occurrences(transcript,
                        "|58=canceled on disconnect (disconnect, "
                        "not back within 2 s)|"),
            2)
      << transcript;
  EXPECT_EQ(Occurrences(transcript, "|150=4|"), 2) << transcript;
  EXPECT_EQ(Occurrences(transcript, "|41="), 0) << transcript;
  EXPECT_EQ(cluster_.GatewayLogCount("cancel-on-disconnect fired"), 1) << Log();
  EXPECT_NE(cluster_
                .AdminRaw("GET", "/metrics",
                          {{"Authorization", cluster_.AdminBearer()}})
                .body.find("fixgw_cancel_on_disconnect_orders_total 2"),
            std::string::npos);
}

TEST_F(GatewayCancelOnDisconnectTest,
       ReconnectingWithinTheDelayCancelsNothing) {
  Configure(3);
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  {
    Broker b1(cluster_.gateway_port(), "BROKER1");
    LogonAndOrder(b1, {{"o1", "AAPL", "100"}});
  }
  ASSERT_TRUE(
      cluster_.WaitForGatewayLog("cancel-on-disconnect armed", 1, seconds(5)))
      << Log();
  std::this_thread::sleep_for(milliseconds(500));
  Broker b1(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(b1.Logon(3, /*reset=*/false));
  ASSERT_TRUE(b1.WaitFor({"35=A"})) << b1.Transcript() << Log();
  EXPECT_TRUE(cluster_.WaitForGatewayLog(
      "GW->BROKER1: cancel-on-disconnect disarmed", 1, seconds(2)))
      << Log();
  // Well past the delay: nothing cancelled, the order is live.
  std::this_thread::sleep_for(milliseconds(3500));
  EXPECT_EQ(SimCancels(), 0) << Log();
  EXPECT_EQ(cluster_.JournalCount(kCodEntries), 0);
  EXPECT_EQ(b1.Count({"35=8", "150=4"}, milliseconds(0)), 0) << b1.Transcript();
  ASSERT_TRUE(b1.Next("H", "11=o1|54=1|55=AAPL|"));
  auto status = b1.WaitFor({"35=8", "11=o1", "150=I"}, seconds(5));
  ASSERT_TRUE(status) << b1.Transcript();
  EXPECT_EQ(Field(*status, 39), "0");
}

TEST_F(GatewayCancelOnDisconnectTest, ALogoutCancelsToo) {
  Configure(0);
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  {
    Broker b1(cluster_.gateway_port(), "BROKER1");
    LogonAndOrder(b1, {{"o1", "AAPL", "100"}, {"o2", "AAPL", "99"}});
    ASSERT_TRUE(b1.Next("5", ""));
    ASSERT_TRUE(b1.WaitFor({"35=5"}, seconds(5))) << b1.Transcript() << Log();
    b1.WaitClosed(seconds(2));
  }
  ASSERT_TRUE(WaitSimCancels(2, seconds(5))) << Log();
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_EQ(SimCancels("GWT-1"), 1) << Log();
  EXPECT_EQ(SimCancels("GWT-2"), 1) << Log();
  EXPECT_EQ(cluster_.JournalCount(kCodEntries), 1);
  EXPECT_EQ(cluster_.JournalCount("SELECT count(*) FROM journal WHERE "
                                  "kind='CancelOnDisconnectFired' AND session="
                                  "'FIX.4.4:GW->BROKER1' AND payload LIKE "
                                  "'%\"reason\":\"logout\"%'"),
            1);

  auto b1 = Return(5, {"o1", "o2"});
  for (const char* id : {"o1", "o2"}) {
    EXPECT_EQ(
        DeliveredSeqs(*b1, {"35=8", std::string("11=") + id, "150=4"}).size(), 1u)
        << b1->Transcript();
  }
  // The audit trail has the decision and the orders it cancelled.
  const Ran trail = RunCapturing({FIXREPLAY_BIN, cluster_.journal()},
                                 dir_.path() + "/trail", seconds(30));
  EXPECT_EQ(trail.rc, 0) << trail.err;
  EXPECT_NE(trail.out.find("session gone (logout), not back within 0 s; 2 "
                           "order(s) canceled at the exchange: o1, o2"),
            std::string::npos)
      << trail.out;
}

TEST_F(GatewayCancelOnDisconnectTest,
       ABrokerThatResetsSeesTheCancelsThroughMassStatus) {
  Configure(0);
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  {
    Broker b1(cluster_.gateway_port(), "BROKER1");
    LogonAndOrder(b1, {{"o1", "AAPL", "100"}});
  }
  ASSERT_TRUE(WaitSimCancels(1, seconds(5))) << Log();
  ASSERT_TRUE(cluster_.WaitForGatewayLog("ExecType=Canceled", 1, seconds(5)))
      << Log();
  // A logon with ResetSeqNumFlag discards what was stored for the broker;
  // OrderMassStatusRequest (all orders) still says the order is canceled.
  Broker b1(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(b1.Logon(1, /*reset=*/true));
  ASSERT_TRUE(b1.WaitFor({"35=A"})) << b1.Transcript() << Log();
  ASSERT_TRUE(b1.Next("AF", "584=ms1|585=7|"));
  auto status = b1.WaitFor({"35=8", "584=ms1", "11=o1"}, seconds(5));
  ASSERT_TRUE(status) << b1.Transcript() << Log();
  EXPECT_EQ(Field(*status, 150), "I");
  EXPECT_EQ(Field(*status, 39), "4");
  EXPECT_EQ(Field(*status, 151), "0");
}

TEST_F(GatewayCancelOnDisconnectTest,
       ASigtermDrainAndTheRestartAfterItCancelNothing) {
  Configure(0);
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  {
    Broker b1(cluster_.gateway_port(), "BROKER1");
    LogonAndOrder(b1, {{"o1", "AAPL", "100"}});
    // The drain logs BROKER1 out itself: that is no disconnect of the
    // broker's.
    cluster_.gateway().Signal(SIGTERM);
    auto rc = cluster_.gateway().Wait(seconds(30));
    ASSERT_TRUE(rc.has_value()) << Log();
    EXPECT_EQ(*rc, 0) << Log();
  }
  EXPECT_EQ(SimCancels(), 0) << Log();
  EXPECT_EQ(cluster_.JournalCount(kCodEntries), 0);
  // Armed at its (first) start only, never by the drain's logout.
  EXPECT_EQ(cluster_.GatewayLogCount("cancel-on-disconnect armed (restart)"), 1)
      << Log();
  EXPECT_EQ(cluster_.GatewayLogCount("cancel-on-disconnect armed"), 1) << Log();

  // The restart after a clean stop arms nothing: with a delay of 0 the
  // order would be cancelled as soon as the exchange is up if it did.
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  ASSERT_TRUE(cluster_.WaitForGatewayLog(
      "cancel-on-disconnect not armed at start: the last run stopped cleanly",
      1, seconds(5)))
      << Log();
  std::this_thread::sleep_for(milliseconds(1500));  // 15 ticks of the timer
  EXPECT_EQ(SimCancels(), 0) << Log();
  EXPECT_EQ(cluster_.JournalCount(kCodEntries), 0);

  // Once the broker comes and goes again, its order is cancelled.
  {
    Broker b1(cluster_.gateway_port(), "BROKER1");
    ASSERT_TRUE(b1.Logon(1, /*reset=*/true));
    ASSERT_TRUE(b1.WaitFor({"35=A"})) << b1.Transcript() << Log();
  }  // the connection drops
  ASSERT_TRUE(WaitSimCancels(1, seconds(5))) << Log();
  EXPECT_EQ(
      cluster_.JournalCount("SELECT count(*) FROM journal WHERE "
                            "kind='CancelOnDisconnectFired' AND payload LIKE "
                            "'%\"reason\":\"disconnect\"%'"),
      1);
}

TEST_F(GatewayCancelOnDisconnectTest,
       AKillWhileTheTimerRunsCancelsOnceAfterTheRestart) {
  Configure(3);
  OrdersThenBothDrop();
  if (HasFatalFailure()) return;
  std::string error;
  // The timer runs (3 s): kill -9.
  cluster_.gateway().Signal(SIGKILL);
  ASSERT_TRUE(cluster_.gateway().Wait(seconds(10)).has_value());
  EXPECT_EQ(cluster_.JournalCount(kCodEntries), 0);

  // Restarted, the gateway counts BROKER1 as away from now on.
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  ASSERT_TRUE(cluster_.WaitForGatewayLog(
      "GW->BROKER1: cancel-on-disconnect armed (restart)", 1, seconds(5)))
      << Log();
  std::this_thread::sleep_for(milliseconds(1000));
  EXPECT_EQ(SimCancels(), 0) << Log();
  ASSERT_TRUE(WaitSimCancels(2, seconds(10))) << Log();

  // Killed again right after, and restarted: nothing is cancelled twice.
  cluster_.gateway().Signal(SIGKILL);
  ASSERT_TRUE(cluster_.gateway().Wait(seconds(10)).has_value());
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  std::this_thread::sleep_for(milliseconds(4500));  // past the delay again
  EXPECT_EQ(SimCancels("GWT-1"), 1) << Log();
  EXPECT_EQ(SimCancels("GWT-2"), 1) << Log();
  EXPECT_EQ(SimCancels("GWT-3"), 0) << Log();  // BROKER2's, untouched
  EXPECT_EQ(cluster_.JournalCount(kCodEntries), 1);

  // BROKER1 returns: every report once.
  auto b1 = Return(4, {"o1", "o2"});
  for (const char* id : {"o1", "o2"}) {
    EXPECT_EQ(
        DeliveredSeqs(*b1, {"35=8", std::string("11=") + id, "150=4"}).size(), 1u)
        << b1->Transcript();
    EXPECT_EQ(
        DeliveredSeqs(*b1, {"35=8", std::string("11=") + id, "150=0"}).size(), 1u)
        << b1->Transcript();
  }
}

// kill -9 of fixgw at a crash point (gateway/fixgw/crash_point.h) as the
// cancel-on-disconnect fires: right after its journal commit (nothing
// sent), and after its first cancel was handed to the exchange session.
class GatewayCancelOnDisconnectCrashTest
    : public GatewayCancelOnDisconnectTest,
      public ::testing::WithParamInterface<const char*> {};

TEST_P(GatewayCancelOnDisconnectCrashTest, EveryOrderCancelledOnce) {
  Configure(0);
  // Two orders hit the point first; the cancel-on-disconnect is the third.
  cluster_.gateway_env = {std::string("FIXGW_CRASH_POINT=") + GetParam() +
                          ":3"};
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  {
    Broker b1(cluster_.gateway_port(), "BROKER1");
    LogonAndOrder(b1, {{"o1", "AAPL", "100"}, {"o2", "AAPL", "99"}});
  }
  ASSERT_TRUE(cluster_.gateway().Wait(seconds(10)).has_value()) << Log();
  EXPECT_TRUE(cluster_.WaitForGatewayLog(
      std::string("crash point ") + GetParam(), 1, seconds(1)))
      << Log();
  EXPECT_EQ(cluster_.JournalCount(kCodEntries), 1);

  cluster_.gateway_env.clear();
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  ASSERT_TRUE(WaitSimCancels(2, seconds(10))) << Log();
  std::this_thread::sleep_for(milliseconds(1000));
  EXPECT_EQ(SimCancels("GWT-1"), 1) << Log();
  EXPECT_EQ(SimCancels("GWT-2"), 1) << Log();
  EXPECT_EQ(cluster_.JournalCount(kCodEntries), 1);

  auto b1 = Return(4, {"o1", "o2"});
  for (const char* id : {"o1", "o2"}) {
    EXPECT_EQ(
        DeliveredSeqs(*b1, {"35=8", std::string("11=") + id, "150=4"}).size(), 1u)
        << b1->Transcript();
  }
}

INSTANTIATE_TEST_SUITE_P(Points, GatewayCancelOnDisconnectCrashTest,
                         ::testing::Values("after-journal", "after-send"),
                         [](const auto& param_info) {
                           return CrashPointTestName(param_info.param);
                         });

}  // namespace
}  // namespace fixgw::testing
