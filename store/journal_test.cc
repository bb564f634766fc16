// Behaviour of the SQLite journal: round trip, hash chain, tamper detection,
// atomic batches, recognition errors, read-only access, durability under
// SIGKILL. Tampering goes through a raw sqlite3 connection, as an attacker or
// a careless operator would.
#include "store/journal.h"
#include "store/raw_sqlite_test_util.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace fixgw::store {
namespace {

using ::testing::HasSubstr;
using test_util::RawExec;
using test_util::RawQuery;
using test_util::WriteRandomBytes;

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "journal_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(dir_, ec);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  static std::unique_ptr<Journal> OpenOrDie(const std::string& path,
                                            SyncMode mode = SyncMode::kNormal) {
    auto j = Journal::Open(path, mode);
    EXPECT_TRUE(j.ok()) << j.status().message();
    return j.ok() ? std::move(j).value() : nullptr;
  }

  static JournalEntry Entry(int n, std::string kind = "NewOrderAccepted") {
    JournalEntry e;
    e.time = Timestamp(std::chrono::microseconds(1'700'000'000'000'000 + n));
    e.kind = std::move(kind);
    e.session = "FIX.4.4:GW->BROKER" + std::to_string(n % 3);
    e.cl_ord_id = "C" + std::to_string(n);
    e.exch_cl_ord_id = "X" + std::to_string(n);
    e.payload = "{\"n\":" + std::to_string(n) + "}";
    e.raw_fix = "8=FIX.4.4|35=D|11=C" + std::to_string(n) + "|";
    return e;
  }

  // Appends `count` entries one by one; returns the journal's last seq.
  static int64_t AppendN(Journal& j, int count, int first = 1) {
    for (int i = 0; i < count; ++i) {
      std::vector<JournalEntry> batch{Entry(first + i)};
      Status s = j.Append(batch);
      EXPECT_TRUE(s.ok()) << s.message();
    }
    return j.last_seq();
  }

  static std::vector<JournalEntry> ReadAll(const Journal& j) {
    std::vector<JournalEntry> all;
    Status s = j.ForEach(0, [&](const JournalEntry& e) {
      all.push_back(e);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return all;
  }


  // Tampering first removes the append-only guard, as an attacker would.
  static void Tamper(const std::string& path, const std::string& sql) {
    RawExec(path,
            "DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete; " +
                sql);
  }

  // A journal of 5 entries, closed.
  std::string FiveEntryJournal() {
    std::string path = Path("five.db");
    auto j = OpenOrDie(path);
    EXPECT_EQ(AppendN(*j, 5), 5);
    return path;
  }

  static VerifyReport VerifyOrDie(const std::string& path) {
    auto j = Journal::OpenReadOnly(path);
    EXPECT_TRUE(j.ok()) << j.status().message();
    if (!j.ok()) return {};
    auto report = (*j)->Verify();
    EXPECT_TRUE(report.ok()) << report.status().message();
    return report.ok() ? *report : VerifyReport{};
  }

  std::string dir_;
};

TEST_F(JournalTest, AppendRoundTripsEveryField) {
  auto j = OpenOrDie(Path("j.db"));
  std::vector<JournalEntry> batch{Entry(1), Entry(2), Entry(3)};
  batch[1].payload = "{\"text\":\"caf\xc3\xa9 \xe6\xbc\xa2\xe5\xad\x97 | ok\"}";
  batch[1].raw_fix = "8=FIX.4.4|9=70|35=8|58=r\xc3\xa9jet\xc3\xa9|10=123|";
  batch[2].session = "";
  batch[2].cl_ord_id = "";
  batch[2].raw_fix = "";
  batch[2].time = Timestamp(std::chrono::microseconds(-5));
  ASSERT_TRUE(j->Append(batch).ok());

  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(batch[static_cast<size_t>(i)].seq, i + 1);
    EXPECT_EQ(batch[static_cast<size_t>(i)].hash.size(), 64U);
  }
  EXPECT_EQ(j->last_seq(), 3);
  std::vector<JournalEntry> all = ReadAll(*j);
  ASSERT_EQ(all.size(), 3U);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(all[i].seq, batch[i].seq);
    EXPECT_EQ(all[i].time, batch[i].time);
    EXPECT_EQ(all[i].kind, batch[i].kind);
    EXPECT_EQ(all[i].session, batch[i].session);
    EXPECT_EQ(all[i].cl_ord_id, batch[i].cl_ord_id);
    EXPECT_EQ(all[i].exch_cl_ord_id, batch[i].exch_cl_ord_id);
    EXPECT_EQ(all[i].payload, batch[i].payload);
    EXPECT_EQ(all[i].raw_fix, batch[i].raw_fix);
    EXPECT_EQ(all[i].hash, batch[i].hash);
  }
}

TEST_F(JournalTest, EmptyAppendIsANoOp) {
  auto j = OpenOrDie(Path("j.db"));
  std::vector<JournalEntry> none;
  EXPECT_TRUE(j->Append(none).ok());
  EXPECT_EQ(j->last_seq(), 0);
}

TEST_F(JournalTest, ForEachStartsAfterSeqAndStopsWhenTold) {
  auto j = OpenOrDie(Path("j.db"));
  AppendN(*j, 10);
  std::vector<int64_t> seen;
  ASSERT_TRUE(j->ForEach(6, [&](const JournalEntry& e) {
                 seen.push_back(e.seq);
                 return e.seq < 8;
               }).ok());
  EXPECT_EQ(seen, (std::vector<int64_t>{7, 8}));
}

TEST_F(JournalTest, SeqAndChainContinueAcrossReopen) {
  const std::string path = Path("j.db");
  {
    auto j = OpenOrDie(path);
    EXPECT_EQ(AppendN(*j, 3), 3);
  }
  {
    auto j = OpenOrDie(path);
    EXPECT_EQ(j->last_seq(), 3);
    EXPECT_EQ(AppendN(*j, 2, 4), 5);
  }
  // The same entries appended in one go give the same hashes: the chain
  // does not depend on batching or reopening.
  auto other = OpenOrDie(Path("other.db"));
  std::vector<JournalEntry> all5;
  for (int n = 1; n <= 5; ++n) all5.push_back(Entry(n));
  ASSERT_TRUE(other->Append(all5).ok());
  auto j = OpenOrDie(path);
  std::vector<JournalEntry> read = ReadAll(*j);
  ASSERT_EQ(read.size(), 5U);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(read[i].hash, all5[i].hash);

  VerifyReport report = VerifyOrDie(path);
  EXPECT_EQ(report.entries, 5);
  EXPECT_FALSE(report.first_bad_seq.has_value()) << report.problem;
}

TEST_F(JournalTest, HashFollowsTheDocumentedCanonicalEncoding) {
  auto j = OpenOrDie(Path("j.db"));
  std::vector<JournalEntry> batch{Entry(1), Entry(2)};
  ASSERT_TRUE(j->Append(batch).ok());

  // An independent implementation of schema.sql's definition.
  auto field = [](std::string& out, const std::string& bytes) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((bytes.size() >> shift) & 0xffU));
    }
    out += bytes;
  };
  std::string prev(32, '\0');
  for (const JournalEntry& e : batch) {
    std::string buf = prev;
    field(buf, std::to_string(e.seq));
    field(buf, std::to_string(e.time.time_since_epoch().count()));
    field(buf, e.kind);
    field(buf, e.session);
    field(buf, e.cl_ord_id);
    field(buf, e.exch_cl_ord_id);
    field(buf, e.payload);
    field(buf, e.raw_fix);
    std::array<unsigned char, 32> md{};
    unsigned int len = 0;
    ASSERT_EQ(EVP_Digest(buf.data(), buf.size(), md.data(), &len, EVP_sha256(),
                         nullptr),
              1);
    std::string hex;
    for (unsigned char b : md) {
      static constexpr char kDigits[] = "0123456789abcdef";
      hex += kDigits[b >> 4];
      hex += kDigits[b & 0xfU];
    }
    EXPECT_EQ(e.hash, hex) << "seq " << e.seq;
    prev.assign(reinterpret_cast<const char*>(md.data()), md.size());
  }
}

