// Hostile brokers against a real fixgw (with fixsim behind it), issue 10:
// garbage before Logon, Logon floods, a 1 MB message, a slowloris, a peer
// that never reads, connection churn, out-of-range and NaN/Inf-like
// numbers, non-ASCII text, a repeating group with a huge count. Each must
// get a FIX answer (Reject 35=3, BusinessMessageReject 35=j, a rejecting
// ExecutionReport 39=8 with Text, Logout) or a disconnect, fixgw's memory
// must stay within a stated bound, and a well-behaved broker (BROKER1)
// keeps trading: every case ends, and some check during the attack, with
// an order of BROKER1's that must be acknowledged.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <optional>
#include <random>
#include <thread>

#include "gateway/fix/connection_limits.h"
#include "tests/harness/broker.h"
#include "tests/harness/cluster.h"
#include "tests/harness/hostile_peer.h"
#include "tests/harness/process.h"

namespace fixgw::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kWait{5000};

using hostile::Header;
using hostile::LogonBytes;
using hostile::Order;

class HostilePeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.brokers = {"BROKER1", "BROKER2", "HOSTILE1", "HOSTILE2"};
    std::string error;
    ASSERT_TRUE(cluster_.StartSim(&error)) << error;
    ASSERT_TRUE(cluster_.StartGateway(&error)) << error;
    good_ = LoggedOn("BROKER1");
    ASSERT_TRUE(good_ != nullptr);
    ExpectGoodTrades("warm-up");
  }

  std::unique_ptr<Broker> LoggedOn(const std::string& sender) {
    auto broker = std::make_unique<Broker>(cluster_.gateway_port(), sender);
    if (!broker->connected() || !broker->Logon(1, /*reset=*/true) ||
        !broker->WaitFor({"35=A"}, kWait)) {
      ADD_FAILURE() << sender << " cannot log on: " << broker->Transcript()
                    << "\n" << ReadFile(cluster_.gateway_log());
      return nullptr;
    }
    return broker;
  }

  // BROKER1 sends an order and gets its New ack within `timeout`.
  void ExpectGoodTrades(const std::string& tag, milliseconds timeout = kWait) {
    const std::string id = "good-" + tag + "-" + std::to_string(++orders_);
    ASSERT_TRUE(good_->Next("D", Order(id)));
    auto ack = good_->WaitFor({"35=8", "11=" + id}, timeout);
    ASSERT_TRUE(ack) << "no answer to BROKER1's order during/after " << tag
                     << ":\n" << good_->Transcript() << "\nfixgw's log (tail):\n"
                     << GatewayLogTail();
    EXPECT_EQ(Field(*ack, 39), "0") << *ack;
  }

  std::string GatewayLogTail() {
    std::string log = ReadFile(cluster_.gateway_log());
    return log.size() > 3000 ? log.substr(log.size() - 3000) : log;
  }

  bool NeverReadingPeer();
  int64_t FloodStatusRequests(HostilePeer& hostile, int64_t* rss_peak);

  int64_t GatewayRssKb() { return ResidentKb(cluster_.gateway().pid()); }

  // Whether a ConnectionRefused denial with `code`, whose detail starts
  // with `detail`, is journaled within 5 s.
  bool WaitForDenial(const std::string& code, const std::string& detail) {
    const std::string sql =
        "SELECT count(*) FROM journal WHERE kind='ConnectionRefused' AND "
        "payload LIKE '{\"code\":\"" + code + "\",\"detail\":\"" +
        detail + "%'";
    const auto deadline = std::chrono::steady_clock::now() + seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      if (cluster_.JournalCount(sql) >= 1) return true;
      std::this_thread::sleep_for(milliseconds(50));
    }
    ADD_FAILURE() << "no denial " << code << " / " << detail << "\n"
                  << GatewayLogTail();
    return false;
  }

  // What answers message `seq` with ClOrdID `id`: "8" (an ExecutionReport
  // for it), "3" (a session Reject of it), "j", "5" (Logout) or "closed";
  // "" if nothing within the wait.
  std::string AnswerTo(Broker& b, const std::string& id, int seq) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto m = b.WaitFor({"35=8", "11=" + id}, milliseconds(20))) {
        last_answer_ = *m;
        return "8";
      }
      if (auto m = b.WaitFor({"35=3", "45=" + std::to_string(seq)},
                             milliseconds(20))) {
        last_answer_ = *m;
        return "3";
      }
      if (auto m = b.WaitFor({"35=j", "45=" + std::to_string(seq)},
                             milliseconds(20))) {
        last_answer_ = *m;
        return "j";
      }
      if (auto m = b.WaitFor({"35=5"}, milliseconds(20))) {
        last_answer_ = *m;
        return "5";
      }
      if (!b.connected() || b.WaitClosed(milliseconds(20))) return "closed";
    }
    return "";
  }

  TempDir dir_;
  Cluster cluster_{{FIXSIM_BIN, FIXGW_BIN, FIXGW_FIX44_XML}, dir_};
  std::unique_ptr<Broker> good_;
  int orders_ = 0;
  std::string last_answer_;
};

