// Drop copy end to end: fixgw in front of fixsim, raw-socket FIX 4.4
// brokers (tests/harness/broker.h: exact bytes, nothing of QuickFIX's) and
// raw-socket drop-copy consumers (acceptor sessions with Role=dropcopy).
// Each consumer gets one copy of every report its configuration covers, in
// the order the owning broker got them; one that was away gets what it
// missed by resend, nothing twice; the same across a kill -9 of fixgw
// while a consumer is behind; orders on a drop-copy session are refused
// with 35=j; fixreplay --session lists what a drop copy received.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/harness/broker.h"
#include "tests/harness/cluster.h"
#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string Order(const std::string& id, const std::string& account,
                  const std::string& side, const std::string& price) {
  return "11=" + id + "|1=" + account + "|55=AAPL|54=" + side + "|60=" +
         FixNow() + "|38=10|40=2|44=" + price + "|59=0|";
}

// "<MsgType> <ExecID or ClOrdID>" of each report (35=8) and cancel reject
// (35=9) in `messages`, in order.
std::vector<std::string> Reports(const std::vector<std::string>& messages) {
  std::vector<std::string> out;
  for (const std::string& m : messages) {
    const std::string line = "|" + m;
    const std::string type = Field(line, 35);
    if (type == "8") out.push_back("8 " + Field(line, 17));
    if (type == "9") out.push_back("9 " + Field(line, 11));
  }
  return out;
}

// The delivered reports of `peer` (one per MsgSeqNum).
std::vector<std::string> DeliveredReports(Broker& peer) {
  return Reports(Deliveries(peer.Received(), {}));
}

// Of `reports`, those in `of` (keeping the order of `reports`).
std::vector<std::string> Only(const std::vector<std::string>& reports,
                              const std::vector<std::string>& of) {
  std::vector<std::string> out;
  for (const std::string& r : reports) {
    if (std::find(of.begin(), of.end(), r) != of.end()) out.push_back(r);
  }
  return out;
}

int MaxSeq(Broker& peer) {
  int max = 0;
  for (const std::string& m : peer.Received()) {
    const std::string seq = Field("|" + m, 34);
    if (!seq.empty()) max = std::max(max, std::stoi(seq));
  }
  return max;
}

class GatewayDropCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.brokers = {"BROKER1", "BROKER2", "DROPALL", "DROPACC2"};
    cluster_.broker_session_extra_for["BROKER2"] = "DefaultAccount=ACC2\n";
    cluster_.broker_session_extra_for["DROPALL"] = "Role=dropcopy\n";
    cluster_.broker_session_extra_for["DROPACC2"] =
        "Role=dropcopy\nDropCopyAccounts=ACC2\n";
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
  }

  std::string Log() {
    return "--- fixgw log:\n" + ReadFile(cluster_.gateway_log()) +
           "--- fixsim messages:\n" + cluster_.SimMessages();
  }

  void LogOn(Broker& peer, int seq = 1, bool reset = true) {
    ASSERT_TRUE(peer.Logon(seq, reset));
    ASSERT_TRUE(peer.WaitFor({"35=A"})) << peer.Transcript() << Log();
  }

  // `peer` sends an order and waits for its acknowledgement.
  void Place(Broker& peer, const std::string& id, const std::string& account,
             const std::string& side, const std::string& price) {
    ASSERT_TRUE(peer.Next("D", Order(id, account, side, price)));
    ASSERT_TRUE(peer.WaitFor({"35=8", "11=" + id, "150=0"}, seconds(10)))
        << peer.Transcript() << Log();
  }

  // After a reconnect (Logon `logon_seq`, no reset) asks for everything
  // after `last_seen` and waits until `n` reports were delivered in all.
  void CatchUp(Broker& peer, int logon_seq, int last_seen) {
    LogOn(peer, logon_seq, /*reset=*/false);
    ASSERT_TRUE(peer.Send("2", logon_seq + 1,
                          "7=" + std::to_string(last_seen + 1) + "|16=0|"));
  }

  // Waits (bounded) until `peer` holds `n` delivered reports.
  void WaitForReports(Broker& peer, size_t n, const std::string& what) {
    for (int i = 0; i < 100 && DeliveredReports(peer).size() < n; ++i) {
      std::this_thread::sleep_for(milliseconds(100));
    }
    ASSERT_GE(DeliveredReports(peer).size(), n)
        << what << "\n" << peer.Transcript() << Log();
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
};

