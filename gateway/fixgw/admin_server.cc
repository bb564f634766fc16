#include "gateway/fixgw/admin_server.h"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <utility>

namespace fixgw::gw {
namespace {

using Json = nlohmann::ordered_json;

void Error(httplib::Response& res, int code, const std::string& message) {
  res.status = code;
  res.set_content(Json{{"error", message}}.dump() + "\n", "application/json");
}

std::string Param(const httplib::Request& req, const char* key) {
  return req.has_param(key) ? req.get_param_value(key) : std::string();
}

}  // namespace

AdminServer::AdminServer(GatewayApplication& app, std::string risk_path)
    : app_(app),
      risk_path_(std::move(risk_path)),
      server_(std::make_unique<httplib::Server>()) {
  server_->Get("/health", [this](const httplib::Request&,
                                 httplib::Response& res) {
    if (app_.exchange_logged_on()) {
      res.set_content("ok\n", "text/plain");
    } else {
      res.status = 503;
      res.set_content("exchange session is down\n", "text/plain");
    }
  });
  server_->Get("/state", [this](const httplib::Request&,
                                httplib::Response& res) {
    res.set_content(app_.StateJson() + "\n", "application/json");
  });
  server_->Post("/kill-switch", [this](const httplib::Request& req,
                                       httplib::Response& res) {
    const std::string action = Param(req, "action");
    if (action != "engage" && action != "disengage") {
      return Error(res, 400, "action must be 'engage' or 'disengage'");
    }
    const std::string scope_name = Param(req, "scope");
    auto kind = KillScopeFromName(scope_name);
    if (!kind) {
      return Error(res, 400,
                   "scope must be 'global', 'account' or 'session' (got '" +
                       scope_name + "')");
    }
    risk::KillScope scope{*kind, Param(req, "name")};
    if (*kind == risk::KillScope::Kind::kGlobal && !scope.name.empty()) {
      return Error(res, 400, "a global kill switch takes no name");
    }
    const bool engage = action == "engage";
    auto result = app_.SetKillSwitch(scope, engage, "admin " + req.remote_addr,
                                     Param(req, "reason"));
    if (!result.ok()) return Error(res, 400, result.status().message());
    Json out{{"engaged", engage},
             {"scope", scope_name},
             {"name", scope.name},
             {"cancels_sent", result->cancels_sent}};
    res.set_content(out.dump() + "\n", "application/json");
  });
  server_->Post("/risk/reload", [this](const httplib::Request&,
                                       httplib::Response& res) {
    if (risk_path_.empty()) return Error(res, 400, "risk checks are off");
    if (Status st = app_.LoadRiskLimits(risk_path_); !st.ok()) {
      return Error(res, 400, st.message());
    }
    res.set_content(Json{{"reloaded", risk_path_}}.dump() + "\n",
                    "application/json");
  });
}

AdminServer::~AdminServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

Status AdminServer::Start(int port) {
  if (!server_->bind_to_port("127.0.0.1", port)) {
    return Status::Unavailable("admin: cannot listen on 127.0.0.1:" +
                               std::to_string(port));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return Status::Ok();
}

}  // namespace fixgw::gw
