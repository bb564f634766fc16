// FIX UTCTimestamp text <-> Timestamp (microseconds, UTC). Pure functions;
// the clock itself is read only by adapters (Now()), never by domain logic.
#pragma once

#include <string>
#include <string_view>

#include "gateway/core/result.h"
#include "gateway/core/types.h"

namespace fixgw {

// The wall clock, for adapters only.
Timestamp Now();

// "YYYYMMDD-HH:MM:SS.ffffff".
std::string FormatFixTimestamp(Timestamp t);
// The same with `digits` decimals of the second: 0 (seconds), 3 (ms, what
// FIX 4.2 and 4.4 allow and QuickFIX writes by default), 6 (µs) or 9 (ns,
// the last three digits 0); other values write 3. Truncates, never rounds
// into the next second.
std::string FormatFixTimestamp(Timestamp t, int digits);
// Accepts "YYYYMMDD-HH:MM:SS" with an optional fraction of 1 to 9 digits
// (digits beyond microseconds are truncated).
Result<Timestamp> ParseFixTimestamp(std::string_view text);

// ISO 8601 for humans and audit output: "2026-11-26T18:50:14.123456Z".
std::string FormatIsoTimestamp(Timestamp t);

}  // namespace fixgw
