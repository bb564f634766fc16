#include "store/journal_head.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "gateway/core/clock.h"
#include "gateway/core/path.h"

namespace fixgw::store {
namespace {

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::optional<int64_t> ParseInt(const std::string& s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  int64_t value = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    if (value > (INT64_MAX - (s[i] - '0')) / 10) return std::nullopt;
    value = value * 10 + (s[i] - '0');
  }
  return s[0] == '-' ? -value : value;
}

Status WriteAll(int fd, const std::string& text, const std::string& path) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Status::Unavailable(path + ": cannot write: " +
                                 std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Control characters would break the file's line format.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') c = '?';
  }
  return text;
}

std::string Describe(const RecordedHead& head) {
  return head.reason + " at " + FormatIsoTimestamp(head.time);
}

}  // namespace

std::string HeadPath(const std::string& journal_path) {
  return journal_path + ".head";
}

Result<std::optional<RecordedHead>> ReadHead(const std::string& journal_path) {
  const std::string path = HeadPath(journal_path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<RecordedHead>();
    return Status::Unavailable(path + ": cannot read the journal's head: " +
                               std::strerror(errno));
  }
  std::map<std::string, std::string> keys;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0 ||
        !keys.emplace(line.substr(0, eq), line.substr(eq + 1)).second) {
      return Status::FailedPrecondition(path + ":" + std::to_string(number) +
                                        ": not a journal head line");
    }
  }
  auto field = [&](const char* key) -> const std::string* {
    auto it = keys.find(key);
    return it == keys.end() ? nullptr : &it->second;
  };
  const std::string* seq = field("seq");
  const std::string* hash = field("hash");
  const std::string* time = field("time_us");
  const std::string* reason = field("reason");
  std::optional<int64_t> seq_value = seq ? ParseInt(*seq) : std::nullopt;
  std::optional<int64_t> time_value = time ? ParseInt(*time) : std::nullopt;
  if (!seq_value || *seq_value < 0 || !hash || !IsHex64(*hash) ||
      !time_value || reason == nullptr) {
    return Status::FailedPrecondition(
        path + ": malformed journal head (needs seq, hash, time_us, reason)");
  }
  RecordedHead head;
  head.point = ChainPoint{*seq_value, *hash};
  head.time = Timestamp(std::chrono::microseconds(*time_value));
  head.reason = *reason;
  return std::optional<RecordedHead>(std::move(head));
}

Status WriteHead(const std::string& journal_path, const RecordedHead& head) {
  const std::string path = HeadPath(journal_path);
  const std::string tmp = path + ".tmp";
  std::ostringstream text;
  text << "# fixgw journal head (store/journal_head.h): where the hash chain\n"
          "# of " << journal_path << " ended; checked at fixgw's start\n"
       << "seq=" << head.point.seq << "\n"
       << "hash=" << head.point.hash << "\n"
       << "time_us=" << head.time.time_since_epoch().count() << "\n"
       << "time=" << FormatIsoTimestamp(head.time) << "\n"
       << "reason=" << OneLine(head.reason) << "\n";
  const int fd = ::open(tmp.c_str(),
                        O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                        0600);
  if (fd < 0) {
    return Status::Unavailable(tmp + ": cannot create: " +
                               std::strerror(errno));
  }
  Status st = WriteAll(fd, text.str(), tmp);
  if (st.ok() && ::fsync(fd) != 0) {
    st = Status::Unavailable(tmp + ": fsync failed: " + std::strerror(errno));
  }
  ::close(fd);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = Status::Unavailable(path + ": cannot replace: " +
                             std::strerror(errno));
  }
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  // The rename is durable once the directory is.
  const std::string dir = DirectoryOf(path);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Result<StartCheck> CheckAtStart(const Journal& journal, VerifyMode mode) {
  const auto start = std::chrono::steady_clock::now();
  auto recorded = ReadHead(journal.path());
  if (!recorded.ok()) return recorded.status();
  StartCheck check;
  check.recorded = *recorded;
  check.head = journal.head();
  check.verified_from = ChainPoint{journal.seed().last_seq,
                                   journal.seed().last_hash};
  auto done = [&]() -> Result<StartCheck> {
    check.took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    return check;
  };
  if (check.recorded && check.head.seq < check.recorded->point.seq) {
    const int64_t first = check.head.seq + 1;
    const int64_t last = check.recorded->point.seq;
    check.first_bad_seq = first;
    check.detail =
        (first == last ? "entry " + std::to_string(first) + " is"
                       : "entries " + std::to_string(first) + " to " +
                             std::to_string(last) + " are") +
        " missing (the file or its -wal was cut, or replaced by an older "
        "copy): the journal ends at seq " +
        std::to_string(check.head.seq) + " but its head was recorded at seq " +
        std::to_string(last) + " (" + Describe(*check.recorded) + ", " +
        HeadPath(journal.path()) + ")";
    check.problem = check.detail;
    return done();
  }
  const bool whole = mode == VerifyMode::kFull || !check.recorded;
  if (!whole) check.verified_from = check.recorded->point;
  Result<VerifyReport> report = whole
                                    ? journal.Verify()
                                    : journal.VerifyFrom(check.recorded->point);
  if (!report.ok()) return report.status();
  if (whole && check.recorded && !report->first_bad_seq) {
    // The whole chain is intact; the recorded head must still be on it.
    Result<VerifyReport> tail = journal.VerifyFrom(check.recorded->point);
    if (!tail.ok()) return tail.status();
    if (tail->first_bad_seq) report = std::move(tail);
  }
  check.entries = report->entries;
  if (report->first_bad_seq) {
    check.first_bad_seq = report->first_bad_seq;
    check.detail = report->problem;
    check.problem = "the hash chain breaks at seq " +
                    std::to_string(*report->first_bad_seq) + ": " +
                    report->problem;
  }
  return done();
}

HeadRecorder::HeadRecorder(const Journal& journal,
                           std::chrono::milliseconds interval,
                           std::function<void(const Status&)> on_error)
    : journal_(journal),
      interval_(interval),
      on_error_(std::move(on_error)),
      recorded_(journal.head()),
      thread_([this] { Loop(); }) {}

HeadRecorder::~HeadRecorder() { Stop(); }

void HeadRecorder::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HeadRecorder::Loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [&] { return stop_; })) {
    lock.unlock();
    if (journal_.head() != recorded_) {
      if (Status st = Record("running"); !st.ok() && on_error_) on_error_(st);
    }
    lock.lock();
  }
}

Status HeadRecorder::Record(const std::string& reason) {
  // The head first, then the sync: what is recorded is durable.
  const ChainPoint head = journal_.head();
  if (Status st = journal_.SyncToDisk(); !st.ok()) return st;
  if (Status st = WriteHead(journal_.path(), RecordedHead{head, Now(), reason});
      !st.ok()) {
    return st;
  }
  recorded_ = head;
  return Status::Ok();
}

Status HeadRecorder::Finish(const std::string& reason) {
  Stop();
  return Record(reason);
}

}  // namespace fixgw::store
