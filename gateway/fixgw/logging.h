// fixgw's own log (spdlog): one line per event, UTC timestamps, levels, to
// the console and/or a file. QuickFIX's message and event logs stay
// separate (FileLogPath in the session settings).
//
//   2026-11-27T01:02:03.456789Z info  order accepted session=... ClOrdID=...
//
// Before InitLogging the default spdlog logger (stdout) is used; the
// gateway logs through spdlog's default logger everywhere else.
#pragma once

#include <string>

#include "gateway/core/result.h"

namespace fixgw::gw {

struct LogOptions {
  std::string level = "info";     // debug | info | warn | error
  std::string console = "stderr";  // stderr | stdout | off
  std::string file;                // "": no file
};

// Replaces the default logger. A file that cannot be opened is an error
// naming it. Lines at warn and above are written at once, the rest within
// 100 ms (buffered: not a system call per line).
Status InitLogging(const LogOptions& options);

}  // namespace fixgw::gw
