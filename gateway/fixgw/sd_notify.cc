#include "gateway/fixgw/sd_notify.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace fixgw::gw {
namespace {

std::optional<std::string> Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

}  // namespace

ServiceNotifier::Environment ServiceNotifier::ReadEnvironment() {
  return Environment{Env("NOTIFY_SOCKET"), Env("WATCHDOG_USEC"),
                     Env("WATCHDOG_PID"), ::getpid()};
}

Result<ServiceNotifier> ServiceNotifier::Create(const Environment& env) {
  ServiceNotifier n;
  if (env.watchdog_usec) {
    uint64_t usec = 0;
    const std::string& v = *env.watchdog_usec;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), usec);
    if (ec != std::errc() || end != v.data() + v.size() || usec == 0) {
      return Status::InvalidArgument("WATCHDOG_USEC=" + v +
                                     ": not a positive number");
    }
    bool ours = true;
    if (env.watchdog_pid) {
      // Set for another process (a wrapper's child): not our watchdog.
      ours = *env.watchdog_pid == std::to_string(env.pid);
    }
    if (ours) {
      n.watchdog_ = std::chrono::microseconds(static_cast<int64_t>(usec));
    }
  }
  if (!env.notify_socket || env.notify_socket->empty()) {
    n.watchdog_.reset();  // nobody to ping
    return n;
  }
  const std::string& name = *env.notify_socket;
  if (name[0] != '/' && name[0] != '@') {
    return Status::InvalidArgument(
        "NOTIFY_SOCKET=" + name +
        ": not an absolute path or an abstract socket name (@...)");
  }
  // A path needs room for its NUL; an abstract name's leading NUL replaces
  // the '@'.
  const size_t room = sizeof(n.address_.sun_path) - (name[0] == '/' ? 1u : 0u);
  if (name.size() > room) {
    return Status::InvalidArgument("NOTIFY_SOCKET=" + name + ": too long");
  }
  n.address_.sun_family = AF_UNIX;
  std::memcpy(n.address_.sun_path, name.data(), name.size());
  if (name[0] == '@') n.address_.sun_path[0] = '\0';
  n.address_size_ =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() +
                             (name[0] == '/' ? 1u : 0u));
  n.fd_.Reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!n.fd_.valid()) {
    return Status::Unavailable("NOTIFY_SOCKET=" + name +
                               ": socket: " + std::strerror(errno));
  }
  return n;
}

Status ServiceNotifier::Notify(std::string_view state) const {
  if (!enabled()) return Status::Ok();
  ssize_t sent = 0;
  do {
    sent =
        ::sendto(fd_.get(), state.data(), state.size(), MSG_NOSIGNAL,
                 reinterpret_cast<const sockaddr*>(&address_), address_size_);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    return Status::Unavailable(std::string("notify socket: ") +
                               std::strerror(errno));
  }
  if (static_cast<size_t>(sent) != state.size()) {
    return Status::Unavailable("notify socket: short send");
  }
  return Status::Ok();
}

std::string StatusLine(std::string_view text) {
  std::string out = "STATUS=";
  for (char c : text) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

}  // namespace fixgw::gw
