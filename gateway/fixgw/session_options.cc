#include "gateway/fixgw/session_options.h"

#include <charconv>

#include "gateway/fix/describe.h"
#include "gateway/fixgw/admin_names.h"

namespace fixgw::gw {
namespace {

Status KeyError(const std::string& origin, const FIX::SessionID& id,
                const std::string& key, const std::string& value,
                const std::string& what) {
  return Status::InvalidArgument(origin + ": session " + id.toString() +
                                 ": " + key + "=" + value + ": " + what);
}

// "A, B ,C" -> {"A", "B", "C"}; empty items are skipped.
std::vector<std::string> ParseNames(const std::string& text) {
  std::vector<std::string> names;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(pos, end - pos);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) names.push_back(std::move(item));
    pos = end + 1;
  }
  return names;
}

// "58, 9001" -> {58, 9001}.
Result<std::set<int>> ParseTags(const std::string& text) {
  std::set<int> tags;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(pos, end - pos);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    int tag = 0;
    const auto [ptr, ec] =
        std::from_chars(item.data(), item.data() + item.size(), tag);
    if (item.empty() || ec != std::errc() || ptr != item.data() + item.size() ||
        tag <= 0) {
      return Status::InvalidArgument("'" + item + "' is not a tag number");
    }
    tags.insert(tag);
    pos = end + 1;
  }
  return tags;
}

bool IsVenueName(const std::string& name) {
  if (name.empty() || name.size() > kMaxVenueNameLength) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// A whole number in [low, high] from key `key` of `d`, else `fallback`.
Result<int64_t> NumberKey(const FIX::Dictionary& d, const std::string& key,
                          int64_t low, int64_t high, int64_t fallback) {
  if (!d.has(key)) return fallback;
  const std::string v = d.getString(key);
  int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || n < low ||
      n > high) {
    return Status::InvalidArgument("must be a whole number from " +
                                   std::to_string(low) + " to " +
                                   std::to_string(high));
  }
  return n;
}

constexpr const char* kVenueKeys[] = {
    "Venue", "VenueSymbols", "MaxMessagesPerSecond", "MaxQueuedMessages"};

Status AddVenues(const FIX::SessionSettings& initiators,
                 const std::string& origin, LoadedSessionOptions& out) {
  const std::set<FIX::SessionID> ids = initiators.getSessions();
  std::map<std::string, VenueName> symbol_owner;
  for (const FIX::SessionID& id : ids) {
    const FIX::Dictionary& d = initiators.get(id);
    VenueConfig v;
    v.session = id;
    if (d.has("Venue")) {
      v.name = d.getString("Venue");
      if (!IsVenueName(v.name)) {
        return KeyError(origin, id, "Venue", v.name,
                        "must be 1 to 32 letters, digits, '_', '-' or '.'");
      }
    } else if (ids.size() > 1) {
      return KeyError(origin, id, "Venue", "",
                      "every exchange session needs a Venue name when there "
                      "are several");
    } else {
      v.name = id.getTargetCompID().getValue();
    }
    for (const VenueConfig& other : out.venues) {
      if (other.name == v.name) {
        return KeyError(origin, id, "Venue", v.name,
                        "already the name of " + other.session.toString());
      }
    }
    if (d.has("VenueSymbols")) {
      for (std::string& symbol : ParseNames(d.getString("VenueSymbols"))) {
        auto [owner, fresh] = symbol_owner.emplace(symbol, v.name);
        if (!fresh) {
          return KeyError(origin, id, "VenueSymbols",
                          d.getString("VenueSymbols"),
                          "symbol " + symbol + " is already routed to venue " +
                              owner->second);
        }
        v.symbols.insert(std::move(symbol));
      }
    }
    Result<int64_t> rate =
        NumberKey(d, "MaxMessagesPerSecond", 0, kMaxMessagesPerSecondLimit, 0);
    if (!rate.ok()) {
      return KeyError(origin, id, "MaxMessagesPerSecond",
                      d.getString("MaxMessagesPerSecond"),
                      rate.status().message());
    }
    Result<int64_t> queued =
        NumberKey(d, "MaxQueuedMessages", 1, kMaxMessagesPerSecondLimit, 1000);
    if (!queued.ok()) {
      return KeyError(origin, id, "MaxQueuedMessages",
                      d.getString("MaxQueuedMessages"),
                      queued.status().message());
    }
    v.max_messages_per_second = *rate;
    v.max_queued_messages = *queued;
    out.venues.push_back(std::move(v));
  }
  return Status::Ok();
}

