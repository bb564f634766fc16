// Journal over SQLite: recognition and creation at open, one transaction per
// Append, SHA-256 hash chain (format and durability rules in schema.sql).
#include "store/journal.h"
#include "store/internal/sqlite.h"
#include "store/internal/wal_vfs.h"

#include <openssl/evp.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#include "gateway/core/path.h"
#include "store/internal/schema_sql.h"
#include "store/journal_lock.h"

namespace fixgw::store {
namespace {

using Hash = std::array<unsigned char, 32>;

using Stmt = internal::StmtPtr;

// Resets a (cached) statement on scope exit, so that it never keeps a read
// transaction open or refers to bound buffers that have gone away.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~ResetOnExit() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

// canonical(entry) field encoding: 8-byte big-endian length, then the bytes.
void PutField(std::string& out, std::string_view bytes) {
  uint64_t len = bytes.size();
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((len >> shift) & 0xffU));
  }
  out.append(bytes);
}

// hash(n) = SHA-256(raw hash(n-1) || canonical(entry n)); see schema.sql.
// The digest is fetched once and its context reused: OpenSSL 3's one-shot
// EVP_Digest(EVP_sha256()) looks the implementation up and allocates a
// context at every call, which took longer than hashing an entry (about
// 0.8 against 0.7 us for 900 bytes here). Not thread-safe: the journal
// uses its hasher under the connection's mutex.
class ChainHasher {
 public:
  ChainHasher()
      : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {}

  // False if OpenSSL fails (no SHA-256 implementation, out of memory).
  bool Next(const Hash& prev, int64_t seq, int64_t time_us,
            const JournalEntry& e, Hash& out) {
    buf_.clear();
    buf_.append(reinterpret_cast<const char*>(prev.data()), prev.size());
    PutField(buf_, std::to_string(seq));
    PutField(buf_, std::to_string(time_us));
    PutField(buf_, e.kind);
    PutField(buf_, e.session);
    PutField(buf_, e.cl_ord_id);
    PutField(buf_, e.exch_cl_ord_id);
    PutField(buf_, e.payload);
    PutField(buf_, e.raw_fix);
    unsigned int len = 0;
    return md_ != nullptr && ctx_ != nullptr &&
           EVP_DigestInit_ex2(ctx_.get(), md_.get(), nullptr) == 1 &&
           EVP_DigestUpdate(ctx_.get(), buf_.data(), buf_.size()) == 1 &&
           EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) == 1 &&
           len == out.size();
  }

 private:
  struct MdFree {
    void operator()(EVP_MD* md) const { EVP_MD_free(md); }
  };
  struct CtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD, MdFree> md_;
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx_;
  std::string buf_;  // canonical bytes of the entry being hashed
};

std::string ToHex(const Hash& h) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(h.size() * 2);
  for (unsigned char b : h) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0fU]);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Only the canonical form (64 lowercase hex digits) is accepted.
std::optional<Hash> FromHex(std::string_view hex) {
  Hash h{};
  if (hex.size() != h.size() * 2) return std::nullopt;
  for (size_t i = 0; i < h.size(); ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    h[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return h;
}

std::string ColumnText(sqlite3_stmt* stmt, int col) {
  const unsigned char* text = sqlite3_column_text(stmt, col);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt, col)));
}

int BindText(sqlite3_stmt* stmt, int index, const std::string& text) {
  // Static binding: the caller steps and resets before `text` changes.
  return sqlite3_bind_text64(stmt, index, text.data(), text.size(), nullptr,
                             SQLITE_UTF8);
}

// The columns every entry query selects, in JournalEntry order.
constexpr const char* kEntryColumns =
    "seq, time_us, kind, session, cl_ord_id, exch_cl_ord_id, payload, "
    "raw_fix, hash";

JournalEntry ReadEntry(sqlite3_stmt* stmt) {
  JournalEntry e;
  e.seq = sqlite3_column_int64(stmt, 0);
  e.time = Timestamp(std::chrono::microseconds(sqlite3_column_int64(stmt, 1)));
  e.kind = ColumnText(stmt, 2);
  e.session = ColumnText(stmt, 3);
  e.cl_ord_id = ColumnText(stmt, 4);
  e.exch_cl_ord_id = ColumnText(stmt, 5);
  e.payload = ColumnText(stmt, 6);
  e.raw_fix = ColumnText(stmt, 7);
  e.hash = ColumnText(stmt, 8);
  return e;
}

enum class FileKind { kFresh, kJournal };

