// fixload: the broker-side FIX 4.4 client. Runs scripted scenarios with
// expectations (--script) or generates orders and measures latency
// (--orders with --rate or --in-flight) over one QuickFIX initiator session.
//
// Threads: main runs the scenario or the load; QuickFIX runs the session on
// its own threads; a watcher thread turns SIGINT/SIGTERM into a stop flag
// (the signals are blocked everywhere else, so QuickFIX's blocking calls are
// never interrupted). Exit codes: 0 ok, 1 expectation failed / orders
// missing / interrupted, 2 usage, configuration or connection error.
#include <fmt/format.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/decimal.h"
#include "gateway/fix/quickfix.h"
#include "gateway/fix/settings.h"
#include "sim/fixload/client.h"
#include "sim/fixload/load_runner.h"
#include "sim/fixload/script.h"
#include "sim/fixload/script_runner.h"
#include "sim/fixload/stats.h"

namespace fixgw::load {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

constexpr char kFooter[] = R"(Modes:
  --script FILE             run a scenario (format: sim/fixload/script.h)
  --orders N --rate R       open loop: order i is due at start + i/R and its
                            latency counts from then
  --orders N --in-flight K  closed loop: K orders outstanding, latency from
                            the actual send
  Load orders alternate Buy/Sell at one limit price (DAY), ClOrdID
  <id-prefix>-<n>; latency is to each order's first report (8, j or 3).
Session: the one initiator session of --config (or --session). Optional
  session keys Username and Password go on the Logon (553/554). Defaults
  here: ReconnectInterval=1, SocketNodelay=Y. Script field names resolve
  through --dict, else the session's AppDataDictionary / DataDictionary.
Exit codes:
  0  ok
  1  expectation failed, orders missing, session lost or interrupted
  2  usage, configuration or connection (logon) error)";

// Turns SIGINT/SIGTERM into `stop`. Construct before any other thread: it
// blocks the signals in the calling thread, and threads started later
// inherit the mask. A second signal exits at once.
class SignalWatcher {
 public:
  explicit SignalWatcher(std::atomic<bool>* stop) : stop_(stop) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this] { Watch(); });
  }
  ~SignalWatcher() {
    done_.store(true);
    thread_.join();
  }
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  void Watch() {
    while (!done_.load()) {
      timespec slice{0, 50'000'000};
      int sig = sigtimedwait(&set_, nullptr, &slice);
      if (sig <= 0) continue;
      if (stop_->exchange(true)) {
        std::fputs("fixload: second signal, exiting now\n", stderr);
        std::_Exit(kExitFailed);
      }
      std::fprintf(stderr, "fixload: %s received, stopping\n",
                   sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
  }

  std::atomic<bool>* stop_;
  sigset_t set_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

struct Flags {
  std::string config;
  std::string session;
  double logon_timeout_s = 10;
  std::string log_dir;
  std::string store_dir;
  std::string dict;
  std::string script;
  int64_t expect_timeout_ms = 5000;
  std::optional<uint64_t> orders;
  std::optional<double> rate;
  std::optional<uint64_t> in_flight;
  std::string symbol = "AAPL";
  std::string price = "100";
  std::string qty = "100";
  std::string account;
  std::string id_prefix;
  double drain_timeout_s = 30;
  bool json = false;
  bool verbose = false;
};

int Fail(const std::string& message) {
  std::cerr << "fixload: " << message << "\n";
  return kExitUsage;
}

std::string SessionName(const FIX::SessionID& id) {
  return id.getSenderCompID().getValue() + "->" +
         id.getTargetCompID().getValue();
}

// Unique per run: "L" + milliseconds since the epoch in base 36.
std::string DefaultIdPrefix() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  auto value = static_cast<uint64_t>(ms);
  std::string digits;
  do {
    digits.insert(digits.begin(),
                  "0123456789abcdefghijklmnopqrstuvwxyz"[value % 36]);
    value /= 36;
  } while (value > 0);
  return "L" + digits;
}

bool IsDecimalType(FIX::TYPE::Type type) {
  switch (type) {
    case FIX::TYPE::Price:
    case FIX::TYPE::Qty:
    case FIX::TYPE::Amt:
    case FIX::TYPE::PriceOffset:
    case FIX::TYPE::Percentage:
    case FIX::TYPE::Float:
      return true;
    default:
      return false;
  }
}

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(std::llround(seconds * 1000));
}