TEST_F(GatewayDropCopyTest, EveryReportIsCopiedOnceInOrderToTheDropCopiesThatCoverIt) {
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  Broker all(cluster_.gateway_port(), "DROPALL");
  Broker acc2(cluster_.gateway_port(), "DROPACC2");
  Broker b1(cluster_.gateway_port(), "BROKER1");
  Broker b2(cluster_.gateway_port(), "BROKER2");
  LogOn(all);
  LogOn(acc2);
  LogOn(b1);
  LogOn(b2);
  // BROKER1 buys for ACC1, BROKER2 sells for ACC2 at the same price: both
  // fill. Then a cancel, a refused cancel and an order the gateway refuses.
  Place(b1, "b1-o1", "ACC1", "1", "100");
  Place(b2, "b2-o1", "ACC2", "2", "100");
  ASSERT_TRUE(b1.WaitFor({"35=8", "11=b1-o1", "39=2"}, seconds(10)))
      << b1.Transcript() << Log();
  ASSERT_TRUE(b2.WaitFor({"35=8", "11=b2-o1", "39=2"}, seconds(10)))
      << b2.Transcript() << Log();
  Place(b2, "b2-o2", "ACC2", "1", "90");
  ASSERT_TRUE(b2.Next("F", "11=b2-c2|41=b2-o2|55=AAPL|54=1|60=" + FixNow() +
                               "|38=10|"));
  ASSERT_TRUE(b2.WaitFor({"35=8", "11=b2-c2", "150=4"}, seconds(10)))
      << b2.Transcript() << Log();
  ASSERT_TRUE(b1.Next("F", "11=b1-c9|41=nope|55=AAPL|54=1|60=" + FixNow() +
                               "|38=10|"));
  ASSERT_TRUE(b1.WaitFor({"35=9", "11=b1-c9"}, seconds(10)))
      << b1.Transcript() << Log();
  ASSERT_TRUE(b1.Next("D", Order("b1-bad", "ACC1", "1", "100").replace(
                               Order("b1-bad", "ACC1", "1", "100").find("55=AAPL"),
                               7, "55=IBM")));
  ASSERT_TRUE(b1.WaitFor({"35=8", "11=b1-bad", "150=8"}, seconds(10)))
      << b1.Transcript() << Log();

  std::this_thread::sleep_for(milliseconds(500));
  const std::vector<std::string> r1 = DeliveredReports(b1);
  const std::vector<std::string> r2 = DeliveredReports(b2);
  ASSERT_GE(r1.size(), 4u) << b1.Transcript();  // ack, fill, 9, reject
  ASSERT_GE(r2.size(), 4u) << b2.Transcript();  // ack, fill, ack, cancel
  WaitForReports(all, r1.size() + r2.size(), "DROPALL");
  WaitForReports(acc2, r2.size(), "DROPACC2");
  std::this_thread::sleep_for(milliseconds(300));

  // DROPALL: each broker's reports, once each, in that broker's order.
  const std::vector<std::string> got = DeliveredReports(all);
  EXPECT_EQ(got.size(), r1.size() + r2.size()) << all.Transcript();
  EXPECT_EQ(Only(got, r1), r1) << all.Transcript() << b1.Transcript();
  EXPECT_EQ(Only(got, r2), r2) << all.Transcript() << b2.Transcript();
  // Nothing is sent twice on the wire either (no resend was asked for).
  EXPECT_EQ(all.Count({"43=Y"}, milliseconds(0)), 0) << all.Transcript();
  // DROPACC2: only ACC2's, which are BROKER2's.
  EXPECT_EQ(DeliveredReports(acc2), r2) << acc2.Transcript();
  // A copy is the broker's report: its ClOrdID, ExecID, Account, plus
  // CopyMsgIndicator.
  auto copy = all.WaitFor({"35=8", "11=b1-o1", "39=2"}, milliseconds(0));
  ASSERT_TRUE(copy) << all.Transcript();
  auto original = b1.WaitFor({"35=8", "11=b1-o1", "39=2"}, milliseconds(0));
  ASSERT_FALSE(original) << "consumed above";
  for (const std::string& m : b1.Received()) {
    const std::string line = "|" + m;
    if (Field(line, 35) == "8" && Field(line, 11) == "b1-o1" &&
        Field(line, 39) == "2") {
      EXPECT_EQ(Field("|" + *copy, 17), Field(line, 17));
      EXPECT_EQ(Field("|" + *copy, 14), Field(line, 14));
      EXPECT_EQ(Field("|" + *copy, 37), Field(line, 37));
    }
  }
  EXPECT_EQ(Field("|" + *copy, 1), "ACC1");
  EXPECT_EQ(Field("|" + *copy, 797), "Y");
  EXPECT_EQ(Field("|" + *copy, 56), "DROPALL");

  // fixreplay --session DROPALL lists the copies.
  const Ran trail =
      RunCapturing({FIXREPLAY_BIN, cluster_.journal(), "--session", "DROPALL",
                    "--format", "csv"},
                   dir_.path() + "/trail", seconds(30));
  EXPECT_EQ(trail.rc, 0) << trail.err;
  for (const std::string& r : got) {
    if (r[0] == '8') {
      EXPECT_NE(trail.out.find(r.substr(2)), std::string::npos)
          << r << "\n" << trail.out;
    }
  }
  EXPECT_EQ(trail.out.find("BROKER1"), std::string::npos) << trail.out;
}

