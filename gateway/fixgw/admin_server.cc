#include "gateway/fixgw/admin_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <fmt/format.h>

#include <sys/socket.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "gateway/core/clock.h"
#include "gateway/core/path.h"
#include "gateway/fixgw/admin_names.h"
#include "risk/limits.h"

namespace fixgw::gw {
namespace {

using Json = nlohmann::ordered_json;

// Parameters and names come from outside: invalid UTF-8 is replaced, never
// thrown on.
std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void Error(httplib::Response& res, int code, const std::string& message) {
  res.status = code;
  res.set_content(Dump(Json{{"error", message}}) + "\n", "application/json");
}

std::string Param(const std::map<std::string, std::string>& params,
                  const char* key) {
  auto it = params.find(key);
  return it == params.end() ? std::string() : it->second;
}

std::optional<std::string_view> Header(const httplib::Request& req,
                                       const char* name) {
  auto it = req.headers.find(name);
  if (it == req.headers.end()) return std::nullopt;
  return std::string_view(it->second);
}

// The most a POST body may hold; parameters are a few short strings.
constexpr size_t kMaxBodyBytes = 64 << 10;

}  // namespace

Result<HealthChecks> ParseHealthChecks(
    const std::multimap<std::string, std::string>& query) {
  HealthChecks checks;
  for (const auto& [key, value] : query) {
    bool* flag = key == "brokers" ? &checks.brokers
                 : key == "kill"  ? &checks.kill
                                  : nullptr;
    if (flag == nullptr) {
      return Status::InvalidArgument(
          "unknown /health option '" + Printable(key, 64) +
          "': the options are brokers=1 (fail while a broker session is "
          "logged out) and kill=1 (fail while the global kill switch is "
          "engaged)");
    }
    if (value != "0" && value != "1") {
      return Status::InvalidArgument("/health option " + key +
                                     " must be 0 or 1, not '" +
                                     Printable(value, 64) + "'");
    }
    *flag = value == "1";
  }
  return checks;
}

std::string HealthProblems(GatewayApplication& app,
                           const AdminOptions& options,
                           const HealthChecks& checks) {
  std::string problems;
  const std::vector<GatewayApplication::VenueLiveness> venues =
      app.VenuesLiveness();
  for (const GatewayApplication::VenueLiveness& v : venues) {
    // One venue keeps the single-exchange wording.
    const std::string who = venues.size() > 1
                                ? "venue " + v.name + " (" + v.session + ")"
                                : std::string("exchange session");
    if (!v.liveness.logged_on) {
      problems += who + " is down\n";
    } else if (!v.liveness.responsive) {
      problems += who + " is not answering: " + SilenceText(v.liveness) + "\n";
    }
  }
  if (auto oldest = app.OldestAwaiting()) {
    const auto waited = Now() - oldest->since;
    if (waited > options.max_pending) {
      problems += fmt::format(
          "order(s) waiting for the exchange longer than {} s: oldest {} s "
          "({}, ClOrdID {})\n",
          options.max_pending.count(),
          std::chrono::duration_cast<std::chrono::seconds>(waited).count(),
          oldest->session, oldest->cl_ord_id);
    }
  }
  if (app.draining()) problems += "gateway is shutting down\n";
  if (checks.brokers) {
    for (const SessionStatus& s : app.Sessions()) {
      if (!s.exchange && !s.logged_on) {
        problems += std::string(s.drop_copy ? "drop-copy" : "broker") +
                    " session " + s.id + " is logged out\n";
      }
    }
  }
  if (checks.kill && app.KillSwitches().global) {
    problems += "the global kill switch is engaged\n";
  }
  if (!options.journal_path.empty()) {
    struct statvfs fs {};
    const std::string dir = DirectoryOf(options.journal_path);
    if (::access(options.journal_path.c_str(), W_OK) != 0) {
      problems += "journal " + options.journal_path + " is not writable\n";
    } else if (::statvfs(dir.c_str(), &fs) != 0) {
      problems += "journal directory " + dir + " cannot be inspected\n";
    } else {
      const uint64_t free_bytes =
          static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
      if (free_bytes < options.min_free_bytes) {
        problems += "journal disk nearly full: " +
                    std::to_string(free_bytes >> 20) + " MiB free in " + dir +
                    "\n";
      }
    }
  }
  return problems;
}

AdminServer::AdminServer(GatewayApplication& app, AdminOptions options)
    : app_(app),
      options_(std::move(options)),
      started_(options_.started == Timestamp{} ? Now() : options_.started),
      server_(std::make_unique<httplib::Server>()) {
  server_->set_payload_max_length(kMaxBodyBytes);
  // Every request, routed or not, is checked before any handler runs.
  server_->set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        return Admit(req, res).refusal
                   ? httplib::Server::HandlerResponse::Handled
                   : httplib::Server::HandlerResponse::Unhandled;
      });
  server_->Get("/health", [this](const httplib::Request& req,
                                 httplib::Response& res) {
    auto checks = ParseHealthChecks(req.params);
    if (!checks.ok()) return Error(res, 400, checks.status().message());
    const std::string problems = HealthProblems(app_, options_, *checks);
    if (problems.empty()) {
      res.set_content("ok\n", "text/plain");
    } else {
      res.status = 503;
      res.set_content(problems, "text/plain");
    }
  });
  server_->Get("/metrics", [this](const httplib::Request&,
                                  httplib::Response& res) {
    res.set_content(Metrics(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/sessions", [this](const httplib::Request&,
                                   httplib::Response& res) {
    res.set_content(SessionsJson(), "application/json");
  });
  server_->Get("/", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(RenderStatusPage(StatusPageView()),
                    "text/html; charset=utf-8");
  });
  server_->Get("/state", [this](const httplib::Request&,
                                httplib::Response& res) {
    res.set_content(app_.StateJson() + "\n", "application/json");
  });
  // The pre-routing handler has admitted these requests already; Admit
  // again (pure, a digest per token) for the caller's identity.
  server_->Post("/kill-switch", [this](const httplib::Request& req,
                                       httplib::Response& res) {
    const AdminVerdict verdict = Admit(req, res);
    if (verdict.refusal) return;
    auto params = ParseAdminParams(
        req.body,
        {{"action", 16}, {"scope", 16}, {"name", 64}, {"reason", 256}});
    if (!params.ok()) {
      return Refused(req, res, AdminRefusal::kBadRequest, 400,
                     params.status().message());
    }
    const std::string action = Param(*params, "action");
    if (action != "engage" && action != "disengage") {
      return Error(res, 400, "action must be 'engage' or 'disengage'");
    }
    const std::string scope_name = Param(*params, "scope");
    auto kind = KillScopeFromName(scope_name);
    if (!kind) {
      return Error(res, 400,
                   "scope must be 'global', 'account', 'session' or 'venue' "
                   "(got '" +
                       scope_name + "')");
    }
    risk::KillScope scope{*kind, Param(*params, "name")};
    if (*kind == risk::KillScope::Kind::kGlobal && !scope.name.empty()) {
      return Error(res, 400, "a global kill switch takes no name");
    }
    if (*kind != risk::KillScope::Kind::kGlobal && !scope.name.empty()) {
      // A name that matches nothing would switch off nothing: refused,
      // with the names that would work.
      Result<std::string> resolved = ResolveKillName(*kind, scope.name);
      if (!resolved.ok()) {
        return UnknownName(res, resolved.status(), *kind);
      }
      scope.name = std::move(*resolved);
    }
    const bool engage = action == "engage";
    auto result = app_.SetKillSwitch(
        scope, engage, "admin " + verdict.identity + " from " + req.remote_addr,
        Param(*params, "reason"));
    if (!result.ok()) return Error(res, 400, result.status().message());
    Json out{{"engaged", engage},
             {"scope", scope_name},
             {"name", scope.name},
             {"cancels_sent", result->cancels_sent}};
    res.set_content(Dump(out) + "\n", "application/json");
  });
  server_->Post("/session", [this](const httplib::Request& req,
                                   httplib::Response& res) {
    ControlSession(req, res);
  });
  server_->Post("/orders/cancel", [this](const httplib::Request& req,
                                         httplib::Response& res) {
    CancelOrder(req, res);
  });
  server_->Post("/risk/reload", [this](const httplib::Request& req,
                                       httplib::Response& res) {
    const AdminVerdict verdict = Admit(req, res);
    if (verdict.refusal) return;
    if (auto params = ParseAdminParams(req.body, {}); !params.ok()) {
      return Refused(req, res, AdminRefusal::kBadRequest, 400,
                     params.status().message());
    }
    if (options_.risk_path.empty()) {
      return Error(res, 400, "risk checks are off");
    }
    if (Status st = app_.LoadRiskLimits(
            options_.risk_path,
            "admin " + verdict.identity + " from " + req.remote_addr);
        !st.ok()) {
      return Error(res, 400, st.message());
    }
    res.set_content(Dump(Json{{"reloaded", options_.risk_path}}) + "\n",
                    "application/json");
  });
}

