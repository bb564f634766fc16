// OrderMassCancelRequest (35=q) end to end: a raw-socket FIX 4.4 broker
// (exact bytes, BodyLength and CheckSum computed by the harness, nothing
// of QuickFIX's) sends the standard message to fixgw in front of fixsim.
// It gets one OrderMassCancelReport (35=r) listing the orders it cancels,
// then one Canceled ExecutionReport per order as fixsim confirms; fixsim
// gets one OrderCancelRequest per order; other orders and the other
// session's are untouched; fixreplay shows the request. And across a
// SIGKILL of fixgw before or after the request is journaled: every order
// cancelled exactly once at fixsim, one 35=r and one cancel per order for
// the broker.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <set>
#include <sstream>
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

class GatewayMassCancelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
  }

  std::string Log() { return ClusterLog(cluster_); }

  // Logs `broker` on (reset) and places the orders, each acknowledged.
  void LogonAndOrder(Broker& broker,
                     const std::vector<std::vector<std::string>>& orders) {
    ASSERT_EQ(fixgw::testing::LogonAndOrder(broker, orders), "") << Log();
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
};

TEST_F(GatewayMassCancelTest, CancelsTheSymbolsOrdersOfTheSessionAndReports) {
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  Broker b1(cluster_.gateway_port(), "BROKER1");
  Broker b2(cluster_.gateway_port(), "BROKER2");
  LogonAndOrder(b1, {{"o1", "AAPL", "100"},
                     {"o2", "AAPL", "99"},
                     {"o3", "MSFT", "250"}});
  LogonAndOrder(b2, {{"o1", "AAPL", "100"}});

  // The standard message: ClOrdID, MassCancelRequestType 1, Symbol,
  // TransactTime.
  ASSERT_TRUE(b1.Next("q", "11=m1|530=1|55=AAPL|60=" + FixNow() + "|"));
  auto report = b1.WaitFor({"35=r", "11=m1"}, seconds(10));
  ASSERT_TRUE(report) << b1.Transcript() << Log();
  EXPECT_EQ(Field(*report, 530), "1");
  EXPECT_EQ(Field(*report, 531), "1");
  EXPECT_EQ(Field(*report, 533), "2");
  EXPECT_EQ(Field(*report, 534), "2");
  EXPECT_NE(report->find("|41=o1|535="), std::string::npos) << *report;
  EXPECT_NE(report->find("|41=o2|535="), std::string::npos) << *report;
  EXPECT_EQ(report->find("|41=o3|"), std::string::npos) << *report;
  EXPECT_EQ(Field(*report, 37).rfind("GWT-M", 0), 0u) << *report;
  EXPECT_EQ(Field(*report, 532), "");

  for (const char* id : {"o1", "o2"}) {
    auto canceled =
        b1.WaitFor({"35=8", std::string("11=") + id, "150=4", "39=4"},
                   seconds(10));
    ASSERT_TRUE(canceled) << id << "\n" << b1.Transcript() << Log();
    EXPECT_NE(Field(*canceled, 58).find("m1"), std::string::npos) << *canceled;
  }
  // Once each; MSFT and the other session untouched.
  EXPECT_EQ(b1.CountDeliveries({"35=8", "150=4"}, milliseconds(500)), 2)
      << b1.Transcript();
  EXPECT_EQ(b1.Count({"35=r"}, milliseconds(0)), 1);
  EXPECT_EQ(b2.Count({"35=8", "150=4"}, milliseconds(0)), 0)
      << b2.Transcript();
  const std::string sim = cluster_.SimMessages();
  EXPECT_EQ(SimLines(sim, {"35=F"}), 2) << Log();
  EXPECT_EQ(SimLines(sim, {"35=F", "41=GWT-1"}), 1) << Log();
  EXPECT_EQ(SimLines(sim, {"35=F", "41=GWT-2"}), 1) << Log();

  // The orders left are still live: a second request, all orders, takes
  // MSFT's; then nothing is left (TotalAffectedOrders 0).
  ASSERT_TRUE(b1.Next("q", "11=m2|530=7|60=" + FixNow() + "|"));
  report = b1.WaitFor({"35=r", "11=m2"}, seconds(10));
  ASSERT_TRUE(report) << b1.Transcript() << Log();
  EXPECT_EQ(Field(*report, 531), "7");
  EXPECT_EQ(Field(*report, 533), "1");
  EXPECT_NE(report->find("|41=o3|"), std::string::npos) << *report;
  ASSERT_TRUE(b1.WaitFor({"35=8", "11=o3", "150=4"}, seconds(10)))
      << b1.Transcript() << Log();
  ASSERT_TRUE(b1.Next("q", "11=m3|530=7|60=" + FixNow() + "|"));
  report = b1.WaitFor({"35=r", "11=m3"}, seconds(10));
  ASSERT_TRUE(report) << b1.Transcript() << Log();
  EXPECT_EQ(Field(*report, 531), "7");
  EXPECT_EQ(Field(*report, 533), "0");
  EXPECT_EQ(Field(*report, 534), "");
  // BROKER2's order is live all along.
  EXPECT_EQ(b2.Count({"35=8", "150=4"}, milliseconds(200)), 0)
      << b2.Transcript();

  // The audit trail shows the request and what it cancelled.
  const Ran trail = RunCapturing({FIXREPLAY_BIN, cluster_.journal()},
                                 dir_.path() + "/trail", seconds(30));
  EXPECT_EQ(trail.rc, 0) << trail.err;
  EXPECT_NE(trail.out.find("OrderMassCancelRequest"), std::string::npos)
      << trail.out;
  EXPECT_NE(trail.out.find("2 order(s) canceled at the exchange: o1, o2"),
            std::string::npos)
      << trail.out;
  EXPECT_NE(trail.out.find("OrderMassCancelReport"), std::string::npos)
      << trail.out;
}

