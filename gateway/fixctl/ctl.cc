#include "gateway/fixctl/ctl.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "gateway/core/text.h"

namespace fixgw::ctl {
namespace {

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A JSON value as a table cell: strings bare, the rest as JSON.
std::string Cell(const Json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_null()) return "";
  if (j.is_boolean()) return j.get<bool>() ? "yes" : "no";
  return Dump(j);
}

std::string CellOf(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return "";
  return Cell(object[key]);
}

// `object[key]` if it is a boolean; false otherwise (never throws, unlike
// Json::value on a value of another type).
bool True(const Json& object, const char* key) {
  return object.is_object() && object.contains(key) &&
         object[key].is_boolean() && object[key].get<bool>();
}

Json Parse(std::string_view text) {
  return Json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

Result<Endpoint> ParseUrl(std::string_view url, bool any_host) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return Status::InvalidArgument("--url must start with http:// (got '" +
                                   std::string(url) + "')");
  }
  url.remove_prefix(kScheme.size());
  if (!url.empty() && url.back() == '/') url.remove_suffix(1);
  if (url.find('/') != std::string_view::npos) {
    return Status::InvalidArgument("--url takes no path: http://HOST:PORT");
  }
  const size_t colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument(
        "--url needs a host and a port: "
        "http://127.0.0.1:PORT");
  }
  Endpoint e;
  e.host = std::string(url.substr(0, colon));
  const std::string_view port = url.substr(colon + 1);
  int value = 0;
  const auto [end, ec] =
      std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value < 1 ||
      value > 65535) {
    return Status::InvalidArgument("--url: bad port '" + std::string(port) +
                                   "'");
  }
  e.port = value;
  // fixgw binds its admin API to 127.0.0.1 only: ::1 would never answer.
  if (!any_host && e.host != "127.0.0.1" && e.host != "localhost") {
    return Status::InvalidArgument(
        "--url: the admin API listens on 127.0.0.1 only; " + e.host +
        " is another host (--any-host to insist)");
  }
  return e;
}

Result<std::string> TokenFromFile(std::string_view text,
                                  std::string_view name) {
  int line_no = 0;
  std::optional<std::string> first;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    std::string_view line = TrimBlanks(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line.front() == '#') continue;
    const size_t space = line.find_first_of(" \t");
    if (space == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format(
          "line {}: expected 'NAME TOKEN' (one name, one token)", line_no));
    }
    const std::string_view line_name = line.substr(0, space);
    const std::string_view token = TrimBlanks(line.substr(space));
    if (token.empty() || token.find_first_of(" \t") != std::string_view::npos) {
      return Status::InvalidArgument(fmt::format(
          "line {}: expected 'NAME TOKEN' (one name, one token)", line_no));
    }
    if (name.empty() || line_name == name) return std::string(token);
  }
  if (!name.empty()) {
    return Status::NotFound("no token named '" + std::string(name) + "'");
  }
  return Status::NotFound("no token in the file");
}

Request Post(std::string path,
             const std::map<std::string, std::string>& params) {
  Json body = Json::object();
  for (const auto& [key, value] : params) {
    if (!value.empty()) body[key] = value;
  }
  return Request{"POST", std::move(path), Dump(body)};
}

