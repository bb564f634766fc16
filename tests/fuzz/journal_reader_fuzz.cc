// libFuzzer: fixreplay's journal reader on damaged journals. A valid
// journal (a short order flow with a risk-file load and a kill switch) is
// written once; each input then makes one damaged copy of it and runs what
// fixreplay runs on a file: open read-only, --verify, the trail (all three
// formats, unfiltered and by order) and the as-of state. Every damage must
// come back as an error value or a row naming the problem, never a crash.
//
// FIXGW_FUZZ_TEMPLATE_OUT=PATH copies the valid journal to PATH (for
// tests/fuzz/make_seeds.py --journal).
//
// Input: byte 0 picks the damage, the next bytes its target:
//   0  the whole database file is the rest of the input
//   1  entry k's payload (JSON) is the rest          k = byte 1
//   2  entry k's kind is the rest
//   3  entry k's raw_fix is the rest
//   4  the rest overwrites the file at offset 16 x (byte 1 << 8 | byte 2)
//   5  column c (byte 2) of entry k is set to NULL, an integer or a blob
//      of the rest (byte 3)
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "gateway/core/decimal.h"
#include "gateway/fixreplay/journal_writer.h"
#include "gateway/fixreplay/render.h"
#include "gateway/fixreplay/replay_state.h"
#include "gateway/fixreplay/trail.h"
#include "store/journal.h"

namespace {

namespace gw = fixgw::gw;
namespace replay = fixgw::replay;
using fixgw::Price;
using fixgw::Qty;
using fixgw::Timestamp;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "journal fuzz set-up: %s\n", what.c_str());
  std::abort();
}

Timestamp At(int64_t ms) {
  return Timestamp(std::chrono::milliseconds(1'795'737'600'000 + ms));
}

const std::string kB1 = "FIX.4.4:GW->BROKER1";

constexpr const char* kRisk = R"(
[defaults.session]
allowed_accounts = ["*"]
[symbols.AAPL]
reference_price = "100.00"
)";

fixgw::ExecutionReport Report(const std::string& exch, fixgw::ExecType type,
                              fixgw::OrdStatus status, int64_t cum,
                              int64_t leaves, const std::string& exec_id) {
  fixgw::ExecutionReport r;
  r.order_id = "X-" + exch;
  r.cl_ord_id = exch;
  r.exec_id = exec_id;
  r.exec_type = type;
  r.ord_status = status;
  r.symbol = "AAPL";
  r.side = fixgw::Side::kBuy;
  r.order_qty = Qty(100);
  r.price = *fixgw::ParsePrice("99.5");
  r.cum_qty = Qty(cum);
  r.leaves_qty = Qty(leaves);
  if (cum > 0) {
    r.avg_px = *r.price;
    r.last_qty = Qty(cum);
    r.last_px = *r.price;
  }
  return r;
}

void Check(const fixgw::Status& st) {
  if (!st.ok()) Fail(st.message());
}

// The template journal, with the append-only triggers dropped so that the
// copies can be damaged through SQLite.
std::string MakeTemplate(const std::string& path) {
  auto made = replay::testing::JournalWriter::Create(path, 4);
  if (!made.ok()) Fail(made.status().message());
  replay::testing::JournalWriter& w = **made;
  Check(w.Process(gw::RiskLimitsLoaded{"risk.toml", kRisk}, At(0)));
  Check(w.Process(gw::ExchangeSessionChanged{true}, At(1)));
  fixgw::NewOrder o;
  o.cl_ord_id = "o1";
  o.account = "ACC1";
  o.symbol = "AAPL";
  o.qty = Qty(100);
  o.price = *fixgw::ParsePrice("99.5");
  Check(w.Process(w.router().DecideNewOrder(kB1, o, At(2)), At(2),
                  "8=FIX.4.4|35=D|11=o1|1=ACC1|55=AAPL|54=1|38=100|40=2|"
                  "44=99.5|58=caf\xc3\xa9 | pipe|"));
  Check(w.Process(gw::ExchangeReportReceived{Report(
                      "GW-1", fixgw::ExecType::kNew, fixgw::OrdStatus::kNew,
                      0, 100, "E1")},
                  At(3)));
  Check(w.Process(gw::ExchangeReportReceived{Report(
                      "GW-1", fixgw::ExecType::kTrade,
                      fixgw::OrdStatus::kPartiallyFilled, 40, 60, "E2")},
                  At(4)));
  fixgw::CancelRequest c;
  c.cl_ord_id = "o1c";
  c.orig_cl_ord_id = "o1";
  c.symbol = "AAPL";
  Check(w.Process(w.router().DecideCancel(kB1, c), At(5)));
  o.cl_ord_id = "o2";
  o.symbol = "XYZ";
  Check(w.Process(w.router().DecideNewOrder(kB1, o, At(6)), At(6)));
  Check(w.Process(gw::KillSwitchChanged{{fixgw::risk::KillScope::Kind::kAccount,
                                         "ACC1"},
                                        true,
                                        "admin",
                                        "fuzz",
                                        {}},
                  At(7)));
  fixgw::StatusRequest s;
  s.cl_ord_id = "o1";
  Check(w.Process(w.router().DecideStatus(kB1, s), At(8)));
  Check(w.Flush());
  made->reset();

  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Fail("reopen template");
  if (sqlite3_exec(db,
                   "DROP TRIGGER journal_no_update; "
                   "DROP TRIGGER journal_no_delete; "
                   "PRAGMA wal_checkpoint(TRUNCATE);",
                   nullptr, nullptr, nullptr) != SQLITE_OK) {
    Fail(sqlite3_errmsg(db));
  }
  sqlite3_close(db);
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Files {
  std::string dir;
  std::string db;
  std::string image;  // the template's bytes
};

const Files& Setup() {
  static const Files* files = [] {
    const char* tmp = std::getenv("TMPDIR");
    auto* f = new Files;
    f->dir = std::string(tmp != nullptr ? tmp : "/dev/shm") +
             "/fixgw-journal-fuzz-" + std::to_string(getpid());
    std::filesystem::remove_all(f->dir);
    std::filesystem::create_directories(f->dir);
    f->image = MakeTemplate(f->dir + "/template.db");
    f->db = f->dir + "/journal.db";
    std::atexit([] { std::filesystem::remove_all(Setup().dir); });
    // make_seeds.py --journal reads the template from here.
    if (const char* out = std::getenv("FIXGW_FUZZ_TEMPLATE_OUT")) {
      std::filesystem::copy_file(f->dir + "/template.db", out,
                                 std::filesystem::copy_options::overwrite_existing);
    }
    return f;
  }();
  return *files;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  for (const char* suffix : {"-wal", "-shm"}) {
    std::remove((path + suffix).c_str());
  }
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) Fail("cannot write " + path);
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) !=
                            bytes.size()) {
    Fail("short write " + path);
  }
  std::fclose(f);
}