TEST_F(JournalTest, VerifyAcceptsEmptyAndIntactJournals) {
  const std::string path = Path("j.db");
  auto j = OpenOrDie(path);
  auto empty = j->Verify();
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->entries, 0);
  EXPECT_FALSE(empty->first_bad_seq.has_value());
  AppendN(*j, 20);
  auto full = j->Verify();
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->entries, 20);
  EXPECT_FALSE(full->first_bad_seq.has_value()) << full->problem;
}

// ---- chain seed (end-of-day rollover) --------------------------------------

TEST_F(JournalTest, ContinuedJournalStartsFromThePreviousHead) {
  const std::string old_path = FiveEntryJournal();
  const VerifyReport old_report = VerifyOrDie(old_path);
  ASSERT_EQ(old_report.head_seq, 5);
  ASSERT_EQ(old_report.head_hash,
            ReadAll(**Journal::OpenReadOnly(old_path)).back().hash);

  const std::string path = Path("next.db");
  const ChainSeed seed{old_path, 5, old_report.head_hash};
  auto created = Journal::Create(path, SyncMode::kNormal, seed);
  ASSERT_TRUE(created.ok()) << created.status().message();
  std::unique_ptr<Journal> j = std::move(created).value();
  EXPECT_EQ(j->seed(), seed);
  EXPECT_EQ(j->last_seq(), 5);  // empty: the seed's
  EXPECT_EQ(AppendN(*j, 3, 6), 8);
  const std::vector<JournalEntry> entries = ReadAll(*j);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries.front().seq, 6);

  // hash(6) chains onto the old head exactly as the documented encoding.
  auto raw = [](const std::string& hex) {
    std::string out;
    for (size_t i = 0; i < hex.size(); i += 2) {
      out.push_back(
          static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
  };
  auto field = [](std::string_view bytes) {
    std::string out;
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((bytes.size() >> shift) & 0xffU));
    }
    return out + std::string(bytes);
  };
  const JournalEntry& e = entries.front();
  const std::string canonical =
      raw(old_report.head_hash) + field("6") +
      field(std::to_string(e.time.time_since_epoch().count())) + field(e.kind) +
      field(e.session) + field(e.cl_ord_id) + field(e.exch_cl_ord_id) +
      field(e.payload) + field(e.raw_fix);
  std::array<unsigned char, 32> md{};
  unsigned int len = 0;
  ASSERT_EQ(EVP_Digest(canonical.data(), canonical.size(), md.data(), &len,
                       EVP_sha256(), nullptr),
            1);
  std::string hex;
  for (unsigned char c : md) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[c >> 4];
    hex += kDigits[c & 0xf];
  }
  EXPECT_EQ(e.hash, hex);
  j.reset();

  // The seed survives reopening, for the writer and for readers.
  VerifyReport report = VerifyOrDie(path);
  EXPECT_FALSE(report.first_bad_seq.has_value()) << report.problem;
  EXPECT_EQ(report.entries, 3);
  EXPECT_EQ(report.head_seq, 8);
  EXPECT_EQ(report.head_hash, entries.back().hash);
  auto reopened = OpenOrDie(path);
  EXPECT_EQ(reopened->seed(), seed);
  EXPECT_EQ(AppendN(*reopened, 1, 9), 9);
  EXPECT_EQ(RawQuery(path,
                     "SELECT value FROM meta WHERE key = "
                     "'chain_seed_seq'"),
            "5");
}

