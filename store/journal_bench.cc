// journal_bench: what one order's journal transaction costs on this disk,
// next to the plainest SQLite transactions that write the same bytes.
//
//   plain      BEGIN; two 500-byte rows in a table without indexes or
//              triggers, one small update in another; COMMIT (prepared
//              statements, WAL, the same synchronous setting, SQLite's own
//              checkpoint): the floor. Two B-tree pages per commit.
//   plain-order  the same in the order's shape: plain, and the stored
//              35=D (170 bytes) as a row of a third table keyed
//              (session, seq) like the session store's fix_message; the
//              update is two, in the third table as the order's are. Three
//              B-tree pages per commit, as the order writes (journal,
//              fix_message, fix_session): the floor for that shape.
//   journal    Journal::Append of the two entries one NewOrderSingle
//              journals (NewOrderAccepted, SentToExchange), hash chain
//              included.
//   order      the gateway's whole transaction for that order: the two
//              entries, the outgoing 35=D prestored in the session store
//              (SessionStore::PrestoreOutgoing) and the broker session's
//              next target sequence number raised (RaiseNextTarget). The
//              exchange session is loaded first, as QuickFIX does when it
//              creates the session (a store that does not know the
//              session's next seq prestores nothing), and after the commit
//              the message is "sent" (SaveOutgoing, which writes nothing
//              for a prestored message).
//
// Each variant commits COMMITS transactions back to back on a fresh file,
// for JournalSync=normal and =full (COMMITS / 10 with full: an fsync per
// commit), and prints one JSON line with the mean, p50, p99 and p99.9 of
// one commit in microseconds.
// Usage: journal_bench [COMMITS] [DIR] [VARIANT] [SYNC]
//   defaults 20000, a temp dir ("-" too), every variant, both modes; naming
//   one variant and one mode gives perf a run of nothing else.
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "store/journal.h"
#include "store/session_store.h"

namespace {

using fixgw::Status;
using fixgw::store::Journal;
using fixgw::store::JournalEntry;
using fixgw::store::SessionStore;
using fixgw::store::SyncMode;
using Clock = std::chrono::steady_clock;

// Sizes as fixgw writes them for a limit order (payload JSON, raw FIX).
const std::string kPayload =
    R"({"kind":"NewOrderAccepted","session":"FIX.4.4:GW->BROKER1","order":)"
    R"({"cl_ord_id":"B1-000123","account":"ACC1","symbol":"MSFT","side":"buy",)"
    R"("qty":"100","type":"limit","price":"250.12","tif":"day","text":""},)"
    R"("exch_cl_ord_id":"GW-123456","reserved":"25012.00","position":"0",)"
    R"("risk":{"checks":["size","notional","collar","cash","position"]}})";
const std::string kRawFix =
    "8=FIX.4.4|9=178|35=D|34=123|49=BROKER1|52=20261202-10:00:00.000|"
    "56=GW|1=ACC1|11=B1-000123|38=100|40=2|44=250.12|54=1|55=MSFT|59=0|"
    "60=20261202-10:00:00.000|10=123|";
const std::string kStored =
    "8=FIX.4.4\x01" "9=170\x01" "35=D\x01" "34=123\x01" "49=GW\x01"
    "52=20261202-10:00:00.000\x01" "56=SIM\x01" "1=ACC1\x01" "11=GW-123456\x01"
    "38=100\x01" "40=2\x01" "44=250.12\x01" "54=1\x01" "55=MSFT\x01" "59=0\x01"
    "60=20261202-10:00:00.000\x01" "10=123\x01";

const char kBrokerSession[] = "FIX.4.4:GW->BROKER1";
const char kExchangeSession[] = "FIX.4.4:GW->SIM";

// Durations in nanoseconds (integers: store/ holds no floating point).
struct Stats {
  int64_t mean = 0, p50 = 0, p99 = 0, p999 = 0;
};

Stats Summarise(std::vector<int64_t> ns) {
  Stats s;
  if (ns.empty()) return s;
  int64_t sum = 0;
  for (int64_t v : ns) sum += v;
  s.mean = sum / static_cast<int64_t>(ns.size());
  std::sort(ns.begin(), ns.end());
  // The value at quantile per_mille / 1000.
  const auto at = [&](size_t per_mille) {
    return ns[std::min(ns.size() - 1, ns.size() * per_mille / 1000)];
  };
  s.p50 = at(500);
  s.p99 = at(990);
  s.p999 = at(999);
  return s;
}

// "12.3": nanoseconds as microseconds with one decimal.
std::string Micros(int64_t ns) {
  return std::to_string(ns / 1000) + "." + std::to_string(ns % 1000 / 100);
}

void Report(const char* variant, SyncMode mode, int commits,
            const std::vector<int64_t>& ns) {
  const Stats s = Summarise(ns);
  std::printf(
      "{\"variant\":\"%s\",\"sync\":\"%s\",\"commits\":%d,\"mean_us\":%s,"
      "\"p50_us\":%s,\"p99_us\":%s,\"p999_us\":%s}\n",
      variant, mode == SyncMode::kFull ? "full" : "normal", commits,
      Micros(s.mean).c_str(), Micros(s.p50).c_str(), Micros(s.p99).c_str(),
      Micros(s.p999).c_str());
  std::fflush(stdout);
}

// Times `commit` `n` times; false on the first failure (printed).
bool Time(int n, const std::function<Status(int)>& commit,
          std::vector<int64_t>* ns) {
  ns->reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto start = Clock::now();
    Status s = commit(i);
    const auto end = Clock::now();
    if (!s.ok()) {
      std::fprintf(stderr, "journal_bench: %s\n", s.message().c_str());
      return false;
    }
    ns->push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(end - start)
            .count());
  }
  return true;
}

