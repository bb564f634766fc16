// A broker session's short name: the broker's CompID, after "->" in the
// session key ("ALPHA" for "FIX.4.4:GW->ALPHA"). Operators may name a
// session either way: the admin API, fixreplay --session and the risk-file
// warnings all resolve it with this one function.
#pragma once

#include <string_view>

namespace fixgw {

// The part after the last "->"; the key itself if it has none.
inline std::string_view SessionShortName(std::string_view key) {
  const size_t arrow = key.rfind("->");
  return arrow == std::string_view::npos ? key : key.substr(arrow + 2);
}

}  // namespace fixgw