Status AddSide(const FIX::SessionSettings& side, bool acceptor,
               const std::string& origin, LoadedSessionOptions& out,
               std::map<std::string, const FIX::DataDictionary*>& by_path) {
  for (const FIX::SessionID& id : side.getSessions()) {
    const FIX::Dictionary& d = side.get(id);
    GatewayApplication::SessionOptions options;
    const std::string begin = id.getBeginString().getValue();
    auto version = fix::FixVersionOf(begin);
    if (!version) {
      return KeyError(origin, id, "BeginString", begin,
                      "not supported (FIX.4.2 and FIX.4.4 are)");
    }
    options.dialect.version = *version;
    if (d.has("TimestampPrecision")) {
      const std::string v = d.getString("TimestampPrecision");
      if (v != "0" && v != "3" && v != "6" && v != "9") {
        return KeyError(origin, id, "TimestampPrecision", v,
                        "must be 0, 3, 6 or 9");
      }
      options.dialect.timestamp_digits = v[0] - '0';
    }
    const bool use_dd =
        !d.has("UseDataDictionary") || d.getBool("UseDataDictionary");
    if (use_dd && d.has("DataDictionary")) {
      const std::string path = d.getString("DataDictionary");
      auto cached = by_path.find(path);
      if (cached == by_path.end()) {
        auto loaded = fix::LoadDictionary(path);
        if (!loaded.ok()) {
          return KeyError(origin, id, "DataDictionary", path,
                          loaded.status().message());
        }
        cached = by_path.emplace(path, loaded->get()).first;
        out.dictionaries.push_back(std::move(*loaded));
      }
      if (cached->second->getVersion() != begin) {
        return KeyError(origin, id, "DataDictionary", path,
                        "is a " + cached->second->getVersion() +
                            " dictionary, the session speaks " + begin);
      }
      options.dialect.dictionary = cached->second;
    }
    if (d.has("DefaultAccount")) {
      const std::string account = d.getString("DefaultAccount");
      if (!acceptor) {
        return KeyError(origin, id, "DefaultAccount", account,
                        "only broker (acceptor) sessions take one");
      }
      if (account.empty()) {
        return KeyError(origin, id, "DefaultAccount", account,
                        "must not be empty");
      }
      options.default_account = account;
    }
    if (d.has("CancelOnDisconnect")) {
      const std::string v = d.getString("CancelOnDisconnect");
      if (v != "Y" && v != "N") {
        return KeyError(origin, id, "CancelOnDisconnect", v, "must be Y or N");
      }
      if (!acceptor && v == "Y") {
        return KeyError(origin, id, "CancelOnDisconnect", v,
                        "only broker (acceptor) sessions take it");
      }
      options.cancel_on_disconnect = v == "Y";
    }
    if (d.has("CancelOnDisconnectDelaySeconds")) {
      const std::string v = d.getString("CancelOnDisconnectDelaySeconds");
      int64_t seconds = -1;
      const auto [ptr, ec] =
          std::from_chars(v.data(), v.data() + v.size(), seconds);
      if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() ||
          seconds < 0 || seconds > kMaxCancelOnDisconnectDelaySeconds) {
        return KeyError(origin, id, "CancelOnDisconnectDelaySeconds", v,
                        "must be a whole number of seconds from 0 to " +
                            std::to_string(kMaxCancelOnDisconnectDelaySeconds));
      }
      if (!options.cancel_on_disconnect) {
        return KeyError(origin, id, "CancelOnDisconnectDelaySeconds", v,
                        "needs CancelOnDisconnect=Y in the same session");
      }
      options.cancel_on_disconnect_delay_s = seconds;
    }
    if (acceptor) {
      for (const char* key : kVenueKeys) {
        if (d.has(key)) {
          return KeyError(origin, id, key, d.getString(key),
                          "only exchange (initiator) sessions take one");
        }
      }
    }
    if (d.has("PassThroughDeny")) {
      const std::string list = d.getString("PassThroughDeny");
      auto tags = ParseTags(list);
      if (!tags.ok()) {
        return KeyError(origin, id, "PassThroughDeny", list,
                        tags.status().message());
      }
      options.dialect.deny = std::move(*tags);
    }
    const bool has_sessions = d.has("DropCopySessions");
    const bool has_accounts = d.has("DropCopyAccounts");
    if (d.has("Role")) {
      const std::string role = d.getString("Role");
      if (!acceptor) {
        return KeyError(origin, id, "Role", role,
                        "only broker (acceptor) sessions take one");
      }
      if (role == "dropcopy") {
        options.drop_copy = true;
      } else if (role != "broker") {
        return KeyError(origin, id, "Role", role,
                        "must be broker or dropcopy");
      }
    }
    for (const auto& [key, present] :
         {std::pair{"DropCopySessions", has_sessions},
          std::pair{"DropCopyAccounts", has_accounts}}) {
      if (present && !options.drop_copy) {
        return KeyError(origin, id, key, d.getString(key),
                        "only a session with Role=dropcopy takes one");
      }
    }
    if (options.drop_copy && !options.default_account.empty()) {
      return KeyError(origin, id, "DefaultAccount", options.default_account,
                      "a drop-copy session sends no orders");
    }
    if (options.drop_copy) {
      OrderRouter::Options::DropCopy dc;
      dc.session = id.toString();
      if (has_accounts) {
        for (std::string& a : ParseNames(d.getString("DropCopyAccounts"))) {
          dc.accounts.insert(std::move(a));
        }
      }
      // Session names are resolved once every session is read.
      if (has_sessions) {
        for (std::string& n : ParseNames(d.getString("DropCopySessions"))) {
          dc.sessions.insert(std::move(n));
        }
      }
      out.drop_copies.push_back(std::move(dc));
    }
    out.sessions.emplace(id.toString(), std::move(options));
  }
  return Status::Ok();
}

