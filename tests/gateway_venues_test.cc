// Several venues end to end: fixgw in front of two fixsim processes, venue
// XA (SenderCompID SIMA, VenueSymbols AAPL) and venue XB (SIMB, MSFT), with
// raw-socket FIX 4.4 brokers (tests/harness/broker.h). Which venue got an
// order is read from each fixsim's message log, where every order of a
// test carries a price of its own. Covers routing by ExDestination (100)
// and by the symbol table, the refusals (unknown venue, no venue for the
// symbol, venue down), fills from both venues, the kill switch of one
// venue, a kill -9 of fixgw with orders open on both, /health, /sessions,
// the metrics and fixreplay --venue.
#include <gtest/gtest.h>
#include <signal.h>

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

constexpr size_t kXA = 0;  // venue indices in the cluster
constexpr size_t kXB = 1;

// A limit DAY order for 10 of `symbol`: side "1" buys for ACC1, "2" sells
// for ACC2; with ExDestination (100) unless `venue` is "".
std::string VenueOrder(const std::string& id, const std::string& symbol,
                       const std::string& side, const std::string& price,
                       const std::string& venue = "") {
  const std::string account = side == "2" ? "ACC2" : "ACC1";
  return "11=" + id + "|1=" + account + "|55=" + symbol + "|54=" + side +
         "|60=" + FixNow() + "|38=10|40=2|44=" + price + "|59=0|" +
         (venue.empty() ? "" : "100=" + venue + "|");
}

// The value of metric `name` labelled venue="`venue`" (other labels
// allowed) in a Prometheus text exposition, or "" if it has none.
std::string VenueMetric(const std::string& exposition, const std::string& name,
                        const std::string& venue) {
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + "{", 0) != 0) continue;
    const size_t close = line.find("} ");
    if (close == std::string::npos) continue;
    const std::string labels =
        line.substr(name.size() + 1, close - name.size() - 1);
    if (("," + labels + ",").find(",venue=\"" + venue + "\",") ==
        std::string::npos) {
      continue;
    }
    return line.substr(close + 2);
  }
  return "";
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

std::string Cancel(const std::string& id, const std::string& orig,
                   const std::string& symbol, const std::string& side) {
  return "11=" + id + "|41=" + orig + "|55=" + symbol + "|54=" + side +
         "|60=" + FixNow() + "|38=10|";
}

class GatewayVenuesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.SetVenues({Venue{"XA", "SIMA", "AAPL", "", "", ""},
                        Venue{"XB", "SIMB", "MSFT", "", "", ""}});
    std::string error;
    ASSERT_TRUE(cluster_.StartSims(&error)) << error;
  }

  // The helpers below report a failure and return false: callers ASSERT.
  bool StartGateway() {
    std::string error;
    if (cluster_.StartGateway(&error)) return true;
    ADD_FAILURE() << error;
    return false;
  }

  std::string Log() const { return ClusterLog(cluster_); }

  bool LogOn(Broker& peer) {
    if (peer.Logon(1, /*reset=*/true) && peer.WaitFor({"35=A"})) return true;
    ADD_FAILURE() << peer.sender() << " did not log on\n"
                  << peer.Transcript() << Log();
    return false;
  }

  // Sends an order and returns its first report (New or Rejected); "" if
  // none within 10 s.
  std::string Send(Broker& peer, const std::string& body) {
    const std::string id = Field("|" + body, 11);
    if (!peer.Next("D", body)) return "";
    auto report = peer.WaitFor({"35=8", "11=" + id}, seconds(10));
    return report ? "|" + *report : "";
  }

  // Sends an order and expects it acknowledged (ExecType New).
  bool Place(Broker& peer, const std::string& body) {
    if (Field(Send(peer, body), 150) == "0") return true;
    ADD_FAILURE() << "not acknowledged: " << body << "\n"
                  << peer.Transcript() << Log();
    return false;
  }

  // Orders (35=D) fixsim of venue `i` got at `price`.
  int SimOrders(size_t i, const std::string& price) const {
    return SimLines(cluster_.SimMessages(i), {"35=D", "44=" + price});
  }
  int SimCount(size_t i, const std::string& type) const {
    return SimLines(cluster_.SimMessages(i), {"35=" + type});
  }
  // Waits (bounded) until fixsim of venue `i` got `n` messages of `type`.
  bool WaitSim(size_t i, const std::string& type, int n) const {
    for (int k = 0; k < 100 && SimCount(i, type) < n; ++k) {
      std::this_thread::sleep_for(milliseconds(50));
    }
    return SimCount(i, type) >= n;
  }

  // Kills venue `i`'s fixsim and waits until fixgw saw its session end.
  bool KillVenue(size_t i) {
    const std::string logged_out =
        "GW->" + cluster_.venue(i).comp_id + " logged out";
    const int before = cluster_.GatewayLogCount(logged_out);
    cluster_.sim(i).Signal(SIGKILL);
    if (cluster_.sim(i).Wait(seconds(10)).has_value() &&
        cluster_.WaitForGatewayLog(logged_out, before + 1, seconds(10))) {
      return true;
    }
    ADD_FAILURE() << "fixgw did not see " << logged_out << "\n" << Log();
    return false;
  }

  TempDir dir_;
  Cluster cluster_{ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
};

