// Reading one FIX log line; contract in log_line.h.
#include "gateway/fixlog/log_line.h"

#include <cctype>
#include <charconv>

namespace fixgw::fixlog {
namespace {

constexpr char kSoh = '\x01';
constexpr int kBeginString = 8;
constexpr int kMsgType = 35;
constexpr int kCheckSum = 10;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "YYYYMMDD-HH:MM:SS" with an optional fraction: the length of the stamp at
// the start of `line`, or 0.
size_t TimeStampLength(std::string_view line) {
  constexpr std::string_view kShape = "dddddddd-dd:dd:dd";
  if (line.size() < kShape.size()) return 0;
  for (size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == 'd' ? !IsDigit(line[i]) : line[i] != kShape[i]) return 0;
  }
  size_t n = kShape.size();
  if (n < line.size() && line[n] == '.') {
    size_t digits = n + 1;
    while (digits < line.size() && IsDigit(line[digits])) ++digits;
    if (digits == n + 1) return 0;
    n = digits;
  }
  return n;
}

// The tag of "<digits>=...", or -1; *value_pos is where the value starts.
int LeadingTag(std::string_view piece, size_t* value_pos) {
  size_t eq = piece.find('=');
  if (eq == 0 || eq == std::string_view::npos || eq > 9) return -1;
  int tag = 0;
  auto [ptr, ec] = std::from_chars(piece.data(), piece.data() + eq, tag);
  if (ec != std::errc() || ptr != piece.data() + eq || tag <= 0) return -1;
  *value_pos = eq + 1;
  return tag;
}

bool LooksLikeFix(std::string_view payload) {
  size_t value_pos = 0;
  return LeadingTag(payload.substr(0, payload.find_first_of("\x01|")),
                    &value_pos) > 0;
}

// At most 40 bytes of `piece` for an error message.
std::string Shorten(std::string_view piece) {
  constexpr size_t kMax = 40;
  std::string out = Printable(piece.substr(0, kMax));
  return piece.size() > kMax ? out + "..." : out;
}

// Splits FIX text into messages; on error returns false with *why set.
bool SplitMessages(std::string_view text, std::vector<Fields>* messages,
                   std::string* why) {
  const char sep = text.find(kSoh) != std::string_view::npos ? kSoh : '|';
  Fields current;
  size_t pos = 0;
  int field_no = 0;
  while (pos < text.size()) {
    size_t end = text.find(sep, pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view piece = text.substr(pos, end - pos);
    pos = end + 1;
    ++field_no;
    size_t value_pos = 0;
    int tag = LeadingTag(piece, &value_pos);
    if (tag < 0) {
      if (piece.empty() && pos >= text.size()) break;  // trailing separator
      if (sep == '|' && !current.empty()) {
        current.back().second += sep;
        current.back().second += piece;
        continue;
      }
      *why = "field " + std::to_string(field_no) + " is not tag=value: \"" +
             Shorten(piece) + "\"";
      return false;
    }
    if (tag == kBeginString && !current.empty()) {
      // A new message without the previous one's CheckSum: keep both, the
      // first is judged on its own (it needs a MsgType like any other).
      messages->push_back(std::move(current));
      current.clear();
    }
    current.emplace_back(tag, std::string(piece.substr(value_pos)));
    if (tag == kCheckSum) {
      messages->push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) messages->push_back(std::move(current));
  if (messages->empty()) {
    *why = "no fields";
    return false;
  }
  for (size_t i = 0; i < messages->size(); ++i) {
    bool has_type = false;
    for (const auto& field : (*messages)[i]) {
      has_type = has_type || field.first == kMsgType;
    }
    if (!has_type) {
      *why = messages->size() == 1
                 ? std::string("no MsgType (35)")
                 : "message " + std::to_string(i + 1) + " has no MsgType (35)";
      return false;
    }
  }
  return true;
}

}  // namespace

std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == kSoh) {
      out += '|';
    } else if (byte < 0x20 || byte == 0x7f) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

LogKind KindOfPath(std::string_view path) {
  std::string_view name = path.substr(path.rfind('/') + 1);
  if (name.find(".messages.") != std::string_view::npos) {
    return LogKind::kMessages;
  }
  if (name.find(".event.") != std::string_view::npos) return LogKind::kEvents;
  return LogKind::kUnknown;
}

LogLine ParseLogLine(std::string_view line, LogKind kind) {
  LogLine out;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  bool blank = true;
  for (char c : line) {
    blank = blank && std::isspace(static_cast<unsigned char>(c)) != 0;
  }
  if (blank) return out;

  std::string_view payload = line;
  bool prefixed = false;
  if (size_t n = TimeStampLength(line); n > 0 && line.substr(n, 3) == " : ") {
    out.time = std::string(line.substr(0, n));
    payload = line.substr(n + 3);
    prefixed = true;
  }
  if (prefixed && kind == LogKind::kEvents) {
    out.type = LogLine::Type::kEvent;
    out.text = std::string(payload);
    return out;
  }
  if (!LooksLikeFix(payload)) {
    if (prefixed && kind == LogKind::kUnknown) {
      out.type = LogLine::Type::kEvent;
      out.text = std::string(payload);
      return out;
    }
    out.type = LogLine::Type::kBad;
    out.text = prefixed ? "not a FIX message after the time stamp: \"" +
                              Shorten(payload) + "\""
                        : "not a FIX message or QuickFIX log line: \"" +
                              Shorten(payload) + "\"";
    return out;
  }
  std::string why;
  if (!SplitMessages(payload, &out.messages, &why)) {
    out.type = LogLine::Type::kBad;
    out.messages.clear();
    out.text = "not a FIX message: " + why;
    return out;
  }
  out.type = LogLine::Type::kMessages;
  return out;
}

}  // namespace fixgw::fixlog
