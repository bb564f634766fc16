// fixgw's broker-facing acceptor as a FIX 4.4 session layer, end to end: a
// raw client (exact bytes, any sequence number) on BROKER1 against fixgw with
// fixsim behind it. Logon, TestRequest, sequence gaps and ResendRequest in
// both directions, PossDup resends, garbled input, logout and reconnects;
// and a PossDup resend of an order never reaches the exchange twice, checked
// in the gateway's journal.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <thread>

#include "tests/harness/broker.h"
#include "tests/harness/cluster.h"
#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kWait{3000};
// How long "nothing arrives" is watched for.
constexpr milliseconds kQuiet{700};

// `FixMessage(body)` with a checksum that is off by one.
std::string WithBadChecksum(const std::string& body) {
  std::string msg = FixMessage(body);
  const size_t pos = msg.rfind("10=") + 3;
  const int sum = (std::stoi(msg.substr(pos, 3)) + 1) % 256;
  char digits[8];
  std::snprintf(digits, sizeof digits, "%03d", sum);
  return msg.replace(pos, 3, digits);
}

// A limit buy that rests on the simulator's empty book (a New ack).
std::string Order(const std::string& cl_ord_id) {
  return "11=" + cl_ord_id + "|55=MSFT|54=1|60=" + FixNow() +
         "|38=10|40=2|44=1|59=0|";
}

class GatewaySessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
    ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  }

  // A connected broker whose Logon (seq 1, ResetSeqNumFlag=Y) was answered.
  std::unique_ptr<Broker> LoggedOnBroker() {
    auto broker = std::make_unique<Broker>(cluster_.gateway_port());
    EXPECT_TRUE(broker->connected());
    EXPECT_TRUE(broker->Logon(1, /*reset=*/true));
    EXPECT_TRUE(broker->WaitFor({"35=A"})) << Log(*broker);
    return broker;
  }

  // Waits until the gateway has seen BROKER1's session end `n` times, so
  // that a new connection is not taken for a second one.
  void WaitForBrokerLogouts(int n) {
    auto deadline = std::chrono::steady_clock::now() + seconds(5);
    while (true) {
      std::string log = GatewayLog();
      if (Occurrences(log, "GW->BROKER1 logged out") >= n) return;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline)
          << "BROKER1 not logged out " << n << " times:\n"
          << log;
      std::this_thread::sleep_for(milliseconds(20));
    }
  }

  int64_t JournalCount(const std::string& sql) {
    int64_t n = cluster_.JournalCount(sql);
    EXPECT_GE(n, 0) << sql;
    return n;
  }

  // NewOrderSingles the gateway sent to the exchange for the broker's
  // `cl_ord_id` (mapped through the exchange ClOrdID it was given).
  int64_t OrdersSentToExchange(const std::string& cl_ord_id) {
    return JournalCount(
        "SELECT count(*) FROM journal WHERE kind='SentToExchange' AND "
        "raw_fix LIKE '%|35=D|%' AND exch_cl_ord_id IN (SELECT exch_cl_ord_id "
        "FROM journal WHERE session='FIX.4.4:GW->BROKER1' AND cl_ord_id='" +
        cl_ord_id + "' AND exch_cl_ord_id<>'')");
  }

  // The journal, one entry a line, for failure messages.
  std::string DumpJournal() {
    sqlite3* db = nullptr;
    std::string out;
    sqlite3_open_v2(journal().c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT seq, kind, session, cl_ord_id, exch_cl_ord_id, "
                       "raw_fix FROM journal",
                       -1, &stmt, nullptr);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      for (int i = 0; i < 6; ++i) {
        const unsigned char* t = sqlite3_column_text(stmt, i);
        out += t ? reinterpret_cast<const char*>(t) : "";
        out += " ; ";
      }
      out += "\n";
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }

  int64_t AllOrdersSentToExchange() {
    return JournalCount(
        "SELECT count(*) FROM journal WHERE kind='SentToExchange' AND "
        "raw_fix LIKE '%|35=D|%'");
  }

  std::string Log(Broker& broker) {
    return "received by the broker:\n" + broker.Transcript() +
           "--- fixgw log:\n" + GatewayLog();
  }

  std::string journal() const { return cluster_.journal(); }
  std::string GatewayLog() const { return ReadFile(cluster_.gateway_log()); }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
};

