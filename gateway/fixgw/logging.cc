#include "gateway/fixgw/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fixgw::gw {
namespace {

// The console (stderr or stdout) with a buffer: lines are written when the
// logger flushes (at once for warn and above), 100 ms after the first line
// that waits, or when 64 KiB wait; not one write(2) per line. spdlog's own console sinks
// flush every line: three system calls per order at info, about 5% of
// the loop thread's time at 8,000 orders/s (docs/BENCHMARKS.md). A crash
// loses at most the last 100 ms of info lines; the journal is the record.
class BufferedConsoleSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit BufferedConsoleSink(int fd) : fd_(fd) {
    writer_ = std::thread([this] { WriteBehind(); });
  }
  ~BufferedConsoleSink() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_one();
    writer_.join();
    std::lock_guard lock(mutex_);
    WriteOut();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    const bool was_empty = buffer_.empty();
    buffer_.append(line.data(), line.size());
    if (buffer_.size() >= kFlushBytes) {
      WriteOut();
    } else if (was_empty) {
      wake_.notify_one();
    }
  }
  void flush_() override { WriteOut(); }

 private:
  static constexpr size_t kFlushBytes = 64 * 1024;
  static constexpr std::chrono::milliseconds kDelay{100};

  // Writes what waits at most kDelay after its first line arrived.
  void WriteBehind() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      wake_.wait(lock, [&] { return stop_ || !buffer_.empty(); });
      if (stop_) break;
      wake_.wait_for(lock, kDelay, [&] { return stop_; });
      WriteOut();
    }
  }

  // Whatever the console does (closed, full), the gateway goes on: what
  // cannot be written is dropped.
  void WriteOut() {
    size_t done = 0;
    while (done < buffer_.size()) {
      const ssize_t n =
          ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    buffer_.clear();
  }

  const int fd_;
  std::string buffer_;           // guarded by base_sink::mutex_
  bool stop_ = false;            // guarded by base_sink::mutex_
  std::condition_variable wake_;
  std::thread writer_;
};

}  // namespace

Status InitLogging(const LogOptions& options) {
  std::vector<spdlog::sink_ptr> sinks;
  if (options.console == "stderr") {
    sinks.push_back(std::make_shared<BufferedConsoleSink>(STDERR_FILENO));
  } else if (options.console == "stdout") {
    sinks.push_back(std::make_shared<BufferedConsoleSink>(STDOUT_FILENO));
  }
  if (!options.file.empty()) {
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(
          options.file, /*truncate=*/false));
    } catch (const spdlog::spdlog_ex& e) {
      return Status::Unavailable("LogFile=" + options.file + ": " + e.what());
    }
  }
  auto logger =
      std::make_shared<spdlog::logger>("fixgw", sinks.begin(), sinks.end());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %-5l %v",
                      spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(options.level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  spdlog::flush_every(std::chrono::seconds(1));  // the file's buffer
  return Status::Ok();
}

}  // namespace fixgw::gw
