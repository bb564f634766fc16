// fixlog's output: one line per FIX message or log event, as text or as one
// JSON object, with the filters of the command line. Messages are named
// through the data dictionary (fix::NameFields, gateway/fix/describe.h);
// passwords come out masked.
//
// Pure functions over their arguments; the dictionary is only read.
#pragma once

#include <string>
#include <vector>

#include "gateway/fix/describe.h"
#include "gateway/fixlog/log_line.h"

namespace fixgw::fixlog {

enum class Format { kText, kJson };

struct RenderOptions {
  Format format = Format::kText;
  bool full = false;  // header and trailer fields too
  // Only these message types, by MsgType value ("D") or name
  // ("NewOrderSingle"); empty: all. A type filter leaves events out.
  std::vector<std::string> types;
  // Only messages with a field value (or events whose text) containing
  // this; empty: all. Matched after masking, so it never finds a password.
  std::string grep;
  // Only messages whose ClOrdID (11) or OrigClOrdID (41) is exactly this
  // (--grep b1 also finds b10 and every ExecID holding "b1"); empty: all.
  // Events are left out.
  std::string cl_ord_id;
};

// One message, or "" when the filters leave it out. `time` is the log's
// time stamp, or "" for a bare message (then SendingTime is shown).
//
// Text: "TIME MsgTypeName SENDER->TARGET #SEQ [PossDup] [PossResend]" then
// the body fields as " Name=value(EnumName)", or with `full` every field.
// JSON: {"time","msg_type","msg_type_name","sender","target","seq",
// "poss_dup","poss_resend","fields":[{"tag","name","value"[,"enum"]}]}.
std::string RenderMessage(const FIX::DataDictionary& dd,
                          const std::string& time, const Fields& fields,
                          const RenderOptions& options);

// One event line of an event log, or "" when the filters leave it out.
// Text: "TIME event: TEXT"; JSON: {"time","event"}.
std::string RenderEvent(const std::string& time, const std::string& text,
                        const RenderOptions& options);

}  // namespace fixgw::fixlog
