// End-of-day rollover and the archive check: what the roll refuses, what
// it carries into the new journal (read back through the same replay as
// fixgw's recovery), that it never writes the archive, and that
// VerifyArchive names the first break of a chain of files: a changed
// archive, a changed seed, files swapped, a file missing.
#include "gateway/fixreplay/rollover.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gateway/fixreplay/replay_state.h"
#include "gateway/fixreplay/replay_test_util.h"
#include "store/journal_head.h"
#include "store/journal_lock.h"

namespace fixgw::replay {
namespace {

using testing::At;
using ::testing::HasSubstr;
using testing::kB1;
using testing::kB2;
using testing::Report;
using testing::Scenario;
using testing::TempJournal;

constexpr const char* kLimits = testing::kScenarioLimits;

std::string Bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs SQL on a raw connection (tampering, as an attacker would).
void Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string msg = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

class RolloverTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const {
    return tmp_.dir() + "/" + name;
  }

  // The scenario of replay_test_util.h with limits, then the end of the
  // day: `close_open` cancels m1 (the one order left open), ACC2 is
  // switched off, the exchange logs out.
  void WriteDay(bool close_open = true, bool exchange_down = true) {
    Scenario s(tmp_.path());
    s.Event(gw::RiskLimitsLoaded{"risk.toml by start-up", kLimits}, -1);
    s.WriteAll();
    if (close_open) {
      s.Exchange(Report("GW-5", ExecType::kCanceled, OrdStatus::kCanceled,
                        "MSFT", Side::kBuy, 100, "250", 0, 0, "E8"),
                 90);
    }
    s.Event(s.writer().router().DecideKillSwitch(
                {risk::KillScope::Kind::kAccount, "ACC2"}, true, "admin",
                "end of day"),
            95);
    if (exchange_down) s.Event(gw::ExchangeSessionChanged{false}, 99);
    Status st = s.writer().Flush();
    ASSERT_TRUE(st.ok()) << st.message();
  }

  Status Roll(const std::string& from, const std::string& to,
              RollResult* result, bool carry_cash = true) {
    return RollJournal(RollOptions{from, to, carry_cash, At(1000)}, result);
  }

  ReplayedState StateOf(const std::string& path) {
    auto journal = store::Journal::OpenReadOnly(path);
    EXPECT_TRUE(journal.ok()) << journal.status().message();
    auto state = ReplayState(**journal, Timestamp::max());
    EXPECT_TRUE(state.ok()) << state.status().message();
    return std::move(*state);
  }

  // Appends `event` at `ms` to the journal at `path`, as a gateway would.
  static void AppendEvent(const std::string& path, const gw::JournalEvent& e,
                          int64_t ms) {
    auto j = store::Journal::Open(path, store::SyncMode::kNormal);
    ASSERT_TRUE(j.ok()) << j.status().message();
    store::JournalEntry entry;
    entry.time = At(ms);
    entry.kind = std::string(gw::KindName(e));
    entry.payload = gw::EncodeEvent(e);
    std::vector<store::JournalEntry> entries{entry};
    ASSERT_TRUE((*j)->Append(entries).ok());
  }

  // Appends an operator's session action (a record-only entry, as
  // fixgw's admin API journals it).
  static void AppendSessionControl(const std::string& path,
                                   const std::string& session,
                                   const std::string& action, int64_t ms) {
    auto j = store::Journal::Open(path, store::SyncMode::kNormal);
    ASSERT_TRUE(j.ok()) << j.status().message();
    store::JournalEntry entry;
    entry.time = At(ms);
    entry.kind = gw::kSessionControl;
    entry.session = session;
    entry.payload = R"({"action":")" + action +
                    R"(","source":"admin","reason":"test"})";
    std::vector<store::JournalEntry> entries{entry};
    ASSERT_TRUE((*j)->Append(entries).ok());
  }

  store::VerifyReport VerifyOf(const std::string& path) {
    auto journal = store::Journal::OpenReadOnly(path);
    EXPECT_TRUE(journal.ok()) << journal.status().message();
    auto report = (*journal)->Verify();
    EXPECT_TRUE(report.ok());
    return *report;
  }

  TempJournal tmp_;
};

