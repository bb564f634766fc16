// fixctl's logic without sockets: where to connect (loopback only unless
// asked), the admin token from a token file or the environment, the HTTP
// request each subcommand makes, and the tables printed from the admin
// API's JSON answers. Pure functions; thread-compatible. The program
// (main.cc) adds the command line and the HTTP client.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/result.h"

namespace fixgw::ctl {

using Json = nlohmann::ordered_json;

// Exit codes of fixctl.
inline constexpr int kOk = 0;
inline constexpr int kRefused = 1;  // the gateway answered with an error
inline constexpr int kUsage = 2;    // usage, token file or connection error

struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 8081;
};

// "http://HOST:PORT" (a trailing "/" allowed; no path, no https: the admin
// API is plain HTTP on 127.0.0.1). HOST must be 127.0.0.1 or localhost
// unless `any_host` (fixctl --any-host, e.g. a tunnel's other end).
// InvalidArgument with the reason otherwise.
Result<Endpoint> ParseUrl(std::string_view url, bool any_host);

// The token of a token file's text (AdminTokenFile: one "NAME TOKEN" per
// line, blank lines and # comments allowed): the line named `name`, or
// the first line if `name` is empty. Errors name the line, never a token.
Result<std::string> TokenFromFile(std::string_view text, std::string_view name);

// One admin API request.
struct Request {
  std::string method;  // "GET" or "POST"
  std::string path;
  std::string body;  // a POST's JSON object of strings ("{}" if none)
};

// A POST with `params` (empty values left out) as its JSON body.
Request Post(std::string path,
             const std::map<std::string, std::string>& params);

// An answer of the gateway: its HTTP status and body.
struct Answer {
  int status = 0;
  std::string body;
};

// What fixctl prints for a refusal (status >= 400): the "error" of a JSON
// body and, if present, "valid names: a, b"; else the body's text.
std::string RefusalText(const Answer& answer);

// Tables for people. Each takes the JSON the API returned; a body that is
// not what it expects is printed as it came (never an exception).
std::string SessionsTable(const std::string& sessions_json);
std::string OrdersTable(const std::string& state_json);
std::string StateText(const std::string& state_json);
// /health (text), /sessions and /state together.
std::string StatusText(const Answer& health, const std::string& sessions_json,
                       const std::string& state_json);
// The answer of a POST (session control, cancel, kill switch, reload) as
// "key: value" lines.
std::string FieldsText(const std::string& json);

// Columns padded to their widest cell; the first row is the header.
std::string Table(const std::vector<std::vector<std::string>>& rows);

}  // namespace fixgw::ctl
