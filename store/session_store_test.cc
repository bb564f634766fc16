// Behaviour of the FIX session store in the journal file: state and messages
// across reopen, isolation between sessions, SaveOutgoing raising
// next_sender atomically, ranges, reset, the outbox look-ups, recognition
// errors, the journal staying intact beside it, concurrent sessions and
// connections, and SIGKILL between a save and the next step.
#include "store/session_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/journal.h"
#include "store/raw_sqlite_test_util.h"

namespace fixgw::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test_util::RawExec;
using test_util::RawQuery;
using test_util::WriteRandomBytes;

constexpr char kA[] = "FIX.4.4:GW->BROKER1";
constexpr char kB[] = "FIX.4.4:GW->BROKER2";

Timestamp At(int64_t us) { return Timestamp(std::chrono::microseconds(us)); }

class SessionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "session_store_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = Path("journal.db");
    auto j = Journal::Open(path_, SyncMode::kNormal);
    ASSERT_TRUE(j.ok()) << j.status().message();
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // A store on the test journal whose clock reads `now_` (thread-safe).
  std::unique_ptr<SessionStore> OpenOrDie(SyncMode mode = SyncMode::kNormal) {
    auto s =
        SessionStore::Open(path_, mode, [this] { return At(now_.load()); });
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  static SessionState LoadOrDie(SessionStore& store, std::string_view session) {
    auto state = store.LoadSession(session);
    EXPECT_TRUE(state.ok()) << state.status().message();
    return state.ok() ? *state : SessionState{};
  }

  static std::vector<int64_t> Seqs(SessionStore& store,
                                   std::string_view session, int64_t begin,
                                   int64_t end) {
    auto msgs = store.GetOutgoing(session, begin, end);
    EXPECT_TRUE(msgs.ok()) << msgs.status().message();
    std::vector<int64_t> seqs;
    if (msgs.ok()) {
      for (const StoredMessage& m : *msgs) seqs.push_back(m.seq);
    }
    return seqs;
  }

  static void Save(SessionStore& store, std::string_view session, int64_t seq,
                   std::string_view app_key = "") {
    Status s = store.SaveOutgoing(session, seq, Body(session, seq), app_key);
    EXPECT_TRUE(s.ok()) << s.message();
  }

  static std::string Body(std::string_view session, int64_t seq) {
    return "8=FIX.4.4\x01"
           "35=8\x01"
           "34=" +
           std::to_string(seq) +
           "\x01"
           "58=" +
           std::string(session) + "\x01";
  }


  std::string dir_;
  std::string path_;
  std::atomic<int64_t> now_{1'700'000'000'123'456};
};

TEST_F(SessionStoreTest, NewSessionStartsAtOneWithCreationTimeNow) {
  auto store = OpenOrDie();
  SessionState state = LoadOrDie(*store, kA);
  EXPECT_EQ(state.next_sender, 1);
  EXPECT_EQ(state.next_target, 1);
  EXPECT_EQ(state.creation_time, At(now_));
  // Loading again keeps the first creation time.
  now_ += 5'000'000;
  EXPECT_EQ(LoadOrDie(*store, kA).creation_time, At(now_ - 5'000'000));
  EXPECT_EQ(*store->CreationTime(kA), At(now_ - 5'000'000));
  EXPECT_EQ(*store->NextSender(kA), 1);
  EXPECT_EQ(*store->NextTarget(kA), 1);
}

TEST_F(SessionStoreTest, StateAndMessagesSurviveReopen) {
  const Timestamp created = At(now_);
  {
    auto store = OpenOrDie();
    ASSERT_TRUE(store->SetNextTarget(kA, 17).ok());
    Save(*store, kA, 1, "8:E1");
    Save(*store, kA, 2);
    ASSERT_TRUE(store->SetNextSender(kA, 3).ok());
  }
  now_ += 60'000'000;
  auto store = OpenOrDie();
  SessionState state = LoadOrDie(*store, kA);
  EXPECT_EQ(state.next_sender, 3);
  EXPECT_EQ(state.next_target, 17);
  EXPECT_EQ(state.creation_time, created);
  auto msgs = store->GetOutgoing(kA, 1, 2);
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 2U);
  EXPECT_EQ((*msgs)[0].body, Body(kA, 1));
  EXPECT_EQ((*msgs)[1].body, Body(kA, 2));
  EXPECT_TRUE(*store->HasOutgoing(kA, "8:E1"));
}