// Checkpoints the WAL from a connection and thread of its own, so that no
// Append pays for copying pages back into the database file, nor for the
// fsyncs a checkpoint makes in either SyncMode. The writer's automatic
// checkpoint is switched off; its WAL hook wakes this thread once the WAL
// holds kPages pages, and again each time it has grown by kWakeStep more
// (not at every commit: a wake-up is a futex call and a context switch on
// the order path). Passive checkpoints never block the writer or the
// readers. Under a steady flow of commits, though, this thread never
// catches up with the last frame, and SQLite restarts the WAL from its
// start only when every frame is back in the database: so once the WAL
// holds kWriterPages pages, the writer finishes the checkpoint itself,
// right after its commit (what SQLite's automatic checkpoint does at every
// kPages), which costs it only the frames this thread has not copied yet.
// If the second connection cannot be opened, Start returns null and the
// writer keeps SQLite's automatic checkpoint.
//
// The thread's connection reads the database once before it checkpoints:
// SQLite opens a connection's WAL at its first read, and a checkpoint on a
// connection whose WAL is not open does nothing at all (returns
// SQLITE_OK): without that read every checkpoint fell to the writer.
class Checkpointer {
 public:
  static constexpr int kPages = 1000;  // SQLite's own default threshold
  static constexpr int kWakeStep = kPages / 4;
  static constexpr int kWriterPages = 4 * kPages;  // the WAL's bound, ~16 MB

  static std::unique_ptr<Checkpointer> Start(const std::string& path,
                                             sqlite3* writer) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    internal::DbPtr db(raw);
    if (rc != SQLITE_OK) return nullptr;
    internal::InstallBusyHandler(db.get());
    if (sqlite3_exec(db.get(), "SELECT count(*) FROM sqlite_schema", nullptr,
                     nullptr, nullptr) != SQLITE_OK) {
      return nullptr;
    }
    auto checkpointer = std::unique_ptr<Checkpointer>(
        new Checkpointer(std::move(db), writer));
    sqlite3_wal_hook(writer, &Checkpointer::OnCommit, checkpointer.get());
    return checkpointer;
  }

  // The writer's connection mutex must be held (no commit in flight).
  ~Checkpointer() {
    sqlite3_wal_hook(writer_, nullptr, nullptr);
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  Checkpointer(internal::DbPtr db, sqlite3* writer)
      : db_(std::move(db)), writer_(writer), thread_([this] { Loop(); }) {}

  // SQLite's WAL hook: after every commit of the writer, on its thread.
  static int OnCommit(void* self, sqlite3* writer, const char*, int pages) {
    auto* c = static_cast<Checkpointer*>(self);
    if (pages < c->wake_at_ - kWakeStep) c->wake_at_ = kPages;  // restarted
    if (pages >= kWriterPages) {
      // A failure (another checkpoint running) is retried at the next
      // commit.
      sqlite3_wal_checkpoint_v2(writer, nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                nullptr, nullptr);
    } else if (pages >= c->wake_at_) {
      c->wake_at_ = pages + kWakeStep;
      {
        std::lock_guard lock(c->mu_);
        c->wake_ = true;
      }
      c->cv_.notify_one();
    }
    return SQLITE_OK;
  }

  void Loop() {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return stop_ || wake_; });
      if (stop_) return;
      wake_ = false;
      lock.unlock();
      // A failure (busy, I/O) only leaves the WAL longer until the next.
      sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                nullptr, nullptr);
      lock.lock();
    }
  }

  internal::DbPtr db_;
  sqlite3* const writer_;
  // The WAL size (pages) at which the writer's next commit wakes the
  // thread; only the writer's thread (in OnCommit) uses it.
  int wake_at_ = kPages;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;  // guarded by mu_
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

// The chain seed's rows in meta (schema.sql, "Chain seed").
constexpr const char* kMetaPreviousFile = "chain_previous_file";
constexpr const char* kMetaSeedSeq = "chain_seed_seq";
constexpr const char* kMetaSeedHash = "chain_seed_hash";

