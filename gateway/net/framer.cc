#include "gateway/net/framer.h"

#include <cassert>
#include <cstring>

namespace fixgw::net {
namespace {

constexpr char kSoh = '\x01';
// "8=" + BeginString + SOH: FIX.4.4, FIXT.1.1 are 7-8 bytes; 32 leaves room
// for any dialect while bounding the bytes held before "9=" is seen.
constexpr std::size_t kMaxBeginString = 32;
// 999,999,999 bytes; any sane limit is far below, so more digits can only
// be an error, and nine digits cannot overflow the arithmetic below.
constexpr std::size_t kMaxBodyLengthDigits = 9;
constexpr std::size_t kTrailerSize = 7;  // "10=NNN" SOH
// Buffer capacity kept across messages; beyond it, an emptied buffer is
// released.
constexpr std::size_t kKeptCapacity = 16 * 1024;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string_view FrameErrorName(FrameError error) {
  switch (error) {
    case FrameError::kNone:
      return "none";
    case FrameError::kFirstMessageTooLarge:
      return "first_message_too_large";
    case FrameError::kMessageTooLarge:
      return "message_too_large";
    case FrameError::kBadBodyLength:
      return "bad_body_length";
    case FrameError::kBadTrailer:
      return "bad_trailer";
  }
  return "unknown";
}

Framer::Framer(FramerLimits limits) : limits_(limits) {}

std::size_t Framer::current_limit() const {
  return messages_ == 0 ? limits_.max_bytes_before_first_message
                        : limits_.max_message_bytes;
}

std::size_t Framer::pending_bytes() const {
  return garbage_ + (buffer_.size() - start_);
}

void Framer::Compact() {
  if (start_ == 0) return;
  const std::size_t rest = buffer_.size() - start_;
  // Moving a long partial message on every read would be quadratic; move
  // once the consumed part is at least as large as what remains.
  if (rest == 0) {
    buffer_.clear();
    start_ = 0;
    // A large message once must not pin its buffer for the connection's
    // life: idle connections should hold little.
    if (buffer_.capacity() > kKeptCapacity) buffer_.shrink_to_fit();
  } else if (start_ >= rest) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
}

char* Framer::Prepare(std::size_t size) {
  Compact();
  const std::size_t used = buffer_.size();
  buffer_.resize(used + size);
  prepared_at_ = used;
  return buffer_.data() + used;
}

void Framer::Commit(std::size_t used) {
  assert(prepared_at_ != kNotPrepared);
  assert(prepared_at_ + used <= buffer_.size());
  buffer_.resize(prepared_at_ + used);
  prepared_at_ = kNotPrepared;
  if (error_ != FrameError::kNone) buffer_.clear();  // nobody reads them
}

void Framer::Feed(std::string_view bytes) {
  char* room = Prepare(bytes.size());
  if (!bytes.empty()) std::memcpy(room, bytes.data(), bytes.size());
  Commit(bytes.size());
}

Framer::Status Framer::Fail(FrameError error, std::string text) {
  error_ = error;
  error_text_ = std::move(text);
  // The buffered bytes are of no further use.
  buffer_.clear();
  buffer_.shrink_to_fit();
  start_ = 0;
  return Status::kError;
}

Framer::Status Framer::Next(std::string_view* message) {
  assert(prepared_at_ == kNotPrepared && "Commit() before Next()");
  if (error_ != FrameError::kNone) return Status::kError;

  // Everything buffered belongs to the next message: is it over the limit?
  auto need_more = [this]() {
    const std::size_t pending = pending_bytes();
    const std::size_t limit = current_limit();
    if (pending <= limit) return Status::kNeedMore;
    if (messages_ == 0) {
      return Fail(FrameError::kFirstMessageTooLarge,
                  std::to_string(pending) +
                      " bytes received without a complete first message "
                      "(limit " +
                      std::to_string(limit) + ")");
    }
    return Fail(FrameError::kMessageTooLarge,
                std::to_string(pending) +
                    " bytes received without a complete message (limit " +
                    std::to_string(limit) + ")");
  };
  // The bytes up to `count` cannot start a message: drop them, counted.
  auto discard = [this](std::size_t count) {
    garbage_ += count;
    start_ += count;
  };

  for (;;) {
    std::string_view avail(buffer_.data() + start_, buffer_.size() - start_);
    if (avail.size() < 2 || avail[0] != '8' || avail[1] != '=') {
      const std::size_t at = avail.find("8=");
      if (at == std::string_view::npos) {
        // Keep a last '8': the '=' may come with the next read.
        const std::size_t keep = !avail.empty() && avail.back() == '8' ? 1 : 0;
        discard(avail.size() - keep);
        return need_more();
      }
      discard(at);
      avail.remove_prefix(at);
    }

    // "8=" BeginString SOH
    const std::size_t look = std::min(avail.size(), 2 + kMaxBeginString + 1);
    const std::size_t soh = avail.substr(0, look).find(kSoh, 2);
    if (soh == std::string_view::npos) {
      if (look < 2 + kMaxBeginString + 1) return need_more();
      discard(2);  // no SOH in reach: this "8=" starts no message
      continue;
    }
    if (soh == 2) {
      discard(2);  // empty BeginString
      continue;
    }

    // "9=" digits SOH
    std::size_t p = soh + 1;
    const std::string_view tag9 = avail.substr(p, 2);
    if (std::string_view("9=").substr(0, tag9.size()) != tag9) {
      discard(2);  // the field after BeginString is not BodyLength
      continue;
    }
    if (tag9.size() < 2) return need_more();
    p += 2;
    std::size_t body_length = 0;
    std::size_t q = p;
    while (q < avail.size() && IsDigit(avail[q])) {
      if (q - p == kMaxBodyLengthDigits) {
        return Fail(FrameError::kBadBodyLength,
                    "BodyLength (9) has more than " +
                        std::to_string(kMaxBodyLengthDigits) + " digits");
      }
      body_length = body_length * 10 + static_cast<std::size_t>(avail[q] - '0');
      ++q;
    }
    if (q == avail.size()) return need_more();
    if (q == p || avail[q] != kSoh) {
      return Fail(FrameError::kBadBodyLength, "BodyLength (9) is not a number");
    }
    const std::size_t header = q + 1;
    const std::size_t total = header + body_length + kTrailerSize;
    const std::size_t limit = current_limit();
    if (garbage_ + total > limit) {
      const std::string what =
          "BodyLength (9) " + std::to_string(body_length) + " makes " +
          std::to_string(garbage_ + total) + " bytes" +
          (garbage_ > 0 ? " with the " + std::to_string(garbage_) +
                              " bytes of garbage before it"
                        : std::string()) +
          " (limit " + std::to_string(limit) + ")";
      return messages_ == 0 ? Fail(FrameError::kFirstMessageTooLarge,
                                   "first message too large: " + what)
                            : Fail(FrameError::kMessageTooLarge,
                                   "message too large: " + what);
    }
    if (avail.size() < total) return need_more();

    const std::string_view trailer =
        avail.substr(header + body_length, kTrailerSize);
    if (trailer.substr(0, 3) != "10=" || !IsDigit(trailer[3]) ||
        !IsDigit(trailer[4]) || !IsDigit(trailer[5]) || trailer[6] != kSoh) {
      return Fail(FrameError::kBadTrailer,
                  "no CheckSum (10=NNN) where BodyLength (9) " +
                      std::to_string(body_length) + " ends the message");
    }
    *message = avail.substr(0, total);
    start_ += total;
    garbage_ = 0;
    ++messages_;
    return Status::kMessage;
  }
}

}  // namespace fixgw::net
