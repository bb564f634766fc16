// fixload: the broker-side FIX 4.4 client. Runs scripted scenarios with
// expectations (--script), generates orders and measures latency
// (--orders with --rate or --in-flight), or sends a mixed flow of orders,
// cancels and replaces that survives counterparty restarts (--mix), over
// one QuickFIX initiator session; --record writes every application
// message sent and received to a file (recorder.h).
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

#include "fixgw_version.h"
#include "gateway/core/decimal.h"
#include "gateway/fix/describe.h"
#include "gateway/fix/quickfix.h"
#include "gateway/fix/settings.h"
#include "sim/fixload/client.h"
#include "sim/fixload/load_runner.h"
#include "sim/fixload/mix_runner.h"
#include "sim/fixload/recorder.h"
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
  --mix --rate R            mixed flow: R requests/s, seeded mix of new
                            orders, cancels and replaces of its own live
                            orders (--mix-weights), limit prices within
                            --spread-ticks of each --instruments reference;
                            at most --max-in-flight unanswered; sends for
                            --duration s (or --orders N new orders, or until
                            SIGTERM), then waits up to --drain-timeout s for
                            the answers. Survives counterparty restarts: give
                            ResetOnLogon=N and --store-dir for resends.
  --record FILE             any mode: one line per application message sent
                            or received (format: sim/fixload/recorder.h)
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
  std::string record;
  // --mix
  bool mix = false;
  uint64_t max_in_flight = 50;
  double duration_s = 300;
  uint64_t seed = 1;
  std::string instruments = "AAPL:0.01:100.00";
  std::string mix_weights = "60:20:20";
  int64_t spread_ticks = 5;
  uint64_t max_live = 100;
  double request_timeout_s = 30;
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
  if (flags.mix) {
    if (!flags.script.empty()) return "--mix excludes --script";
    if (!flags.rate) return "--mix needs --rate R (requests per second)";
    if (flags.in_flight) return "--mix caps requests with --max-in-flight";
    if (flags.max_in_flight == 0) return "--max-in-flight must be at least 1";
    if (!positive(flags.duration_s)) return "--duration must be above 0";
    if (flags.spread_ticks < 0) return "--spread-ticks must be >= 0";
    if (flags.max_live == 0) return "--max-live must be at least 1";
    if (!positive(flags.request_timeout_s)) {
      return "--request-timeout must be above 0";
    }
  } else if (flags.script.empty() && !flags.orders) {
    return "give --script FILE, --orders N or --mix (see --help)";
  }
  if (!flags.mix && flags.rate && !flags.orders) {
    return "--rate needs --orders N (or --mix)";
  }
  if (!flags.mix && flags.orders && !flags.rate && !flags.in_flight) {
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
    if (flags.mix && session.has("ResetOnLogon") &&
        session.getBool("ResetOnLogon")) {
      std::cerr << "fixload: warning: " << where
                << ": ResetOnLogon=Y: messages in flight across a reconnect "
                   "are lost instead of resent\n";
    }
    client_options.tls = split->initiator_tls;
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

  // Mixed-flow options.
  MixOptions mix_options;
  MixRunOptions mix_run;
  if (flags.mix) {
    Result<std::vector<MixInstrument>> instruments =
        ParseInstruments(flags.instruments);
    if (!instruments.ok()) {
      return Fail("--instruments: " + instruments.status().message());
    }
    mix_options.instruments = std::move(instruments).value();
    unsigned long weights[3] = {0, 0, 0};
    char tail = 0;
    if (std::sscanf(flags.mix_weights.c_str(), "%lu:%lu:%lu%c", &weights[0],
                    &weights[1], &weights[2], &tail) != 3 ||
        weights[0] == 0 || weights[0] > 1000 || weights[1] > 1000 ||
        weights[2] > 1000) {
      return Fail(
          "--mix-weights: want NEW:CANCEL:REPLACE, e.g. 60:20:20 "
          "(NEW 1..1000, the others 0..1000)");
    }
    mix_options.new_weight = static_cast<uint32_t>(weights[0]);
    mix_options.cancel_weight = static_cast<uint32_t>(weights[1]);
    mix_options.replace_weight = static_cast<uint32_t>(weights[2]);
    mix_options.seed = flags.seed;
    mix_options.spread_ticks = flags.spread_ticks;
    mix_options.max_live = flags.max_live;
    mix_options.account = flags.account;
    mix_options.id_prefix =
        flags.id_prefix.empty() ? DefaultIdPrefix() : flags.id_prefix;
    mix_run.rate = *flags.rate;
    mix_run.max_in_flight = flags.max_in_flight;
    mix_run.duration = Millis(flags.duration_s);
    mix_run.max_orders = flags.orders;
    mix_run.request_timeout = Millis(flags.request_timeout_s);
    mix_run.drain_timeout = Millis(flags.drain_timeout_s);
  }

  std::atomic<bool> stop{false};
  SignalWatcher signals(&stop);

  InboundQueue inbound;
  std::unique_ptr<OrderTracker> tracker;
  std::unique_ptr<MixFlow> mix;
  Client::Listener* listener = &inbound;
  if (flags.mix) {
    mix = std::make_unique<MixFlow>(mix_options);
    listener = mix.get();
  } else if (flags.orders) {
    tracker = std::make_unique<OrderTracker>(
        flags.id_prefix.empty() ? DefaultIdPrefix() : flags.id_prefix,
        load.orders);
    listener = tracker.get();
  }
  std::unique_ptr<MessageRecorder> recorder;
  std::unique_ptr<RecordingListener> recording;
  if (!flags.record.empty()) {
    Result<std::unique_ptr<MessageRecorder>> opened =
        MessageRecorder::Open(flags.record, session_id.toString());
    if (!opened.ok()) return Fail(opened.status().message());
    recorder = std::move(opened).value();
    recording = std::make_unique<RecordingListener>(recorder.get(), listener);
    listener = recording.get();
  }
  client_options.log_dir = flags.log_dir;
  client_options.store_dir = flags.store_dir;
  // Scripts may provoke resends, and a mixed flow must resend what a
  // restarting counterparty missed; a load run should not hold every order.
  client_options.memory_store = !flags.orders.has_value() || flags.mix;

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
        return fix::Describe(*dd, raw);
      };
    }
    code =
        RunScript(client, inbound, steps, options, stop, std::cout, std::cerr);
  } else if (flags.mix) {
    MixReport report = RunMix(client, *mix, mix_run, stop, std::cerr);
    std::cout << (flags.json ? FormatMixJson(report) + "\n"
                             : FormatMixHuman(report));
    std::cout.flush();
    code =
        report.drained && report.unanswered == 0 && report.counts.timed_out == 0
            ? kExitOk
            : kExitFailed;
  } else {
    LoadReport report = RunLoad(client, *tracker, load, stop, std::cerr);
    std::cout << (flags.json ? FormatJson(report) + "\n" : FormatHuman(report));
    std::cout.flush();
    code = report.missing == 0 && report.sent == report.requested ? kExitOk
                                                                  : kExitFailed;
    // A run whose every order was refused measured nothing (a missing
    // --account, a risk limit, a closed market): a failure, with the why.
    if (report.sent > 0 && report.acked == 0 &&
        report.rejected == report.sent) {
      std::cerr << "fixload: every order (" << report.rejected
                << ") was refused; the first: " << report.first_reject_text
                << "\n";
      code = kExitFailed;
    }
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
  app.set_version_flag("--version", "fixload " FIXGW_VERSION);
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
  app.add_option("--record", flags.record,
                 "write every application message sent or received to FILE");
  auto* mix = app.add_flag("--mix", flags.mix,
                           "mixed flow of orders, cancels and replaces");
  app.add_option("--max-in-flight", flags.max_in_flight,
                 "mix: at most this many requests unanswered")
      ->capture_default_str();
  app.add_option("--duration", flags.duration_s,
                 "mix: seconds to send for (SIGTERM ends sooner)")
      ->capture_default_str();
  app.add_option("--seed", flags.seed, "mix: seed of the request mix")
      ->capture_default_str();
  app.add_option("--instruments", flags.instruments,
                 "mix: SYMBOL:TICK:REFERENCE[,...]")
      ->capture_default_str();
  app.add_option("--mix-weights", flags.mix_weights,
                 "mix: relative weights NEW:CANCEL:REPLACE")
      ->capture_default_str();
  app.add_option("--spread-ticks", flags.spread_ticks,
                 "mix: limit prices within this many ticks of the reference")
      ->capture_default_str();
  app.add_option("--max-live", flags.max_live,
                 "mix: live orders beyond which new orders give way to "
                 "cancels")
      ->capture_default_str();
  app.add_option("--request-timeout", flags.request_timeout_s,
                 "mix: seconds after which an unanswered request is given up")
      ->capture_default_str();
  app.add_flag("-v,--verbose", flags.verbose,
               "script: print each step and every message sent or checked");
  script->excludes(orders);
  script->excludes(mix);
  rate->excludes(in_flight);
  // --rate also drives --mix, where --orders is optional (CheckFlags).
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
