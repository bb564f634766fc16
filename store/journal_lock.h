// One writer per journal: an exclusive flock(2) on a lock file beside the
// journal ("<journal>.lock"), held for as long as the JournalLock lives.
//
// The kernel releases the lock when the holder exits, however it exits
// (kill -9 included), so a lock is never stale; the pid written into the
// file only names the holder in the error a second writer gets. Readers
// (fixreplay) take no lock: SQLite's WAL lets them read while the writer
// writes. flock locks belong to the open file description, so a second
// Acquire in the same process is refused as well.
#pragma once

#include <memory>
#include <string>

#include "gateway/core/result.h"

namespace fixgw::store {

class JournalLock {
 public:
  // The lock file of the journal at `journal_path`.
  static std::string PathFor(const std::string& journal_path);

  // Creates the lock file if needed (mode 0600 under the process's umask),
  // locks it without waiting and writes this process's pid into it.
  // FailedPrecondition, naming the journal and the holder's pid, when
  // another process (or another JournalLock) holds it; Unavailable when the
  // lock file cannot be created or locked.
  static Result<std::unique_ptr<JournalLock>> Acquire(
      const std::string& journal_path);

  ~JournalLock();  // releases the lock (the file stays)
  JournalLock(const JournalLock&) = delete;
  JournalLock& operator=(const JournalLock&) = delete;

 private:
  explicit JournalLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace fixgw::store
