#include "store/journal_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace fixgw::store {
namespace {

// The pid the holder wrote ("" if none yet, or not a number).
std::string HolderPid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return "";
  std::string_view text(buf, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  if (text.empty() || text.size() > 10) return "";
  for (char c : text) {
    if (c < '0' || c > '9') return "";
  }
  return std::string(text);
}

}  // namespace

std::string JournalLock::PathFor(const std::string& journal_path) {
  return journal_path + ".lock";
}

Result<std::unique_ptr<JournalLock>> JournalLock::Acquire(
    const std::string& journal_path) {
  const std::string path = PathFor(journal_path);
  // O_NOFOLLOW: a symbolic link planted in the journal's directory does not
  // make the gateway truncate a file elsewhere.
  const int fd = ::open(path.c_str(),
                        O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return Status::Unavailable(journal_path + ": cannot create the lock file " +
                               path + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string pid = HolderPid(fd);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::FailedPrecondition(
          journal_path + ": in use by another fixgw" +
          (pid.empty() ? std::string(" (pid unknown)") : " (pid " + pid + ")") +
          ": one gateway per journal (lock " + path + ")");
    }
    return Status::Unavailable(journal_path + ": cannot lock " + path + ": " +
                               std::strerror(err));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) !=
          static_cast<ssize_t>(pid.size())) {
    const int err = errno;
    ::close(fd);
    return Status::Unavailable(journal_path + ": cannot write " + path + ": " +
                               std::strerror(err));
  }
  return std::unique_ptr<JournalLock>(new JournalLock(fd));
}

JournalLock::~JournalLock() {
  // Closing the last descriptor releases the lock. The pid stays in the
  // file: it is read only while someone holds the lock.
  ::close(fd_);
}

}  // namespace fixgw::store
