// Session store copy for the rollover: rows are copied value for value
// (sqlite3_value), so message bodies stay byte-identical.
#include "store/session_copy.h"

#include <sqlite3.h>

#include <string_view>

#include "store/internal/sqlite.h"
#include "store/session_store.h"

namespace fixgw::store {
namespace {

using internal::DbPtr;
using internal::StmtPtr;

class Copier {
 public:
  Copier(const std::string& from, const std::string& to)
      : from_path_(from), to_path_(to) {}

  Result<SessionCopyStats> Run(SyncMode mode) {
    // Creates the session tables in the destination if absent.
    {
      auto tables = SessionStore::Open(to_path_, mode);
      if (!tables.ok()) return tables.status();
    }
    if (Status s = OpenDb(from_path_, SQLITE_OPEN_READONLY, from_); !s.ok()) {
      return s;
    }
    Result<int64_t> tables =
        Count(from_.get(), from_path_,
              "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
              "name IN ('fix_session', 'fix_message')");
    if (!tables.ok()) return tables.status();
    SessionCopyStats stats;
    if (*tables == 0) return stats;  // no gateway ran on it
    if (*tables != 2) {
      return Status::FailedPrecondition(
          from_path_ +
          ": session store is incomplete (one of fix_session, "
          "fix_message is missing)");
    }

    if (Status s = OpenDb(to_path_, SQLITE_OPEN_READWRITE, to_); !s.ok()) {
      return s;
    }
    internal::InstallBusyHandler(to_.get());
    const char* sync = mode == SyncMode::kFull ? "PRAGMA synchronous = FULL"
                                               : "PRAGMA synchronous = NORMAL";
    if (Status s = Exec(sync); !s.ok()) return s;
    if (Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    Status s = CopyAll(stats);
    if (s.ok()) s = Exec("COMMIT");
    if (!s.ok()) {
      sqlite3_exec(to_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      return s;
    }
    return stats;
  }

 private:
  static Status OpenDb(const std::string& path, int flags, DbPtr& out) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(
        path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
        nullptr);
    out.reset(raw);
    if (rc != SQLITE_OK) {
      return Status::Unavailable(
          path + ": cannot open: " +
          (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
    }
    return Status::Ok();
  }

  static Status Error(sqlite3* db, const std::string& path,
                      std::string_view what) {
    return Status::Unavailable(path + ": " + std::string(what) + ": " +
                               sqlite3_errmsg(db));
  }

  static Result<int64_t> Count(sqlite3* db, const std::string& path,
                               const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
      sqlite3_finalize(raw);
      return Error(db, path, "cannot read the session store");
    }
    StmtPtr stmt(raw);
    if (sqlite3_step(stmt.get()) != SQLITE_ROW) {
      return Error(db, path, "cannot read the session store");
    }
    return sqlite3_column_int64(stmt.get(), 0);
  }

  Status Exec(const char* sql) {
    if (sqlite3_exec(to_.get(), sql, nullptr, nullptr, nullptr) == SQLITE_OK) {
      return Status::Ok();
    }
    return Error(to_.get(), to_path_, "cannot copy the session store");
  }

  Status Prepare(sqlite3* db, const std::string& path, const char* sql,
                 StmtPtr& out) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
    out.reset(raw);
    if (rc != SQLITE_OK)
      return Error(db, path, "cannot copy the session store");
    return Status::Ok();
  }

  // Copies every row of `select` (from the source) through `insert` (into
  // the destination), column i to parameter i + 1.
  Status CopyRows(const char* select_sql, const char* insert_sql, int columns,
                  int64_t& rows) {
    StmtPtr select, insert;
    if (Status s = Prepare(from_.get(), from_path_, select_sql, select);
        !s.ok()) {
      return s;
    }
    if (Status s = Prepare(to_.get(), to_path_, insert_sql, insert); !s.ok()) {
      return s;
    }
    int rc;
    while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
      int bound = SQLITE_OK;
      for (int i = 0; i < columns && bound == SQLITE_OK; ++i) {
        bound = sqlite3_bind_value(insert.get(), i + 1,
                                   sqlite3_column_value(select.get(), i));
      }
      if (bound != SQLITE_OK || sqlite3_step(insert.get()) != SQLITE_DONE) {
        return Error(to_.get(), to_path_, "cannot copy the session store");
      }
      sqlite3_reset(insert.get());
      ++rows;
    }
    if (rc != SQLITE_DONE) {
      return Error(from_.get(), from_path_, "cannot read the session store");
    }
    return Status::Ok();
  }

  Status CopyAll(SessionCopyStats& stats) {
    Result<int64_t> present =
        Count(to_.get(), to_path_,
              "SELECT (SELECT count(*) FROM fix_session) + "
              "(SELECT count(*) FROM fix_message)");
    if (!present.ok()) return present.status();
    if (*present != 0) {
      return Status::FailedPrecondition(
          to_path_ +
          ": already holds FIX session state; sessions are copied "
          "into a new journal only");
    }
    if (Status s = CopyRows(
            "SELECT session, creation_time_us, next_sender, next_target FROM "
            "fix_session",
            "INSERT INTO fix_session (session, creation_time_us, next_sender, "
            "next_target) VALUES (?1, ?2, ?3, ?4)",
            4, stats.sessions);
        !s.ok()) {
      return s;
    }
    return CopyRows(
        "SELECT session, seq, body, app_key FROM fix_message",
        "INSERT INTO fix_message (session, seq, body, app_key) VALUES (?1, "
        "?2, ?3, ?4)",
        4, stats.messages);
  }

  const std::string from_path_;
  const std::string to_path_;
  DbPtr from_;
  DbPtr to_;
};

}  // namespace

Result<SessionCopyStats> CopySessionStores(const std::string& from,
                                           const std::string& to,
                                           SyncMode mode) {
  return Copier(from, to).Run(mode);
}

}  // namespace fixgw::store