TEST_F(RolloverTest, NewJournalContinuesTheChainAndCarriesTheDay) {
  WriteDay();
  const std::string archive = tmp_.path();
  const std::string archive_bytes = Bytes(archive);
  const store::VerifyReport old_report = VerifyOf(archive);
  const ReplayedState before = StateOf(archive);
  const std::string next = Path("next.db");

  RollResult result;
  Status st = Roll(archive, next, &result);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(Bytes(archive), archive_bytes) << "the archive was written";

  // The chain: seeded with the archive's head, one entry, intact.
  auto journal = store::Journal::OpenReadOnly(next);
  ASSERT_TRUE(journal.ok());
  EXPECT_EQ((*journal)->seed(), (store::ChainSeed{archive, old_report.head_seq,
                                                  old_report.head_hash}));
  const store::VerifyReport report = VerifyOf(next);
  EXPECT_FALSE(report.first_bad_seq.has_value()) << report.problem;
  EXPECT_EQ(report.entries, 1);
  EXPECT_EQ(report.head_seq, old_report.head_seq + 1);
  std::vector<store::JournalEntry> entries;
  ASSERT_TRUE((*journal)
                  ->ForEach(0,
                            [&](const store::JournalEntry& e) {
                              entries.push_back(e);
                              return true;
                            })
                  .ok());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].kind, "JournalContinued");
  EXPECT_EQ(entries[0].seq, old_report.head_seq + 1);
  EXPECT_EQ(entries[0].time, At(1000));

  // What carried over, read back as fixgw's recovery would.
  EXPECT_EQ(result.carried.previous_last_hash, old_report.head_hash);
  EXPECT_EQ(result.carried.risk_text, kLimits);
  const ReplayedState after = StateOf(next);
  EXPECT_EQ(after.risk_errors, 0u) << after.last_risk_error;
  EXPECT_EQ(after.risk.limits(), before.risk.limits());
  EXPECT_EQ(after.risk.state().kill, before.risk.state().kill);
  EXPECT_TRUE(after.risk.state().kill.accounts.contains("ACC2"));
  // Symbols whose position and orders are back to zero are not carried.
  EXPECT_EQ(after.risk.CarriedAccounts(), before.risk.CarriedAccounts());
  EXPECT_EQ(after.risk.CarriedAccounts().size(), 2u);
  for (const char* account : {"ACC1", "ACC2"}) {
    EXPECT_EQ(after.risk.AvailableCash(account),
              before.risk.AvailableCash(account))
        << account;
  }
  EXPECT_EQ(after.risk.Exposure("ACC1", "AAPL").position, Qty(300));
  EXPECT_EQ(after.risk.Exposure("ACC2", "AAPL").position, Qty(-300));
  EXPECT_TRUE(after.orders.empty());
}

TEST_F(RolloverTest, ResetCashCarriesPositionsOnly) {
  WriteDay();
  RollResult result;
  ASSERT_TRUE(Roll(tmp_.path(), Path("next.db"), &result, false).ok());
  const ReplayedState after = StateOf(Path("next.db"));
  EXPECT_EQ(after.risk.Cash("ACC1").micros(), 1'000'000'000'000);
  EXPECT_EQ(after.risk.Exposure("ACC1", "AAPL").position, Qty(300));
}

TEST_F(RolloverTest, CarriesTheSessionsTheOperatorLeftDisabled) {
  WriteDay();
  AppendSessionControl(tmp_.path(), "FIX.4.4:GW->S1", "disable", 100);
  AppendSessionControl(tmp_.path(), "FIX.4.4:GW->S2", "disable", 101);
  AppendSessionControl(tmp_.path(), "FIX.4.4:GW->S2", "logout", 102);
  AppendSessionControl(tmp_.path(), "FIX.4.4:GW->S2", "enable", 103);
  ASSERT_EQ(StateOf(tmp_.path()).disabled_sessions,
            std::set<std::string>{"FIX.4.4:GW->S1"});

  RollResult result;
  Status st = Roll(tmp_.path(), Path("next.db"), &result);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(result.disabled_sessions,
            std::vector<std::string>{"FIX.4.4:GW->S1"});
  // fixgw reads the new journal's SessionControl entries at start-up as it
  // read the old one's: S1 stays disabled, S2 stays enabled.
  EXPECT_EQ(StateOf(Path("next.db")).disabled_sessions,
            std::set<std::string>{"FIX.4.4:GW->S1"});
  const store::VerifyReport report = VerifyOf(Path("next.db"));
  EXPECT_FALSE(report.first_bad_seq);
  EXPECT_EQ(report.entries, 2);
}

