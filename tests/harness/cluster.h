// fixsim + fixgw on free loopback ports, for end-to-end tests: writes their
// settings files, starts and restarts them, and reads what they leave
// behind (logs, the journal). One fixsim per venue (by default one venue,
// TargetCompID SIM, as every config before venues existed). Binds and
// connects to 127.0.0.1 only; every wait is bounded. Not thread-safe; one
// test thread uses it.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/harness/process.h"

namespace fixgw::testing {

struct ClusterPaths {
  std::string fixsim;
  std::string fixgw;
  std::string dictionary;  // fixspec/FIX44.xml
};

// One exchange-side venue: its own fixsim process (own port, log, message
// logs, settings file) and the gateway's initiator [SESSION] towards it.
struct Venue {
  std::string name;     // Venue=; "" writes no Venue= key
  std::string comp_id;  // fixsim's SenderCompID = the session's TargetCompID
  std::string symbols;  // VenueSymbols= ("AAPL,MSFT"); "" writes none
  std::string session_extra;      // more lines for the gateway's [SESSION]
  std::string sim_extra;          // more lines for its fixsim's [DEFAULT]
  std::string sim_section_extra;  // more lines for its fixsim's [SIM]
};

class Cluster {
 public:
  // Files go to `dir`, which must outlive the cluster.
  Cluster(ClusterPaths paths, const TempDir& dir);

  // Replaces the default venue (exchange_comp_id, no Venue= key) by
  // `venues` (at least one), each with a free port of its own. Call before
  // anything starts. Index 0 is what the venue-less accessors mean.
  void SetVenues(std::vector<Venue> venues);
  size_t venue_count() const;
  // Venue `i` as configured (the default one: name "", comp_id
  // exchange_comp_id).
  Venue venue(size_t i = 0) const;

  // fixsim of venue `i` (0: the first) with one acceptor session for the
  // gateway (TargetCompID GW), AAPL and MSFT, no seeded liquidity. False
  // (and *error) if it does not listen within 10 s.
  bool StartSim(std::string* error) { return StartSim(0, error); }
  bool StartSim(size_t i, std::string* error);
  // Every venue's fixsim.
  bool StartSims(std::string* error);
  // fixgw with the broker sessions in `brokers`, one initiator session per
  // venue, the admin API on admin_port(), the risk
  // file `risk_limits` (written at every start), and `gateway_extra`
  // appended to [GATEWAY].
  // When `wait_for_exchange`, waits until the session of every venue whose
  // fixsim runs logged on once more than before (the log is appended to
  // across restarts).
  bool StartGateway(std::string* error, bool wait_for_exchange = true);

  // Initiator settings for a broker client (fixload) as `sender`.
  std::string ClientConfig(const std::string& sender) const;
  // The gateway's settings file content.
  std::string GatewayConfig() const;
  // Writes what StartGateway starts fixgw with: fixgw.cfg, the risk file
  // and the admin token file; returns the settings file's path, or "" (and
  // *error) if the token file's mode cannot be set.
  std::string WriteGatewayFiles(std::string* error) const;

  // Waits until `what` occurs at least `n` times in the gateway's log.
  bool WaitForGatewayLog(const std::string& what, int n,
                         std::chrono::milliseconds timeout) const;
  int GatewayLogCount(const std::string& what) const;

  // Every message the GW session of venue `i`'s fixsim sent and received
  // (QuickFIX FileLog).
  std::string SimMessages(size_t i = 0) const;

  // A single-integer query on the journal, read-only; -1 on error.
  int64_t JournalCount(const std::string& sql) const;

  // An HTTP request to the gateway's admin API as an operator makes it:
  // "GET" or "POST", a path with a query string, and the harness's bearer
  // token. A POST's query parameters are sent as the JSON object body the
  // API wants ("/kill-switch?action=engage&scope=global" -> {"action":
  // "engage","scope":"global"}). Status -1 if no answer within 5 s.
  struct HttpReply {
    int status = -1;
    std::string body;
    std::string www_authenticate;  // the WWW-Authenticate header, if any
  };
  HttpReply Admin(const std::string& method, const std::string& path) const;
  // Exactly the request given, nothing added but what the HTTP client adds
  // (Host, Content-Length): for requests an operator would not make.
  // `content_type` "" sends none (GET) or the client's default.
  using Headers = std::vector<std::pair<std::string, std::string>>;
  HttpReply AdminRaw(const std::string& method, const std::string& path,
                     const Headers& headers, const std::string& body = "",
                     const std::string& content_type = "") const;
  // "Bearer <admin_token>".
  std::string AdminBearer() const { return "Bearer " + admin_token; }

