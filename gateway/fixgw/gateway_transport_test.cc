// What fixgw journals of the connections its transport ends or refuses
// (gateway_transport.h): pure mappings, no sockets.
#include "gateway/fixgw/gateway_transport.h"

#include <gtest/gtest.h>

#include "gateway/router/journal_events.h"

namespace fixgw::gw {
namespace {

fix::ClosedConnection Closed(std::string cause, std::string text,
                             std::string session = "") {
  fix::ClosedConnection c;
  c.session = std::move(session);
  c.peer = net::PeerAddress{"127.0.0.1", 40000};
  c.cause = std::move(cause);
  c.text = std::move(text);
  c.local_port = 5001;
  return c;
}

TEST(DenialOfTest, RefusalsBeforeAnySessionAreConnectionRefusals) {
  struct Case {
    std::string cause, text, code, detail;
    net::FrameError frame = net::FrameError::kNone;
  };
  const Case cases[] = {
      {"address_not_allowed", "connection from 127.0.0.1 to port 5001 refused",
       "address_not_allowed", "connection from 127.0.0.1 to port 5001 refused"},
      {"tls_error", "TLS handshake with 127.0.0.1:40000 failed: no cert",
       "tls_handshake",
       "TLS handshake refused from 127.0.0.1: TLS handshake with "
       "127.0.0.1:40000 failed: no cert"},
      {"first_message_timeout", "no complete message within 10 s",
       "first_message_timeout",
       "connection from 127.0.0.1 dropped before any session: no complete "
       "message within 10 s"},
      {"framing", "65537 bytes", "first_message_size",
       "connection from 127.0.0.1 dropped before any session: 65537 bytes",
       net::FrameError::kFirstMessageTooLarge},
      {"framing", "bad BodyLength", "first_message_invalid",
       "connection from 127.0.0.1 dropped before any session: bad BodyLength",
       net::FrameError::kBadBodyLength},
      {"invalid_message", "invalid message: x", "first_message_invalid",
       "connection from 127.0.0.1 dropped before any session: invalid "
       "message: x"},
  };
  for (const Case& c : cases) {
    fix::ClosedConnection closed = Closed(c.cause, c.text);
    closed.frame_error = c.frame;
    auto denial = DenialOf(closed);
    ASSERT_TRUE(denial.has_value()) << c.cause;
    EXPECT_EQ(denial->kind, kConnectionRefused) << c.cause;
    EXPECT_EQ(denial->code, c.code) << c.cause;
    EXPECT_EQ(denial->detail, c.detail) << c.cause;
    EXPECT_EQ(denial->session, "") << c.cause;
  }
}

TEST(DenialOfTest, RefusedFirstMessagesAndLogonStatesAreLogonRefusals) {
  auto unknown = DenialOf(Closed("unknown_session", "no session X"));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->kind, kLogonRefused);
  EXPECT_EQ(unknown->code, "unknown_session");
  EXPECT_EQ(unknown->detail,
            "message for no configured session from 127.0.0.1: "
            "disconnected, no answer: no session X");
  auto in_use = DenialOf(Closed("session_in_use", "already connected"));
  ASSERT_TRUE(in_use);
  EXPECT_EQ(in_use->code, "logon_state");
  auto state =
      DenialOf(Closed("logon_state", "a second Logon", "FIX.4.4:GW->B1"));
  ASSERT_TRUE(state);
  EXPECT_EQ(state->kind, kLogonRefused);
  EXPECT_EQ(state->session, "FIX.4.4:GW->B1");
  EXPECT_EQ(state->detail, "from 127.0.0.1: a second Logon");
}

TEST(DenialOfTest, OrdinaryEndsAndSessionsConnectionsAreNoDenials) {
  EXPECT_FALSE(DenialOf(Closed("peer_closed", "")));  // a port probe
  EXPECT_FALSE(DenialOf(Closed("socket_error", "reset")));
  // A logged-on session's connection cut for a limit is logged, not a
  // refusal.
  EXPECT_FALSE(DenialOf(Closed("framing", "4 MiB", "FIX.4.4:GW->B1")));
  EXPECT_FALSE(DenialOf(Closed("slow_consumer", "16 MiB", "FIX.4.4:GW->B1")));
  EXPECT_FALSE(DenialOf(Closed("tls_error", "bad record", "FIX.4.4:GW->B1")));
  // The exchange side is never a refusal of a peer.
  fix::ClosedConnection out = Closed("connect_failed", "refused");
  out.inbound = false;
  EXPECT_FALSE(DenialOf(out));
}

TEST(RefuseAddressTest, OnlyPortsWithAListAreRestricted) {
  const std::map<int, std::set<std::string>> allowed{
      {5001, {"127.0.0.1", "10.1.2.3"}}};
  EXPECT_FALSE(RefuseAddress(allowed, {"127.0.0.1", 1}, 5001));
  EXPECT_FALSE(RefuseAddress(allowed, {"127.0.0.2", 1}, 5002));
  auto refused = RefuseAddress(allowed, {"127.0.0.2", 1}, 5001);
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused,
            "connection from 127.0.0.2 to port 5001 refused: not in "
            "AllowedRemoteAddresses");
}

}  // namespace
}  // namespace fixgw::gw