// A seq as written in meta: decimal digits, no sign, no leading zero.
std::optional<int64_t> ParseSeq(std::string_view text) {
  if (text.empty() || text.size() > 18 || (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// Why `seed` cannot start a chain, or "" if it can.
std::string SeedProblem(const ChainSeed& seed) {
  if (seed.last_seq < 0) return "seed seq " + std::to_string(seed.last_seq);
  if (!FromHex(seed.last_hash)) {
    return "seed hash '" + seed.last_hash + "' is not 64 lowercase hex digits";
  }
  return "";
}

}  // namespace

class Journal::Impl {
 public:
  // A writer's lock on the journal (journal_lock.h): taken before SQLite
  // opens the file; declared first, so released after the connection
  // closes (a SessionStore sharing the connection must not outlive its
  // Journal).
  std::unique_ptr<JournalLock> lock_;

  Impl(std::string p, bool ro) : path(std::move(p)), read_only(ro) {}
  ~Impl() {
    std::lock_guard lock(conn->mu);
    checkpointer_.reset();
  }

  // Set before Open by Journal::Create: the file must not exist and gets
  // this seed.
  std::optional<ChainSeed> create_seed;

  // Opens, recognises and (writer) creates the database; prepares the
  // statements and loads the chain head.
  Status Open(SyncMode mode);
  Status Append(std::vector<JournalEntry>& entries,
                const std::function<Status()>* in_transaction);
  Status ForEach(int64_t after_seq,
                 const std::function<bool(const JournalEntry&)>& fn);
  Result<VerifyReport> Verify(const std::optional<ChainPoint>& from);
  int64_t LastSeq();
  ChainPoint Head() const { return ChainPoint{last_seq_, ToHex(last_hash_)}; }
  std::optional<SyncMode> ReadSyncMode();
  const ChainSeed& seed() const { return seed_; }

  const std::string path;
  const bool read_only;
  // Declared first: destroyed after the statements. Shared with a
  // SessionStore opened on this journal; every public call holds its mutex.
  const std::shared_ptr<internal::Connection> conn =
      std::make_shared<internal::Connection>();

 private:
  sqlite3* db() const { return conn->db.get(); }
  std::string Message() const { return sqlite3_errmsg(db()); }
  Status OpenError(std::string_view what) const {
    return Status::Unavailable(path + ": " + std::string(what) + ": " +
                               Message());
  }
  Status CheckFile() const;
  Result<FileKind> Recognise();
  Result<int64_t> PragmaInt(const char* sql);
  Status Exec(const char* sql, std::string_view what);
  Status Prepare(const std::string& sql, Stmt& out);
  Status LoadHead();
  Status WriteSeed(const ChainSeed& seed);
  Status LoadSeed();
  // Rolls back the open transaction, if any, and maps `rc` to a Status.
  Status AppendFailed(int rc, std::string_view what);

  Stmt begin_, commit_, rollback_, insert_, select_after_, select_all_,
      select_head_;
  std::unique_ptr<Checkpointer> checkpointer_;  // writer only
  ChainHasher hasher_;  // used under conn->mu, like the statements

  ChainSeed seed_;            // where the chain starts (meta)
  std::string seed_problem_;  // a reader's malformed seed; "" if fine
  Hash seed_hash_{};          // seed_.last_hash, raw
  int64_t last_seq_ = 0;
  Hash last_hash_{};  // the seed hash while empty
};

Status Journal::Impl::CheckFile() const {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && create_seed) {
    return Status::AlreadyExists(
        path + ": already exists: a continued journal must be a new file");
  }
  if (::stat(path.c_str(), &st) != 0) {
    int err = errno;
    if (err != ENOENT) {
      return Status::Unavailable(
          path + ": cannot open journal: " + std::strerror(err));
    }
    if (read_only) return Status::NotFound(path + ": no such journal file");
    const std::string dir = DirectoryOf(path);
    struct stat dst {};
    if (::stat(dir.c_str(), &dst) != 0 || !S_ISDIR(dst.st_mode)) {
      return Status::NotFound(path + ": cannot create journal: directory " +
                              dir + " does not exist");
    }
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
      return Status::FailedPrecondition(path +
                                        ": cannot create journal: directory " +
                                        dir + " is not writable");
    }
    return Status::Ok();
  }
  if (S_ISDIR(st.st_mode)) {
    return Status::FailedPrecondition(path +
                                      ": is a directory, not a journal file");
  }
  if (::access(path.c_str(), R_OK) != 0) {
    return Status::FailedPrecondition(
        path + ": cannot read journal: " + std::strerror(errno));
  }
  if (!read_only && ::access(path.c_str(), W_OK) != 0) {
    return Status::FailedPrecondition(
        path + ": journal file is read-only: " + std::strerror(errno));
  }
  return Status::Ok();
}

Result<int64_t> Journal::Impl::PragmaInt(const char* sql) {
  Stmt stmt;
  if (Status s = Prepare(sql, stmt); !s.ok()) return s;
  int rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_ROW) return OpenError("cannot read journal");
  return sqlite3_column_int64(stmt.get(), 0);
}

Status Journal::Impl::Exec(const char* sql, std::string_view what) {
  char* err = nullptr;
  if (sqlite3_exec(db(), sql, nullptr, nullptr, &err) == SQLITE_OK) {
    return Status::Ok();
  }
  std::string msg = err != nullptr ? err : Message();
  sqlite3_free(err);
  return Status::Unavailable(path + ": " + std::string(what) + ": " + msg);
}

Status Journal::Impl::Prepare(const std::string& sql, Stmt& out) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db(), sql.c_str(), -1,
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  out.reset(raw);
  if (rc == SQLITE_NOTADB) {
    return Status::FailedPrecondition(path + ": not a fixgw journal");
  }
  if (rc != SQLITE_OK) return OpenError("cannot read journal");
  return Status::Ok();
}