TEST_F(RolloverTest, RefusesOpenOrdersNamingThem) {
  // m1 stays open; the kill switch on ACC2 sent a cancel for it that the
  // exchange has not answered.
  WriteDay(/*close_open=*/false);
  RollResult result;
  Status st = Roll(tmp_.path(), Path("next.db"), &result);
  ASSERT_FALSE(st.ok());
  EXPECT_FALSE(result.old_damaged);
  EXPECT_EQ(
      st.message(),
      tmp_.path() +
          ": 1 order(s) still open, 1 awaiting an exchange answer: " + kB2 +
          " m1; end of day needs every order done (filled, canceled "
          "or expired) before the roll");
  EXPECT_FALSE(std::filesystem::exists(Path("next.db")));
}

TEST_F(RolloverTest, RefusesAnOrderAwaitingTheExchange) {
  WriteDay();
  {
    Scenario more(Path("more.db"));
    more.Event(gw::ExchangeSessionChanged{true}, 0);
    for (int i = 0; i < 7; ++i) {
      more.Event(more.New(kB1, "w" + std::to_string(i), "ACC1", "AAPL",
                          Side::kBuy, 10, "99", 1 + i),
                 1 + i);
    }
    more.Event(gw::ExchangeSessionChanged{false}, 20);
    ASSERT_TRUE(more.writer().Flush().ok());
  }
  RollResult result;
  Status st = Roll(Path("more.db"), Path("next.db"), &result);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(),
              HasSubstr("7 order(s) still open, 7 awaiting an exchange "
                        "answer: " +
                        kB1 + " w0, " + kB1 + " w1"));
  EXPECT_THAT(st.message(), HasSubstr(kB1 + " w4 ..."));
  EXPECT_FALSE(std::filesystem::exists(Path("next.db")));
}

TEST_F(RolloverTest, RefusesADamagedJournal) {
  WriteDay();
  Sql(tmp_.path(),
      "DROP TRIGGER journal_no_update; UPDATE journal SET cl_ord_id = 'zz' "
      "WHERE seq = 10");
  RollResult result;
  Status st = Roll(tmp_.path(), Path("next.db"), &result);
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(result.old_damaged);
  EXPECT_THAT(st.message(),
              HasSubstr(tmp_.path() + ": DAMAGED: first bad entry is seq 10"));
  EXPECT_FALSE(std::filesystem::exists(Path("next.db")));
}

TEST_F(RolloverTest, RefusesARunningOrCrashedGateway) {
  WriteDay(true, /*exchange_down=*/false);
  RollResult result;
  Status st = Roll(tmp_.path(), Path("next.db"), &result);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("ends with the exchange session up"));

  std::ofstream(tmp_.path() + "-wal") << "not empty";
  st = Roll(tmp_.path(), Path("next.db"), &result);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("has a write-ahead log"));
  EXPECT_FALSE(std::filesystem::exists(Path("next.db")));
}

TEST_F(RolloverTest, RefusesAJournalAGatewayHolds) {
  WriteDay();
  auto held = store::JournalLock::Acquire(tmp_.path());
  ASSERT_TRUE(held.ok()) << held.status().message();
  RollResult result;
  Status st = Roll(tmp_.path(), Path("next.db"), &result);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("in use by another fixgw"));
  EXPECT_FALSE(std::filesystem::exists(Path("next.db")));
}

