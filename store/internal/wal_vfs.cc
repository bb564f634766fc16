#include "store/internal/wal_vfs.h"

#include <sqlite3.h>

#include <cstdint>
#include <cstring>

namespace fixgw::store::internal {
namespace {

constexpr char kName[] = "fixgw-wal";
constexpr int kWalHeaderBytes = 32;
constexpr int kFrameHeaderBytes = 24;

// A WAL file: our methods in front, the default VFS's file behind.
struct WalFile {
  sqlite3_file base;   // pMethods = &kWalMethods
  sqlite3_file* real;  // the default VFS's file, in the same allocation
  unsigned char* buf;  // sqlite3_malloc'ed; nullptr until the first write
  int len;
  int cap;
  sqlite3_int64 start;  // file offset of buf[0]
  // Offset of the page that completes a commit frame whose header is in
  // the buffer; -1 when there is none.
  sqlite3_int64 commit_page_at;
};

sqlite3_vfs* Base(sqlite3_vfs* vfs) {
  return static_cast<sqlite3_vfs*>(vfs->pAppData);
}

WalFile* Wal(sqlite3_file* file) { return reinterpret_cast<WalFile*>(file); }

uint32_t BigEndian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

int Flush(WalFile* f) {
  if (f->len == 0) return SQLITE_OK;
  const int len = f->len;
  f->len = 0;
  return f->real->pMethods->xWrite(f->real, f->buf, len, f->start);
}

int Reserve(WalFile* f, int need) {
  if (need <= f->cap) return SQLITE_OK;
  int cap = f->cap == 0 ? 16 * 1024 : f->cap;
  while (cap < need) cap *= 2;
  void* grown = sqlite3_realloc(f->buf, cap);
  if (grown == nullptr) return SQLITE_NOMEM;
  f->buf = static_cast<unsigned char*>(grown);
  f->cap = cap;
  return SQLITE_OK;
}

int WalClose(sqlite3_file* file) {
  WalFile* f = Wal(file);
  const int flushed = Flush(f);
  const int closed = f->real->pMethods ? f->real->pMethods->xClose(f->real)
                                       : SQLITE_OK;
  sqlite3_free(f->buf);
  f->buf = nullptr;
  f->cap = 0;
  return flushed != SQLITE_OK ? flushed : closed;
}

int WalRead(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  WalFile* f = Wal(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xRead(f->real, out, amount, offset);
}

int WalWrite(sqlite3_file* file, const void* data, int amount,
             sqlite3_int64 offset) {
  WalFile* f = Wal(file);
  const bool completes_commit = offset == f->commit_page_at;
  if (completes_commit) f->commit_page_at = -1;
  const bool follows = f->len > 0 && offset == f->start + f->len;
  if (!follows || f->len + amount > kMaxBufferedBytes) {
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  }
  if (amount > kMaxBufferedBytes) {
    return f->real->pMethods->xWrite(f->real, data, amount, offset);
  }
  if (int rc = Reserve(f, f->len + amount); rc != SQLITE_OK) return rc;
  if (f->len == 0) f->start = offset;
  std::memcpy(f->buf + f->len, data, static_cast<size_t>(amount));
  f->len += amount;

  // A frame header, bytes 4-7: the database size after a commit, 0 in
  // frames that do not commit. SQLite writes the frame's page next.
  if (amount == kFrameHeaderBytes && offset >= kWalHeaderBytes &&
      BigEndian32(static_cast<const unsigned char*>(data) + 4) != 0) {
    f->commit_page_at = offset + kFrameHeaderBytes;
    return SQLITE_OK;
  }
  return completes_commit ? Flush(f) : SQLITE_OK;
}

int WalTruncate(sqlite3_file* file, sqlite3_int64 size) {
  WalFile* f = Wal(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xTruncate(f->real, size);
}

int WalSync(sqlite3_file* file, int flags) {
  WalFile* f = Wal(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xSync(f->real, flags);
}

int WalFileSize(sqlite3_file* file, sqlite3_int64* size) {
  WalFile* f = Wal(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileSize(f->real, size);
}

int WalLock(sqlite3_file* file, int level) {
  WalFile* f = Wal(file);
  return f->real->pMethods->xLock(f->real, level);
}

int WalUnlock(sqlite3_file* file, int level) {
  WalFile* f = Wal(file);
  return f->real->pMethods->xUnlock(f->real, level);
}

int WalCheckReservedLock(sqlite3_file* file, int* out) {
  WalFile* f = Wal(file);
  return f->real->pMethods->xCheckReservedLock(f->real, out);
}

int WalFileControl(sqlite3_file* file, int op, void* arg) {
  WalFile* f = Wal(file);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileControl(f->real, op, arg);
}

int WalSectorSize(sqlite3_file* file) {
  WalFile* f = Wal(file);
  return f->real->pMethods->xSectorSize(f->real);
}

int WalDeviceCharacteristics(sqlite3_file* file) {
  WalFile* f = Wal(file);
  return f->real->pMethods->xDeviceCharacteristics(f->real);
}

// Version 1: a WAL file is never memory-mapped and has no shared memory of
// its own (the WAL index belongs to the database file).
constexpr sqlite3_io_methods kWalMethods = {
    1,
    WalClose,
    WalRead,
    WalWrite,
    WalTruncate,
    WalSync,
    WalFileSize,
    WalLock,
    WalUnlock,
    WalCheckReservedLock,
    WalFileControl,
    WalSectorSize,
    WalDeviceCharacteristics,
    nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
};

constexpr int AlignedWalFileSize() {
  return static_cast<int>((sizeof(WalFile) + 15) / 16 * 16);
}

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file,
         int flags, int* out_flags) {
  sqlite3_vfs* base = Base(vfs);
  if ((flags & SQLITE_OPEN_WAL) == 0) {
    // The allocation is at least the base's size: the file is the base's.
    return base->xOpen(base, name, file, flags, out_flags);
  }
  WalFile* f = Wal(file);
  f->base.pMethods = nullptr;
  f->real = reinterpret_cast<sqlite3_file*>(
      reinterpret_cast<unsigned char*>(file) + AlignedWalFileSize());
  f->buf = nullptr;
  f->len = 0;
  f->cap = 0;
  f->start = 0;
  f->commit_page_at = -1;
  f->real->pMethods = nullptr;
  const int rc = base->xOpen(base, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (f->real->pMethods) f->real->pMethods->xClose(f->real);
    return rc;
  }
  f->base.pMethods = &kWalMethods;
  return SQLITE_OK;
}

int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return Base(vfs)->xDelete(Base(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Base(vfs)->xAccess(Base(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return Base(vfs)->xFullPathname(Base(vfs), name, n, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) {
  return Base(vfs)->xDlOpen(Base(vfs), name);
}
void DlError(sqlite3_vfs* vfs, int n, char* out) {
  Base(vfs)->xDlError(Base(vfs), n, out);
}
void (*DlSym(sqlite3_vfs* vfs, void* lib, const char* symbol))(void) {
  return Base(vfs)->xDlSym(Base(vfs), lib, symbol);
}
void DlClose(sqlite3_vfs* vfs, void* lib) { Base(vfs)->xDlClose(Base(vfs), lib); }
int Randomness(sqlite3_vfs* vfs, int n, char* out) {
  return Base(vfs)->xRandomness(Base(vfs), n, out);
}
int Sleep(sqlite3_vfs* vfs, int micros) {
  return Base(vfs)->xSleep(Base(vfs), micros);
}
int GetLastError(sqlite3_vfs* vfs, int n, char* out) {
  return Base(vfs)->xGetLastError(Base(vfs), n, out);
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return Base(vfs)->xCurrentTimeInt64(Base(vfs), out);
}

sqlite3_vfs vfs_storage;

const char* Register() {
  sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
  if (base == nullptr || base->iVersion < 2) return nullptr;
  sqlite3_vfs& v = vfs_storage;
  v.iVersion = 2;  // no xSetSystemCall: that is for SQLite's own tests
  v.szOsFile = AlignedWalFileSize() + base->szOsFile;
  v.mxPathname = base->mxPathname;
  v.pNext = nullptr;
  v.zName = kName;
  v.pAppData = base;
  v.xOpen = Open;
  v.xDelete = Delete;
  v.xAccess = Access;
  v.xFullPathname = FullPathname;
  v.xDlOpen = DlOpen;
  v.xDlError = DlError;
  v.xDlSym = DlSym;
  v.xDlClose = DlClose;
  v.xRandomness = Randomness;
  v.xSleep = Sleep;
  // SQLite asks a version-2 VFS for the time through xCurrentTimeInt64
  // (below); the older entry point is the base's own, whose unix version
  // does not look at the VFS it is given.
  v.xCurrentTime = base->xCurrentTime;
  v.xGetLastError = GetLastError;
  v.xCurrentTimeInt64 = CurrentTimeInt64;
  if (sqlite3_vfs_register(&v, /*makeDflt=*/0) != SQLITE_OK) return nullptr;
  return kName;
}

}  // namespace

const char* WalVfsName() {
  static const char* const name = Register();
  return name;
}

}  // namespace fixgw::store::internal