TEST_F(SessionStoreTest, SessionsAreIsolated) {
  auto store = OpenOrDie();
  Save(*store, kA, 1, "8:SAME");
  Save(*store, kA, 2);
  ASSERT_TRUE(store->SetNextTarget(kA, 9).ok());
  now_ += 1;
  Save(*store, kB, 1);
  EXPECT_EQ(Seqs(*store, kA, 1, 10), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(Seqs(*store, kB, 1, 10), (std::vector<int64_t>{1}));
  EXPECT_EQ((*store->GetOutgoing(kB, 1, 1))[0].body, Body(kB, 1));
  EXPECT_EQ(*store->NextSender(kA), 3);
  EXPECT_EQ(*store->NextSender(kB), 2);
  EXPECT_EQ(*store->NextTarget(kA), 9);
  EXPECT_EQ(*store->NextTarget(kB), 1);
  EXPECT_NE(*store->CreationTime(kA), *store->CreationTime(kB));
  EXPECT_TRUE(*store->HasOutgoing(kA, "8:SAME"));
  EXPECT_FALSE(*store->HasOutgoing(kB, "8:SAME"));
}

TEST_F(SessionStoreTest, SaveOutgoingRaisesNextSenderButNeverLowersIt) {
  auto store = OpenOrDie();
  // QuickFIX's order: set(seq) then incr; a crash between them leaves the
  // durable next_sender at seq + 1 already.
  Save(*store, kA, 1);
  EXPECT_EQ(*store->NextSender(kA), 2);
  ASSERT_TRUE(store->SetNextSender(kA, 2).ok());
  EXPECT_EQ(*store->NextSender(kA), 2);
  Save(*store, kA, 7);
  EXPECT_EQ(*store->NextSender(kA), 8);
  ASSERT_TRUE(store->SetNextSender(kA, 20).ok());
  Save(*store, kA, 5);  // an older seq stored again: next_sender stays
  EXPECT_EQ(*store->NextSender(kA), 20);
  // An explicit set is exact, also downwards (a sequence reset).
  ASSERT_TRUE(store->SetNextSender(kA, 4).ok());
  EXPECT_EQ(*store->NextSender(kA), 4);
  // A save on a session never loaded creates it.
  Save(*store, kB, 3);
  SessionState b = LoadOrDie(*store, kB);
  EXPECT_EQ(b.next_sender, 4);
  EXPECT_EQ(b.next_target, 1);
  EXPECT_EQ(b.creation_time, At(now_));
}

TEST_F(SessionStoreTest, SaveOutgoingReplacesTheMessageStoredUnderASeq) {
  auto store = OpenOrDie();
  ASSERT_TRUE(store->SaveOutgoing(kA, 1, "first", "D:C1").ok());
  ASSERT_TRUE(store->SaveOutgoing(kA, 1, "second", "D:C2").ok());
  auto msgs = store->GetOutgoing(kA, 1, 1);
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 1U);
  EXPECT_EQ((*msgs)[0].body, "second");
  EXPECT_FALSE(*store->HasOutgoing(kA, "D:C1"));
  EXPECT_TRUE(*store->HasOutgoing(kA, "D:C2"));
}