// Tells a new (empty) database from a journal; anything else is an error.
Result<FileKind> Journal::Impl::Recognise() {
  Result<int64_t> app = PragmaInt("PRAGMA application_id");
  if (!app.ok()) {
    if ((sqlite3_errcode(db()) & 0xff) == SQLITE_NOTADB) {
      return Status::FailedPrecondition(path + ": not a fixgw journal");
    }
    return app.status();
  }
  Result<int64_t> version = PragmaInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  Result<int64_t> objects = PragmaInt("SELECT count(*) FROM sqlite_schema");
  if (!objects.ok()) return objects.status();

  if (*app == internal::kApplicationId) {
    if (*version > internal::kSchemaVersion) {
      return Status::FailedPrecondition(
          path + ": journal schema version " + std::to_string(*version) +
          " is newer than this program supports (" +
          std::to_string(internal::kSchemaVersion) + ")");
    }
    // Version 1 files are read and appended as they are (schema.sql).
    if (*version >= 1) return FileKind::kJournal;
  } else if (*app == 0 && *version == 0 && *objects == 0) {
    return FileKind::kFresh;
  }
  return Status::FailedPrecondition(path + ": not a fixgw journal");
}

Status Journal::Impl::Open(SyncMode mode) {
  if (Status s = CheckFile(); !s.ok()) return s;
  if (!read_only) {
    auto lock = JournalLock::Acquire(path);
    if (!lock.ok()) return lock.status();
    lock_ = std::move(*lock);
  }

  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
              (read_only ? SQLITE_OPEN_READONLY
                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* raw = nullptr;
  // A writer appends each transaction to the WAL with one system call
  // (internal/wal_vfs.h).
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags,
                           read_only ? nullptr : internal::WalVfsName());
  conn->db.reset(raw);
  if (rc != SQLITE_OK) {
    if (raw == nullptr) {
      return Status::Unavailable(path + ": cannot open journal: out of memory");
    }
    return OpenError("cannot open journal");
  }
  internal::InstallBusyHandler(db());
  if (!read_only && sqlite3_db_readonly(db(), "main") == 1) {
    return Status::FailedPrecondition(path + ": journal file is read-only");
  }

  Result<FileKind> kind = Recognise();
  if (!kind.ok()) return kind.status();
  if (read_only) {
    if (*kind == FileKind::kFresh) {
      return Status::FailedPrecondition(path + ": not a fixgw journal");
    }
    if (Status s = Exec("PRAGMA query_only = ON", "cannot open journal");
        !s.ok())
      return s;
  } else {
    // WAL is persistent in the file; it cannot be set inside a transaction.
    Stmt wal;
    if (Status s = Prepare("PRAGMA journal_mode = WAL", wal); !s.ok()) {
      return s;
    }
    if (sqlite3_step(wal.get()) != SQLITE_ROW) {
      return OpenError("cannot switch journal to WAL mode");
    }
    if (std::string got = ColumnText(wal.get(), 0); got != "wal") {
      return Status::Unavailable(
          path + ": cannot switch journal to WAL mode (journal_mode is " + got +
          ")");
    }
    wal.reset();
    const char* sync = mode == SyncMode::kFull ? "PRAGMA synchronous = FULL"
                                               : "PRAGMA synchronous = NORMAL";
    if (Status s = Exec(sync, "cannot set synchronous mode"); !s.ok()) return s;
    if (Status s = Exec("PRAGMA foreign_keys = OFF", "cannot open journal");
        !s.ok())
      return s;

    // Take the write lock now: a journal we cannot write fails here, not at
    // the first Append. Re-recognise under the lock, since another process
    // may have created the schema in between.
    if (sqlite3_exec(db(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) !=
        SQLITE_OK) {
      if ((sqlite3_errcode(db()) & 0xff) == SQLITE_READONLY) {
        return Status::FailedPrecondition(path + ": journal file is read-only");
      }
      return OpenError("cannot lock journal for writing");
    }
    kind = Recognise();
    Status s = kind.ok() ? Status::Ok() : kind.status();
    if (s.ok() && *kind == FileKind::kFresh) {
      s = Exec(internal::kSchemaSql, "cannot create journal");
      if (s.ok() && create_seed) s = WriteSeed(*create_seed);
    } else if (s.ok() && create_seed) {
      s = Status::AlreadyExists(
          path + ": already exists: a continued journal must be a new file");
    } else if (s.ok()) {
      // Version 1 and 2 files: the index version 3 dropped (schema.sql).
      s = Exec("DROP INDEX IF EXISTS journal_by_time", "cannot open journal");
    }
    if (s.ok()) s = Exec("COMMIT", "cannot create journal");
    if (!s.ok()) {
      sqlite3_exec(db(), "ROLLBACK", nullptr, nullptr, nullptr);
      return s;
    }

    // (Switching the automatic checkpoint off or on replaces the WAL hook:
    // before Start installs its own.)
    sqlite3_wal_autocheckpoint(db(), 0);
    checkpointer_ = Checkpointer::Start(path, db());
    if (checkpointer_ == nullptr) {
      sqlite3_wal_autocheckpoint(db(), Checkpointer::kPages);
    }
    if (Status p = Prepare("BEGIN IMMEDIATE", begin_); !p.ok()) return p;
    if (Status p = Prepare("COMMIT", commit_); !p.ok()) return p;
    if (Status p = Prepare("ROLLBACK", rollback_); !p.ok()) return p;
    if (Status p =
            Prepare(std::string("INSERT INTO journal (") + kEntryColumns +
                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    insert_);
        !p.ok()) {
      return p;
    }
  }
  const std::string select =
      std::string("SELECT ") + kEntryColumns + " FROM journal";
  if (Status p =
          Prepare(select + " WHERE seq > ?1 ORDER BY seq", select_after_);
      !p.ok()) {
    return p;
  }
  if (Status p = Prepare(select + " ORDER BY seq", select_all_); !p.ok()) {
    return p;
  }
  if (Status p = Prepare("SELECT seq, hash FROM journal ORDER BY seq DESC "
                         "LIMIT 1",
                         select_head_);
      !p.ok()) {
    return p;
  }
  if (Status s = LoadSeed(); !s.ok()) return s;
  return LoadHead();
}

Status Journal::Impl::WriteSeed(const ChainSeed& seed) {
  Stmt insert;
  if (Status s =
          Prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)", insert);
      !s.ok()) {
    return s;
  }
  const std::string seq = std::to_string(seed.last_seq);
  const std::pair<const char*, const std::string*> rows[] = {
      {kMetaPreviousFile, &seed.previous_file},
      {kMetaSeedSeq, &seq},
      {kMetaSeedHash, &seed.last_hash}};
  for (const auto& [key, value] : rows) {
    ResetOnExit reset(insert.get());
    int rc = sqlite3_bind_text(insert.get(), 1, key, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK) rc = BindText(insert.get(), 2, *value);
    if (rc == SQLITE_OK) rc = sqlite3_step(insert.get());
    if (rc != SQLITE_DONE) return OpenError("cannot write the chain seed");
  }
  return Status::Ok();
}

