// fixgw's admin HTTP API (cpp-httplib), bound to 127.0.0.1 only:
//
//   GET  /              status page for people (status_page.h): version,
//                       uptime, sessions with their connections, accounts
//                       and positions, orders, kill switches, refusals and
//                       the order-path latency as a chart
//   GET  /health        200 "ok" when the exchange session is logged on and
//                       answering, no order has waited longer than
//                       max_pending for the exchange, the journal is
//                       writable and its disk has room, and the gateway is
//                       not shutting down; 503 with the reasons otherwise
//                       (one per line). The only request that needs no
//                       credentials. Query options (0 or 1, default 0):
//                       brokers=1 also fails while a configured broker
//                       session is logged out, kill=1 while the global
//                       kill switch is engaged; any other parameter is 400.
//   GET  /metrics       Prometheus text format (metrics.h, and gauges read
//                       at scrape time: fixgw_build_info, sessions, open
//                       orders, risk use, the process, the journal's files)
//   GET  /sessions      every FIX session as JSON: logged on, sequence
//                       numbers, messages in and out
//   GET  /state         the gateway's state as JSON (state_report.h)
//   POST /kill-switch   engage or disengage a kill switch; parameters as a
//                       JSON object of strings: action=engage|disengage,
//                       scope=global|account|session, name=ACCOUNT|SESSION
//                       (not for global), reason=free text (optional).
//                       200 {"engaged":..,"scope":..,"name":..,
//                       "cancels_sent":N}; 400 with the error otherwise
//   POST /risk/reload   re-reads the risk file (like SIGHUP); body empty or
//                       {}; 200, or 400 naming the file and key
//   POST /session       control one FIX session (session_control.h):
//                       session=KEY|SHORT NAME (brokers' and the
//                       exchange's), action=logon|logout|enable|disable|
//                       set-seq|reset-seq, next_sender=N and/or
//                       next_target=N (set-seq), force=true (the seq
//                       actions while logged on), reason=free text.
//                       200 {"session","action","role","logged_on",
//                       "admission","next_sender_seq","next_target_seq"}
//                       (the state after the action); 404 {"error",
//                       "valid":[names]} for an unknown session; 409 for
//                       a seq action while logged on without force, or
//                       logon of a disabled session; 400 for bad
//                       parameters or enable/disable of the exchange; 503
//                       before the sessions run
//   POST /orders/cancel cancel one open order at the exchange: order=the
//                       gateway's ClOrdID (exch_cl_ord_id in /state), or
//                       session=NAME and cl_ord_id=the broker's ClOrdID;
//                       account=ACCOUNT (optional: must be the order's);
//                       reason=free text (the Text of the Canceled report
//                       the broker gets). 200 {"session","cl_ord_id",
//                       "order","cancel"}; 404 for no such order or
//                       session; 409 for an order finished or with a
//                       request pending, or the exchange down
//   GET /sessions also shows each session's "admission" (open, logged-out,
//   disabled).
//
// Every request passes AdminAccess (admin_auth.h) first: Host and Origin
// must be this port on loopback, credentials (Authorization: Bearer TOKEN,
// or Basic NAME:TOKEN for browsers) unless AdminAuth=none, and a POST must
// be application/json without a query string. Refusals are logged with the
// peer address (never a credential) and counted in
// fixgw_admin_requests_refused_total{reason}. Every change is journaled by
// GatewayApplication with source "admin token:NAME from <peer address>"
// ("admin unauthenticated from ..." with AdminAuth=none):
//   curl -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json'
//        -d '{"action":"engage","scope":"account","name":"ACC1",
//             "reason":"runaway"}' http://127.0.0.1:8081/kill-switch
//
// Thread-safety: requests are served on the server's own threads and call
// GatewayApplication's thread-safe operator actions; AdminAccess is
// immutable and the refusal counters are atomic. Session control goes
// through the SessionControl port (set once the sessions run; fixgw
// destroys the server before they stop), which runs each action on the
// event loop; its pointer is guarded by control_mu_, held for the whole
// call so that clearing it waits for a call in flight.
#pragma once