void AdminServer::SetSessionControl(SessionControl* control) {
  MutexLock lock(control_mu_);
  control_ = control;
}

std::set<std::string> AdminServer::AllSessions() {
  std::set<std::string> keys;
  for (const SessionStatus& s : app_.Sessions()) keys.insert(s.id);
  return keys;
}

namespace {

// 404 (400 if ambiguous) {"error":..,"valid":[names]}.
void UnknownSession(httplib::Response& res, const Status& status,
                    const std::set<std::string>& keys) {
  Json valid = Json::array();
  for (const std::string& n : SessionNamesAccepted(keys)) valid.push_back(n);
  res.status = status.code() == Status::Code::kNotFound ? 404 : 400;
  res.set_content(
      Dump(Json{{"error", status.message()}, {"valid", std::move(valid)}}) +
          "\n",
      "application/json");
}

int HttpStatusOf(const Status& status) {
  switch (status.code()) {
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kFailedPrecondition:
      return 409;
    case Status::Code::kUnavailable:
      return 503;
    case Status::Code::kInternal:
      return 500;
    default:
      return 400;
  }
}

}  // namespace

void AdminServer::ControlSession(const httplib::Request& req,
                                 httplib::Response& res) {
  const AdminVerdict verdict = Admit(req, res);
  if (verdict.refusal) return;
  auto params = ParseAdminParams(req.body, {{"session", 128},
                                            {"action", 16},
                                            {"next_sender", 16},
                                            {"next_target", 16},
                                            {"force", 8},
                                            {"reason", 256}});
  if (!params.ok()) {
    return Refused(req, res, AdminRefusal::kBadRequest, 400,
                   params.status().message());
  }
  Result<SessionCommand> command = ParseSessionCommand(*params);
  if (!command.ok()) return Error(res, 400, command.status().message());
  const std::set<std::string> keys = AllSessions();
  Result<std::string> key = ResolveSessionName(keys, command->session);
  if (!key.ok()) return UnknownSession(res, key.status(), keys);
  command->session = *key;
  command->source = "admin " + verdict.identity + " from " + req.remote_addr;
  Result<SessionControlOutcome> outcome =
      Status::Unavailable("the FIX sessions are not running");
  {
    MutexLock lock(control_mu_);
    if (control_ != nullptr) outcome = control_->Control(*command);
  }
  if (!outcome.ok()) {
    return Error(res, HttpStatusOf(outcome.status()),
                 outcome.status().message());
  }
  Json out{{"session", outcome->session},
           {"action", std::string(SessionActionName(command->action))},
           {"role", outcome->exchange ? "exchange" : "broker"},
           {"logged_on", outcome->logged_on},
           {"admission", std::string(AdmissionName(outcome->admission))},
           {"next_sender_seq", outcome->next_sender_seq},
           {"next_target_seq", outcome->next_target_seq}};
  res.set_content(Dump(out) + "\n", "application/json");
}

