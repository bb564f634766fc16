// The bounds fixgw and fixsim put on one FIX connection, plaintext or TLS
// (issues 10 and 19, hostile peers): the defaults of the transport's
// net::ConnectionLimits, which enforces them (transport_settings.cc checks
// that they agree). Plain constants, no QuickFIX: tests state their memory
// and time bounds with them.
#pragma once

#include <chrono>
#include <cstddef>

namespace fixgw::fix {

// A connection is dropped once it has sent this many bytes without
// completing its first message (the Logon); QuickFIX's framer otherwise
// keeps bytes that hold no "8=" for ever. A Logon is a few hundred bytes.
inline constexpr std::size_t kMaxBytesBeforeFirstMessage = 64 * 1024;

// A connection with a session is dropped once it has sent this many bytes
// since its last complete message: the largest message fixgw takes (the
// framer holds a message whole until its BodyLength has arrived).
inline constexpr std::size_t kMaxBytesPerMessage = 4 * 1024 * 1024;

// A connection that names no session within this time (QuickFIX's
// LogonTimeout of the sessions on its port, the longest of them) is
// dropped; this is the fallback when no session there says otherwise, and
// QuickFIX's own default for LogonTimeout.
inline constexpr std::chrono::seconds kDefaultFirstMessageTimeout{10};

// An accepted connection is not read while more than this many bytes wait
// to be sent to it (a broker that asks and does not read its answers),
// until they are down to a quarter: its memory stays bounded by this, not
// by the slow-consumer cut (net::ConnectionLimits::max_outbound_bytes).
inline constexpr std::size_t kPauseReadingAboveBytes = 1024 * 1024;

// At most this many messages of one accepted connection are decided per
// loop turn; the rest wait for the next turn. A broker that floods shares
// each turn (and its journal commit) with the others instead of filling
// it.
inline constexpr std::size_t kMaxMessagesPerTurn = 256;

// A send that makes no progress for this long (the peer's TCP window stays
// closed: it does not read) aborts the connection; the session is then
// disconnected like any other.
inline constexpr std::chrono::seconds kSendStallTimeout{10};

}  // namespace fixgw::fix