TEST_F(RolloverTest, RecordsBothHeadsSoThatACutFileIsNamed) {
  WriteDay();
  const store::VerifyReport old_report = VerifyOf(tmp_.path());
  RollResult result;
  ASSERT_TRUE(Roll(tmp_.path(), Path("next.db"), &result).ok());
  auto old_head = store::ReadHead(tmp_.path());
  ASSERT_TRUE(old_head.ok() && old_head->has_value());
  EXPECT_EQ((*old_head)->point.seq, old_report.head_seq);
  EXPECT_EQ((*old_head)->point.hash, old_report.head_hash);
  EXPECT_THAT((*old_head)->reason, HasSubstr("rolled into"));
  auto new_head = store::ReadHead(Path("next.db"));
  ASSERT_TRUE(new_head.ok() && new_head->has_value());
  EXPECT_EQ((*new_head)->point.seq, old_report.head_seq + 1);

  // The archive loses its last entry: its chain is still intact, but it no
  // longer reaches the recorded head.
  Sql(tmp_.path(), "DROP TRIGGER journal_no_delete; DELETE FROM journal "
                   "WHERE seq = (SELECT max(seq) FROM journal)");
  auto report = VerifyArchive({tmp_.path(), Path("next.db")});
  ASSERT_TRUE(report.ok()) << report.status().message();
  ASSERT_TRUE(report->bad_file.has_value());
  EXPECT_EQ(*report->bad_file, 0u);
  EXPECT_EQ(report->bad_seq, old_report.head_seq);
  EXPECT_THAT(report->problem, HasSubstr("is missing"));
}

TEST_F(RolloverTest, RefusesToRollTheSameArchiveTwice) {
  WriteDay();
  RollResult result;
  ASSERT_TRUE(Roll(tmp_.path(), Path("next.db"), &result).ok());
  // Rolled again into another name, the archive would seed a second chain.
  Status st = Roll(tmp_.path(), Path("other.db"), &result);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(),
              HasSubstr(tmp_.path() + ": already rolled into " +
                        Path("next.db")));
  EXPECT_THAT(st.message(), HasSubstr("would fork the hash chain"));
  EXPECT_FALSE(std::filesystem::exists(Path("other.db")));
}

TEST_F(RolloverTest, LeavesNoEmptyWriteAheadFilesBehind) {
  WriteDay();
  RollResult result;
  ASSERT_TRUE(Roll(tmp_.path(), Path("next.db"), &result).ok());
  for (const std::string& path : {tmp_.path(), Path("next.db")}) {
    for (const char* suffix : {"-wal", "-shm"}) {
      EXPECT_FALSE(std::filesystem::exists(path + suffix)) << path + suffix;
    }
  }
  // A refused roll neither.
  ASSERT_FALSE(Roll(tmp_.path(), Path("third.db"), &result).ok());
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() + "-wal"));
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() + "-shm"));
}

TEST_F(RolloverTest, RefusesAnExistingNewFile) {
  WriteDay();
  std::ofstream(Path("next.db")) << "keep me";
  RollResult result;
  Status st = Roll(tmp_.path(), Path("next.db"), &result);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr(Path("next.db") + ": already exists"));
  EXPECT_EQ(Bytes(Path("next.db")), "keep me");
}

// OLD moved to the archive without its -wal after a crash: the WAL is
// still under NEW's name. Rolling would let SQLite apply it to NEW, and a
// failed roll would delete it with NEW's files; the roll refuses and
// leaves it as it is.
TEST_F(RolloverTest, RefusesWriteAheadFilesLeftUnderTheNewName) {
  WriteDay();
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    SCOPED_TRACE(suffix);
    const std::string stray = Path("next.db") + suffix;
    std::ofstream(stray) << "old journal's last commits";
    RollResult result;
    Status st = Roll(tmp_.path(), Path("next.db"), &result);
    ASSERT_FALSE(st.ok());
    EXPECT_THAT(st.message(), HasSubstr(stray + ": exists"));
    EXPECT_FALSE(std::filesystem::exists(Path("next.db")));
    EXPECT_EQ(Bytes(stray), "old journal's last commits");
    std::filesystem::remove(stray);
  }
}

// ---- the archive check ---------------------------------------------------

class ArchiveTest : public RolloverTest {
 protected:
  // day1 (the scenario) -> day2 (roll + an entry) -> day3 (roll).
  void SetUp() override {
    WriteDay();
    day1_ = tmp_.path();
    day2_ = Path("day2.db");
    day3_ = Path("day3.db");
    RollResult result;
    ASSERT_TRUE(Roll(day1_, day2_, &result).ok());
    AppendEvent(day2_, gw::ExchangeSessionChanged{false}, 2000);
    ASSERT_TRUE(Roll(day2_, day3_, &result).ok());
  }