TEST_F(GatewaySessionTest, TestRequestGetsHeartbeatWithTheSameId) {
  auto broker = LoggedOnBroker();
  ASSERT_TRUE(broker->Send("1", 2, "112=abc|"));
  auto hb = broker->WaitFor({"35=0", "112=abc"});
  ASSERT_TRUE(hb) << Log(*broker);
  EXPECT_EQ(Field(*hb, 56), "BROKER1");
}

TEST_F(GatewaySessionTest, SequenceGapTriggersResendRequest) {
  auto broker = LoggedOnBroker();
  // Seq 5 while 2 is expected: queued, and 2 onwards is asked for.
  ASSERT_TRUE(broker->Send("D", 5, Order("q5")));
  auto resend = broker->WaitFor({"35=2", "7=2"});
  ASSERT_TRUE(resend) << Log(*broker);
  EXPECT_EQ(Field(*resend, 16), "0");  // FIX 4.4: "up to the latest"
  EXPECT_EQ(broker->Count({"35=8", "11=q5"}, kQuiet), 0)
      << "a queued message was processed before the gap was filled\n"
      << Log(*broker);

  // The answer: 2..4 were admin messages (gap fill), then 5 again.
  const std::string orig = "43=Y|122=" + FixNow() + "|";
  ASSERT_TRUE(broker->Send("4", 2, "123=Y|36=5|", orig));
  ASSERT_TRUE(broker->Send("D", 5, Order("q5"), orig));
  auto ack = broker->WaitFor({"35=8", "11=q5", "150=0"});
  ASSERT_TRUE(ack) << Log(*broker);
  EXPECT_EQ(broker->Count({"35=8", "11=q5"}, kQuiet), 1) << Log(*broker);
  EXPECT_EQ(OrdersSentToExchange("q5"), 1);

  // In sequence again: 6 is processed at once.
  ASSERT_TRUE(broker->Send("1", 6, "112=after-gap|"));
  EXPECT_TRUE(broker->WaitFor({"35=0", "112=after-gap"})) << Log(*broker);
  EXPECT_EQ(broker->Count({"35=2"}, milliseconds(0)), 1) << Log(*broker);
}

TEST_F(GatewaySessionTest, PossDupResendOfAProcessedOrderIsNotSentTwice) {
  auto broker = LoggedOnBroker();
  ASSERT_TRUE(broker->Send("D", 2, Order("p1")));
  ASSERT_TRUE(broker->WaitFor({"35=8", "11=p1", "150=0"})) << Log(*broker);

  // The session layer's protection: p1 resent under its own (already
  // received) seq 2 with PossDup is dropped by QuickFIX.
  const std::string orig = "43=Y|122=" + FixNow() + "|";
  ASSERT_TRUE(broker->Send("D", 2, Order("p1"), orig));

  // The application's protection: a gap (4 while 3 is expected), and in
  // answer to the ResendRequest p1 again with PossDup under seq 3, as a
  // broker that lost its outbound store would resend it.
  ASSERT_TRUE(broker->Send("1", 4, "112=gap|"));
  ASSERT_TRUE(broker->WaitFor({"35=2", "7=3"})) << Log(*broker);
  ASSERT_TRUE(broker->Send("D", 3, Order("p1"), orig));
  // The queued TestRequest (4) is processed after 3: the session goes on.
  ASSERT_TRUE(broker->WaitFor({"35=0", "112=gap"})) << Log(*broker);

  // And an application-level resend (PossResend=Y, new seq number).
  ASSERT_TRUE(broker->Send("D", 5, Order("p1"), "97=Y|"));

  ASSERT_TRUE(broker->Send("D", 6, Order("p2")));
  ASSERT_TRUE(broker->WaitFor({"35=8", "11=p2", "150=0"})) << Log(*broker);
  EXPECT_EQ(broker->Count({"35=8", "11=p1"}, kQuiet), 1)
      << "a PossDup resend of p1 was answered again\n"
      << Log(*broker);
  EXPECT_EQ(broker->Count({"35=3"}, milliseconds(0)), 0) << Log(*broker);
  EXPECT_EQ(OrdersSentToExchange("p1"), 1)
      << "p1 reached the exchange more than once\n"
      << DumpJournal();
  EXPECT_EQ(OrdersSentToExchange("p2"), 1);
  EXPECT_EQ(AllOrdersSentToExchange(), 2);
  // Both resends under a new seq reached the application and were dropped
  // there (the one under seq 2 never got past QuickFIX).
  EXPECT_EQ(
      Occurrences(GatewayLog(), "resend ignored session=FIX.4.4:GW->BROKER1 ClOrdID=p1:"),
      2)
      << GatewayLog();
  // ... and both are in the audit trail.
  EXPECT_EQ(JournalCount("SELECT count(*) FROM journal WHERE "
                         "kind='ResendIgnored' AND cl_ord_id='p1'"),
            2)
      << DumpJournal();

  // The same ClOrdID without PossDup is a new order reusing an ID: refused.
  ASSERT_TRUE(broker->Send("D", 7, Order("p1")));
  auto dup = broker->WaitFor({"35=8", "11=p1", "150=8"});
  ASSERT_TRUE(dup) << Log(*broker);
  EXPECT_EQ(Field(*dup, 39), "8");
  EXPECT_EQ(Field(*dup, 103), "6");
  EXPECT_EQ(OrdersSentToExchange("p1"), 1);
  EXPECT_EQ(AllOrdersSentToExchange(), 2);
}

