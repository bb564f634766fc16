// The gateway's journal: an append-only SQLite table of entries, each
// carrying a SHA-256 hash chained to the previous entry's hash.
//
// Durability (schema and rules in store/schema.sql):
//   - WAL mode. Append() writes its entries in one transaction: all or none.
//   - SyncMode::kNormal = synchronous=NORMAL: a committed append survives any
//     crash of the process (kill -9); the last commits may be lost on power
//     failure. SyncMode::kFull = synchronous=FULL: it also survives power
//     loss (an fsync per commit).
//   - An entry is durable once Append() returned ok; a caller acts on an
//     entry (sends a message) only after that.
// Hash chain: hash(n) = SHA-256(hash(n-1) || canonical bytes of entry n),
// starting from the journal's seed: 32 zero bytes at seq 0 for a first
// journal, or the previous file's last seq and hash for a journal that
// continues an archived one (end-of-day rollover, Create with a ChainSeed).
// Verify() recomputes it and names the first entry that does not match
// (changed, deleted, inserted or reordered entries).
//
// Thread-safe: every call holds the connection's mutex (shared with a
// SessionStore opened on this journal, store/session_store.h). The gateway
// serialises appends anyway, for its group commit. Readers in other
// processes open their own read-only Journal; WAL lets them read while the
// gateway writes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/core/types.h"

namespace fixgw::store {

namespace internal {
struct Connection;
}
class SessionStore;

enum class SyncMode { kNormal, kFull };

struct JournalEntry {
  int64_t seq = 0;      // 1, 2, ...: assigned by Append
  Timestamp time;       // when the gateway took the decision / got the message
  std::string kind;     // e.g. "NewOrderAccepted"
  std::string session;  // broker session key, "" for exchange-only
  std::string cl_ord_id;       // broker ClOrdID, "" if none
  std::string exch_cl_ord_id;  // exchange ClOrdID, "" if none
  std::string payload;         // the event, JSON
  std::string raw_fix;  // the FIX message behind it ('|'-separated), or ""
  std::string hash;     // hex SHA-256 of the chain: assigned by Append
};

// 64 lowercase hex zeros: the seed hash of a first journal.
inline constexpr char kZeroHash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Where a journal's hash chain starts. A first journal continues nothing
// (the defaults). A journal that continues an archived one starts right
// after the previous file's last entry: its first seq is last_seq + 1 and
// its first hash chains onto last_hash. Kept in the file's meta table.
struct ChainSeed {
  std::string previous_file;  // the previous file as named at the roll; ""
  int64_t last_seq = 0;       // the previous file's last seq
  std::string last_hash = kZeroHash;  // and its hash, 64 lowercase hex
  bool operator==(const ChainSeed&) const = default;
};

// A point of the hash chain: an entry's seq and hash (or the seed's).
struct ChainPoint {
  int64_t seq = 0;
  std::string hash = kZeroHash;
  bool operator==(const ChainPoint&) const = default;
};

struct VerifyReport {
  int64_t entries = 0;
  // The first entry whose hash or sequence does not match; nullopt if intact.
  std::optional<int64_t> first_bad_seq;
  std::string problem;  // what is wrong with it, for humans
  // The chain's head when intact: the last entry's seq and hash (the
  // seed's for an empty journal). What a following journal must start from.
  int64_t head_seq = 0;
  std::string head_hash;
};

class Journal {
 public:
  // Opens or creates the journal for writing. First takes the journal's
  // lock (JournalLock, store/journal_lock.h), held until the Journal is
  // destroyed: one writer per journal, across processes. Errors (one line,
  // naming the path): in use by another process (its pid), cannot
  // open/create, not a journal, written by a newer schema version,
  // read-only file.
  static Result<std::unique_ptr<Journal>> Open(const std::string& path,
                                               SyncMode mode);
  // Opens an existing journal read-only (no lock that stalls a writer).
  static Result<std::unique_ptr<Journal>> OpenReadOnly(const std::string& path);
  // Creates a new journal whose chain starts from `seed` (the rollover's
  // successor of an archived journal). Refuses a path that exists. The
  // seed is written in the creating transaction. Errors as Open, and a
  // malformed seed (hash not 64 lowercase hex digits, seq < 0).
  static Result<std::unique_ptr<Journal>> Create(const std::string& path,
                                                 SyncMode mode,
                                                 const ChainSeed& seed);

  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends `entries` in one transaction; on success fills in seq and hash
  // of each. On error nothing is written and the journal stays usable.
  Status Append(std::vector<JournalEntry>& entries);
  // The same, and runs `in_transaction` inside that transaction after the
  // entries are written and before the commit: what it writes through a
  // SessionStore opened on this journal commits (or, if it returns an
  // error, rolls back) together with the entries, in one fsync with
  // SyncMode::kFull. Runs even when `entries` is empty.
  Status Append(std::vector<JournalEntry>& entries,
                const std::function<Status()>& in_transaction);

  // Calls `fn` for every entry with seq > after_seq, in seq order, until it
  // returns false.
  Status ForEach(int64_t after_seq,
                 const std::function<bool(const JournalEntry&)>& fn) const;

  // Recomputes the hash chain over the whole journal.
  Result<VerifyReport> Verify() const;
  // Recomputes it from `from` on: the entry at from.seq (or the seed, when
  // from.seq is the seed's seq) must exist with from.hash stored, and every
  // later entry must chain onto it. Entries before from.seq are not read:
  // this is the start-up check from a verified checkpoint. `entries` counts
  // the entries after from.seq.
  Result<VerifyReport> VerifyFrom(const ChainPoint& from) const;

  // The chain's head: the last entry's seq and hash (the seed's when the
  // journal is empty). A writer's is exact; a reader's is what it last saw.
  ChainPoint head() const;
  // Makes what has been committed durable (fsync of the file and its
  // write-ahead log), whatever the SyncMode: what HeadRecorder records must
  // survive a power loss too (store/journal_head.h).
  Status SyncToDisk() const;

  // The seed's last_seq when the journal has no entry yet.
  int64_t last_seq() const;
  const ChainSeed& seed() const;
  const std::string& path() const;
  // The durability mode in effect, read back from SQLite (PRAGMA synchronous
  // 1 = NORMAL, 2 = FULL); nullopt for any other value or on error.
  std::optional<SyncMode> sync_mode() const;

 private:
  friend class SessionStore;  // shares the connection
  std::shared_ptr<internal::Connection> connection() const;

  class Impl;
  explicit Journal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgw::store
