// The admin API's session-control parameters (POST /session).
#include "gateway/fixgw/session_control.h"

#include <gtest/gtest.h>

namespace fixgw::gw {
namespace {

using Params = std::map<std::string, std::string>;

TEST(SessionControlTest, EveryActionHasOneNameBothWays) {
  for (SessionAction a : kAllSessionActions) {
    EXPECT_EQ(SessionActionFromName(SessionActionName(a)), a);
  }
  EXPECT_FALSE(SessionActionFromName("reset").has_value());
  EXPECT_FALSE(SessionActionFromName("").has_value());
  EXPECT_EQ(AdmissionName(Admission::kDisabled), "disabled");
  EXPECT_EQ(AdmissionName(Admission::kLoggedOut), "logged-out");
  EXPECT_EQ(AdmissionName(Admission::kOpen), "open");
}

TEST(SessionControlTest, ParsesSetSeqWithEitherOrBothNumbers) {
  auto c = ParseSessionCommand({{"session", "ALPHA"},
                                {"action", "set-seq"},
                                {"next_sender", "10"},
                                {"force", "true"},
                                {"reason", "venue asked"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->action, SessionAction::kSetSeq);
  EXPECT_EQ(c->session, "ALPHA");
  EXPECT_EQ(c->next_sender, 10);
  EXPECT_FALSE(c->next_target.has_value());
  EXPECT_TRUE(c->force);
  EXPECT_EQ(c->reason, "venue asked");
  c = ParseSessionCommand(
      {{"session", "A"}, {"action", "set-seq"}, {"next_target", "2147483647"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->next_target, 2147483647);
  EXPECT_FALSE(c->force);
}

TEST(SessionControlTest, RefusesBadParametersNamingThem) {
  const auto error = [](const Params& p) {
    auto c = ParseSessionCommand(p);
    EXPECT_FALSE(c.ok());
    return c.ok() ? std::string() : c.status().message();
  };
  EXPECT_NE(error({{"session", "A"}, {"action", "reboot"}}).find("action"),
            std::string::npos);
  EXPECT_NE(error({{"action", "logon"}}).find("session is required"),
            std::string::npos);
  EXPECT_NE(error({{"session", "A"}, {"action", "set-seq"}})
                .find("needs next_sender, next_target or both"),
            std::string::npos);
  for (const char* bad : {"0", "-1", "2147483648", "1x", "x", " 5"}) {
    EXPECT_NE(
        error({{"session", "A"}, {"action", "set-seq"}, {"next_sender", bad}})
            .find("next_sender must be a whole number"),
        std::string::npos)
        << bad;
  }
  EXPECT_NE(
      error({{"session", "A"}, {"action", "logout"}, {"next_target", "3"}})
          .find("set-seq only"),
      std::string::npos);
  EXPECT_NE(error({{"session", "A"}, {"action", "reset-seq"}, {"force", "yes"}})
                .find("force must be"),
            std::string::npos);
}

}  // namespace
}  // namespace fixgw::gw
