// The journal's recorded head and the start-up check built on it.
//
// The hash chain proves that no entry was changed, inserted, reordered or
// deleted in the middle; it cannot show that entries were cut off the end
// (the journal replaced by an older copy, its -wal file deleted or cut).
// So the chain's head (last seq and hash) is also recorded outside the
// database, in "<journal>.head", written atomically (temporary file, fsync,
// rename, fsync of the directory):
//   - after the start-up check passed ("verified at start"),
//   - while the gateway runs, at most once per interval when the head moved
//     ("running"; HeadRecorder fsyncs the journal first, so a recorded head
//     is durable even with JournalSync=normal),
//   - at a clean stop ("clean stop") and at an end-of-day roll ("roll").
// The same record is the checkpoint of the fast start-up check: the chain
// is recomputed only from the recorded head on, so start-up costs what was
// appended since, not the journal's size.
//
// What the start-up check cannot detect (README, "Security"): a change to
// an entry before the checkpoint whose stored hash was left as it was
// (fixreplay --verify and JournalVerify=full recompute the whole chain);
// a journal and head file replaced together by a consistent older pair;
// anyone able to write both files who recomputes the chain (the chain has
// no secret key: it detects damage and careless edits, not a forger with
// write access to the service's files); entries appended after the last
// recorded head and lost in a crash with the head file (at most one
// interval of them, and only with JournalSync=normal and a power loss).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "gateway/core/result.h"
#include "gateway/core/types.h"
#include "store/journal.h"

namespace fixgw::store {

struct RecordedHead {
  ChainPoint point;
  Timestamp time;      // when it was recorded
  std::string reason;  // "verified at start", "running", "clean stop", ...
};

// "<journal>.head".
std::string HeadPath(const std::string& journal_path);

// nullopt when the file does not exist; an error naming the file and line
// when it is unreadable or malformed.
Result<std::optional<RecordedHead>> ReadHead(const std::string& journal_path);
// Replaces the file atomically (0600 under the process's umask). `reason`
// must be one line.
Status WriteHead(const std::string& journal_path, const RecordedHead& head);

enum class VerifyMode {
  kCheckpoint,  // from the recorded head on (the whole chain if none)
  kFull,        // the whole chain, and the recorded head must be on it
};

struct StartCheck {
  // Empty when the journal is intact and reaches its recorded head;
  // otherwise one line naming the first bad entry or the missing range.
  std::string problem;
  std::optional<int64_t> first_bad_seq;
  std::string detail;  // what is wrong at first_bad_seq (problem's tail)
  std::optional<RecordedHead> recorded;  // what the check started from
  ChainPoint verified_from;  // the seed, or the recorded head
  int64_t entries = 0;       // entries recomputed
  ChainPoint head;           // the journal's head
  std::chrono::microseconds took{0};
  bool ok() const { return problem.empty(); }
};

// Checks `journal` against its recorded head (ReadHead) with `mode`. An
// error only when the journal or the head file cannot be read.
Result<StartCheck> CheckAtStart(const Journal& journal, VerifyMode mode);

// Records the head of a writer's journal while it runs: every `interval`,
// if the head moved since the last record, fsyncs the journal
// (Journal::SyncToDisk) and writes the head file with reason "running".
// Errors go to `on_error` (from the recorder's thread) and are retried at
// the next interval.
class HeadRecorder {
 public:
  HeadRecorder(const Journal& journal, std::chrono::milliseconds interval,
               std::function<void(const Status&)> on_error);
  ~HeadRecorder();  // stops the thread; records nothing more
  HeadRecorder(const HeadRecorder&) = delete;
  HeadRecorder& operator=(const HeadRecorder&) = delete;

  // Stops the thread, then syncs and records the head with `reason` (a
  // clean stop).
  Status Finish(const std::string& reason);

 private:
  void Loop();
  Status Record(const std::string& reason);
  void Stop();

  const Journal& journal_;
  const std::chrono::milliseconds interval_;
  const std::function<void(const Status&)> on_error_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;         // guarded by mu_
  ChainPoint recorded_;       // the recorder thread's, then Finish's
  std::thread thread_;
};

}  // namespace fixgw::store