TEST_F(JournalTest, EmptyContinuedJournalReportsTheSeedAsItsHead) {
  const std::string path = Path("next.db");
  const ChainSeed seed{"old.db", 41, std::string(64, 'c')};
  ASSERT_TRUE(Journal::Create(path, SyncMode::kNormal, seed).ok());
  VerifyReport report = VerifyOrDie(path);
  EXPECT_FALSE(report.first_bad_seq.has_value());
  EXPECT_EQ(report.head_seq, 41);
  EXPECT_EQ(report.head_hash, std::string(64, 'c'));
}

TEST_F(JournalTest, CreateRefusesAnExistingFileAndAMalformedSeed) {
  const std::string old_path = FiveEntryJournal();
  auto exists = Journal::Create(old_path, SyncMode::kNormal, ChainSeed{});
  ASSERT_FALSE(exists.ok());
  EXPECT_EQ(exists.status().code(), Status::Code::kAlreadyExists);
  EXPECT_THAT(exists.status().message(), HasSubstr(old_path));
  EXPECT_EQ(VerifyOrDie(old_path).entries, 5);

  const std::string path = Path("bad.db");
  auto bad_hash =
      Journal::Create(path, SyncMode::kNormal, ChainSeed{"old.db", 5, "ABC"});
  ASSERT_FALSE(bad_hash.ok());
  EXPECT_THAT(bad_hash.status().message(), HasSubstr("not 64 lowercase hex"));
  auto bad_seq = Journal::Create(path, SyncMode::kNormal,
                                 ChainSeed{"old.db", -1, kZeroHash});
  ASSERT_FALSE(bad_seq.ok());
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(JournalTest, VerifyNamesAChangedSeedInAContinuedJournal) {
  const std::string path = Path("next.db");
  {
    auto j = Journal::Create(path, SyncMode::kNormal,
                             ChainSeed{"old.db", 5, std::string(64, 'a')});
    ASSERT_TRUE(j.ok());
    AppendN(**j, 3, 6);
  }
  // The meta rows are append-only too; an attacker drops the guard.
  RawExec(path, "DROP TRIGGER meta_no_update; UPDATE meta SET value = '" +
                    std::string(64, 'b') + "' WHERE key = 'chain_seed_hash'");
  VerifyReport report = VerifyOrDie(path);
  EXPECT_EQ(report.first_bad_seq, 6);
  EXPECT_THAT(report.problem, HasSubstr("chain seed in meta was changed"));

  // A seed removed altogether makes the file look like a first journal
  // whose first five entries are missing.
  RawExec(path,
          "DROP TRIGGER meta_no_delete; DELETE FROM meta WHERE key LIKE "
          "'chain_%'");
  report = VerifyOrDie(path);
  EXPECT_EQ(report.first_bad_seq, 6);
  EXPECT_EQ(report.problem, "entries 1 to 5 missing");
}

TEST_F(JournalTest, MalformedSeedIsDamageForReadersAndRefusedByWriters) {
  const std::string path = Path("next.db");
  ASSERT_TRUE(Journal::Create(path, SyncMode::kNormal,
                              ChainSeed{"old.db", 5, std::string(64, 'a')})
                  .ok());
  RawExec(path,
          "DROP TRIGGER meta_no_update; UPDATE meta SET value = 'x5' WHERE "
          "key = 'chain_seed_seq'");
  VerifyReport report = VerifyOrDie(path);
  ASSERT_TRUE(report.first_bad_seq.has_value());
  EXPECT_THAT(report.problem, HasSubstr("chain_seed_seq 'x5'"));
  auto w = Journal::Open(path, SyncMode::kNormal);
  ASSERT_FALSE(w.ok());
  EXPECT_THAT(w.status().message(), HasSubstr(path + ": journal is damaged"));
}

TEST_F(JournalTest, MetaIsWrittenOnce) {
  const std::string path = FiveEntryJournal();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE meta SET value = 'x'", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM meta", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
}

TEST_F(JournalTest, VersionOneJournalIsReadAndAppendedAsItIs) {
  const std::string path = FiveEntryJournal();
  // What a version 1 program wrote: no meta triggers, user_version 1.
  RawExec(path,
          "DROP TRIGGER meta_no_update; DROP TRIGGER meta_no_delete; "
          "PRAGMA user_version = 1");
  auto j = OpenOrDie(path);
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->seed(), ChainSeed{});
  EXPECT_EQ(AppendN(*j, 1, 6), 6);
  j.reset();
  EXPECT_FALSE(VerifyOrDie(path).first_bad_seq.has_value());
  EXPECT_EQ(RawQuery(path, "PRAGMA user_version"), "1");
}

