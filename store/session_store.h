// The FIX sessions' message store (outgoing messages kept for resend, next
// sender/target sequence numbers, session creation time), kept in the
// gateway's journal file next to the journal, so that recovery can check
// which journaled outgoing messages the FIX layer actually stored (the
// outbox scan). Pure SQLite: the QuickFIX adapter over it is
// gateway/fix/sqlite_message_store.h.
//
// Format (two tables, created by Open if absent; the journal table is never
// touched):
//   fix_session(session TEXT PRIMARY KEY, creation_time_us INTEGER,
//               next_sender INTEGER, next_target INTEGER)
//   fix_message(session TEXT, seq INTEGER, body BLOB, app_key TEXT,
//               PRIMARY KEY (session, seq))
// `session` is the FIX session key (SessionID::toString()), creation_time_us
// microseconds since 1970-01-01T00:00:00Z (UTC), body the message exactly as
// sent, app_key the key the outbox scan looks for ('' for none). There is
// no index by app_key: it cost every stored message a page write at a
// random place (keys do not arrive in order), and only the outbox scan at
// start-up looks messages up by key; it reads the session's messages from
// the newest back instead (MissingOutgoing). Open drops the index
// fix_message_by_app_key that stores before journal schema 3 kept.
//
// Durability: WAL, synchronous per SyncMode exactly as the journal (see
// store/journal.h). Every write is one transaction; a write is durable once
// its call returned ok.
//
// Thread-safe: one SessionStore per database file, shared by every session;
// a mutex serialises its SQLite connection. Opened on a Journal, the store
// shares the journal's connection (and mutex), so that PrestoreOutgoing can
// write in the journal's transaction; opened on a path it has its own.
// Other connections (other processes) may write the same file: SQLite's
// file lock serialises them and a writer waits up to the busy timeout (5 s).
//
// Prestoring (the gateway's order path): an outgoing message the gateway
// journals is written here in the same transaction as its journal entry,
// at the seq QuickFIX will give it (PrestoreOutgoing). When QuickFIX then
// stores it (SaveOutgoing with that seq and key) nothing is written: the
// message costs no transaction of its own. Any other message taking that
// seq first (a heartbeat, QuickFIX's own reject) "displaces" the
// predictions: they are deleted in the same transaction as that message and
// their messages stored one by one as QuickFIX sends them, until none is
// left in flight. So at every commit each message is stored at most once,
// the stored messages of a session are a prefix of the order they were
// committed in, and next_sender exceeds every stored seq: after a crash the
// peer's resend request gets the prestored-but-unsent ones (PossDupFlag)
// and the outbox sends the rest, in order.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/core/types.h"
#include "store/journal.h"

namespace fixgw::store {

// One session's sequence numbers and creation time.
struct SessionState {
  int64_t next_sender = 1;  // MsgSeqNum of the next message sent
  int64_t next_target = 1;  // MsgSeqNum expected from the peer next
  Timestamp creation_time;  // when the session's sequence started (UTC)
};

struct StoredMessage {
  int64_t seq = 0;
  std::string body;
};

class SessionStore {
 public:
  // The clock that stamps creation times; fixgw::Now when empty. Called
  // from whichever thread writes, outside the store's lock: thread-safe.
  using Clock = std::function<Timestamp()>;

  // Opens the store in an existing fixgw journal (create it first with
  // Journal::Open) and creates the store's tables if absent. Errors (one
  // line, naming the path): no such file, not a fixgw journal (another
  // application_id, or not SQLite at all), schema newer than this program,
  // read-only file, SQLite errors.
  static Result<std::unique_ptr<SessionStore>> Open(const std::string& path,
                                                    SyncMode mode,
                                                    Clock clock = {});
  // Opens the store on `journal`'s own connection (same file, same
  // SyncMode); `journal` must outlive the store and be writable.
  static Result<std::unique_ptr<SessionStore>> Open(const Journal& journal,
                                                    Clock clock = {});

  ~SessionStore();
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  // The session's state; a session not seen before is created with
  // sequence numbers 1/1 and creation time now. The setters below create a
  // missing session the same way before they change it.
  Result<SessionState> LoadSession(std::string_view session);
  Result<int64_t> NextSender(std::string_view session);
  Result<int64_t> NextTarget(std::string_view session);
  Result<Timestamp> CreationTime(std::string_view session);

  // Sequence numbers must be >= 1 (InvalidArgument otherwise).
  Status SetNextSender(std::string_view session, int64_t next_sender);
  Status SetNextTarget(std::string_view session, int64_t next_target);

  // Stores the outgoing message `seq` (replacing any message stored under
  // that seq) and raises next_sender to at least seq + 1, in one
  // transaction; nothing is written if this message was prestored at
  // `seq` with `app_key` (see Prestoring above). QuickFIX persists a message and increments the sequence in
  // two calls and writes to the socket after both: if the process dies in
  // between, the restarted session must not reuse `seq` for another message
  // while the stored one was never sent; with next_sender = seq + 1 the peer
  // asks for `seq` again and gets the stored message.
  Status SaveOutgoing(std::string_view session, int64_t seq,
                      std::string_view body, std::string_view app_key);

  // For the gateway's group commit; call only from the `in_transaction`
  // callback of Append on the journal this store was opened on
  // (FailedPrecondition outside a transaction). Calls are made in the
  // order the messages will be handed to QuickFIX, per session.
  // If the session's next seq is known (the session was loaded) and no
  // earlier committed message of it is still unstored, writes
  // render(seq) at the seq QuickFIX will give the message, raises
  // next_sender past it, and returns true. Otherwise returns false and
  // SaveOutgoing will store the message when it is sent. `app_key` must be
  // OutputKey of the rendered message (empty: never prestored).
  Result<bool> PrestoreOutgoing(
      std::string_view session, std::string_view app_key,
      const std::function<std::string(int64_t seq)>& render);

  // Raises next_target to at least `next_target`; like PrestoreOutgoing,
  // only inside Append's `in_transaction` of the store's journal, so an
  // inbound message's seq is persisted together with its journaled events.
  Status RaiseNextTarget(std::string_view session, int64_t next_target);

  // The stored messages with begin <= seq <= end, in seq order; seqs never
  // stored are skipped. Empty when begin > end.
  Result<std::vector<StoredMessage>> GetOutgoing(std::string_view session,
                                                 int64_t begin, int64_t end);

  // Deletes the session's messages and sets its sequence numbers back to
  // 1/1 with a new creation time (now), in one transaction; returns the new
  // state.
  Result<SessionState> Reset(std::string_view session);

  // Whether a message with `app_key` is stored for the session. Keys must
  // not be empty (InvalidArgument): messages without a key are not looked
  // up. Reads the session's keyed messages from the newest back until it
  // finds the key: all of them for a key that is not stored.
  Result<bool> HasOutgoing(std::string_view session, std::string_view app_key);
  // Batch form for the outbox scan: the keys of `app_keys` that are not
  // stored for the session, in their input order, read in one consistent
  // snapshot. One pass over the session's keyed messages from the newest
  // back, which stops once every key was found: the outbox's keys are the
  // last ones committed, so the pass reads to the session's first message
  // only when one is missing.
  Result<std::vector<std::string>> MissingOutgoing(
      std::string_view session, const std::vector<std::string>& app_keys);

  const std::string& path() const;
  // The durability mode in effect on this store's connection (PRAGMA
  // synchronous 1 = NORMAL, 2 = FULL); nullopt for any other value or on
  // error.
  std::optional<SyncMode> sync_mode() const;

 private:
  class Impl;
  explicit SessionStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgw::store