TEST_F(GatewayDropCopyTest, AConsumerThatWasAwayGetsWhatItMissedOnce) {
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  Broker b1(cluster_.gateway_port(), "BROKER1");
  LogOn(b1);
  std::vector<std::string> before;
  int last_seen = 0;
  {
    Broker all(cluster_.gateway_port(), "DROPALL");
    LogOn(all);
    Place(b1, "o1", "ACC1", "1", "100");
    WaitForReports(all, 1, "first copy");
    before = Deliveries(all.Received(), {});
    last_seen = MaxSeq(all);
  }  // DROPALL disconnects
  // Away for certain before the activity it must catch up on.
  ASSERT_TRUE(
      cluster_.WaitForGatewayLog("GW->DROPALL logged out", 1, seconds(5)))
      << Log();
  for (const char* id : {"o2", "o3", "o4"}) Place(b1, id, "ACC1", "1", "99");
  ASSERT_TRUE(b1.Next("F", "11=c2|41=o2|55=AAPL|54=1|60=" + FixNow() +
                               "|38=10|"));
  ASSERT_TRUE(b1.WaitFor({"35=8", "11=c2", "150=4"}, seconds(10)))
      << b1.Transcript() << Log();
  std::this_thread::sleep_for(milliseconds(300));
  const std::vector<std::string> r1 = DeliveredReports(b1);
  ASSERT_EQ(r1.size(), 5u) << b1.Transcript();

  Broker all(cluster_.gateway_port(), "DROPALL");
  CatchUp(all, 2, last_seen);
  WaitForReports(all, r1.size() - 1, "resent copies");
  std::this_thread::sleep_for(milliseconds(500));
  std::vector<std::string> received = before;
  for (const std::string& m : all.Received()) received.push_back(m);
  // Every copy once, in order, across both connections; the missed ones
  // came as resends.
  EXPECT_EQ(Reports(Deliveries(received, {})), r1)
      << "before:\n" << before.size() << "\nafter:\n" << all.Transcript();
  EXPECT_GE(all.Count({"35=8", "43=Y"}, milliseconds(0)), 4)
      << all.Transcript();
}