TEST_F(GatewaySessionTest, PossDupOfAnUnseenOrderIsProcessed) {
  auto broker = LoggedOnBroker();
  // E.g. resent by a broker after a gateway restart that lost nothing but
  // never saw this order: PossDup only says "maybe", so it is an order.
  ASSERT_TRUE(broker->Send("D", 2, Order("u1"), "43=Y|122=" + FixNow() + "|"));
  ASSERT_TRUE(broker->WaitFor({"35=8", "11=u1", "150=0"})) << Log(*broker);
  ASSERT_TRUE(broker->Send("D", 3, Order("u2"), "97=Y|"));
  ASSERT_TRUE(broker->WaitFor({"35=8", "11=u2", "150=0"})) << Log(*broker);
  EXPECT_EQ(broker->Count({"35=8", "11=u1"}, kQuiet), 1) << Log(*broker);
  EXPECT_EQ(broker->Count({"35=8", "11=u2"}, milliseconds(0)), 1);
  EXPECT_EQ(OrdersSentToExchange("u1"), 1);
  EXPECT_EQ(OrdersSentToExchange("u2"), 1);
}

TEST_F(GatewaySessionTest, GarbledMessageIsIgnoredAndSessionContinues) {
  auto broker = LoggedOnBroker();
  ASSERT_TRUE(broker->SendRaw(WithBadChecksum(
      "35=D|49=BROKER1|56=GW|34=2|52=" + FixNow() + "|" + Order("g1"))));
  EXPECT_EQ(broker->Count({}, kQuiet), 1)  // the Logon answer only
      << "a garbled message was answered\n"
      << Log(*broker);
  EXPECT_EQ(AllOrdersSentToExchange(), 0);

  // Its sequence number was not consumed: the same seq, well formed, is the
  // one processed (and not refused as a duplicate ClOrdID).
  ASSERT_TRUE(broker->Send("D", 2, Order("g1")));
  ASSERT_TRUE(broker->WaitFor({"35=8", "11=g1", "150=0"})) << Log(*broker);
  ASSERT_TRUE(broker->Send("1", 3, "112=still-here|"));
  ASSERT_TRUE(broker->WaitFor({"35=0", "112=still-here"})) << Log(*broker);
  EXPECT_EQ(broker->Count({"35=2"}, milliseconds(0)), 0) << Log(*broker);
  EXPECT_EQ(OrdersSentToExchange("g1"), 1);
}