TEST_F(SessionStoreTest, GetOutgoingReturnsTheRangeInSeqOrderSkippingGaps) {
  auto store = OpenOrDie();
  for (int64_t seq : {5, 1, 3, 9}) Save(*store, kA, seq);
  EXPECT_EQ(Seqs(*store, kA, 1, 9), (std::vector<int64_t>{1, 3, 5, 9}));
  EXPECT_EQ(Seqs(*store, kA, 2, 5), (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(Seqs(*store, kA, 3, 3), (std::vector<int64_t>{3}));
  EXPECT_EQ(Seqs(*store, kA, 6, 8), (std::vector<int64_t>{}));
  EXPECT_EQ(Seqs(*store, kA, 10, 1000), (std::vector<int64_t>{}));
  EXPECT_EQ(Seqs(*store, kA, 5, 1), (std::vector<int64_t>{}));
  EXPECT_EQ(Seqs(*store, kA, 0, INT64_MAX), (std::vector<int64_t>{1, 3, 5, 9}));
  EXPECT_EQ(Seqs(*store, kB, 1, 9), (std::vector<int64_t>{}));
}

TEST_F(SessionStoreTest, BodiesRoundTripByteForByte) {
  auto store = OpenOrDie();
  // SOH, an embedded NUL, a byte that is not UTF-8 and a UTF-8 pair.
  static constexpr char kBody[] =
      "8=FIX.4.4\x01"
      "95=4\x01"
      "96=a\0b\xff\x01"
      "58=caf\xc3\xa9\x01";
  const std::string body(kBody, sizeof kBody - 1);
  ASSERT_EQ(body.size(), 32U);
  ASSERT_TRUE(store->SaveOutgoing(kA, 1, body, "").ok());
  ASSERT_TRUE(store->SaveOutgoing(kA, 2, "", "").ok());
  auto msgs = store->GetOutgoing(kA, 1, 2);
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 2U);
  EXPECT_EQ((*msgs)[0].body, body);
  EXPECT_EQ((*msgs)[1].body, "");
}

TEST_F(SessionStoreTest, ResetClearsOneSessionAndRenewsItsCreationTime) {
  auto store = OpenOrDie();
  const Timestamp created = At(now_);
  for (int64_t seq = 1; seq <= 3; ++seq) {
    Save(*store, kA, seq, "8:A" + std::to_string(seq));
    Save(*store, kB, seq, "8:B" + std::to_string(seq));
  }
  ASSERT_TRUE(store->SetNextTarget(kA, 8).ok());
  ASSERT_TRUE(store->SetNextTarget(kB, 6).ok());
  now_ += 3'600'000'000;
  auto reset = store->Reset(kA);
  ASSERT_TRUE(reset.ok()) << reset.status().message();
  EXPECT_EQ(reset->next_sender, 1);
  EXPECT_EQ(reset->next_target, 1);
  EXPECT_EQ(reset->creation_time, At(now_));

  SessionState a = LoadOrDie(*store, kA);
  EXPECT_EQ(a.next_sender, 1);
  EXPECT_EQ(a.next_target, 1);
  EXPECT_EQ(a.creation_time, At(now_));
  EXPECT_EQ(Seqs(*store, kA, 1, 10), (std::vector<int64_t>{}));
  EXPECT_FALSE(*store->HasOutgoing(kA, "8:A1"));

  SessionState b = LoadOrDie(*store, kB);
  EXPECT_EQ(b.next_sender, 4);
  EXPECT_EQ(b.next_target, 6);
  EXPECT_EQ(b.creation_time, created);
  EXPECT_EQ(Seqs(*store, kB, 1, 10), (std::vector<int64_t>{1, 2, 3}));

  // Resetting a session never seen creates it.
  ASSERT_TRUE(store->Reset("FIX.4.4:GW->NEW").ok());
  EXPECT_EQ(LoadOrDie(*store, "FIX.4.4:GW->NEW").creation_time, At(now_));
}

TEST_F(SessionStoreTest, OutboxLookUpsFindMessagesByAppKey) {
  auto store = OpenOrDie();
  Save(*store, kA, 1, "");  // an admin message: no key
  Save(*store, kA, 2, "8:X1");
  Save(*store, kA, 3, "9:C7");
  Save(*store, kB, 1, "8:X2");
  EXPECT_TRUE(*store->HasOutgoing(kA, "8:X1"));
  EXPECT_TRUE(*store->HasOutgoing(kA, "9:C7"));
  EXPECT_FALSE(*store->HasOutgoing(kA, "8:X2"));
  EXPECT_FALSE(*store->HasOutgoing(kA, "8:X"));
  auto missing =
      store->MissingOutgoing(kA, {"8:X3", "8:X1", "8:X2", "9:C7", "D:C1"});
  ASSERT_TRUE(missing.ok()) << missing.status().message();
  EXPECT_THAT(*missing, ElementsAre("8:X3", "8:X2", "D:C1"));
  EXPECT_TRUE(store->MissingOutgoing(kA, {})->empty());

  auto empty = store->HasOutgoing(kA, "");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(empty.status().message(), HasSubstr(path_));
  EXPECT_FALSE(store->MissingOutgoing(kA, {"8:X1", ""}).ok());
}

TEST_F(SessionStoreTest, OutboxScanFindsKeysAnywhereInALongSession) {
  auto store = OpenOrDie();
  // 2,000 keyed messages between heartbeats (no key), another session's
  // in between.
  for (int i = 1; i <= 2'000; ++i) {
    Save(*store, kA, 2 * i - 1, "");
    Save(*store, kA, 2 * i, "8:E" + std::to_string(i));
    if (i % 100 == 0) Save(*store, kB, i / 100, "8:B" + std::to_string(i));
  }
  auto missing = store->MissingOutgoing(
      kA, {"8:E2000", "8:NONE", "8:E1", "8:B100", "8:E1000", "8:NONE", "8:E1"});
  ASSERT_TRUE(missing.ok()) << missing.status().message();
  EXPECT_THAT(*missing, ElementsAre("8:NONE", "8:B100", "8:NONE"));
  EXPECT_TRUE(*store->HasOutgoing(kA, "8:E1"));  // the oldest
  EXPECT_TRUE(*store->HasOutgoing(kA, "8:E2000"));
  EXPECT_FALSE(*store->HasOutgoing(kA, "8:B100"));
  EXPECT_TRUE(*store->HasOutgoing(kB, "8:B100"));
}

TEST_F(SessionStoreTest, OpenDropsTheAppKeyIndexOfOlderStores) {
  {
    auto store = OpenOrDie();
    Save(*store, kA, 1, "8:X1");
  }
  // What a store before journal schema 3 kept: a random page write per
  // stored message.
  RawExec(path_,
          "CREATE INDEX fix_message_by_app_key ON fix_message "
          "(session, app_key)");
  auto store = OpenOrDie();
  EXPECT_EQ(RawQuery(path_,
                     "SELECT count(*) FROM sqlite_schema WHERE type = "
                     "'index' AND tbl_name = 'fix_message'"),
            "0");
  EXPECT_TRUE(*store->HasOutgoing(kA, "8:X1"));
}

TEST_F(SessionStoreTest, RefusesSequenceNumbersBelowOne) {
  auto store = OpenOrDie();
  for (int64_t bad : {int64_t{0}, int64_t{-3}}) {
    Status s = store->SetNextSender(kA, bad);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr(path_));
    EXPECT_THAT(s.message(), HasSubstr(kA));
    EXPECT_EQ(store->SetNextTarget(kA, bad).code(),
              Status::Code::kInvalidArgument);
    EXPECT_EQ(store->SaveOutgoing(kA, bad, "x", "").code(),
              Status::Code::kInvalidArgument);
  }
  EXPECT_EQ(store->SaveOutgoing(kA, INT64_MAX, "x", "").code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(Seqs(*store, kA, INT64_MIN, INT64_MAX), (std::vector<int64_t>{}));
  EXPECT_EQ(*store->NextSender(kA), 1);
}

TEST_F(SessionStoreTest, RefusesAnotherApplicationsDatabaseAndLeavesItAlone) {
  const std::string other = Path("other.db");
  RawExec(other,
          "PRAGMA application_id = 42; CREATE TABLE t (x); "
          "INSERT INTO t VALUES (1);");
  const std::string plain = Path("plain.db");
  RawExec(plain, "CREATE TABLE fix_session (x);");
  const std::string empty = Path("empty.db");
  std::ofstream(empty).close();
  for (const std::string& path : {other, plain, empty}) {
    auto s = SessionStore::Open(path, SyncMode::kNormal);
    ASSERT_FALSE(s.ok()) << path;
    EXPECT_EQ(s.status().code(), Status::Code::kFailedPrecondition);
    EXPECT_THAT(s.status().message(),
                HasSubstr(path + ": not a fixgw journal (application_id 0x"));
    EXPECT_THAT(s.status().message(), HasSubstr("expected 0x46495847"));
    EXPECT_EQ(s.status().message().find('\n'), std::string::npos);
  }
  EXPECT_EQ(RawQuery(other, "PRAGMA journal_mode"), "delete");
  EXPECT_EQ(RawQuery(other, "SELECT count(*) FROM sqlite_schema"), "1");
  EXPECT_EQ(RawQuery(plain, "SELECT count(*) FROM sqlite_schema"), "1");
  EXPECT_EQ(std::filesystem::file_size(empty), 0U);
}

TEST_F(SessionStoreTest, RefusesAFileThatIsNotSqlite) {
  const std::string path = Path("random.bin");
  WriteRandomBytes(path, 8192);
  auto s = SessionStore::Open(path, SyncMode::kNormal);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), path + ": not a fixgw journal");
}

