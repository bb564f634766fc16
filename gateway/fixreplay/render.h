// fixreplay's output: the trail and the as-of state as text (one line per
// row, for people), CSV (RFC 4180, a header row first) or JSON (one object
// per line). Column names and meanings are documented in docs/fixreplay.md.
//
// Escaping keeps one row on one line and every byte recoverable:
// - text: a value with a space, quote, '=', backslash, control character or
//   bytes that are not UTF-8 is written in double quotes with \" \\ \n \r
//   \t and \xNN escapes;
// - CSV: values with a comma, quote, CR or LF, or leading/trailing spaces,
//   are quoted and quotes doubled; bytes are written as they are;
// - JSON: strings are escaped per RFC 8259; a value that is not UTF-8 is
//   written as {"hex":"..."} (as in the journal's own payloads). Quantities
//   and seq are JSON integers, prices and money decimal strings (never
//   floats), absent trail values null.
// Pure functions; values only.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/result.h"
#include "gateway/core/types.h"
#include "gateway/fixreplay/replay_state.h"
#include "gateway/fixreplay/trail.h"

namespace fixgw::replay {

enum class Format { kText, kCsv, kJson };
// "text", "csv", "json".
std::optional<Format> ParseFormat(std::string_view name);

// The trail's CSV header line (with its newline).
std::string TrailCsvHeader();
// One trail row in `format`, with its newline.
std::string RenderTrailRow(Format format, const TrailRow& row);

struct StateFilter {
  std::optional<std::string> account;
  std::optional<std::string> symbol;
  std::optional<std::string> session;  // full key or broker CompID
};
// The as-of report: per account its cash, reservations and open-order
// count, its positions per symbol, and its open orders (not Filled,
// Canceled, Rejected, Expired or Replaced), accounts in name order. CSV
// starts with its header line.
std::string RenderState(Format format, const ReplayedState& state,
                        const StateFilter& filter);

// A time argument, UTC: "2026-11-26T18:50:14.123456Z" (the trail's own
// format; 'T' or a space, fraction of 1-9 digits and 'Z' optional),
// "2026-11-26" (midnight) or a FIX UTCTimestamp "20261126-18:50:14.123".
Result<Timestamp> ParseTimeArg(std::string_view text);

}  // namespace fixgw::replay