// kill -9 of fixgw right after the journal took an exchange report (its
// copy journaled, nothing sent) while DROPALL is away and behind; after the
// restart neither BROKER1 nor DROPALL misses or repeats anything.
TEST_F(GatewayDropCopyTest, NothingLostOrRepeatedAcrossAKillWhileBehind) {
  // The acks of o1, o2, o3 are the exchange reports 1..3.
  cluster_.gateway_env = {"FIXGW_CRASH_POINT=after-report:3"};
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  std::vector<std::string> b1_received, dc_received;
  int dc_last_seen = 0;
  int b1_last_seen = 0;
  {
    Broker b1(cluster_.gateway_port(), "BROKER1");
    LogOn(b1);
    {
      Broker all(cluster_.gateway_port(), "DROPALL");
      LogOn(all);
      Place(b1, "o1", "ACC1", "1", "100");
      WaitForReports(all, 1, "first copy");
      dc_received = all.Received();
      dc_last_seen = MaxSeq(all);
    }
    ASSERT_TRUE(
        cluster_.WaitForGatewayLog("GW->DROPALL logged out", 1, seconds(5)))
        << Log();
    Place(b1, "o2", "ACC1", "1", "99");
    ASSERT_TRUE(b1.Next("D", Order("o3", "ACC1", "1", "98")));
    ASSERT_TRUE(cluster_.gateway().Wait(seconds(10)).has_value()) << Log();
    EXPECT_TRUE(cluster_.WaitForGatewayLog("crash point after-report", 1,
                                           seconds(1)))
        << Log();
    b1.WaitClosed(milliseconds(500));
    b1_received = b1.Received();
    b1_last_seen = MaxSeq(b1);
  }

  cluster_.gateway_env.clear();
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  // BROKER1 sent Logon 1 and D 2..4: all journaled (the crash came after
  // the third ack was journaled).
  Broker b1(cluster_.gateway_port(), "BROKER1");
  CatchUp(b1, 5, b1_last_seen);
  Broker all(cluster_.gateway_port(), "DROPALL");
  CatchUp(all, 2, dc_last_seen);
  WaitForReports(b1, 1, "BROKER1 after restart");
  // Business goes on: a fourth order, acked and copied.
  ASSERT_TRUE(b1.Send("D", 7, Order("o4", "ACC1", "1", "97")));
  ASSERT_TRUE(b1.WaitFor({"35=8", "11=o4", "150=0"}, seconds(10)))
      << b1.Transcript() << Log();
  WaitForReports(all, 3, "DROPALL after restart");
  std::this_thread::sleep_for(milliseconds(1000));

  for (const std::string& m : b1.Received()) b1_received.push_back(m);
  for (const std::string& m : all.Received()) dc_received.push_back(m);
  const std::vector<std::string> r1 = Reports(Deliveries(b1_received, {}));
  const std::vector<std::string> dc = Reports(Deliveries(dc_received, {}));
  // One ack per order for the broker, and the same reports, once each and
  // in the same order, for the drop copy.
  for (const char* id : {"o1", "o2", "o3", "o4"}) {
    EXPECT_EQ(Deliveries(b1_received, {"35=8", std::string("11=") + id,
                                       "150=0"})
                  .size(),
              1u)
        << id << "\n" << b1.Transcript() << Log();
    EXPECT_EQ(Deliveries(dc_received, {"35=8", std::string("11=") + id,
                                       "150=0"})
                  .size(),
              1u)
        << id << "\n" << all.Transcript() << Log();
  }
  EXPECT_EQ(r1.size(), 4u) << b1.Transcript();
  EXPECT_EQ(dc, r1) << all.Transcript() << b1.Transcript();
}

