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

// ---- TLS keys (tls.h). Certificate files are exercised end to end in
// tests/gateway_tls_test.cc, which makes them with openssl.

std::string WithKeys(const std::string& acceptor, const std::string& initiator) {
  return std::string("[DEFAULT]\nBeginString=FIX.4.4\nHeartBtInt=30\n"
                     "StartTime=00:00:00\nEndTime=00:00:00\n\n"
                     "[SESSION]\nConnectionType=acceptor\nSenderCompID=GW\n"
                     "TargetCompID=B1\nSocketAcceptPort=5001\n") +
         acceptor +
         "\n[SESSION]\nConnectionType=initiator\nSenderCompID=GW\n"
         "TargetCompID=EXCH\nSocketConnectHost=127.0.0.1\n"
         "SocketConnectPort=5002\n" +
         initiator;
}

TEST_F(SettingsTest, PlainByDefault) {
  auto split = LoadSessionSettings(Write(WithKeys("", "")));
  ASSERT_TRUE(split.ok()) << split.status().message();
  EXPECT_FALSE(split->acceptor_tls);
  EXPECT_FALSE(split->initiator_tls);
}

TEST_F(SettingsTest, TlsKeysWithoutSocketUseSslAreAnError) {
  auto split = LoadSessionSettings(
      Write(WithKeys("", "CertificationAuthoritiesFile=/etc/ca.pem\n")));
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.status().message(),
            path_ + ": CertificationAuthoritiesFile is set but SocketUseSSL is "
                    "not Y");
}

TEST_F(SettingsTest, TlsInitiatorMustVerifyItsPeer) {
  auto split = LoadSessionSettings(Write(WithKeys("", "SocketUseSSL=Y\n")));
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.status().message(),
            path_ + ": SocketUseSSL=Y on the initiator side needs "
                    "CertificationAuthoritiesFile (the CAs the peer's "
                    "certificate must chain to)");
}

TEST_F(SettingsTest, TlsNeverBelowTls12) {
  for (const char* protocol : {"TLSv1", "all", "all -SSLv2", "+TLSv1_1"}) {
    auto split = LoadSessionSettings(Write(WithKeys(
        "", std::string("SocketUseSSL=Y\nSSLProtocol=") + protocol + "\n")));
    ASSERT_FALSE(split.ok()) << protocol;
    EXPECT_EQ(split.status().message(),
              path_ + ": SSLProtocol=" + protocol +
                  ": enables a protocol below TLS 1.2")
        << protocol;
  }
  auto split = LoadSessionSettings(
      Write(WithKeys("", "SocketUseSSL=Y\nSSLProtocol=TLSv1_3\n")));
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.status().message(),
            path_ + ": SSLProtocol=TLSv1_3: unknown protocol (use TLSv1_2: TLS "
                    "1.2 and 1.3)");
}

TEST_F(SettingsTest, TlsMissingCertificateNamesKeyAndFile) {
  auto split = LoadSessionSettings(Write(WithKeys(
      "SocketUseSSL=Y\nServerCertificateFile=/nonexistent/server.pem\n", "")));
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.status().message(),
            path_ + ": ServerCertificateFile=/nonexistent/server.pem: cannot "
                    "read: No such file or directory");
}

TEST_F(SettingsTest, TlsSideSessionsMustAgree) {
  std::string cfg = WithKeys("SocketUseSSL=Y\n", "") +
                    "\n[SESSION]\nConnectionType=acceptor\nSenderCompID=GW\n"
                    "TargetCompID=B2\nSocketAcceptPort=5001\n";
  auto split = LoadSessionSettings(Write(cfg));
  ASSERT_FALSE(split.ok());
  EXPECT_NE(split.status().message().find(
                "SocketUseSSL differs between the acceptor sessions"),
            std::string::npos)
      << split.status().message();
}

}  // namespace
}  // namespace fixgw::fix