#include <chrono>
#include <map>
#include <array>
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "gateway/core/result.h"
#include "gateway/core/thread_annotations.h"
#include "gateway/fixgw/admin_auth.h"
#include "gateway/fixgw/gateway_app.h"
#include "gateway/fixgw/session_control.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace fixgw::gw {

struct AdminOptions {
  std::string risk_path;     // what /risk/reload reads; "": risk checks off
  std::string journal_path;  // checked by /health; "": pass-through
  // /health fails below this much free space on the journal's file system.
  uint64_t min_free_bytes = 64ull << 20;
  // /health fails while an order has waited longer for the exchange.
  std::chrono::seconds max_pending{10};
  // Who may call; the default refuses everything but GET /health.
  AdminAccess access;
  // Accounts configured outside the risk file (the sessions'
  // DefaultAccount): valid kill-switch names besides the risk file's.
  std::set<std::string> default_accounts;
  std::string version;  // fixgw_build_info{version}, the status page's
  // When the process started (the status page's uptime); the epoch: when
  // the server is made.
  Timestamp started{};
};

// What /health checks besides the defaults (its query options).
struct HealthChecks {
  bool brokers = false;  // every broker session logged on
  bool kill = false;     // the global kill switch not engaged
};
// `query`: the request's parameters. InvalidArgument naming an unknown
// parameter or a value other than 0 and 1.
Result<HealthChecks> ParseHealthChecks(
    const std::multimap<std::string, std::string>& query);

// The reasons the gateway is not healthy, one per line; "" when it is.
std::string HealthProblems(GatewayApplication& app,
                           const AdminOptions& options,
                           const HealthChecks& checks = {});

class AdminServer {
 public:
  // `app` must outlive the server.
  AdminServer(GatewayApplication& app, AdminOptions options);
  ~AdminServer();  // stops and joins
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds 127.0.0.1:port exclusively (no SO_REUSEPORT: a second gateway on
  // the same port fails here) and serves on a background thread, running
  // when this returns. Unavailable if the port cannot be bound.
  Status Start(int port);

  // The sessions' control port (null: none, POST /session answers 503).
  // `control` must stay valid until it is replaced or cleared; clearing
  // waits for a call in flight.
  void SetSessionControl(SessionControl* control) EXCLUDES(control_mu_);

 private:
  void ControlSession(const httplib::Request& req, httplib::Response& res);
  void CancelOrder(const httplib::Request& req, httplib::Response& res);
  // Every FIX session's key, the exchange's included.
  std::set<std::string> AllSessions();
  std::string Metrics();
  std::string SessionsJson();
  // GET /: everything the page shows, gathered as /sessions and /metrics
  // gather it, plus the sessions' connections read on the event loop
  // through the SessionControl port.
  StatusView StatusPageView() EXCLUDES(control_mu_);
  // Valid kill-switch names: the broker sessions' keys, and the accounts
  // of the risk file (in force and on disk: [accounts.*] and entitlements),
  // the sessions' DefaultAccount and the order flow; engaged switches too.
  std::set<std::string> KnownSessions();
  // The configured venues and those with a kill switch engaged.
  std::set<std::string> KnownVenues();
  std::set<std::string> KnownAccounts();
  // The configured name `name` stands for (a session's short name becomes
  // its key), or why it is refused.
  Result<std::string> ResolveKillName(risk::KillScope::Kind kind,
                                      const std::string& name);
  // 404 (400 if ambiguous) {"error":..,"valid":[names]}.
  void UnknownName(httplib::Response& res, const Status& status,
                   risk::KillScope::Kind kind);
  // The verdict of options_.access on `req`; a refusal is counted, logged
  // and written to `res`.
  AdminVerdict Admit(const httplib::Request& req, httplib::Response& res);
  void Refused(const httplib::Request& req, httplib::Response& res,
               AdminRefusal refusal, int status, const std::string& message,
               const std::string& challenge = "");

  GatewayApplication& app_;
  const AdminOptions options_;
  const Timestamp started_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> listen_ended_{false};
  std::array<std::atomic<uint64_t>, std::size(kAllAdminRefusals)> refused_{};
  Mutex control_mu_;
  SessionControl* control_ GUARDED_BY(control_mu_) = nullptr;
};

}  // namespace fixgw::gw
