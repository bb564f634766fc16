// Plaintext connections over 127.0.0.1: exchange, and every limit cutting.
#include "gateway/net/connection.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "gateway/net/internal/fix_text.h"
#include "gateway/net/internal/test_server.h"
#include "gateway/net/internal/test_util.h"
#include "gateway/net/net.h"  // the umbrella header compiles on its own

namespace fixgw::net {
namespace {

using std::chrono::milliseconds;
using testing::FixMessage;
using testing::FixMessageOfSize;
using testing::NewLoop;
using testing::PeekState;
using testing::RawConnect;
using testing::Record;
using testing::RunFor;
using testing::RunUntil;
using testing::SendAll;
using testing::Side;
using testing::TestServer;
using testing::kHeartbeat;
using testing::kLogon;

ConnectionLimits FastLimits() { return testing::FastLimits(milliseconds(300)); }

class ConnectionTest : public ::testing::Test {
 protected:
  std::unique_ptr<EventLoop> loop_ = NewLoop();

  // An outbound Connection to `port`, recorded in `side`.
  void ConnectTo(
      std::uint16_t port, Side& side, ConnectionLimits limits = {},
      std::function<void(Connection&, std::string_view)> on_message = {},
      std::function<void(Connection&)> on_open = {}) {
    auto conn = Connection::Connect(
        *loop_, {.host = "127.0.0.1", .port = port, .limits = limits},
        Record(side, std::move(on_message), std::move(on_open)));
    ASSERT_TRUE(conn.ok()) << conn.status().message();
    side.conn = std::move(conn).value();
  }
};

TEST_F(ConnectionTest, ExchangesMessagesBothWaysAndClosesGracefully) {
  TestServer server(*loop_, FastLimits());
  ASSERT_TRUE(server.ok());
  server.on_message = [](Connection& c, std::string_view) {
    EXPECT_TRUE(c.Send(kHeartbeat));
  };
  Side client;
  ConnectTo(server.port(), client, {}, {},
            [](Connection& c) { EXPECT_TRUE(c.Send(kLogon + kLogon)); });
  ASSERT_TRUE(RunUntil(*loop_, [&] { return client.messages.size() == 2; }));
  ASSERT_EQ(server.accepted(), 1u);
  Side& accepted = server.side(0);
  EXPECT_TRUE(accepted.opened);
  EXPECT_EQ(accepted.messages, (std::vector<std::string>{kLogon, kLogon}));
  EXPECT_EQ(client.messages[1], kHeartbeat);
  EXPECT_EQ(accepted.conn->peer().ip, "127.0.0.1");
  EXPECT_EQ(client.conn->peer().ToString(),
            "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(accepted.conn->bytes_received(), 2 * kLogon.size());
  EXPECT_FALSE(accepted.conn->is_tls());

  client.conn->Close("logout done");
  ASSERT_TRUE(
      RunUntil(*loop_, [&] { return client.closed && accepted.closed; }));
  EXPECT_EQ(client.closed->cause, CloseCause::kClosedLocally);
  EXPECT_EQ(client.closed->text, "logout done");
  EXPECT_EQ(accepted.closed->cause, CloseCause::kPeerClosed);
}

TEST_F(ConnectionTest, CarriesABulkOfLargeMessagesIntactBothWays) {
  ConnectionLimits limits = FastLimits();
  limits.first_message_timeout = milliseconds(60'000);
  limits.framer.max_bytes_before_first_message = 200'000;
  limits.framer.max_message_bytes = 200'000;
  limits.max_read_bytes_per_turn = 20'000;
  limits.read_chunk_bytes = 7'000;
  std::vector<std::string> sent;
  for (int i = 0; i < 100; ++i) {
    sent.push_back(
        FixMessage("35=B|58=" +
                   std::string(static_cast<std::size_t>(1'000 + i * 1'500),
                               static_cast<char>('a' + i % 26)) +
                   "|"));
  }
  TestServer server(*loop_, limits);
  server.on_message = [](Connection& c, std::string_view m) { c.Send(m); };
  Side client;
  ConnectTo(server.port(), client, limits, {}, [&](Connection& c) {
    for (const std::string& m : sent) c.Queue(m);
    c.Flush();
  });
  ASSERT_TRUE(RunUntil(
      *loop_, [&] { return client.messages.size() == sent.size(); },
      milliseconds(60'000)));
  EXPECT_EQ(server.side(0).messages, sent);
  EXPECT_EQ(client.messages, sent);
}

TEST_F(ConnectionTest, CutsAnIdleConnectionAtTheFirstMessageTimeout) {
  TestServer server(*loop_, FastLimits());
  UniqueFd raw = RawConnect(server.port());
  ASSERT_TRUE(raw);
  const auto start = EventLoop::Clock::now();
  ASSERT_TRUE(RunUntil(*loop_, [&] { return server.closed() == 1; }));
  const auto took = EventLoop::Clock::now() - start;
  const CloseReason& r = *server.side(0).closed;
  EXPECT_EQ(r.cause, CloseCause::kFirstMessageTimeout);
  EXPECT_EQ(r.text,
            "no complete message within 300 ms of connecting (0 bytes "
            "received)");
  EXPECT_GE(took, milliseconds(250));
  EXPECT_LT(took, milliseconds(2000));
  const long state = PeekState(raw.get(), milliseconds(1000));
  EXPECT_TRUE(state == 0 || state == -ECONNRESET) << state;
}

TEST_F(ConnectionTest, AFirstMessageInTimeStopsTheFirstMessageClock) {
  TestServer server(*loop_, FastLimits());
  UniqueFd raw = RawConnect(server.port());
  ASSERT_TRUE(SendAll(raw.get(), kLogon));
  ASSERT_TRUE(RunUntil(*loop_, [&] {
    return server.accepted() == 1 && server.side(0).messages.size() == 1;
  }));
  RunFor(*loop_, milliseconds(700));
  EXPECT_FALSE(server.side(0).closed);
}

TEST_F(ConnectionTest, DribbledBytesDoNotExtendTheFirstMessageTimeout) {
  TestServer server(*loop_, FastLimits());
  UniqueFd raw = RawConnect(server.port());
  const auto start = EventLoop::Clock::now();
  std::size_t at = 0;
  // One byte every 20 ms: never a whole Logon within 300 ms.
  while (!(server.accepted() == 1 && server.side(0).closed) &&
         EventLoop::Clock::now() - start < milliseconds(3000)) {
    if (at < kLogon.size())
      (void)::send(raw.get(), &kLogon[at++], 1, MSG_NOSIGNAL);
    RunFor(*loop_, milliseconds(20));
  }
  ASSERT_TRUE(server.side(0).closed);
  EXPECT_EQ(server.side(0).closed->cause, CloseCause::kFirstMessageTimeout);
  // Had each byte restarted the clock, the Logon would have completed.
  EXPECT_TRUE(server.side(0).messages.empty());
  EXPECT_LT(at, kLogon.size());
}

TEST_F(ConnectionTest, CutsGarbageAtExactlyTheByteLimit) {
  ConnectionLimits limits = FastLimits();
  limits.first_message_timeout = milliseconds(10'000);
  limits.framer.max_bytes_before_first_message = 4096;
  TestServer server(*loop_, limits);
  UniqueFd raw = RawConnect(server.port());
  ASSERT_TRUE(SendAll(raw.get(), std::string(4096, 'g')));
  ASSERT_TRUE(RunUntil(*loop_, [&] {
    return server.accepted() == 1 && server.side(0).conn &&
           server.side(0).conn->bytes_received() == 4096;
  }));
  RunFor(*loop_, milliseconds(50));
  EXPECT_FALSE(server.side(0).closed) << "cut at the limit, not over it";
  ASSERT_TRUE(SendAll(raw.get(), "g"));
  ASSERT_TRUE(RunUntil(*loop_, [&] { return server.closed() == 1; }));
  const CloseReason& r = *server.side(0).closed;
  EXPECT_EQ(r.cause, CloseCause::kFraming);
  EXPECT_EQ(r.frame_error, FrameError::kFirstMessageTooLarge);
  EXPECT_EQ(r.text,
            "4097 bytes received without a complete first message (limit "
            "4096)");
}

TEST_F(ConnectionTest, CutsAFloodOfGarbageWithoutBufferingIt) {
  // The default limits: 64 KiB before the first message.
  TestServer server(*loop_, ConnectionLimits{});
  UniqueFd raw = RawConnect(server.port());
  ::shutdown(raw.get(), SHUT_RD);
  const std::string chunk(64 * 1024, 'z');
  std::size_t sent = 0;
  for (int i = 0; i < 64 && !server.closed(); ++i) {
    const ssize_t n = ::send(raw.get(), chunk.data(), chunk.size(),
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) sent += static_cast<std::size_t>(n);
    RunFor(*loop_, milliseconds(2));
  }
  ASSERT_TRUE(RunUntil(*loop_, [&] { return server.closed() == 1; }));
  EXPECT_EQ(server.side(0).closed->frame_error,
            FrameError::kFirstMessageTooLarge);
  EXPECT_LT(sent, 64u * chunk.size()) << "the flood was not cut early";
  // Cut within one read (read_chunk_bytes) of the limit.
  EXPECT_GT(server.side(0).bytes_at_close, 64u * 1024);
  EXPECT_LE(server.side(0).bytes_at_close, 64u * 1024 + 64 * 1024);
}

TEST_F(ConnectionTest, CutsAMessageOverThePerMessageLimitAfterTheFirst) {
  ConnectionLimits limits = FastLimits();
  limits.framer.max_message_bytes = 10'000;
  TestServer server(*loop_, limits);
  UniqueFd raw = RawConnect(server.port());
  ASSERT_TRUE(SendAll(raw.get(), kLogon + FixMessageOfSize(10'000)));
  ASSERT_TRUE(RunUntil(*loop_, [&] {
    return server.accepted() == 1 && server.side(0).messages.size() == 2;
  }));
  ASSERT_TRUE(SendAll(raw.get(), FixMessageOfSize(10'001)));
  ASSERT_TRUE(RunUntil(*loop_, [&] { return server.closed() == 1; }));
  EXPECT_EQ(server.side(0).closed->frame_error, FrameError::kMessageTooLarge);
  EXPECT_EQ(server.side(0).messages.size(), 2u);
}

TEST_F(ConnectionTest, CutsABadBodyLength) {
  TestServer server(*loop_, FastLimits());
  UniqueFd raw = RawConnect(server.port());
  ASSERT_TRUE(SendAll(raw.get(), testing::Soh("8=FIX.4.4|9=x1|35=A|")));
  ASSERT_TRUE(RunUntil(*loop_, [&] { return server.closed() == 1; }));
  EXPECT_EQ(server.side(0).closed->frame_error, FrameError::kBadBodyLength);
}

// The server writes to a client that has stopped reading.
TEST_F(ConnectionTest, CutsASlowConsumerAtTheHighWaterMark) {
  ConnectionLimits limits = FastLimits();
  limits.send_stall_timeout = milliseconds(60'000);  // not this cut
  limits.max_outbound_bytes = 1 << 20;
  TestServer server(*loop_, limits);
  Side client;
  ConnectTo(server.port(), client, {}, {}, [](Connection& c) {
    c.Send(kLogon);
    c.PauseReading();
  });
  ASSERT_TRUE(RunUntil(*loop_, [&] {
    return server.accepted() == 1 && server.side(0).messages.size() == 1;
  }));
  const std::string big = FixMessageOfSize(64 * 1024);
  std::size_t queued_max = 0;
  bool refused = false;
  for (int i = 0; i < 4000 && !refused; ++i) {
    Side& s = server.side(0);
    if (!s.conn) break;
    refused = !s.conn->Send(big);
    if (s.conn) queued_max = std::max(queued_max, s.conn->outbound_bytes());
    loop_->RunOnce(milliseconds(0));
  }
  EXPECT_TRUE(refused);
  ASSERT_TRUE(RunUntil(*loop_, [&] { return server.closed() == 1; }));
  const CloseReason& r = *server.side(0).closed;
  EXPECT_EQ(r.cause, CloseCause::kSlowConsumer);
  EXPECT_LE(queued_max, limits.max_outbound_bytes);
  EXPECT_NE(r.text.find("limit 1048576"), std::string::npos) << r.text;
}

TEST_F(ConnectionTest, CutsASendThatMakesNoProgressForTheStallTimeout) {
  ConnectionLimits limits = FastLimits();
  limits.max_outbound_bytes = 256 << 20;
  TestServer server(*loop_, limits);
  UniqueFd raw = RawConnect(server.port());
  ASSERT_TRUE(SendAll(raw.get(), kLogon));
  ASSERT_TRUE(RunUntil(*loop_, [&] {
    return server.accepted() == 1 && server.side(0).messages.size() == 1;
  }));
  // Fill the socket buffers until bytes stay queued, then stop sending.
  const std::string big = FixMessageOfSize(256 * 1024);
  Connection& conn = *server.side(0).conn;
  for (int i = 0; i < 400 && conn.outbound_bytes() == 0; ++i) {
    ASSERT_TRUE(conn.Send(big));
  }
  ASSERT_GT(conn.outbound_bytes(), 0u);
  const auto stuck = EventLoop::Clock::now();
  ASSERT_TRUE(RunUntil(*loop_, [&] { return server.closed() == 1; }));
  EXPECT_EQ(server.side(0).closed->cause, CloseCause::kSendStall);
  EXPECT_GE(EventLoop::Clock::now() - stuck, milliseconds(250));
}

TEST_F(ConnectionTest, GracefulCloseDeliversEverythingQueued) {
  TestServer server(*loop_, FastLimits());
  const std::string big = FixMessageOfSize(100'000);
  server.on_message = [&](Connection& c, std::string_view) {
    for (int i = 0; i < 50; ++i) c.Queue(big);
    c.Flush();
    c.Close("end of day");
    EXPECT_EQ(c.state(), Connection::State::kClosing);
    EXPECT_FALSE(c.Send(kHeartbeat)) << "no sends after Close";
  };
  ConnectionLimits client_limits;
  client_limits.framer.max_bytes_before_first_message = 200'000;
  client_limits.framer.max_message_bytes = 200'000;
  client_limits.close_timeout = milliseconds(5000);
  Side client;
  ConnectTo(server.port(), client, client_limits, {},
            [](Connection& c) { c.Send(kLogon); });
  ASSERT_TRUE(
      RunUntil(*loop_, [&] { return client.closed && server.closed(); }));
  EXPECT_EQ(client.messages.size(), 50u);
  EXPECT_EQ(client.closed->cause, CloseCause::kPeerClosed);
  EXPECT_EQ(server.side(0).closed->cause, CloseCause::kClosedLocally);
  EXPECT_EQ(server.side(0).closed->text, "end of day");
}

TEST_F(ConnectionTest, AbortResetsTheConnectionAtOnce) {
  TestServer server(*loop_, FastLimits());
  UniqueFd raw = RawConnect(server.port());
  ASSERT_TRUE(SendAll(raw.get(), kLogon));
  ASSERT_TRUE(RunUntil(*loop_, [&] {
    return server.accepted() == 1 && server.side(0).messages.size() == 1;
  }));
  bool closed_inside = false;
  server.side(0).conn->Abort("operator kill");
  closed_inside = server.side(0).closed.has_value();
  EXPECT_FALSE(closed_inside) << "on_close must not run inside Abort()";
  ASSERT_TRUE(RunUntil(*loop_, [&] { return server.closed() == 1; }));
  EXPECT_EQ(server.side(0).closed->cause, CloseCause::kAborted);
  EXPECT_EQ(server.side(0).closed->text, "operator kill");
  EXPECT_EQ(PeekState(raw.get(), milliseconds(1000)), -ECONNRESET);
}

TEST_F(ConnectionTest, ReportsThePeerClosing) {
  TestServer server(*loop_, FastLimits());
  {
    UniqueFd raw = RawConnect(server.port());
    ASSERT_TRUE(SendAll(raw.get(), kLogon));
    ASSERT_TRUE(RunUntil(*loop_, [&] { return server.accepted() == 1; }));
  }
  ASSERT_TRUE(RunUntil(*loop_, [&] { return server.closed() == 1; }));
  EXPECT_EQ(server.side(0).closed->cause, CloseCause::kPeerClosed);
  EXPECT_EQ(server.side(0).messages.size(), 1u) << "bytes before the FIN count";
}

TEST_F(ConnectionTest, ReportsARefusedConnect) {
  std::uint16_t port;
  {
    auto probe = Listener::Listen(*loop_, {.host = "127.0.0.1", .port = 0}, {});
    ASSERT_TRUE(probe.ok());
    port = (*probe)->port();
  }  // closed: nothing listens there now
  Side client;
  ConnectTo(port, client);
  ASSERT_TRUE(RunUntil(*loop_, [&] { return client.closed.has_value(); }));
  EXPECT_FALSE(client.opened);
  EXPECT_EQ(client.closed->cause, CloseCause::kConnectFailed);
  EXPECT_EQ(
      client.closed->text,
      "connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST_F(ConnectionTest, GivesUpAConnectThatDoesNotCompleteInTime) {
  // A listener that never accepts, its queue full: further SYNs are dropped
  // and a connect hangs until its timeout.
  UniqueFd full(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(full.get(), reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
  ASSERT_EQ(::listen(full.get(), 0), 0);
  socklen_t size = sizeof at;
  ASSERT_EQ(::getsockname(full.get(), reinterpret_cast<sockaddr*>(&at), &size),
            0);
  const std::uint16_t port = ntohs(at.sin_port);
  std::vector<UniqueFd> fillers;
  for (int i = 0; i < 4; ++i) {
    UniqueFd f(
        ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    (void)::connect(f.get(), reinterpret_cast<sockaddr*>(&at), sizeof at);
    fillers.push_back(std::move(f));
  }
  Side client;
  auto conn = Connection::Connect(
      *loop_,
      {.host = "127.0.0.1", .port = port, .connect_timeout = milliseconds(300)},
      Record(client));
  ASSERT_TRUE(conn.ok());
  client.conn = std::move(conn).value();
  const auto start = EventLoop::Clock::now();
  ASSERT_TRUE(RunUntil(*loop_, [&] { return client.closed.has_value(); }));
  EXPECT_FALSE(client.opened);
  EXPECT_EQ(client.closed->cause, CloseCause::kConnectTimeout);
  EXPECT_EQ(client.closed->text,
            "connect to 127.0.0.1:" + std::to_string(port) +
                ": no connection within 300 ms");
  EXPECT_GE(EventLoop::Clock::now() - start, milliseconds(250));
}

TEST_F(ConnectionTest, RefusesToConnectWithoutAHost) {
  Side client;
  auto conn =
      Connection::Connect(*loop_, {.host = "", .port = 1}, Record(client));
  ASSERT_FALSE(conn.ok());
  EXPECT_NE(conn.status().message().find("no host given"), std::string::npos);
}

TEST_F(ConnectionTest, PausedReadingHoldsMessagesUntilResumed) {
  TestServer server(*loop_, FastLimits());
  server.on_message = [](Connection& c, std::string_view) { c.PauseReading(); };
  UniqueFd raw = RawConnect(server.port());
  ASSERT_TRUE(SendAll(raw.get(), kLogon + kHeartbeat + kHeartbeat));
  ASSERT_TRUE(RunUntil(*loop_, [&] {
    return server.accepted() == 1 && server.side(0).messages.size() == 1;
  }));
  RunFor(*loop_, milliseconds(50));
  EXPECT_EQ(server.side(0).messages.size(), 1u);
  server.on_message = nullptr;
  server.side(0).conn->ResumeReading();
  EXPECT_EQ(server.side(0).messages.size(), 1u) << "delivered from the loop";
  ASSERT_TRUE(
      RunUntil(*loop_, [&] { return server.side(0).messages.size() == 3; }));
}

// A peer that asks and does not read its answers: once more than
// pause_reading_above_bytes wait for it, its requests are not read; when it
// reads again the backlog drains and every request is answered.
TEST_F(ConnectionTest, ABacklogPausesReadingUntilThePeerReadsAgain) {
  ConnectionLimits limits = FastLimits();
  limits.send_stall_timeout = milliseconds(60'000);
  limits.pause_reading_above_bytes = 1 << 20;
  TestServer server(*loop_, limits);
  const std::string answer = FixMessageOfSize(256 * 1024);
  server.on_message = [&answer](Connection& c, std::string_view) {
    c.Send(answer);
  };
  UniqueFd raw = RawConnect(server.port());
  std::string requests = kLogon;
  for (int i = 0; i < 199; ++i) requests += kHeartbeat;
  ASSERT_TRUE(SendAll(raw.get(), requests));
  ASSERT_TRUE(RunUntil(*loop_, [&] { return server.accepted() == 1; }));
  RunFor(*loop_, milliseconds(300));
  Side& s = server.side(0);
  // 200 answers are 50 MiB: without the pause the connection would have
  // been cut as a slow consumer (16 MiB).
  EXPECT_LT(s.messages.size(), 200u);
  ASSERT_TRUE(s.conn);
  EXPECT_LE(s.conn->outbound_bytes(), (1u << 20) + answer.size());
  std::size_t read = 0;
  char buf[64 * 1024];
  ASSERT_TRUE(RunUntil(
      *loop_,
      [&] {
        ssize_t n;
        while ((n = ::recv(raw.get(), buf, sizeof buf, MSG_DONTWAIT)) > 0) {
          read += static_cast<std::size_t>(n);
        }
        return s.messages.size() == 200 && s.conn->outbound_bytes() == 0 &&
               read == 200 * answer.size();
      },
      milliseconds(20'000)))
      << s.messages.size() << " requests read, " << read << " bytes received";
  EXPECT_FALSE(s.closed.has_value());
}

// One peer's burst is delivered max_messages_per_turn at a time: another
// connection's message that arrives meanwhile is delivered within a turn,
// not after the burst; the burst still arrives whole and in order.
TEST_F(ConnectionTest, ABurstIsDeliveredAFewMessagesPerTurn) {
  ConnectionLimits limits = FastLimits();
  limits.max_messages_per_turn = 10;
  TestServer server(*loop_, limits);
  std::vector<std::pair<std::uint64_t, std::size_t>> turns;  // turn, side
  server.on_message = [&](Connection& c, std::string_view) {
    turns.emplace_back(loop_->turn(), server.side(0).conn.get() == &c ? 0 : 1);
  };
  UniqueFd flood = RawConnect(server.port());
  ASSERT_TRUE(RunUntil(*loop_, [&] { return server.accepted() == 1; }));
  UniqueFd quiet = RawConnect(server.port());
  ASSERT_TRUE(RunUntil(*loop_, [&] { return server.accepted() == 2; }));
  std::string burst = kLogon;
  for (int i = 0; i < 99; ++i) burst += kHeartbeat;
  ASSERT_TRUE(SendAll(flood.get(), burst));
  ASSERT_TRUE(SendAll(quiet.get(), kLogon));
  ASSERT_TRUE(RunUntil(*loop_, [&] { return turns.size() == 101; }));
  std::map<std::uint64_t, int> flood_per_turn;
  std::size_t quiet_at = 0;
  for (std::size_t i = 0; i < turns.size(); ++i) {
    if (turns[i].second == 0) ++flood_per_turn[turns[i].first];
    if (turns[i].second == 1) quiet_at = i;
  }
  for (const auto& [turn, n] : flood_per_turn) EXPECT_LE(n, 10) << turn;
  EXPECT_GE(flood_per_turn.size(), 10u);
  // The quiet peer's Logon came in one of the first turns of the burst.
  EXPECT_LE(quiet_at, 20u);
  EXPECT_EQ(server.side(0).messages.size(), 100u);
}

TEST_F(ConnectionTest, OwnerMayDropTheConnectionInsideACallback) {
  TestServer server(*loop_, FastLimits());
  server.on_message = [&](Connection&, std::string_view) {
    server.side(0).conn.reset();  // the last reference
  };
  UniqueFd raw = RawConnect(server.port());
  ASSERT_TRUE(SendAll(raw.get(), kLogon + kHeartbeat));
  ASSERT_TRUE(RunUntil(*loop_, [&] {
    return server.accepted() == 1 && !server.side(0).messages.empty();
  }));
  RunFor(*loop_, milliseconds(50));
  EXPECT_EQ(server.side(0).messages.size(), 1u);
  EXPECT_FALSE(server.side(0).closed) << "dropping is silent";
  const long state = PeekState(raw.get(), milliseconds(1000));
  EXPECT_TRUE(state == 0 || state == -ECONNRESET) << state;
}

TEST(CloseCauseTest, NamesAreStable) {
  EXPECT_EQ(CloseCauseName(CloseCause::kFirstMessageTimeout),
            "first_message_timeout");
  EXPECT_EQ(CloseCauseName(CloseCause::kSlowConsumer), "slow_consumer");
  EXPECT_EQ(CloseCauseName(CloseCause::kSendStall), "send_stall");
  EXPECT_EQ(CloseCauseName(CloseCause::kFraming), "framing");
}

}  // namespace
}  // namespace fixgw::net
