#include "gateway/fixgw/gateway_config.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "gateway/core/session_name.h"
#include "gateway/core/text.h"
#include "gateway/fix/settings.h"

namespace fixgw::gw {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

Status KeyError(const std::string& origin, const std::string& key,
                const std::string& value, const std::string& why) {
  return Status::InvalidArgument(origin + ": [GATEWAY] " + key + "=" + value +
                                 ": " + why);
}

bool ValidIdPrefix(const std::string& p) {
  if (p.empty() || p.size() > 16) return false;
  for (char c : p) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// The admin API is authenticated unless the operator opts out by name.
Status CheckAdminKeys(const GatewayConfig& config, const std::string& origin) {
  const std::string prefix = origin + ": [GATEWAY] ";
  if (!config.admin_auth && !config.admin_token_file.empty()) {
    return Status::InvalidArgument(
        prefix + "AdminTokenFile is set but AdminAuth=none: remove one");
  }
  if (config.admin_port == 0) {
    if (!config.admin_token_file.empty()) {
      return Status::InvalidArgument(prefix +
                                     "AdminTokenFile is set but AdminPort "
                                     "is not");
    }
    return Status::Ok();
  }
  if (config.admin_auth && config.admin_token_file.empty()) {
    return Status::InvalidArgument(
        prefix +
        "AdminTokenFile is required with AdminPort (a file of NAME TOKEN "
        "lines from fixgw --new-admin-token NAME, mode 600), or AdminAuth=none "
        "for development");
  }
  return Status::Ok();
}

}  // namespace

Result<GatewayConfig> ParseGatewayConfig(
    const std::map<std::string, std::string>& keys, const std::string& origin,
    const std::map<std::string, std::string>& spelling) {
  GatewayConfig config;
  for (const auto& [key, value] : keys) {
    if (key == "JOURNALPATH") {
      if (value.empty()) {
        return KeyError(origin, "JournalPath", value, "must not be empty");
      }
      config.journal_path = value;
    } else if (key == "JOURNALSYNC") {
      if (value == "normal") {
        config.journal_sync = store::SyncMode::kNormal;
      } else if (value == "full") {
        config.journal_sync = store::SyncMode::kFull;
      } else {
        return KeyError(origin, "JournalSync", value,
                        "must be 'normal' or 'full'");
      }
    } else if (key == "IDPREFIX") {
      if (!ValidIdPrefix(value)) {
        return KeyError(origin, "IdPrefix", value,
                        "must be 1 to 16 letters or digits");
      }
      config.id_prefix = value;
    } else if (key == "SYMBOLS") {
      size_t start = 0;
      while (start <= value.size() && !value.empty()) {
        size_t comma = value.find(',', start);
        std::string symbol = value.substr(start, comma - start);
        if (symbol.empty()) {
          return KeyError(origin, "Symbols", value, "empty symbol in list");
        }
        config.symbols.insert(symbol);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (key == "RISKCONFIG") {
      if (value.empty()) {
        return KeyError(origin, "RiskConfig", value, "must not be empty");
      }
      config.risk_config = value;
    } else if (key == "RISKCHECKS") {
      if (value != "on" && value != "off") {
        return KeyError(origin, "RiskChecks", value, "must be 'on' or 'off'");
      }
      config.risk_checks = value == "on";
    } else if (key == "PASSTHROUGH") {
      if (value != "Y" && value != "N") {
        return KeyError(origin, "PassThrough", value, "must be Y or N");
      }
      config.pass_through = value == "Y";
    } else if (key == "ADMINPORT") {
      auto port = ParseQty(value);
      if (!port.ok() || port->units() < 1 || port->units() > 65535) {
        return KeyError(origin, "AdminPort", value,
                        "must be a port number 1-65535");
      }
      config.admin_port = static_cast<int>(port->units());
    } else if (key == "ADMINTOKENFILE") {
      if (value.empty()) {
        return KeyError(origin, "AdminTokenFile", value, "must not be empty");
      }
      config.admin_token_file = value;
    } else if (key == "ADMINAUTH") {
      if (value != "token" && value != "none") {
        return KeyError(origin, "AdminAuth", value,
                        "must be 'token' or 'none'");
      }
      config.admin_auth = value == "token";
    } else if (key == "LOGLEVEL") {
      // "warning" is what the log itself prints; "warn" is spdlog's alias.
      if (value != "debug" && value != "info" && value != "warning" &&
          value != "warn" && value != "error") {
        return KeyError(origin, "LogLevel", value,
                        "must be debug, info, warning (or warn) or error");
      }
      config.log_level = value == "warn" ? "warning" : value;
    } else if (key == "LOGFILE") {
      if (value.empty()) {
        return KeyError(origin, "LogFile", value, "must not be empty");
      }
      config.log_file = value;
    } else if (key == "LOGCONSOLE") {
      if (value != "stderr" && value != "stdout" && value != "off") {
        return KeyError(origin, "LogConsole", value,
                        "must be stderr, stdout or off");
      }
      config.log_console = value;
    } else if (key == "DRAINTIMEOUTSECONDS") {
      auto seconds = ParseQty(value);
      if (!seconds.ok() || seconds->units() < 0 || seconds->units() > 3600) {
        return KeyError(origin, "DrainTimeoutSeconds", value,
                        "must be a whole number of seconds 0-3600");
      }
      config.drain_timeout_s = static_cast<int>(seconds->units());
    } else if (key == "FINISHEDORDERSKEPT") {
      auto count = ParseQty(value);
      if (!count.ok() || count->units() < 0 ||
          count->units() > kMaxFinishedOrdersKept) {
        return KeyError(origin, "FinishedOrdersKept", value,
                        "must be a whole number 0-" +
                            std::to_string(kMaxFinishedOrdersKept));
      }
      config.finished_orders_kept = static_cast<size_t>(count->units());
    } else if (key == "JOURNALVERIFY") {
      if (value != "checkpoint" && value != "full") {
        return KeyError(origin, "JournalVerify", value,
                        "must be 'checkpoint' or 'full'");
      }
      config.journal_verify = value == "full" ? store::VerifyMode::kFull
                                              : store::VerifyMode::kCheckpoint;
    } else if (key == "FILEMODE") {
      if (value == "0600" || value == "600") {
        config.file_mode = 0600;
      } else if (value == "0640" || value == "640") {
        config.file_mode = 0640;
      } else {
        return KeyError(origin, "FileMode", value,
                        "must be 0600 or 0640 (owner only, or also the "
                        "service's group, read-only)");
      }
    } else if (key == "EXCHANGESILENCESECONDS" ||
               key == "EXCHANGEANSWERSECONDS" || key == "MAXPENDINGSECONDS") {
      const bool pending = key == "MAXPENDINGSECONDS";
      const int64_t max = pending ? 86'400 : 3'600;
      const char* name = pending ? "MaxPendingSeconds"
                         : key == "EXCHANGESILENCESECONDS"
                             ? "ExchangeSilenceSeconds"
                             : "ExchangeAnswerSeconds";
      auto seconds = ParseQty(value);
      if (!seconds.ok() || seconds->units() < 1 || seconds->units() > max) {
        return KeyError(origin, name, value,
                        "must be a whole number of seconds 1-" +
                            std::to_string(max));
      }
      const int s = static_cast<int>(seconds->units());
      if (pending) {
        config.max_pending_s = s;
      } else if (key == "EXCHANGESILENCESECONDS") {
        config.exchange_silence_s = s;
      } else {
        config.exchange_answer_s = s;
      }
    } else if (key == "REFUSEORDERSWHENEXCHANGEUNRESPONSIVE") {
      if (value != "Y" && value != "N") {
        return KeyError(origin, "RefuseOrdersWhenExchangeUnresponsive", value,
                        "must be Y or N");
      }
      config.refuse_when_exchange_unresponsive = value == "Y";
    } else {
      auto written = spelling.find(key);
      return Status::InvalidArgument(
          origin + ": unknown key '" +
          (written == spelling.end() ? key : written->second) +
          "' in [GATEWAY]");
    }
  }
  if (Status st = CheckAdminKeys(config, origin); !st.ok()) return st;
  if (config.pass_through) {
    for (const char* key : {"JOURNALPATH", "JOURNALSYNC", "RISKCONFIG",
                            "RISKCHECKS"}) {
      if (keys.contains(key)) {
        auto written = spelling.find(key);
        return Status::InvalidArgument(
            origin + ": [GATEWAY] PassThrough=Y takes no journal or risk "
                     "keys, found " +
            (written == spelling.end() ? std::string(key) : written->second));
      }
    }
    config.risk_checks = false;
    return config;
  }
  if (config.journal_path.empty()) {
    return Status::InvalidArgument(origin +
                                   ": [GATEWAY] JournalPath is required");
  }
  if (config.risk_checks && config.risk_config.empty()) {
    return Status::InvalidArgument(
        origin + ": [GATEWAY] RiskConfig is required (or RiskChecks=off)");
  }
  if (!config.risk_checks && !config.risk_config.empty()) {
    return Status::InvalidArgument(
        origin + ": [GATEWAY] RiskConfig is set but RiskChecks=off");
  }
  return config;
}

std::map<std::string, std::string> KeySpelling(std::string_view text,
                                               std::string_view section) {
  std::map<std::string, std::string> spelling;
  bool inside = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = TrimBlanks(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '[') {
      const size_t close = line.find(']');
      inside = close != std::string_view::npos &&
               Upper(TrimBlanks(line.substr(1, close - 1))) == Upper(section);
      continue;
    }
    const size_t eq = line.find('=');
    if (!inside || eq == std::string_view::npos) continue;
    const std::string_view key = TrimBlanks(line.substr(0, eq));
    spelling.emplace(Upper(key), std::string(key));
  }
  return spelling;
}

Result<GatewayConfig> LoadGatewayConfig(const std::string& path) {
  auto keys = fix::LoadSection(path, "GATEWAY");
  if (!keys.ok()) return keys.status();
  // QuickFIX has upper-cased the keys; errors name them as written.
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return ParseGatewayConfig(*keys, path, KeySpelling(text.str(), "GATEWAY"));
}

std::vector<std::string> RiskFileWarnings(
    const risk::RiskLimits& limits, const std::set<std::string>& sessions,
    const std::set<std::string>& symbols, const std::string& risk_path) {
  std::vector<std::string> warnings;
  for (const auto& [name, unused] : limits.sessions) {
    if (sessions.contains(name)) continue;
    std::string hint;
    for (const std::string& key : sessions) {
      if (SessionShortName(key) == name) {
        hint = "; the risk file names a session by its full key: "
               "[sessions.\"" + key + "\"]";
      }
    }
    warnings.push_back(fmt::format(
        "{}: [sessions.\"{}\"] matches no broker session of the settings "
        "file, so its limits apply to nothing{}",
        risk_path, name, hint));
  }
  if (!symbols.empty()) {
    for (const auto& [name, unused] : limits.symbols) {
      if (!symbols.contains(name)) {
        warnings.push_back(fmt::format(
            "{}: [symbols.{}] is not in [GATEWAY] Symbols: orders for it are "
            "refused before any risk check",
            risk_path, name));
      }
    }
  }
  // A symbol an account names that the risk file does not list.
  for (const auto& [account, a] : limits.accounts) {
    for (const risk::NameSet* names : {&a.allowed_symbols,
                                       &a.restricted_symbols}) {
      for (const std::string& symbol : *names) {
        if (!limits.symbols.contains(symbol)) {
          warnings.push_back(fmt::format(
              "{}: accounts.{}.{} names {}, which is not a [symbols.*] entry",
              risk_path, account,
              names == &a.allowed_symbols ? "allowed_symbols"
                                          : "restricted_symbols",
              symbol));
        }
      }
    }
  }
  return warnings;
}

}  // namespace fixgw::gw
