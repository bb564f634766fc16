// One writer per journal (JournalLock), the recorded head and the start-up
// check from it (journal_head.h): truncation, damage after and at the
// checkpoint, the full mode, and the recorder's periodic records.
#include "store/journal_head.h"
#include "store/journal_lock.h"
#include "store/raw_sqlite_test_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/clock.h"
#include "store/journal.h"

namespace fixgw::store {
namespace {

using ::testing::HasSubstr;
using test_util::RawExec;

class JournalHeadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "journal_head_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/j.db";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static JournalEntry Entry(int n) {
    JournalEntry e;
    e.time = Timestamp(std::chrono::microseconds(1'700'000'000'000'000 + n));
    e.kind = "NewOrderAccepted";
    e.session = "FIX.4.4:GW->BROKER";
    e.cl_ord_id = "C" + std::to_string(n);
    e.payload = "{\"n\":" + std::to_string(n) + "}";
    return e;
  }

  static void AppendN(Journal& j, int count) {
    for (int i = 0; i < count; ++i) {
      std::vector<JournalEntry> batch{Entry(static_cast<int>(j.last_seq()) + 1)};
      ASSERT_TRUE(j.Append(batch).ok());
    }
  }

  std::unique_ptr<Journal> Open() {
    auto j = Journal::Open(path_, SyncMode::kNormal);
    EXPECT_TRUE(j.ok()) << j.status().message();
    return j.ok() ? std::move(*j) : nullptr;
  }

  // A closed journal of `n` entries whose head is recorded at entry `at`.
  void Journal10RecordedAt(int at) {
    auto j = Open();
    ASSERT_NE(j, nullptr);
    AppendN(*j, at);
    ASSERT_TRUE(WriteHead(path_, RecordedHead{j->head(), Now(), "test"}).ok());
    AppendN(*j, 10 - at);
  }

  StartCheck Check(VerifyMode mode) {
    auto j = Journal::OpenReadOnly(path_);
    EXPECT_TRUE(j.ok()) << j.status().message();
    if (!j.ok()) return {};
    auto check = CheckAtStart(**j, mode);
    EXPECT_TRUE(check.ok()) << check.status().message();
    return check.ok() ? *check : StartCheck{};
  }

  void Tamper(const std::string& sql) {
    RawExec(path_,
            "DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete; " +
                sql);
  }

  std::string dir_;
  std::string path_;
};

TEST_F(JournalHeadTest, SecondWriterIsRefusedWithTheHoldersPid) {
  auto first = Open();
  ASSERT_NE(first, nullptr);
  auto second = Journal::Open(path_, SyncMode::kNormal);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(),
              HasSubstr("in use by another fixgw (pid " +
                        std::to_string(::getpid()) + ")"));
  EXPECT_THAT(second.status().message(), HasSubstr(path_ + ".lock"));
  // A reader is not a writer.
  EXPECT_TRUE(Journal::OpenReadOnly(path_).ok());
  first.reset();
  EXPECT_NE(Open(), nullptr);
}

TEST_F(JournalHeadTest, LockIsReleasedWhenTheHolderIsKilled) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = JournalLock::Acquire(path_);
    char c = lock.ok() ? 'y' : 'n';
    if (::write(ready[1], &c, 1) != 1) _exit(1);
    ::pause();
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  auto refused = JournalLock::Acquire(path_);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(),
              HasSubstr("(pid " + std::to_string(child) + ")"));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  EXPECT_TRUE(JournalLock::Acquire(path_).ok());
}

TEST_F(JournalHeadTest, LockFileThatIsASymlinkIsRefused) {
  const std::string target = dir_ + "/elsewhere";
  std::ofstream(target) << "precious\n";
  ASSERT_EQ(::symlink(target.c_str(), JournalLock::PathFor(path_).c_str()), 0);
  auto lock = JournalLock::Acquire(path_);
  EXPECT_FALSE(lock.ok());
  std::ifstream in(target);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "precious");
}