// `shape`: plain-order (three tables) instead of plain (two).
bool Plain(const std::string& path, SyncMode mode, int n, bool shape) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return false;
  const std::string setup =
      std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=") +
      (mode == SyncMode::kFull ? "FULL" : "NORMAL") +
      "; CREATE TABLE e (seq INTEGER PRIMARY KEY, body TEXT);"
      " CREATE TABLE s (id INTEGER PRIMARY KEY, next INTEGER);"
      " INSERT INTO s VALUES (1, 1), (2, 1);"
      " CREATE TABLE m (session TEXT, seq INTEGER, body BLOB,"
      " PRIMARY KEY (session, seq)) WITHOUT ROWID;";
  if (sqlite3_exec(db, setup.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return false;
  }
  sqlite3_stmt *begin = nullptr, *ins = nullptr, *msg = nullptr, *upd = nullptr,
               *commit = nullptr;
  sqlite3_prepare_v2(db, "BEGIN", -1, &begin, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO e (body) VALUES (?1)", -1, &ins, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO m VALUES (?1, ?2, ?3)", -1, &msg,
                     nullptr);
  sqlite3_prepare_v2(db, "UPDATE s SET next = ?1 WHERE id = ?2", -1, &upd,
                     nullptr);
  sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nullptr);
  const std::string body = kPayload + kRawFix;
  std::vector<int64_t> us;
  const bool ok = Time(
      n,
      [&](int i) {
        int rc = sqlite3_step(begin);
        sqlite3_reset(begin);
        for (int k = 0; k < 2 && rc == SQLITE_DONE; ++k) {
          sqlite3_bind_text(ins, 1, body.data(), static_cast<int>(body.size()),
                            SQLITE_STATIC);
          rc = sqlite3_step(ins);
          sqlite3_reset(ins);
        }
        if (shape && rc == SQLITE_DONE) {
          sqlite3_bind_text(msg, 1, kExchangeSession, -1, SQLITE_STATIC);
          sqlite3_bind_int64(msg, 2, i + 1);
          sqlite3_bind_blob(msg, 3, kStored.data(),
                            static_cast<int>(kStored.size()), SQLITE_STATIC);
          rc = sqlite3_step(msg);
          sqlite3_reset(msg);
        }
        for (int id = 1; id <= (shape ? 2 : 1) && rc == SQLITE_DONE; ++id) {
          sqlite3_bind_int64(upd, 1, i + 2);
          sqlite3_bind_int64(upd, 2, id);
          rc = sqlite3_step(upd);
          sqlite3_reset(upd);
        }
        if (rc == SQLITE_DONE) {
          rc = sqlite3_step(commit);
          sqlite3_reset(commit);
        }
        return rc == SQLITE_DONE
                   ? Status::Ok()
                   : Status::Internal(std::string("plain: ") + sqlite3_errmsg(db));
      },
      &us);
  for (sqlite3_stmt* s : {begin, ins, msg, upd, commit}) sqlite3_finalize(s);
  sqlite3_close(db);
  if (ok) Report(shape ? "plain-order" : "plain", mode, n, us);
  return ok;
}

