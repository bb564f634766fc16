// The names an operator gives the admin API (kill-switch scopes), checked
// against the names the gateway is configured with, so that a misspelled
// account or session is refused instead of switching off nothing.
//
// A broker session is named by its full key ("FIX.4.4:GW->ALPHA") or by
// its short name, the broker's CompID after "->" ("ALPHA"), the same short
// form fixreplay --session takes. Pure; thread-compatible.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/core/session_name.h"

namespace fixgw::gw {

// The session key `name` stands for among `keys` (full session keys): the
// key itself, or the one key whose short name is `name`. NotFound when none
// matches, InvalidArgument when the short name is ambiguous (one CompID
// under two BeginStrings); both messages list the valid names.
Result<std::string> ResolveSessionName(const std::set<std::string>& keys,
                                       std::string_view name);

// `name` if `accounts` holds it; NotFound listing the accounts otherwise.
Result<std::string> ResolveAccountName(const std::set<std::string>& accounts,
                                       std::string_view name);

// What an operator may type for each of `keys`: the full key and, where
// it is unambiguous, the short name ("FIX.4.4:GW->ALPHA", "ALPHA", ...).
std::vector<std::string> SessionNamesAccepted(
    const std::set<std::string>& keys);

}  // namespace fixgw::gw
