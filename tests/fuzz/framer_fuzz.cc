// libFuzzer: bytes from any peer's socket -> gateway/net's Framer, the one
// the transport uses. The same bytes are framed three ways (in one Feed, in
// chunks whose sizes the input chooses, and byte by byte through
// Prepare/Commit); all three must agree on the messages and on whether the
// stream fails, every message must be well formed and within the limit,
// and the bytes held must never exceed the limit. The input is the raw
// stream itself (so the broker_inbound seeds serve as they are); it is run
// under the production limits and under tight ones the input's size and
// hash choose, so that the limits are reached.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/net/framer.h"

namespace {

using fixgw::net::FrameError;
using fixgw::net::Framer;
using fixgw::net::FramerLimits;

void Check(bool ok) {
  if (!ok) std::abort();
}

// "8=" .. SOH "9=" N SOH, N bytes, "10=" 3 digits SOH.
void CheckWellFormed(std::string_view m) {
  Check(m.substr(0, 2) == "8=");
  const std::size_t soh = m.find('\x01');
  Check(soh != std::string_view::npos && soh > 2);
  Check(m.substr(soh + 1, 2) == "9=");
  const std::size_t end = m.find('\x01', soh + 3);
  Check(end != std::string_view::npos);
  std::size_t body = 0;
  for (std::size_t i = soh + 3; i < end; ++i) {
    Check(m[i] >= '0' && m[i] <= '9');
    body = body * 10 + static_cast<std::size_t>(m[i] - '0');
  }
  Check(m.size() == end + 1 + body + 7);
  const std::string_view trailer = m.substr(m.size() - 7);
  Check(trailer.substr(0, 3) == "10=" && trailer[6] == '\x01');
}

struct Outcome {
  std::vector<std::string> messages;
  bool failed = false;
};

// Drains `framer` after a feed, checking the invariants on the way.
void Drain(Framer& framer, const FramerLimits& limits, Outcome& out) {
  std::string_view m;
  for (;;) {
    const std::size_t limit = framer.current_limit();
    const Framer::Status st = framer.Next(&m);
    if (st == Framer::Status::kMessage) {
      CheckWellFormed(m);
      Check(m.size() <= limit);
      out.messages.emplace_back(m);
      continue;
    }
    if (st == Framer::Status::kError) {
      Check(framer.error() != FrameError::kNone);
      Check(!framer.ErrorText().empty());
      out.failed = true;
      return;
    }
    Check(framer.pending_bytes() <= framer.current_limit());
    Check(framer.current_limit() ==
          (framer.seen_first_message()
               ? limits.max_message_bytes
               : limits.max_bytes_before_first_message));
    return;
  }
}

}  // namespace

namespace {

void RunOnce(std::string_view stream, const FramerLimits& limits,
             std::uint32_t chunk_seed) {
  Outcome whole;
  {
    Framer framer(limits);
    framer.Feed(stream);
    Drain(framer, limits, whole);
  }

  Outcome chunked;
  {
    Framer framer(limits);
    std::size_t at = 0;
    std::uint32_t state = chunk_seed | 1u;
    while (at < stream.size() && !chunked.failed) {
      state = state * 1103515245u + 12345u;  // sizes 1..64 from the seed
      const std::size_t n =
          std::min<std::size_t>(1 + (state >> 16) % 64, stream.size() - at);
      framer.Feed(stream.substr(at, n));
      at += n;
      Drain(framer, limits, chunked);
    }
  }

  Outcome bytewise;
  {
    Framer framer(limits);
    for (std::size_t i = 0; i < stream.size() && !bytewise.failed; ++i) {
      char* room = framer.Prepare(8);
      room[0] = stream[i];
      framer.Commit(1);
      Drain(framer, limits, bytewise);
    }
  }

  Check(whole.failed == chunked.failed && whole.failed == bytewise.failed);
  Check(whole.messages == chunked.messages);
  Check(whole.messages == bytewise.messages);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view stream(reinterpret_cast<const char*>(data), size);
  std::uint32_t hash = 2166136261u;  // FNV-1a: chunking and tight limits
  for (const char c : stream) {
    hash = (hash ^ static_cast<std::uint8_t>(c)) * 16777619u;
  }

  RunOnce(stream, FramerLimits{}, hash);  // what the gateway runs with
  FramerLimits tight;
  tight.max_bytes_before_first_message = 16 + hash % 256;
  tight.max_message_bytes =
      tight.max_bytes_before_first_message + (hash >> 8) % 512;
  RunOnce(stream, tight, hash >> 3);
  FramerLimits edge;  // the whole input is exactly at the first limit
  edge.max_bytes_before_first_message = size;
  edge.max_message_bytes = size;
  RunOnce(stream, edge, hash >> 5);
  return 0;
}