  ArchiveReport Check(const std::vector<std::string>& paths) {
    auto report = VerifyArchive(paths);
    EXPECT_TRUE(report.ok()) << report.status().message();
    return report.ok() ? *report : ArchiveReport{};
  }

  std::string day1_, day2_, day3_;
};

TEST_F(ArchiveTest, IntactArchiveIsOneChain) {
  const ArchiveReport report = Check({day1_, day2_, day3_});
  EXPECT_FALSE(report.bad_file.has_value()) << report.problem;
  ASSERT_EQ(report.files.size(), 3u);
  const int64_t day1_last = report.files[0].report.head_seq;
  EXPECT_EQ(report.files[1].seed.last_seq, day1_last);
  EXPECT_EQ(report.files[2].seed.last_seq, day1_last + 2);
  EXPECT_EQ(report.files[2].report.head_seq, day1_last + 3);
}

TEST_F(ArchiveTest, NamesAnArchiveChangedAfterTheRoll) {
  Sql(day1_,
      "DROP TRIGGER journal_no_update; UPDATE journal SET cl_ord_id = 'zz' "
      "WHERE seq = 4");
  const ArchiveReport report = Check({day1_, day2_, day3_});
  ASSERT_TRUE(report.bad_file.has_value());
  EXPECT_EQ(*report.bad_file, 0u);
  EXPECT_EQ(report.bad_seq, 4);
  EXPECT_THAT(report.problem, HasSubstr("hash mismatch"));
}

TEST_F(ArchiveTest, NamesAnArchiveWhoseChainWasRecomputedOrExtended) {
  // Whoever rewrites the archive with a consistent chain (here: one more
  // entry appended through the journal itself) cannot match the head the
  // next file starts from.
  AppendEvent(day2_, gw::ExchangeSessionChanged{true}, 3000);
  const ArchiveReport report = Check({day1_, day2_, day3_});
  ASSERT_TRUE(report.bad_file.has_value());
  EXPECT_EQ(*report.bad_file, 2u);
  EXPECT_EQ(report.bad_seq, report.files[2].seed.last_seq + 1);
  EXPECT_THAT(report.problem,
              HasSubstr("entries were added to " + day2_ + " after the roll"));
}

TEST_F(ArchiveTest, NamesAChangedSeed) {
  Sql(day2_, "DROP TRIGGER meta_no_update; UPDATE meta SET value = '" +
                 std::string(64, '0') + "' WHERE key = 'chain_seed_hash'");
  const ArchiveReport report = Check({day1_, day2_, day3_});
  ASSERT_TRUE(report.bad_file.has_value());
  EXPECT_EQ(*report.bad_file, 1u);
  EXPECT_EQ(report.bad_seq, report.files[1].seed.last_seq + 1);
  EXPECT_THAT(report.problem, HasSubstr("chain seed in meta was changed"));
}

TEST_F(ArchiveTest, NamesFilesOutOfOrder) {
  const ArchiveReport report = Check({day2_, day1_, day3_});
  ASSERT_TRUE(report.bad_file.has_value());
  EXPECT_EQ(*report.bad_file, 1u);
  EXPECT_EQ(report.bad_seq, 1);
  EXPECT_THAT(report.problem, HasSubstr("out of order"));
}

TEST_F(ArchiveTest, NamesAMissingFile) {
  const ArchiveReport report = Check({day1_, day3_});
  ASSERT_TRUE(report.bad_file.has_value());
  EXPECT_EQ(*report.bad_file, 1u);
  EXPECT_THAT(report.problem,
              HasSubstr("ends at seq " +
                        std::to_string(report.files[0].report.head_seq) +
                        ": a file is missing between them"));
}

TEST_F(ArchiveTest, UnreadableFileIsAnError) {
  auto report = VerifyArchive({day1_, Path("none.db")});
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr(Path("none.db")));
}

}  // namespace
}  // namespace fixgw::replay
