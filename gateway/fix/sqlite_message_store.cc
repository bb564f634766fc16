// The QuickFIX MessageStore adapter over store::SessionStore: a cache of
// the session's sequence numbers written through to SQLite, outbox keys
// computed from the message text.
#include "gateway/fix/sqlite_message_store.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <ctime>
#include <exception>
#include <utility>

namespace fixgw::fix {
namespace {

// Runs `fn`, letting FIX::IOException through and turning any other
// exception (std::bad_alloc, ...) into one: QuickFIX handles IOException
// from a store and nothing else.
template <typename Fn>
auto OnlyIoExceptions(const std::string& session, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const FIX::IOException&) {
    throw;
  } catch (const std::exception& e) {
    throw FIX::IOException("session store of " + session + ": " + e.what());
  }
}

int ToInt(int64_t value, const std::string& session, const char* what) {
  if (value < 1 || value > INT_MAX) {
    throw FIX::IOException("session store of " + session + ": " + what + " " +
                           std::to_string(value) + " is out of range");
  }
  return static_cast<int>(value);
}

FIX::UtcTimeStamp ToUtcTimeStamp(Timestamp t) {
  const auto us = t.time_since_epoch();
  const auto secs = std::chrono::floor<std::chrono::seconds>(us);
  const auto micros = (us - secs).count();  // 0 .. 999999
  return FIX::UtcTimeStamp(static_cast<time_t>(secs.count()),
                           static_cast<int>(micros), 6);
}

}  // namespace

std::string OutputKey(std::string_view fix_message) {
  const char sep =
      fix_message.find('\x01') != std::string_view::npos ? '\x01' : '|';
  std::string_view type, exec_id, cl_ord_id;
  bool have_type = false, have_exec_id = false, have_cl_ord_id = false;
  size_t pos = 0;
  while (pos < fix_message.size()) {
    size_t end = fix_message.find(sep, pos);
    if (end == std::string_view::npos) end = fix_message.size();
    const std::string_view field = fix_message.substr(pos, end - pos);
    pos = end + 1;
    const size_t eq = field.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view tag = field.substr(0, eq);
    const std::string_view value = field.substr(eq + 1);
    if (tag == "35" && !have_type) {
      type = value;
      have_type = true;
    } else if (tag == "17" && !have_exec_id) {
      exec_id = value;
      have_exec_id = true;
    } else if (tag == "11" && !have_cl_ord_id) {
      cl_ord_id = value;
      have_cl_ord_id = true;
    }
  }
  std::string_view id;
  if (type == "8") {
    id = exec_id;
  } else if (type == "9" || type == "D" || type == "F" || type == "G" ||
             type == "r") {
    id = cl_ord_id;
  } else {
    return std::string();
  }
  if (id.empty()) return std::string();
  std::string key;
  key.reserve(type.size() + 1 + id.size());
  key.append(type).append(":").append(id);
  return key;
}

std::string MessageOutputKey(const FIX::Message& message) {
  FIX::MsgType type;
  if (!message.getHeader().getFieldIfSet(type)) return std::string();
  const std::string& t = type.getValue();
  const int tag = t == "8" ? FIX::FIELD::ExecID
                  : (t == "9" || t == "D" || t == "F" || t == "G" ||
                     t == "r")
                      ? FIX::FIELD::ClOrdID
                      : 0;
  if (tag == 0 || !message.isSetField(tag)) return std::string();
  const std::string& id = message.getField(tag);
  if (id.empty()) return std::string();
  return t + ":" + id;
}

std::string StoredForm(FIX::Message message, const FIX::SessionID& session,
                       int64_t seq) {
  FIX::Header& header = message.getHeader();
  header.setField(session.getBeginString());
  header.setField(session.getSenderCompID());
  header.setField(session.getTargetCompID());
  header.setField(FIX::MsgSeqNum(static_cast<int>(seq)));
  header.setField(FIX::SendingTime(FIX::UtcTimeStamp(), 3));
  return message.toString();
}

Result<std::unique_ptr<SqliteMessageStore>> SqliteMessageStore::Open(
    store::SessionStore& store, std::string session_key,
    SqliteStoreOptions options) {
  Result<store::SessionState> state = store.LoadSession(session_key);
  if (!state.ok()) return state.status();
  const store::SessionState& s = *state;
  if (s.next_sender < 1 || s.next_sender > INT_MAX || s.next_target < 1 ||
      s.next_target > INT_MAX) {
    return Status::FailedPrecondition(
        "session store " + store.path() + ": session " + session_key +
        " has sequence numbers out of range (next sender " +
        std::to_string(s.next_sender) + ", next target " +
        std::to_string(s.next_target) + ")");
  }
  return std::unique_ptr<SqliteMessageStore>(
      new SqliteMessageStore(store, std::move(session_key), s, options));
}

SqliteMessageStore::SqliteMessageStore(store::SessionStore& store,
                                       std::string session_key,
                                       const store::SessionState& state,
                                       SqliteStoreOptions options)
    : store_(&store),
      session_(std::move(session_key)),
      options_(SqliteStoreOptions{std::max(1, options.target_persist_every),
                                  std::move(options.flush_application),
                                  std::move(options.on_error)}) {
  Load(state);
}

