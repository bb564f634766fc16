// End-of-day journal rollover and the check of an archive of rolled
// journals (docs/operations.md, "End of day: rolling the journal").
//
// RollJournal writes a new journal that continues an archived one: its hash
// chain starts from the old file's last seq and hash (store::ChainSeed),
// its first entry (gw::JournalContinued) carries what must survive the
// day, and the FIX session stores are copied so that sessions continue.
// The old file is opened read-only and never written.
//
// VerifyArchive checks a list of journals in roll order: each file's own
// chain, and that each file starts where the one before it ends.
// Not thread-safe; run while no gateway writes the files involved.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/core/types.h"
#include "gateway/router/journal_events.h"
#include "store/journal.h"

namespace fixgw::replay {

struct RollOptions {
  std::string old_path;  // the day's journal, now the archive
  std::string new_path;  // must not exist
  // The net cash flow of the accounts' fills is carried by default (the
  // risk state is then the same before and after the roll). false: only
  // positions are carried, e.g. when the risk file's cash is replaced by a
  // start-of-day figure that already includes the day's fills.
  bool carry_cash = true;
  Timestamp at;  // time stamp of the new journal's first entry
};

struct RollResult {
  bool old_damaged = false;  // refused because the old chain is broken
  int64_t old_entries = 0;
  gw::JournalContinued carried;  // the new journal's first event
  int64_t sessions = 0;          // FIX session stores copied
  int64_t messages = 0;          // stored outgoing messages copied
  // Broker sessions disabled by the operator at the end of the old
  // journal: the new one starts with a SessionControl "disable" for each.
  std::vector<std::string> disabled_sessions;
};

// Refuses (one line naming the file, nothing written) when: the old file
// is not a usable journal; it has a non-empty write-ahead log (fixgw runs
// or did not stop cleanly); its chain is broken (result->old_damaged); it
// ends with the exchange session up (fixgw runs or crashed); orders are
// still open or await an exchange answer (the count and up to five
// session/ClOrdIDs); the new file exists. A failure after the new file was
// created removes it.
Status RollJournal(const RollOptions& options, RollResult* result);

struct ArchiveFile {
  std::string path;
  store::ChainSeed seed;
  store::VerifyReport report;
};

struct ArchiveReport {
  std::vector<ArchiveFile> files;  // checked, in order, up to the break
  // The first break: the file (index into `files`), the seq where it shows
  // and what is wrong. nullopt: the archive is one intact chain.
  std::optional<size_t> bad_file;
  std::optional<int64_t> bad_seq;
  std::string problem;
};

// Errors: a file cannot be opened as a journal (it names the file).
Result<ArchiveReport> VerifyArchive(const std::vector<std::string>& paths);

}  // namespace fixgw::replay
