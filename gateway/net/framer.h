// Framer: splits a FIX byte stream into whole raw messages
// ("8=...<SOH>9=N<SOH>...10=NNN<SOH>"), with bounded memory. Pure: no I/O,
// no clock, no QuickFIX. One Framer per connection; not thread-safe.
//
// Bounds. Every byte received after the end of the last complete message
// (or since the start, before the first) counts toward the next message,
// garbage included: a stream that holds no "8=" is discarded as it arrives
// but still counted, so a peer cannot keep a connection busy with noise.
// The count may reach max_bytes_before_first_message until the first
// message is complete and max_message_bytes after it; one byte more is an
// error. A declared BodyLength that would take the message past the limit
// is an error as soon as the header is read, before the body arrives.
// Memory held: at most the limit plus one Feed. Errors are sticky: the
// stream has lost its framing (or the peer is hostile) and the caller is
// expected to cut the connection, with ErrorText() as the reason.
//
// What is checked: "8=" then 1..32 bytes of BeginString then SOH, then
// "9=" with 1..9 digits then SOH, then BodyLength bytes, then "10=" with
// three digits then SOH. Bytes after an "8=" that do not lead to "9=" are
// garbage (the search resumes after that "8="); a "9=" that is not a
// number, or a missing "10=NNN<SOH>" where BodyLength says the message
// ends, is an error. The checksum value and everything inside the body are
// the session layer's business.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fixgw::net {

struct FramerLimits {
  // A Logon is a few hundred bytes.
  std::size_t max_bytes_before_first_message = 64 * 1024;
  // The largest message taken, garbage before it included.
  std::size_t max_message_bytes = 4 * 1024 * 1024;
};

enum class FrameError : std::uint8_t {
  kNone,
  kFirstMessageTooLarge,  // over max_bytes_before_first_message, no message
  kMessageTooLarge,       // over max_message_bytes since the last message
  kBadBodyLength,         // "9=" not followed by 1..9 digits and SOH
  kBadTrailer,            // no "10=NNN<SOH>" where BodyLength ends
};

// "first_message_too_large" etc.: stable names for logs and journals.
std::string_view FrameErrorName(FrameError error);

class Framer {
 public:
  enum class Status : std::uint8_t { kMessage, kNeedMore, kError };

  explicit Framer(FramerLimits limits = {});

  // Appends received bytes. Call Next() until it stops returning kMessage
  // before the next Feed, so that memory stays bounded.
  void Feed(std::string_view bytes);
  // The same without a copy: Prepare() returns room for `size` bytes (valid
  // until the next Feed/Prepare/Commit), Commit() appends the `used` first
  // of them (used <= size).
  char* Prepare(std::size_t size);
  void Commit(std::size_t used);

  // The next complete message into *message (a view into the framer's
  // buffer, valid until the next Feed, Prepare or Commit: several messages
  // of one Feed may be held at once), or kNeedMore, or kError (sticky).
  Status Next(std::string_view* message);

  FrameError error() const { return error_; }
  // One line for a disconnect reason, e.g. "65537 bytes received without a
  // complete first message (limit 65536)". Empty without an error.
  const std::string& ErrorText() const { return error_text_; }

  bool seen_first_message() const { return messages_ > 0; }
  std::uint64_t messages() const { return messages_; }
  // Bytes counted toward the next message (garbage included): what the
  // limit is compared with.
  std::size_t pending_bytes() const;
  // The limit that applies now.
  std::size_t current_limit() const;
  // Memory the buffer holds (capacity), for tests and metrics.
  std::size_t held_bytes() const { return buffer_.capacity(); }

 private:
  Status Fail(FrameError error, std::string text);
  // Drops consumed bytes from the front of the buffer.
  void Compact();

  static constexpr std::size_t kNotPrepared = static_cast<std::size_t>(-1);

  FramerLimits limits_;
  std::string buffer_;
  std::size_t prepared_at_ = kNotPrepared;  // Prepare()d, not Commit()ted
  std::size_t start_ = 0;                   // first unconsumed byte of buffer_
  std::size_t garbage_ = 0;  // bytes discarded since the last message
  std::uint64_t messages_ = 0;
  FrameError error_ = FrameError::kNone;
  std::string error_text_;
};

}  // namespace fixgw::net