TEST_F(SessionStoreTest, RefusesAMissingFileWithoutCreatingIt) {
  const std::string path = Path("missing.db");
  auto s = SessionStore::Open(path, SyncMode::kNormal);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kNotFound);
  EXPECT_THAT(s.status().message(), HasSubstr(path + ": no such journal file"));
  EXPECT_FALSE(std::filesystem::exists(path));

  auto dir = SessionStore::Open(dir_, SyncMode::kNormal);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().message(),
            dir_ + ": is a directory, not a journal file");
}

TEST_F(SessionStoreTest, RefusesANewerJournalSchema) {
  RawExec(path_, "PRAGMA user_version = 4");
  auto s = SessionStore::Open(path_, SyncMode::kNormal);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            path_ +
                ": journal schema version 4 is newer than this program "
                "supports (3)");
}

TEST_F(SessionStoreTest, JournalStaysIntactAndWritableBesideTheStore) {
  auto store = OpenOrDie();
  Save(*store, kA, 1, "8:E1");
  {
    auto j = Journal::Open(path_, SyncMode::kNormal);
    ASSERT_TRUE(j.ok()) << j.status().message();
    for (int i = 1; i <= 3; ++i) {
      std::vector<JournalEntry> batch(1);
      batch[0].time = At(i);
      batch[0].kind = "SentToBroker";
      batch[0].session = kA;
      batch[0].payload = "{}";
      ASSERT_TRUE((*j)->Append(batch).ok());
      Save(*store, kA, 1 + i);
    }
  }
  auto r = Journal::OpenReadOnly(path_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto report = (*r)->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->entries, 3);
  EXPECT_FALSE(report->first_bad_seq.has_value()) << report->problem;
  EXPECT_EQ(RawQuery(path_, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM fix_message"), "4");
  // A second store on the same file sees the first one's writes.
  auto second = OpenOrDie();
  EXPECT_EQ(*second->NextSender(kA), 5);
}

TEST_F(SessionStoreTest, SyncModeSetsSqliteSynchronous) {
  auto normal = OpenOrDie(SyncMode::kNormal);
  EXPECT_EQ(normal->sync_mode(), SyncMode::kNormal);
  auto full = OpenOrDie(SyncMode::kFull);
  EXPECT_EQ(full->sync_mode(), SyncMode::kFull);
  EXPECT_EQ(normal->sync_mode(), SyncMode::kNormal);
  EXPECT_EQ(normal->path(), path_);
}

// Threads share one store, one session each, while a second store (another
// connection) and the journal write the same file. Run under TSan too.
TEST_F(SessionStoreTest, ConcurrentSessionsAndConnectionsKeepEveryWrite) {
  auto store = OpenOrDie();
  auto other = OpenOrDie();
  auto journal = Journal::Open(path_, SyncMode::kNormal);
  ASSERT_TRUE(journal.ok()) << journal.status().message();
  constexpr int kThreads = 6;
  constexpr int kMessages = 60;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Odd threads go through the second connection.
      SessionStore& s = t % 2 == 0 ? *store : *other;
      const std::string session = "FIX.4.4:GW->T" + std::to_string(t);
      if (!s.LoadSession(session).ok()) ++failures;
      for (int seq = 1; seq <= kMessages; ++seq) {
        const std::string key =
            "8:T" + std::to_string(t) + "-" + std::to_string(seq);
        auto stored = [&] {
          Result<bool> has = s.HasOutgoing(session, key);
          return has.ok() && *has;
        };
        if (!s.SaveOutgoing(session, seq, Body(session, seq), key).ok() ||
            !s.SetNextSender(session, seq + 1).ok() ||
            !s.SetNextTarget(session, seq + 1).ok() || !stored() ||
            !s.GetOutgoing(session, 1, seq).ok()) {
          ++failures;
        }
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < kMessages; ++i) {
      std::vector<JournalEntry> batch(1);
      batch[0].time = At(i);
      batch[0].kind = "ExchangeSessionChanged";
      batch[0].payload = "{}";
      if (!(*journal)->Append(batch).ok()) ++failures;
    }
  });
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);

  auto reopened = OpenOrDie();
  for (int t = 0; t < kThreads; ++t) {
    const std::string session = "FIX.4.4:GW->T" + std::to_string(t);
    SessionState state = LoadOrDie(*reopened, session);
    EXPECT_EQ(state.next_sender, kMessages + 1);
    EXPECT_EQ(state.next_target, kMessages + 1);
    auto msgs = reopened->GetOutgoing(session, 1, kMessages);
    ASSERT_TRUE(msgs.ok());
    ASSERT_EQ(msgs->size(), static_cast<size_t>(kMessages));
    for (int seq = 1; seq <= kMessages; ++seq) {
      EXPECT_EQ((*msgs)[static_cast<size_t>(seq - 1)].body, Body(session, seq));
    }
  }
  EXPECT_EQ((*journal)->last_seq(), kMessages);
}

