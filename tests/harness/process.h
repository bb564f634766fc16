// Test harness for scenarios that run the project's programs as real
// processes on loopback: free ports, child processes with bounded waits,
// temporary directories, and a raw FIX client for hostile input.
//
// Everything binds and connects to 127.0.0.1 only. Every wait is bounded.
// Not thread-safe; one test thread uses it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace fixgw::testing {

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

// True once something accepts connections on 127.0.0.1:port.
bool WaitForPort(int port, std::chrono::milliseconds timeout);

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes `content` to path()/name and returns the full path.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

// A child process; stdout and stderr go to `log_path` (appended).
// Destruction kills it (SIGKILL) if still running.
class Process {
 public:
  Process(std::vector<std::string> argv, const std::string& log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  void Signal(int sig);
  // SIGSTOP / SIGCONT: the process freezes with its sockets open (a hung
  // peer: the kernel still accepts bytes for it), then resumes.
  void Stop();
  void Continue();
  // Exit status (as from WEXITSTATUS, or 128+signal), nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Runs a program to completion (bounded); returns its exit code, or -1 on
// timeout (the program is then killed). Output goes to `log_path`.
int RunToCompletion(std::vector<std::string> argv, const std::string& log_path,
                    std::chrono::milliseconds timeout);

std::string ReadFile(const std::string& path);

// A program's exit code (-1 on timeout) and its output, kept apart.
struct Ran {
  int rc = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs `argv` like RunToCompletion; stdout and stderr go to `base`.out and
// `base`.err, which are read back.
Ran RunCapturing(const std::vector<std::string>& argv, const std::string& base,
                 std::chrono::milliseconds timeout);

// A raw TCP connection to 127.0.0.1:port, for bytes QuickFIX would never
// send. Receives with a bounded wait.
class RawClient {
 public:
  explicit RawClient(int port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool Send(const std::string& bytes);
  // Reads what arrives until `timeout` passes or the peer closes; returns
  // everything read so far (accumulated across calls).
  std::string Receive(std::chrono::milliseconds timeout);
  // True if the peer closed the connection within `timeout`.
  bool WaitClosed(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  bool closed_ = false;
  std::string buffer_;
};

// A complete FIX message: BeginString FIX.4.4, BodyLength and CheckSum
// computed. `body` holds the fields after BodyLength, '|' as separator
// (e.g. "35=A|49=X|56=Y|34=1|52=...|98=0|108=30|").
std::string FixMessage(const std::string& body);
// Current UTC time as a FIX SendingTime value.
std::string FixNow();

}  // namespace fixgw::testing
