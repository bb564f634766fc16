// Text helpers for hand-parsed files and answers (no I/O).
#pragma once

#include <string_view>

namespace fixgw {

// `s` without leading and trailing blanks: spaces, tabs, and the '\r' a
// file written on Windows leaves before each '\n'.
inline std::string_view TrimBlanks(std::string_view s) {
  const size_t first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const size_t last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

}  // namespace fixgw