// A journal without seed rows starts at seq 0 from zeros. A writer refuses
// a malformed seed (it would chain onto garbage); a reader keeps it as a
// problem that Verify reports.
Status Journal::Impl::LoadSeed() {
  Stmt select;
  if (Status s = Prepare("SELECT key, value FROM meta WHERE key IN (?1, ?2, "
                         "?3)",
                         select);
      !s.ok()) {
    return s;
  }
  sqlite3_bind_text(select.get(), 1, kMetaPreviousFile, -1, SQLITE_STATIC);
  sqlite3_bind_text(select.get(), 2, kMetaSeedSeq, -1, SQLITE_STATIC);
  sqlite3_bind_text(select.get(), 3, kMetaSeedHash, -1, SQLITE_STATIC);
  std::optional<std::string> file, seq, hash;
  int rc;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    const std::string key = ColumnText(select.get(), 0);
    std::string value = ColumnText(select.get(), 1);
    if (key == kMetaPreviousFile) file = std::move(value);
    if (key == kMetaSeedSeq) seq = std::move(value);
    if (key == kMetaSeedHash) hash = std::move(value);
  }
  if (rc != SQLITE_DONE) return OpenError("cannot read the chain seed");
  if (!file && !seq && !hash) return Status::Ok();
  std::optional<int64_t> seq_value = seq ? ParseSeq(*seq) : std::nullopt;
  ChainSeed seed;
  seed.previous_file = file.value_or("");
  seed.last_seq = seq_value.value_or(0);
  seed.last_hash = hash.value_or("");
  std::string problem;
  if (!file || !seq || !hash) {
    problem = "meta holds only part of the chain seed";
  } else if (!seq_value) {
    problem = "meta chain_seed_seq '" + *seq + "' is not a seq";
  } else {
    problem = SeedProblem(seed);
  }
  if (!problem.empty()) {
    if (!read_only) {
      return Status::FailedPrecondition(path + ": journal is damaged: " +
                                        problem + " (run fixreplay --verify)");
    }
    seed_problem_ = problem;
    seed.last_hash = kZeroHash;
  }
  seed_ = std::move(seed);
  seed_hash_ = *FromHex(seed_.last_hash);
  return Status::Ok();
}