// The child saves messages and acknowledges each save on a pipe; it is
// killed at a random moment. Every acknowledged message is on disk, and
// next_sender is past every stored message, so no seq is ever reused.
TEST_F(SessionStoreTest, AcknowledgedSavesSurviveSigkill) {
  std::mt19937 rng(20240612);
  for (int round = 0; round < 8; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      auto s = SessionStore::Open(path_, SyncMode::kNormal);
      if (!s.ok()) ::_exit(2);
      auto next = (*s)->NextSender(kA);
      if (!next.ok()) ::_exit(3);
      for (int64_t seq = *next; seq < *next + 100'000; ++seq) {
        // Like QuickFIX: save, then (not always reached) increment.
        if (!(*s)->SaveOutgoing(kA, seq, Body(kA, seq), "").ok()) ::_exit(4);
        if (::write(fds[1], &seq, sizeof seq) != sizeof seq) ::_exit(5);
        if (!(*s)->SetNextSender(kA, seq + 1).ok()) ::_exit(6);
      }
      ::_exit(0);
    }
    ::close(fds[1]);
    ::usleep(static_cast<useconds_t>(5'000 + rng() % 40'000));
    ::kill(pid, SIGKILL);
    int64_t acked = 0;
    int64_t value = 0;
    while (::read(fds[0], &value, sizeof value) ==
           static_cast<ssize_t>(sizeof value)) {
      acked = value;
    }
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child status " << status;

    auto store = OpenOrDie();
    const int64_t next = *store->NextSender(kA);
    auto msgs = store->GetOutgoing(kA, 1, INT64_MAX);
    ASSERT_TRUE(msgs.ok());
    EXPECT_GE(next, acked + 1) << "round " << round;
    if (!msgs->empty()) {
      EXPECT_EQ(next, msgs->back().seq + 1) << "round " << round;
    }
    EXPECT_EQ(static_cast<int64_t>(msgs->size()), next - 1);
    std::printf("[ SIGKILL  ] round %d: %lld acknowledged, next %lld\n", round,
                static_cast<long long>(acked), static_cast<long long>(next));
  }
}

