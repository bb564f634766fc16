// Rollover and archive check. Decisions the header leaves open:
// - Seqs continue across files (the new file's first entry is the old
//   file's last seq + 1): an entry's seq names it in the whole archive.
// - The liveness checks are what a stopped gateway leaves behind: SQLite
//   removes a journal's write-ahead log when its last connection closes,
//   and fixgw journals the exchange session down when it logs out. A
//   running or crashed fixgw leaves the log, or the exchange up; a roll
//   then could miss answers still in fixgw's outbox.
// - The new journal is written with synchronous=FULL: it is one small
//   transaction per step, and it must survive a power cut as the archive
//   does.
#include "gateway/fixreplay/rollover.h"

#include <sys/stat.h>
#include <unistd.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "gateway/core/clock.h"
#include "gateway/fixreplay/replay_state.h"
#include "gateway/router/order_router.h"
#include "store/journal_head.h"
#include "store/journal_lock.h"
#include "store/session_copy.h"

namespace fixgw::replay {
namespace {

constexpr size_t kNamedOrders = 5;  // ClOrdIDs named in a refusal

// Size of `path`, or -1 if it does not exist.
int64_t FileSize(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_size);
}

void RemoveJournalFiles(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", ".lock", ".head"}) {
    ::unlink((path + suffix).c_str());
  }
}

// A read-only SQLite connection to a WAL journal creates empty -wal and
// -shm files and leaves them when it closes (only a writer removes them).
// Removes them if the -wal holds nothing; call with no connection open and
// the journal's lock held.
void RemoveEmptyWal(const std::string& path) {
  if (FileSize(path + "-wal") == 0) {
    ::unlink((path + "-wal").c_str());
    ::unlink((path + "-shm").c_str());
  }
}

// Runs RemoveEmptyWal on both files when the roll ends, after every
// connection declared below it has closed.
class EmptyWalCleanup {
 public:
  explicit EmptyWalCleanup(std::vector<std::string> paths)
      : paths_(std::move(paths)) {}
  ~EmptyWalCleanup() {
    for (const std::string& path : paths_) RemoveEmptyWal(path);
  }
  EmptyWalCleanup(const EmptyWalCleanup&) = delete;
  EmptyWalCleanup& operator=(const EmptyWalCleanup&) = delete;

 private:
  std::vector<std::string> paths_;
};

// "3 order(s) still open, 1 awaiting an exchange answer: S1 c1, S1 c2".
std::string OpenOrdersText(const gw::OrderRouter& router,
                           const gw::OrderRouter::OrderCounts& counts) {
  std::string text = std::to_string(counts.open) + " order(s) still open, " +
                     std::to_string(counts.awaiting_exchange) +
                     " awaiting an exchange answer:";
  size_t named = 0;
  for (const gw::OrderSnapshot& o : router.Orders()) {
    if (IsTerminal(o.status)) continue;
    if (named == kNamedOrders) {
      text += " ...";
      break;
    }
    text += (named++ == 0 ? " " : ", ") + o.session + " " + o.cl_ord_id;
  }
  return text;
}

// Writes the new journal: seed, first entry, one SessionControl "disable"
// per session the operator left disabled (fixgw reads them at start, as it
// reads the old journal's), session stores; then checks it. The caller
// removes the file if this fails.
Status WriteContinuation(const RollOptions& options, RollResult* result) {
  store::ChainSeed seed{options.old_path, result->carried.previous_last_seq,
                        result->carried.previous_last_hash};
  {
    auto journal =
        store::Journal::Create(options.new_path, store::SyncMode::kFull, seed);
    if (!journal.ok()) return journal.status();
    store::JournalEntry entry;
    entry.time = options.at;
    entry.kind = "JournalContinued";
    entry.payload = gw::EncodeEvent(result->carried);
    std::vector<store::JournalEntry> entries{entry};
    for (const std::string& session : result->disabled_sessions) {
      store::JournalEntry disable;
      disable.time = options.at;
      disable.kind = gw::kSessionControl;
      disable.session = session;
      disable.payload = nlohmann::ordered_json{
          {"action", "disable"},
          {"source", "fixreplay --roll"},
          {"reason", "disabled in " + options.old_path + " when it was rolled"},
      }.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      entries.push_back(std::move(disable));
    }
    if (Status st = (*journal)->Append(entries); !st.ok()) return st;
  }
  auto copied = store::CopySessionStores(options.old_path, options.new_path,
                                         store::SyncMode::kFull);
  if (!copied.ok()) return copied.status();
  result->sessions = copied->sessions;
  result->messages = copied->messages;

  auto written = store::Journal::OpenReadOnly(options.new_path);
  if (!written.ok()) return written.status();
  auto report = (*written)->Verify();
  if (!report.ok()) return report.status();
  const int64_t written_entries =
      1 + static_cast<int64_t>(result->disabled_sessions.size());
  if (report->first_bad_seq || report->entries != written_entries) {
    return Status::Internal(
        options.new_path +
        ": the new journal does not verify: " + report->problem);
  }
  return Status::Ok();
}

}  // namespace

