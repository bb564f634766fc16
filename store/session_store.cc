// SessionStore over SQLite: recognition of the journal file at open, the
// store's own tables, cached statements, one transaction per write.
#include "store/session_store.h"
#include "store/internal/sqlite.h"
#include "store/internal/wal_vfs.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "gateway/core/clock.h"
#include "store/internal/schema_sql.h"

namespace fixgw::store {
namespace {


// The store's tables (format in session_store.h). Idempotent: run at every
// Open, inside one write transaction, so concurrent openers agree. The
// index older versions kept is dropped (session_store.h, "Format").
constexpr const char* kCreateTables = R"sql(
CREATE TABLE IF NOT EXISTS fix_session (
  session          TEXT    PRIMARY KEY,
  creation_time_us INTEGER NOT NULL,
  next_sender      INTEGER NOT NULL,
  next_target      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fix_message (
  session TEXT    NOT NULL,
  seq     INTEGER NOT NULL,
  body    BLOB    NOT NULL,
  app_key TEXT    NOT NULL DEFAULT '',
  PRIMARY KEY (session, seq)
) WITHOUT ROWID;
DROP INDEX IF EXISTS fix_message_by_app_key;
)sql";

// Every statement that may create a session row binds ?1 = session and
// ?2 = creation time for that case.
constexpr const char* kInsertSessionHead =
    "INSERT INTO fix_session (session, creation_time_us, next_sender, "
    "next_target) ";

using internal::DbPtr;
using internal::StmtPtr;

// One use of a cached statement: binds parameters 1, 2, ... in call order,
// steps, reads columns, and resets the statement (dropping its bindings and
// any read lock) when it goes out of scope. The first failing bind is kept
// and returned by Step.
class Call {
 public:
  explicit Call(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Call() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  // Text and blobs are bound without copying: the caller's buffer must
  // outlive the Call.
  Call& Text(std::string_view v) {
    if (rc_ == SQLITE_OK) {
      rc_ = sqlite3_bind_text64(stmt_, ++index_, NonNull(v), v.size(),
                                SQLITE_STATIC, SQLITE_UTF8);
    }
    return *this;
  }
  Call& Blob(std::string_view v) {
    if (rc_ == SQLITE_OK) {
      rc_ = sqlite3_bind_blob64(stmt_, ++index_, NonNull(v), v.size(),
                                SQLITE_STATIC);
    }
    return *this;
  }
  Call& Int(int64_t v) {
    if (rc_ == SQLITE_OK) rc_ = sqlite3_bind_int64(stmt_, ++index_, v);
    return *this;
  }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return rc_ == SQLITE_OK ? sqlite3_step(stmt_) : rc_; }

  int64_t ColumnInt(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string ColumnBytes(int col) const {
    const void* data = sqlite3_column_blob(stmt_, col);
    int size = sqlite3_column_bytes(stmt_, col);
    if (data == nullptr || size <= 0) return std::string();
    return std::string(static_cast<const char*>(data),
                       static_cast<size_t>(size));
  }

 private:
  // An empty string_view may have a null data(), which SQLite would bind as
  // NULL rather than as an empty value.
  static const char* NonNull(std::string_view v) {
    return v.data() != nullptr ? v.data() : "";
  }

  sqlite3_stmt* stmt_;
  int index_ = 0;
  int rc_ = SQLITE_OK;
};

Timestamp FromMicros(int64_t us) {
  return Timestamp(std::chrono::microseconds(us));
}

int64_t Micros(Timestamp t) { return t.time_since_epoch().count(); }

std::string Hex(int64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx",
                static_cast<unsigned long long>(static_cast<uint32_t>(v)));
  return buf;
}

}  // namespace

class SessionStore::Impl {
 public:
  Impl(std::string path, Clock clock)
      : path_(std::move(path)), clock_(std::move(clock)) {
    if (!clock_) clock_ = [] { return Now(); };
  }

  Status Open(SyncMode mode);
  // Shares `journal`'s connection instead of opening one.
  Status OpenShared(const Journal& journal);
  Result<bool> Prestore(std::string_view session, std::string_view app_key,
                        const std::function<std::string(int64_t)>& render);
  Status RaiseTarget(std::string_view session, int64_t next);