TEST_F(JournalTest,
       WriterDropsTheTimeIndexOfAVersionTwoJournalAndKeepsItsVersion) {
  const std::string path = FiveEntryJournal();
  // What a version 2 program wrote: the time index, user_version 2.
  RawExec(path,
          "CREATE INDEX journal_by_time ON journal (time_us); "
          "PRAGMA user_version = 2");
  const std::string indexes =
      "SELECT count(*) FROM sqlite_schema WHERE name = 'journal_by_time'";
  {
    auto r = Journal::OpenReadOnly(path);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_FALSE((*r)->Verify()->first_bad_seq.has_value());
  }
  EXPECT_EQ(RawQuery(path, indexes), "1");  // readers change nothing
  auto j = OpenOrDie(path);
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(RawQuery(path, indexes), "0");
  EXPECT_EQ(AppendN(*j, 1, 6), 6);
  j.reset();
  EXPECT_FALSE(VerifyOrDie(path).first_bad_seq.has_value());
  // A version 2 program still opens it.
  EXPECT_EQ(RawQuery(path, "PRAGMA user_version"), "2");
}

TEST_F(JournalTest, JournalRefusesUpdateAndDeleteThroughSql) {
  const std::string path = FiveEntryJournal();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE journal SET payload = 'x' WHERE seq = 2",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM journal WHERE seq = 2", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_FALSE(VerifyOrDie(path).first_bad_seq.has_value());
}

