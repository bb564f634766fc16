// Reading one line of a FIX log, no dictionary: a QuickFIX FileLog line
// ("20261127-00:42:02.123456789 : 8=FIX.4.4<SOH>9=..." in
// *.messages.current.log, "20261127-00:42:02.123456789 : Created session" in
// *.event.current.log; QuickFIX 1.15.1 writes UTC with 9 decimals), or a
// bare FIX message with SOH or '|' between fields. One line may hold
// several messages back to back (a capture); each ends at its CheckSum (10).
//
// Pure values, no I/O, thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fixgw::fixlog {

// (tag, value) pairs in wire order: the same type as fix::FieldList.
using Fields = std::vector<std::pair<int, std::string>>;

// What the file is, when its name says so (FileLogFactory's names).
enum class LogKind {
  kUnknown,   // stdin or any other file: a prefixed non-FIX line is an event
  kMessages,  // *.messages.*: every line must carry FIX
  kEvents,    // *.event.*: every prefixed line is an event
};

// kMessages for "...messages.current.log", kEvents for "...event.current.log"
// (also the .backup files), else kUnknown.
LogKind KindOfPath(std::string_view path);

struct LogLine {
  enum class Type { kBlank, kMessages, kEvent, kBad };
  Type type = Type::kBlank;
  std::string time;              // the FileLog time stamp; "" for bare FIX
  std::vector<Fields> messages;  // kMessages: one or more, each with a MsgType
  std::string text;  // kEvent: the event; kBad: why, one line for a human
};

// `text` safe for a terminal: SOH as '|', other control bytes (below 0x20,
// 0x7f) as \xNN; everything else, UTF-8 included, unchanged.
std::string Printable(std::string_view text);

// Reads one line (without its '\n'; a trailing '\r' is ignored).
//
// FIX text: every field is "<digits>=value". With SOH separators a piece
// that is not is an error; with '|' separators it continues the previous
// value (a Text may hold a '|'). Every message needs a MsgType (35).
LogLine ParseLogLine(std::string_view line, LogKind kind);

}  // namespace fixgw::fixlog