TEST_F(SessionStoreTest, ReportsSaveOutgoingThroughput) {
  for (SyncMode mode : {SyncMode::kNormal, SyncMode::kFull}) {
    const bool full = mode == SyncMode::kFull;
    auto store = OpenOrDie(mode);
    const std::string session = full ? "FIX.4.4:GW->FULL" : "FIX.4.4:GW->NORM";
    const std::string body(300, 'x');  // a typical ExecutionReport's size
    const auto start = std::chrono::steady_clock::now();
    const auto budget = start + std::chrono::seconds(3);
    int n = 0;
    for (; n < 10'000; ++n) {
      if ((n & 63) == 0 && std::chrono::steady_clock::now() > budget) break;
      ASSERT_TRUE(
          store->SaveOutgoing(session, n + 1, body, "8:E" + std::to_string(n))
              .ok());
    }
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    std::printf(
        "[ PERF     ] synchronous=%s: %d SaveOutgoing in %lld ms = %lld "
        "saves/s\n",
        full ? "FULL" : "NORMAL", n, static_cast<long long>(us / 1000),
        static_cast<long long>(us > 0 ? n * 1'000'000LL / us : 0));
    EXPECT_EQ(*store->NextSender(session), n + 1);
  }
}

}  // namespace
}  // namespace fixgw::store
