// QuickFIX's MessageStore kept in the gateway's journal file: an adapter
// over store::SessionStore (format and durability in store/session_store.h)
// and its factory, plus OutputKey, the key under which an outgoing message
// is stored for the outbox scan.
//
// Contract (QuickFIX 1.15.1 MessageStore): sequence numbers and creation
// time are read from a cache loaded at creation and by refresh(); every
// change is written through to SQLite before the call returns. set(seq)
// stores the message and raises the durable next sender seq to seq + 1 in
// one transaction (see SessionStore::SaveOutgoing), so a crash between
// QuickFIX's set() and incrNextSenderMsgSeqNum() never reuses seq. A store
// assumes it is its session's only writer between refresh() calls, as
// QuickFIX's FileStore does. A SQLite failure is thrown as FIX::IOException
// (FIX::ConfigError from the factory's create()), which is how QuickFIX
// expects stores to report errors; no other exception leaves the adapter.
//
// Threads: a SqliteMessageStore is thread-compatible; QuickFIX serialises
// the calls on one session's store (SessionState's mutex). Stores of
// different sessions may run on different threads: the SessionStore is
// thread-safe. The SessionStore must outlive the factory and every store it
// created.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/fix/quickfix.h"
#include "store/session_store.h"

namespace fixgw::fix {

// The outbox key of a FIX message, as the gateway journals and the store
// records it: MsgType 8 -> "8:" + ExecID (17); MsgType 9, D, F, G, r
// (OrderMassCancelReport: the request's ClOrdID) -> "<MsgType>:" + ClOrdID (11); "" for every other message (session-level
// messages, j, ...) and when the field is missing. Fields are separated by
// SOH, or by '|' when the text holds no SOH (the journal's printable form);
// the first occurrence of a tag counts. Pure, thread-safe.
std::string OutputKey(std::string_view fix_message);
// The same key, read from a message's fields (header MsgType, ExecID,
// ClOrdID).
std::string MessageOutputKey(const FIX::Message& message);

// `message` as QuickFIX would store it when `session` sends it with
// MsgSeqNum `seq` now: the header filled the way FIX::Session does
// (BeginString, SenderCompID, TargetCompID, MsgSeqNum, SendingTime with
// milliseconds, QuickFIX's default precision). For
// store::SessionStore::PrestoreOutgoing; a resend of it carries this
// SendingTime as OrigSendingTime, a little before the first sending.
std::string StoredForm(FIX::Message message, const FIX::SessionID& session,
                       int64_t seq);

struct SqliteStoreOptions {
  // incrNextTargetMsgSeqNum() writes the inbound sequence number to
  // SQLite every this many increments (and at every explicit set, reset,
  // refresh and destruction); 1 writes every one. A larger value saves a
  // transaction per inbound message; after a crash the session then asks
  // its peer to resend up to this many messages it had already
  // processed, which the application must recognise (PossDupFlag) and
  // drop. fixgw does: it deduplicates resends by ClOrdID and ExecID.
  int target_persist_every = 1;
  // When set, the application persists the inbound sequence number itself,
  // with the events each message produced (store::SessionStore::
  // RaiseNextTarget in its journal transaction; fixgw does, issue 8):
  // incrNextTargetMsgSeqNum then writes nothing, and every other write of
  // it (set, reset, refresh, destruction) first calls this, which must
  // block until every message the application has returned from is
  // journaled. So SQLite never says a message was processed before its
  // events are durable; after a crash the peer resends what was not.
  std::function<void()> flush_application;
  // Called with the message of every failure before it is thrown as
  // FIX::IOException. QuickFIX catches those inside Session::next, writes
  // them to the session's own log (often none) and disconnects: this is
  // how the application's log learns why.
  std::function<void(const std::string&)> on_error;
};

class SqliteMessageStore : public FIX::MessageStore {
 public:
  // Loads the state of `session_key` (SessionID::toString()), creating it
  // (seqs 1/1, creation time now) if missing. `store` must outlive this.
  static Result<std::unique_ptr<SqliteMessageStore>> Open(
      store::SessionStore& store, std::string session_key,
      SqliteStoreOptions options = SqliteStoreOptions());
  ~SqliteMessageStore() override;  // writes a lagging inbound seq

  SqliteMessageStore(const SqliteMessageStore&) = delete;
  SqliteMessageStore& operator=(const SqliteMessageStore&) = delete;

  // FIX::MessageStore (QuickFIX names). Each throws FIX::IOException when
  // SQLite fails or a sequence number is out of range.
  bool set(int seq, const std::string& message) override;
  // Replaces `messages` with the stored messages begin <= seq <= end, in
  // seq order; seqs never stored are skipped.
  void get(int begin, int end,
           std::vector<std::string>& messages) const override;
  int getNextSenderMsgSeqNum() const override;
  int getNextTargetMsgSeqNum() const override;
  void setNextSenderMsgSeqNum(int value) override;
  void setNextTargetMsgSeqNum(int value) override;
  void incrNextSenderMsgSeqNum() override;
  void incrNextTargetMsgSeqNum() override;
  FIX::UtcTimeStamp getCreationTime() const override;
  // Deletes the session's messages, seqs back to 1/1, new creation time.
  void reset() override;
  // Reloads the cache from SQLite (another store may have changed it).
  void refresh() override;

  const std::string& session_key() const { return session_; }

 private:
  SqliteMessageStore(store::SessionStore& store, std::string session_key,
                     const store::SessionState& state,
                     SqliteStoreOptions options);

  // Writes next sender/target seq through to SQLite (skipped when SQLite
  // already holds that value) and then updates the cache.
  void PersistNextSender(int64_t value);
  void PersistNextTarget(int64_t value);
  void Load(const store::SessionState& state);
  [[noreturn]] void Fail(const Status& status) const;

  store::SessionStore* store_;  // not owned
  const std::string session_;
  const SqliteStoreOptions options_;
  // What QuickFIX sees.
  int64_t next_sender_ = 1;
  int64_t next_target_ = 1;
  Timestamp creation_time_;
  // What this store knows SQLite holds; next sender runs ahead of the cache
  // between set(seq) and incrNextSenderMsgSeqNum().
  int64_t stored_sender_ = 1;
  int64_t stored_target_ = 1;
};

// Creates a SqliteMessageStore per session over one SessionStore.
class SqliteMessageStoreFactory : public FIX::MessageStoreFactory {
 public:
  // `store` must outlive the factory and every store it creates.
  explicit SqliteMessageStoreFactory(
      store::SessionStore& store,
      SqliteStoreOptions options = SqliteStoreOptions())
      : store_(&store), options_(options) {}

  // Throws FIX::ConfigError (naming the journal and the session) when the
  // session's state cannot be loaded, like QuickFIX's FileStoreFactory.
  FIX::MessageStore* create(const FIX::SessionID& id) override;
  void destroy(FIX::MessageStore* store) override;

 private:
  store::SessionStore* store_;  // not owned
  SqliteStoreOptions options_;
};

}  // namespace fixgw::fix
