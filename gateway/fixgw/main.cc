// fixgw: the FIX order gateway. Usage: fixgw --config FILE
//        fixgw --config FILE --check-config   (parse and check, touch nothing)
//        fixgw --hash-password [--iterations N]   (password on stdin)
//        fixgw --new-admin-token NAME   (a line for AdminTokenFile)
//        fixgw --version | --help
//
// FILE is one QuickFIX settings file: acceptor sessions face the brokers,
// each initiator session faces one venue (Venue=), and a [GATEWAY] section
// holds the gateway's own keys (gateway_config.h). At start the journal and the
// session stores (in the journal's file) are opened, the order table and
// risk state rebuilt from the journal, the risk file loaded (journaled if
// its limits changed) and the outbox handed to the sessions; then the
// sessions and the admin API start. SIGHUP re-reads the risk file.
//
// SIGTERM or SIGINT drains: new orders and replaces are refused ("gateway
// is shutting down"), cancels still flow; fixgw waits up to
// DrainTimeoutSeconds until no order waits for an exchange answer and every
// answer is sent, then stops the admin API, logs out the brokers, then the
// exchange (up to 5 s each), closes the journal and exits 0. Exit 2 on bad
// configuration, a bad risk file or an unusable journal, 3 if the journal fails
// while running.
//
// Under systemd (Type=notify, NOTIFY_SOCKET set; sd_notify.h) fixgw says
// READY=1 once the journal is recovered, the broker listeners are bound
// and the admin API serves; STATUS= what it does; RELOADING=1 around a
// SIGHUP; STOPPING=1 when it drains; and, with WatchdogSec=, WATCHDOG=1
// every half of it from the event loop that owns the sessions.
//
// Nothing is created before the whole configuration (settings, risk file)
// is valid. Then, in order: the file mode (FileMode, through the umask),
// the journal directory check, the log, the journal's lock (one gateway
// per journal), the start-up check of its hash chain against the head
// recorded at the last stop (store/journal_head.h; a damaged or cut
// journal is refused, exit 2, unless --accept-journal-damage REASON, which
// is journaled), recovery.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include <CLI/CLI.hpp>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "fixgw_version.h"
#include "gateway/core/clock.h"
#include "gateway/core/path.h"
#include "gateway/fix/masking_log.h"
#include "gateway/fix/runtime.h"
#include "gateway/fix/settings.h"
#include "gateway/fix/sqlite_message_store.h"
#include "gateway/fix/transport_settings.h"
#include "gateway/fixgw/admin_auth.h"
#include "gateway/fixgw/admin_server.h"
#include "gateway/fixgw/gateway_app.h"
#include "gateway/fixgw/gateway_config.h"
#include "gateway/fixgw/gateway_transport.h"
#include "gateway/fixgw/logging.h"
#include "gateway/fixgw/sd_notify.h"
#include "gateway/fixgw/session_options.h"
#include "gateway/router/journal_events.h"
#include "risk/limits.h"
#include "store/journal_head.h"

namespace {

using namespace fixgw;

// Start-up errors go to stderr after whatever the log still holds (info
// lines are written behind, logging.h), so that the error is the last line
// an operator or a supervisor sees.
template <typename... Args>
void PrintToStderr(fmt::format_string<Args...> format, Args&&... args) {
  spdlog::default_logger()->flush();
  fmt::print(stderr, format, std::forward<Args>(args)...);
}

struct RunFlags {
  std::string config;
  // --check-config: read and check everything start-up reads (settings,
  // dictionaries, risk file, token file, credentials, listen and connect
  // addresses, the journal's directory), then exit 0 or 2. Nothing is
  // created, opened for writing or bound.
  bool check_only = false;
  // --accept-journal-damage: start although the journal's start-up check
  // fails, with this reason journaled (forensics).
  std::optional<std::string> accept_damage;
};

// Whoever can write the journal's directory can replace or cut the journal
// and its -wal, lock and head files: only the service user (or root) may.
Status CheckJournalDirectory(const std::string& journal_path,
                             const std::string& origin) {
  const std::string dir = DirectoryOf(journal_path);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::NotFound(origin + ": [GATEWAY] JournalPath=" +
                            journal_path + ": directory " + dir +
                            " does not exist");
  }
  if ((st.st_mode & S_IWOTH) != 0) {
    return Status::FailedPrecondition(fmt::format(
        "{}: [GATEWAY] JournalPath={}: directory {} is writable by every "
        "user (mode {:04o}): anyone could replace or cut the journal; use a "
        "directory only the service user can write",
        origin, journal_path, dir, st.st_mode & 07777));
  }
  if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    return Status::FailedPrecondition(fmt::format(
        "{}: [GATEWAY] JournalPath={}: directory {} belongs to uid {}, not "
        "to the service user (uid {}) or root",
        origin, journal_path, dir, st.st_uid, ::geteuid()));
  }
  return Status::Ok();
}

