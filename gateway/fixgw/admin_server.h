// fixgw's admin HTTP API (cpp-httplib), bound to 127.0.0.1 only:
//
//   GET  /              status page for people (status_page.h)
//   GET  /health        200 "ok" when the exchange session is logged on and
//                       answering, no order has waited longer than
//                       max_pending for the exchange, the journal is
//                       writable and its disk has room, and the gateway is
//                       not shutting down; 503 with the reasons otherwise
//                       (one per line)
//   GET  /metrics       Prometheus text format (metrics.h, and gauges read
//                       at scrape time: sessions, open orders, risk use)
//   GET  /sessions      every FIX session as JSON: logged on, sequence
//                       numbers, messages in and out
//   GET  /state         the gateway's state as JSON (state_report.h)
//   POST /kill-switch   engage or disengage a kill switch; parameters (query
//                       string or form body): action=engage|disengage,
//                       scope=global|account|session, name=ACCOUNT|SESSION
//                       (not for global), reason=free text (optional).
//                       200 {"engaged":..,"scope":..,"name":..,
//                       "cancels_sent":N}; 400 with the error otherwise
//   POST /risk/reload   re-reads the risk file (like SIGHUP); 200, or 400
//                       naming the file and key
//
// Every change is journaled by GatewayApplication with source
// "admin <peer address>". A POST needs a body or Content-Length: 0
// (cpp-httplib answers 400 otherwise), so pass parameters with curl -d:
//   curl -d 'action=engage&scope=account&name=ACC1&reason=runaway'
//        http://127.0.0.1:8081/kill-switch      (one command line)
//   curl -d '' http://127.0.0.1:8081/risk/reload
//
// Thread-safety: requests are served on the server's own threads and call
// GatewayApplication's thread-safe operator actions.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "gateway/core/result.h"
#include "gateway/fixgw/gateway_app.h"

namespace httplib {
class Server;
}

namespace fixgw::gw {

struct AdminOptions {
  std::string risk_path;     // what /risk/reload reads; "": risk checks off
  std::string journal_path;  // checked by /health; "": pass-through
  // /health fails below this much free space on the journal's file system.
  uint64_t min_free_bytes = 64ull << 20;
  // /health fails while an order has waited longer for the exchange.
  std::chrono::seconds max_pending{10};
};

// The reasons the gateway is not healthy, one per line; "" when it is.
std::string HealthProblems(GatewayApplication& app,
                           const AdminOptions& options);

class AdminServer {
 public:
  // `app` must outlive the server.
  AdminServer(GatewayApplication& app, AdminOptions options);
  ~AdminServer();  // stops and joins
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds 127.0.0.1:port and serves on a background thread. Unavailable
  // if the port cannot be bound.
  Status Start(int port);

 private:
  std::string Metrics();
  std::string SessionsJson();

  GatewayApplication& app_;
  const AdminOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace fixgw::gw
