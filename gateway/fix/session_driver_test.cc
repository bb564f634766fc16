#include "gateway/fix/session_driver.h"

#include <gtest/gtest.h>

#include <deque>
#include <sstream>
#include <thread>

#include "gateway/fix/fix_test_util.h"

namespace fixgw::fix {
namespace {

// One direction of an in-memory connection: what a session sent, waiting
// for the other side.
struct Wire : FIX::Responder {
  std::deque<std::string> sent;
  int disconnects = 0;
  bool send(const std::string& bytes) override {
    sent.push_back(bytes);
    return true;
  }
  void disconnect() override { ++disconnects; }
};

struct Recorder : FIX::NullApplication {
  std::vector<std::string> app;
  int logons = 0, logouts = 0;
  void onLogon(const FIX::SessionID&) override { ++logons; }
  void onLogout(const FIX::SessionID&) override { ++logouts; }
  void fromApp(const FIX::Message& m, const FIX::SessionID&) override {
    app.push_back(m.toString());
  }
};

using testing::SettingsFrom;

const std::string kCommon =
    "StartTime=00:00:00\nEndTime=00:00:00\nUseDataDictionary=Y\n"
    "DataDictionary=" FIXGW_FIX44_XML "\n";

class SessionDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto gw = SessionDriver::Create(
        gw_app_, gw_stores_, nullptr,
        SettingsFrom("[DEFAULT]\nConnectionType=acceptor\n" + kCommon +
                 "BeginString=FIX.4.4\nSenderCompID=GW\n"
                 "[SESSION]\nTargetCompID=BROKER1\n"
                 "[SESSION]\nTargetCompID=BROKER2\n"));
    ASSERT_TRUE(gw.ok()) << gw.status().message();
    gw_ = std::move(gw).value();
    auto broker = SessionDriver::Create(
        broker_app_, broker_stores_, nullptr,
        SettingsFrom("[DEFAULT]\nConnectionType=initiator\nHeartBtInt=1\n" +
                 kCommon +
                 "BeginString=FIX.4.4\nTargetCompID=GW\n"
                 "[SESSION]\nSenderCompID=BROKER1\n"));
    ASSERT_TRUE(broker.ok()) << broker.status().message();
    broker_ = std::move(broker).value();
  }

  // Delivers what each side sent to the other until both are quiet; the
  // first message towards the gateway attaches the connection (Accept).
  void Pump() {
    const FIX::UtcTimeStamp now;
    for (int round = 0; round < 20; ++round) {
      bool moved = false;
      while (!to_gw_.sent.empty()) {
        std::string m = to_gw_.sent.front();
        to_gw_.sent.pop_front();
        moved = true;
        if (gw_session_ == nullptr) {
          auto accepted = gw_->Accept(m, &to_broker_);
          ASSERT_TRUE(accepted.ok()) << accepted.status().message();
          gw_session_ = *accepted;
        }
        std::string why;
        ASSERT_TRUE(gw_->Deliver(gw_session_, m, now, &why)) << why;
      }
      while (!to_broker_.sent.empty()) {
        std::string m = to_broker_.sent.front();
        to_broker_.sent.pop_front();
        moved = true;
        std::string why;
        ASSERT_TRUE(broker_->Deliver(broker_session_, m, now, &why)) << why;
      }
      if (!moved) return;
    }
  }

  void LogOn() {
    auto connected = broker_->Connect(kBroker, &to_gw_);
    ASSERT_TRUE(connected.ok()) << connected.status().message();
    broker_session_ = *connected;
    broker_->Tick(FIX::UtcTimeStamp());  // the initiator's Logon
    ASSERT_EQ(to_gw_.sent.size(), 1u);
    ASSERT_NE(to_gw_.sent.front().find("\x01" "35=A\x01"), std::string::npos);
    ASSERT_NO_FATAL_FAILURE(Pump());
    ASSERT_TRUE(broker_session_->isLoggedOn());
    ASSERT_TRUE(gw_session_->isLoggedOn());
  }


  const FIX::SessionID kBroker{"FIX.4.4", "BROKER1", "GW"};
  const FIX::SessionID kGw{"FIX.4.4", "GW", "BROKER1"};
  Recorder gw_app_, broker_app_;
  FIX::MemoryStoreFactory gw_stores_, broker_stores_;
  std::unique_ptr<SessionDriver> gw_, broker_;
  Wire to_gw_, to_broker_;
  FIX::Session* gw_session_ = nullptr;
  FIX::Session* broker_session_ = nullptr;
};

TEST_F(SessionDriverTest, CreatesEverySessionOfTheFile) {
  EXPECT_EQ(gw_->acceptor_sessions().size(), 2u);
  EXPECT_TRUE(gw_->initiator_sessions().empty());
  EXPECT_EQ(broker_->initiator_sessions().size(), 1u);
  EXPECT_NE(gw_->Find(kGw), nullptr);
  EXPECT_FALSE(gw_->connected(kGw));
}

