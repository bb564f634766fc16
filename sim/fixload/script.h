// fixload scenario scripts: parsing, and checking received messages against
// `expect` steps. Pure functions over text; no FIX engine, no I/O, no clock.
// Thread-compatible values.
//
// Script format (one command per line):
//
//   # a comment; blank lines are ignored
//   send <MsgType> Field=Value ...
//   expect <MsgType> Field=Value ...
//   expect-none <millis>
//   sleep <millis>
//
// - Tokens are separated by spaces or tabs. Double quotes group text with
//   spaces: Text="two words" (or "Text=two words"); inside quotes \" is a
//   quote and \\ a backslash. A token that starts with # outside quotes
//   begins a comment that runs to the end of the line.
// - <MsgType> is the raw value of tag 35: D, F, G, H, 8, 9, 3, j, 5, ...
// - Field is a FIX field name resolved through the data dictionary
//   (ClOrdID, OrderQty) or a raw tag number (55=AAPL).
// - send: builds the message from exactly the fields given; nothing is
//   validated, so required fields may be left out and unknown tags added on
//   purpose. The session fills BeginString, SenderCompID, TargetCompID,
//   MsgSeqNum and SendingTime; header fields given in the script override
//   them after the fill (PossDupFlag=Y, OrigSendingTime=..., even
//   MsgSeqNum=... to provoke a gap; SendingTime=! removes it).
//   TransactTime is added to D, F and G unless given, OrigSendingTime when
//   PossDupFlag=Y comes without it; `Field=!` suppresses such an automatic
//   field. A field may be given twice (the message then carries it twice).
//   Sending while the session is down fails the script.
// - expect: the next received message that is not a session-level message
//   (Heartbeat, TestRequest, ResendRequest, SequenceReset, Logon are
//   skipped; Reject 3 and Logout 5 are expectable) must have this MsgType
//   and every listed field: `Field=Value` equal (PRICE, QTY, AMT,
//   PRICEOFFSET, PERCENTAGE and FLOAT fields compare as decimal numbers, so
//   100.0 equals 100; other fields as exact text), `Field=*` present with
//   any value, `Field=!` absent. Header fields (PossDupFlag, ...) can be
//   checked too. When a tag occurs more than once (repeating groups), its
//   first occurrence is compared. Write "*" or "!" in quotes to mean the
//   literal text. Each expect waits up to --expect-timeout (default 5000 ms).
//   With UseDataDictionary=Y, QuickFIX answers invalid incoming messages
//   with a Reject of its own and never hands them to the script.
// - expect-none <millis>: no such message arrives within that time.
// - sleep <millis>: pause.
//
// fixload prints "script ok: <steps> steps, <n> messages checked" at the
// end, or the failing line, the expected fields, each mismatch and the
// received message (SOH shown as |), and exits 1.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/core/result.h"

namespace fixgw::load {

struct FieldSpec {
  enum class Kind {
    kEquals,   // Field=Value
    kPresent,  // Field=*
    kAbsent,   // Field=!
  };
  int tag = 0;
  std::string name;  // as written in the script, for messages
  Kind kind = Kind::kEquals;
  std::string value;
  bool decimal = false;  // compare as a decimal number
};

enum class StepKind { kSend, kExpect, kExpectNone, kSleep };

struct Step {
  StepKind kind = StepKind::kSleep;
  int line = 0;                      // 1-based line number in the script
  std::string text;                  // the command as written, without comment
  std::string msg_type;              // kSend, kExpect
  std::vector<FieldSpec> fields;     // kSend, kExpect
  std::chrono::milliseconds wait{};  // kExpectNone, kSleep
};

// How field names and types are looked up (normally a data dictionary).
// Either function may be empty: names are then unknown (only tag numbers
// work) and every field compares as text.
struct FieldResolver {
  std::function<std::optional<int>(const std::string& name)> tag_of;
  std::function<bool(int tag)> is_decimal;
};

// Parses a whole script. Errors read "line N: what".
Result<std::vector<Step>> ParseScript(std::string_view text,
                                      const FieldResolver& resolver);

// A received message as (tag, value) pairs in wire order, header and
// trailer included: what fix::SplitFix (gateway/fix/describe.h) returns.
using FieldList = std::vector<std::pair<int, std::string>>;

// The raw message with SOH shown as '|'.
std::string Printable(std::string_view raw);

// The value of the first occurrence of `tag`, or nullopt.
std::optional<std::string> FindField(const FieldList& fields, int tag);

// Why `received` does not satisfy the kExpect step `expect`, one line per
// mismatch ("OrdStatus(39): expected 0, got 8"); empty when it does.
std::vector<std::string> Mismatches(const Step& expect,
                                    const FieldList& received);

// "ExecType=0 OrdStatus=* Text=!": the expected fields, for messages.
std::string DescribeFields(const std::vector<FieldSpec>& fields);

}  // namespace fixgw::load