  // Venue `i`'s fixsim (started at least once: sim_running).
  Process& sim(size_t i = 0) { return *sims_.at(i); }
  Process& gateway() { return *gw_; }
  bool sim_running(size_t i = 0) const { return sims_.at(i) != nullptr; }
  int sim_port(size_t i = 0) const { return sim_ports_.at(i); }
  int gateway_port() const { return gw_port_; }
  const std::string& gateway_log() const { return gw_log_; }
  // Venue `i`'s fixsim stderr.
  std::string sim_log(size_t i = 0) const;
  int admin_port() const { return admin_port_; }
  std::string journal() const { return dir_.path() + "/journal.db"; }
  std::string risk_file() const { return dir_.path() + "/risk.toml"; }
  std::string admin_token_file() const {
    return dir_.path() + "/admin-tokens";
  }
  // The gateway's AdminTokenFile holds one token, admin_token named
  // admin_token_name, written with admin_token_file_mode at every start;
  // with write_admin_token_file false neither the file nor the key exists
  // (add AdminAuth=none to gateway_extra).
  std::string admin_token_name = "harness";
  std::string admin_token = "hArNeSs-tOkEn_0123456789abcdefghijklmnopqrst";
  unsigned admin_token_file_mode = 0600;
  bool write_admin_token_file = true;
  std::string gateway_extra;  // more [GATEWAY] lines
  std::string symbols = "AAPL,MSFT";  // [GATEWAY] Symbols
  // The default venue's TargetCompID (unused after SetVenues).
  std::string exchange_comp_id = "SIM";
  // More lines for every fixsim's [DEFAULT], every broker [SESSION] of the
  // gateway, every exchange [SESSION], and the [SESSION] of ClientConfig
  // (TLS keys, credentials). `broker_session_extra_for` adds lines to one
  // broker's block ("BROKER1" -> lines).
  std::string sim_extra, broker_session_extra, exchange_session_extra,
      client_extra;
  std::map<std::string, std::string> broker_session_extra_for;
  std::string sim_section_extra;  // more lines for every fixsim's [SIM]
  // The broker CompIDs fixgw accepts (one acceptor session each).
  std::vector<std::string> brokers = {"BROKER1", "BROKER2"};
  // Environment settings ("NAME=value") for the next StartGateway.
  std::vector<std::string> gateway_env;
  // Every account may trade AAPL (reference 100) and MSFT (250) at any
  // price up to twice the reference, with ample cash and positions; every
  // session every account.
  std::string risk_limits = R"(
[defaults.account]
cash = "100000000"
max_order_qty = 10000
max_order_notional = "100000000"
max_open_orders = 10000
max_long = 10000000
max_short = 10000000
short_selling = true
max_short_qty = 10000
[defaults.symbol]
collar_bps = 10000
[defaults.session]
allowed_accounts = ["*"]
[symbols.AAPL]
reference_price = "100.00"
[symbols.MSFT]
reference_price = "250.00"
)";

 private:
  std::string SessionDefaults() const;
  // What venue `i`'s files are told apart by: "" for the first (the file
  // names of a single-venue cluster), else "-" + its comp_id.
  std::string SimSuffix(size_t i) const;

  const ClusterPaths paths_;
  const TempDir& dir_;
  const int gw_port_;
  const int admin_port_;
  std::string gw_log_;
  std::vector<Venue> venues_;                   // empty: the default venue
  std::vector<int> sim_ports_;                  // one per venue
  std::vector<std::unique_ptr<Process>> sims_;  // one per venue
  std::unique_ptr<Process> gw_;
};

int Occurrences(const std::string& text, const std::string& what);

}  // namespace fixgw::testing