TEST_F(SessionDriverTest, LogsOnAndCarriesMessagesBothWays) {
  ASSERT_NO_FATAL_FAILURE(LogOn());
  EXPECT_EQ(gw_app_.logons, 1);
  EXPECT_EQ(broker_app_.logons, 1);
  EXPECT_TRUE(gw_->connected(kGw));

  FIX::Message order = testing::LimitOrder("o1");
  ASSERT_TRUE(FIX::Session::sendToTarget(order, kBroker));
  ASSERT_NO_FATAL_FAILURE(Pump());
  ASSERT_EQ(gw_app_.app.size(), 1u);
  EXPECT_NE(gw_app_.app[0].find("\x01" "11=o1\x01"), std::string::npos);

  FIX::Message report;
  report.getHeader().setField(FIX::MsgType("j"));
  report.setField(FIX::RefMsgType("D"));
  report.setField(FIX::BusinessRejectReason(0));
  ASSERT_TRUE(FIX::Session::sendToTarget(report, kGw));
  ASSERT_NO_FATAL_FAILURE(Pump());
  ASSERT_EQ(broker_app_.app.size(), 1u);
  // Sequence numbers as QuickFIX keeps them: Logon 1, then 2.
  EXPECT_EQ(gw_session_->getExpectedTargetNum(), 3);
  EXPECT_EQ(gw_session_->getExpectedSenderNum(), 3);
}

TEST_F(SessionDriverTest, TickRunsTheSessionTimers) {
  ASSERT_NO_FATAL_FAILURE(LogOn());
  to_gw_.sent.clear();
  // QuickFIX 1.15.1 times heartbeats by the wall clock (SessionState), not
  // by the time Tick passes: wait out HeartBtInt=1. After 1 s of silence
  // the session sends a Heartbeat; after 1.2 s (a loaded machine) a
  // TestRequest. Either shows that Tick drives the timers.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  broker_->Tick(FIX::UtcTimeStamp());
  ASSERT_FALSE(to_gw_.sent.empty());
  const std::string& sent = to_gw_.sent.back();
  EXPECT_TRUE(sent.find("\x01" "35=0\x01") != std::string::npos ||
              sent.find("\x01" "35=1\x01") != std::string::npos)
      << sent;
}

TEST_F(SessionDriverTest, RefusesUnknownSessionsAndSecondConnections) {
  Wire other;
  const std::string from_unknown = testing::RawLogon("BROKER9");
  auto refused = gw_->Accept(from_unknown, &other);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("FIX.4.4:GW->BROKER9"),
            std::string::npos)
      << refused.status().message();

  auto garbage = gw_->Accept("this is not FIX", &other);
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("header"), std::string::npos);

  ASSERT_NO_FATAL_FAILURE(LogOn());
  const std::string again = testing::RawLogon("BROKER1");
  auto second = gw_->Accept(again, &other);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("already connected"),
            std::string::npos);
  EXPECT_TRUE(gw_session_->isLoggedOn());  // the first one is untouched
}

TEST_F(SessionDriverTest, DetachLogsOutAndFreesTheSession) {
  ASSERT_NO_FATAL_FAILURE(LogOn());
  gw_->Detach(gw_session_);
  EXPECT_EQ(gw_app_.logouts, 1);
  EXPECT_EQ(to_broker_.disconnects, 0);  // no call back into the transport
  EXPECT_FALSE(gw_->connected(kGw));
  EXPECT_FALSE(FIX::Session::isSessionRegistered(kGw));
  broker_->Detach(broker_session_);

  // The next connection logs on again, sequence numbers continuing.
  gw_session_ = nullptr;
  to_gw_.sent.clear();
  to_broker_.sent.clear();
  ASSERT_NO_FATAL_FAILURE(LogOn());
  EXPECT_EQ(gw_app_.logons, 2);
  EXPECT_EQ(gw_session_->getExpectedTargetNum(), 3);
}

TEST_F(SessionDriverTest, AMessageThatDoesNotParseBeforeLogonClosesTheConnection) {
  Wire other;
  const std::string logon = testing::RawLogon("BROKER2");
  auto accepted = gw_->Accept(logon, &other);
  ASSERT_TRUE(accepted.ok()) << accepted.status().message();
  std::string why;
  EXPECT_FALSE(gw_->Deliver(*accepted, "8=FIX.4.4\x01" "9=5\x01" "x=1\x01"
                                       "10=000\x01",
                            FIX::UtcTimeStamp(), &why));
  EXPECT_NE(why.find("invalid message"), std::string::npos) << why;
  gw_->Detach(*accepted);
  EXPECT_FALSE(gw_->connected(FIX::SessionID("FIX.4.4", "GW", "BROKER2")));
}

}  // namespace
}  // namespace fixgw::fix
