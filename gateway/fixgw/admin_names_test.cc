#include "gateway/fixgw/admin_names.h"
#include "gateway/fixgw/admin_server.h"

#include <gtest/gtest.h>

namespace fixgw::gw {
namespace {

const std::set<std::string> kSessions = {"FIX.4.4:GW->ALPHA",
                                         "FIX.4.4:GW->BETA"};

TEST(AdminNamesTest, SessionIsNamedByItsKeyOrItsBrokerCompId) {
  EXPECT_EQ(ResolveSessionName(kSessions, "FIX.4.4:GW->ALPHA").value(),
            "FIX.4.4:GW->ALPHA");
  EXPECT_EQ(ResolveSessionName(kSessions, "ALPHA").value(),
            "FIX.4.4:GW->ALPHA");
  EXPECT_EQ(SessionShortName("FIX.4.4:GW->BETA"), "BETA");
}

TEST(AdminNamesTest, UnknownSessionIsRefusedWithTheValidNames) {
  Result<std::string> r = ResolveSessionName(kSessions, "ALHPA");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(r.status().message(),
            "unknown session 'ALHPA': the broker sessions are "
            "FIX.4.4:GW->ALPHA, ALPHA, FIX.4.4:GW->BETA, BETA");
  // Only a whole CompID counts, never a part of a key.
  EXPECT_FALSE(ResolveSessionName(kSessions, "GW->ALPHA").ok());
  EXPECT_FALSE(ResolveSessionName(kSessions, "").ok());
}

TEST(AdminNamesTest, ShortNameOfTwoSessionsIsAmbiguous) {
  const std::set<std::string> keys = {"FIX.4.2:GW->ALPHA",
                                      "FIX.4.4:GW->ALPHA"};
  Result<std::string> r = ResolveSessionName(keys, "ALPHA");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("ambiguous"), std::string::npos);
  EXPECT_EQ(SessionNamesAccepted(keys),
            (std::vector<std::string>{"FIX.4.2:GW->ALPHA",
                                      "FIX.4.4:GW->ALPHA"}));
  EXPECT_EQ(ResolveSessionName(keys, "FIX.4.2:GW->ALPHA").value(),
            "FIX.4.2:GW->ALPHA");
}

TEST(AdminNamesTest, UnknownAccountIsRefusedWithTheAccounts) {
  EXPECT_EQ(ResolveAccountName({"ACC1", "ACC2"}, "ACC1").value(), "ACC1");
  Result<std::string> r = ResolveAccountName({"ACC1", "ACC2"}, "acc1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "unknown account 'acc1': the accounts are ACC1, ACC2");
  EXPECT_EQ(ResolveAccountName({}, "X\nforged").status().message(),
            "unknown account 'X?forged': the accounts are none configured");
}

}  // namespace
}  // namespace fixgw::gw

namespace fixgw::gw {
namespace {

TEST(HealthChecks, QueryOptionsAreZeroOrOneAndKnown) {
  auto none = ParseHealthChecks({});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->brokers);
  EXPECT_FALSE(none->kill);
  auto both = ParseHealthChecks({{"brokers", "1"}, {"kill", "1"}});
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(both->brokers);
  EXPECT_TRUE(both->kill);
  auto off = ParseHealthChecks({{"kill", "0"}});
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->kill);
  auto unknown = ParseHealthChecks({{"broker", "1"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown /health option 'broker'"),
            std::string::npos)
      << unknown.status().message();
  EXPECT_NE(unknown.status().message().find("brokers=1"), std::string::npos);
  auto bad = ParseHealthChecks({{"kill", "yes"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("kill must be 0 or 1"),
            std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace fixgw::gw
