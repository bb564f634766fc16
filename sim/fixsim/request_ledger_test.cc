#include "sim/fixsim/request_ledger.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fixgw::sim {
namespace {

class RequestLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/fixsim-ledger.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/requests";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  std::string path_;
};

TEST_F(RequestLedgerTest, RemembersRequestsAcrossReopening) {
  {
    auto ledger = RequestLedger::Open(path_);
    ASSERT_TRUE(ledger.ok()) << ledger.status().message();
    EXPECT_EQ((*ledger)->size(), 0u);
    EXPECT_FALSE((*ledger)->Contains("FIX.4.4:SIM->GW", "GW-1"));
    ASSERT_TRUE((*ledger)->Record("FIX.4.4:SIM->GW", "GW-1").ok());
    ASSERT_TRUE((*ledger)->Record("FIX.4.4:SIM->GW", "GW-2").ok());
    EXPECT_TRUE((*ledger)->Contains("FIX.4.4:SIM->GW", "GW-1"));
  }
  auto again = RequestLedger::Open(path_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->size(), 2u);
  EXPECT_TRUE((*again)->Contains("FIX.4.4:SIM->GW", "GW-2"));
  // Keyed by session: the same ClOrdID from another session is new.
  EXPECT_FALSE((*again)->Contains("FIX.4.4:SIM->OTHER", "GW-2"));
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(RequestLedgerTest, ALineCutShortByAKillIsIgnoredAndEnded) {
  {
    std::ofstream out(path_);
    out << "S\tGW-1\nS\tGW-";  // killed in the middle of the second record
  }
  auto ledger = RequestLedger::Open(path_);
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ((*ledger)->size(), 1u);
  EXPECT_FALSE((*ledger)->Contains("S", "GW-"));
  ASSERT_TRUE((*ledger)->Record("S", "GW-7").ok());
  ledger->reset();
  auto again = RequestLedger::Open(path_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)->Contains("S", "GW-7"));
  EXPECT_EQ((*again)->size(), 2u);
}

TEST_F(RequestLedgerTest, AnUnopenableFileIsAnErrorNamingIt) {
  auto ledger = RequestLedger::Open(dir_ + "/missing/requests");
  ASSERT_FALSE(ledger.ok());
  EXPECT_NE(ledger.status().message().find(dir_ + "/missing/requests"),
            std::string::npos);
}

}  // namespace
}  // namespace fixgw::sim
