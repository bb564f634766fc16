// The WAL-coalescing VFS (internal/wal_vfs.h): what a writer commits is in
// the file for every other connection when the commit returns, whatever the
// transaction's size or shape; a transaction is one write; a crash before
// a commit loses that transaction only.
#include "store/internal/wal_vfs.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <string>

namespace fixgw::store {
namespace {

// Counts the writes to WAL files below the VFS under test: registered as
// the default VFS before WalVfsName() first runs, so "fixgw-wal" wraps it.
std::atomic<int> wal_writes{0};
sqlite3_vfs counting_vfs;
sqlite3_io_methods counting_methods;
const sqlite3_io_methods* unix_methods = nullptr;

int CountingWrite(sqlite3_file* file, const void* data, int amount,
                  sqlite3_int64 offset) {
  ++wal_writes;
  return unix_methods->xWrite(file, data, amount, offset);
}

int CountingOpen(sqlite3_vfs* vfs, const char* name, sqlite3_file* file,
                 int flags, int* out_flags) {
  auto* base = static_cast<sqlite3_vfs*>(vfs->pAppData);
  const int rc = base->xOpen(base, name, file, flags, out_flags);
  if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) != 0) {
    unix_methods = file->pMethods;
    counting_methods = *file->pMethods;
    counting_methods.xWrite = CountingWrite;
    file->pMethods = &counting_methods;
  }
  return rc;
}

const char* VfsUnderTest() {
  static const char* const name = [] {
    sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
    counting_vfs = *base;
    counting_vfs.zName = "counting";
    counting_vfs.pNext = nullptr;
    counting_vfs.pAppData = base;
    counting_vfs.xOpen = CountingOpen;
    sqlite3_vfs_register(&counting_vfs, /*makeDflt=*/1);
    return internal::WalVfsName();
  }();
  return name;
}

class WalVfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("wal_vfs_test." + std::to_string(::getpid()) + "." +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "db").string();
    ASSERT_NE(VfsUnderTest(), nullptr);
  }
  void TearDown() override {
    if (writer_) sqlite3_close(writer_);
    if (reader_) sqlite3_close(reader_);
    std::filesystem::remove_all(dir_);
  }

  void OpenWriter() {
    ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &writer_,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                              VfsUnderTest()),
              SQLITE_OK);
    Exec(writer_,
         "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
         "PRAGMA wal_autocheckpoint = 0;"
         "CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v BLOB)");
  }
  // Another connection, on the default VFS, as fixreplay's would be.
  void OpenReader() {
    ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &reader_, SQLITE_OPEN_READONLY,
                              "unix"),
              SQLITE_OK);
  }

  static void Exec(sqlite3* db, const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string message = err ? err : "";
    sqlite3_free(err);
    ASSERT_EQ(rc, SQLITE_OK) << sql << ": " << message;
  }
  static std::string Query(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out = "(error)";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      out = text ? reinterpret_cast<const char*>(text) : "";
    }
    sqlite3_finalize(stmt);
    return out;
  }

  std::filesystem::path dir_;
  std::string path_;
  sqlite3* writer_ = nullptr;
  sqlite3* reader_ = nullptr;
};

TEST_F(WalVfsTest, ASmallTransactionIsOneWrite) {
  OpenWriter();
  Exec(writer_, "INSERT INTO t VALUES (0, zeroblob(100))");  // WAL started
  wal_writes = 0;
  constexpr int kCommits = 100;
  for (int i = 1; i <= kCommits; ++i) {
    // Three B-trees' worth of pages is what an order writes; one table
    // with a row and an index entry is two or three pages.
    Exec(writer_, "BEGIN; INSERT INTO t VALUES (" + std::to_string(i) +
                      ", randomblob(400)); UPDATE t SET v = randomblob(400) "
                      "WHERE k = 0; COMMIT");
  }
  // Without the VFS: two writes per frame, at least four per commit.
  EXPECT_EQ(wal_writes.load(), kCommits);
}

TEST_F(WalVfsTest, EveryCommitIsVisibleToAnotherConnectionAtOnce) {
  OpenWriter();
  OpenReader();
  // Small, page-sized, larger than the buffer (64 KiB) and larger than the
  // unix VFS's largest single write (128 KiB): each must be complete in
  // the file when COMMIT returns.
  const int sizes[] = {10, 4000, 5000, 70'000, 200'000, 600'000, 30};
  int k = 1;
  for (int size : sizes) {
    Exec(writer_, "BEGIN; INSERT INTO t VALUES (" + std::to_string(k) +
                      ", randomblob(" + std::to_string(size) +
                      ")); INSERT INTO t VALUES (" + std::to_string(k + 1) +
                      ", randomblob(300)); COMMIT");
    EXPECT_EQ(Query(reader_, "SELECT count(*) FROM t"), std::to_string(k + 1))
        << "after a transaction of " << size << " bytes";
    EXPECT_EQ(Query(reader_, "SELECT length(v) FROM t WHERE k = " +
                                 std::to_string(k)),
              std::to_string(size));
    k += 2;
  }
  EXPECT_EQ(Query(reader_, "PRAGMA integrity_check"), "ok");
}

TEST_F(WalVfsTest, PagesRewrittenWithinATransactionAndCheckpointsKeepTheData) {
  OpenWriter();
  OpenReader();
  // A tiny cache spills pages to the WAL mid-transaction, and SQLite then
  // writes some of them again at earlier offsets of the same transaction.
  Exec(writer_, "PRAGMA cache_size = 2");
  for (int round = 0; round < 5; ++round) {
    std::string sql = "BEGIN;";
    for (int i = 0; i < 200; ++i) {
      sql += "INSERT OR REPLACE INTO t VALUES (" + std::to_string(i) +
             ", randomblob(" + std::to_string(100 + 37 * i % 900) + "));";
    }
    sql += "UPDATE t SET v = zeroblob(77) WHERE k % 3 = 0; COMMIT";
    Exec(writer_, sql);
    EXPECT_EQ(Query(reader_, "SELECT count(*) FROM t"), "200");
    EXPECT_EQ(Query(reader_, "SELECT sum(length(v) = 77) FROM t"), "67");
    // The WAL restarts after a full checkpoint: its header is rewritten.
    Exec(writer_, "PRAGMA wal_checkpoint(TRUNCATE)");
  }
  EXPECT_EQ(Query(reader_, "PRAGMA integrity_check"), "ok");
}

TEST_F(WalVfsTest, ACrashBeforeTheCommitLosesThatTransactionOnly) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path_.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        internal::WalVfsName()) != SQLITE_OK) {
      ::_exit(10);
    }
    auto run = [&](const std::string& sql) {
      if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) !=
          SQLITE_OK) {
        ::_exit(11);
      }
    };
    run("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
        "CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)");
    for (int i = 0; i < 10; ++i) {
      run("INSERT INTO t VALUES (" + std::to_string(i) + ", randomblob(500))");
    }
    // Frames of an open transaction are buffered or written; neither may
    // count. Then die as kill -9 would: no close, no flush.
    run("PRAGMA cache_size = 2; BEGIN");
    for (int i = 10; i < 400; ++i) {
      run("INSERT INTO t VALUES (" + std::to_string(i) + ", randomblob(500))");
    }
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  OpenReader();
  EXPECT_EQ(Query(reader_, "SELECT count(*) FROM t"), "10");
  EXPECT_EQ(Query(reader_, "PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace fixgw::store
