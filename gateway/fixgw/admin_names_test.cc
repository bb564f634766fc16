#include "gateway/fixgw/admin_names.h"

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