TEST_F(GatewayDropCopyTest, RequestsOnADropCopySessionAreRefusedWithBusinessReject) {
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  Broker all(cluster_.gateway_port(), "DROPALL");
  LogOn(all);
  const std::vector<std::pair<std::string, std::string>> requests = {
      {"D", Order("d1", "ACC1", "1", "100")},
      {"F", "11=f1|41=d1|55=AAPL|54=1|60=" + FixNow() + "|38=10|"},
      {"G", "11=g1|41=d1|1=ACC1|55=AAPL|54=1|60=" + FixNow() +
                "|38=20|40=2|44=100|59=0|"},
      {"H", "11=h1|55=AAPL|54=1|"},
      {"q", "11=q1|530=7|60=" + FixNow() + "|"},
      {"AF", "584=af1|585=7|"}};
  int seq = 1;
  for (const auto& [type, body] : requests) {
    ++seq;
    ASSERT_TRUE(all.Send(type, seq, body));
    auto reject =
        all.WaitFor({"35=j", "45=" + std::to_string(seq)}, seconds(10));
    ASSERT_TRUE(reject) << type << "\n" << all.Transcript() << Log();
    EXPECT_EQ(Field(*reject, 372), type);
    EXPECT_EQ(Field(*reject, 380), "3");
    EXPECT_NE(Field(*reject, 58).find("drop-copy session"), std::string::npos)
        << *reject;
  }
  // The session is still up and got nothing else; fixsim got nothing.
  EXPECT_EQ(all.Count({"35=5"}, milliseconds(300)), 0) << all.Transcript();
  EXPECT_EQ(all.Count({"35=8"}, milliseconds(0)), 0) << all.Transcript();
  EXPECT_EQ(cluster_.SimMessages().find("\x01" "35=D\x01"), std::string::npos);
  // The admin API shows the drop copies as such.
  const Cluster::HttpReply sessions = cluster_.Admin("GET", "/sessions");
  EXPECT_EQ(sessions.status, 200) << sessions.body;
  EXPECT_EQ(Occurrences(sessions.body, R"("role":"dropcopy")"), 2)
      << sessions.body;
  EXPECT_EQ(Occurrences(sessions.body, R"("role":"broker")"), 2)
      << sessions.body;
  // Each refusal journaled once, naming the session.
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='RejectSent' AND "
                "session='FIX.4.4:GW->DROPALL'"),
            static_cast<int64_t>(requests.size()))
      << Log();
}

TEST_F(GatewayDropCopyTest, UnknownNamesInTheDropCopyListsStopStartUp) {
  for (const auto& [keys, key] :
       std::vector<std::pair<std::string, std::string>>{
           {"Role=dropcopy\nDropCopyAccounts=ACC9\n", "DropCopyAccounts=ACC9"},
           {"Role=dropcopy\nDropCopySessions=BROKER9\n",
            "DropCopySessions=BROKER9"}}) {
    cluster_.broker_session_extra_for["DROPACC2"] = keys;
    std::string error;
    const std::string config = cluster_.WriteGatewayFiles(&error);
    ASSERT_FALSE(config.empty()) << error;
    const Ran check = RunCapturing({FIXGW_BIN, "--config", config,
                                    "--check-config"},
                                   dir_.path() + "/check", seconds(30));
    EXPECT_EQ(check.rc, 2) << check.err;
    // One line naming the file and the key.
    EXPECT_NE(check.err.find(config + ": session FIX.4.4:GW->DROPACC2: " + key),
              std::string::npos)
        << check.err;
    EXPECT_EQ(std::count(check.err.begin(), check.err.end(), '\n'), 1)
        << check.err;
  }
}

}  // namespace
}  // namespace fixgw::testing