// "name (uid N)" of the user running fixgw, for the journal.
std::string ProcessUser() {
  const uid_t uid = ::geteuid();
  const struct passwd* pw = ::getpwuid(uid);
  return fmt::format("{} (uid {})", pw != nullptr ? pw->pw_name : "?", uid);
}

Status AppendRecord(store::Journal& journal, const char* kind,
                    const nlohmann::ordered_json& payload) {
  store::JournalEntry e;
  e.time = Now();
  e.kind = kind;
  e.payload = payload.dump(-1, ' ', false,
                           nlohmann::ordered_json::error_handler_t::replace);
  std::vector<store::JournalEntry> entries{std::move(e)};
  return journal.Append(entries);
}

// The reason of the head recorded when fixgw stops after draining.
constexpr const char* kCleanStop = "clean stop";

// The start-up check (store/journal_head.h). Exit code 0 to go on, 2 to
// stop; what it found is journaled and the new head recorded.
// *stopped_cleanly: the last run recorded its head at a drained stop (not
// a crash, not a first start).
int CheckJournalAtStart(store::Journal& journal, store::VerifyMode mode,
                        const RunFlags& flags, bool* stopped_cleanly) {
  auto check = store::CheckAtStart(journal, mode);
  if (!check.ok()) {
    PrintToStderr("fixgw: {}\n", check.status().message());
    return 2;
  }
  *stopped_cleanly =
      check->ok() && check->recorded && check->recorded->reason == kCleanStop;
  const char* mode_name =
      mode == store::VerifyMode::kFull ? "full" : "checkpoint";
  std::string reason = "verified at start";
  if (!check->ok()) {
    if (!flags.accept_damage) {
      PrintToStderr(
          "fixgw: journal {} is damaged: {}; refusing to start "
          "(fixreplay --verify {} shows the chain; to start anyway "
          "for forensics: --accept-journal-damage REASON, which is "
          "journaled)\n",
          journal.path(), check->problem, journal.path());
      return 2;
    }
    spdlog::critical(
        "journal {} is damaged: {}; starting anyway: --accept-journal-damage "
        "by {}: {}",
        journal.path(), check->problem, ProcessUser(), *flags.accept_damage);
    nlohmann::ordered_json payload{
        {"problem", check->problem},
        {"first_bad_seq", check->first_bad_seq.value_or(0)},
        {"head_seq", check->head.seq},
        {"recorded_head_seq",
         check->recorded ? check->recorded->point.seq : int64_t{-1}},
        {"mode", mode_name},
        {"reason", *flags.accept_damage},
        {"by", ProcessUser()}};
    if (Status st =
            AppendRecord(journal, gw::kJournalDamageAccepted, payload);
        !st.ok()) {
      PrintToStderr("fixgw: {}\n", st.message());
      return 2;
    }
    reason = "damage accepted at start";
  } else {
    if (flags.accept_damage) {
      spdlog::warn("--accept-journal-damage: journal {} is intact; nothing "
                   "to accept",
                   journal.path());
    }
    spdlog::info(
        "journal {} verified ({}): {} entries from seq {} to {} in {} ms{}",
        journal.path(), mode_name, check->entries, check->verified_from.seq,
        check->head.seq, check->took.count() / 1000,
        check->recorded ? "" : " (no recorded head: first start)");
    nlohmann::ordered_json payload{
        {"mode", mode_name},
        {"from_seq", check->verified_from.seq},
        {"entries", check->entries},
        {"head_seq", check->head.seq},
        {"took_us", check->took.count()}};
    if (Status st = AppendRecord(journal, gw::kJournalVerified, payload);
        !st.ok()) {
      PrintToStderr("fixgw: {}\n", st.message());
      return 2;
    }
  }
  if (Status st = journal.SyncToDisk(); !st.ok()) {
    PrintToStderr("fixgw: {}\n", st.message());
    return 2;
  }
  if (Status st = store::WriteHead(
          journal.path(), store::RecordedHead{journal.head(), Now(), reason});
      !st.ok()) {
    PrintToStderr("fixgw: {}\n", st.message());
    return 2;
  }
  return 0;
}