std::string RefusalText(const Answer& answer) {
  const Json j = Parse(answer.body);
  std::string text;
  if (j.is_object() && j.contains("error") && j["error"].is_string()) {
    text = j["error"].get<std::string>();
    if (j.contains("valid") && j["valid"].is_array()) {
      std::vector<std::string> names;
      for (const Json& n : j["valid"]) names.push_back(Cell(n));
      text += fmt::format(
          "\nvalid names: {}",
          names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")));
    }
  } else {
    text = std::string(TrimBlanks(answer.body));
    while (!text.empty() && text.back() == '\n') text.pop_back();
  }
  return fmt::format("HTTP {}: {}", answer.status, text);
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string SessionsTable(const std::string& sessions_json) {
  const Json j = Parse(sessions_json);
  if (!j.is_array()) return sessions_json;
  std::vector<std::vector<std::string>> rows{
      {"SESSION", "ROLE", "LOGGED ON", "ADMISSION", "NEXT OUT", "NEXT IN",
       "MSGS IN", "MSGS OUT"}};
  for (const Json& s : j) {
    rows.push_back({CellOf(s, "session"), CellOf(s, "role"),
                    CellOf(s, "logged_on"), CellOf(s, "admission"),
                    CellOf(s, "next_sender_seq"), CellOf(s, "next_target_seq"),
                    CellOf(s, "messages_in"), CellOf(s, "messages_out")});
  }
  return Table(rows);
}

std::string OrdersTable(const std::string& state_json) {
  const Json j = Parse(state_json);
  if (!j.is_object() || !j.contains("open_orders") ||
      !j["open_orders"].is_array()) {
    return state_json;
  }
  if (j["open_orders"].empty()) return "no open orders\n";
  std::vector<std::vector<std::string>> rows{
      {"ORDER", "SESSION", "CLORDID", "ACCOUNT", "SYMBOL", "SIDE", "QTY",
       "PRICE", "CUM", "LEAVES", "STATUS"}};
  for (const Json& o : j["open_orders"]) {
    rows.push_back(
        {CellOf(o, "exch_cl_ord_id"), CellOf(o, "session"),
         CellOf(o, "cl_ord_id"), CellOf(o, "account"), CellOf(o, "symbol"),
         CellOf(o, "side"), CellOf(o, "order_qty"), CellOf(o, "price"),
         CellOf(o, "cum_qty"), CellOf(o, "leaves_qty"), CellOf(o, "status")});
  }
  return Table(rows);
}

std::string StateText(const std::string& state_json) {
  const Json j = Parse(state_json);
  if (!j.is_object()) return state_json;
  std::string out = "Open orders:\n" + OrdersTable(state_json);
  if (j.contains("accounts") && j["accounts"].is_object()) {
    std::vector<std::vector<std::string>> rows{{"ACCOUNT", "CASH", "AVAILABLE",
                                                "RESERVED", "OPEN ORDERS",
                                                "POSITIONS"}};
    for (const auto& [name, a] : j["accounts"].items()) {
      std::vector<std::string> positions;
      if (a.contains("positions") && a["positions"].is_object()) {
        for (const auto& [symbol, p] : a["positions"].items()) {
          positions.push_back(symbol + " " + CellOf(p, "position"));
        }
      }
      rows.push_back({name, CellOf(a, "cash"), CellOf(a, "available"),
                      CellOf(a, "reserved"), CellOf(a, "open_orders"),
                      fmt::format("{}", fmt::join(positions, ", "))});
    }
    out += "\nAccounts:\n" + Table(rows);
  }
  if (j.contains("kill_switches") && j["kill_switches"].is_object()) {
    const Json& k = j["kill_switches"];
    std::vector<std::string> engaged;
    if (True(k, "global")) engaged.push_back("global");
    for (const char* scope : {"accounts", "sessions", "venues"}) {
      if (k.contains(scope) && k[scope].is_array()) {
        for (const Json& n : k[scope]) {
          engaged.push_back(
              std::string(scope, std::string_view(scope).size() - 1) + " " +
              Cell(n));
        }
      }
    }
    out += "\nKill switches engaged: " +
           (engaged.empty() ? std::string("none")
                            : fmt::format("{}", fmt::join(engaged, ", "))) +
           "\n";
  }
  return out;
}

std::string StatusText(const Answer& health, const std::string& sessions_json,
                       const std::string& state_json) {
  std::string out;
  std::string problems(TrimBlanks(health.body));
  while (!problems.empty() && problems.back() == '\n') problems.pop_back();
  if (health.status == 200) {
    out += "health: ok\n";
  } else {
    out += fmt::format("health: NOT OK (HTTP {})\n", health.status);
    size_t start = 0;
    while (start < problems.size()) {
      size_t nl = problems.find('\n', start);
      if (nl == std::string::npos) nl = problems.size();
      out += "  - " + problems.substr(start, nl - start) + "\n";
      start = nl + 1;
    }
  }
  const Json sessions = Parse(sessions_json);
  if (sessions.is_array()) {
    int brokers = 0, brokers_up = 0;
    std::string exchange = "none";
    for (const Json& s : sessions) {
      const bool up = True(s, "logged_on");
      if (CellOf(s, "role") == "exchange") {
        exchange = CellOf(s, "session") + (up ? " logged on" : " logged out");
      } else {
        ++brokers;
        brokers_up += up ? 1 : 0;
      }
    }
    out += fmt::format("exchange: {}\nbrokers: {} of {} logged on\n", exchange,
                       brokers_up, brokers);
  }
  const Json state = Parse(state_json);
  if (state.is_object() && state.contains("open_orders") &&
      state["open_orders"].is_array()) {
    out += fmt::format("open orders: {}\n", state["open_orders"].size());
  }
  if (state.is_object() && state.contains("kill_switches")) {
    const Json& k = state["kill_switches"];
    size_t n = True(k, "global") ? 1 : 0;
    for (const char* scope : {"accounts", "sessions", "venues"}) {
      if (k.contains(scope) && k[scope].is_array()) n += k[scope].size();
    }
    out += fmt::format("kill switches engaged: {}{}\n", n,
                       True(k, "global") ? " (GLOBAL)" : "");
  }
  return out;
}

std::string FieldsText(const std::string& json) {
  const Json j = Parse(json);
  if (!j.is_object()) return json;
  std::vector<std::vector<std::string>> rows;
  for (const auto& [key, value] : j.items()) {
    rows.push_back({key + ":", Cell(value)});
  }
  return Table(rows);
}

}  // namespace fixgw::ctl
