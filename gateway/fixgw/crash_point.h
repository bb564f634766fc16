// Deterministic crash points for the crash battery (scripts/crashtest.sh):
// with FIXGW_CRASH_POINT=<name>:<n> in its environment, fixgw kills itself
// with SIGKILL the n-th time it reaches the named point. Points:
//   before-journal a broker order/cancel/replace is decided, not journaled
//                  (nothing of it may be logged or sent yet)
//   after-journal  a broker order/cancel/replace is journaled, nothing sent
//   after-send     an order/cancel/replace was handed to the exchange
//                  session, before the exchange can have answered
//   after-report   an exchange report is journaled, not relayed yet
// Without the variable Hit() is one relaxed atomic load. Thread-safe.
#pragma once

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace fixgw::gw {

class CrashPoint {
 public:
  // Reads FIXGW_CRASH_POINT; a malformed value is reported and ignored.
  static CrashPoint FromEnvironment() {
    CrashPoint p;
    const char* spec = std::getenv("FIXGW_CRASH_POINT");
    if (spec == nullptr || *spec == '\0') return p;
    std::string s(spec);
    const size_t colon = s.rfind(':');
    long n = 0;
    if (colon != std::string::npos)
      n = std::strtol(s.c_str() + colon + 1, nullptr, 10);
    if (colon == std::string::npos || n < 1) {
      std::fprintf(stderr, "fixgw: FIXGW_CRASH_POINT=%s ignored: want NAME:N\n",
                   spec);
      return p;
    }
    p.name_ = s.substr(0, colon);
    p.remaining_.store(n);
    return p;
  }

  CrashPoint() = default;
  CrashPoint(CrashPoint&& other) noexcept
      : name_(std::move(other.name_)), remaining_(other.remaining_.load()) {}

  void Hit(std::string_view point) {
    if (remaining_.load(std::memory_order_relaxed) <= 0 || point != name_) {
      return;
    }
    if (remaining_.fetch_sub(1) == 1) {
      std::fprintf(stderr, "fixgw: crash point %s reached: SIGKILL\n",
                   name_.c_str());
      raise(SIGKILL);
    }
  }

 private:
  std::string name_;
  std::atomic<long> remaining_{0};
};

}  // namespace fixgw::gw