// Tells the service manager (Type=notify, sd_notify.h) what fixgw is doing;
// a failure to tell it is logged once, never fatal.
void Tell(const gw::ServiceNotifier& notifier, const std::string& state) {
  static std::atomic<bool> warned{false};
  if (Status st = notifier.Notify(state); !st.ok() && !warned.exchange(true)) {
    spdlog::warn("service manager not told '{}': {}", state, st.message());
  }
}

// MONOTONIC_USEC=: newer systemd wants it with RELOADING=1.
std::string MonotonicUsec() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return "MONOTONIC_USEC=" +
         std::to_string(static_cast<int64_t>(ts.tv_sec) * 1'000'000 +
                        ts.tv_nsec / 1000);
}

int Run(const RunFlags& flags) {
  const Timestamp started = Now();  // the status page's uptime
  const std::string& config_path = flags.config;
  auto split =
      fix::LoadSessionSettings(config_path, gw::GatewaySessionDefaults());
  if (!split.ok()) {
    PrintToStderr("fixgw: {}\n", split.status().message());
    return 2;
  }
  if (split->acceptor_count == 0 || split->initiator_count == 0) {
    PrintToStderr(
        "fixgw: {}: needs at least one broker session "
        "(ConnectionType=acceptor) and at least one exchange session "
        "(ConnectionType=initiator), found {} and {}\n",
        config_path, split->acceptor_count, split->initiator_count);
    return 2;
  }
  auto session_options = gw::LoadSessionOptions(*split, config_path);
  if (!session_options.ok()) {
    PrintToStderr("fixgw: {}\n", session_options.status().message());
    return 2;
  }
  auto config = gw::LoadGatewayConfig(config_path);
  if (!config.ok()) {
    PrintToStderr("fixgw: {}\n", config.status().message());
    return 2;
  }
  // Read now so that a bad token file stops start-up before anything is
  // created.
  gw::AdminAccess admin_access;
  if (config->admin_port != 0) {
    if (config->admin_auth) {
      auto tokens = gw::LoadAdminTokenFile(config->admin_token_file);
      if (!tokens.ok()) {
        PrintToStderr("fixgw: {}: [GATEWAY] AdminTokenFile {}: {}\n",
                      config_path, config->admin_token_file,
                      tokens.status().message());
        return 2;
      }
      admin_access =
          gw::AdminAccess::WithTokens(std::move(*tokens), config->admin_port);
    } else {
      admin_access = gw::AdminAccess::Unauthenticated(config->admin_port);
    }
  }
  auto auth = gw::LoadLogonAuth(split->acceptors, config_path);
  if (!auth.ok()) {
    PrintToStderr("fixgw: {}\n", auth.status().message());
    return 2;
  }
  auto allowed = gw::LoadAllowedAddresses(split->acceptors, config_path);
  if (!allowed.ok()) {
    PrintToStderr("fixgw: {}\n", allowed.status().message());
    return 2;
  }
  // The risk file is checked before anything is created (it is loaded and
  // journaled below, once the journal is open).
  std::vector<std::string> warnings;
  // The accounts the configuration names: the per-account metrics' label
  // values (metrics.h); any other account is counted as "other".
  std::set<std::string> configured_accounts;
  for (const auto& [key, options] : session_options->sessions) {
    configured_accounts.insert(options.default_account);
  }
  if (config->risk_checks) {
    auto limits = risk::LoadRiskFile(config->risk_config);
    if (!limits.ok()) {
      PrintToStderr("fixgw: {}: [GATEWAY] RiskConfig: {}\n", config_path,
                    limits.status().message());
      return 2;
    }
    std::set<std::string> broker_keys;
    for (const FIX::SessionID& id : split->acceptors.getSessions()) {
      broker_keys.insert(id.toString());
    }
    warnings = gw::RiskFileWarnings(*limits, broker_keys, config->symbols,
                                    config->risk_config);
    configured_accounts.merge(gw::RiskFileAccounts(*limits));
    // A drop copy of an account no configuration names would stay silent.
    if (Status st = gw::CheckDropCopyAccounts(*session_options,
                                              configured_accounts, config_path);
        !st.ok()) {
      fmt::print(stderr, "fixgw: {}\n", st.message());
      return 2;
    }
  }
  // Where the sessions listen and connect (read only; nothing is bound).
  for (const bool acceptor : {true, false}) {
    auto plan = fix::PlanTransport(
        acceptor ? split->acceptors : split->initiators, acceptor,
        acceptor ? split->acceptor_tls : split->initiator_tls, config_path);
    if (!plan.ok()) {
      PrintToStderr("fixgw: {}\n", plan.status().message());
      return 2;
    }
  }
  if (!config->pass_through) {
    if (Status st = CheckJournalDirectory(config->journal_path, config_path);
        !st.ok()) {
      PrintToStderr("fixgw: {}\n", st.message());
      return 2;
    }
  }
  if (flags.check_only) {
    for (const std::string& w : warnings) {
      PrintToStderr("fixgw: warning: {}\n", w);
    }
    std::string venues;
    for (const gw::VenueConfig& v : session_options->venues) {
      venues += (venues.empty() ? "" : ", ") + v.name + " (" +
                v.session.toString() + ")";
    }
    fmt::print(
        "fixgw: {}: configuration OK: {} broker session(s), "
        "venue(s) {}{}\n",
        config_path, split->acceptor_count, venues,
        config->risk_checks ? ", risk file " + config->risk_config
                            : std::string());
    return 0;
  }
  // The service manager's socket (Type=notify): READY=1 once the journal
  // is recovered, the listeners bound and the admin API up; WATCHDOG=1
  // from the event loop. Not started by systemd: does nothing.
  auto notifier =
      gw::ServiceNotifier::Create(gw::ServiceNotifier::ReadEnvironment());
  if (!notifier.ok()) {
    PrintToStderr("fixgw: {}\n", notifier.status().message());
    return 2;
  }
  // Every file fixgw creates from here on (journal, -wal, -shm, lock, head,
  // logs, FIX logs) gets FileMode: 0600, or 0640 for the service's group.
  ::umask(config->file_mode == 0640 ? 027 : 077);
  if (Status st = gw::InitLogging(gw::LogOptions{
          config->log_level, config->log_console, config->log_file});
      !st.ok()) {
    PrintToStderr("fixgw: {}: [GATEWAY] {}\n", config_path, st.message());
    return 2;
  }
  // PassThrough=Y (the benchmark baseline) has neither journal nor session
  // stores: QuickFIX keeps sessions in memory.
  std::unique_ptr<store::Journal> journal;
  bool last_run_stopped_cleanly = false;  // the journal's recorded head says
  std::unique_ptr<store::SessionStore> sessions;
  if (!config->pass_through) {
    auto opened =
        store::Journal::Open(config->journal_path, config->journal_sync);
    if (!opened.ok()) {
      PrintToStderr("fixgw: {}\n", opened.status().message());
      return 2;
    }
    journal = std::move(*opened);
    Tell(*notifier, gw::StatusLine("verifying and replaying the journal " +
                                   config->journal_path));
    if (int code = CheckJournalAtStart(*journal, config->journal_verify, flags,
                                       &last_run_stopped_cleanly);
        code != 0) {
      return code;
    }
    // QuickFIX's session stores live in the journal's file (issue 5): the
    // outbox below compares what was journaled with what was stored.
    // On the journal's connection: a journal entry and the messages it
    // sends commit in one transaction (store/session_store.h).
    auto stores = store::SessionStore::Open(*journal);
    if (!stores.ok()) {
      PrintToStderr("fixgw: {}\n", stores.status().message());
      return 2;
    }
    sessions = std::move(*stores);
  } else {
    spdlog::warn(
        "PassThrough=Y: no journal, no risk checks; nothing survives a "
        "restart");
  }

  // (After the journal's checks: a start-up error is one line.)
  for (const std::string& w : warnings) spdlog::warn("{}", w);
  if (config->admin_port != 0 && !config->admin_auth) {
    spdlog::warn(
        "AdminAuth=none: the admin API on 127.0.0.1:{} asks no credentials; "
        "any local user can engage the kill switch (development only)",
        config->admin_port);
  }
  for (const FIX::SessionID& id : split->acceptors.getSessions()) {
    if (!auth->Protects(id.toString())) {
      spdlog::warn(
          "broker session {} has no Username/PasswordHash: its Logon is "
          "not authenticated",
          id.toString());
    }
  }

  // The limits start empty: the journal's RiskLimitsLoaded events set them.
  std::unique_ptr<risk::RiskEngine> risk;
  if (config->risk_checks) {
    risk = std::make_unique<risk::RiskEngine>(risk::RiskLimits{});
  } else if (!config->pass_through) {
    spdlog::warn("RiskChecks=off: no pre-trade risk checks");
  }
  gw::OrderRouter router(
      gw::OrderRouter::Options{
          config->id_prefix, config->symbols, config->finished_orders_kept,
          config->refuse_when_exchange_unresponsive,
          session_options->drop_copies, session_options->RouterVenues()},
      risk.get());
  std::vector<gw::GatewayApplication::Output> outbox;
  std::set<std::string> disabled_sessions;
  if (journal) {
    if (Status st = gw::RecoverFromJournal(*journal, router, &outbox,
                                           &disabled_sessions);
        !st.ok()) {
      PrintToStderr("fixgw: recovery failed: {}\n", st.message());
      return 2;
    }
  }

  fix::StopSignals stop(/*with_hangup=*/true);  // before any thread starts
  // The head is recorded once a second while the journal grows, so that a
  // journal cut after a crash is noticed at the next start.
  std::unique_ptr<store::HeadRecorder> head_recorder;
  if (journal) {
    head_recorder = std::make_unique<store::HeadRecorder>(
        *journal, std::chrono::seconds(1), [](const Status& st) {
          spdlog::error("journal head not recorded: {}", st.message());
        });
  }
  const FIX::SessionSettings& brokers = split->acceptors;
  const FIX::SessionSettings& exchanges = split->initiators;
  std::vector<gw::GatewayApplication::VenueSession> venue_sessions;
  for (const gw::VenueConfig& v : session_options->venues) {
    venue_sessions.push_back({v.name, v.session});
  }
  gw::GatewayApplication app(journal.get(), router, risk.get(),
                             std::move(venue_sessions));
  app.SetLogonAuth(&*auth);
  {
    std::set<std::string> broker_keys;
    for (const FIX::SessionID& id : brokers.getSessions()) {
      broker_keys.insert(id.toString());
    }
    app.metrics().SetLabelValues(broker_keys, configured_accounts);
  }
  app.SetSessionOptions(session_options->sessions);
  for (const gw::VenueConfig& v : session_options->venues) {
    app.SetVenueRate(v.name, v.max_messages_per_second, v.max_queued_messages);
  }
  app.UseSessionStore(sessions.get());
  // The operator's disables stand across restarts (admin POST /session).
  for (const std::string& session : disabled_sessions) {
    spdlog::warn("{} is disabled by the operator (journaled): its logons are "
                 "refused until it is enabled",
                 session);
    app.SetAdmission(session, gw::Admission::kDisabled);
  }
  app.StartLivenessProbe(
      {std::chrono::seconds(config->exchange_silence_s),
       std::chrono::seconds(config->exchange_answer_s)});
  if (risk) {
    if (Status st = app.LoadRiskLimits(config->risk_config, "start-up");
        !st.ok()) {
      PrintToStderr("fixgw: {}\n", st.message());
      return 2;
    }
  }
  std::unique_ptr<gw::AdminServer> admin;
  if (config->admin_port != 0) {
    gw::AdminOptions admin_options;
    admin_options.risk_path = config->risk_config;
    admin_options.journal_path = config->journal_path;
    admin_options.max_pending = std::chrono::seconds(config->max_pending_s);
    admin_options.access = std::move(admin_access);
    admin_options.version = FIXGW_VERSION;
    admin_options.started = started;
    for (const auto& [key, options] : session_options->sessions) {
      if (!options.default_account.empty()) {
        admin_options.default_accounts.insert(options.default_account);
      }
    }
    admin = std::make_unique<gw::AdminServer>(app, std::move(admin_options));
    if (Status st = admin->Start(config->admin_port); !st.ok()) {
      PrintToStderr("fixgw: {}: {}\n", config_path, st.message());
      return 2;
    }
  }
  std::unique_ptr<FIX::MessageStoreFactory> session_stores;
  if (sessions) {
    // Inbound sequence numbers are written by the gateway's commits, with
    // the events of each message (GatewayApplication::DecisionScope), never
    // ahead of them: QuickFIX's own writes of them wait for the committer.
    // After a crash a peer resends what was not journaled; messages it
    // resends that were (PossDupFlag + known ClOrdID / ExecID) are dropped.
    session_stores = std::make_unique<fix::SqliteMessageStoreFactory>(
        *sessions,
        fix::SqliteStoreOptions{
            1, [&app] { app.FlushCommits(); },
            [](const std::string& message) { spdlog::error("{}", message); }});
  } else {
    session_stores = std::make_unique<FIX::MemoryStoreFactory>();
  }
  // Logs mask Password (554).
  fix::MaskingLogFactory broker_log(fix::MakeLogFactory(brokers), nullptr);
  fix::MaskingLogFactory exchange_log(fix::MakeLogFactory(exchanges), nullptr);
  gw::GatewayTransportOptions transport_options;
  transport_options.brokers = &brokers;
  transport_options.exchanges = &exchanges;
  transport_options.broker_tls = split->acceptor_tls;
  transport_options.exchange_tls = split->initiator_tls;
  transport_options.origin = config_path;
  transport_options.allowed_by_port = *allowed;
  transport_options.stores = session_stores.get();
  transport_options.broker_log = &broker_log;
  transport_options.exchange_log = &exchange_log;
  // JournalSync=normal (and no journal): the loop commits at the end of
  // each turn. full: the committer thread's fsync overlaps the loop.
  transport_options.commit_on_loop =
      config->pass_through || config->journal_sync == store::SyncMode::kNormal;
  auto transport = gw::GatewayTransport::Create(app, transport_options);
  if (!transport.ok()) {
    PrintToStderr("fixgw: {}\n", transport.status().message());
    return 2;
  }
  if (sessions) {
    // Before the sessions connect: what the journal holds and no session
    // stored is handed to its session now.
    auto resent = app.SendOutbox(outbox, *sessions);
    if (!resent.ok()) {
      PrintToStderr("fixgw: {}\n", resent.status().message());
      return 2;
    }
  }
  // Cancel-on-disconnect: no broker is connected yet. After a crash (or a
  // first start) every CancelOnDisconnect=Y session counts as away from
  // now on, before a broker can log on: its connection dropped with the
  // gateway. After a drained stop the gateway logged the brokers out
  // itself, which is no disconnect of theirs: the sessions are armed when
  // they next come and go.
  bool any_cancel_on_disconnect = false;
  for (const auto& [key, options] : session_options->sessions) {
    any_cancel_on_disconnect |= options.cancel_on_disconnect;
  }
  if (any_cancel_on_disconnect) {
    if (last_run_stopped_cleanly) {
      spdlog::info(
          "cancel-on-disconnect not armed at start: the last run "
          "stopped cleanly (drained)");
    } else {
      app.ArmCancelOnDisconnectAtStart();
    }
  }
  // The broker listeners bind first: a port in use is one line and exit 2
  // before the exchange is dialled.
  if (Status st = (*transport)->Start(); !st.ok()) {
    PrintToStderr("fixgw: {}\n", st.message());
    return 2;
  }
  if (any_cancel_on_disconnect) {
    // On the loop that owns the sessions, like the watchdog below.
    (*transport)
        ->Every(gw::GatewayApplication::kCancelOnDisconnectTick,
                [&app] { app.CheckCancelOnDisconnect(); });
  }
  if (app.paces()) {
    // MaxMessagesPerSecond: queued messages leave on the loop.
    (*transport)->Every(gw::GatewayApplication::kPaceTick, [&app] {
      app.PaceVenues();
    });
  }
  if (admin) admin->SetSessionControl(transport->get());
  std::string venue_list;
  for (const gw::VenueConfig& v : session_options->venues) {
    venue_list += (venue_list.empty() ? "" : ", ") +
                  (session_options->venues.size() > 1
                       ? v.name + " " + v.session.toString()
                       : v.session.toString());
  }
  spdlog::info("started: {} broker session(s){}, exchange {}{}",
               split->acceptor_count, split->acceptor_tls ? " (TLS)" : "",
               venue_list, split->initiator_tls ? " (TLS)" : "");
  const std::string serving =
      gw::StatusLine(fmt::format("serving {} broker session(s), exchange {}",
                                 split->acceptor_count, venue_list));
  Tell(*notifier, "READY=1\n" + serving);
  if (auto timeout = notifier->watchdog_timeout()) {
    // From the loop that owns every session: if it stops turning, the
    // pings stop and the manager restarts fixgw (WatchdogSec=).
    const auto period = std::max(
        std::chrono::milliseconds(1),
        std::chrono::duration_cast<std::chrono::milliseconds>(*timeout / 2));
    (*transport)->Every(period, [&n = *notifier] { Tell(n, "WATCHDOG=1"); });
    spdlog::info("watchdog: pinging the service manager every {} ms",
                 period.count());
  }

  int sig = stop.Wait();
  while (sig == SIGHUP) {
    Tell(*notifier, "RELOADING=1\n" + MonotonicUsec() + "\n" +
                        gw::StatusLine("reloading the risk file"));
    if (risk) {
      Status st = app.LoadRiskLimits(config->risk_config, "SIGHUP");
      if (st.ok()) {
        spdlog::info("SIGHUP: risk file {} reloaded", config->risk_config);
      } else {
        spdlog::error("SIGHUP: risk file {}: {}", config->risk_config,
                      st.message());
      }
    }
    Tell(*notifier, "READY=1\n" + serving);
    sig = stop.Wait();
  }
  spdlog::warn("signal {}: draining (up to {} s)", sig,
               config->drain_timeout_s);
  Tell(*notifier,
       "STOPPING=1\n" +
           gw::StatusLine(fmt::format("draining (up to {} s), then logging "
                                      "out",
                                      config->drain_timeout_s)));
  app.BeginDrain();
  const size_t waiting =
      app.WaitForDrain(std::chrono::seconds(config->drain_timeout_s));
  if (waiting > 0) {
    spdlog::warn(
        "drain timeout: {} order(s) still wait for the exchange; their "
        "answers are delivered after the next start",
        waiting);
  }
  // Operator actions end here: nothing may reach the sessions while they
  // go.
  admin.reset();
  spdlog::info("logging out the brokers");
  (*transport)->LogoutBrokers(std::chrono::seconds(5));
  spdlog::info("logging out the exchange");
  (*transport)->LogoutExchange(std::chrono::seconds(5));
  (*transport)->Stop();
  if (head_recorder) {
    app.FlushCommits();
    if (Status st = head_recorder->Finish(kCleanStop); !st.ok()) {
      spdlog::error("journal head not recorded at stop: {}", st.message());
    }
  }
  spdlog::info("stopped");
  return 0;
}