TEST_F(JournalTest, VerifyNamesAChangedPayload) {
  const std::string path = FiveEntryJournal();
  Tamper(path, "UPDATE journal SET payload = '{\"n\":999}' WHERE seq = 3");
  VerifyReport report = VerifyOrDie(path);
  EXPECT_EQ(report.entries, 5);
  EXPECT_EQ(report.first_bad_seq, 3);
  EXPECT_THAT(report.problem, HasSubstr("hash mismatch"));
}

TEST_F(JournalTest, VerifyNamesAChangedTime) {
  const std::string path = FiveEntryJournal();
  Tamper(path, "UPDATE journal SET time_us = time_us + 1 WHERE seq = 4");
  EXPECT_EQ(VerifyOrDie(path).first_bad_seq, 4);
}

TEST_F(JournalTest, VerifyNamesADeletedEntry) {
  const std::string path = FiveEntryJournal();
  Tamper(path, "DELETE FROM journal WHERE seq = 3");
  VerifyReport report = VerifyOrDie(path);
  EXPECT_EQ(report.entries, 4);
  EXPECT_EQ(report.first_bad_seq, 4);
  EXPECT_EQ(report.problem, "entry 3 missing");
}

TEST_F(JournalTest, VerifyNamesAnEntryInsertedInTheMiddle) {
  const std::string path = FiveEntryJournal();
  // Make room at seq 3 and put a forged copy of entry 2 there.
  Tamper(path,
         "UPDATE journal SET seq = seq + 100 WHERE seq >= 3;"
         "UPDATE journal SET seq = seq - 99 WHERE seq >= 100;"
         "INSERT INTO journal (seq, time_us, kind, session, cl_ord_id, "
         "exch_cl_ord_id, payload, raw_fix, hash) SELECT 3, time_us, kind, "
         "session, 'FORGED', exch_cl_ord_id, payload, raw_fix, hash FROM "
         "journal WHERE seq = 2");
  VerifyReport report = VerifyOrDie(path);
  EXPECT_EQ(report.entries, 6);
  EXPECT_EQ(report.first_bad_seq, 3);
}

TEST_F(JournalTest, VerifyNamesAnEntryAppendedBehindTheGatewaysBack) {
  const std::string path = FiveEntryJournal();
  Tamper(path,
         "INSERT INTO journal (seq, time_us, kind, payload, hash) VALUES "
         "(6, 1, 'Forged', '{}', '" +
             std::string(64, 'a') + "')");
  EXPECT_EQ(VerifyOrDie(path).first_bad_seq, 6);
}

TEST_F(JournalTest, VerifyNamesAnEntryBeforeTheFirst) {
  const std::string path = FiveEntryJournal();
  Tamper(path,
         "INSERT INTO journal (seq, time_us, kind, payload, hash) VALUES "
         "(0, 1, 'Forged', '{}', '" +
             std::string(64, '0') + "')");
  VerifyReport report = VerifyOrDie(path);
  EXPECT_EQ(report.first_bad_seq, 0);
  EXPECT_THAT(report.problem, HasSubstr("starts at 1"));
}

TEST_F(JournalTest, VerifyNamesSwappedEntries) {
  const std::string path = FiveEntryJournal();
  // Swap every column but seq between entries 2 and 4, hashes included.
  const std::string cols =
      "time_us, kind, session, cl_ord_id, exch_cl_ord_id, payload, raw_fix, "
      "hash";
  Tamper(path,
         "CREATE TEMP TABLE t AS SELECT * FROM journal;"
         "UPDATE journal SET (" +
             cols + ") = (SELECT " + cols +
             " FROM t WHERE t.seq = 6 - journal.seq) "
             "WHERE seq IN (2, 4);");
  ASSERT_EQ(RawQuery(path, "SELECT cl_ord_id FROM journal WHERE seq = 2"),
            "C4");
  VerifyReport report = VerifyOrDie(path);
  EXPECT_EQ(report.first_bad_seq, 2);
}

TEST_F(JournalTest, VerifyNamesAChangedHash) {
  const std::string path = FiveEntryJournal();
  Tamper(path, "UPDATE journal SET hash = '" + std::string(64, 'f') +
                   "' WHERE seq = 3");
  EXPECT_EQ(VerifyOrDie(path).first_bad_seq, 3);
}