TEST_F(GatewayVenuesTest, RoutesByExDestinationElseByTheSymbolTable) {
  ASSERT_TRUE(StartGateway());
  Broker b1(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(LogOn(b1));
  ASSERT_TRUE(Place(b1, VenueOrder("a1", "AAPL", "1", "99.11")));   // table: XA
  ASSERT_TRUE(Place(b1, VenueOrder("m1", "MSFT", "1", "249.12")));  // table: XB
  ASSERT_TRUE(
      Place(b1, VenueOrder("a2", "AAPL", "1", "99.13", "XB")));  // 100: XB
  ASSERT_TRUE(
      Place(b1, VenueOrder("m2", "MSFT", "1", "249.14", "XA")));  // 100: XA
  ASSERT_TRUE(WaitSim(kXA, "D", 2)) << Log();
  ASSERT_TRUE(WaitSim(kXB, "D", 2)) << Log();

  EXPECT_EQ(SimOrders(kXA, "99.11"), 1) << Log();
  EXPECT_EQ(SimOrders(kXA, "249.14"), 1) << Log();
  EXPECT_EQ(SimOrders(kXB, "249.12"), 1) << Log();
  EXPECT_EQ(SimOrders(kXB, "99.13"), 1) << Log();
  EXPECT_EQ(SimCount(kXA, "D"), 2) << Log();
  EXPECT_EQ(SimCount(kXB, "D"), 2) << Log();
  // ExDestination reaches the venue unchanged; none is added.
  EXPECT_EQ(SimLines(cluster_.SimMessages(kXB), {"35=D", "100=XB"}), 1)
      << Log();
  EXPECT_EQ(SimLines(cluster_.SimMessages(kXA), {"35=D", "100=XA"}), 1)
      << Log();
  EXPECT_EQ(SimLines(cluster_.SimMessages(kXA), {"35=D", "44=99.11", "100=XA"}),
            0)
      << Log();
  // The journal tells the venues apart.
  EXPECT_EQ(cluster_.JournalCount(
                "SELECT count(*) FROM journal WHERE kind='NewOrderAccepted' "
                "AND payload LIKE '%\"venue\":\"XB\"%'"),
            2)
      << Log();

  // A cancel goes where its order went: a2 (AAPL) to XB.
  ASSERT_TRUE(b1.Next("F", Cancel("c-a2", "a2", "AAPL", "1")));
  ASSERT_TRUE(b1.WaitFor({"35=8", "11=c-a2", "150=4"}, seconds(10)))
      << b1.Transcript() << Log();
  EXPECT_EQ(SimCount(kXB, "F"), 1) << Log();
  EXPECT_EQ(SimCount(kXA, "F"), 0) << Log();
  // A replace too: m2 (MSFT) to XA.
  ASSERT_TRUE(b1.Next("G", "11=r-m2|41=m2|1=ACC1|55=MSFT|54=1|60=" + FixNow() +
                               "|38=20|40=2|44=249.15|59=0|"));
  ASSERT_TRUE(b1.WaitFor({"35=8", "11=r-m2", "150=5"}, seconds(10)))
      << b1.Transcript() << Log();
  EXPECT_EQ(SimCount(kXA, "G"), 1) << Log();
  EXPECT_EQ(SimCount(kXB, "G"), 0) << Log();
}

TEST_F(GatewayVenuesTest, AnUnknownExDestinationIsRefusedNamingTheVenues) {
  ASSERT_TRUE(StartGateway());
  Broker b1(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(LogOn(b1));
  const std::string report =
      Send(b1, VenueOrder("u1", "AAPL", "1", "99.21", "XC"));
  EXPECT_EQ(Field(report, 150), "8") << b1.Transcript();
  EXPECT_EQ(Field(report, 39), "8");
  EXPECT_EQ(Field(report, 103), "99");
  EXPECT_EQ(Field(report, 58),
            "unknown venue 'XC' in ExDestination (100) (venues: XA, XB)");
  // Exact match only.
  EXPECT_EQ(Field(Send(b1, VenueOrder("u2", "AAPL", "1", "99.22", "xa")), 58),
            "unknown venue 'xa' in ExDestination (100) (venues: XA, XB)")
      << b1.Transcript();
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(SimCount(kXA, "D"), 0) << Log();
  EXPECT_EQ(SimCount(kXB, "D"), 0) << Log();
}

TEST_F(GatewayVenuesTest,
       ASymbolNoVenueListsIsRefusedUnlessExDestinationNamesOne) {
  cluster_.symbols = "AAPL,MSFT,IBM";
  cluster_.risk_limits += "[symbols.IBM]\nreference_price = \"150.00\"\n";
  ASSERT_TRUE(StartGateway());
  Broker b1(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(LogOn(b1));
  const std::string report = Send(b1, VenueOrder("i1", "IBM", "1", "149.31"));
  EXPECT_EQ(Field(report, 150), "8") << b1.Transcript();
  EXPECT_EQ(Field(report, 103), "99");
  EXPECT_EQ(Field(report, 58),
            "no venue for symbol 'IBM': set ExDestination (100)")
      << report;
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(SimCount(kXA, "D"), 0) << Log();
  EXPECT_EQ(SimCount(kXB, "D"), 0) << Log();
  // Named, it goes there (fixsim itself does not list IBM: its reject is
  // relayed).
  ASSERT_TRUE(b1.Next("D", VenueOrder("i2", "IBM", "1", "149.32", "XB")));
  ASSERT_TRUE(b1.WaitFor({"35=8", "11=i2"}, seconds(10))) << b1.Transcript();
  EXPECT_TRUE(WaitSim(kXB, "D", 1)) << Log();
  EXPECT_EQ(SimOrders(kXB, "149.32"), 1) << Log();
  EXPECT_EQ(SimCount(kXA, "D"), 0) << Log();
}

TEST_F(GatewayVenuesTest, ADownVenueRefusesItsOrdersAndLeavesTheOtherAlone) {
  ASSERT_TRUE(StartGateway());
  Broker b1(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(LogOn(b1));
  ASSERT_TRUE(Place(b1, VenueOrder("a1", "AAPL", "1", "99.41")));   // XA
  ASSERT_TRUE(Place(b1, VenueOrder("m1", "MSFT", "1", "249.42")));  // XB
  ASSERT_TRUE(KillVenue(kXB));

  // New orders for XB, by the symbol table or by ExDestination: refused.
  for (const std::string& body :
       {VenueOrder("m2", "MSFT", "1", "249.43"),
        VenueOrder("a2", "AAPL", "1", "99.44", "XB")}) {
    const std::string report = Send(b1, body);
    EXPECT_EQ(Field(report, 150), "8") << body << "\n" << b1.Transcript();
    EXPECT_EQ(Field(report, 39), "8");
    EXPECT_EQ(Field(report, 103), "2");
    EXPECT_TRUE(StartsWith(Field(report, 58), "venue XB is down")) << report;
  }
  // A cancel of m1 (on XB): OrderCancelReject.
  ASSERT_TRUE(b1.Next("F", Cancel("c-m1", "m1", "MSFT", "1")));
  auto reject = b1.WaitFor({"35=9", "11=c-m1"}, seconds(10));
  ASSERT_TRUE(reject) << b1.Transcript() << Log();
  EXPECT_TRUE(StartsWith(Field("|" + *reject, 58), "venue XB is down"))
      << *reject;
  EXPECT_EQ(Field("|" + *reject, 41), "m1");
  // A replace of m1 too.
  ASSERT_TRUE(b1.Next("G", "11=r-m1|41=m1|1=ACC1|55=MSFT|54=1|60=" + FixNow() +
                               "|38=20|40=2|44=249.46|59=0|"));
  reject = b1.WaitFor({"35=9", "11=r-m1"}, seconds(10));
  ASSERT_TRUE(reject) << b1.Transcript() << Log();
  EXPECT_EQ(Field("|" + *reject, 434), "2") << *reject;
  EXPECT_TRUE(StartsWith(Field("|" + *reject, 58), "venue XB is down"))
      << *reject;
  EXPECT_EQ(SimCount(kXB, "G") + SimCount(kXA, "G"), 0) << Log();

  // XA goes on: a new order, a cancel.
  ASSERT_TRUE(Place(b1, VenueOrder("a3", "AAPL", "1", "99.45")));
  ASSERT_TRUE(b1.Next("F", Cancel("c-a1", "a1", "AAPL", "1")));
  ASSERT_TRUE(b1.WaitFor({"35=8", "11=c-a1", "150=4"}, seconds(10)))
      << b1.Transcript() << Log();
  EXPECT_EQ(SimOrders(kXA, "99.45"), 1) << Log();
  EXPECT_EQ(SimOrders(kXA, "99.44"), 0) << Log();
  EXPECT_EQ(SimOrders(kXA, "249.43"), 0) << Log();

  // The metrics tell them apart; /health fails naming XB.
  const Cluster::HttpReply health = cluster_.Admin("GET", "/health");
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_NE(health.body.find("XB"), std::string::npos) << health.body;
  const Cluster::HttpReply metrics = cluster_.Admin("GET", "/metrics");
  EXPECT_EQ(VenueMetric(metrics.body, "fixgw_venue_up", "XA"), "1")
      << metrics.body;
  EXPECT_EQ(VenueMetric(metrics.body, "fixgw_venue_up", "XB"), "0")
      << metrics.body;
}

// The refusals' Text word for word as the README words them (the tests
// above check only what a reader needs: the venue, the symbol).
TEST_F(GatewayVenuesTest, RefusalTextsAreWordForWordTheReadmes) {
  cluster_.symbols = "AAPL,MSFT,IBM";
  cluster_.risk_limits += "[symbols.IBM]\nreference_price = \"150.00\"\n";
  ASSERT_TRUE(StartGateway());
  Broker b1(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(LogOn(b1));
  EXPECT_EQ(Field(Send(b1, VenueOrder("t1", "IBM", "1", "149.51")), 58),
            "no venue for symbol 'IBM': set ExDestination (100)")
      << b1.Transcript();
  ASSERT_TRUE(Place(b1, VenueOrder("t2", "MSFT", "1", "249.52")));
  ASSERT_TRUE(KillVenue(kXB));
  EXPECT_EQ(Field(Send(b1, VenueOrder("t3", "MSFT", "1", "249.53")), 58),
            "venue XB is down: order not sent")
      << b1.Transcript();
  ASSERT_TRUE(b1.Next("F", Cancel("c-t2", "t2", "MSFT", "1")));
  auto reject = b1.WaitFor({"35=9", "11=c-t2"}, seconds(10));
  ASSERT_TRUE(reject) << b1.Transcript() << Log();
  EXPECT_EQ(Field("|" + *reject, 58), "venue XB is down: cancel not sent");
}

TEST_F(GatewayVenuesTest, FillsFromBothVenuesAreRelayedOnce) {
  ASSERT_TRUE(StartGateway());
  Broker b1(cluster_.gateway_port(), "BROKER1");
  Broker b2(cluster_.gateway_port(), "BROKER2");
  ASSERT_TRUE(LogOn(b1));
  ASSERT_TRUE(LogOn(b2));
  // BROKER1 buys, BROKER2 sells at the same price on each venue.
  ASSERT_TRUE(Place(b1, VenueOrder("ba", "AAPL", "1", "100")));
  ASSERT_TRUE(Place(b1, VenueOrder("bm", "MSFT", "1", "250")));
  ASSERT_TRUE(Place(b2, VenueOrder("sa", "AAPL", "2", "100")));
  ASSERT_TRUE(Place(b2, VenueOrder("sm", "MSFT", "2", "250")));
  for (const char* id : {"ba", "bm"}) {
    ASSERT_TRUE(
        b1.WaitFor({"35=8", std::string("11=") + id, "39=2"}, seconds(10)))
        << id << "\n"
        << b1.Transcript() << Log();
  }
  for (const char* id : {"sa", "sm"}) {
    ASSERT_TRUE(
        b2.WaitFor({"35=8", std::string("11=") + id, "39=2"}, seconds(10)))
        << id << "\n"
        << b2.Transcript() << Log();
  }
  for (const char* id : {"ba", "bm"}) {
    EXPECT_EQ(b1.CountDeliveries({"35=8", std::string("11=") + id, "150=F"},
                                 milliseconds(500)),
              1)
        << id << "\n"
        << b1.Transcript();
  }
  for (const char* id : {"sa", "sm"}) {
    EXPECT_EQ(b2.CountDeliveries({"35=8", std::string("11=") + id, "150=F"},
                                 milliseconds(0)),
              1)
        << id << "\n"
        << b2.Transcript();
  }
  // Each venue saw its two orders only.
  EXPECT_EQ(SimLines(cluster_.SimMessages(kXA), {"35=D", "55=AAPL"}), 2)
      << Log();
  EXPECT_EQ(SimLines(cluster_.SimMessages(kXB), {"35=D", "55=MSFT"}), 2)
      << Log();
  EXPECT_EQ(SimCount(kXA, "D") + SimCount(kXB, "D"), 4) << Log();
}

// Both fixsims number their orders and executions alike (same IdPrefix,
// same counters): the gateway keeps them apart per venue.
TEST_F(GatewayVenuesTest, TheSameExchangeIdsOnTwoVenuesAreTwoOrders) {
  cluster_.sim_section_extra = "IdPrefix=SAME-\n";
  // The fixture started them without the prefix: again with it.
  for (size_t i : {kXA, kXB}) {
    cluster_.sim(i).Signal(SIGKILL);
    ASSERT_TRUE(cluster_.sim(i).Wait(seconds(10)).has_value());
  }
  std::string error;
  ASSERT_TRUE(cluster_.StartSims(&error)) << error;
  ASSERT_TRUE(StartGateway());
  Broker b1(cluster_.gateway_port(), "BROKER1");
  Broker b2(cluster_.gateway_port(), "BROKER2");
  ASSERT_TRUE(LogOn(b1));
  ASSERT_TRUE(LogOn(b2));
  ASSERT_TRUE(Place(b1, VenueOrder("ba", "AAPL", "1", "100")));
  ASSERT_TRUE(Place(b1, VenueOrder("bm", "MSFT", "1", "250")));
  // Cancel the AAPL order (same exchange OrderID as the MSFT one on XB).
  ASSERT_TRUE(b1.Next("F", Cancel("c-ba", "ba", "AAPL", "1")));
  ASSERT_TRUE(b1.WaitFor({"35=8", "11=c-ba", "150=4"}, seconds(10)))
      << b1.Transcript() << Log();
  EXPECT_EQ(SimCount(kXA, "F"), 1) << Log();
  EXPECT_EQ(SimCount(kXB, "F"), 0) << Log();
  // The MSFT order is still open and fills.
  ASSERT_TRUE(Place(b2, VenueOrder("sm", "MSFT", "2", "250")));
  ASSERT_TRUE(b1.WaitFor({"35=8", "11=bm", "39=2"}, seconds(10)))
      << b1.Transcript() << Log();
  EXPECT_EQ(b1.CountDeliveries({"35=8", "150=F"}, milliseconds(500)), 1)
      << b1.Transcript();
  EXPECT_EQ(b1.Count({"35=8", "11=ba", "150=F"}, milliseconds(0)), 0)
      << b1.Transcript();
}

TEST_F(GatewayVenuesTest, KillSwitchOfAVenueCancelsOnlyThatVenuesOrders) {
  ASSERT_TRUE(StartGateway());
  Broker b1(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(LogOn(b1));
  ASSERT_TRUE(Place(b1, VenueOrder("a1", "AAPL", "1", "99.61")));        // XA
  ASSERT_TRUE(Place(b1, VenueOrder("m1", "MSFT", "1", "249.62")));       // XB
  ASSERT_TRUE(Place(b1, VenueOrder("a2", "AAPL", "1", "99.63", "XB")));  // XB
  const Cluster::HttpReply r = cluster_.Admin(
      "POST", "/kill-switch?action=engage&scope=venue&name=XB&reason=drill");
  ASSERT_EQ(r.status, 200) << r.body;
  for (const char* id : {"m1", "a2"}) {
    ASSERT_TRUE(
        b1.WaitFor({"35=8", std::string("11=") + id, "150=4"}, seconds(10)))
        << id << "\n"
        << b1.Transcript() << Log();
  }
  EXPECT_TRUE(WaitSim(kXB, "F", 2)) << Log();
  EXPECT_EQ(SimCount(kXB, "F"), 2) << Log();
  EXPECT_EQ(SimCount(kXA, "F"), 0) << Log();
  EXPECT_EQ(b1.Count({"35=8", "11=a1", "150=4"}, milliseconds(300)), 0)
      << b1.Transcript();
  // New orders for XB are refused; XA takes them.
  EXPECT_EQ(Field(Send(b1, VenueOrder("m2", "MSFT", "1", "249.64")), 150), "8")
      << b1.Transcript();
  EXPECT_EQ(Field(Send(b1, VenueOrder("a3", "AAPL", "1", "99.65", "XB")), 150),
            "8")
      << b1.Transcript();
  ASSERT_TRUE(Place(b1, VenueOrder("a4", "AAPL", "1", "99.66")));
  EXPECT_EQ(SimOrders(kXB, "249.64"), 0) << Log();
  EXPECT_EQ(SimOrders(kXB, "99.65"), 0) << Log();
  EXPECT_EQ(SimOrders(kXA, "99.66"), 1) << Log();
}

// XB paces its messages (1 a second, 2 waiting at most): a burst for XB is
// partly refused naming XB and its rate, every order answered; XA's orders
// meanwhile pass at once.
TEST_F(GatewayVenuesTest, OneVenuesMessageRateLeavesTheOtherAlone) {
  cluster_.SetVenues(
      {Venue{"XA", "SIMA", "AAPL", "", "", ""},
       Venue{"XB", "SIMB", "MSFT",
             "MaxMessagesPerSecond=1\nMaxQueuedMessages=2\n", "", ""}});
  ASSERT_TRUE(StartGateway());
  Broker b1(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(LogOn(b1));
  constexpr int kBurst = 8;
  for (int i = 1; i <= kBurst; ++i) {
    ASSERT_TRUE(b1.Next("D", VenueOrder("m" + std::to_string(i), "MSFT", "1",
                                        "249.0" + std::to_string(i))));
  }
  // XA is not held up behind XB's queue.
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(b1.Next("D", VenueOrder("a1", "AAPL", "1", "99.01")));
  ASSERT_TRUE(b1.WaitFor({"35=8", "11=a1", "150=0"}, seconds(10)))
      << b1.Transcript() << Log();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500))
      << b1.Transcript();
  int acked = 0, refused = 0;
  for (int i = 1; i <= kBurst; ++i) {
    const std::string id = "11=m" + std::to_string(i);
    auto answer = b1.WaitFor({"35=8", id}, seconds(15));
    ASSERT_TRUE(answer) << id << "\n" << b1.Transcript() << Log();
    if (Field("|" + *answer, 150) == "0") {
      ++acked;
    } else {
      ++refused;
      EXPECT_EQ(Field("|" + *answer, 150), "8") << *answer;
      EXPECT_TRUE(StartsWith(Field("|" + *answer, 58),
                             "venue XB is over its message rate ("))
          << *answer;
    }
  }
  EXPECT_GT(refused, 0) << b1.Transcript();
  EXPECT_GT(acked, 0) << b1.Transcript();
  EXPECT_EQ(acked + refused, kBurst);
  EXPECT_TRUE(WaitSim(kXB, "D", acked)) << Log();
  EXPECT_EQ(SimCount(kXB, "D"), acked) << Log();
  EXPECT_EQ(SimCount(kXA, "D"), 1) << Log();
}

// kill -9 of fixgw with an order open on each venue; after the restart the
// fills reach the broker once each, and no venue got an order twice.
TEST_F(GatewayVenuesTest, OrdersOnBothVenuesSurviveAKillOfTheGateway) {
  ASSERT_TRUE(StartGateway());
  int b1_last_seen = 0;
  std::vector<std::string> b1_received;
  {
    Broker b1(cluster_.gateway_port(), "BROKER1");
    ASSERT_TRUE(LogOn(b1));
    ASSERT_TRUE(Place(b1, VenueOrder("ba", "AAPL", "1", "100")));
    ASSERT_TRUE(Place(b1, VenueOrder("bm", "MSFT", "1", "250")));
    cluster_.gateway().Signal(SIGKILL);
    ASSERT_TRUE(cluster_.gateway().Wait(seconds(10)).has_value());
    b1.WaitClosed(milliseconds(1000));
    b1_received = b1.Received();
    for (const std::string& m : b1_received) {
      const std::string seq = Field("|" + m, 34);
      if (!seq.empty()) b1_last_seen = std::max(b1_last_seen, std::stoi(seq));
    }
  }
  ASSERT_TRUE(StartGateway());
  // BROKER1 sent Logon 1 and D 2, 3; it comes back without a reset.
  Broker b1(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(b1.Logon(4, /*reset=*/false));
  ASSERT_TRUE(b1.WaitFor({"35=A"})) << b1.Transcript() << Log();
  if (auto resend = b1.WaitFor({"35=2"}, milliseconds(500))) {
    b1.Send("4", std::stoi(Field("|" + *resend, 7)), "123=Y|36=5|",
            "43=Y|122=" + FixNow() + "|");
  }
  ASSERT_TRUE(
      b1.Send("2", 5, "7=" + std::to_string(b1_last_seen + 1) + "|16=0|"));
  Broker b2(cluster_.gateway_port(), "BROKER2");
  ASSERT_TRUE(LogOn(b2));
  ASSERT_TRUE(Place(b2, VenueOrder("sa", "AAPL", "2", "100")));
  ASSERT_TRUE(Place(b2, VenueOrder("sm", "MSFT", "2", "250")));
  for (const char* id : {"ba", "bm"}) {
    ASSERT_TRUE(
        b1.WaitFor({"35=8", std::string("11=") + id, "39=2"}, seconds(10)))
        << id << "\n"
        << b1.Transcript() << Log();
  }
  std::this_thread::sleep_for(milliseconds(1000));
  for (const std::string& m : b1.Received()) b1_received.push_back(m);
  for (const char* id : {"ba", "bm"}) {
    EXPECT_EQ(
        Deliveries(b1_received, {"35=8", std::string("11=") + id, "150=0"})
            .size(),
        1u)
        << id << "\n"
        << b1.Transcript() << Log();
    EXPECT_EQ(
        Deliveries(b1_received, {"35=8", std::string("11=") + id, "150=F"})
            .size(),
        1u)
        << id << "\n"
        << b1.Transcript() << Log();
  }
  // Each venue got each order once (BROKER1's and BROKER2's).
  EXPECT_EQ(SimLines(cluster_.SimMessages(kXA), {"35=D", "54=1"}), 1) << Log();
  EXPECT_EQ(SimLines(cluster_.SimMessages(kXB), {"35=D", "54=1"}), 1) << Log();
  EXPECT_EQ(SimCount(kXA, "D"), 2) << Log();
  EXPECT_EQ(SimCount(kXB, "D"), 2) << Log();
}

TEST_F(GatewayVenuesTest, SessionsNameEachVenue) {
  ASSERT_TRUE(StartGateway());
  const Cluster::HttpReply sessions = cluster_.Admin("GET", "/sessions");
  EXPECT_EQ(sessions.status, 200) << sessions.body;
  EXPECT_EQ(Occurrences(sessions.body, R"("venue":"XA")"), 1) << sessions.body;
  EXPECT_EQ(Occurrences(sessions.body, R"("venue":"XB")"), 1) << sessions.body;
}

TEST_F(GatewayVenuesTest, MetricsCountEachVenuesOrders) {
  ASSERT_TRUE(StartGateway());
  Broker b1(cluster_.gateway_port(), "BROKER1");
  ASSERT_TRUE(LogOn(b1));
  ASSERT_TRUE(Place(b1, VenueOrder("n1", "AAPL", "1", "99.91")));
  ASSERT_TRUE(Place(b1, VenueOrder("n2", "MSFT", "1", "249.92")));
  ASSERT_TRUE(Place(b1, VenueOrder("n3", "AAPL", "1", "99.93", "XB")));
  const Cluster::HttpReply metrics = cluster_.Admin("GET", "/metrics");
  EXPECT_EQ(VenueMetric(metrics.body, "fixgw_venue_up", "XA"), "1")
      << metrics.body;
  EXPECT_EQ(VenueMetric(metrics.body, "fixgw_venue_up", "XB"), "1")
      << metrics.body;
  EXPECT_EQ(VenueMetric(metrics.body, "fixgw_venue_orders_total", "XA"), "1")
      << metrics.body;
  EXPECT_EQ(VenueMetric(metrics.body, "fixgw_venue_orders_total", "XB"), "2")
      << metrics.body;
}

TEST_F(GatewayVenuesTest, HealthIsOkWithBothVenuesUpAndFailsNamingADownOne) {
  ASSERT_TRUE(StartGateway());
  Cluster::HttpReply health = cluster_.Admin("GET", "/health");
  EXPECT_EQ(health.status, 200) << health.body;
  ASSERT_TRUE(KillVenue(kXA));
  health = cluster_.Admin("GET", "/health");
  EXPECT_EQ(health.status, 503) << health.body;
  // The README's wording (text, one line per problem).
  EXPECT_NE(health.body.find("venue XA (FIX.4.4:GW->SIMA) is down"),
            std::string::npos)
      << health.body;
  EXPECT_EQ(health.body.find("venue XB"), std::string::npos) << health.body;
}

TEST_F(GatewayVenuesTest, FixreplayVenueListsOnlyThatVenuesOrders) {
  ASSERT_TRUE(StartGateway());
  {
    Broker b1(cluster_.gateway_port(), "BROKER1");
    ASSERT_TRUE(LogOn(b1));
    ASSERT_TRUE(Place(b1, VenueOrder("ra1", "AAPL", "1", "99.71")));   // XA
    ASSERT_TRUE(Place(b1, VenueOrder("rm1", "MSFT", "1", "249.72")));  // XB
    ASSERT_TRUE(
        Place(b1, VenueOrder("ra2", "AAPL", "1", "99.73", "XB")));  // XB
  }
  cluster_.gateway().Signal(SIGTERM);
  ASSERT_TRUE(cluster_.gateway().Wait(seconds(20)).has_value()) << Log();
  const Ran xb = RunCapturing(
      {FIXREPLAY_BIN, cluster_.journal(), "--venue", "XB", "--format", "csv"},
      dir_.path() + "/replay-xb", seconds(30));
  EXPECT_EQ(xb.rc, 0) << xb.err;
  EXPECT_NE(xb.out.find("rm1"), std::string::npos) << xb.out;
  EXPECT_NE(xb.out.find("ra2"), std::string::npos) << xb.out;
  EXPECT_EQ(xb.out.find("ra1"), std::string::npos) << xb.out;
  const Ran xa = RunCapturing(
      {FIXREPLAY_BIN, cluster_.journal(), "--venue", "XA", "--format", "csv"},
      dir_.path() + "/replay-xa", seconds(30));
  EXPECT_EQ(xa.rc, 0) << xa.err;
  EXPECT_NE(xa.out.find("ra1"), std::string::npos) << xa.out;
  EXPECT_EQ(xa.out.find("rm1"), std::string::npos) << xa.out;
  EXPECT_EQ(xa.out.find("ra2"), std::string::npos) << xa.out;
}

// Bad venue configurations stop start-up (exit 2).
TEST_F(GatewayVenuesTest, AmbiguousVenueConfigurationsStopStartUp) {
  for (const std::vector<Venue>& venues : std::vector<std::vector<Venue>>{
           // Two initiators, one without Venue=.
           {Venue{"XA", "SIMA", "AAPL", "", "", ""},
            Venue{"", "SIMB", "MSFT", "", "", ""}},
           // A symbol on two venues.
           {Venue{"XA", "SIMA", "AAPL,MSFT", "", "", ""},
            Venue{"XB", "SIMB", "MSFT", "", "", ""}},
           // A name with a character a venue name may not have.
           {Venue{"XA", "SIMA", "AAPL", "", "", ""},
            Venue{"X/B", "SIMB", "MSFT", "", "", ""}}}) {
    cluster_.SetVenues(venues);
    std::string error;
    const std::string config = cluster_.WriteGatewayFiles(&error);
    ASSERT_FALSE(config.empty()) << error;
    const Ran check =
        RunCapturing({FIXGW_BIN, "--config", config, "--check-config"},
                     dir_.path() + "/check", seconds(30));
    EXPECT_EQ(check.rc, 2) << cluster_.GatewayConfig() << check.err;
  }
}

// With one initiator and no Venue= key the venue is named after its
// TargetCompID: today's configurations keep working.
TEST(GatewaySingleVenueTest, TheOnlyVenueIsNamedAfterItsTargetCompId) {
  TempDir dir;
  Cluster cluster(ClusterPaths{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir);
  EXPECT_EQ(cluster.GatewayConfig().find("Venue="), std::string::npos);
  std::string error;
  ASSERT_TRUE(cluster.StartSim(&error)) << error;
  ASSERT_TRUE(cluster.StartGateway(&error)) << error;
  const Cluster::HttpReply metrics = cluster.Admin("GET", "/metrics");
  EXPECT_EQ(VenueMetric(metrics.body, "fixgw_venue_up", "SIM"), "1")
      << metrics.body;
  // Every order goes to it.
  Broker b1(cluster.gateway_port(), "BROKER1");
  ASSERT_TRUE(b1.Logon(1, /*reset=*/true));
  ASSERT_TRUE(b1.WaitFor({"35=A"})) << b1.Transcript();
  ASSERT_TRUE(b1.Next("D", VenueOrder("s1", "MSFT", "1", "249.81")));
  EXPECT_TRUE(b1.WaitFor({"35=8", "11=s1", "150=0"}, seconds(10)))
      << b1.Transcript() << ClusterLog(cluster);
}

}  // namespace
}  // namespace fixgw::testing