void AdminServer::CancelOrder(const httplib::Request& req,
                              httplib::Response& res) {
  const AdminVerdict verdict = Admit(req, res);
  if (verdict.refusal) return;
  auto params = ParseAdminParams(req.body, {{"order", 64},
                                            {"session", 128},
                                            {"cl_ord_id", 64},
                                            {"account", 64},
                                            {"reason", 256}});
  if (!params.ok()) {
    return Refused(req, res, AdminRefusal::kBadRequest, 400,
                   params.status().message());
  }
  const std::string order = Param(*params, "order");
  std::string session = Param(*params, "session");
  const std::string cl_ord_id = Param(*params, "cl_ord_id");
  if (order.empty() == cl_ord_id.empty()) {
    return Error(res, 400,
                 "name the order by order=<the gateway's ClOrdID> or by "
                 "session=<name> and cl_ord_id=<the broker's ClOrdID>");
  }
  if (!order.empty() && !session.empty()) {
    return Error(res, 400,
                 "order= names the order by itself; session= goes with "
                 "cl_ord_id=");
  }
  if (!cl_ord_id.empty()) {
    if (session.empty()) {
      return Error(res, 400, "cl_ord_id needs session=<name>");
    }
    const std::set<std::string> keys = KnownSessions();
    Result<std::string> key = ResolveSessionName(keys, session);
    if (!key.ok()) return UnknownSession(res, key.status(), keys);
    session = *key;
  }
  auto result = app_.CancelOrder(
      order, session, cl_ord_id, Param(*params, "account"),
      "admin " + verdict.identity + " from " + req.remote_addr,
      Param(*params, "reason"));
  if (!result.ok()) {
    return Error(res, HttpStatusOf(result.status()),
                 result.status().message());
  }
  Json out{{"session", result->session},
           {"cl_ord_id", result->cl_ord_id},
           {"order", result->exch_cl_ord_id},
           {"cancel", result->cancel_exch_cl_ord_id}};
  res.set_content(Dump(out) + "\n", "application/json");
}