// `fixgw --hash-password [--iterations N]`: reads one password line from
// stdin (so it stays out of the shell history and the process list) and
// prints the PasswordHash value for a broker session block.
int HashPasswordCommand(int iterations) {
  std::string password;
  if (!std::getline(std::cin, password) || password.empty()) {
    PrintToStderr("fixgw: --hash-password: no password on stdin\n");
    return 2;
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  auto h = gw::HashPassword(password, iterations);
  if (!h.ok()) {
    PrintToStderr("fixgw: {}\n", h.status().message());
    return 2;
  }
  fmt::print("{}\n", gw::FormatPasswordHash(*h));
  return 0;
}

// `fixgw --new-admin-token NAME`: prints `NAME TOKEN` with a fresh random
// token, to append to the AdminTokenFile.
int NewAdminTokenCommand(const std::string& name) {
  auto line = gw::NewAdminTokenLine(name);
  if (!line.ok()) {
    PrintToStderr("fixgw: --new-admin-token: {}\n", line.status().message());
    return 2;
  }
  fmt::print("{}\n", *line);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"fixgw: FIX 4.2/4.4 order gateway"};
  cli.set_version_flag("--version", "fixgw " FIXGW_VERSION);
  RunFlags flags;
  bool hash_password = false;
  int iterations = gw::kDefaultPbkdf2Iterations;
  std::optional<std::string> token_name;
  CLI::Option* config =
      cli.add_option("-c,--config", flags.config,
                     "QuickFIX settings file: broker and exchange sessions "
                     "and the [GATEWAY] section; runs the gateway")
          ->check(CLI::ExistingFile);
  CLI::Option* check =
      cli.add_flag("--check-config", flags.check_only,
                   "with --config: read and check the settings, "
                   "dictionaries, risk file, token file and credentials, "
                   "then exit 0 (OK, warnings on stderr) or 2 (the error); "
                   "creates, writes and binds nothing")
          ->needs(config);
  CLI::Option* damage =
      cli.add_option("--accept-journal-damage", flags.accept_damage,
                     "with --config: start although the journal fails its "
                     "start-up check (damaged or cut); REASON is journaled, "
                     "for forensics")
          ->type_name("REASON")
          ->needs(config);
  CLI::Option* hash =
      cli.add_flag("--hash-password", hash_password,
                   "read a password from stdin, print its PasswordHash for a "
                   "broker [SESSION]");
  cli.add_option("--iterations", iterations,
                 "with --hash-password: PBKDF2 iterations (default " +
                     std::to_string(gw::kDefaultPbkdf2Iterations) + ")")
      ->check(CLI::Range(gw::kMinPbkdf2Iterations, 100'000'000))
      ->needs(hash);
  CLI::Option* token =
      cli.add_option("--new-admin-token", token_name,
                     "print a line `NAME TOKEN` with a fresh token for "
                     "AdminTokenFile (journaled as token:NAME)")
          ->type_name("NAME");
  hash->excludes(config)->excludes(token);
  token->excludes(config);
  check->excludes(damage);
  cli.footer(
      "Exit codes: 0 stopped cleanly (SIGTERM/SIGINT) or the check passed; "
      "2 bad configuration, bad risk file, unusable journal or a port in "
      "use; 3 the journal failed while running.\nDocumentation: README.md "
      "and docs/operations.md (PREFIX/share/doc/fixgw/).");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    PrintToStderr("fixgw: {} (fixgw --help for usage)\n", e.what());
    return 2;
  }
  if (hash_password) return HashPasswordCommand(iterations);
  if (token_name) return NewAdminTokenCommand(*token_name);
  if (flags.config.empty()) {
    PrintToStderr(
        "fixgw: --config FILE is required (fixgw --help for usage)\n");
    return 2;
  }
  if (flags.accept_damage) {
    const std::string& reason = *flags.accept_damage;
    bool printable = !reason.empty() && reason.size() <= 256;
    for (char c : reason) {
      if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') printable = false;
    }
    if (!printable) {
      PrintToStderr(
          "fixgw: --accept-journal-damage needs a reason: 1 to 256 "
          "characters, no control characters\n");
      return 2;
    }
  }
  return Run(flags);
}