TEST_F(JournalTest, FailedBatchLeavesNothingAndTheChainContinues) {
  const std::string path = Path("j.db");
  auto j = OpenOrDie(path);
  AppendN(*j, 2);
  const std::string head = ReadAll(*j).back().hash;
  RawExec(path,
          "CREATE TRIGGER boom BEFORE INSERT ON journal WHEN NEW.kind = "
          "'Boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END;");

  std::vector<JournalEntry> batch{Entry(3), Entry(4), Entry(5, "Boom"),
                                  Entry(6)};
  Status s = j->Append(batch);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr(path));
  EXPECT_THAT(s.message(), HasSubstr("boom refused"));
  EXPECT_EQ(batch[0].seq, 0);  // not filled in on failure
  EXPECT_TRUE(batch[0].hash.empty());
  EXPECT_EQ(j->last_seq(), 2);
  EXPECT_EQ(ReadAll(*j).size(), 2U);
  EXPECT_EQ(RawQuery(path, "SELECT count(*) FROM journal"), "2");

  std::vector<JournalEntry> next{Entry(3), Entry(4)};
  ASSERT_TRUE(j->Append(next).ok());
  EXPECT_EQ(next[0].seq, 3);
  EXPECT_EQ(next[1].seq, 4);
  EXPECT_EQ(ReadAll(*j)[1].hash, head);
  VerifyReport report = VerifyOrDie(path);
  EXPECT_EQ(report.entries, 4);
  EXPECT_FALSE(report.first_bad_seq.has_value()) << report.problem;
}

TEST_F(JournalTest, RandomBytesAreNotAJournal) {
  const std::string path = Path("random.bin");
  WriteRandomBytes(path, 8192);
  auto w = Journal::Open(path, SyncMode::kNormal);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().message(), path + ": not a fixgw journal");
  auto r = Journal::OpenReadOnly(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), path + ": not a fixgw journal");
}

TEST_F(JournalTest, AnotherApplicationsDatabaseIsNotAJournalAndIsLeftAlone) {
  const std::string other = Path("other.db");
  RawExec(other,
          "PRAGMA application_id = 42; CREATE TABLE t (x); "
          "INSERT INTO t VALUES (1);");
  const std::string plain = Path("plain.db");
  RawExec(plain, "CREATE TABLE journal (x);");
  for (const std::string& path : {other, plain}) {
    auto w = Journal::Open(path, SyncMode::kNormal);
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.status().message(), path + ": not a fixgw journal");
    auto r = Journal::OpenReadOnly(path);
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.status().message(), HasSubstr("not a fixgw journal"));
    EXPECT_EQ(RawQuery(path, "PRAGMA journal_mode"), "delete");
  }
}

TEST_F(JournalTest, EmptyFileBecomesAJournal) {
  const std::string path = Path("empty.db");
  std::ofstream(path).close();
  EXPECT_FALSE(Journal::OpenReadOnly(path).ok());
  auto j = OpenOrDie(path);
  EXPECT_EQ(AppendN(*j, 1), 1);
  EXPECT_EQ(RawQuery(path, "PRAGMA user_version"), "3");
  EXPECT_EQ(RawQuery(path, "PRAGMA application_id"), "1179211847");
  EXPECT_EQ(RawQuery(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(RawQuery(path,
                     "SELECT value FROM meta WHERE key = "
                     "'schema_version'"),
            "3");
  // Nothing but seq orders the journal: an index is a page write per
  // commit.
  EXPECT_EQ(RawQuery(path,
                     "SELECT count(*) FROM sqlite_schema WHERE type = "
                     "'index' AND tbl_name = 'journal'"),
            "0");
}

TEST_F(JournalTest, NewerSchemaIsRefused) {
  const std::string path = FiveEntryJournal();
  RawExec(path, "PRAGMA user_version = 4");
  const std::string want = path +
                           ": journal schema version 4 is newer than this "
                           "program supports (3)";
  auto w = Journal::Open(path, SyncMode::kNormal);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().message(), want);
  auto r = Journal::OpenReadOnly(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), want);
}

TEST_F(JournalTest, OpenFailsInAMissingDirectory) {
  const std::string path = Path("no/such/dir/j.db");
  auto j = Journal::Open(path, SyncMode::kNormal);
  ASSERT_FALSE(j.ok());
  EXPECT_THAT(j.status().message(), HasSubstr(path));
  EXPECT_THAT(j.status().message(), HasSubstr("does not exist"));
}

