#include "gateway/fix/transport_settings.h"

#include <gtest/gtest.h>

#include <sstream>

#include "gateway/fix/fix_test_util.h"

namespace fixgw::fix {
namespace {

using testing::SettingsFrom;

TEST(PlanTransportTest, OneListenerPerHostAndPortWithItsSessions) {
  auto plan = PlanTransport(
      SettingsFrom("[DEFAULT]\nConnectionType=acceptor\nBeginString=FIX.4.4\n"
               "SenderCompID=GW\nSocketAcceptHost=127.0.0.1\n"
               "SocketAcceptPort=5001\n"
               "[SESSION]\nTargetCompID=B1\n"
               "[SESSION]\nTargetCompID=B2\nLogonTimeout=30\n"
               "[SESSION]\nTargetCompID=B3\nSocketAcceptPort=5002\n"
               "[SESSION]\nTargetCompID=B4\nSocketAcceptHost=\n"),
      true, false, "gw.cfg");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->listens.size(), 3u);
  const FixListen& shared = plan->listens[0];
  EXPECT_EQ(shared.host, "127.0.0.1");
  EXPECT_EQ(shared.port, 5001);
  EXPECT_EQ(shared.sessions.size(), 2u);
  // The longest LogonTimeout of the port's sessions.
  EXPECT_EQ(shared.limits.first_message_timeout, std::chrono::seconds(30));
  EXPECT_EQ(plan->listens[1].port, 5002);
  EXPECT_EQ(plan->listens[1].limits.first_message_timeout,
            std::chrono::seconds(10));
  // No host: every interface, as QuickFIX bound it.
  EXPECT_EQ(plan->listens[2].host, "0.0.0.0");
  EXPECT_TRUE(plan->connects.empty());
}

TEST(PlanTransportTest, InitiatorsConnectAndReconnectAsConfigured) {
  auto plan = PlanTransport(
      SettingsFrom("[DEFAULT]\nConnectionType=initiator\nBeginString=FIX.4.4\n"
               "SenderCompID=GW\nSocketConnectHost=127.0.0.1\n"
               "[SESSION]\nTargetCompID=SIM\nSocketConnectPort=6001\n"
               "ReconnectInterval=5\n"),
      false, false, "gw.cfg");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->connects.size(), 1u);
  EXPECT_EQ(plan->connects[0].session.toString(), "FIX.4.4:GW->SIM");
  EXPECT_EQ(plan->connects[0].connect.host, "127.0.0.1");
  EXPECT_EQ(plan->connects[0].connect.port, 6001);
  EXPECT_EQ(plan->connects[0].reconnect_interval, std::chrono::seconds(5));
}

TEST(PlanTransportTest, ErrorsNameTheFileTheSessionAndTheKey) {
  struct Case {
    std::string text;
    bool acceptor;
    std::string key;
  };
  for (const Case& c : std::vector<Case>{
           {"[SESSION]\nConnectionType=acceptor\nBeginString=FIX.4.4\n"
            "SenderCompID=GW\nTargetCompID=B1\n",
            true, "SocketAcceptPort is required"},
           {"[SESSION]\nConnectionType=acceptor\nBeginString=FIX.4.4\n"
            "SenderCompID=GW\nTargetCompID=B1\nSocketAcceptPort=70000\n",
            true, "SocketAcceptPort=70000"},
           {"[SESSION]\nConnectionType=initiator\nBeginString=FIX.4.4\n"
            "SenderCompID=GW\nTargetCompID=SIM\nSocketConnectPort=1\n",
            false, "SocketConnectHost is required"},
           {"[SESSION]\nConnectionType=initiator\nBeginString=FIX.4.4\n"
            "SenderCompID=GW\nTargetCompID=SIM\nSocketConnectPort=1\n"
            "SocketConnectHost=h\nReconnectInterval=soon\n",
            false, "ReconnectInterval=soon"},
       }) {
    auto plan = PlanTransport(SettingsFrom(c.text), c.acceptor, false, "gw.cfg");
    ASSERT_FALSE(plan.ok()) << c.text;
    const std::string& m = plan.status().message();
    EXPECT_NE(m.find("gw.cfg: session FIX.4.4:GW->"), std::string::npos) << m;
    EXPECT_NE(m.find(c.key), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace fixgw::fix