// Checks what CLI11 does not; the error, or "" when the flags are usable.
std::string CheckFlags(const Flags& flags) {
  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  auto non_negative = [](double v) { return std::isfinite(v) && v >= 0; };
  if (flags.script.empty() && !flags.orders) {
    return "give --script FILE or --orders N (see --help)";
  }
  if (flags.orders && !flags.rate && !flags.in_flight) {
    return "--orders needs --rate R or --in-flight K";
  }
  if (flags.orders && *flags.orders == 0) return "--orders must be at least 1";
  if (flags.rate && !positive(*flags.rate)) return "--rate must be above 0";
  if (flags.in_flight && *flags.in_flight == 0) {
    return "--in-flight must be at least 1";
  }
  if (!positive(flags.logon_timeout_s)) {
    return "--logon-timeout must be above 0";
  }
  if (flags.expect_timeout_ms < 0) return "--expect-timeout must be >= 0";
  if (!non_negative(flags.drain_timeout_s)) {
    return "--drain-timeout must be >= 0";
  }
  return "";
}

// A received or sent message for people: body fields by name, enum values
// by name ("ExecType=Trade(F)"), header and trailer left out.
std::string Describe(const FIX::DataDictionary& dd, std::string_view raw) {
  std::string type;
  std::string body;
  for (const auto& [tag, value] : SplitFix(raw)) {
    if (tag == FIX::FIELD::MsgType) type = value;
    if (dd.isHeaderField(tag) || dd.isTrailerField(tag)) continue;
    std::string name;
    if (!dd.getFieldName(tag, name)) name = std::to_string(tag);
    std::string value_name;
    body += " " + name + "=" + value;
    if (dd.getValueName(tag, value, value_name)) body += "(" + value_name + ")";
  }
  std::string type_name;
  dd.getValueName(FIX::FIELD::MsgType, type, type_name);
  return (type_name.empty() ? type : type_name) + body;
}


