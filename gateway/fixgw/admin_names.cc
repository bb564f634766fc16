#include "gateway/fixgw/admin_names.h"

#include <fmt/format.h>

#include <map>

#include "gateway/fixgw/admin_auth.h"

namespace fixgw::gw {
namespace {

// Short name -> how many keys carry it.
std::map<std::string_view, int> ShortNameCounts(
    const std::set<std::string>& keys) {
  std::map<std::string_view, int> counts;
  for (const std::string& key : keys) ++counts[SessionShortName(key)];
  return counts;
}

std::string List(const std::vector<std::string>& names) {
  return names.empty() ? "none configured"
                       : fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

std::vector<std::string> SessionNamesAccepted(
    const std::set<std::string>& keys) {
  const auto counts = ShortNameCounts(keys);
  std::vector<std::string> names;
  for (const std::string& key : keys) {
    names.push_back(key);
    const std::string_view short_name = SessionShortName(key);
    if (short_name != key && counts.at(short_name) == 1) {
      names.emplace_back(short_name);
    }
  }
  return names;
}

Result<std::string> ResolveSessionName(const std::set<std::string>& keys,
                                       std::string_view name) {
  if (auto it = keys.find(std::string(name)); it != keys.end()) return *it;
  std::vector<std::string> matches;
  for (const std::string& key : keys) {
    if (SessionShortName(key) == name) matches.push_back(key);
  }
  if (matches.size() == 1) return matches.front();
  const std::string shown = Printable(name, 64);
  if (matches.size() > 1) {
    return Status::InvalidArgument(fmt::format(
        "session '{}' is ambiguous: it is the CompID of {}; give the full "
        "session key",
        shown, List(matches)));
  }
  return Status::NotFound(fmt::format(
      "unknown session '{}': the broker sessions are {}", shown,
      List(SessionNamesAccepted(keys))));
}

Result<std::string> ResolveAccountName(const std::set<std::string>& accounts,
                                       std::string_view name) {
  if (auto it = accounts.find(std::string(name)); it != accounts.end()) {
    return *it;
  }
  return Status::NotFound(fmt::format(
      "unknown account '{}': the accounts are {}", Printable(name, 64),
      List({accounts.begin(), accounts.end()})));
}

}  // namespace fixgw::gw