TEST_F(JournalTest, OpenFailsOnADirectory) {
  for (bool read_only : {false, true}) {
    auto j = read_only ? Journal::OpenReadOnly(dir_)
                       : Journal::Open(dir_, SyncMode::kNormal);
    ASSERT_FALSE(j.ok());
    EXPECT_EQ(j.status().message(),
              dir_ + ": is a directory, not a journal file");
  }
}

TEST_F(JournalTest, OpenReadOnlyOfAMissingFileFailsWithoutCreatingIt) {
  const std::string path = Path("missing.db");
  auto j = Journal::OpenReadOnly(path);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().message(), path + ": no such journal file");
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(JournalTest, ReadOnlyFileCannotBeOpenedForWriting) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores permission bits";
  const std::string path = FiveEntryJournal();
  ASSERT_EQ(::chmod(path.c_str(), 0444), 0);
  auto w = Journal::Open(path, SyncMode::kNormal);
  ASSERT_FALSE(w.ok());
  EXPECT_THAT(w.status().message(), HasSubstr(path));
  EXPECT_THAT(w.status().message(), HasSubstr("read-only"));
}

TEST_F(JournalTest, ReadOnlyJournalRefusesToAppend) {
  const std::string path = FiveEntryJournal();
  auto r = Journal::OpenReadOnly(path);
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::vector<JournalEntry> batch{Entry(6)};
  Status s = (*r)->Append(batch);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr(path));
  EXPECT_THAT(s.message(), HasSubstr("read-only"));
  EXPECT_EQ((*r)->last_seq(), 5);
}

TEST_F(JournalTest, ReaderSeesCommittedEntriesWhileTheWriterIsOpen) {
  const std::string path = Path("j.db");
  auto w = OpenOrDie(path);
  AppendN(*w, 3);
  auto r = Journal::OpenReadOnly(path);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)->last_seq(), 3);
  EXPECT_EQ(ReadAll(**r).size(), 3U);
  AppendN(*w, 2, 4);
  EXPECT_EQ((*r)->last_seq(), 5);
  EXPECT_EQ(ReadAll(**r).size(), 5U);
  auto report = (*r)->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->entries, 5);
  EXPECT_FALSE(report->first_bad_seq.has_value());
  // The writer is not stalled by the reader.
  EXPECT_EQ(AppendN(*w, 1, 6), 6);
}

TEST_F(JournalTest, SyncModeSetsSqliteSynchronous) {
  auto normal = OpenOrDie(Path("normal.db"), SyncMode::kNormal);
  EXPECT_EQ(normal->sync_mode(), SyncMode::kNormal);
  auto full = OpenOrDie(Path("full.db"), SyncMode::kFull);
  EXPECT_EQ(full->sync_mode(), SyncMode::kFull);
  // The mode belongs to the connection, not the file.
  normal.reset();
  auto again = OpenOrDie(Path("normal.db"), SyncMode::kFull);
  EXPECT_EQ(again->sync_mode(), SyncMode::kFull);
}

// Reads 8-byte acknowledged seqs from `fd` until EOF or `deadline`; returns
// the last complete one seen (0 if none).
int64_t DrainAcks(int fd, std::string& buf,
                  std::chrono::steady_clock::time_point deadline, bool& eof) {
  int64_t acked = 0;
  while (!eof) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[4096];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) {
      eof = true;
      break;
    }
    buf.append(chunk, static_cast<size_t>(n));
  }
  size_t whole = buf.size() / sizeof(int64_t) * sizeof(int64_t);
  if (whole > 0) {
    std::memcpy(&acked, buf.data() + whole - sizeof(int64_t), sizeof acked);
  }
  return acked;
}