TEST_F(HostilePeerTest, GarbageBeforeLogonIsDisconnectedOrIgnored) {
  // 1 MiB of random bytes (with "8=" in it now and then, so the framer
  // keeps trying), then a valid Logon on the same connection.
  std::mt19937 rng(7);
  std::string garbage(1 << 20, '\0');
  for (char& c : garbage) c = static_cast<char>(rng() & 0xff);
  HostilePeer peer(cluster_.gateway_port());
  ASSERT_TRUE(peer.connected());
  peer.Send(garbage, seconds(5));
  peer.Send(LogonBytes("HOSTILE1"), seconds(1));
  const bool closed = peer.WaitClosed(seconds(3));
  std::fprintf(stderr, "garbage before logon: %s, received %zu bytes\n",
               closed ? "disconnected" : "still open", peer.received().size());
  EXPECT_EQ(peer.received().find("35=A"), std::string::npos)
      << "garbage then Logon was logged on: " << peer.received();
  ExpectGoodTrades("garbage");

  // The smallest such frame, to fixgw and to fixsim (same acceptor).
  const std::string bad_header =
      "8=FIX.4.4\x01" "9=4\x01" "x=1\x01" "10=000\x01";
  for (int port : {cluster_.gateway_port(), cluster_.sim_port()}) {
    HostilePeer bad(port);
    ASSERT_TRUE(bad.connected());
    bad.Send(bad_header, seconds(1));
    EXPECT_TRUE(bad.WaitClosed(seconds(3))) << "port " << port;
  }
  EXPECT_TRUE(cluster_.gateway().Running());
  EXPECT_TRUE(cluster_.sim().Running());
  ExpectGoodTrades("bad-header");
}

// QuickFIX 1.15.1's framer keeps bytes that never contain a message start
// ("8=") for ever (it grew fixgw by +30 MB for 32 MiB); fixgw drops a
// connection that sends kMaxBytesBeforeFirstMessage (64 KiB) without
// completing its first message (the transport's framer, gateway/net).
TEST_F(HostilePeerTest, BytesWithoutMessageStartAreBounded) {
  const int64_t rss_before = GatewayRssKb();
  HostilePeer blind(cluster_.gateway_port());
  const int64_t sent = blind.Send(std::string(32 << 20, 'x'), seconds(15));
  std::this_thread::sleep_for(milliseconds(300));
  const int64_t rss_after = GatewayRssKb();
  const bool closed = blind.WaitClosed(milliseconds(2000));
  std::fprintf(stderr,
               "32 MiB without a message start: sent %lld bytes, %s; fixgw "
               "RSS %lld KiB -> %lld KiB\n",
               static_cast<long long>(sent), closed ? "disconnected" : "still open",
               static_cast<long long>(rss_before),
               static_cast<long long>(rss_after));
  ExpectGoodTrades("garbage-no-start");
  EXPECT_TRUE(closed) << "a peer without a session sent " << sent
                      << " bytes without a message start and is still "
                         "connected";
  EXPECT_LT(sent, 32 << 20) << "fixgw took all 32 MiB";
  if (kMemoryIsMeaningful) {
    EXPECT_LT(rss_after - rss_before, 4 * 1024)
        << "a peer without a session grew fixgw by "
        << (rss_after - rss_before) << " KiB";
  }
  // Journaled as a refused connection, with the peer's address.
  EXPECT_TRUE(WaitForDenial("first_message_size",
                            "connection from 127.0.0.1 dropped before any "
                            "session: "));
}