  Result<SessionState> Load(std::string_view session);
  Status SetNext(std::string_view session, bool sender, int64_t next);
  Status SaveOutgoing(std::string_view session, int64_t seq,
                      std::string_view body, std::string_view app_key);
  Result<std::vector<StoredMessage>> GetOutgoing(std::string_view session,
                                                 int64_t begin, int64_t end);
  Result<SessionState> Reset(std::string_view session);
  Result<bool> HasOutgoing(std::string_view session, std::string_view app_key);
  Result<std::vector<std::string>> MissingOutgoing(
      std::string_view session, const std::vector<std::string>& app_keys);
  std::optional<SyncMode> ReadSyncMode();

  const std::string& path() const { return path_; }

 private:
  // Open-time helpers (no lock needed: the object is not shared yet).
  Status CheckFile() const;
  Status OpenError(std::string_view what) const {
    return Status::Unavailable(path_ + ": " + std::string(what) + ": " +
                               sqlite3_errmsg(db()));
  }
  sqlite3* db() const { return conn_->db.get(); }
  // The tables and the cached statements; the caller holds the mutex.
  Status SetUp();
  Status NotAJournal(std::string_view why) const {
    return Status::FailedPrecondition(path_ + ": not a fixgw journal" +
                                      std::string(why));
  }
  Result<int64_t> PragmaInt(const char* sql);
  Status Exec(const char* sql, std::string_view what);
  Status Prepare(const std::string& sql, StmtPtr& out);

  Status NoKey(std::string_view session) const {
    return Status::InvalidArgument("session store " + path_ +
                                   ": cannot look up a message of session " +
                                   std::string(session) + " by an empty key");
  }

  // Operation helpers; the caller holds the connection's mutex.
  // Maps `rc` to a Status naming the path, the session and `what`; rolls
  // back the open transaction, if any.
  Status Fail(int rc, std::string_view session, std::string_view what);
  int Begin(sqlite3_stmt* begin);
  int Commit();
  // Reads the session's row into `out`: SQLITE_ROW, SQLITE_DONE (no row)
  // or an error code.
  int SelectSession(std::string_view session, SessionState& out);
  // Removes from `wanted` every key the session has a stored message with,
  // reading its keyed messages from the newest back and stopping once
  // `wanted` is empty: SQLITE_DONE or an error code.
  int RemoveStoredKeys(std::string_view session,
                       std::set<std::string, std::less<>>& wanted);
  // Drops the session's unconfirmed predictions (see Prediction): deletes
  // their rows except the one at `keep` (0: none) and counts them as
  // unpredicted. Inside a write transaction.
  int Displace(std::string_view session, int64_t keep);
  // Raises the session's next_sender (`raise` = raise_sender_, `create` =
  // create_with_sender_) or next_target to at least `next`, creating the
  // session (the other seq 1, creation time `now`) if it has no row yet:
  // SQLITE_OK or the error. Writes nothing when the seq is already that
  // high. Inside a write transaction.
  int Raise(sqlite3_stmt* raise, sqlite3_stmt* create, std::string_view session,
            int64_t next, Timestamp now);
  // Stores message `seq` and raises next_sender past it: SQLITE_OK or the
  // error. Inside a write transaction.
  int PutMessage(std::string_view session, int64_t seq, std::string_view body,
                 std::string_view app_key, Timestamp now);

  // Prestored outgoing messages of one session (PrestoreOutgoing in
  // session_store.h). Invariant: the session's keyed messages committed
  // and not yet stored by SaveOutgoing are, in commit order, first
  // `unpredicted` messages without a row, then `pending`, whose rows hold
  // them at consecutive seqs from the next seq QuickFIX will use. A
  // prediction is made only while unpredicted == 0, so the stored messages
  // are always a prefix of the commit order: after a crash the outbox
  // sends the rest after them, in order.
  struct Prediction {
    int64_t actual_next = 0;  // QuickFIX's next sender seq; 0 = not known
    std::deque<std::pair<int64_t, std::string>> pending;  // (seq, app_key)
    int64_t unpredicted = 0;
  };
  Prediction& PredictionOf(std::string_view session);