AdminVerdict AdminServer::Admit(const httplib::Request& req,
                                httplib::Response& res) {
  AdminRequest request;
  request.method = req.method;
  request.path = req.path;
  request.has_query = req.target.find('?') != std::string::npos;
  request.host = Header(req, "Host");
  request.origin = Header(req, "Origin");
  request.authorization = Header(req, "Authorization");
  request.content_type = Header(req, "Content-Type");
  AdminVerdict verdict = options_.access.Check(request);
  if (verdict.refusal) {
    Refused(req, res, *verdict.refusal, verdict.http_status, verdict.message,
            verdict.www_authenticate);
  }
  return verdict;
}

void AdminServer::Refused(const httplib::Request& req, httplib::Response& res,
                          AdminRefusal refusal, int status,
                          const std::string& message,
                          const std::string& challenge) {
  refused_[static_cast<size_t>(refusal)].fetch_add(1,
                                                   std::memory_order_relaxed);
  // The path and the message may carry what the client sent: printable
  // ASCII only, so no request can write a line of its own into the log.
  spdlog::warn("admin: refused {} {} from {}: {} ({})",
               Printable(req.method, 16), Printable(req.path), req.remote_addr,
               AdminRefusalLabel(refusal), Printable(message, 256));
  if (!challenge.empty()) res.set_header("WWW-Authenticate", challenge);
  Error(res, status, message);
}

std::set<std::string> AdminServer::KnownSessions() {
  std::set<std::string> keys;
  for (const SessionStatus& s : app_.Sessions()) {
    if (!s.exchange) keys.insert(s.id);
  }
  // An engaged switch can always be released, configured or not.
  for (const std::string& name : app_.KillSwitches().sessions) {
    keys.insert(name);
  }
  return keys;
}

std::set<std::string> AdminServer::KnownAccounts() {
  std::set<std::string> accounts = options_.default_accounts;
  // The limits in force and every account the order flow has used.
  for (const GatewayApplication::AccountUse& a : app_.RiskUse()) {
    accounts.insert(a.account);
  }
  // The risk file as it is now (an account being added before a reload),
  // entitlements included.
  if (!options_.risk_path.empty()) {
    if (auto limits = risk::LoadRiskFile(options_.risk_path); limits.ok()) {
      for (const auto& [name, unused] : limits->accounts) accounts.insert(name);
      for (const auto& [name, session] : limits->sessions) {
        for (const std::string& a : session.allowed_accounts) {
          if (a != "*") accounts.insert(a);
        }
      }
      for (const std::string& a : limits->default_session.allowed_accounts) {
        if (a != "*") accounts.insert(a);
      }
    }
  }
  for (const std::string& name : app_.KillSwitches().accounts) {
    accounts.insert(name);
  }
  return accounts;
}

Result<std::string> AdminServer::ResolveKillName(risk::KillScope::Kind kind,
                                                 const std::string& name) {
  if (kind == risk::KillScope::Kind::kVenue) {
    const std::set<std::string> venues = KnownVenues();
    if (venues.contains(name)) return name;
    return Status::NotFound("no venue '" + name + "'");
  }
  return kind == risk::KillScope::Kind::kSession
             ? ResolveSessionName(KnownSessions(), name)
             : ResolveAccountName(KnownAccounts(), name);
}