TEST_F(JournalHeadTest, HeadFileRoundTripsAndIsPrivate) {
  const RecordedHead head{ChainPoint{42, std::string(64, 'b')},
                          Timestamp(std::chrono::microseconds(123456789)),
                          "clean stop"};
  ASSERT_TRUE(WriteHead(path_, head).ok());
  auto read = ReadHead(path_);
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->point, head.point);
  EXPECT_EQ((*read)->time, head.time);
  EXPECT_EQ((*read)->reason, "clean stop");
  struct stat st {};
  ASSERT_EQ(::stat(HeadPath(path_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
}

TEST_F(JournalHeadTest, MissingHeadFileIsNoneAndAMalformedOneAnError) {
  auto none = ReadHead(path_);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  std::ofstream(HeadPath(path_)) << "seq=12\nhash=xyz\n";
  auto bad = ReadHead(path_);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr(HeadPath(path_)));
}

TEST_F(JournalHeadTest, IntactJournalIsCheckedFromItsRecordedHeadOnly) {
  Journal10RecordedAt(7);
  StartCheck check = Check(VerifyMode::kCheckpoint);
  EXPECT_TRUE(check.ok()) << check.problem;
  EXPECT_EQ(check.verified_from.seq, 7);
  EXPECT_EQ(check.entries, 3);
  EXPECT_EQ(check.head.seq, 10);
  StartCheck full = Check(VerifyMode::kFull);
  EXPECT_TRUE(full.ok()) << full.problem;
  EXPECT_EQ(full.entries, 10);
}

TEST_F(JournalHeadTest, WithoutARecordedHeadTheWholeChainIsChecked) {
  {
    auto j = Open();
    AppendN(*j, 6);
  }
  Tamper("UPDATE journal SET payload = '{}' WHERE seq = 2");
  StartCheck check = Check(VerifyMode::kCheckpoint);
  EXPECT_EQ(check.first_bad_seq, 2);
  EXPECT_THAT(check.problem, HasSubstr("breaks at seq 2"));
}

TEST_F(JournalHeadTest, ChangeAfterTheCheckpointIsNamed) {
  Journal10RecordedAt(4);
  Tamper("UPDATE journal SET cl_ord_id = 'FORGED' WHERE seq = 8");
  StartCheck check = Check(VerifyMode::kCheckpoint);
  EXPECT_EQ(check.first_bad_seq, 8);
  EXPECT_THAT(check.problem, HasSubstr("hash mismatch"));
}

TEST_F(JournalHeadTest, DeletedAndSwappedEntriesAfterTheCheckpointAreNamed) {
  Journal10RecordedAt(2);
  Tamper("DELETE FROM journal WHERE seq = 5");
  EXPECT_EQ(Check(VerifyMode::kCheckpoint).first_bad_seq, 6);
}

TEST_F(JournalHeadTest, ChangedCheckpointEntryIsNamed) {
  Journal10RecordedAt(5);
  Tamper("UPDATE journal SET hash = '" + std::string(64, 'e') +
         "' WHERE seq = 5");
  StartCheck check = Check(VerifyMode::kCheckpoint);
  EXPECT_EQ(check.first_bad_seq, 5);
  EXPECT_THAT(check.problem, HasSubstr("the checkpoint"));
}

TEST_F(JournalHeadTest, ChangeBeforeTheCheckpointNeedsTheFullMode) {
  // The documented limit of the fast check: an entry before the checkpoint
  // changed with its stored hash left alone.
  Journal10RecordedAt(6);
  Tamper("UPDATE journal SET payload = '{\"n\":0}' WHERE seq = 3");
  EXPECT_TRUE(Check(VerifyMode::kCheckpoint).ok());
  StartCheck full = Check(VerifyMode::kFull);
  EXPECT_EQ(full.first_bad_seq, 3);
}

TEST_F(JournalHeadTest, TruncatedTailIsDetectedAgainstTheRecordedHead) {
  Journal10RecordedAt(10);
  Tamper("DELETE FROM journal WHERE seq > 7");
  StartCheck check = Check(VerifyMode::kCheckpoint);
  EXPECT_EQ(check.first_bad_seq, 8);
  EXPECT_THAT(check.problem, HasSubstr("entries 8 to 10 are missing"));
  // The chain itself is intact: without the head nothing would show.
  auto j = Journal::OpenReadOnly(path_);
  EXPECT_FALSE((*j)->Verify()->first_bad_seq.has_value());
}

TEST_F(JournalHeadTest, JournalReplacedByAnotherOneIsDetected) {
  Journal10RecordedAt(3);
  std::filesystem::remove(path_);
  std::filesystem::remove(path_ + "-wal");
  std::filesystem::remove(path_ + "-shm");
  {
    auto j = Open();
    JournalEntry other = Entry(1);
    other.kind = "SomethingElse";
    std::vector<JournalEntry> batch{other};
    ASSERT_TRUE(j->Append(batch).ok());
    AppendN(*j, 11);  // as long, but another chain
  }
  StartCheck check = Check(VerifyMode::kCheckpoint);
  EXPECT_FALSE(check.ok());
  EXPECT_EQ(check.first_bad_seq, 3);
}

TEST_F(JournalHeadTest, RecorderRecordsTheHeadWhileRunningAndAtFinish) {
  auto j = Open();
  ASSERT_NE(j, nullptr);
  std::vector<std::string> errors;
  HeadRecorder recorder(*j, std::chrono::milliseconds(20),
                        [&](const Status& s) { errors.push_back(s.message()); });
  AppendN(*j, 3);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::optional<RecordedHead> seen;
  while (std::chrono::steady_clock::now() < deadline) {
    auto head = ReadHead(path_);
    if (head.ok() && head->has_value() && (*head)->point.seq == 3) {
      seen = **head;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->reason, "running");
  EXPECT_EQ(seen->point, j->head());
  AppendN(*j, 2);
  ASSERT_TRUE(recorder.Finish("clean stop").ok());
  auto last = ReadHead(path_);
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->point.seq, 5);
  EXPECT_EQ((*last)->reason, "clean stop");
  EXPECT_TRUE(errors.empty());
}

}  // namespace
}  // namespace fixgw::store
