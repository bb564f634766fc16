// FixTransport against QuickFIX's own connectors (a peer we did not write):
// its ThreadedSocketInitiator logs on to our acceptor side, and our
// initiator side logs on to its ThreadedSocketAcceptor; messages both ways,
// logout, reconnect, and a refused session. 127.0.0.1 only, bounded waits.
#include "gateway/fix/fix_transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <sstream>

#include "gateway/fix/fix_test_util.h"

namespace fixgw::fix {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Records what a side's sessions did; QuickFIX's connectors call it on
// their threads, ours on the loop thread.
struct Recorder : FIX::NullApplication {
  std::atomic<int> logons{0}, logouts{0};
  std::mutex mu;
  std::vector<std::string> app;  // guarded by mu
  // Answers every D with a BusinessMessageReject (any reply will do).
  bool answer = false;
  void onLogon(const FIX::SessionID&) override { ++logons; }
  void onLogout(const FIX::SessionID&) override { ++logouts; }
  void fromApp(const FIX::Message& m, const FIX::SessionID& id) override {
    {
      std::lock_guard lock(mu);
      app.push_back(m.toString());
    }
    if (!answer) return;
    FIX::Message reply;
    reply.getHeader().setField(FIX::MsgType("j"));
    reply.setField(FIX::RefMsgType("D"));
    reply.setField(FIX::BusinessRejectReason(0));
    reply.setField(FIX::Text("seen"));
    FIX::Session::sendToTarget(reply, id);
  }
  size_t count() {
    std::lock_guard lock(mu);
    return app.size();
  }
};

using testing::SettingsFrom;

const std::string kCommon =
    "StartTime=00:00:00\nEndTime=00:00:00\nUseDataDictionary=Y\n"
    "DataDictionary=" FIXGW_FIX44_XML "\nBeginString=FIX.4.4\n";


int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// A plain TCP connection to 127.0.0.1:port; -1 on failure.
int ConnectTo(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& bytes) {
  return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
         static_cast<ssize_t>(bytes.size());
}

// What arrived on `fd` within `wait` (non-blocking reads).
std::string Drain(int fd, milliseconds wait) {
  std::string got;
  const auto end = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

class FixTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loop = net::EventLoop::Create();
    ASSERT_TRUE(loop.ok()) << loop.status().message();
    loop_ = std::move(loop).value();
  }
  void TearDown() override {
    transport_.reset();
    driver_.reset();
  }

  // Runs the loop until `done` or 10 s.
  bool RunUntil(const std::function<bool()>& done,
                milliseconds limit = seconds(10)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > end) return false;
      loop_->RunOnce(milliseconds(10));
    }
    return true;
  }

  void StartOurs(const std::string& settings, std::vector<FixListen> listens,
                 std::vector<FixConnect> connects,
                 FixTransportEvents events = {}) {
    auto driver =
        SessionDriver::Create(ours_, our_stores_, nullptr, SettingsFrom(settings));
    ASSERT_TRUE(driver.ok()) << driver.status().message();
    driver_ = std::move(driver).value();
    events.on_closed = [this](const ClosedConnection& c) {
      closed_.push_back(c.session + " " + c.peer.ToString() + " " + c.cause +
                        ": " + c.text);
    };
    auto t = FixTransport::Start(*loop_, *driver_, std::move(listens),
                                 std::move(connects), std::move(events));
    ASSERT_TRUE(t.ok()) << t.status().message();
    transport_ = std::move(t).value();
  }

  // Our acceptor for BROKER1 on a kernel-chosen port.
  void StartAcceptor(FixTransportEvents events = {}) {
    StartOurs("[DEFAULT]\nConnectionType=acceptor\n" + kCommon +
                  "SenderCompID=GW\n[SESSION]\nTargetCompID=BROKER1\n",
              {FixListen{.host = "127.0.0.1", .port = 0}}, {},
              std::move(events));
  }

  std::string Closed() const {
    std::string out;
    for (const std::string& c : closed_) out += c + "\n";
    return out;
  }

  std::unique_ptr<net::EventLoop> loop_;
  Recorder ours_;
  FIX::MemoryStoreFactory our_stores_;
  std::unique_ptr<SessionDriver> driver_;
  std::unique_ptr<FixTransport> transport_;
  std::vector<std::string> closed_;
};

