// Test helpers: SQL on a raw SQLite connection, bypassing the store's
// classes (to tamper with a file, or to read what they wrote).
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <random>
#include <string>

namespace fixgw::store::test_util {

// Runs `sql` (any number of statements); fails the test on an error.
inline void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

// The first column of the first row of `sql` as text; "" if none.
inline std::string RawQuery(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    out = text != nullptr ? reinterpret_cast<const char*>(text) : "";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

// Writes `n` seeded random bytes to `path`: a file that is not SQLite.
inline void WriteRandomBytes(const std::string& path, int n) {
  std::ofstream out(path, std::ios::binary);
  std::mt19937 rng(7);
  for (int i = 0; i < n; ++i) out.put(static_cast<char>(rng() & 0xffU));
}

}  // namespace fixgw::store::test_util