Status Journal::Impl::LoadHead() {
  ResetOnExit reset(select_head_.get());
  int rc = sqlite3_step(select_head_.get());
  if (rc == SQLITE_DONE) {  // empty: the seed
    last_seq_ = seed_.last_seq;
    last_hash_ = seed_hash_;
    return Status::Ok();
  }
  if (rc != SQLITE_ROW) return OpenError("cannot read journal");
  int64_t seq = sqlite3_column_int64(select_head_.get(), 0);
  std::optional<Hash> hash = FromHex(ColumnText(select_head_.get(), 1));
  if (!hash) {
    // A writer would chain onto garbage; a reader can still Verify.
    if (!read_only) {
      return Status::FailedPrecondition(
          path + ": journal is damaged: entry " + std::to_string(seq) +
          " has a malformed hash (run fixreplay --verify)");
    }
    hash = Hash{};
  }
  last_seq_ = seq;
  last_hash_ = *hash;
  return Status::Ok();
}

Status Journal::Impl::AppendFailed(int rc, std::string_view what) {
  std::string msg = Message();
  if (sqlite3_get_autocommit(db()) == 0) {
    sqlite3_step(rollback_.get());
    sqlite3_reset(rollback_.get());
  }
  return internal::WriteError(db(), rc, "journal " + path + ": ", msg,
                              std::string(what) + ": ");
}

Status Journal::Impl::Append(std::vector<JournalEntry>& entries,
                             const std::function<Status()>* in_transaction) {
  if (read_only) {
    return Status::FailedPrecondition("journal " + path +
                                      ": opened read-only, cannot append");
  }
  if (entries.empty() && in_transaction == nullptr) return Status::Ok();

  int rc = sqlite3_step(begin_.get());
  sqlite3_reset(begin_.get());
  if (rc != SQLITE_DONE) return AppendFailed(rc, "cannot begin transaction");

  std::vector<Hash> hashes(entries.size());
  std::vector<std::string> hex(entries.size());
  Hash prev = last_hash_;
  for (size_t i = 0; i < entries.size(); ++i) {
    const JournalEntry& e = entries[i];
    const int64_t seq = last_seq_ + 1 + static_cast<int64_t>(i);
    const int64_t time_us = e.time.time_since_epoch().count();
    if (!hasher_.Next(prev, seq, time_us, e, hashes[i])) {
      static_cast<void>(AppendFailed(SQLITE_ERROR, ""));
      return Status::Internal("journal " + path + ": SHA-256 failed");
    }
    hex[i] = ToHex(hashes[i]);
    prev = hashes[i];

    sqlite3_stmt* ins = insert_.get();
    ResetOnExit reset(ins);
    rc = sqlite3_bind_int64(ins, 1, seq);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(ins, 2, time_us);
    if (rc == SQLITE_OK) rc = BindText(ins, 3, e.kind);
    if (rc == SQLITE_OK) rc = BindText(ins, 4, e.session);
    if (rc == SQLITE_OK) rc = BindText(ins, 5, e.cl_ord_id);
    if (rc == SQLITE_OK) rc = BindText(ins, 6, e.exch_cl_ord_id);
    if (rc == SQLITE_OK) rc = BindText(ins, 7, e.payload);
    if (rc == SQLITE_OK) rc = BindText(ins, 8, e.raw_fix);
    if (rc == SQLITE_OK) rc = BindText(ins, 9, hex[i]);
    if (rc == SQLITE_OK) rc = sqlite3_step(ins);
    if (rc != SQLITE_DONE) {
      // sqlite3_reset returns the statement's extended error (constraint,
      // trigger, I/O); the message stays available until then.
      int err = rc == SQLITE_OK ? SQLITE_ERROR : rc;
      return AppendFailed(err, "cannot write entry " + std::to_string(seq));
    }
  }
  if (in_transaction != nullptr) {
    if (Status s = (*in_transaction)(); !s.ok()) {
      static_cast<void>(AppendFailed(SQLITE_ERROR, ""));  // rolls back
      return s;
    }
  }

  rc = sqlite3_step(commit_.get());
  if (rc != SQLITE_DONE) {
    Status s = AppendFailed(rc, "cannot commit");
    sqlite3_reset(commit_.get());
    return s;
  }
  sqlite3_reset(commit_.get());

  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i].seq = last_seq_ + 1 + static_cast<int64_t>(i);
    entries[i].hash = std::move(hex[i]);
  }
  last_seq_ += static_cast<int64_t>(entries.size());
  last_hash_ = prev;
  return Status::Ok();
}

