// File-path text helpers (no I/O).
#pragma once

#include <string>

namespace fixgw {

// The directory part of `path`: "." for a bare file name, "/" for a file
// in the root ("/j.db"), otherwise everything before the last '/'.
inline std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace fixgw