  const std::string path_;
  Clock clock_;

  // Declared first: destroyed after the statements. Its mutex guards the
  // connection, every statement below and predictions_.
  std::shared_ptr<internal::Connection> conn_ =
      std::make_shared<internal::Connection>();
  std::map<std::string, Prediction, std::less<>> predictions_;
  StmtPtr begin_immediate_, commit_, rollback_;
  StmtPtr select_session_, insert_session_, set_sender_, set_target_,
      raise_sender_, raise_target_, create_with_sender_, create_with_target_,
      reset_session_;
  StmtPtr put_message_, select_range_, delete_messages_, keys_newest_first_,
      delete_message_;
};

Status SessionStore::Impl::CheckFile() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT) {
      return Status::NotFound(path_ +
                              ": no such journal file (the journal creates "
                              "it; open the journal first)");
    }
    return Status::Unavailable(path_ +
                               ": cannot open journal: " + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    return Status::FailedPrecondition(path_ +
                                      ": is a directory, not a journal file");
  }
  return Status::Ok();
}

Result<int64_t> SessionStore::Impl::PragmaInt(const char* sql) {
  StmtPtr stmt;
  if (Status s = Prepare(sql, stmt); !s.ok()) return s;
  int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_ROW) return sqlite3_column_int64(stmt.get(), 0);
  if ((rc & 0xff) == SQLITE_NOTADB) return NotAJournal("");
  return OpenError("cannot read journal");
}

Status SessionStore::Impl::Exec(const char* sql, std::string_view what) {
  char* err = nullptr;
  int rc = sqlite3_exec(db(), sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err != nullptr ? err : sqlite3_errmsg(db());
  sqlite3_free(err);
  if ((rc & 0xff) == SQLITE_READONLY) {
    return Status::FailedPrecondition(path_ +
                                      ": journal file is read-only: " + msg);
  }
  return Status::Unavailable(path_ + ": " + std::string(what) + ": " + msg);
}

Status SessionStore::Impl::Prepare(const std::string& sql, StmtPtr& out) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db(), sql.c_str(), -1,
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  out.reset(raw);
  if ((rc & 0xff) == SQLITE_NOTADB) return NotAJournal("");
  if (rc != SQLITE_OK) return OpenError("cannot prepare session store query");
  return Status::Ok();
}

Status SessionStore::Impl::Open(SyncMode mode) {
  if (Status s = CheckFile(); !s.ok()) return s;
  // Our own mutex serialises the connection: SQLite's is not needed.
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(
      path_.c_str(), &raw,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
      internal::WalVfsName());  // one write per transaction (wal_vfs.h)
  conn_->db.reset(raw);
  if (rc != SQLITE_OK) {
    if (raw == nullptr) {
      return Status::Unavailable(path_ +
                                 ": cannot open journal: out of memory");
    }
    return OpenError("cannot open journal");
  }
  internal::InstallBusyHandler(db());
  if (sqlite3_db_readonly(db(), "main") == 1) {
    return Status::FailedPrecondition(path_ + ": journal file is read-only");
  }

  // Recognition: only a file the journal created (its application_id) is
  // accepted; an empty or foreign database is never written to.
  Result<int64_t> app = PragmaInt("PRAGMA application_id");
  if (!app.ok()) return app.status();
  if (*app != internal::kApplicationId) {
    return NotAJournal(" (application_id " + Hex(*app) + ", expected " +
                       Hex(internal::kApplicationId) + ")");
  }
  Result<int64_t> version = PragmaInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (*version > internal::kSchemaVersion) {
    return Status::FailedPrecondition(
        path_ + ": journal schema version " + std::to_string(*version) +
        " is newer than this program supports (" +
        std::to_string(internal::kSchemaVersion) + ")");
  }

  // The journal already made the file WAL (persistent); make sure of it.
  {
    StmtPtr wal;
    if (Status s = Prepare("PRAGMA journal_mode = WAL", wal); !s.ok()) return s;
    Call call(wal.get());
    if (call.Step() != SQLITE_ROW) {
      return OpenError("cannot switch journal to WAL mode");
    }
    if (std::string got = call.ColumnBytes(0); got != "wal") {
      return Status::Unavailable(
          path_ + ": cannot switch journal to WAL mode (journal_mode is " +
          got + ")");
    }
  }
  const char* sync = mode == SyncMode::kFull ? "PRAGMA synchronous = FULL"
                                             : "PRAGMA synchronous = NORMAL";
  if (Status s = Exec(sync, "cannot set synchronous mode"); !s.ok()) return s;
  return SetUp();
}

