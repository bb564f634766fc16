// The service manager's notification protocol (systemd's sd_notify(3)),
// written here instead of linking libsystemd: one datagram per
// notification, newline-separated VAR=VALUE lines, to the AF_UNIX socket
// named by NOTIFY_SOCKET (a path, or an abstract name written with a
// leading '@'). fixgw sends READY=1 once it serves, STATUS= lines,
// RELOADING=1 around a risk reload, STOPPING=1 when it drains and
// WATCHDOG=1 from its event loop (docs/systemd/fixgw.service).
//
// Without NOTIFY_SOCKET (not started by systemd, or Type=simple) the
// notifier is disabled and every call does nothing. The socket is opened
// once; the object is immutable afterwards, so Notify() may be called from
// any thread (each call is one sendto(2)).
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/result.h"
#include "gateway/net/unique_fd.h"

namespace fixgw::gw {

class ServiceNotifier {
 public:
  // What the service manager put in the environment.
  struct Environment {
    std::optional<std::string> notify_socket;  // NOTIFY_SOCKET
    std::optional<std::string> watchdog_usec;  // WATCHDOG_USEC
    std::optional<std::string> watchdog_pid;   // WATCHDOG_PID
    pid_t pid = 0;                             // this process
  };
  static Environment ReadEnvironment();

  // Disabled.
  ServiceNotifier() = default;
  // A NOTIFY_SOCKET that is not an absolute path or an '@' name, or is too
  // long for sockaddr_un, and a WATCHDOG_USEC that is not a positive number
  // are errors naming the variable; the caller decides what they mean.
  static Result<ServiceNotifier> Create(const Environment& env);

  bool enabled() const { return fd_.valid(); }
  // The watchdog timeout the manager enforces on this process
  // (WATCHDOG_USEC, when WATCHDOG_PID is unset or names this process);
  // send WATCHDOG=1 at least every half of it.
  std::optional<std::chrono::microseconds> watchdog_timeout() const {
    return watchdog_;
  }

  // Sends `state` as one datagram. Ok (and nothing sent) when disabled.
  Status Notify(std::string_view state) const;

 private:
  net::UniqueFd fd_;
  sockaddr_un address_{};
  socklen_t address_size_ = 0;
  std::optional<std::chrono::microseconds> watchdog_;
};

// A STATUS= line: one line, whatever `text` holds (newlines become spaces).
std::string StatusLine(std::string_view text);

}  // namespace fixgw::gw