TEST_F(HostilePeerTest, LogonFloodIsRefusedAndTheGoodSessionTrades) {
  // 300 connections, each with a Logon: for the live BROKER1 (a second
  // connection), an unknown CompID, or HOSTILE1 (the first wins).
  std::vector<std::unique_ptr<HostilePeer>> peers;
  const char* senders[] = {"BROKER1", "NOBODY", "HOSTILE1"};
  for (int i = 0; i < 300; ++i) {
    auto p = std::make_unique<HostilePeer>(cluster_.gateway_port());
    if (!p->connected()) continue;
    p->Send(LogonBytes(senders[i % 3]), milliseconds(200));
    peers.push_back(std::move(p));
  }
  ExpectGoodTrades("logon-flood");
  // An unknown CompID is dropped at once; a Logon for a session that is
  // already connected waits up to 5 s for it to free up (QuickFIX's
  // ThreadedSocketConnection::setSession), then is dropped.
  int closed = 0, logged_on = 0, open = 0;
  std::vector<bool> done(peers.size(), false);
  const auto deadline = std::chrono::steady_clock::now() + seconds(8);
  while (std::chrono::steady_clock::now() < deadline) {
    open = 0;
    for (size_t i = 0; i < peers.size(); ++i) {
      if (done[i]) continue;
      const bool c = peers[i]->WaitClosed(milliseconds(1));
      if (peers[i]->received().find("35=A") != std::string::npos) {
        ++logged_on;
        done[i] = true;
      } else if (c) {
        ++closed;
        done[i] = true;
      } else {
        ++open;
      }
    }
    if (open == 0) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  std::fprintf(stderr, "logon flood: %zu connections, %d logged on, %d "
               "disconnected, %d still open\n",
               peers.size(), logged_on, closed, open);
  EXPECT_LE(logged_on, 1) << "only HOSTILE1's first Logon may succeed";
  EXPECT_EQ(open, 0) << "every refused Logon must be disconnected";

  // Many Logons on one logged-on connection.
  auto hostile = LoggedOn("HOSTILE2");
  ASSERT_TRUE(hostile);
  for (int seq = 2; seq < 52; ++seq) {
    hostile->Send("A", seq, "98=0|108=30|");
  }
  const std::string answer = AnswerTo(*hostile, "none", 2);
  std::fprintf(stderr, "50 Logons on a logged-on session: answer %s %s\n",
               answer.c_str(), last_answer_.c_str());
  EXPECT_NE(answer, "") << hostile->Transcript();
  ExpectGoodTrades("logon-repeat");
}

TEST_F(HostilePeerTest, OneMegabyteMessageIsAnswered) {
  auto hostile = LoggedOn("HOSTILE1");
  ASSERT_TRUE(hostile);
  const int64_t rss_before = GatewayRssKb();
  ASSERT_TRUE(hostile->Send("D", 2, Order("big") + "58=" +
                                        std::string(1 << 20, 'T') + "|"));
  const std::string answer = AnswerTo(*hostile, "big", 2);
  std::fprintf(stderr, "1 MiB NewOrderSingle: answer %s (%zu bytes); fixgw "
               "RSS %lld -> %lld KiB\n",
               answer.c_str(), last_answer_.size(),
               static_cast<long long>(rss_before),
               static_cast<long long>(GatewayRssKb()));
  EXPECT_NE(answer, "");
  ExpectGoodTrades("1mb");
  // A BodyLength of 1 MB that never comes: the framer waits for it.
  HostilePeer liar(cluster_.gateway_port());
  liar.Send("8=FIX.4.4\x01" "9=1048576\x01" "35=A\x01", seconds(1));
  ExpectGoodTrades("1mb-promised");
}

// A logged-on peer that promises a 100 MB message and keeps sending: the
// framer holds a message whole until it is complete, so fixgw drops the
// connection after kMaxBytesPerMessage (4 MiB) without a complete message.
TEST_F(HostilePeerTest, EndlessMessageIsCutAtTheMessageLimit) {
  HostilePeer hostile(cluster_.gateway_port());
  ASSERT_TRUE(hostile.connected());
  hostile.Send(LogonBytes("HOSTILE2"), seconds(1));
  hostile.Receive(milliseconds(500));
  ASSERT_NE(hostile.received().find("35=A"), std::string::npos)
      << hostile.received();
  const int64_t rss_before = GatewayRssKb();
  const int64_t sent =
      hostile.Send("8=FIX.4.4\x01" "9=100000000\x01" "35=D\x01" +
                       std::string(32 << 20, 'x'),
                   seconds(15));
  const int64_t rss_after = GatewayRssKb();
  const bool closed = hostile.WaitClosed(milliseconds(2000));
  std::fprintf(stderr,
               "logged-on peer, 100 MB promised: sent %lld bytes, %s; fixgw "
               "RSS %lld KiB -> %lld KiB\n",
               static_cast<long long>(sent),
               closed ? "disconnected" : "still open",
               static_cast<long long>(rss_before),
               static_cast<long long>(rss_after));
  EXPECT_TRUE(closed) << "fixgw took " << sent << " bytes of one message";
  EXPECT_LT(sent, 32 << 20);
  if (kMemoryIsMeaningful) {
    EXPECT_LT(rss_after - rss_before, 16 * 1024);
  }
  ExpectGoodTrades("endless-message");
}

TEST_F(HostilePeerTest, SlowlorisDoesNotStallOtherSessions) {
  // A Logon arriving one byte a second: for 5 s only its last 5 bytes are
  // missing; BROKER1 trades meanwhile; then the Logon completes, within
  // the LogonTimeout (10 s) that bounds a connection's first message.
  const std::string logon = LogonBytes("HOSTILE1");
  HostilePeer slow(cluster_.gateway_port());
  ASSERT_TRUE(slow.connected());
  ASSERT_EQ(slow.Send(logon.substr(0, logon.size() - 5), seconds(1)),
            static_cast<int64_t>(logon.size() - 5));
  for (size_t i = logon.size() - 5; i < logon.size(); ++i) {
    slow.Send(logon.substr(i, 1), seconds(1));
    ExpectGoodTrades("slowloris");
    std::this_thread::sleep_for(milliseconds(1000));
  }
  slow.Receive(kWait);
  EXPECT_NE(slow.received().find("35=A"), std::string::npos)
      << "the slow Logon, once complete, is answered";
}

// A Logon that never completes (one more byte a second, the last never):
// without a session QuickFIX applies no timeout, and the connection held
// its thread until the peer closed. fixgw drops it once the LogonTimeout
// of the sessions on the port (10 s, QuickFIX's default) has passed.
TEST_F(HostilePeerTest, SlowlorisIsDisconnectedAtTheLogonTimeout) {
  const std::string logon = LogonBytes("HOSTILE1");
  HostilePeer slow(cluster_.gateway_port());
  ASSERT_TRUE(slow.connected());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_GT(slow.Send(logon.substr(0, logon.size() / 2), seconds(1)), 0);
  size_t next = logon.size() / 2;
  bool closed = false;
  const auto limit = start + fix::kDefaultFirstMessageTimeout + seconds(5);
  while (!closed && std::chrono::steady_clock::now() < limit) {
    if (next + 1 < logon.size()) slow.Send(logon.substr(next++, 1), seconds(1));
    closed = slow.WaitClosed(milliseconds(1000));
  }
  const double after = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  std::fprintf(stderr, "slowloris (%zu of %zu bytes sent): %s after %.1f s\n",
               next, logon.size(), closed ? "disconnected" : "still open",
               after);
  EXPECT_TRUE(closed) << "an incomplete Logon still holds its connection";
  EXPECT_GE(after, 9.0) << "dropped before the LogonTimeout";
  EXPECT_EQ(slow.received().find("35=A"), std::string::npos);
  EXPECT_TRUE(WaitForDenial("first_message_timeout",
                            "connection from 127.0.0.1 dropped before any "
                            "session: no complete message within 10 s of "
                            "connecting"));
  ExpectGoodTrades("slowloris-cut");
}

// A logged-on peer (HeartBtInt 2) that sends a byte every 200 ms that
// never makes a message: QuickFIX ran its heartbeat and timeout checks only
// after a second without any input, so it was never timed out. fixgw ticks
// the session every second regardless: TestRequest, then disconnect.
TEST_F(HostilePeerTest, LoggedOnDribbleMeetsTheHeartbeatTimeout) {
  HostilePeer dribble(cluster_.gateway_port());
  ASSERT_TRUE(dribble.connected());
  dribble.Send(FixMessage(Header("A", "HOSTILE2", 1) + "98=0|108=2|141=Y|"),
               seconds(1));
  dribble.Receive(milliseconds(500));
  ASSERT_NE(dribble.received().find("35=A"), std::string::npos)
      << dribble.received();
  const auto start = std::chrono::steady_clock::now();
  bool closed = false;
  while (!closed &&
         std::chrono::steady_clock::now() < start + seconds(20)) {
    dribble.Send("x", seconds(1));
    closed = dribble.WaitClosed(milliseconds(200));
  }
  const double after = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  std::fprintf(stderr, "logged-on dribble (HeartBtInt 2): %s after %.1f s\n",
               closed ? "disconnected" : "still open", after);
  EXPECT_TRUE(closed) << "a logged-on peer that sends no message stays on";
  EXPECT_NE(dribble.received().find("35=1"), std::string::npos)
      << "no TestRequest before the disconnect: " << dribble.received();
  ExpectGoodTrades("dribble");
}

// HOSTILE1 logs on with a 4 KiB receive buffer, then asks the status of an
// order again and again for 8 s (as long as fixgw reads) and never reads:
// each request makes fixgw send an ExecutionReport. Then BROKER1 sends an
// order. Returns whether BROKER1's order was answered within 5 s while
// HOSTILE1 was still connected; checks fixgw's memory bound, and that
// BROKER1 is served once HOSTILE1 is gone.
bool HostilePeerTest::NeverReadingPeer() {
  HostilePeer hostile(cluster_.gateway_port(), 4096);
  EXPECT_TRUE(hostile.connected());
  EXPECT_GT(hostile.Send(LogonBytes("HOSTILE1"), seconds(1)), 0);
  std::this_thread::sleep_for(milliseconds(300));
  const int64_t rss_start = GatewayRssKb();
  int64_t rss_peak = rss_start;
  const int64_t requests = FloodStatusRequests(hostile, &rss_peak);
  const std::string id = "good-never-reads-" + std::to_string(++orders_);
  EXPECT_TRUE(good_->Next("D", Order(id)));
  const bool served = good_->WaitFor({"35=8", "11=" + id}, kWait).has_value();
  rss_peak = std::max(rss_peak, GatewayRssKb());
  std::fprintf(stderr,
               "never-reading peer: %lld status requests taken in 8 s; fixgw "
               "RSS start %lld KiB, peak %lld KiB (+%lld); BROKER1 %s\n",
               static_cast<long long>(requests),
               static_cast<long long>(rss_start),
               static_cast<long long>(rss_peak),
               static_cast<long long>(rss_peak - rss_start),
               served ? "served" : "STALLED while HOSTILE1 is connected");
  // The bound: above 1 MiB of unsent answers the peer's connection is not
  // read (what it sends meanwhile waits in the kernel's buffers, not in
  // fixgw's memory). What grows is the work fixgw took before that: tens of
  // thousands of journaled requests and their prestored answers (SQLite's
  // page cache, the heap's high-water mark), measured +20 to +39 MiB, flat
  // over repeated floods.
  if (kMemoryIsMeaningful) {
    EXPECT_LT(rss_peak - rss_start, 48 * 1024)
        << "fixgw grew by more than 48 MiB for one peer that never reads";
  }
  hostile.Close();
  if (!served) {
    const bool late = good_->WaitFor({"35=8", "11=" + id}, seconds(10))
                          .has_value();
    std::fprintf(stderr, "never-reading peer closed: BROKER1's order %s\n",
                 late ? "answered" : "still unanswered");
    EXPECT_TRUE(late) << "BROKER1 still stalled after HOSTILE1 disconnected";
  }
  ExpectGoodTrades("never-reads-after");
  return served;
}

// HOSTILE1 (logged on) asks the status of an order again and again until
// fixgw stops reading it or 8 s pass, never reading the answers; returns
// how many requests fixgw took and keeps fixgw's peak RSS in *rss_peak.
int64_t HostilePeerTest::FloodStatusRequests(HostilePeer& hostile,
                                             int64_t* rss_peak) {
  int64_t requests = 0;
  int seq = 2;
  const auto stop = std::chrono::steady_clock::now() + seconds(8);
  while (std::chrono::steady_clock::now() < stop) {
    std::string batch;
    for (int i = 0; i < 200; ++i, ++seq) {
      batch += FixMessage(Header("H", "HOSTILE1", seq) + "11=q|55=MSFT|54=1|");
    }
    const int64_t sent = hostile.Send(batch, milliseconds(500));
    if (sent < static_cast<int64_t>(batch.size())) break;  // fixgw stopped
    requests += 200;
    *rss_peak = std::max(*rss_peak, GatewayRssKb());
  }
  return requests;
}

TEST_F(HostilePeerTest, PeerThatNeverReadsKeepsMemoryBounded) {
  (void)NeverReadingPeer();
}

// Sends never block (the transport queues per connection), so the peer's
// full socket holds up only the bytes to that peer: BROKER1 is served
// meanwhile.
TEST_F(HostilePeerTest, PeerThatNeverReadsDoesNotStallOthers) {
  EXPECT_TRUE(NeverReadingPeer())
      << "BROKER1's order got no answer while HOSTILE1 did not read";
}

// A logged-on peer that never reads: QuickFIX's socket send blocked for as
// long as it stayed connected, holding the session lock, so not even its
// heartbeat timeout could fire. fixgw aborts the connection once a send
// has made no progress for kSendStallTimeout (10 s); HOSTILE1 can then log
// on again.
TEST_F(HostilePeerTest, PeerThatNeverReadsIsDisconnected) {
  HostilePeer hostile(cluster_.gateway_port(), 4096);
  ASSERT_TRUE(hostile.connected());
  ASSERT_GT(hostile.Send(LogonBytes("HOSTILE1"), seconds(1)), 0);
  std::this_thread::sleep_for(milliseconds(300));
  int64_t rss_peak = GatewayRssKb();
  const auto start = std::chrono::steady_clock::now();
  const int64_t requests = FloodStatusRequests(hostile, &rss_peak);
  const auto flooded = std::chrono::steady_clock::now();
  // fixgw first answers what it took (seconds; much longer under a
  // sanitizer), then the stall clock runs.
  const bool gone = hostile.ClosedWithoutReading(
      fix::kSendStallTimeout + seconds(15 * kSanitizerSlowdown));
  const auto end = std::chrono::steady_clock::now();
  std::fprintf(stderr,
               "never-reading peer: %lld requests in %.1f s, then %s %.1f s "
               "later\n",
               static_cast<long long>(requests),
               std::chrono::duration<double>(flooded - start).count(),
               gone ? "disconnected" : "still connected",
               std::chrono::duration<double>(end - flooded).count());
  EXPECT_TRUE(gone) << "a peer that never reads is still connected";
  ExpectGoodTrades("never-reads-cut");
  hostile.Close();
  EXPECT_TRUE(LoggedOn("HOSTILE1") != nullptr)
      << "HOSTILE1's session did not end with its connection";
}

// A shutdown (SIGTERM) while a logged-on peer does not read ends: the
// stalled send gives up within kSendStallTimeout. (Without that, the
// acceptor's stop also ends it, by closing the socket after its own waits:
// measured 25.5 s, against 20.3 s with it.)
TEST_F(HostilePeerTest, ShutdownIsNotHeldByAPeerThatNeverReads) {
  HostilePeer hostile(cluster_.gateway_port(), 4096);
  ASSERT_TRUE(hostile.connected());
  ASSERT_GT(hostile.Send(LogonBytes("HOSTILE1"), seconds(1)), 0);
  std::this_thread::sleep_for(milliseconds(300));
  int64_t rss_peak = GatewayRssKb();
  (void)FloodStatusRequests(hostile, &rss_peak);
  const auto start = std::chrono::steady_clock::now();
  cluster_.gateway().Signal(SIGTERM);
  const std::optional<int> rc =
      cluster_.gateway().Wait(fix::kSendStallTimeout + seconds(40));
  const double took = std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - start)
                          .count();
  std::fprintf(stderr, "SIGTERM with a peer that never reads: %s after %.1f s\n",
               rc ? ("exit " + std::to_string(*rc)).c_str() : "still running",
               took);
  EXPECT_EQ(rc, std::optional<int>(0)) << GatewayLogTail();
}