int Run(const Flags& flags) {
  // Settings: exactly one initiator session.
  Result<fix::SplitSettings> split = fix::LoadSessionSettings(flags.config);
  if (!split.ok()) return Fail(split.status().message());
  std::set<FIX::SessionID> sessions = split->initiators.getSessions();
  std::string names;
  for (const FIX::SessionID& id : sessions) {
    names += (names.empty() ? "" : ", ") + SessionName(id);
  }
  std::optional<FIX::SessionID> chosen;
  if (sessions.empty()) {
    return Fail(flags.config +
                ": no initiator session (ConnectionType=initiator)");
  }
  if (!flags.session.empty()) {
    for (const FIX::SessionID& id : sessions) {
      if (SessionName(id) == flags.session || id.toString() == flags.session) {
        chosen = id;
      }
    }
    if (!chosen) {
      return Fail(flags.config + ": no initiator session " + flags.session +
                  " (have " + names + ")");
    }
  } else if (sessions.size() > 1) {
    return Fail(flags.config + ": " + std::to_string(sessions.size()) +
                " initiator sessions, pick one with --session (" + names + ")");
  } else {
    chosen = *sessions.begin();
  }
  const FIX::SessionID session_id = *chosen;
  const std::string where =
      flags.config + ": session " + SessionName(session_id);

  FIX::SessionSettings settings;
  ClientOptions client_options;
  std::string dict_path = flags.dict;
  std::string endpoint;
  try {
    FIX::Dictionary session = split->initiators.get(session_id);
    for (const char* key : {"SocketConnectHost", "SocketConnectPort"}) {
      if (!session.has(key)) return Fail(where + ": " + key + " is missing");
    }
    endpoint = session.getString("SocketConnectHost") + ":" +
               session.getString("SocketConnectPort");
    // The initiator reads these from the defaults only. A test client wants
    // a quick retry while the counterparty starts, and no Nagle delay.
    FIX::Dictionary defaults = split->initiators.get();
    defaults.setInt("ReconnectInterval",
                    session.has("ReconnectInterval")
                        ? session.getInt("ReconnectInterval")
                        : 1);
    defaults.setBool("SocketNodelay", session.has("SocketNodelay")
                                          ? session.getBool("SocketNodelay")
                                          : true);
    settings.set(defaults);
    settings.set(session_id, session);
    if (session.has("Username")) {
      client_options.username = session.getString("Username");
    }
    if (session.has("Password")) {
      client_options.password = session.getString("Password");
    }
    if (dict_path.empty()) {
      for (const char* key : {"AppDataDictionary", "DataDictionary"}) {
        if (session.has(key)) {
          dict_path = session.getString(key);
          break;
        }
      }
    }
  } catch (const std::exception& e) {
    return Fail(where + ": " + e.what());
  }

  // Script: parsed before connecting, so a bad script costs no session.
  std::vector<Step> steps;
  std::unique_ptr<FIX::DataDictionary> dictionary;
  if (!flags.script.empty()) {
    if (!dict_path.empty()) {
      try {
        dictionary = std::make_unique<FIX::DataDictionary>(dict_path);
      } catch (const std::exception& e) {
        return Fail((flags.dict.empty() ? where + ": DataDictionary "
                                        : std::string("--dict ")) +
                    dict_path + ": " + e.what());
      }
    }
    FieldResolver resolver;
    if (dictionary) {
      const FIX::DataDictionary* dd = dictionary.get();
      resolver.tag_of = [dd](const std::string& name) -> std::optional<int> {
        int tag = 0;
        if (dd->getFieldTag(name, tag)) return tag;
        return std::nullopt;
      };
      resolver.is_decimal = [dd](int tag) {
        FIX::TYPE::Type type = FIX::TYPE::Unknown;
        return dd->getFieldType(tag, type) && IsDecimalType(type);
      };
    }
    std::ifstream in(flags.script);
    if (!in) return Fail("cannot read script " + flags.script);
    std::stringstream text;
    text << in.rdbuf();
    Result<std::vector<Step>> parsed = ParseScript(text.str(), resolver);
    if (!parsed.ok()) {
      return Fail("script " + flags.script + ": " + parsed.status().message());
    }
    steps = std::move(parsed).value();
  }

  // Load options.
  LoadOptions load;
  if (flags.orders) {
    Result<Price> price = ParsePrice(flags.price);
    if (!price.ok()) return Fail("--price: " + price.status().message());
    Result<Qty> qty = ParseQty(flags.qty);
    if (!qty.ok()) return Fail("--qty: " + qty.status().message());
    load.orders = *flags.orders;
    load.rate = flags.rate;
    load.in_flight = flags.in_flight;
    load.symbol = flags.symbol;
    load.account = flags.account;
    load.price = *price;
    load.qty = *qty;
    load.drain_timeout = Millis(flags.drain_timeout_s);
  }

  std::atomic<bool> stop{false};
  SignalWatcher signals(&stop);

  InboundQueue inbound;
  std::unique_ptr<OrderTracker> tracker;
  Client::Listener* listener = &inbound;
  if (flags.orders) {
    tracker = std::make_unique<OrderTracker>(
        flags.id_prefix.empty() ? DefaultIdPrefix() : flags.id_prefix,
        load.orders);
    listener = tracker.get();
  }
  client_options.log_dir = flags.log_dir;
  client_options.store_dir = flags.store_dir;
  // Scripts may provoke resends; a load run should not hold every order.
  client_options.memory_store = !flags.orders.has_value();

  Client client(settings, session_id, client_options, listener);
  if (Status started = client.Start(); !started.ok()) {
    return Fail(where + ": " + started.message());
  }
  if (!client.WaitLogon(Millis(flags.logon_timeout_s), stop)) {
    std::string why = client.LastLogoutText();
    client.Stop(std::chrono::milliseconds(0));
    if (stop.load()) {
      std::cerr << "fixload: interrupted before logon\n";
      return kExitFailed;
    }
    if (!why.empty()) {
      return Fail("logon for " + SessionName(session_id) + " at " + endpoint +
                  " refused: " + why);
    }
    return Fail("no logon for " + SessionName(session_id) + " at " + endpoint +
                " within " + fmt::format("{}", flags.logon_timeout_s) + " s");
  }

  int code = kExitOk;
  if (!flags.script.empty()) {
    ScriptOptions options;
    options.name = flags.script;
    options.expect_timeout = std::chrono::milliseconds(flags.expect_timeout_ms);
    options.verbose = flags.verbose;
    if (dictionary) {
      options.describe = [dd = dictionary.get()](std::string_view raw) {
        return Describe(*dd, raw);
      };
    }
    code =
        RunScript(client, inbound, steps, options, stop, std::cout, std::cerr);
  } else {
    LoadReport report = RunLoad(client, *tracker, load, stop, std::cerr);
    std::cout << (flags.json ? FormatJson(report) + "\n" : FormatHuman(report));
    std::cout.flush();
    code = report.missing == 0 && report.sent == report.requested ? kExitOk
                                                                  : kExitFailed;
  }
  client.Stop(std::chrono::milliseconds(3000));
  return code;
}

}  // namespace
}  // namespace fixgw::load