// Damages the copy through SQLite; a failure here just leaves it intact.
void Damage(const std::string& path, const char* sql, int64_t seq,
            const uint8_t* blob, size_t size, int kind) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK) {
      if (kind == 0) {
        sqlite3_bind_null(stmt, 1);
      } else if (kind == 1) {
        sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(size) - 3);
      } else if (kind == 2) {
        sqlite3_bind_blob64(stmt, 1, blob, size, SQLITE_TRANSIENT);
      } else {
        sqlite3_bind_text64(stmt, 1, reinterpret_cast<const char*>(blob), size,
                            SQLITE_TRANSIENT, SQLITE_UTF8);
      }
      sqlite3_bind_int64(stmt, 2, seq);
      sqlite3_step(stmt);
      sqlite3_finalize(stmt);
    }
  }
  sqlite3_close(db);
}

void Read(const std::string& path) {
  auto journal = fixgw::store::Journal::OpenReadOnly(path);
  if (!journal.ok()) return;
  const fixgw::store::Journal& j = **journal;
  (void)j.Verify();
  for (const char* order : {"", "o1"}) {
    replay::TrailFilter filter;
    if (*order != '\0') filter.order_id = order;
    (void)replay::ReplayTrail(j, filter, [](const replay::TrailRow& row) {
      for (auto format : {replay::Format::kText, replay::Format::kCsv,
                          replay::Format::kJson}) {
        (void)replay::RenderTrailRow(format, row);
      }
    });
  }
  auto state = replay::ReplayState(j, At(1'000'000));
  if (state.ok()) {
    for (auto format : {replay::Format::kText, replay::Format::kCsv,
                        replay::Format::kJson}) {
      (void)replay::RenderState(format, *state, {});
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Files& files = Setup();
  if (size < 1) return 0;
  const int mode = data[0] % 6;
  if (mode == 0) {
    WriteFile(files.db, std::string(reinterpret_cast<const char*>(data + 1),
                                     size - 1));
  } else if (size < 4) {
    return 0;
  } else if (mode == 4) {
    std::string image = files.image;
    size_t offset = 16 * (static_cast<size_t>(data[1]) << 8 | data[2]);
    for (size_t i = 3; i < size && offset < image.size(); ++i, ++offset) {
      image[offset] = static_cast<char>(data[i]);
    }
    WriteFile(files.db, image);
  } else {
    WriteFile(files.db, files.image);
    const int64_t seq = data[1] % 24;  // some beyond the last entry
    if (mode == 5) {
      static const char* const kColumns[] = {
          "seq",       "time_us",        "kind",    "session", "cl_ord_id",
          "exch_cl_ord_id", "payload", "raw_fix", "hash"};
      std::string sql = std::string("UPDATE journal SET ") +
                        kColumns[data[2] % 9] + " = ?1 WHERE seq = ?2";
      Damage(files.db, sql.c_str(), seq, data + 4, size - 4, data[3] % 4);
    } else {
      const char* column = mode == 1 ? "payload" : mode == 2 ? "kind" : "raw_fix";
      std::string sql =
          std::string("UPDATE journal SET ") + column + " = ?1 WHERE seq = ?2";
      Damage(files.db, sql.c_str(), seq, data + 2, size - 2, 3);
    }
  }
  Read(files.db);
  return 0;
}
