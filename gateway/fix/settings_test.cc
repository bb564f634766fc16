#include "gateway/fix/settings.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace fixgw::fix {
namespace {

class SettingsTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& content) {
    // Unique per test and process: ctest runs each test in its own process,
    // in parallel.
    path_ = ::testing::TempDir() + "/settings_test." +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() +
            "." + std::to_string(getpid()) + ".cfg";
    std::ofstream(path_) << content;
    return path_;
  }
  void TearDown() override { std::remove(path_.c_str()); }
  std::string path_;
};

constexpr const char* kMixed = R"([DEFAULT]
BeginString=FIX.4.4
HeartBtInt=30
StartTime=00:00:00
EndTime=00:00:00

[SESSION]
ConnectionType=acceptor
SenderCompID=GW
TargetCompID=BROKER1
SocketAcceptPort=5001

[SESSION]
ConnectionType=acceptor
SenderCompID=GW
TargetCompID=BROKER2
SocketAcceptPort=5001

[SESSION]
ConnectionType=initiator
SenderCompID=GW
TargetCompID=EXCH
SocketConnectHost=127.0.0.1
SocketConnectPort=6001

[GATEWAY]
JournalPath=/tmp/x.db
JournalSync=normal
)";

TEST_F(SettingsTest, SplitsAcceptorAndInitiatorSessions) {
  auto split = LoadSessionSettings(Write(kMixed));
  ASSERT_TRUE(split.ok()) << split.status().message();
  EXPECT_EQ(split->acceptor_count, 2);
  EXPECT_EQ(split->initiator_count, 1);
  EXPECT_EQ(split->acceptors.getSessions().size(), 2u);
  ASSERT_EQ(split->initiators.getSessions().size(), 1u);
  const FIX::SessionID id = *split->initiators.getSessions().begin();
  EXPECT_EQ(id.getTargetCompID().getString(), "EXCH");
  // Defaults reach every session.
  EXPECT_EQ(split->initiators.get(id).getString("HeartBtInt"), "30");
}

TEST_F(SettingsTest, ReadsProgramSection) {
  auto keys = LoadSection(Write(kMixed), "GATEWAY");
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  EXPECT_EQ(keys->at("JOURNALPATH"), "/tmp/x.db");
  EXPECT_EQ(keys->at("JOURNALSYNC"), "normal");
}

TEST_F(SettingsTest, MissingSectionIsEmpty) {
  auto keys = LoadSection(Write(kMixed), "SIM");
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->empty());
}

TEST_F(SettingsTest, RepeatedSectionIsAnError) {
  auto keys = LoadSection(Write("[SIM]\nSeed=1\n[SIM]\nSeed=2\n"), "SIM");
  ASSERT_FALSE(keys.ok());
  EXPECT_NE(keys.status().message().find("more than once"), std::string::npos);
}

TEST_F(SettingsTest, BadConnectionTypeNamesTheSession) {
  auto split = LoadSessionSettings(Write(
      "[DEFAULT]\nBeginString=FIX.4.4\n[SESSION]\nConnectionType=both\n"
      "SenderCompID=A\nTargetCompID=B\n"));
  ASSERT_FALSE(split.ok());
  EXPECT_NE(split.status().message().find("ConnectionType"), std::string::npos);
  EXPECT_NE(split.status().message().find(path_), std::string::npos);
}

TEST_F(SettingsTest, MissingFileIsAnErrorNamingIt) {
  auto split = LoadSessionSettings("/nonexistent/fixgw.cfg");
  ASSERT_FALSE(split.ok());
  EXPECT_NE(split.status().message().find("/nonexistent/fixgw.cfg"),
            std::string::npos);
  auto keys = LoadSection("/nonexistent/fixgw.cfg", "SIM");
  ASSERT_FALSE(keys.ok());
}

}  // namespace
}  // namespace fixgw::fix
