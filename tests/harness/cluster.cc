#include "tests/harness/cluster.h"

#include <httplib.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

namespace fixgw::testing {

using std::chrono::milliseconds;
using std::chrono::seconds;

int Occurrences(const std::string& text, const std::string& what) {
  int count = 0;
  for (size_t pos = 0; (pos = text.find(what, pos)) != std::string::npos;
       pos += what.size()) {
    ++count;
  }
  return count;
}

Cluster::Cluster(ClusterPaths paths, const TempDir& dir)
    : paths_(std::move(paths)),
      dir_(dir),
      gw_port_(FreePort()),
      admin_port_(FreePort()),
      gw_log_(dir.path() + "/fixgw.log"),
      sim_ports_{FreePort()},
      sims_(1) {}

void Cluster::SetVenues(std::vector<Venue> venues) {
  venues_ = std::move(venues);
  // A port a moment ago free may come back from FreePort: never two alike.
  while (sim_ports_.size() < venues_.size()) {
    const int port = FreePort();
    if (port != gw_port_ && port != admin_port_ &&
        std::find(sim_ports_.begin(), sim_ports_.end(), port) ==
            sim_ports_.end()) {
      sim_ports_.push_back(port);
    }
  }
  sim_ports_.resize(std::max<size_t>(venues_.size(), 1));
  sims_.resize(sim_ports_.size());
}

size_t Cluster::venue_count() const { return sim_ports_.size(); }

Venue Cluster::venue(size_t i) const {
  if (venues_.empty()) return Venue{"", exchange_comp_id, "", "", "", ""};
  return venues_.at(i);
}

std::string Cluster::SimSuffix(size_t i) const {
  return i == 0 ? std::string() : "-" + venue(i).comp_id;
}

std::string Cluster::sim_log(size_t i) const {
  return dir_.path() + "/fixsim" + SimSuffix(i) + ".log";
}

std::string Cluster::SessionDefaults() const {
  return "StartTime=00:00:00\nEndTime=00:00:00\nHeartBtInt=30\n"
         "SocketNodelay=Y\nUseDataDictionary=Y\nDataDictionary=" +
         paths_.dictionary + "\n";
}

bool Cluster::StartSim(size_t i, std::string* error) {
  const Venue v = venue(i);
  const std::string suffix = SimSuffix(i);
  std::string cfg =
      "[DEFAULT]\nConnectionType=acceptor\nBeginString=FIX.4.4\n"
      "SenderCompID=" +
      v.comp_id +
      "\nSocketAcceptHost=127.0.0.1\n"
      "SocketAcceptPort=" +
      std::to_string(sim_port(i)) + "\n" + SessionDefaults() +
      "FileLogPath=" + dir_.path() + "/simlog" + suffix + "\n" + sim_extra +
      v.sim_extra +
      "\n[SESSION]\nTargetCompID=GW\n\n[SIM]\n"
      "Instruments=AAPL:0.01:100.00,MSFT:0.01:250.00\n"
      "LiquidityLevels=0\n" +
      sim_section_extra + v.sim_section_extra;
  std::string path = dir_.Write("fixsim" + suffix + ".cfg", cfg);
  sims_.at(i) = std::make_unique<Process>(
      std::vector<std::string>{paths_.fixsim, "--config", path}, sim_log(i));
  if (WaitForPort(sim_port(i), seconds(10))) return true;
  *error = "fixsim " + v.comp_id + " does not listen:\n" + ReadFile(sim_log(i));
  return false;
}

bool Cluster::StartSims(std::string* error) {
  for (size_t i = 0; i < venue_count(); ++i) {
    if (!StartSim(i, error)) return false;
  }
  return true;
}

std::string Cluster::GatewayConfig() const {
  // ReconnectInterval must be in [DEFAULT]: QuickFIX 1.15.1 ignores it in a
  // [SESSION] block (and then retries every 30 s).
  std::string broker_block;
  for (const std::string& broker : brokers) {
    broker_block += "\n[SESSION]\nConnectionType=acceptor\nTargetCompID=" +
                    broker +
                    "\nSocketAcceptHost=127.0.0.1\nSocketAcceptPort=" +
                    std::to_string(gw_port_) + "\n" + broker_session_extra;
    auto it = broker_session_extra_for.find(broker);
    if (it != broker_session_extra_for.end()) broker_block += it->second;
  }
  std::string venue_block;
  for (size_t i = 0; i < venue_count(); ++i) {
    const Venue v = venue(i);
    venue_block +=
        "\n[SESSION]\nConnectionType=initiator\nTargetCompID=" + v.comp_id +
        "\nSocketConnectHost=127.0.0.1\nSocketConnectPort=" +
        std::to_string(sim_port(i)) + "\n" +
        (v.name.empty() ? "" : "Venue=" + v.name + "\n") +
        (v.symbols.empty() ? "" : "VenueSymbols=" + v.symbols + "\n") +
        exchange_session_extra + v.session_extra;
  }
  return "[DEFAULT]\nBeginString=FIX.4.4\nSenderCompID=GW\n"
         "ReconnectInterval=1\n" +
         SessionDefaults() + broker_block + venue_block +
         "\n[GATEWAY]\nJournalPath=" + journal() +
         "\nJournalSync=normal\nIdPrefix=GWT\nSymbols=" + symbols +
         "\nRiskConfig=" + risk_file() +
         "\nAdminPort=" + std::to_string(admin_port_) + "\n" +
         (write_admin_token_file ? "AdminTokenFile=" + admin_token_file() + "\n"
                                 : std::string()) +
         gateway_extra;
}

std::string Cluster::WriteGatewayFiles(std::string* error) const {
  dir_.Write("risk.toml", risk_limits);
  if (write_admin_token_file) {
    const std::string tokens = dir_.Write(
        "admin-tokens", "# the test harness\n" + admin_token_name + " " +
                            admin_token + "\n");
    if (::chmod(tokens.c_str(), admin_token_file_mode) != 0) {
      *error = "cannot chmod " + tokens;
      return "";
    }
  }
  return dir_.Write("fixgw.cfg", GatewayConfig());
}

bool Cluster::StartGateway(std::string* error, bool wait_for_exchange) {
  const std::string path = WriteGatewayFiles(error);
  if (path.empty()) return false;
  // The venues whose fixsim runs, and how often each logged on before.
  std::vector<std::pair<std::string, int>> logons;
  for (size_t i = 0; i < venue_count(); ++i) {
    if (i > 0 && (!sim_running(i) || !sims_[i]->Running())) continue;
    const std::string logged_on = "GW->" + venue(i).comp_id + " logged on";
    logons.emplace_back(logged_on, GatewayLogCount(logged_on));
  }
  std::vector<std::string> argv;
  if (!gateway_env.empty()) {
    argv.push_back("/usr/bin/env");
    argv.insert(argv.end(), gateway_env.begin(), gateway_env.end());
  }
  argv.insert(argv.end(), {paths_.fixgw, "--config", path});
  gw_ = std::make_unique<Process>(argv, gw_log_);
  if (!WaitForPort(gw_port_, seconds(10))) {
    *error = "fixgw does not listen:\n" + ReadFile(gw_log_);
    return false;
  }
  if (!wait_for_exchange) return true;
  for (const auto& [logged_on, before] : logons) {
    if (!WaitForGatewayLog(logged_on, before + 1, seconds(15))) {
      *error = "fixgw's exchange session did not log on (" + logged_on +
               "):\n" + ReadFile(gw_log_);
      return false;
    }
  }
  return true;
}

std::string Cluster::ClientConfig(const std::string& sender) const {
  return dir_.Write(sender + ".cfg",
                    "[DEFAULT]\nConnectionType=initiator\nBeginString=FIX.4.4\n"
                    "SenderCompID=" +
                        sender +
                        "\nTargetCompID=GW\nSocketConnectHost=127.0.0.1\n"
                        "SocketConnectPort=" +
                        std::to_string(gw_port_) + "\n" + SessionDefaults() +
                        "ReconnectInterval=1\nResetOnLogon=Y\n\n[SESSION]\n" +
                        client_extra);
}

std::string Cluster::SimMessages(size_t i) const {
  return ReadFile(dir_.path() + "/simlog" + SimSuffix(i) + "/FIX.4.4-" +
                  venue(i).comp_id + "-GW.messages.current.log");
}

int Cluster::GatewayLogCount(const std::string& what) const {
  return Occurrences(ReadFile(gw_log_), what);
}

bool Cluster::WaitForGatewayLog(const std::string& what, int n,
                                milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (GatewayLogCount(what) < n) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

int64_t Cluster::JournalCount(const std::string& sql) const {
  sqlite3* db = nullptr;
  int64_t result = -1;
  if (sqlite3_open_v2(journal().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
      SQLITE_OK) {
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      result = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return result;
}

namespace {

// application/x-www-form-urlencoded decoding: '+' is a space, %XX a byte.
std::string FormDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// "a=1&b=x+y" -> {"a":"1","b":"x y"}
std::string QueryToJson(const std::string& query) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string::npos) amp = query.size();
    const std::string pair = query.substr(start, amp - start);
    const size_t eq = pair.find('=');
    j[FormDecode(pair.substr(0, eq))] =
        eq == std::string::npos ? "" : FormDecode(pair.substr(eq + 1));
    start = amp + 1;
  }
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Cluster::HttpReply Reply(const httplib::Result& r) {
  if (!r) return {};
  return Cluster::HttpReply{r->status, r->body,
                            r->get_header_value("WWW-Authenticate")};
}

}  // namespace

Cluster::HttpReply Cluster::Admin(const std::string& method,
                                  const std::string& path) const {
  Headers headers = {{"Authorization", AdminBearer()}};
  if (method != "POST") return AdminRaw(method, path, headers);
  const size_t question = path.find('?');
  const std::string query =
      question == std::string::npos ? "" : path.substr(question + 1);
  return AdminRaw(method, path.substr(0, question), headers,
                  QueryToJson(query), "application/json");
}

Cluster::HttpReply Cluster::AdminRaw(const std::string& method,
                                     const std::string& path,
                                     const Headers& headers,
                                     const std::string& body,
                                     const std::string& content_type) const {
  httplib::Client client("127.0.0.1", admin_port_);
  client.set_connection_timeout(5);
  client.set_read_timeout(5);
  httplib::Headers h;
  for (const auto& [name, value] : headers) h.emplace(name, value);
  if (method == "POST") {
    return Reply(client.Post(path.c_str(), h, body, content_type.c_str()));
  }
  return Reply(client.Get(path.c_str(), h));
}

}  // namespace fixgw::testing