Status RollJournal(const RollOptions& options, RollResult* result) {
  *result = RollResult{};
  const std::string& old_path = options.old_path;
  if (FileSize(options.new_path) >= 0) {
    return Status::AlreadyExists(options.new_path +
                                 ": already exists: roll into a new file");
  }
  // A write-ahead log under NEW's name belongs to another database: most
  // likely OLD itself, moved to the archive without it after fixgw did not
  // stop cleanly. SQLite would apply its frames to NEW, and removing it
  // (as a failed roll removes NEW's files) would lose OLD's last commits.
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    const std::string stray = options.new_path + suffix;
    if (FileSize(stray) >= 0) {
      return Status::FailedPrecondition(
          stray + ": exists: the write-ahead files of a journal that was " +
          options.new_path + " (moved without them after fixgw did not stop "
          "cleanly?); move that journal back to " + options.new_path +
          ", start fixgw on it and stop it with SIGTERM, then roll; nothing "
          "written");
    }
  }
  // No gateway may write OLD while it is rolled (nor start on it before the
  // roll is done): its lock, held to the end.
  auto old_lock = store::JournalLock::Acquire(old_path);
  if (!old_lock.ok()) return old_lock.status();
  // Before any connection: destroyed after they close, with the lock held.
  EmptyWalCleanup cleanup({old_path, options.new_path});
  auto old = store::Journal::OpenReadOnly(old_path);
  if (!old.ok()) return old.status();
  if (FileSize(old_path + "-wal") > 0) {
    return Status::FailedPrecondition(
        old_path + ": has a write-ahead log (" + old_path +
        "-wal): fixgw is running on it or did not stop cleanly; start fixgw "
        "and stop it with SIGTERM, then roll");
  }

  // The whole chain, reaching the head fixgw recorded at its last stop.
  auto check = store::CheckAtStart(**old, store::VerifyMode::kFull);
  if (!check.ok()) return check.status();
  result->old_entries = check->entries;
  if (!check->ok()) {
    result->old_damaged = true;
    return Status::FailedPrecondition(
        old_path + ": DAMAGED: first bad entry is seq " +
        std::to_string(check->first_bad_seq.value_or(0)) + ": " +
        check->detail + "; not rolled");
  }
  // A second roll of the same file would start a second journal from the
  // same seed: two chains continuing one (a fork). The head recorded
  // beside OLD says it was rolled.
  if (check->recorded && check->recorded->reason.starts_with("rolled into ")) {
    return Status::FailedPrecondition(
        old_path + ": already " + check->recorded->reason + " (at seq " +
        std::to_string(check->recorded->point.seq) +
        "): a second roll would fork the hash chain; not rolled");
  }
  const store::ChainPoint old_head = check->head;

  ReplayedState state;
  gw::OrderRouter router(gw::OrderRouter::Options{}, &state.risk);
  if (Status st = ReplayInto(**old, Timestamp::max(), router, state);
      !st.ok()) {
    return st;
  }
  if (state.unknown_kinds > 0) {
    return Status::FailedPrecondition(
        old_path + ": holds entries this version does not know (first: " +
        state.first_unknown + "); not rolled");
  }
  if (!router.VenuesUp().empty()) {
    return Status::FailedPrecondition(
        old_path +
        ": ends with the exchange session up: fixgw is running on it or "
        "crashed; start fixgw and stop it with SIGTERM, then roll");
  }
  const gw::OrderRouter::OrderCounts counts = router.CountOrders();
  if (counts.open > 0) {
    return Status::FailedPrecondition(
        old_path + ": " + OpenOrdersText(router, counts) +
        "; end of day needs every order done (filled, canceled or expired) "
        "before the roll");
  }

  result->carried =
      router.DecideContinuation(old_path, old_head.seq, old_head.hash);
  if (!options.carry_cash) {
    std::vector<risk::CarriedAccount> kept;
    for (risk::CarriedAccount& a : result->carried.accounts) {
      a.net_cash = Notional();
      if (!a.positions.empty()) kept.push_back(std::move(a));
    }
    result->carried.accounts = std::move(kept);
  }
  result->disabled_sessions.assign(state.disabled_sessions.begin(),
                                   state.disabled_sessions.end());
  old->reset();  // the archive stays untouched; nothing more to read

  if (Status st = WriteContinuation(options, result); !st.ok()) {
    RemoveJournalFiles(options.new_path);
    return st;
  }
  // Both heads recorded (store/journal_head.h): fixgw's start on NEW and
  // fixreplay --verify of the archive detect a file cut after the roll.
  auto written = store::Journal::OpenReadOnly(options.new_path);
  if (!written.ok()) return written.status();
  const Timestamp now = Now();
  if (Status st = store::WriteHead(
          options.new_path,
          store::RecordedHead{(*written)->head(), now, "rolled from " + old_path});
      !st.ok()) {
    return st;
  }
  return store::WriteHead(
      old_path,
      store::RecordedHead{old_head, now, "rolled into " + options.new_path});
}

