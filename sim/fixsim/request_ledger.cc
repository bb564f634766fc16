#include "sim/fixsim/request_ledger.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fixgw::sim {

std::string RequestLedger::Key(std::string_view session,
                               std::string_view cl_ord_id) {
  std::string key;
  key.reserve(session.size() + 1 + cl_ord_id.size());
  key.append(session).push_back('\t');
  key.append(cl_ord_id);
  return key;
}

Result<std::unique_ptr<RequestLedger>> RequestLedger::Open(
    const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC,
                        0600);
  if (fd < 0) {
    return Status::Unavailable(path + ": cannot open the request ledger: " +
                           std::strerror(errno));
  }
  std::FILE* file = ::fdopen(fd, "a+");
  if (file == nullptr) {
    const int err = errno;
    ::close(fd);
    return Status::Unavailable(path + ": cannot open the request ledger: " +
                           std::strerror(err));
  }
  std::unique_ptr<RequestLedger> ledger(new RequestLedger(path, file));
  std::rewind(file);
  std::string line;
  long whole_end = 0;  // the offset after the last whole line
  long offset = 0;
  for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) {
    ++offset;
    if (c != '\n') {
      line.push_back(static_cast<char>(c));
      continue;
    }
    // Only whole lines count; a tab separates session and ClOrdID.
    if (line.find('\t') != std::string::npos) ledger->keys_.insert(line);
    line.clear();
    whole_end = offset;
  }
  if (std::ferror(file)) {
    return Status::Unavailable(path + ": cannot read the request ledger");
  }
  if (offset != whole_end && ::ftruncate(fd, whole_end) != 0) {
    // A line cut short by a kill: dropped, so the next record starts clean.
    return Status::Unavailable(path + ": cannot write the request ledger: " +
                               std::strerror(errno));
  }
  return ledger;
}

RequestLedger::~RequestLedger() { std::fclose(file_); }

bool RequestLedger::Contains(std::string_view session,
                             std::string_view cl_ord_id) const {
  return keys_.contains(Key(session, cl_ord_id));
}

Status RequestLedger::Record(std::string_view session,
                             std::string_view cl_ord_id) {
  std::string key = Key(session, cl_ord_id);
  if (key.find('\n') != std::string::npos) {
    return Status::InvalidArgument("a ClOrdID with a line feed");
  }
  const std::string line = key + '\n';
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() ||
      std::fflush(file_) != 0) {
    return Status::Unavailable(path_ + ": cannot write the request ledger: " +
                           std::strerror(errno));
  }
  keys_.insert(std::move(key));
  return Status::Ok();
}

}  // namespace fixgw::sim