std::vector<JournalEntry> OrderEntries(int i) {
  const fixgw::Timestamp now = fixgw::Now();
  const std::string cl = "B1-" + std::to_string(i);
  const std::string exch = "GW-" + std::to_string(i);
  return {
      JournalEntry{0, now, "NewOrderAccepted", kBrokerSession, cl, exch,
                   kPayload, kRawFix, ""},
      JournalEntry{0, now, "SentToExchange", "", "", exch,
                   R"({"kind":"SentToExchange","exch_cl_ord_id":")" + exch +
                       R"(","msg_type":"D"})",
                   "", ""},
  };
}

bool Gateway(const std::string& path, SyncMode mode, int n, bool whole) {
  auto journal = Journal::Open(path, mode);
  if (!journal.ok()) {
    std::fprintf(stderr, "journal_bench: %s\n",
                 journal.status().message().c_str());
    return false;
  }
  std::unique_ptr<SessionStore> sessions;
  if (whole) {
    auto opened = SessionStore::Open(**journal);
    if (!opened.ok()) {
      std::fprintf(stderr, "journal_bench: %s\n",
                   opened.status().message().c_str());
      return false;
    }
    sessions = std::move(opened).value();
    if (auto loaded = sessions->LoadSession(kExchangeSession); !loaded.ok()) {
      std::fprintf(stderr, "journal_bench: %s\n",
                   loaded.status().message().c_str());
      return false;
    }
  }
  std::vector<int64_t> us;
  const bool ok = Time(
      n,
      [&](int i) {
        std::vector<JournalEntry> entries = OrderEntries(i);
        if (!whole) return (*journal)->Append(entries);
        const std::string key = "D:GW-" + std::to_string(i);
        int64_t seq = 0;
        Status st = (*journal)->Append(entries, [&]() -> Status {
          Status raised = sessions->RaiseNextTarget(kBrokerSession, i + 2);
          if (!raised.ok()) return raised;
          auto stored =
              sessions->PrestoreOutgoing(kExchangeSession, key, [&](int64_t s) {
                seq = s;
                return kStored;
              });
          if (!stored.ok()) return stored.status();
          if (!*stored) return Status::Internal("order: nothing prestored");
          return Status::Ok();
        });
        if (!st.ok()) return st;
        return sessions->SaveOutgoing(kExchangeSession, seq, kStored, key);
      },
      &us);
  if (ok) Report(whole ? "order" : "journal", mode, n, us);
  return ok;
}

// Whether `arg` is empty (no choice: all) or one of `names`.
bool OneOf(const std::string& arg, std::initializer_list<const char*> names) {
  return arg.empty() || std::any_of(names.begin(), names.end(),
                                    [&](const char* n) { return arg == n; });
}

}  // namespace

int main(int argc, char** argv) {
  const int commits = argc > 1 ? std::max(100, std::atoi(argv[1])) : 20000;
  const std::string only_variant = argc > 3 ? argv[3] : "";
  const std::string only_sync = argc > 4 ? argv[4] : "";
  if (!OneOf(only_variant, {"plain", "plain-order", "journal", "order"}) ||
      !OneOf(only_sync, {"normal", "full"})) {
    std::fprintf(stderr,
                 "usage: journal_bench [COMMITS] [DIR|-] "
                 "[plain|plain-order|journal|order] [normal|full]\n");
    return 2;
  }
  const auto runs = [](const std::string& only, const std::string& name) {
    return only.empty() || only == name;
  };
  std::string dir;
  bool own_dir = false;
  if (argc > 2 && std::string(argv[2]) != "-") {
    dir = argv[2];
  } else {
    char tmpl[] = "/tmp/journal-bench.XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return 1;
    dir = tmpl;
    own_dir = true;
  }
  bool ok = true;
  for (SyncMode mode : {SyncMode::kNormal, SyncMode::kFull}) {
    const std::string m = mode == SyncMode::kFull ? "full" : "normal";
    if (!runs(only_sync, m)) continue;
    // fsync per commit: fewer commits keep the full runs short.
    const int n = mode == SyncMode::kFull ? std::max(100, commits / 10) : commits;
    if (runs(only_variant, "plain")) {
      ok = ok && Plain(dir + "/plain-" + m + ".db", mode, n, false);
    }
    if (runs(only_variant, "plain-order")) {
      ok = ok && Plain(dir + "/plain-order-" + m + ".db", mode, n, true);
    }
    if (runs(only_variant, "journal")) {
      ok = ok && Gateway(dir + "/journal-" + m + ".db", mode, n, false);
    }
    if (runs(only_variant, "order")) {
      ok = ok && Gateway(dir + "/order-" + m + ".db", mode, n, true);
    }
  }
  if (own_dir) std::filesystem::remove_all(dir);
  return ok ? 0 : 1;
}
