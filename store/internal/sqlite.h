// SQLite helpers shared by the journal and the session stores: owning
// handles, and a busy handler for writers that take turns on one WAL file
// (two connections, one writer at a time).
//
// The busy handler:
// SQLite's own busy_timeout sleeps 1, 2, 5, 10... ms between retries, which
// puts milliseconds on an order whenever the other connection is mid-commit
// (commits take tens of microseconds). This one retries after 10 µs,
// doubling to at most 500 µs, for up to `kBusyTimeoutMs` in total.
// Internal to fixgw::store.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/core/result.h"

namespace fixgw::store::internal {

inline constexpr int kBusyTimeoutMs = 5000;

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, DbClose>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

// One SQLite connection shared by the Journal that opened it and the
// SessionStore opened on that Journal (SessionStore::Open(Journal&)), so
// that a journal entry and the session messages it produces are written in
// one transaction. `mu` serialises every use of the connection; it is
// recursive because a Journal::Append runs its in-transaction callback,
// which calls into the SessionStore, while holding it. Statements of both
// owners are finalised before the last owner closes the connection.
struct Connection {
  std::recursive_mutex mu;
  DbPtr db;  // declared after mu: closed before mu is destroyed
};

// A failed write as a Status, by SQLite result code: disk full, busy or
// locked, read-only and I/O errors (with the OS error) get their own words;
// anything else is Internal with `detail`. `message` is sqlite3_errmsg,
// read by the caller before any rollback replaced it.
inline Status WriteError(sqlite3* db, int rc, const std::string& prefix,
                         const std::string& message,
                         const std::string& detail) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return Status::Unavailable(prefix + "disk full: " + message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(prefix + "locked by another writer: " +
                                 message);
    case SQLITE_READONLY:
      return Status::FailedPrecondition(prefix + "read-only: " + message);
    case SQLITE_IOERR:
      return Status::Unavailable(prefix + "I/O error: " + message + " (" +
                                 std::strerror(sqlite3_system_errno(db)) +
                                 ")");
    default:
      return Status::Internal(prefix + detail + message);
  }
}

// Installs the handler on `db` (replaces any busy timeout).
inline void InstallBusyHandler(sqlite3* db) {
  sqlite3_busy_handler(
      db,
      [](void*, int retries) -> int {
        // Sleeps: 10, 20, 40, ..., 320, then 500 µs each; the total passes
        // kBusyTimeoutMs after about 10,000 retries.
        const int64_t sleep_us =
            retries < 6 ? int64_t{10} << retries : int64_t{500};
        const int64_t budget_retries = 6 + int64_t{kBusyTimeoutMs} * 2;
        if (retries >= budget_retries) return 0;  // give up: SQLITE_BUSY
        std::this_thread::sleep_for(std::chrono::microseconds(sleep_us));
        return 1;
      },
      nullptr);
}

}  // namespace fixgw::store::internal