std::set<std::string> AdminServer::KnownVenues() {
  std::set<std::string> venues;
  for (const GatewayApplication::VenueLiveness& v : app_.VenuesLiveness()) {
    venues.insert(v.name);
  }
  // An engaged switch can always be released, configured or not.
  for (const std::string& name : app_.KillSwitches().venues) {
    venues.insert(name);
  }
  return venues;
}

void AdminServer::UnknownName(httplib::Response& res, const Status& status,
                              risk::KillScope::Kind kind) {
  Json valid = Json::array();
  if (kind == risk::KillScope::Kind::kSession) {
    for (const std::string& n : SessionNamesAccepted(KnownSessions())) {
      valid.push_back(n);
    }
  } else if (kind == risk::KillScope::Kind::kVenue) {
    for (const std::string& n : KnownVenues()) valid.push_back(n);
  } else {
    for (const std::string& n : KnownAccounts()) valid.push_back(n);
  }
  res.status = status.code() == Status::Code::kNotFound ? 404 : 400;
  res.set_content(
      Dump(Json{{"error", status.message()}, {"valid", std::move(valid)}}) +
          "\n",
      "application/json");
}

AdminServer::~AdminServer() {
  // Start returns only once the listen thread runs (or has ended), so
  // stop() cannot come before the server's loop and be lost.
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string AdminServer::Metrics() {
  PromWriter w;
  w.Family("fixgw_build_info", "gauge",
           "1, labelled with the running fixgw's version");
  w.Sample("fixgw_build_info", {{"version", options_.version}}, int64_t{1});
  app_.metrics().Write(w);
  WriteProcessMetrics(w);
  if (!options_.journal_path.empty()) {
    WriteJournalFiles(w, options_.journal_path);
  }
  w.Family("fixgw_admin_requests_refused_total", "counter",
           "admin API requests refused, by reason");
  for (AdminRefusal r : kAllAdminRefusals) {
    w.Sample("fixgw_admin_requests_refused_total",
             {{"reason", std::string(AdminRefusalLabel(r))}},
             refused_[static_cast<size_t>(r)].load(std::memory_order_relaxed));
  }
  const std::vector<SessionStatus> sessions = app_.Sessions();
  w.Family("fixgw_session_logged_on", "gauge",
           "1 when the FIX session is logged on");
  for (const SessionStatus& s : sessions) {
    w.Sample("fixgw_session_logged_on",
             {{"session", s.id}, {"role", SessionRole(s)}},
             int64_t{s.logged_on ? 1 : 0});
  }
  w.Family("fixgw_session_next_sender_seq", "gauge",
           "the next MsgSeqNum the gateway sends on the session");
  for (const SessionStatus& s : sessions) {
    w.Sample("fixgw_session_next_sender_seq", {{"session", s.id}},
             int64_t{s.next_sender_seq});
  }
  w.Family("fixgw_session_next_target_seq", "gauge",
           "the next MsgSeqNum the gateway expects on the session");
  for (const SessionStatus& s : sessions) {
    w.Sample("fixgw_session_next_target_seq", {{"session", s.id}},
             int64_t{s.next_target_seq});
  }
  const OrderRouter::OrderCounts counts = app_.CountOrders();
  w.Family("fixgw_open_orders", "gauge", "orders not filled, canceled or "
                                         "rejected yet");
  w.Sample("fixgw_open_orders", {}, static_cast<uint64_t>(counts.open));
  w.Family("fixgw_orders_awaiting_exchange", "gauge",
           "open orders waiting for an exchange answer (new, cancel or "
           "replace)");
  w.Sample("fixgw_orders_awaiting_exchange", {},
           static_cast<uint64_t>(counts.awaiting_exchange));
  const GatewayApplication::ExchangeLiveness exchange = app_.Liveness();
  w.Family("fixgw_exchange_up", "gauge",
           "1 when every venue's session is logged on and answering");
  w.Sample("fixgw_exchange_up", {},
           int64_t{exchange.logged_on && exchange.responsive ? 1 : 0});
  w.Family("fixgw_exchange_responsive", "gauge",
           "0 while a TestRequest to the exchange is unanswered for "
           "ExchangeAnswerSeconds, 1 otherwise");
  w.Sample("fixgw_exchange_responsive", {},
           int64_t{exchange.responsive ? 1 : 0});
  w.Family("fixgw_exchange_silence_seconds", "gauge",
           "seconds since the last message from the exchange");
  w.Sample("fixgw_exchange_silence_seconds", {},
           std::string_view(FormatMicros(exchange.silence.count())));
  const std::vector<GatewayApplication::VenueLiveness> venues =
      app_.VenuesLiveness();
  w.Family("fixgw_venue_up", "gauge",
           "1 when the venue's session is logged on and answering");
  for (const GatewayApplication::VenueLiveness& v : venues) {
    w.Sample("fixgw_venue_up", {{"venue", v.name}, {"session", v.session}},
             int64_t{v.liveness.logged_on && v.liveness.responsive ? 1 : 0});
  }
  w.Family("fixgw_venue_silence_seconds", "gauge",
           "seconds since the last message from the venue");
  for (const GatewayApplication::VenueLiveness& v : venues) {
    w.Sample("fixgw_venue_silence_seconds", {{"venue", v.name}},
             std::string_view(FormatMicros(v.liveness.silence.count())));
  }
  const std::vector<GatewayApplication::VenueRate> rates = app_.VenueRates();
  w.Family("fixgw_venue_orders_total", "counter",
           "NewOrderSingles sent to the venue since fixgw started");
  for (const auto& r : rates) {
    w.Sample("fixgw_venue_orders_total", {{"venue", r.name}}, r.orders);
  }
  w.Family("fixgw_venue_queued_messages", "gauge",
           "messages waiting for the venue's MaxMessagesPerSecond");
  for (const auto& r : rates) {
    w.Sample("fixgw_venue_queued_messages", {{"venue", r.name}}, r.queued);
  }
  w.Family("fixgw_venue_paced_messages_total", "counter",
           "messages that waited for the venue's MaxMessagesPerSecond");
  for (const auto& r : rates) {
    w.Sample("fixgw_venue_paced_messages_total", {{"venue", r.name}}, r.paced);
  }
  w.Family("fixgw_venue_rate_refusals_total", "counter",
           "orders, cancels and replaces refused: the venue's queue was full");
  for (const auto& r : rates) {
    w.Sample("fixgw_venue_rate_refusals_total", {{"venue", r.name}}, r.refused);
  }
  const auto oldest = app_.OldestAwaiting();
  const int64_t pending_micros =
      oldest ? std::max<int64_t>(0, (Now() - oldest->since).count()) : 0;
  w.Family("fixgw_oldest_pending_order_seconds", "gauge",
           "how long the order waiting longest for an exchange answer has "
           "waited; 0 if none waits");
  w.Sample("fixgw_oldest_pending_order_seconds", {},
           std::string_view(FormatMicros(pending_micros)));
  w.Family("fixgw_draining", "gauge", "1 while the gateway shuts down");
  w.Sample("fixgw_draining", {}, int64_t{app_.draining() ? 1 : 0});
  const auto use = app_.RiskUse();
  w.Family("fixgw_risk_cash_limit", "gauge",
           "the account's cash in the risk file (currency units)");
  for (const auto& a : use) {
    w.Sample("fixgw_risk_cash_limit", {{"account", a.account}},
             std::string_view(FormatMicros(a.cash_limit.micros())));
  }
  w.Family("fixgw_risk_cash_available", "gauge",
           "cash minus fills and reservations of open orders");
  for (const auto& a : use) {
    w.Sample("fixgw_risk_cash_available", {{"account", a.account}},
             std::string_view(FormatMicros(a.available.micros())));
  }
  w.Family("fixgw_risk_cash_reserved", "gauge",
           "cash reserved by the account's open buy orders");
  for (const auto& a : use) {
    w.Sample("fixgw_risk_cash_reserved", {{"account", a.account}},
             std::string_view(FormatMicros(a.reserved.micros())));
  }
  w.Family("fixgw_risk_cash_utilisation", "gauge",
           "(cash limit - available) / cash limit: 1 = buying power used up");
  for (const auto& a : use) {
    w.Sample("fixgw_risk_cash_utilisation", {{"account", a.account}},
             std::string_view(
                 FormatMicros(UtilisationMicros(a.cash_limit, a.available))));
  }
  const risk::KillSwitches kill = app_.KillSwitches();
  w.Family("fixgw_kill_switch_engaged", "gauge",
           "1 for each kill switch engaged");
  w.Sample("fixgw_kill_switch_engaged", {{"scope", "global"}, {"name", ""}},
           int64_t{kill.global ? 1 : 0});
  for (const std::string& name : kill.accounts) {
    w.Sample("fixgw_kill_switch_engaged", {{"scope", "account"}, {"name", name}},
             int64_t{1});
  }
  for (const std::string& name : kill.sessions) {
    w.Sample("fixgw_kill_switch_engaged", {{"scope", "session"}, {"name", name}},
             int64_t{1});
  }
  for (const std::string& name : kill.venues) {
    w.Sample("fixgw_kill_switch_engaged", {{"scope", "venue"}, {"name", name}},
             int64_t{1});
  }
  return w.text();
}

StatusView AdminServer::StatusPageView() {
  StatusView view;
  view.now = Now();
  view.version = options_.version;
  view.started = started_;
  view.exchange_up = app_.exchange_logged_on();
  view.draining = app_.draining();
  const std::string problems = HealthProblems(app_, options_);
  view.health = problems.empty() ? "ok" : problems;
  if (!view.health.empty() && view.health.back() == '\n') {
    view.health.pop_back();
  }
  view.sessions = app_.Sessions();
  std::vector<SessionConnection> connections;
  {
    MutexLock lock(control_mu_);
    if (control_ != nullptr) connections = control_->Connections();
  }
  for (SessionStatus& s : view.sessions) {
    for (const SessionConnection& c : connections) {
      if (c.session != s.id) continue;
      s.remote = c.remote;
      s.heard_ago = c.heard_ago;
    }
  }
  const OrderRouter::OrderCounts counts = app_.CountOrders();
  view.open_orders = counts.open;
  view.awaiting_exchange = counts.awaiting_exchange;
  view.orders_accepted = app_.metrics().orders_accepted();
  view.risk_checks = app_.risk_checks();
  view.accounts = app_.RiskUse();
  view.kill = app_.KillSwitches();
  view.refusals = app_.RecentRefusals();
  const std::vector<int64_t> bounds(LatencyHistogram::kBoundsMicros.begin(),
                                    LatencyHistogram::kBoundsMicros.end());
  using Path = GatewayMetrics::Path;
  for (const auto& [path, title] :
       {std::pair{Path::kBrokerToExchange, "broker to exchange (orders, "
                                           "cancels, replaces)"},
        std::pair{Path::kExchangeToBroker, "exchange to broker (reports)"},
        std::pair{Path::kGatewayAnswer, "answered by the gateway (rejects, "
                                        "status)"}}) {
    const auto counts_of = app_.metrics().path(path).Counts();
    view.latency.push_back(LatencyChart{
        title, bounds, std::vector<uint64_t>(counts_of.begin(),
                                             counts_of.end())});
  }
  return view;
}

std::string AdminServer::SessionsJson() {
  Json out = Json::array();
  for (const SessionStatus& s : app_.Sessions()) {
    Json session{
        {"session", s.id},
        {"role", SessionRole(s)},
        {"logged_on", s.logged_on},
        {"admission", std::string(AdmissionName(app_.AdmissionOf(s.id)))},
        {"next_sender_seq", s.next_sender_seq},
        {"next_target_seq", s.next_target_seq},
        {"messages_in", s.messages_in},
        {"messages_out", s.messages_out}};
    if (s.exchange) session["venue"] = s.venue;
    out.push_back(std::move(session));
  }
  return Dump(out) + "\n";
}

Status AdminServer::Start(int port) {
  // httplib's default sets SO_REUSEPORT, which lets a second gateway bind
  // the same port and take every other request. SO_REUSEADDR alone still
  // allows a restart while old connections linger in TIME_WAIT, but a bind
  // to a port somebody listens on fails.
  server_->set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  if (!server_->bind_to_port("127.0.0.1", port)) {
    return Status::Unavailable(fmt::format(
        "[GATEWAY] AdminPort={}: cannot listen on 127.0.0.1:{} (in use: "
        "another fixgw or another program has it)",
        port, port));
  }
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listen_ended_.store(true);
  });
  // httplib's stop() does nothing until the listen loop has started: wait
  // for it, or a start-up error right after Start would leave the
  // destructor joining a thread that accepts forever.
  while (!server_->is_running() && !listen_ended_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::Ok();
}

}  // namespace fixgw::gw