TEST_F(FixTransportTest, QuickFixInitiatorTradesWithOurAcceptor) {
  ours_.answer = true;
  ASSERT_NO_FATAL_FAILURE(StartOurs(
      "[DEFAULT]\nConnectionType=acceptor\n" + kCommon +
          "SenderCompID=GW\n[SESSION]\nTargetCompID=BROKER1\n",
      {FixListen{.host = "127.0.0.1", .port = 0}}, {}));
  const int port = transport_->ports().at(0);

  Recorder peer;
  FIX::MemoryStoreFactory peer_stores;
  FIX::SessionSettings peer_settings = SettingsFrom(
      "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\n"
      "ReconnectInterval=1\nSocketConnectHost=127.0.0.1\n"
      "SocketConnectPort=" + std::to_string(port) + "\n" + kCommon +
      "[SESSION]\nSenderCompID=BROKER1\nTargetCompID=GW\n");
  FIX::ThreadedSocketInitiator initiator(peer, peer_stores, peer_settings);
  initiator.start();
  EXPECT_TRUE(RunUntil([&] { return ours_.logons == 1 && peer.logons == 1; }))
      << Closed();

  FIX::Message order = testing::LimitOrder("o1");
  ASSERT_TRUE(FIX::Session::sendToTarget(
      order, FIX::SessionID("FIX.4.4", "BROKER1", "GW")));
  EXPECT_TRUE(RunUntil([&] { return peer.count() == 1; })) << Closed();
  ASSERT_EQ(ours_.count(), 1u);
  EXPECT_NE(ours_.app[0].find("\x01" "11=o1\x01"), std::string::npos);
  EXPECT_NE(peer.app[0].find("\x01" "58=seen\x01"), std::string::npos);

  // The peer logs out; our session answers and the connection closes.
  std::thread stopper([&] { initiator.stop(); });
  EXPECT_TRUE(RunUntil([&] { return ours_.logouts == 1; })) << Closed();
  stopper.join();
  EXPECT_TRUE(RunUntil([&] { return transport_->connections() == 0; }));
}

TEST_F(FixTransportTest, OurInitiatorLogsOnToQuickFixAcceptorAndReconnects) {
  const int port = FreePort();
  Recorder peer;
  peer.answer = true;
  // The venue keeps its sequence numbers across its restart (a FileStore),
  // as a venue does within a trading day.
  char dir[] = "/tmp/fix-transport-test.XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  FIX::SessionSettings peer_settings = SettingsFrom(
      "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=" +
      std::to_string(port) + "\nFileStorePath=" + dir + "\n" + kCommon +
      "[SESSION]\nSenderCompID=SIM\nTargetCompID=GW\n");
  FIX::FileStoreFactory peer_stores(peer_settings);
  auto acceptor = std::make_unique<FIX::ThreadedSocketAcceptor>(
      peer, peer_stores, peer_settings);
  acceptor->start();

  net::ConnectOptions connect;
  connect.host = "127.0.0.1";
  connect.port = static_cast<std::uint16_t>(port);
  ASSERT_NO_FATAL_FAILURE(StartOurs(
      "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\n" + kCommon +
          "SenderCompID=GW\n[SESSION]\nTargetCompID=SIM\n",
      {},
      {FixConnect{FIX::SessionID("FIX.4.4", "GW", "SIM"), connect,
                  milliseconds(200)}}));
  EXPECT_TRUE(RunUntil([&] { return ours_.logons == 1 && peer.logons == 1; }))
      << Closed();

  FIX::Message order = testing::LimitOrder("x1");
  ASSERT_TRUE(
      FIX::Session::sendToTarget(order, FIX::SessionID("FIX.4.4", "GW", "SIM")));
  EXPECT_TRUE(RunUntil([&] { return ours_.count() == 1; })) << Closed();
  EXPECT_EQ(peer.count(), 1u);

  // The venue goes away: our side notices, and logs on again once it is
  // back, sequence numbers continuing (memory stores on both sides).
  std::thread stopper([&] { acceptor->stop(); });
  EXPECT_TRUE(RunUntil([&] { return ours_.logouts == 1; })) << Closed();
  stopper.join();
  acceptor.reset();
  acceptor = std::make_unique<FIX::ThreadedSocketAcceptor>(
      peer, peer_stores, peer_settings);
  acceptor->start();
  EXPECT_TRUE(RunUntil([&] { return ours_.logons == 2 && peer.logons == 2; }))
      << Closed();
  transport_.reset();  // aborts the connection; the peer sees it go
  acceptor->stop(true);
  std::filesystem::remove_all(dir);
}

TEST_F(FixTransportTest, UnknownSessionIsRefusedWithTheKernelsPeerAddress) {
  ASSERT_NO_FATAL_FAILURE(StartOurs(
      "[DEFAULT]\nConnectionType=acceptor\n" + kCommon +
          "SenderCompID=GW\n[SESSION]\nTargetCompID=BROKER1\n",
      {FixListen{.host = "127.0.0.1", .port = 0}}, {}));
  const int fd = ConnectTo(transport_->ports().at(0));
  ASSERT_GE(fd, 0);
  const std::string msg = testing::RawLogon("BROKER9");
  ASSERT_EQ(::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(msg.size()));
  EXPECT_TRUE(RunUntil([&] { return !closed_.empty(); }));
  ASSERT_EQ(closed_.size(), 1u);
  EXPECT_NE(closed_[0].find("127.0.0.1:"), std::string::npos) << Closed();
  EXPECT_NE(closed_[0].find(" unknown_session: "), std::string::npos) << Closed();
  EXPECT_NE(closed_[0].find("FIX.4.4:GW->BROKER9"), std::string::npos)
      << Closed();
  // The socket is cut: the client reads the end (or a reset), no answer.
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 2000), 1);
  char buf[256];
  EXPECT_LE(::recv(fd, buf, sizeof buf, 0), 0);
  ::close(fd);
  EXPECT_EQ(ours_.logons, 0);
}