TEST_F(GatewayMassCancelTest, RefusesWhatItCannotHonour) {
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  Broker b1(cluster_.gateway_port(), "BROKER1");
  LogonAndOrder(b1, {{"o1", "AAPL", "100"}});

  // A type FIX 4.4 defines that fixgw does not honour: report rejected,
  // MassCancelRejectReason 0 (not supported), nothing cancelled.
  ASSERT_TRUE(b1.Next("q", "11=m1|530=4|60=" + FixNow() + "|"));
  auto report = b1.WaitFor({"35=r", "11=m1"}, seconds(10));
  ASSERT_TRUE(report) << b1.Transcript() << Log();
  EXPECT_EQ(Field(*report, 531), "0");
  EXPECT_EQ(Field(*report, 532), "0");
  EXPECT_EQ(Field(*report, 533), "0");
  EXPECT_NE(Field(*report, 58), "");
  // A symbol the gateway does not trade: 532=1.
  ASSERT_TRUE(b1.Next("q", "11=m2|530=1|55=IBM|60=" + FixNow() + "|"));
  report = b1.WaitFor({"35=r", "11=m2"}, seconds(10));
  ASSERT_TRUE(report) << b1.Transcript() << Log();
  EXPECT_EQ(Field(*report, 531), "0");
  EXPECT_EQ(Field(*report, 532), "1");
  // Type 1 without its Symbol (conditionally required): BusinessMessageReject
  // 380=5 naming tag 55.
  ASSERT_TRUE(b1.Next("q", "11=m3|530=1|60=" + FixNow() + "|"));
  auto business = b1.WaitFor({"35=j", "372=q"}, seconds(10));
  ASSERT_TRUE(business) << b1.Transcript() << Log();
  EXPECT_EQ(Field(*business, 380), "5");
  EXPECT_NE(Field(*business, 58).find("(55)"), std::string::npos) << *business;
  // TransactTime missing (required): session Reject 373=1 naming tag 60.
  ASSERT_TRUE(b1.Next("q", "11=m4|530=7|"));
  auto reject = b1.WaitFor({"35=3", "372=q"}, seconds(10));
  ASSERT_TRUE(reject) << b1.Transcript() << Log();
  EXPECT_EQ(Field(*reject, 373), "1");
  EXPECT_EQ(Field(*reject, 371), "60");
  // A reused ClOrdID: 532=99.
  ASSERT_TRUE(b1.Next("q", "11=o1|530=7|60=" + FixNow() + "|"));
  report = b1.WaitFor({"35=r", "11=o1"}, seconds(10));
  ASSERT_TRUE(report) << b1.Transcript() << Log();
  EXPECT_EQ(Field(*report, 532), "99");

  // None of it touched the order; fixsim got no cancel.
  EXPECT_EQ(b1.Count({"35=8", "150=4"}, milliseconds(300)), 0)
      << b1.Transcript();
  EXPECT_EQ(SimLines(cluster_.SimMessages(), {"35=F"}), 0) << Log();

  // The exchange down: refused (532=99), nothing queued.
  cluster_.sim().Signal(SIGKILL);
  ASSERT_TRUE(cluster_.WaitForGatewayLog("->SIM logged out", 1,
                                         seconds(10)))
      << Log();
  ASSERT_TRUE(b1.Next("q", "11=m5|530=7|60=" + FixNow() + "|"));
  report = b1.WaitFor({"35=r", "11=m5"}, seconds(10));
  ASSERT_TRUE(report) << b1.Transcript() << Log();
  EXPECT_EQ(Field(*report, 531), "0");
  EXPECT_EQ(Field(*report, 532), "99");
  EXPECT_NE(Field(*report, 58).find("exchange session is down"),
            std::string::npos);
}

// kill -9 of fixgw at a crash point (gateway/fixgw/crash_point.h) while it
// handles the request: before its journal commit, after it (nothing
// sent), and after the first cancel was handed to the exchange session.
class GatewayMassCancelCrashTest
    : public GatewayMassCancelTest,
      public ::testing::WithParamInterface<const char*> {};

