// fixctl: the operator's command line over fixgw's admin API (AdminPort on
// 127.0.0.1; see gateway/fixgw/admin_server.h and docs/operations.md):
//
//   fixctl [--port N | --url http://127.0.0.1:N] [--token-file FILE
//          [--token-name NAME]] [--json] COMMAND
//     status | sessions | orders | state
//     kill-switch engage|disengage global|account NAME|session NAME|venue NAME
//                 [--reason TEXT]
//     risk reload
//     session logon|logout|enable|disable NAME [--reason TEXT]
//     session set-seq NAME [--sender N] [--target N] [--force]
//     session reset-seq NAME [--force]
//     cancel ORDER | cancel --session NAME --clordid ID  [--account A]
//            [--reason TEXT]
//
// The token comes from --token-file (AdminTokenFile's "NAME TOKEN" lines)
// or the environment variable FIXGW_ADMIN_TOKEN. Tables for people by
// default; --json prints the API's answer as it came. Exit codes: 0 ok;
// 1 the gateway answered with an error (its message printed; `status`
// also when the gateway is not healthy); 2 usage, token file or
// connection error.
#include <fmt/format.h>
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "fixgw_version.h"
#include "gateway/fixctl/ctl.h"

namespace {

using fixgw::ctl::Answer;
using fixgw::ctl::Request;
namespace ctl = fixgw::ctl;

struct Options {
  int port = 8081;
  std::string url;
  bool any_host = false;
  std::string token_file;
  std::string token_name;
  bool json = false;
  int timeout_s = 15;
};

class Client {
 public:
  Client(const ctl::Endpoint& endpoint, std::string token, int timeout_s)
      : http_(endpoint.host, endpoint.port), token_(std::move(token)) {
    http_.set_connection_timeout(5);
    http_.set_read_timeout(timeout_s);
    http_.set_write_timeout(5);
    where_ = fmt::format("{}:{}", endpoint.host, endpoint.port);
  }

  // nullopt (and a message on stderr) if no answer came.
  std::optional<Answer> Send(const Request& request) {
    httplib::Headers headers;
    if (!token_.empty()) {
      headers.emplace("Authorization", "Bearer " + token_);
    }
    httplib::Result r = request.method == "GET"
                            ? http_.Get(request.path, headers)
                            : http_.Post(request.path, headers, request.body,
                                         "application/json");
    if (!r) {
      fmt::print(stderr, "fixctl: no answer from the admin API at {}{}: {}\n",
                 where_, request.path, httplib::to_string(r.error()));
      return std::nullopt;
    }
    return Answer{r->status, r->body};
  }