TEST_F(JournalTest, AcknowledgedAppendsSurviveSigkill) {
  std::mt19937 rng(20240611);
  const auto test_deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int round = 0; round < 20; ++round) {
    if (std::chrono::steady_clock::now() > test_deadline) break;
    const std::string path = Path("kill" + std::to_string(round) + ".db");
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      auto j = Journal::Open(path, SyncMode::kNormal);
      if (!j.ok()) ::_exit(2);
      for (int i = 0; i < 200'000; ++i) {
        int64_t next = (*j)->last_seq() + 1;
        std::vector<JournalEntry> batch;
        for (int k = 0; k < 1 + i % 3; ++k) {
          batch.push_back(Entry(static_cast<int>(next) + k));
        }
        if (!(*j)->Append(batch).ok()) ::_exit(3);
        int64_t acked = (*j)->last_seq();
        if (::write(fds[1], &acked, sizeof acked) != sizeof acked) ::_exit(4);
      }
      ::_exit(0);
    }
    ::close(fds[1]);
    std::string buf;
    bool eof = false;
    auto delay = std::chrono::milliseconds(5 + rng() % 60);
    DrainAcks(fds[0], buf, std::chrono::steady_clock::now() + delay, eof);
    ::kill(pid, SIGKILL);
    int64_t acked = DrainAcks(
        fds[0], buf,
        std::chrono::steady_clock::now() + std::chrono::seconds(10), eof);
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) ||
                (WIFEXITED(status) && WEXITSTATUS(status) == 0))
        << "child failed with status " << status;

    auto j = OpenOrDie(path);
    ASSERT_NE(j, nullptr);
    EXPECT_GE(j->last_seq(), acked) << "round " << round;
    auto report = j->Verify();
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->entries, j->last_seq());
    EXPECT_FALSE(report->first_bad_seq.has_value()) << report->problem;
    int64_t expect = 1;
    ASSERT_TRUE(j->ForEach(0, [&](const JournalEntry& e) {
                   EXPECT_EQ(e.seq, expect);
                   EXPECT_EQ(e.cl_ord_id, "C" + std::to_string(expect));
                   ++expect;
                   return true;
                 }).ok());
    // Writing on after the crash keeps the chain intact.
    std::vector<JournalEntry> more{Entry(static_cast<int>(expect))};
    ASSERT_TRUE(j->Append(more).ok());
    EXPECT_FALSE(j->Verify()->first_bad_seq.has_value());
    std::printf("[ SIGKILL  ] round %d: %lld acknowledged, %lld on disk\n",
                round, static_cast<long long>(acked),
                static_cast<long long>(j->last_seq() - 1));
  }
}

TEST_F(JournalTest, CheckpointThreadCopiesTheWalIntoTheDatabaseFile) {
  // Past 1,000 WAL pages the writer's commit wakes the checkpoint thread,
  // which copies the pages into the database file while the writer idles;
  // below 4,000 pages the writer does not checkpoint itself, so the
  // entries reach the database file only if the thread did its work.
  const std::string path = Path("checkpoint.db");
  auto j = OpenOrDie(path);
  ASSERT_NE(j, nullptr);
  const uintmax_t created = std::filesystem::file_size(path);
  constexpr uintmax_t kFrame = 4096 + 24;
  constexpr uintmax_t kPad = 3'000;
  uintmax_t n = 0;
  while (std::filesystem::file_size(path + "-wal") < 1'200 * kFrame) {
    JournalEntry e = Entry(static_cast<int>(++n));
    e.payload = "{\"pad\":\"" + std::string(kPad, 'x') + "\"}";
    std::vector<JournalEntry> batch{e};
    ASSERT_TRUE(j->Append(batch).ok());
  }
  ASSERT_LT(std::filesystem::file_size(path + "-wal"), 4'000 * kFrame);
  const uintmax_t holds_them = created + n * kPad;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::filesystem::file_size(path) < holds_them &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(std::filesystem::file_size(path), holds_them)
      << "the checkpoint thread did not copy " << n << " entries";
  EXPECT_FALSE(j->Verify()->first_bad_seq.has_value());
}

TEST_F(JournalTest, ReportsSingleEntryAppendThroughput) {
  for (SyncMode mode : {SyncMode::kNormal, SyncMode::kFull}) {
    const bool full = mode == SyncMode::kFull;
    auto j = OpenOrDie(Path(full ? "perf-full.db" : "perf-normal.db"), mode);
    const auto start = std::chrono::steady_clock::now();
    const auto budget = start + std::chrono::seconds(5);
    int n = 0;
    for (; n < 10'000; ++n) {
      if ((n & 63) == 0 && std::chrono::steady_clock::now() > budget) break;
      std::vector<JournalEntry> batch{Entry(n + 1)};
      ASSERT_TRUE(j->Append(batch).ok());
    }
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    std::printf(
        "[ PERF     ] synchronous=%s: %d single-entry appends in %lld "
        "ms = %lld appends/s\n",
        full ? "FULL" : "NORMAL", n, static_cast<long long>(us / 1000),
        static_cast<long long>(us > 0 ? n * 1'000'000LL / us : 0));
    EXPECT_FALSE(j->Verify()->first_bad_seq.has_value());
  }
}

}  // namespace
}  // namespace fixgw::store