int main(int argc, char** argv) {
  using fixgw::load::Flags;
  Flags flags;
  CLI::App app{
      "fixload: broker-side FIX 4.4 client for scripted scenarios and load"};
  app.footer(fixgw::load::kFooter);
  app.add_option("--config", flags.config,
                 "QuickFIX settings file with the initiator session")
      ->required();
  app.add_option("--session", flags.session,
                 "SENDER->TARGET, when the file has several initiators");
  app.add_option("--logon-timeout", flags.logon_timeout_s,
                 "seconds to wait for logon")
      ->capture_default_str();
  app.add_option("--log-dir", flags.log_dir,
                 "write QuickFIX FileLogs here (default: no logs)");
  app.add_option("--store-dir", flags.store_dir,
                 "QuickFIX FileStore directory (default: MemoryStore for "
                 "scripts, NullStore for load)");
  app.add_option("--dict", flags.dict,
                 "data dictionary for script field names (default: the "
                 "session's DataDictionary)");
  auto* script = app.add_option("--script", flags.script, "scenario file");
  app.add_option("--expect-timeout", flags.expect_timeout_ms,
                 "milliseconds an expect step waits")
      ->capture_default_str();
  auto* orders =
      app.add_option("--orders", flags.orders, "load: number of orders");
  auto* rate = app.add_option("--rate", flags.rate,
                              "load, open loop: orders per second");
  auto* in_flight = app.add_option("--in-flight", flags.in_flight,
                                   "load, closed loop: orders outstanding");
  app.add_option("--symbol", flags.symbol, "load: Symbol")
      ->capture_default_str();
  app.add_option("--price", flags.price, "load: limit Price")
      ->capture_default_str();
  app.add_option("--qty", flags.qty, "load: OrderQty")->capture_default_str();
  app.add_option("--account", flags.account, "load: Account (default: none)");
  app.add_option("--id-prefix", flags.id_prefix,
                 "load: ClOrdID prefix (default: from the current time)");
  app.add_option("--drain-timeout", flags.drain_timeout_s,
                 "load: seconds to wait for outstanding reports")
      ->capture_default_str();
  app.add_flag("--json", flags.json, "load: print the report as one JSON line");
  app.add_flag("-v,--verbose", flags.verbose,
               "script: print each step and every message sent or checked");
  script->excludes(orders);
  rate->excludes(in_flight);
  rate->needs(orders);
  in_flight->needs(orders);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : fixgw::load::kExitUsage;
  }
  if (std::string bad = fixgw::load::CheckFlags(flags); !bad.empty()) {
    return fixgw::load::Fail(bad);
  }
  return fixgw::load::Run(flags);
}
