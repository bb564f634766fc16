// The message record of fixload; format and threads in recorder.h.
#include "sim/fixload/recorder.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "gateway/core/clock.h"
#include "gateway/fix/describe.h"
#include "sim/fixload/script.h"

namespace fixgw::load {
namespace {

constexpr int kMsgType = 35;

struct Column {
  const char* key;
  int tag;
};

// After dir and time_us, in record order (recorder.h).
constexpr std::array<Column, 20> kColumns{{
    {"type", 35},        {"seq", 34},     {"possdup", 43},   {"clordid", 11},
    {"origclordid", 41}, {"execid", 17},  {"exectype", 150}, {"ordstatus", 39},
    {"account", 1},      {"side", 54},    {"symbol", 55},    {"qty", 38},
    {"price", 44},       {"lastqty", 32}, {"lastpx", 31},    {"cumqty", 14},
    {"leavesqty", 151},  {"refseq", 45},  {"bizrefid", 379}, {"text", 58},
}};

void AppendClean(std::string& out, std::string_view value) {
  for (char c : value) {
    out.push_back(c == '\t' || c == '\n' || c == '\r' ? ' ' : c);
  }
}

}  // namespace

std::string RecordLine(bool outbound, int64_t time_us, std::string_view raw) {
  FieldList fields = fix::SplitFix(raw);
  std::string line = outbound ? "dir=out" : "dir=in";
  line += "\ttime_us=" + std::to_string(time_us);
  for (const Column& c : kColumns) {
    line += '\t';
    line += c.key;
    line += '=';
    std::optional<std::string> value = FindField(fields, c.tag);
    if (c.tag == 43) {
      line += value == "Y" ? "Y" : "N";
    } else if (value) {
      AppendClean(line, *value);
    }
  }
  return line;
}

std::string RecordHeader(const std::string& session) {
  return "# fixload record v1 session=" + session;
}

Result<std::unique_ptr<MessageRecorder>> MessageRecorder::Open(
    const std::string& path, const std::string& session) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::InvalidArgument("--record " + path + ": " +
                                   std::strerror(errno));
  }
  std::unique_ptr<MessageRecorder> recorder(new MessageRecorder(fd));
  recorder->WriteLine(RecordHeader(session));
  return recorder;
}

MessageRecorder::~MessageRecorder() { ::close(fd_); }

void MessageRecorder::Record(bool outbound, std::string_view raw) {
  WriteLine(RecordLine(outbound, Now().time_since_epoch().count(), raw));
}

void MessageRecorder::WriteLine(std::string line) {
  line += '\n';
  std::lock_guard lock(mu_);
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a full disk loses lines; the checker notices
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void RecordingListener::OnInbound(const FIX::Message& message,
                                  SteadyTime received) {
  const FIX::Header& header = message.getHeader();
  std::string type =
      header.isSetField(kMsgType) ? header.getField(kMsgType) : std::string();
  if (type != "5") recorder_->Record(/*outbound=*/false, message.toString());
  if (inner_ != nullptr) inner_->OnInbound(message, received);
}

void RecordingListener::OnOutbound(const FIX::Message& message) {
  recorder_->Record(/*outbound=*/true, message.toString());
  if (inner_ != nullptr) inner_->OnOutbound(message);
}

}  // namespace fixgw::load
