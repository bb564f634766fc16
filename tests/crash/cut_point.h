// Where crashproxy cuts a chunk of a FIX byte stream: in the middle of the
// first message that starts in it, so the receiver never gets that message
// whole. Pure; thread-compatible.
#pragma once

#include <cstddef>
#include <string_view>

namespace fixgw::crash {

// How many bytes of `chunk` to forward before cutting: at least one byte
// of the first message that starts in the chunk ("8=FIX") and fewer than
// its end (its "<SOH>10=" checksum field); without a message start, half
// the chunk. Always < chunk.size() for a non-empty chunk.
inline size_t CutPoint(std::string_view chunk) {
  if (chunk.size() <= 1) return 0;
  size_t start = chunk.find("8=FIX");
  if (start == std::string_view::npos) return chunk.size() / 2;
  size_t checksum = chunk.find("\00110=", start);
  size_t end = checksum == std::string_view::npos ? chunk.size() : checksum;
  size_t cut = start + (end - start) / 2;
  if (cut <= start) cut = start + 1;
  if (cut >= chunk.size()) cut = chunk.size() - 1;
  return cut;
}

}  // namespace fixgw::crash