Status Journal::Impl::ForEach(
    int64_t after_seq, const std::function<bool(const JournalEntry&)>& fn) {
  // A callback may call ForEach again: the nested call gets its own
  // statement.
  Stmt own;
  sqlite3_stmt* stmt = select_after_.get();
  if (sqlite3_stmt_busy(stmt) != 0) {
    if (Status s = Prepare(std::string("SELECT ") + kEntryColumns +
                               " FROM journal WHERE seq > ?1 ORDER BY seq",
                           own);
        !s.ok()) {
      return Status::Unavailable("journal " + path + ": " + Message());
    }
    stmt = own.get();
  }
  ResetOnExit reset(stmt);
  sqlite3_bind_int64(stmt, 1, after_seq);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (!fn(ReadEntry(stmt))) return Status::Ok();
  }
  if (rc != SQLITE_DONE) {
    return Status::Unavailable("journal " + path +
                               ": read failed: " + Message());
  }
  return Status::Ok();
}

Result<VerifyReport> Journal::Impl::Verify(
    const std::optional<ChainPoint>& from) {
  Stmt own;
  sqlite3_stmt* stmt = select_all_.get();
  if (from || sqlite3_stmt_busy(stmt) != 0) {  // or called from a ForEach
    if (Status s = Prepare(std::string("SELECT ") + kEntryColumns +
                               " FROM journal WHERE seq >= ?1 ORDER BY seq",
                           own);
        !s.ok()) {
      return Status::Unavailable("journal " + path + ": " + Message());
    }
    stmt = own.get();
    sqlite3_bind_int64(stmt, 1, from ? from->seq : INT64_MIN);
  }
  ResetOnExit reset(stmt);
  VerifyReport report;
  Hash prev = seed_hash_;
  int64_t expected = seed_.last_seq + 1;
  // From a checkpoint: its entry must be there, holding its hash; the
  // chain goes on from it.
  bool anchor_pending = false;
  if (from && from->seq != seed_.last_seq) {
    std::optional<Hash> hash = FromHex(from->hash);
    if (!hash || from->seq < seed_.last_seq) {
      report.first_bad_seq = from->seq;
      report.problem = "checkpoint " + std::to_string(from->seq) +
                       " is not a point of this journal's chain (it starts "
                       "after seq " + std::to_string(seed_.last_seq) + ")";
      return report;
    }
    prev = *hash;
    expected = from->seq + 1;
    anchor_pending = true;
  } else if (from && from->hash != seed_.last_hash) {
    report.first_bad_seq = from->seq + 1;
    report.problem = "the chain seed in meta differs from the checkpoint";
    return report;
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (anchor_pending) {
      anchor_pending = false;
      const int64_t seq = sqlite3_column_int64(stmt, 0);
      if (seq != from->seq) {
        report.first_bad_seq = from->seq;
        report.problem = "entry " + std::to_string(from->seq) +
                         " (the checkpoint) is missing";
        continue;
      }
      if (ColumnText(stmt, 8) != from->hash) {
        report.first_bad_seq = from->seq;
        report.problem = "entry " + std::to_string(from->seq) +
                         " (the checkpoint) holds another hash than was "
                         "verified: the journal was changed at or before it";
      }
      continue;
    }
    ++report.entries;
    if (report.first_bad_seq) continue;  // count the rest
    const JournalEntry e = ReadEntry(stmt);
    if (e.seq != expected) {
      report.first_bad_seq = e.seq;
      if (e.seq > expected) {
        report.problem = e.seq == expected + 1
                             ? "entry " + std::to_string(expected) + " missing"
                             : "entries " + std::to_string(expected) + " to " +
                                   std::to_string(e.seq - 1) + " missing";
      } else {
        report.problem = "unexpected entry with seq " + std::to_string(e.seq) +
                         " (the sequence starts at " +
                         std::to_string(seed_.last_seq + 1) + ")";
      }
      continue;
    }
    Hash h{};
    if (!hasher_.Next(prev, e.seq, e.time.time_since_epoch().count(), e, h)) {
      return Status::Internal("journal " + path + ": SHA-256 failed");
    }
    if (ToHex(h) != e.hash) {
      report.first_bad_seq = e.seq;
      report.problem = "entry " + std::to_string(e.seq) +
                       ": hash mismatch (the entry was changed, inserted or "
                       "moved, or its hash was altered)";
      if (e.seq == seed_.last_seq + 1 && seed_.last_seq > 0) {
        report.problem += ", or the chain seed in meta was changed";
      }
      continue;
    }
    prev = h;
    ++expected;
  }
  if (rc != SQLITE_DONE) {
    return Status::Unavailable("journal " + path +
                               ": read failed: " + Message());
  }
  if (anchor_pending && !report.first_bad_seq) {
    report.first_bad_seq = from->seq;
    report.problem = "entry " + std::to_string(from->seq) +
                     " (the checkpoint) is missing: the journal ends before "
                     "it";
  }
  if (!seed_problem_.empty()) {
    report.first_bad_seq = seed_.last_seq + 1;
    report.problem = seed_problem_;
  }
  report.head_seq = expected - 1;
  report.head_hash = ToHex(prev);
  return report;
}