// QuickFIX's own answers to bad messages are in the journal (kind
// RejectSent, with the reject itself): a Reject (35=3) for a field that
// does not parse and a BusinessMessageReject (35=j) for a message type the
// gateway does not take. The session goes on.
TEST_F(GatewaySessionTest, QuickFixRejectsAreJournaled) {
  auto broker = LoggedOnBroker();
  ASSERT_TRUE(broker->Send(
      "D", 2,
      "11=n1|1=ACC1|55=AAPL|54=1|60=" + FixNow() +
          "|38=NaN|40=2|44=10|59=0|"));
  ASSERT_TRUE(broker->WaitFor({"35=3", "45=2", "373=6"})) << Log(*broker);
  // News: a valid FIX 4.4 message of a type the gateway does not take.
  ASSERT_TRUE(broker->Send("B", 3, "148=hello|33=1|58=line|"));
  ASSERT_TRUE(broker->WaitFor({"35=j", "45=3", "372=B"})) << Log(*broker);
  ASSERT_TRUE(broker->Send("1", 4, "112=still-here|"));
  ASSERT_TRUE(broker->WaitFor({"35=0", "112=still-here"})) << Log(*broker);

  auto deadline = std::chrono::steady_clock::now() + seconds(5);
  while (JournalCount("SELECT count(*) FROM journal WHERE kind='RejectSent'") <
             2 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(JournalCount("SELECT count(*) FROM journal WHERE kind='RejectSent' "
                         "AND session='FIX.4.4:GW->BROKER1' AND raw_fix LIKE "
                         "'%|35=3|%|45=2|%' AND raw_fix LIKE '%|373=6|%' AND "
                         "payload='{\"peer\":\"broker\"}'"),
            1)
      << DumpJournal();
  EXPECT_EQ(JournalCount("SELECT count(*) FROM journal WHERE kind='RejectSent' "
                         "AND raw_fix LIKE '%|35=j|%|45=3|%'"),
            1)
      << DumpJournal();
  EXPECT_EQ(AllOrdersSentToExchange(), 0);
}

TEST_F(GatewaySessionTest, LowerSeqWithoutPossDupIsLoggedOut) {
  auto broker = LoggedOnBroker();
  ASSERT_TRUE(broker->Send("1", 2, "112=one|"));
  ASSERT_TRUE(broker->WaitFor({"35=0", "112=one"})) << Log(*broker);
  ASSERT_TRUE(broker->Send("1", 2, "112=again|"));
  auto logout = broker->WaitFor({"35=5"});
  ASSERT_TRUE(logout) << Log(*broker);
  EXPECT_NE(Field(*logout, 58).find("MsgSeqNum too low"), std::string::npos)
      << *logout;
  EXPECT_TRUE(broker->WaitClosed()) << Log(*broker);
  EXPECT_EQ(broker->Count({"112=again"}, milliseconds(0)), 0);
}

TEST_F(GatewaySessionTest, LogoutHandshake) {
  auto broker = LoggedOnBroker();
  ASSERT_TRUE(broker->Send("5", 2, "58=bye|"));
  auto logout = broker->WaitFor({"35=5"});
  ASSERT_TRUE(logout) << Log(*broker);
  EXPECT_EQ(Field(*logout, 34), "2");
  EXPECT_TRUE(broker->WaitClosed()) << Log(*broker);
  WaitForBrokerLogouts(1);
}

TEST_F(GatewaySessionTest, ReconnectWithoutResetResumesSequence) {
  int gw_next = 0;
  {
    auto broker = LoggedOnBroker();
    ASSERT_TRUE(broker->Send("D", 2, Order("s1")));
    ASSERT_TRUE(broker->WaitFor({"35=8", "11=s1", "150=0"})) << Log(*broker);
    ASSERT_TRUE(broker->Send("1", 3, "112=x|"));
    auto hb = broker->WaitFor({"35=0", "112=x"});
    ASSERT_TRUE(hb) << Log(*broker);
    gw_next = std::stoi(Field(*hb, 34)) + 1;
  }  // the connection drops without a Logout: 4 is expected next
  WaitForBrokerLogouts(1);

  // Logon at 4 without reset: accepted, both sides carry on numbering.
  {
    Broker broker(cluster_.gateway_port());
    ASSERT_TRUE(broker.Logon(4, /*reset=*/false));
    auto logon = broker.WaitFor({"35=A"});
    ASSERT_TRUE(logon) << Log(broker);
    EXPECT_EQ(Field(*logon, 34), std::to_string(gw_next));
    EXPECT_EQ(Field(*logon, 141), "");
    EXPECT_EQ(broker.Count({"35=2"}, kQuiet), 0) << Log(broker);
    ASSERT_TRUE(broker.Send("1", 5, "112=y|"));
    ASSERT_TRUE(broker.WaitFor({"35=0", "112=y"})) << Log(broker);

    // The broker missed everything from the gateway since its own Logon:
    // the ExecutionReport comes back as a PossDup, admin messages as a gap
    // fill.
    ASSERT_TRUE(broker.Send("2", 6, "7=2|16=0|"));
    auto report = broker.WaitFor({"35=8", "11=s1", "43=Y"});
    ASSERT_TRUE(report) << Log(broker);
    EXPECT_FALSE(Field(*report, 122).empty()) << *report;
    EXPECT_TRUE(broker.WaitFor({"35=4", "123=Y"})) << Log(broker);
    EXPECT_EQ(broker.Count({"35=8", "11=s1", "43=Y"}, kQuiet), 1)
        << Log(broker);
  }
  WaitForBrokerLogouts(2);

  // Logon with a seq above the expected 7: accepted, then the gap is asked
  // for.
  {
    Broker broker(cluster_.gateway_port());
    ASSERT_TRUE(broker.Logon(9, /*reset=*/false));
    ASSERT_TRUE(broker.WaitFor({"35=A"})) << Log(broker);
    ASSERT_TRUE(broker.WaitFor({"35=2", "7=7"})) << Log(broker);
  }
  WaitForBrokerLogouts(3);

  // Logon below the expected seq without PossDup: refused and closed.
  {
    Broker broker(cluster_.gateway_port());
    ASSERT_TRUE(broker.Logon(2, /*reset=*/false));
    auto logout = broker.WaitFor({"35=5"});
    ASSERT_TRUE(logout) << Log(broker);
    EXPECT_NE(Field(*logout, 58).find("MsgSeqNum too low"), std::string::npos)
        << *logout;
    EXPECT_TRUE(broker.WaitClosed()) << Log(broker);
  }
  EXPECT_EQ(OrdersSentToExchange("s1"), 1);
}

TEST_F(GatewaySessionTest, PossDupAfterGatewayRestartIsNotSentTwice) {
  {
    auto broker = LoggedOnBroker();
    ASSERT_TRUE(broker->Send("D", 2, Order("r1")));
    ASSERT_TRUE(broker->WaitFor({"35=8", "11=r1", "150=0"})) << Log(*broker);
  }
  WaitForBrokerLogouts(1);
  cluster_.gateway().Signal(SIGKILL);
  ASSERT_TRUE(cluster_.gateway().Wait(seconds(10)).has_value());
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;

  // The broker is unsure r1 was received and resends it: the restarted
  // gateway knows r1 from its journal. The gateway writes its inbound
  // sequence number lazily (every 16 messages), so it may first ask for
  // messages it already processed: a gap fill answers that.
  Broker broker(cluster_.gateway_port());
  ASSERT_TRUE(broker.Logon(3, /*reset=*/false));
  ASSERT_TRUE(broker.WaitFor({"35=A"})) << Log(broker);
  if (auto resend = broker.WaitFor({"35=2"}, milliseconds(500))) {
    ASSERT_TRUE(broker.Send("4", std::stoi(Field(*resend, 7)), "123=Y|36=4|",
                            "43=Y|122=" + FixNow() + "|"));
  }
  ASSERT_TRUE(broker.Send("D", 4, Order("r1"), "43=Y|122=" + FixNow() + "|"));
  ASSERT_TRUE(broker.Send("D", 5, Order("r2")));
  ASSERT_TRUE(broker.WaitFor({"35=8", "11=r2", "150=0"})) << Log(broker);
  EXPECT_EQ(broker.Count({"35=8", "11=r1"}, kQuiet), 0) << Log(broker);
  EXPECT_EQ(OrdersSentToExchange("r1"), 1) << DumpJournal();
  EXPECT_EQ(AllOrdersSentToExchange(), 2) << DumpJournal();

  ASSERT_TRUE(broker.Send("D", 6, Order("r1")));
  auto dup = broker.WaitFor({"35=8", "11=r1", "150=8"});
  ASSERT_TRUE(dup) << Log(broker);
  EXPECT_EQ(Field(*dup, 103), "6");

  // The journal now also holds the ignored resend (a record, not an event):
  // a second restart still recovers, with both orders.
  cluster_.gateway().Signal(SIGKILL);
  ASSERT_TRUE(cluster_.gateway().Wait(seconds(10)).has_value());
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  EXPECT_EQ(Occurrences(GatewayLog(), "recovery failed"), 0) << GatewayLog();
  EXPECT_EQ(Occurrences(GatewayLog(), ", 2 orders"), 1) << GatewayLog();
}

}  // namespace
}  // namespace fixgw::testing
