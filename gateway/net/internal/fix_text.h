// Test helper: builds well-formed raw FIX messages (BodyLength and CheckSum
// computed) from "35=A|34=1|" text, '|' standing for SOH. Test-only.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace fixgw::net::testing {

inline std::string Soh(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '|') c = '\x01';
  }
  return out;
}

inline std::string FixMessage(std::string_view fields,
                              std::string_view begin = "FIX.4.4") {
  const std::string body = Soh(fields);
  std::string message = "8=" + std::string(begin) + "\x01" +
                        "9=" + std::to_string(body.size()) + "\x01" + body;
  unsigned sum = 0;
  for (const char c : message) sum += static_cast<unsigned char>(c);
  char trailer[16];
  std::snprintf(trailer, sizeof trailer, "10=%03u\x01", sum % 256);
  return message + trailer;
}

// A message of exactly `size` bytes (size >= 40), padded in tag 58.
inline std::string FixMessageOfSize(std::size_t size) {
  std::string probe = FixMessage("35=0|58=|");
  std::size_t pad = size - probe.size();
  // BodyLength may gain digits as the body grows; adjust until exact.
  for (;;) {
    std::string m = FixMessage("35=0|58=" + std::string(pad, 'x') + "|");
    if (m.size() == size) return m;
    pad -= m.size() - size;
  }
}

}  // namespace fixgw::net::testing