int64_t Journal::Impl::LastSeq() {
  // A writer's head is exact; a reader follows what the writer committed.
  if (!read_only) return last_seq_;
  ResetOnExit reset(select_head_.get());
  if (sqlite3_step(select_head_.get()) == SQLITE_ROW) {
    last_seq_ = sqlite3_column_int64(select_head_.get(), 0);
    last_hash_ =
        FromHex(ColumnText(select_head_.get(), 1)).value_or(Hash{});
  }
  return last_seq_;
}

std::optional<SyncMode> Journal::Impl::ReadSyncMode() {
  Result<int64_t> value = PragmaInt("PRAGMA synchronous");
  if (!value.ok()) return std::nullopt;
  if (*value == 1) return SyncMode::kNormal;
  if (*value == 2) return SyncMode::kFull;
  return std::nullopt;
}

Result<std::unique_ptr<Journal>> Journal::Open(const std::string& path,
                                               SyncMode mode) {
  auto impl = std::make_unique<Impl>(path, /*ro=*/false);
  if (Status s = impl->Open(mode); !s.ok()) return s;
  return std::unique_ptr<Journal>(new Journal(std::move(impl)));
}

Result<std::unique_ptr<Journal>> Journal::OpenReadOnly(
    const std::string& path) {
  auto impl = std::make_unique<Impl>(path, /*ro=*/true);
  if (Status s = impl->Open(SyncMode::kNormal); !s.ok()) return s;
  return std::unique_ptr<Journal>(new Journal(std::move(impl)));
}

Result<std::unique_ptr<Journal>> Journal::Create(const std::string& path,
                                                 SyncMode mode,
                                                 const ChainSeed& seed) {
  if (std::string problem = SeedProblem(seed); !problem.empty()) {
    return Status::InvalidArgument(path +
                                   ": cannot create journal: " + problem);
  }
  auto impl = std::make_unique<Impl>(path, /*ro=*/false);
  impl->create_seed = seed;
  if (Status s = impl->Open(mode); !s.ok()) return s;
  return std::unique_ptr<Journal>(new Journal(std::move(impl)));
}

Journal::Journal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Journal::~Journal() = default;

Status Journal::Append(std::vector<JournalEntry>& entries) {
  std::lock_guard lock(impl_->conn->mu);
  return impl_->Append(entries, nullptr);
}

Status Journal::Append(std::vector<JournalEntry>& entries,
                       const std::function<Status()>& in_transaction) {
  std::lock_guard lock(impl_->conn->mu);
  return impl_->Append(entries, &in_transaction);
}

Status Journal::ForEach(
    int64_t after_seq,
    const std::function<bool(const JournalEntry&)>& fn) const {
  std::lock_guard lock(impl_->conn->mu);
  return impl_->ForEach(after_seq, fn);
}

Result<VerifyReport> Journal::Verify() const {
  std::lock_guard lock(impl_->conn->mu);
  return impl_->Verify(std::nullopt);
}

Result<VerifyReport> Journal::VerifyFrom(const ChainPoint& from) const {
  std::lock_guard lock(impl_->conn->mu);
  return impl_->Verify(from);
}

ChainPoint Journal::head() const {
  std::lock_guard lock(impl_->conn->mu);
  impl_->LastSeq();  // a reader catches up with the writer
  return impl_->Head();
}

Status Journal::SyncToDisk() const {
  // Another descriptor of the same files: fsync flushes the file, not the
  // descriptor, and needs none of SQLite's locks. The write-ahead log may
  // not exist (checkpointed and removed by a closing connection).
  for (const std::string& file : {impl_->path, impl_->path + "-wal"}) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT && file != impl_->path) continue;
      return Status::Unavailable(file + ": cannot open to sync: " +
                                 std::strerror(errno));
    }
    const int rc = ::fdatasync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) {
      return Status::Unavailable(file + ": fsync failed: " +
                                 std::strerror(err));
    }
  }
  return Status::Ok();
}

int64_t Journal::last_seq() const {
  std::lock_guard lock(impl_->conn->mu);
  return impl_->LastSeq();
}

const ChainSeed& Journal::seed() const { return impl_->seed(); }

const std::string& Journal::path() const { return impl_->path; }

std::optional<SyncMode> Journal::sync_mode() const {
  std::lock_guard lock(impl_->conn->mu);
  return impl_->ReadSyncMode();
}

std::shared_ptr<internal::Connection> Journal::connection() const {
  return impl_->conn;
}

}  // namespace fixgw::store
