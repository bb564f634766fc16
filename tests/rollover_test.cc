// End-of-day journal rollover end to end: brokers trade through fixgw and
// fixsim, fixgw stops (SIGTERM), the operator archives the journal and
// rolls it with fixreplay (refused while an order is open, then done), and
// fixgw starts on the new journal: the kill switch, the risk limits, the
// positions and cash and the FIX sessions are as before the roll, a new
// order fills, and `fixreplay --verify` passes over archive + new journal.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/harness/broker.h"
#include "tests/harness/cluster.h"
#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kRisk = R"(
[accounts.ACC1]
cash = "10000"
[accounts.ACC2]
cash = "0"
short_selling = true
max_short = 1000
max_short_qty = 1000
[symbols.MSFT]
reference_price = "100.00"
collar_bps = 1000
[sessions."FIX.4.4:GW->BROKER1"]
allowed_accounts = ["ACC1", "ACC3"]
[sessions."FIX.4.4:GW->BROKER2"]
allowed_accounts = ["ACC2"]
)";

struct Ran {
  int rc = -1;
  std::string out, err;
};

std::string Order(const std::string& id, const std::string& account,
                  char side, int qty, const std::string& px) {
  return "11=" + id + "|1=" + account + "|55=MSFT|54=" + std::string(1, side) +
         "|60=" + FixNow() + "|38=" + std::to_string(qty) + "|40=2|44=" + px +
         "|59=0|";
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

class RolloverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.risk_limits = kRisk;
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
    ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  }

  // A broker logged on with sequence number `seq` (1: a fresh session).
  std::unique_ptr<Broker> LoggedOn(const std::string& sender, int seq) {
    auto broker = std::make_unique<Broker>(cluster_.gateway_port(), sender);
    EXPECT_TRUE(broker->connected());
    EXPECT_TRUE(broker->Logon(seq, /*reset=*/seq == 1));
    auto logon = broker->WaitFor({"35=A"});
    EXPECT_TRUE(logon) << broker->Transcript() << GatewayLog();
    logon_ = logon.value_or("");
    return broker;
  }

  std::string Submit(Broker& b, const std::string& id,
                     const std::string& account, char side, int qty,
                     const std::string& px) {
    EXPECT_TRUE(b.Next("D", Order(id, account, side, qty, px)));
    auto er = b.WaitFor({"35=8", "11=" + id});
    EXPECT_TRUE(er.has_value()) << b.Transcript() << GatewayLog();
    return er.value_or("");
  }

  std::string State() {
    Cluster::HttpReply r = cluster_.Admin("GET", "/state");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }

  void StopGateway() {
    cluster_.gateway().Signal(SIGTERM);
    auto rc = cluster_.gateway().Wait(seconds(20));
    ASSERT_TRUE(rc.has_value()) << GatewayLog();
    ASSERT_EQ(*rc, 0) << GatewayLog();
  }

  Ran Fixreplay(const std::vector<std::string>& args) {
    const std::string base = dir_.path() + "/fixreplay-" +
                             std::to_string(++runs_);
    std::vector<std::string> argv = {
        "/bin/sh", "-c",          "err=$1; shift; exec \"$@\" 2>\"$err\"",
        "sh",      base + ".err", FIXREPLAY_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    Ran r;
    r.rc = RunToCompletion(argv, base + ".out", seconds(60));
    r.out = ReadFile(base + ".out");
    r.err = ReadFile(base + ".err");
    return r;
  }

  std::string GatewayLog() {
    return "--- fixgw log:\n" + ReadFile(cluster_.gateway_log());
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
  std::string logon_;  // the gateway's last Logon answer
  int runs_ = 0;
};

TEST_F(RolloverTest, GatewayContinuesOnTheRolledJournal) {
  const std::string journal = cluster_.journal();
  const std::string archive = dir_.path() + "/day1.journal";

  // Day 1: ACC2 sells 40 to ACC1 at 99; one order left resting; ACC3
  // switched off.
  auto b1 = LoggedOn("BROKER1", 1);
  auto b2 = LoggedOn("BROKER2", 1);
  EXPECT_EQ(Field(Submit(*b2, "s1", "ACC2", '2', 40, "99"), 150), "0");
  EXPECT_EQ(Field(Submit(*b1, "b1", "ACC1", '1', 40, "99"), 150), "0");
  ASSERT_TRUE(b1->WaitFor({"35=8", "11=b1", "150=F", "39=2"}))
      << b1->Transcript();
  ASSERT_TRUE(b2->WaitFor({"35=8", "11=s1", "150=F", "39=2"}))
      << b2->Transcript();
  EXPECT_EQ(Field(Submit(*b1, "rest", "ACC1", '1', 5, "95"), 150), "0");
  Cluster::HttpReply r = cluster_.Admin(
      "POST", "/kill-switch?action=engage&scope=account&name=ACC3&reason=eod");
  ASSERT_EQ(r.status, 200) << r.body;

  // End of day with an order still open: the roll refuses and names it.
  StopGateway();
  ASSERT_FALSE(Exists(journal + "-wal")) << "fixgw left its WAL behind";
  ASSERT_EQ(std::rename(journal.c_str(), archive.c_str()), 0);
  Ran refused = Fixreplay({archive, "--roll", journal});
  EXPECT_EQ(refused.rc, 2) << refused.out << refused.err;
  EXPECT_EQ(refused.err,
            "fixreplay: " + archive +
                ": 1 order(s) still open, 0 awaiting an exchange answer: "
                "FIX.4.4:GW->BROKER1 rest; end of day needs every order done "
                "(filled, canceled or expired) before the roll\n");
  EXPECT_FALSE(Exists(journal));

  // The operator puts the journal back, cancels the order, stops again.
  ASSERT_EQ(std::rename(archive.c_str(), journal.c_str()), 0);
  std::string error;
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  b1 = LoggedOn("BROKER1", 1);
  ASSERT_TRUE(b1->Next("F", "11=rest-c|41=rest|55=MSFT|54=1|60=" + FixNow() +
                                "|"));
  ASSERT_TRUE(b1->WaitFor({"35=8", "11=rest-c", "150=4"})) << b1->Transcript();
  const std::string before = State();
  const int b1_seq_before = 3;  // Logon 1, F 2: the next one is 3
  StopGateway();
  b1.reset();
  b2.reset();

  // The roll.
  ASSERT_FALSE(Exists(journal + "-wal"));
  ASSERT_EQ(std::rename(journal.c_str(), archive.c_str()), 0);
  Ran rolled = Fixreplay({archive, "--roll", journal});
  ASSERT_EQ(rolled.rc, 0) << rolled.out << rolled.err;
  EXPECT_NE(rolled.out.find("carried: risk limits from " +
                            cluster_.risk_file() +
                            " by start-up, 1 kill switch(es), 2 account(s)"),
            std::string::npos)
      << rolled.out;
  EXPECT_NE(rolled.out.find("3 FIX session(s)"), std::string::npos)
      << rolled.out;

  // Day 2 on the new journal. The exchange session continues its sequence
  // numbers (fixsim, still running, would refuse a reset one: StartGateway
  // waits for its logon).
  ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
  EXPECT_EQ(State(), before);
  // The limits came from the journal: the unchanged risk file at start-up
  // journals nothing.
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='RiskLimitsLoaded'"),
            0);
  // The broker session continues too: no reset, no resend request.
  b1 = LoggedOn("BROKER1", b1_seq_before);
  EXPECT_GT(std::stoi(Field(logon_, 34)), 1) << logon_;
  b2 = LoggedOn("BROKER2", 3);  // Logon 1, D 2 on day 1
  EXPECT_EQ(b1->Count({"35=2"}, milliseconds(200)), 0) << b1->Transcript();

  // The kill switch holds; the carried cash and position count.
  EXPECT_EQ(Field(Submit(*b1, "k1", "ACC3", '1', 1, "100"), 58),
            "kill switch engaged for account ACC3");
  EXPECT_EQ(Field(Submit(*b1, "big", "ACC1", '1', 61, "100"), 58),
            "buying power: need 6100.00, available 6040.00");
  // A new order trades, under a new exchange ClOrdID.
  EXPECT_EQ(Field(Submit(*b2, "s2", "ACC2", '2', 10, "99"), 150), "0");
  EXPECT_EQ(Field(Submit(*b1, "b2", "ACC1", '1', 10, "99"), 150), "0");
  ASSERT_TRUE(b1->WaitFor({"35=8", "11=b2", "150=F", "39=2"}))
      << b1->Transcript();
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='NewOrderAccepted' "
                "AND exch_cl_ord_id IN ('GWT-1', 'GWT-2', 'GWT-3')"),
            0);
  EXPECT_NE(State().find(R"("positions":{"MSFT":{"position":50,)"),
            std::string::npos);

  // The archive and the new journal form one chain.
  StopGateway();
  Ran verified = Fixreplay({archive, journal, "--verify"});
  EXPECT_EQ(verified.rc, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("archive intact: 2 files"), std::string::npos)
      << verified.out;
  // In the wrong order they do not.
  Ran swapped = Fixreplay({journal, archive, "--verify"});
  EXPECT_EQ(swapped.rc, 1) << swapped.out << swapped.err;
  EXPECT_NE(swapped.out.find(archive + ": DAMAGED"), std::string::npos)
      << swapped.out;
}

}  // namespace
}  // namespace fixgw::testing
