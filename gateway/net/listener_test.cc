#include "gateway/net/listener.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "gateway/net/internal/test_util.h"

namespace fixgw::net {
namespace {

using testing::NewLoop;
using testing::PeekState;
using testing::RawConnect;
using testing::RunUntil;

ListenOptions Loopback(std::uint16_t port = 0) {
  return ListenOptions{.host = "127.0.0.1", .port = port};
}

TEST(ListenerTest, BindsAKernelChosenPortOnTheConfiguredHost) {
  auto loop = NewLoop();
  auto listener = Listener::Listen(*loop, Loopback(), {});
  ASSERT_TRUE(listener.ok()) << listener.status().message();
  EXPECT_NE((*listener)->port(), 0);
  EXPECT_EQ((*listener)->address(),
            "127.0.0.1:" + std::to_string((*listener)->port()));
}

TEST(ListenerTest, ReportsABindConflictInOneLineNamingHostPortAndCause) {
  auto loop = NewLoop();
  auto first = Listener::Listen(*loop, Loopback(), {});
  ASSERT_TRUE(first.ok());
  const std::uint16_t port = (*first)->port();
  auto second = Listener::Listen(*loop, Loopback(port), {});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().message(),
            "cannot listen on 127.0.0.1:" + std::to_string(port) +
                ": Address already in use");
}

TEST(ListenerTest, ReportsAnUnusableAddressInOneLine) {
  auto loop = NewLoop();
  // Not an address of this machine.
  auto listener = Listener::Listen(*loop, {.host = "192.0.2.1", .port = 0}, {});
  ASSERT_FALSE(listener.ok());
  EXPECT_EQ(listener.status().message(),
            "cannot listen on 192.0.2.1:0: Cannot assign requested address");
  auto unresolvable =
      Listener::Listen(*loop, {.host = "no-such-host.invalid", .port = 7}, {});
  ASSERT_FALSE(unresolvable.ok());
  const std::string& text = unresolvable.status().message();
  EXPECT_EQ(text.rfind("cannot listen on no-such-host.invalid:7: ", 0), 0u)
      << text;
  EXPECT_EQ(text.find('\n'), std::string::npos);
}

TEST(ListenerTest, RefusesToGuessAHost) {
  auto loop = NewLoop();
  auto listener = Listener::Listen(*loop, {.host = "", .port = 0}, {});
  ASSERT_FALSE(listener.ok());
  EXPECT_NE(listener.status().message().find("no host given"),
            std::string::npos);
}

TEST(ListenerTest, HandsOverAcceptedSocketsWithThePeerAddress) {
  auto loop = NewLoop();
  std::vector<PeerAddress> peers;
  std::vector<UniqueFd> sockets;
  auto listener = Listener::Listen(
      *loop, Loopback(),
      {.on_accept = [&](UniqueFd socket, const PeerAddress& peer) {
        sockets.push_back(std::move(socket));
        peers.push_back(peer);
      }});
  ASSERT_TRUE(listener.ok());
  UniqueFd client = RawConnect((*listener)->port());
  ASSERT_TRUE(client);
  sockaddr_in local{};
  socklen_t size = sizeof local;
  ASSERT_EQ(
      ::getsockname(client.get(), reinterpret_cast<sockaddr*>(&local), &size),
      0);
  ASSERT_TRUE(RunUntil(*loop, [&] { return peers.size() == 1; }));
  EXPECT_EQ(peers[0].ip, "127.0.0.1");
  EXPECT_EQ(peers[0].port, ntohs(local.sin_port));
  EXPECT_TRUE(sockets[0].valid());
  // The accepted socket is the client's other end.
  ASSERT_EQ(::send(client.get(), "x", 1, 0), 1);
  char c = 0;
  pollfd p{sockets[0].get(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 2000), 1);
  EXPECT_EQ(::recv(sockets[0].get(), &c, 1, 0), 1);
  EXPECT_EQ(c, 'x');
}

TEST(ListenerTest, RefusesAtAcceptTimeAndReportsReasonAndPeer) {
  auto loop = NewLoop();
  int accepted = 0;
  std::vector<std::pair<std::string, std::string>> refused;
  auto listener = Listener::Listen(
      *loop, Loopback(),
      {.admit = [](const PeerAddress& peer) -> std::optional<std::string> {
         if (peer.ip == "127.0.0.1")
           return "127.0.0.1 is not in AllowedAddresses";
         return std::nullopt;
       },
       .on_accept = [&](UniqueFd, const PeerAddress&) { ++accepted; },
       .on_refuse =
           [&](const PeerAddress& peer, const std::string& reason) {
             refused.emplace_back(peer.ip, reason);
           }});
  ASSERT_TRUE(listener.ok());
  UniqueFd client = RawConnect((*listener)->port());
  ASSERT_TRUE(client);
  ASSERT_TRUE(RunUntil(*loop, [&] { return refused.size() == 1; }));
  EXPECT_EQ(accepted, 0);
  EXPECT_EQ(refused[0].first, "127.0.0.1");
  EXPECT_EQ(refused[0].second, "127.0.0.1 is not in AllowedAddresses");
  // The client sees the connection end (EOF or reset), not silence.
  const long state = PeekState(client.get(), std::chrono::milliseconds(2000));
  EXPECT_TRUE(state == 0 || state == -ECONNRESET) << state;
}

TEST(ListenerTest, MayBeDestroyedFromItsOwnCallback) {
  auto loop = NewLoop();
  std::unique_ptr<Listener> owned;
  int accepted = 0;
  auto listener = Listener::Listen(
      *loop, Loopback(), {.on_accept = [&](UniqueFd, const PeerAddress&) {
        ++accepted;
        owned.reset();
      }});
  ASSERT_TRUE(listener.ok());
  const std::uint16_t port = (*listener)->port();
  owned = std::move(listener).value();
  UniqueFd a = RawConnect(port);
  UniqueFd b = RawConnect(port);
  ASSERT_TRUE(RunUntil(*loop, [&] { return owned == nullptr; }));
  testing::RunFor(*loop, std::chrono::milliseconds(50));
  EXPECT_EQ(accepted, 1);
}

}  // namespace
}  // namespace fixgw::net