TEST_P(GatewayMassCancelCrashTest, EveryOrderCancelledOnceAcrossTheCrash) {
  const std::string point = GetParam();
  // Two orders hit the point first (each D is journaled and sent); the
  // request is the third.
  cluster_.gateway_env = {"FIXGW_CRASH_POINT=" + point + ":3"};
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  // What the broker sent, by MsgSeqNum, to resend after the restart.
  std::map<int, std::pair<std::string, std::string>> sent;
  std::set<std::string> reports, cancels_o1, cancels_o2;
  {
    Broker broker(cluster_.gateway_port());
    LogonAndOrder(broker, {{"o1", "AAPL", "100"}, {"o2", "AAPL", "99"}});
    sent[2] = {"D", Order("o1", "AAPL", "100")};
    sent[3] = {"D", Order("o2", "AAPL", "99")};
    sent[4] = {"q", "11=m1|530=7|60=" + FixNow() + "|"};
    ASSERT_TRUE(broker.Send("q", 4, sent[4].second));
    ASSERT_TRUE(cluster_.gateway().Wait(seconds(10)).has_value()) << Log();
    EXPECT_TRUE(cluster_.WaitForGatewayLog("crash point " + point, 1,
                                           seconds(1)))
        << Log();
    broker.WaitClosed(milliseconds(500));
    reports = DeliveredSeqs(broker, {"35=r", "11=m1"});
    cancels_o1 = DeliveredSeqs(broker, {"35=8", "11=o1", "150=4"});
    cancels_o2 = DeliveredSeqs(broker, {"35=8", "11=o2", "150=4"});
  }

  cluster_.gateway_env.clear();
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  Broker broker(cluster_.gateway_port());
  ASSERT_TRUE(broker.Logon(5, /*reset=*/false));
  ASSERT_TRUE(broker.WaitFor({"35=A"})) << broker.Transcript() << Log();
  // The gateway asks again for what it did not journal (before-journal:
  // the request): resent with PossDupFlag; the Logon is gap-filled.
  if (auto resend = broker.WaitFor({"35=2"}, milliseconds(1000))) {
    const int begin = std::stoi(Field(*resend, 7));
    for (int seq = begin; seq <= 5; ++seq) {
      const std::string dup = "43=Y|122=" + FixNow() + "|";
      if (sent.contains(seq)) {
        ASSERT_TRUE(broker.Send(sent[seq].first, seq, sent[seq].second, dup));
      } else {
        ASSERT_TRUE(broker.Send("4", seq,
                                "123=Y|36=" + std::to_string(seq + 1) + "|",
                                dup));
      }
    }
  }
  // Everything the gateway stored for the broker since its Logon (seq 1),
  // the report included if it was stored before the crash.
  ASSERT_TRUE(broker.Send("2", 6, "7=2|16=0|"));
  ASSERT_TRUE(broker.WaitFor({"35=r", "11=m1"}, seconds(10)))
      << broker.Transcript() << Log();
  ASSERT_TRUE(broker.WaitFor({"35=8", "11=o1", "150=4"}, seconds(10)))
      << broker.Transcript() << Log();
  ASSERT_TRUE(broker.WaitFor({"35=8", "11=o2", "150=4"}, seconds(10)))
      << broker.Transcript() << Log();
  std::this_thread::sleep_for(milliseconds(1000));
  for (const std::string& s : DeliveredSeqs(broker, {"35=r", "11=m1"})) {
    reports.insert(s);
  }
  for (const std::string& s : DeliveredSeqs(broker, {"35=8", "11=o1", "150=4"})) {
    cancels_o1.insert(s);
  }
  for (const std::string& s : DeliveredSeqs(broker, {"35=8", "11=o2", "150=4"})) {
    cancels_o2.insert(s);
  }
  EXPECT_EQ(reports.size(), 1u) << broker.Transcript();
  EXPECT_EQ(cancels_o1.size(), 1u) << broker.Transcript();
  EXPECT_EQ(cancels_o2.size(), 1u) << broker.Transcript();

  const std::string sim = cluster_.SimMessages();
  EXPECT_EQ(SimLines(sim, {"35=F", "41=GWT-1"}), 1) << Log();
  EXPECT_EQ(SimLines(sim, {"35=F", "41=GWT-2"}), 1) << Log();
  EXPECT_EQ(cluster_.JournalCount("SELECT count(*) FROM journal WHERE "
                                  "kind='MassCancelRequested'"),
            1);
}

INSTANTIATE_TEST_SUITE_P(Points, GatewayMassCancelCrashTest,
                         ::testing::Values("before-journal", "after-journal",
                                           "after-send"),
                         [](const auto& param_info) {
                           return CrashPointTestName(param_info.param);
                         });

}  // namespace
}  // namespace fixgw::testing
