// A misbehaving FIX peer for hostile-input tests: a raw TCP connection to
// 127.0.0.1 whose sends never block (a peer that the gateway stops reading
// from must not hang the test), whose receive buffer can be shrunk and
// which may never read at all. Plus the resident memory of a process, to
// state memory bounds. Every wait is bounded. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "tests/harness/process.h"

namespace fixgw::testing {

class HostilePeer {
 public:
  // Connects to 127.0.0.1:port; `receive_buffer` > 0 sets SO_RCVBUF (bytes)
  // before connecting, so that a peer that never reads fills up quickly.
  explicit HostilePeer(int port, int receive_buffer = 0);
  ~HostilePeer();
  HostilePeer(const HostilePeer&) = delete;
  HostilePeer& operator=(const HostilePeer&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends as much of `bytes` as the socket takes within `timeout`; returns
  // how many bytes went (fewer when the peer stopped reading, or -1 if the
  // connection failed before anything went).
  int64_t Send(const std::string& bytes, std::chrono::milliseconds timeout);
  // Reads what arrives within `timeout` and appends it to received().
  void Receive(std::chrono::milliseconds timeout);
  // True once the peer closed the connection (reads within `timeout`).
  bool WaitClosed(std::chrono::milliseconds timeout);
  // True once the other end closed or reset the connection (waits up to
  // `timeout`), found without reading: whatever it sent stays unread.
  bool ClosedWithoutReading(std::chrono::milliseconds timeout);
  const std::string& received() const { return received_; }
  void Close();

 private:
  int fd_ = -1;
  bool closed_ = false;
  std::string received_;
};

// VmRSS of process `pid` in KiB (from /proc/PID/status); -1 if unknown.
int64_t ResidentKb(pid_t pid);

// Whether the programs run under a sanitizer in this build. Their RSS then
// says little about their own memory (ASan keeps freed memory in its
// quarantine, TSan doubles it in shadow memory): memory bounds are checked
// in plain builds only. And their own work (not their timers) takes
// several times longer: a test that waits for work to be done waits
// longer (kSanitizerSlowdown).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kUnderSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kUnderSanitizer = true;
#else
inline constexpr bool kUnderSanitizer = false;
#endif
#else
inline constexpr bool kUnderSanitizer = false;
#endif
inline constexpr bool kMemoryIsMeaningful = !kUnderSanitizer;
inline constexpr int kSanitizerSlowdown = kUnderSanitizer ? 6 : 1;

// The number of threads of process `pid` (Threads: in /proc/PID/status);
// -1 if unknown.
int64_t ThreadCount(pid_t pid);

// The number of memory mappings of process `pid` (lines of
// /proc/PID/maps; each thread's stack adds two); -1 if unknown.
int64_t MappingCount(pid_t pid);

// The messages of the hostile-peer suites (plaintext and TLS), '|' for
// SOH as FixMessage takes them.
namespace hostile {

// A limit buy of 10 MSFT at 1.
inline std::string Order(const std::string& cl_ord_id) {
  return "11=" + cl_ord_id + "|55=MSFT|54=1|60=" + FixNow() +
         "|38=10|40=2|44=1|59=0|";
}

inline std::string Header(const std::string& type, const std::string& sender,
                          int seq) {
  return "35=" + type + "|49=" + sender + "|56=GW|34=" + std::to_string(seq) +
         "|52=" + FixNow() + "|";
}

// A Logon with ResetSeqNumFlag, HeartBtInt 30.
inline std::string LogonBytes(const std::string& sender) {
  return FixMessage(Header("A", sender, 1) + "98=0|108=30|141=Y|");
}

}  // namespace hostile

}  // namespace fixgw::testing
