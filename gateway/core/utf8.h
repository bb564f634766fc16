// UTF-8 well-formedness (RFC 3629: no overlong forms, no surrogates, at
// most U+10FFFF). Counterparties send any bytes in text fields; the journal
// (JSON) and fixreplay's exports may only carry well-formed UTF-8 as text.
// Pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace fixgw {

// Length (1-4) of the well-formed UTF-8 sequence starting at s[i], or 0 if
// the bytes there are not one. Requires i < s.size().
size_t Utf8SequenceLength(std::string_view s, size_t i);

// Whether all of `s` is well-formed UTF-8.
bool IsUtf8(std::string_view s);

}  // namespace fixgw