// QuickFIX 1.15.1's acceptor gave every connection a thread and lost some
// of them (their stacks stayed mapped: +57 MB for 8,000 connections).
// fixgw's own transport has no thread per connection; churn must leave
// neither memory nor mappings behind.
TEST_F(HostilePeerTest, ThousandsOfConnectsAndDisconnects) {
  const int64_t rss_before = GatewayRssKb();
  const int64_t maps_before = MappingCount(cluster_.gateway().pid());
  const auto stop = std::chrono::steady_clock::now() + seconds(15);
  int done = 0;
  for (; done < 2000 && std::chrono::steady_clock::now() < stop; ++done) {
    HostilePeer p(cluster_.gateway_port());
    if (!p.connected()) break;
    if (done % 4 == 1) p.Send("8=FIX.4.4\x01" "9=", milliseconds(50));
    if (done % 4 == 2) p.Send(LogonBytes("NOBODY"), milliseconds(50));
  }
  std::this_thread::sleep_for(milliseconds(500));  // the accept backlog drains
  ExpectGoodTrades("churn");
  // The connection threads end once their peers are gone.
  int64_t maps_after = MappingCount(cluster_.gateway().pid());
  for (int i = 0; i < 50 && maps_after > maps_before + 100; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    maps_after = MappingCount(cluster_.gateway().pid());
  }
  std::fprintf(stderr,
               "%d connects/disconnects; fixgw RSS %lld -> %lld KiB, "
               "mappings %lld -> %lld\n",
               done, static_cast<long long>(rss_before),
               static_cast<long long>(GatewayRssKb()),
               static_cast<long long>(maps_before),
               static_cast<long long>(maps_after));
  EXPECT_EQ(done, 2000) << "connections refused or too slow";
  EXPECT_LT(maps_after - maps_before, 100)
      << "connection threads that ended left their stacks mapped";
  if (kMemoryIsMeaningful) {
    EXPECT_LT(GatewayRssKb() - rss_before, 8 * 1024);
  }
}