Result<ArchiveReport> VerifyArchive(const std::vector<std::string>& paths) {
  ArchiveReport out;
  for (const std::string& path : paths) {
    auto journal = store::Journal::OpenReadOnly(path);
    if (!journal.ok()) return journal.status();
    // Each file's whole chain, reaching the head recorded beside it.
    auto check = store::CheckAtStart(**journal, store::VerifyMode::kFull);
    if (!check.ok()) return check.status();
    store::VerifyReport as_report;
    as_report.entries = check->entries;
    as_report.first_bad_seq = check->first_bad_seq;
    as_report.problem = check->detail;
    as_report.head_seq = check->head.seq;
    as_report.head_hash = check->head.hash;
    const Result<store::VerifyReport> report = as_report;
    const size_t index = out.files.size();
    out.files.push_back(ArchiveFile{path, (*journal)->seed(), *report});
    const ArchiveFile& file = out.files.back();
    if (report->first_bad_seq) {
      out.bad_file = index;
      out.bad_seq = report->first_bad_seq;
      out.problem = report->problem;
      return out;
    }
    if (index == 0) continue;
    const ArchiveFile& prev = out.files[index - 1];
    const int64_t first = file.seed.last_seq + 1;
    std::string problem;
    if (file.seed.last_seq > prev.report.head_seq) {
      problem = "starts after seq " + std::to_string(file.seed.last_seq) +
                " but " + prev.path + " ends at seq " +
                std::to_string(prev.report.head_seq) +
                ": a file is missing between them, or they are out of order";
    } else if (file.seed.last_seq < prev.report.head_seq) {
      problem = "starts after seq " + std::to_string(file.seed.last_seq) +
                " but " + prev.path + " ends at seq " +
                std::to_string(prev.report.head_seq) +
                ": the files are out of order, or entries were added to " +
                prev.path + " after the roll";
    } else if (file.seed.last_hash != prev.report.head_hash) {
      problem = "starts from hash " + file.seed.last_hash + " but " +
                prev.path + " ends with hash " + prev.report.head_hash + ": " +
                prev.path + " was changed after the roll";
    }
    if (!problem.empty()) {
      out.bad_file = index;
      out.bad_seq = first;
      out.problem = std::move(problem);
      return out;
    }
  }
  return out;
}

}  // namespace fixgw::replay
