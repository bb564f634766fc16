// Exactly-once at the three moments a crash hurts most (FIXGW_CRASH_POINT,
// gateway/fixgw/crash_point.h): after journaling a broker order before
// sending it, after sending it before the exchange answers, and after
// journaling the exchange's report before relaying it. fixgw dies by
// SIGKILL at the point, restarts from its journal and its session stores
// (in the journal's file), and the broker reconnects without a sequence
// reset. Each time the exchange gets the order exactly once and the broker
// gets the acknowledgement exactly once. And the outbox: a journaled
// message its session never stored is sent at the next start, once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <sstream>
#include <thread>

#include "tests/harness/broker.h"
#include "tests/harness/cluster.h"
#include "tests/harness/order_flow.h"
#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// fixsim running; fixgw started by each test. `Base` is ::testing::Test or
// a parameterised test.
template <class Base>
class RecoveryFixture : public Base {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
  }

  std::string Log() {
    return "--- fixgw log:\n" + ReadFile(cluster_.gateway_log()) +
           "--- fixsim messages:\n" + cluster_.SimMessages();
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
};

using GatewayRecoveryTest =
    RecoveryFixture<::testing::TestWithParam<const char*>>;
using GatewayOutboxTest = RecoveryFixture<::testing::Test>;

TEST_P(GatewayRecoveryTest, OrderAndAckCrossTheCrashExactlyOnce) {
  const std::string point = GetParam();
  cluster_.gateway_env = {"FIXGW_CRASH_POINT=" + point + ":1"};
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  {
    Broker broker(cluster_.gateway_port());
    ASSERT_TRUE(broker.Logon(1, /*reset=*/true));
    ASSERT_TRUE(broker.WaitFor({"35=A"})) << broker.Transcript();
    ASSERT_TRUE(broker.Send(
        "D", 2,
        "11=o1|1=ACC1|55=MSFT|54=1|60=" + FixNow() +
            "|38=10|40=2|44=100|59=0|"));
    ASSERT_TRUE(cluster_.gateway().Wait(seconds(10)).has_value()) << Log();
    EXPECT_TRUE(cluster_.WaitForGatewayLog("crash point " + point, 1,
                                           seconds(1)))
        << Log();
  }

  cluster_.gateway_env.clear();
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  // The broker comes back without a reset. After a crash at after-journal
  // the gateway has not consumed seq 2 (the order): this Logon takes it,
  // which is fine, the order is in the journal.
  Broker broker(cluster_.gateway_port());
  ASSERT_TRUE(broker.Logon(3, /*reset=*/false));
  ASSERT_TRUE(broker.WaitFor({"35=A"})) << broker.Transcript() << Log();
  // A ResendRequest from the gateway (its inbound sequence number is
  // written lazily, and after-journal never consumed seq 2) gets a gap fill.
  if (auto resend = broker.WaitFor({"35=2"}, milliseconds(500))) {
    broker.Send("4", std::stoi(Field(*resend, 7)), "123=Y|36=4|",
                "43=Y|122=" + FixNow() + "|");
  }
  // The broker asks for everything after the gateway's Logon (seq 1): what
  // the gateway stored but could not deliver while the broker was away.
  ASSERT_TRUE(broker.Send("2", 4, "7=2|16=0|"));
  auto ack = broker.WaitFor({"35=8", "11=o1", "150=0"}, seconds(10));
  ASSERT_TRUE(ack) << broker.Transcript() << Log();
  // Once: the gateway may also resend it (same MsgSeqNum, PossDupFlag) in
  // answer to the ResendRequest above, which a FIX engine delivers once.
  EXPECT_EQ(broker.CountDeliveries({"35=8", "11=o1", "150=0"},
                                   milliseconds(1000)),
            1)
      << broker.Transcript();

  const std::string sim = cluster_.SimMessages();
  EXPECT_EQ(SimLines(sim, {"35=D", "11=GWT-1"}), 1) << Log();
  EXPECT_EQ(cluster_.JournalCount("SELECT count(*) FROM journal WHERE "
                                  "kind='NewOrderAccepted'"),
            1);
}

TEST_F(GatewayOutboxTest, SendsAJournaledOrderItsSessionNeverStoredOnce) {
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  {
    Broker broker(cluster_.gateway_port());
    ASSERT_TRUE(broker.Logon(1, /*reset=*/true));
    ASSERT_TRUE(broker.WaitFor({"35=A"})) << broker.Transcript();
    ASSERT_TRUE(broker.Send("D", 2,
                            "11=o1|1=ACC1|55=MSFT|54=1|60=" + FixNow() +
                                "|38=10|40=2|44=100|59=0|"));
    ASSERT_TRUE(broker.WaitFor({"35=8", "11=o1", "150=0"}, seconds(10)))
        << broker.Transcript() << Log();
  }
  cluster_.gateway().Signal(SIGTERM);
  ASSERT_EQ(cluster_.gateway().Wait(seconds(20)), std::optional<int>(0))
      << Log();

  // As if fixgw had died between the commit and the exchange session's
  // store of the order (one it could not prestore): the journal has the
  // order, the session store lacks its copy.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(cluster_.journal().c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  ASSERT_EQ(
      sqlite3_exec(db, "DELETE FROM fix_message WHERE app_key = 'D:GWT-1'",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  EXPECT_EQ(sqlite3_changes(db), 1);
  sqlite3_close(db);

  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  const std::string sent = "outbox: D:GWT-1 was journaled but never sent";
  EXPECT_TRUE(cluster_.WaitForGatewayLog(sent, 1, seconds(10))) << Log();
  // The exchange got it twice: before the stop, and from the outbox.
  for (int i = 0;
       i < 100 && SimLines(cluster_.SimMessages(), {"35=D", "11=GWT-1"}) < 2;
       ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(SimLines(cluster_.SimMessages(), {"35=D", "11=GWT-1"}), 2) << Log();
  // Only what was missing: not the broker's acknowledgement, and the
  // order only once.
  EXPECT_EQ(cluster_.GatewayLogCount("was journaled but never sent"), 1)
      << Log();
}

INSTANTIATE_TEST_SUITE_P(Points, GatewayRecoveryTest,
                         ::testing::Values("after-journal", "after-send",
                                           "after-report"),
                         [](const auto& param_info) {
                           return CrashPointTestName(param_info.param);
                         });

}  // namespace
}  // namespace fixgw::testing