Status SessionStore::Impl::OpenShared(const Journal& journal) {
  conn_ = journal.connection();
  std::lock_guard lock(conn_->mu);
  if (sqlite3_db_readonly(db(), "main") != 0) {
    return Status::FailedPrecondition(path_ + ": journal opened read-only");
  }
  return SetUp();
}

Status SessionStore::Impl::SetUp() {
  if (Status s = Exec("BEGIN IMMEDIATE", "cannot lock journal for writing");
      !s.ok()) {
    return s;
  }
  if (Status s = Exec(kCreateTables, "cannot create session store tables");
      !s.ok()) {
    sqlite3_exec(db(), "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  }
  if (Status s = Exec("COMMIT", "cannot create session store tables");
      !s.ok()) {
    sqlite3_exec(db(), "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  }

  const std::string head = kInsertSessionHead;
  const std::pair<StmtPtr*, std::string> statements[] = {
      {&begin_immediate_, "BEGIN IMMEDIATE"},
      {&commit_, "COMMIT"},
      {&rollback_, "ROLLBACK"},
      {&select_session_,
       "SELECT creation_time_us, next_sender, next_target FROM fix_session "
       "WHERE session = ?1"},
      {&insert_session_,
       head + "VALUES (?1, ?2, 1, 1) ON CONFLICT (session) DO NOTHING"},
      {&set_sender_, head + "VALUES (?1, ?2, ?3, 1) ON CONFLICT (session) DO "
                            "UPDATE SET next_sender = excluded.next_sender"},
      {&set_target_, head + "VALUES (?1, ?2, 1, ?3) ON CONFLICT (session) DO "
                            "UPDATE SET next_target = excluded.next_target"},
      {&raise_sender_,
       "UPDATE fix_session SET next_sender = ?2 WHERE session = ?1 AND "
       "next_sender < ?2"},
      {&raise_target_,
       "UPDATE fix_session SET next_target = ?2 WHERE session = ?1 AND "
       "next_target < ?2"},
      {&create_with_sender_,
       head + "VALUES (?1, ?2, ?3, 1) ON CONFLICT (session) DO NOTHING"},
      {&create_with_target_,
       head + "VALUES (?1, ?2, 1, ?3) ON CONFLICT (session) DO NOTHING"},
      {&reset_session_,
       head + "VALUES (?1, ?2, 1, 1) ON CONFLICT (session) DO UPDATE SET "
              "creation_time_us = excluded.creation_time_us, next_sender = 1, "
              "next_target = 1"},
      {&put_message_,
       "INSERT OR REPLACE INTO fix_message (session, seq, body, app_key) "
       "VALUES (?1, ?2, ?3, ?4)"},
      {&select_range_,
       "SELECT seq, body FROM fix_message WHERE session = ?1 AND seq "
       "BETWEEN ?2 AND ?3 ORDER BY seq"},
      {&delete_messages_, "DELETE FROM fix_message WHERE session = ?1"},
      {&keys_newest_first_,
       "SELECT app_key FROM fix_message WHERE session = ?1 AND app_key != '' "
       "ORDER BY seq DESC"},
      {&delete_message_,
       "DELETE FROM fix_message WHERE session = ?1 AND seq = ?2"},
  };
  for (const auto& [stmt, sql] : statements) {
    if (Status s = Prepare(sql, *stmt); !s.ok()) return s;
  }
  return Status::Ok();
}

Status SessionStore::Impl::Fail(int rc, std::string_view session,
                                std::string_view what) {
  // Read the message before a rollback replaces it.
  std::string msg = sqlite3_errmsg(db());
  if (sqlite3_get_autocommit(db()) == 0) {
    sqlite3_step(rollback_.get());
    sqlite3_reset(rollback_.get());
  }
  std::string prefix = "session store " + path_ + ": " + std::string(what);
  if (!session.empty()) prefix += " of session " + std::string(session);
  prefix += ": ";
  return internal::WriteError(db(), rc, prefix, msg, "");
}

int SessionStore::Impl::Begin(sqlite3_stmt* begin) {
  int rc = Call(begin).Step();
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int SessionStore::Impl::Commit() {
  int rc = Call(commit_.get()).Step();
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int SessionStore::Impl::SelectSession(std::string_view session,
                                      SessionState& out) {
  Call call(select_session_.get());
  int rc = call.Text(session).Step();
  if (rc == SQLITE_ROW) {
    out.creation_time = FromMicros(call.ColumnInt(0));
    out.next_sender = call.ColumnInt(1);
    out.next_target = call.ColumnInt(2);
  }
  return rc;
}

Result<SessionState> SessionStore::Impl::Load(std::string_view session) {
  const Timestamp now = clock_();
  std::lock_guard lock(conn_->mu);
  SessionState state;
  int rc = SelectSession(session, state);
  if (rc == SQLITE_ROW) {
    // QuickFIX (re)loads its sequence numbers from here.
    PredictionOf(session).actual_next = state.next_sender;
    return state;
  }
  if (rc != SQLITE_DONE) return Fail(rc, session, "cannot read state");
  // Not seen before. Another connection may create it in between: the
  // insert then does nothing and the second read returns its row.
  rc = Call(insert_session_.get()).Text(session).Int(Micros(now)).Step();
  if (rc != SQLITE_DONE) return Fail(rc, session, "cannot create state");
  rc = SelectSession(session, state);
  if (rc == SQLITE_ROW) {
    PredictionOf(session).actual_next = state.next_sender;
    return state;
  }
  if (rc == SQLITE_DONE) rc = SQLITE_INTERNAL;  // deleted behind our back
  return Fail(rc, session, "cannot read state");
}

Status SessionStore::Impl::SetNext(std::string_view session, bool sender,
                                   int64_t next) {
  const char* what =
      sender ? "cannot set next sender seq" : "cannot set next target seq";
  if (next < 1) {
    return Status::InvalidArgument("session store " + path_ + ": " + what +
                                   " of session " + std::string(session) +
                                   ": " + std::to_string(next) +
                                   " is not a sequence number");
  }
  const Timestamp now = clock_();
  std::lock_guard lock(conn_->mu);
  sqlite3_stmt* stmt = sender ? set_sender_.get() : set_target_.get();
  Prediction& p = PredictionOf(session);
  if (!sender || p.pending.empty()) {
    int rc = Call(stmt).Text(session).Int(Micros(now)).Int(next).Step();
    if (rc != SQLITE_DONE) return Fail(rc, session, what);
    if (sender) p.actual_next = next;
    return Status::Ok();
  }
  // QuickFIX moves its sender sequence: the predictions no longer hold.
  int rc = Begin(begin_immediate_.get());
  if (rc == SQLITE_OK) rc = Displace(session, 0);
  if (rc == SQLITE_OK) {
    rc = Call(stmt).Text(session).Int(Micros(now)).Int(next).Step();
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  if (rc == SQLITE_OK) rc = Commit();
  if (rc != SQLITE_OK) return Fail(rc, session, what);
  p.actual_next = next;
  return Status::Ok();
}

Status SessionStore::Impl::SaveOutgoing(std::string_view session, int64_t seq,
                                        std::string_view body,
                                        std::string_view app_key) {
  const std::string what = "cannot store message " + std::to_string(seq);
  if (seq < 1 || seq == INT64_MAX) {
    return Status::InvalidArgument("session store " + path_ + ": " + what +
                                   " of session " + std::string(session) +
                                   ": not a sequence number");
  }
  const Timestamp now = clock_();
  std::lock_guard lock(conn_->mu);
  Prediction& p = PredictionOf(session);
  if (!app_key.empty() && !p.pending.empty() &&
      p.pending.front().first == seq && p.pending.front().second == app_key) {
    // Prestored at this seq, committed with its journal entry: nothing to
    // write (the stored copy differs only in SendingTime).
    p.pending.pop_front();
    p.actual_next = seq + 1;
    return Status::Ok();
  }
  int rc = Begin(begin_immediate_.get());
  if (rc != SQLITE_OK) return Fail(rc, session, what);
  rc = PutMessage(session, seq, body, app_key, now);
  if (rc != SQLITE_OK) return Fail(rc, session, what);
  // Another message took the seq of a prediction (a heartbeat, a reject,
  // QuickFIX's own answers): every prediction is off by one or more.
  const int64_t displaced = static_cast<int64_t>(p.pending.size());
  if (displaced > 0) {
    rc = Displace(session, seq);
    if (rc != SQLITE_OK) return Fail(rc, session, what);
  }
  rc = Commit();
  if (rc != SQLITE_OK) {
    if (displaced > 0) p.unpredicted -= displaced;  // rolled back
    return Fail(rc, session, what);
  }
  // A keyed message stored here is the oldest committed one without a row.
  if (!app_key.empty() && p.unpredicted > 0) --p.unpredicted;
  p.actual_next = seq + 1;
  return Status::Ok();
}

SessionStore::Impl::Prediction& SessionStore::Impl::PredictionOf(
    std::string_view session) {
  auto it = predictions_.find(session);
  if (it == predictions_.end()) {
    it = predictions_.emplace(std::string(session), Prediction()).first;
  }
  return it->second;
}

int SessionStore::Impl::PutMessage(std::string_view session, int64_t seq,
                                   std::string_view body,
                                   std::string_view app_key, Timestamp now) {
  int rc = Call(put_message_.get())
               .Text(session)
               .Int(seq)
               .Blob(body)
               .Text(app_key)
               .Step();
  if (rc != SQLITE_DONE) return rc;
  return Raise(raise_sender_.get(), create_with_sender_.get(), session, seq + 1,
               now);
}

int SessionStore::Impl::Raise(sqlite3_stmt* raise, sqlite3_stmt* create,
                              std::string_view session, int64_t next,
                              Timestamp now) {
  // A plain UPDATE first: the common case (the seq rises, the row exists)
  // costs one statement, cheaper than an upsert's insert attempt.
  int rc = Call(raise).Text(session).Int(next).Step();
  if (rc != SQLITE_DONE) return rc;
  if (sqlite3_changes(db()) > 0) return SQLITE_OK;
  // Not raised: already that high (nothing to write), or no row yet.
  rc = Call(create).Text(session).Int(Micros(now)).Int(next).Step();
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int SessionStore::Impl::Displace(std::string_view session, int64_t keep) {
  Prediction& p = PredictionOf(session);
  for (const auto& [seq, key] : p.pending) {
    if (seq == keep) continue;
    int rc = Call(delete_message_.get()).Text(session).Int(seq).Step();
    if (rc != SQLITE_DONE) return rc;
  }
  p.unpredicted += static_cast<int64_t>(p.pending.size());
  p.pending.clear();
  return SQLITE_OK;
}

Status SessionStore::Impl::RaiseTarget(std::string_view session,
                                       int64_t next) {
  const std::string what = "cannot raise next target seq";
  if (next < 1) {
    return Status::InvalidArgument("session store " + path_ + ": " + what +
                                   " of session " + std::string(session) +
                                   ": " + std::to_string(next) +
                                   " is not a sequence number");
  }
  std::lock_guard lock(conn_->mu);
  if (sqlite3_get_autocommit(db()) != 0) {
    return Status::FailedPrecondition(
        "session store " + path_ + ": RaiseNextTarget outside a journal "
        "transaction");
  }
  int rc = Raise(raise_target_.get(), create_with_target_.get(), session, next,
                 clock_());
  if (rc != SQLITE_OK) return Fail(rc, session, what);
  return Status::Ok();
}

Result<bool> SessionStore::Impl::Prestore(
    std::string_view session, std::string_view app_key,
    const std::function<std::string(int64_t)>& render) {
  std::lock_guard lock(conn_->mu);
  if (sqlite3_get_autocommit(db()) != 0) {
    return Status::FailedPrecondition(
        "session store " + path_ +
        ": PrestoreOutgoing outside a journal transaction");
  }
  if (app_key.empty()) return false;  // never matched by SaveOutgoing
  Prediction& p = PredictionOf(session);
  if (p.actual_next == 0 || p.unpredicted > 0) {
    ++p.unpredicted;
    return false;
  }
  const int64_t seq =
      p.pending.empty() ? p.actual_next : p.pending.back().first + 1;
  const std::string body = render(seq);
  int rc = PutMessage(session, seq, body, app_key, clock_());
  if (rc != SQLITE_OK) {
    return Fail(rc, session, "cannot prestore message " + std::to_string(seq));
  }
  p.pending.emplace_back(seq, std::string(app_key));
  return true;
}

Result<std::vector<StoredMessage>> SessionStore::Impl::GetOutgoing(
    std::string_view session, int64_t begin, int64_t end) {
  std::vector<StoredMessage> out;
  if (begin > end) return out;
  std::lock_guard lock(conn_->mu);
  Call call(select_range_.get());
  call.Text(session).Int(begin).Int(end);
  int rc;
  while ((rc = call.Step()) == SQLITE_ROW) {
    out.push_back(StoredMessage{call.ColumnInt(0), call.ColumnBytes(1)});
  }
  if (rc != SQLITE_DONE) {
    return Fail(rc, session,
                "cannot read messages " + std::to_string(begin) + " to " +
                    std::to_string(end));
  }
  return out;
}

Result<SessionState> SessionStore::Impl::Reset(std::string_view session) {
  const Timestamp now = clock_();
  std::lock_guard lock(conn_->mu);
  int rc = Begin(begin_immediate_.get());
  if (rc != SQLITE_OK) return Fail(rc, session, "cannot reset");
  rc = Call(delete_messages_.get()).Text(session).Step();
  if (rc != SQLITE_DONE) return Fail(rc, session, "cannot reset");
  rc = Call(reset_session_.get()).Text(session).Int(Micros(now)).Step();
  if (rc != SQLITE_DONE) return Fail(rc, session, "cannot reset");
  rc = Commit();
  if (rc != SQLITE_OK) return Fail(rc, session, "cannot reset");
  // The reset deleted the prestored rows: their messages are unpredicted.
  Prediction& p = PredictionOf(session);
  p.unpredicted += static_cast<int64_t>(p.pending.size());
  p.pending.clear();
  p.actual_next = 1;
  return SessionState{1, 1, now};
}

int SessionStore::Impl::RemoveStoredKeys(
    std::string_view session, std::set<std::string, std::less<>>& wanted) {
  if (wanted.empty()) return SQLITE_DONE;
  Call call(keys_newest_first_.get());
  call.Text(session);
  int rc;
  while ((rc = call.Step()) == SQLITE_ROW) {
    const auto* key = reinterpret_cast<const char*>(
        sqlite3_column_text(keys_newest_first_.get(), 0));
    const int size = sqlite3_column_bytes(keys_newest_first_.get(), 0);
    if (key == nullptr) continue;
    auto it = wanted.find(std::string_view(key, static_cast<size_t>(size)));
    if (it == wanted.end()) continue;
    wanted.erase(it);
    if (wanted.empty()) return SQLITE_DONE;
  }
  return rc;
}

Result<bool> SessionStore::Impl::HasOutgoing(std::string_view session,
                                             std::string_view app_key) {
  if (app_key.empty()) return NoKey(session);
  std::lock_guard lock(conn_->mu);
  std::set<std::string, std::less<>> wanted{std::string(app_key)};
  int rc = RemoveStoredKeys(session, wanted);
  if (rc != SQLITE_DONE) {
    return Fail(rc, session, "cannot look up message " + std::string(app_key));
  }
  return wanted.empty();
}

Result<std::vector<std::string>> SessionStore::Impl::MissingOutgoing(
    std::string_view session, const std::vector<std::string>& app_keys) {
  for (const std::string& key : app_keys) {
    if (key.empty()) return NoKey(session);
  }
  std::set<std::string, std::less<>> wanted(app_keys.begin(), app_keys.end());
  std::lock_guard lock(conn_->mu);
  // One statement: every key is checked against the same snapshot.
  int rc = RemoveStoredKeys(session, wanted);
  if (rc != SQLITE_DONE) return Fail(rc, session, "cannot read messages");
  std::vector<std::string> missing;
  for (const std::string& key : app_keys) {
    if (wanted.count(key) != 0) missing.push_back(key);
  }
  return missing;
}

std::optional<SyncMode> SessionStore::Impl::ReadSyncMode() {
  std::lock_guard lock(conn_->mu);
  Result<int64_t> value = PragmaInt("PRAGMA synchronous");
  if (!value.ok()) return std::nullopt;
  if (*value == 1) return SyncMode::kNormal;
  if (*value == 2) return SyncMode::kFull;
  return std::nullopt;
}

Result<std::unique_ptr<SessionStore>> SessionStore::Open(
    const std::string& path, SyncMode mode, Clock clock) {
  auto impl = std::make_unique<Impl>(path, std::move(clock));
  if (Status s = impl->Open(mode); !s.ok()) return s;
  return std::unique_ptr<SessionStore>(new SessionStore(std::move(impl)));
}

SessionStore::SessionStore(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
SessionStore::~SessionStore() = default;

Result<std::unique_ptr<SessionStore>> SessionStore::Open(const Journal& journal,
                                                        Clock clock) {
  auto impl = std::make_unique<Impl>(journal.path(), std::move(clock));
  if (Status s = impl->OpenShared(journal); !s.ok()) return s;
  return std::unique_ptr<SessionStore>(new SessionStore(std::move(impl)));
}

Result<bool> SessionStore::PrestoreOutgoing(
    std::string_view session, std::string_view app_key,
    const std::function<std::string(int64_t)>& render) {
  return impl_->Prestore(session, app_key, render);
}

Status SessionStore::RaiseNextTarget(std::string_view session,
                                     int64_t next_target) {
  return impl_->RaiseTarget(session, next_target);
}

Result<SessionState> SessionStore::LoadSession(std::string_view session) {
  return impl_->Load(session);
}

Result<int64_t> SessionStore::NextSender(std::string_view session) {
  Result<SessionState> state = impl_->Load(session);
  if (!state.ok()) return state.status();
  return state->next_sender;
}

Result<int64_t> SessionStore::NextTarget(std::string_view session) {
  Result<SessionState> state = impl_->Load(session);
  if (!state.ok()) return state.status();
  return state->next_target;
}

Result<Timestamp> SessionStore::CreationTime(std::string_view session) {
  Result<SessionState> state = impl_->Load(session);
  if (!state.ok()) return state.status();
  return state->creation_time;
}

Status SessionStore::SetNextSender(std::string_view session,
                                   int64_t next_sender) {
  return impl_->SetNext(session, /*sender=*/true, next_sender);
}

Status SessionStore::SetNextTarget(std::string_view session,
                                   int64_t next_target) {
  return impl_->SetNext(session, /*sender=*/false, next_target);
}

Status SessionStore::SaveOutgoing(std::string_view session, int64_t seq,
                                  std::string_view body,
                                  std::string_view app_key) {
  return impl_->SaveOutgoing(session, seq, body, app_key);
}

Result<std::vector<StoredMessage>> SessionStore::GetOutgoing(
    std::string_view session, int64_t begin, int64_t end) {
  return impl_->GetOutgoing(session, begin, end);
}

Result<SessionState> SessionStore::Reset(std::string_view session) {
  return impl_->Reset(session);
}

Result<bool> SessionStore::HasOutgoing(std::string_view session,
                                       std::string_view app_key) {
  return impl_->HasOutgoing(session, app_key);
}

Result<std::vector<std::string>> SessionStore::MissingOutgoing(
    std::string_view session, const std::vector<std::string>& app_keys) {
  return impl_->MissingOutgoing(session, app_keys);
}

const std::string& SessionStore::path() const { return impl_->path(); }

std::optional<SyncMode> SessionStore::sync_mode() const {
  return impl_->ReadSyncMode();
}

}  // namespace fixgw::store
