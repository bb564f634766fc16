// Copies the FIX sessions' message stores (store/session_store.h: sequence
// numbers, creation times, stored outgoing messages) from one journal file
// into another: the end-of-day rollover carries them into the new journal
// so that every FIX session continues where it stopped (the peers see no
// reset, and a message a peer missed before the roll can still be resent).
//
// The source is opened read-only and never written; the destination must
// be a journal (Journal::Create) whose session tables are empty. One
// transaction: all rows or none. Not thread-safe; run while no gateway uses
// either file.
#pragma once

#include <cstdint>
#include <string>

#include "gateway/core/result.h"
#include "store/journal.h"

namespace fixgw::store {

struct SessionCopyStats {
  int64_t sessions = 0;  // fix_session rows copied
  int64_t messages = 0;  // fix_message rows copied
};

// Errors name the file: unreadable source, destination not a journal or
// with sessions already, SQLite errors. A source without session tables (a
// journal no gateway ran on) copies nothing.
Result<SessionCopyStats> CopySessionStores(const std::string& from,
                                           const std::string& to,
                                           SyncMode mode);

}  // namespace fixgw::store
