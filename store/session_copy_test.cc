// Behaviour of the rollover's session store copy: every session's sequence
// numbers, creation time and stored messages arrive byte for byte, the
// source file is left exactly as it was, and a destination that already
// holds sessions is refused.
#include "store/session_copy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "store/journal.h"
#include "store/raw_sqlite_test_util.h"
#include "store/session_store.h"

namespace fixgw::store {
namespace {

using test_util::RawQuery;
using ::testing::HasSubstr;

constexpr char kA[] = "FIX.4.4:GW->BROKER1";
constexpr char kX[] = "FIX.4.4:GW->SIM";

Timestamp At(int64_t us) { return Timestamp(std::chrono::microseconds(us)); }

std::string Bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class SessionCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "session_copy_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // A journal with two sessions: A sent 1-3 (a body with a NUL byte) and
  // expects 7; the exchange sent 1 and expects 2.
  std::string OldJournal() {
    const std::string path = Path("old.db");
    EXPECT_TRUE(Journal::Open(path, SyncMode::kNormal).ok());
    auto store = SessionStore::Open(path, SyncMode::kNormal,
                                    [] { return At(1'700'000'000'000'000); });
    EXPECT_TRUE(store.ok());
    const std::string body("8=FIX.4.4|35=8|58=a\0b|", 22);
    EXPECT_TRUE((*store)->SaveOutgoing(kA, 1, "8=FIX.4.4|35=A|", "").ok());
    EXPECT_TRUE((*store)->SaveOutgoing(kA, 2, body, "8:X1").ok());
    EXPECT_TRUE((*store)->SaveOutgoing(kA, 3, "8=FIX.4.4|35=8|", "8:X2").ok());
    EXPECT_TRUE((*store)->SetNextTarget(kA, 7).ok());
    EXPECT_TRUE(
        (*store)->SaveOutgoing(kX, 1, "8=FIX.4.4|35=D|", "D:GW-1").ok());
    EXPECT_TRUE((*store)->SetNextTarget(kX, 2).ok());
    return path;
  }

  std::string NewJournal() {
    const std::string path = Path("new.db");
    EXPECT_TRUE(Journal::Create(path, SyncMode::kNormal,
                                ChainSeed{"old.db", 9, kZeroHash})
                    .ok());
    return path;
  }

  std::string dir_;
};

TEST_F(SessionCopyTest, SessionsContinueInTheNewJournal) {
  const std::string old_path = OldJournal();
  const std::string old_bytes = Bytes(old_path);
  const std::string new_path = NewJournal();

  auto stats = CopySessionStores(old_path, new_path, SyncMode::kNormal);
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  EXPECT_EQ(stats->sessions, 2);
  EXPECT_EQ(stats->messages, 4);
  EXPECT_EQ(Bytes(old_path), old_bytes) << "the archive was written";

  auto store = SessionStore::Open(new_path, SyncMode::kNormal,
                                  [] { return At(1'800'000'000'000'000); });
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto a = (*store)->LoadSession(kA);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->next_sender, 4);
  EXPECT_EQ(a->next_target, 7);
  EXPECT_EQ(a->creation_time, At(1'700'000'000'000'000));
  auto x = (*store)->LoadSession(kX);
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->next_sender, 2);
  EXPECT_EQ(x->next_target, 2);
  auto messages = (*store)->GetOutgoing(kA, 1, 3);
  ASSERT_TRUE(messages.ok());
  ASSERT_EQ(messages->size(), 3u);
  EXPECT_EQ((*messages)[1].body, std::string("8=FIX.4.4|35=8|58=a\0b|", 22));
  auto stored = (*store)->HasOutgoing(kX, "D:GW-1");
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(*stored);
  // The journal itself is untouched by the copy.
  EXPECT_EQ(RawQuery(new_path, "SELECT count(*) FROM journal"), "0");
}

TEST_F(SessionCopyTest, JournalWithoutSessionsCopiesNothing) {
  const std::string old_path = Path("old.db");
  ASSERT_TRUE(Journal::Open(old_path, SyncMode::kNormal).ok());
  auto stats = CopySessionStores(old_path, NewJournal(), SyncMode::kNormal);
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  EXPECT_EQ(stats->sessions, 0);
  EXPECT_EQ(stats->messages, 0);
}

TEST_F(SessionCopyTest, RefusesADestinationThatHasSessions) {
  const std::string old_path = OldJournal();
  const std::string new_path = NewJournal();
  ASSERT_TRUE(CopySessionStores(old_path, new_path, SyncMode::kNormal).ok());
  auto again = CopySessionStores(old_path, new_path, SyncMode::kNormal);
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.status().message(),
              HasSubstr(new_path + ": already holds FIX session state"));
}

TEST_F(SessionCopyTest, MissingSourceIsNamed) {
  auto stats =
      CopySessionStores(Path("none.db"), NewJournal(), SyncMode::kNormal);
  ASSERT_FALSE(stats.ok());
  EXPECT_THAT(stats.status().message(), HasSubstr(Path("none.db")));
}

}  // namespace
}  // namespace fixgw::store