// Replaces each drop copy's DropCopySessions names by the full keys of the
// broker sessions they name.
Status ResolveDropCopySessions(const FIX::SessionSettings& acceptors,
                               const std::string& origin,
                               LoadedSessionOptions& out) {
  std::set<std::string> brokers;
  std::set<std::string> drop_copies;
  for (const auto& dc : out.drop_copies) drop_copies.insert(dc.session);
  for (const FIX::SessionID& id : acceptors.getSessions()) {
    if (!drop_copies.contains(id.toString())) brokers.insert(id.toString());
  }
  for (auto& dc : out.drop_copies) {
    FIX::SessionID id;
    id.fromString(dc.session);
    const std::string list =
        acceptors.get(id).has("DropCopySessions")
            ? acceptors.get(id).getString("DropCopySessions")
            : std::string();
    std::set<SessionKey> keys;
    for (const std::string& name : dc.sessions) {
      Result<std::string> key = ResolveSessionName(brokers, name);
      if (!key.ok()) {
        Result<std::string> other = ResolveSessionName(drop_copies, name);
        return KeyError(origin, id, "DropCopySessions", list,
                        other.ok() ? "'" + name +
                                         "' is a drop-copy session, not a "
                                         "broker session"
                                   : key.status().message());
      }
      keys.insert(*key);
    }
    dc.sessions = std::move(keys);
  }
  return Status::Ok();
}

}  // namespace

Result<LoadedSessionOptions> LoadSessionOptions(const fix::SplitSettings& split,
                                                const std::string& origin) {
  try {
    LoadedSessionOptions out;
    std::map<std::string, const FIX::DataDictionary*> by_path;
    if (Status st = AddSide(split.acceptors, true, origin, out, by_path);
        !st.ok()) {
      return st;
    }
    if (Status st = AddSide(split.initiators, false, origin, out, by_path);
        !st.ok()) {
      return st;
    }
    if (Status st = ResolveDropCopySessions(split.acceptors, origin, out);
        !st.ok()) {
      return st;
    }
    if (Status st = AddVenues(split.initiators, origin, out); !st.ok()) {
      return st;
    }
    return out;
  } catch (const std::exception& e) {
    return Status::InvalidArgument(origin + ": " + e.what());
  }
}

std::vector<OrderRouter::Options::Venue> LoadedSessionOptions::RouterVenues()
    const {
  std::vector<OrderRouter::Options::Venue> out;
  for (const VenueConfig& v : venues) out.push_back({v.name, v.symbols});
  return out;
}

Status CheckDropCopyAccounts(const LoadedSessionOptions& loaded,
                             const std::set<std::string>& accounts,
                             const std::string& origin) {
  for (const auto& dc : loaded.drop_copies) {
    for (const std::string& account : dc.accounts) {
      Result<std::string> known = ResolveAccountName(accounts, account);
      if (!known.ok()) {
        std::string list;
        for (const std::string& a : dc.accounts) {
          list += (list.empty() ? "" : ",") + a;
        }
        FIX::SessionID id;
        id.fromString(dc.session);
        return KeyError(origin, id, "DropCopyAccounts", list,
                        known.status().message());
      }
    }
  }
  return Status::Ok();
}

fix::SideDefaults GatewaySessionDefaults() {
  fix::SideDefaults d;
  d.initiators["ValidateUserDefinedFields"] = "N";
  d.initiators["AllowUnknownMsgFields"] = "Y";
  return d;
}

}  // namespace fixgw::gw
