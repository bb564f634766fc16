// A SQLite VFS that writes each WAL transaction with one system call.
//
// SQLite appends a transaction to the write-ahead log as frames, and writes
// every frame with two pwrite64 calls (its 24-byte header, then the page).
// An order's transaction is four or five frames, so about ten system calls,
// and on a virtual machine a system call costs microseconds: they were
// most of a commit's cost (docs/BENCHMARKS.md, "Journal commit cost").
//
// "fixgw-wal" wraps the default VFS. Files other than a WAL pass through
// unchanged. A WAL file gathers writes that follow one another into a
// buffer and writes the buffer at once:
//   - when the page of a commit frame (a frame header whose "database size
//     after commit" is not zero) has been added: so a transaction's frames
//     are in the file, in the page cache, before the commit returns and
//     before SQLite publishes them in the WAL index to other connections;
//   - before anything else is done with the file (read, sync, truncate,
//     size, file control, close), before a write that does not follow the
//     buffer, and when the buffer reaches kMaxBufferedBytes.
// A crash with frames still buffered loses only a transaction that had not
// committed: SQLite's recovery ignores frames after the last commit frame,
// written or not. A failed write is reported by the call that made it
// (the commit's), as SQLite's own VFS would.
//
// Internal to fixgw::store.
#pragma once

namespace fixgw::store::internal {

// Registers the VFS (once; thread-safe) and returns its name for
// sqlite3_open_v2, or nullptr (the default VFS) if it cannot be registered.
const char* WalVfsName();

// Bytes a WAL file's buffer holds at most before it is written: 16 frames
// of 4 KiB pages. It must stay below 128 KiB: the unix VFS masks the size
// of one write with 0x1ffff (SQLite never writes more than a page at once),
// so a larger write would be cut and then fail as "disk full".
inline constexpr int kMaxBufferedBytes = 64 * 1024;

}  // namespace fixgw::store::internal