TEST_F(HostilePeerTest, AbsurdNumbersAndTextAreAnswered) {
  auto hostile = LoggedOn("HOSTILE1");
  ASSERT_TRUE(hostile);
  struct Case {
    std::string id;
    std::string body;  // after ClOrdID
  };
  const std::string t = "|60=" + FixNow() + "|";
  std::vector<Case> cases = {
      {"qty-1e30", "55=MSFT|54=1" + t + "38=1e30|40=2|44=1|"},
      {"qty-huge", "55=MSFT|54=1" + t + "38=99999999999999999999|40=2|44=1|"},
      {"qty-int64", "55=MSFT|54=1" + t + "38=9223372036854775808|40=2|44=1|"},
      {"px-neg", "55=MSFT|54=1" + t + "38=10|40=2|44=-1|"},
      {"px-huge", "55=MSFT|54=1" + t + "38=10|40=2|44=99999999999999999999|"},
      {"px-tiny", "55=MSFT|54=1" + t + "38=10|40=2|44=0.0000001|"},
      {"px-nan", "55=MSFT|54=1" + t + "38=10|40=2|44=NaN|"},
      {"px-inf", "55=MSFT|54=1" + t + "38=10|40=2|44=inf|"},
      {"qty-inf", "55=MSFT|54=1" + t + "38=-Infinity|40=2|44=1|"},
      {"qty-nan", "55=MSFT|54=1" + t + "38=nan|40=2|44=1|"},
      {"qty-hex", "55=MSFT|54=1" + t + "38=0x10|40=2|44=1|"},
      {"sym-utf8", "55=\xc3\x84\xc3\x96\xc3\x9c|54=1" + t + "38=10|40=2|44=1|"},
      {"sym-bad-utf8", "55=\xff\xfe\x80|54=1" + t + "38=10|40=2|44=1|"},
      {"text-utf8", "55=MSFT|54=1" + t +
                        "38=10|40=2|44=1|58=caf\xc3\xa9 \xe2\x82\xac|"},
      {"text-bad-utf8", "55=MSFT|54=1" + t + "38=10|40=2|44=1|58=\xc0\xaf\xff|"},
      {"group-huge", "453=1000000|448=P1|447=D|452=1|55=MSFT|54=1" + t +
                         "38=10|40=2|44=1|"},
      {"group-overflow", "453=99999999999999999999|448=P1|55=MSFT|54=1" + t +
                             "38=10|40=2|44=1|"},
  };
  int seq = 2;
  for (const Case& c : cases) {
    ASSERT_TRUE(hostile->Send("D", seq, "11=" + c.id + "|" + c.body));
    const std::string answer = AnswerTo(*hostile, c.id, seq);
    std::string detail = answer == "8"   ? "39=" + Field(last_answer_, 39) +
                                               " 103=" +
                                               Field(last_answer_, 103) +
                                               " 58=" + Field(last_answer_, 58)
                         : answer == "3" ? "373=" + Field(last_answer_, 373) +
                                               " 58=" + Field(last_answer_, 58)
                                         : last_answer_;
    std::fprintf(stderr, "%-15s -> 35=%s %s\n", c.id.c_str(), answer.c_str(),
                 detail.c_str());
    ASSERT_NE(answer, "") << c.id << " got no answer:\n"
                          << hostile->Transcript();
    if (answer == "closed" || answer == "5") break;
    // Numbers outside what fixgw trades must never be accepted.
    if (c.id.rfind("qty-", 0) == 0 || c.id.rfind("px-", 0) == 0 ||
        c.id.rfind("sym-", 0) == 0) {
      EXPECT_FALSE(answer == "8" && Field(last_answer_, 39) == "0")
          << c.id << " was accepted: " << last_answer_;
    }
    ++seq;
  }
  ExpectGoodTrades("absurd");
}

}  // namespace
}  // namespace fixgw::testing