// A second connection for a session that has one is refused as in use;
// the first keeps its session.
TEST_F(FixTransportTest, SecondConnectionOfAConnectedSessionIsRefusedAsInUse) {
  ASSERT_NO_FATAL_FAILURE(StartAcceptor());
  const int port = transport_->ports().at(0);
  const int first = ConnectTo(port);
  ASSERT_TRUE(SendAll(first, testing::RawLogon("BROKER1")));
  ASSERT_TRUE(RunUntil([&] { return ours_.logons.load() == 1; }));
  const int second = ConnectTo(port);
  ASSERT_TRUE(SendAll(second, testing::RawLogon("BROKER1")));
  ASSERT_TRUE(RunUntil([&] { return !closed_.empty(); })) << Closed();
  EXPECT_NE(closed_[0].find(" session_in_use: "), std::string::npos)
      << Closed();
  EXPECT_TRUE(driver_->connected(FIX::SessionID("FIX.4.4", "GW", "BROKER1")));
  ::close(first);
  ::close(second);
}

// A Logon on a logged-on connection: QuickFIX ends it without an answer;
// the transport says why.
TEST_F(FixTransportTest, LogonOnALoggedOnConnectionIsReportedAsLogonState) {
  ASSERT_NO_FATAL_FAILURE(StartAcceptor());
  const int fd = ConnectTo(transport_->ports().at(0));
  ASSERT_TRUE(SendAll(fd, testing::RawLogon("BROKER1")));
  ASSERT_TRUE(RunUntil([&] { return ours_.logons.load() == 1; }));
  ASSERT_TRUE(SendAll(fd, testing::RawLogon("BROKER1", 2)));
  ASSERT_TRUE(RunUntil([&] { return !closed_.empty(); })) << Closed();
  EXPECT_NE(closed_[0].find("FIX.4.4:GW->BROKER1 127.0.0.1:"),
            std::string::npos)
      << Closed();
  EXPECT_NE(closed_[0].find(" logon_state: a second Logon"),
            std::string::npos)
      << Closed();
  ::close(fd);
}

// A message other than Logon first: the same, before the logon.
TEST_F(FixTransportTest, MessageBeforeLogonIsReportedAsLogonState) {
  ASSERT_NO_FATAL_FAILURE(StartAcceptor());
  const int fd = ConnectTo(transport_->ports().at(0));
  ASSERT_TRUE(SendAll(fd, testing::RawMessage("0", 1, "BROKER1", "")));
  ASSERT_TRUE(RunUntil([&] { return !closed_.empty(); })) << Closed();
  EXPECT_NE(closed_[0].find(" logon_state: a message before Logon"),
            std::string::npos)
      << Closed();
  EXPECT_EQ(Drain(fd, milliseconds(100)).find("35="), std::string::npos);
  EXPECT_EQ(ours_.logons.load(), 0);
  ::close(fd);
}

// Admission sees the peer and the port it came to; a refusal is reported
// with the admission's text, and the connection gets no byte.
TEST_F(FixTransportTest, AdmissionSeesThePeerAndThePort) {
  std::vector<std::string> asked;
  FixTransportEvents events;
  events.admit = [&asked](const net::PeerAddress& peer,
                          std::uint16_t port) -> std::optional<std::string> {
    asked.push_back(peer.ip + " " + std::to_string(port));
    return "not from " + peer.ip;
  };
  ASSERT_NO_FATAL_FAILURE(StartAcceptor(std::move(events)));
  const int port = transport_->ports().at(0);
  const int fd = ConnectTo(port);
  ASSERT_TRUE(RunUntil([&] { return !closed_.empty(); })) << Closed();
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0], "127.0.0.1 " + std::to_string(port));
  EXPECT_NE(closed_[0].find(" address_not_allowed: not from 127.0.0.1"),
            std::string::npos)
      << Closed();
  ::close(fd);
}

// While accepted connections are paused nothing of theirs is read; on
// resume what waited is delivered.
TEST_F(FixTransportTest, PausedAcceptedConnectionsAreReadAfterResume) {
  ASSERT_NO_FATAL_FAILURE(StartAcceptor());
  transport_->PauseAccepted(true);
  const int fd = ConnectTo(transport_->ports().at(0));
  ASSERT_TRUE(SendAll(fd, testing::RawLogon("BROKER1")));
  RunUntil([] { return false; }, milliseconds(300));
  EXPECT_EQ(ours_.logons.load(), 0);
  transport_->PauseAccepted(false);
  ASSERT_TRUE(RunUntil([&] { return ours_.logons.load() == 1; }));
  EXPECT_NE(Drain(fd, milliseconds(200)).find("35=A"), std::string::npos);
  ::close(fd);
}

}  // namespace
}  // namespace fixgw::fix