SqliteMessageStore::~SqliteMessageStore() {
  if (next_target_ != stored_target_) {
    if (options_.flush_application) options_.flush_application();
    // Best effort: a failure only means resends after the next start.
    (void)store_->SetNextTarget(session_, next_target_);
  }
}

void SqliteMessageStore::Load(const store::SessionState& state) {
  next_sender_ = stored_sender_ = state.next_sender;
  next_target_ = stored_target_ = state.next_target;
  creation_time_ = state.creation_time;
}

void SqliteMessageStore::Fail(const Status& status) const {
  if (options_.on_error) options_.on_error(status.message());
  throw FIX::IOException(status.message());
}

bool SqliteMessageStore::set(int seq, const std::string& message) {
  return OnlyIoExceptions(session_, [&] {
    Status s = store_->SaveOutgoing(session_, seq, message, OutputKey(message));
    if (!s.ok()) Fail(s);
    stored_sender_ = std::max(stored_sender_, int64_t{seq} + 1);
    return true;
  });
}

void SqliteMessageStore::get(int begin, int end,
                             std::vector<std::string>& messages) const {
  OnlyIoExceptions(session_, [&] {
    messages.clear();
    Result<std::vector<store::StoredMessage>> stored =
        store_->GetOutgoing(session_, begin, end);
    if (!stored.ok()) Fail(stored.status());
    messages.reserve(stored->size());
    for (store::StoredMessage& m : *stored) {
      messages.push_back(std::move(m.body));
    }
  });
}

int SqliteMessageStore::getNextSenderMsgSeqNum() const {
  return ToInt(next_sender_, session_, "next sender seq");
}

int SqliteMessageStore::getNextTargetMsgSeqNum() const {
  return ToInt(next_target_, session_, "next target seq");
}

void SqliteMessageStore::PersistNextSender(int64_t value) {
  OnlyIoExceptions(session_, [&] {
    if (value != stored_sender_) {
      Status s = store_->SetNextSender(session_, value);
      if (!s.ok()) Fail(s);
      stored_sender_ = value;
    }
    next_sender_ = value;
  });
}

void SqliteMessageStore::PersistNextTarget(int64_t value) {
  OnlyIoExceptions(session_, [&] {
    if (value != stored_target_) {
      if (options_.flush_application) options_.flush_application();
      Status s = store_->SetNextTarget(session_, value);
      if (!s.ok()) Fail(s);
      stored_target_ = value;
    }
    next_target_ = value;
  });
}

void SqliteMessageStore::setNextSenderMsgSeqNum(int value) {
  PersistNextSender(value);
}

void SqliteMessageStore::setNextTargetMsgSeqNum(int value) {
  PersistNextTarget(value);
}

void SqliteMessageStore::incrNextSenderMsgSeqNum() {
  // After set(seq = next_sender_) SQLite already holds seq + 1: nothing is
  // written, so a sent message costs one transaction, not two.
  PersistNextSender(next_sender_ + 1);
}

void SqliteMessageStore::incrNextTargetMsgSeqNum() {
  if (options_.flush_application ||
      next_target_ + 1 - stored_target_ < options_.target_persist_every) {
    ++next_target_;  // written later (Options::target_persist_every)
    return;
  }
  PersistNextTarget(next_target_ + 1);
}

FIX::UtcTimeStamp SqliteMessageStore::getCreationTime() const {
  return ToUtcTimeStamp(creation_time_);
}

void SqliteMessageStore::reset() {
  OnlyIoExceptions(session_, [&] {
    if (options_.flush_application) options_.flush_application();
    Result<store::SessionState> state = store_->Reset(session_);
    if (!state.ok()) Fail(state.status());
    Load(*state);
  });
}

void SqliteMessageStore::refresh() {
  PersistNextTarget(next_target_);  // what SQLite lacks, before reloading
  OnlyIoExceptions(session_, [&] {
    Result<store::SessionState> state = store_->LoadSession(session_);
    if (!state.ok()) Fail(state.status());
    ToInt(state->next_sender, session_, "next sender seq");
    ToInt(state->next_target, session_, "next target seq");
    Load(*state);
  });
}

FIX::MessageStore* SqliteMessageStoreFactory::create(const FIX::SessionID& id) {
  std::string key;
  try {
    key = id.toString();
    Result<std::unique_ptr<SqliteMessageStore>> store =
        SqliteMessageStore::Open(*store_, key, options_);
    if (!store.ok()) throw FIX::ConfigError(store.status().message());
    return std::move(store).value().release();
  } catch (const FIX::ConfigError&) {
    throw;
  } catch (const std::exception& e) {
    throw FIX::ConfigError("session store " + store_->path() + ": session " +
                           key + ": " + e.what());
  }
}

void SqliteMessageStoreFactory::destroy(FIX::MessageStore* store) {
  delete store;
}

}  // namespace fixgw::fix