 private:
  httplib::Client http_;
  std::string token_;
  std::string where_;
};

// Prints an answer: the raw body with --json, else `human` of it; a
// refusal's message on stderr. The exit code.
int Show(const std::optional<Answer>& a, bool json,
         std::string (*human)(const std::string&)) {
  if (!a) return ctl::kUsage;
  if (a->status >= 400) {
    if (json) fmt::print("{}", a->body);
    fmt::print(stderr, "fixctl: {}\n", ctl::RefusalText(*a));
    return ctl::kRefused;
  }
  fmt::print("{}", json ? a->body : human(a->body));
  return ctl::kOk;
}

std::optional<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "fixctl: drive fixgw's admin API (sessions, orders, kill switches, "
      "risk reload, session control) from the command line"};
  cli.set_version_flag("--version", "fixctl " FIXGW_VERSION);
  cli.require_subcommand(1);
  Options opt;
  cli.add_option("--port", opt.port,
                 "the gateway's AdminPort on 127.0.0.1 (default 8081)");
  cli.add_option(
      "--url", opt.url,
      "http://127.0.0.1:PORT instead of --port (127.0.0.1 or localhost only)");
  cli.add_flag(
      "--any-host", opt.any_host,
      "let --url name a host that is not 127.0.0.1 or localhost (a tunnel)");
  cli.add_option("--token-file", opt.token_file,
                 "AdminTokenFile-format file (NAME TOKEN lines); default: "
                 "the environment variable FIXGW_ADMIN_TOKEN");
  cli.add_option("--token-name", opt.token_name,
                 "the token of this NAME in --token-file (default: the "
                 "first)");
  cli.add_flag("--json", opt.json, "print the API's JSON answer as it came");
  cli.add_option("--timeout", opt.timeout_s,
                 "seconds to wait for an answer (default 15)");

  CLI::App* status = cli.add_subcommand(
      "status", "health (with the reasons when not healthy) and a summary");
  CLI::App* sessions = cli.add_subcommand("sessions",
                                          "every FIX session: logged on, "
                                          "admission, sequence numbers");
  CLI::App* orders = cli.add_subcommand("orders", "the open orders");
  CLI::App* state = cli.add_subcommand(
      "state", "open orders, accounts (cash, positions), kill switches");

  CLI::App* kill =
      cli.add_subcommand("kill-switch",
                         "engage or disengage a kill switch (engaging cancels "
                         "the scope's open orders)");
  std::string kill_action, kill_scope, kill_name, kill_reason;
  kill->add_option("action", kill_action, "engage or disengage")
      ->required()
      ->check(CLI::IsMember({"engage", "disengage"}));
  kill->add_option("scope", kill_scope, "global, account, session or venue")
      ->required()
      ->check(CLI::IsMember({"global", "account", "session", "venue"}));
  kill->add_option("name", kill_name,
                   "the account, or the session (full key or short name)");
  kill->add_option("--reason", kill_reason, "why (journaled)");

  CLI::App* risk = cli.add_subcommand("risk", "risk limits");
  risk->require_subcommand(1);
  CLI::App* reload =
      risk->add_subcommand("reload", "re-read the risk file (like SIGHUP)");

  CLI::App* session = cli.add_subcommand(
      "session", "control one FIX session (journaled with your token's name)");
  std::string s_action, s_name, s_reason;
  std::optional<int64_t> s_sender, s_target;
  bool s_force = false;
  session
      ->add_option("action", s_action,
                   "logon, logout, enable, disable, set-seq or reset-seq")
      ->required()
      ->check(CLI::IsMember(
          {"logon", "logout", "enable", "disable", "set-seq", "reset-seq"}));
  session
      ->add_option("name", s_name,
                   "the session: full key (FIX.4.4:GW->ALPHA) or short "
                   "name (ALPHA)")
      ->required();
  session->add_option("--sender", s_sender,
                      "set-seq: the next MsgSeqNum the gateway sends");
  session->add_option("--target", s_target,
                      "set-seq: the next MsgSeqNum the gateway expects");
  session->add_flag("--force", s_force,
                    "set-seq/reset-seq while the session is logged on");
  session->add_option("--reason", s_reason,
                      "why (journaled; the Text of a Logout it sends)");

  CLI::App* cancel = cli.add_subcommand(
      "cancel",
      "cancel one open order at the exchange; its broker gets the "
      "Canceled report");
  std::string c_order, c_session, c_clordid, c_account, c_reason;
  cancel->add_option("order", c_order,
                     "the gateway's ClOrdID of the order (ORDER in "
                     "`fixctl orders`)");
  cancel->add_option("--session", c_session,
                     "with --clordid: the broker session owning the order");
  cancel->add_option("--clordid", c_clordid, "the broker's ClOrdID");
  cancel->add_option("--account", c_account,
                     "refuse unless the order is this account's");
  cancel->add_option("--reason", c_reason,
                     "why (journaled; the Text of the broker's report)");

  cli.footer(
      "Exit codes: 0 ok; 1 the gateway answered with an error (printed, with "
      "the valid names where it gives them), or `status` found it not "
      "healthy; 2 usage, token file or connection error.\n"
      "Documentation: docs/operations.md");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "fixctl: {} (fixctl --help for usage)\n", e.what());
    return ctl::kUsage;
  }

  ctl::Endpoint endpoint;
  endpoint.port = opt.port;
  if (!opt.url.empty()) {
    auto parsed = ctl::ParseUrl(opt.url, opt.any_host);
    if (!parsed.ok()) {
      fmt::print(stderr, "fixctl: {}\n", parsed.status().message());
      return ctl::kUsage;
    }
    endpoint = *parsed;
  } else if (opt.port < 1 || opt.port > 65535) {
    fmt::print(stderr, "fixctl: --port {}: not a port\n", opt.port);
    return ctl::kUsage;
  }
  std::string token;
  if (!opt.token_file.empty()) {
    auto text = ReadAll(opt.token_file);
    if (!text) {
      fmt::print(stderr, "fixctl: --token-file {}: cannot read it\n",
                 opt.token_file);
      return ctl::kUsage;
    }
    auto t = ctl::TokenFromFile(*text, opt.token_name);
    if (!t.ok()) {
      fmt::print(stderr, "fixctl: --token-file {}: {}\n", opt.token_file,
                 t.status().message());
      return ctl::kUsage;
    }
    token = *t;
  } else if (const char* env = std::getenv("FIXGW_ADMIN_TOKEN")) {
    token = env;
  }
  Client client(endpoint, token, opt.timeout_s);

  if (*status) {
    auto health = client.Send({"GET", "/health", ""});
    if (!health) return ctl::kUsage;
    auto s = client.Send({"GET", "/sessions", ""});
    auto st = client.Send({"GET", "/state", ""});
    if (!s || !st) return ctl::kUsage;
    for (const auto* a : {&*s, &*st}) {
      if (a->status >= 400) {
        fmt::print(stderr, "fixctl: {}\n", ctl::RefusalText(*a));
        return ctl::kRefused;
      }
    }
    if (opt.json) {
      ctl::Json out{{"health", health->status == 200 ? "ok" : health->body},
                    {"sessions", ctl::Json::parse(s->body, nullptr, false)},
                    {"state", ctl::Json::parse(st->body, nullptr, false)}};
      fmt::print("{}\n",
                 out.dump(-1, ' ', false, ctl::Json::error_handler_t::replace));
    } else {
      fmt::print("{}", ctl::StatusText(*health, s->body, st->body));
    }
    return health->status == 200 ? ctl::kOk : ctl::kRefused;
  }
  if (*sessions) {
    return Show(client.Send({"GET", "/sessions", ""}), opt.json,
                ctl::SessionsTable);
  }
  if (*orders) {
    return Show(client.Send({"GET", "/state", ""}), opt.json, ctl::OrdersTable);
  }
  if (*state) {
    return Show(client.Send({"GET", "/state", ""}), opt.json, ctl::StateText);
  }
  if (*kill) {
    if ((kill_scope == "global") != kill_name.empty()) {
      fmt::print(stderr, "fixctl: kill-switch: {}\n",
                 kill_scope == "global"
                     ? "a global kill switch takes no name"
                     : "an account, session or venue kill switch needs a "
                       "name");
      return ctl::kUsage;
    }
    return Show(
        client.Send(ctl::Post("/kill-switch", {{"action", kill_action},
                                               {"scope", kill_scope},
                                               {"name", kill_name},
                                               {"reason", kill_reason}})),
        opt.json, ctl::FieldsText);
  }
  if (*risk && *reload) {
    return Show(client.Send(ctl::Post("/risk/reload", {})), opt.json,
                ctl::FieldsText);
  }
  if (*session) {
    if ((s_sender || s_target) && s_action != "set-seq") {
      fmt::print(stderr, "fixctl: --sender/--target go with set-seq only\n");
      return ctl::kUsage;
    }
    if (s_action == "set-seq" && !s_sender && !s_target) {
      fmt::print(stderr, "fixctl: set-seq needs --sender, --target or both\n");
      return ctl::kUsage;
    }
    std::map<std::string, std::string> params{
        {"session", s_name}, {"action", s_action}, {"reason", s_reason}};
    if (s_sender) params["next_sender"] = std::to_string(*s_sender);
    if (s_target) params["next_target"] = std::to_string(*s_target);
    if (s_force) params["force"] = "true";
    return Show(client.Send(ctl::Post("/session", params)), opt.json,
                ctl::FieldsText);
  }
  if (*cancel) {
    if (c_order.empty() == c_clordid.empty() ||
        (!c_clordid.empty() && c_session.empty())) {
      fmt::print(stderr,
                 "fixctl: cancel: name the order by ORDER (the gateway's "
                 "ClOrdID) or by --session NAME --clordid ID\n");
      return ctl::kUsage;
    }
    return Show(
        client.Send(ctl::Post("/orders/cancel", {{"order", c_order},
                                                 {"session", c_session},
                                                 {"cl_ord_id", c_clordid},
                                                 {"account", c_account},
                                                 {"reason", c_reason}})),
        opt.json, ctl::FieldsText);
  }
  fmt::print(stderr, "fixctl: no command (fixctl --help for usage)\n");
  return ctl::kUsage;
}
