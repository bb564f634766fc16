// The FIX face of the gateway: one QuickFIX Application serving the broker
// sessions (acceptor) and one exchange session (initiator) per venue.
//
// Per inbound application message:
//   under mu_: decode -> OrderRouter::Decide* -> OrderRouter::Apply -> queue
//   the event and every message it produces -> return to QuickFIX, which
//   reads the next message.
// Group commit (order_pipeline.h, the OrderPipeline this object feeds
// through its two ports): the committer (the loop at the end of its turn,
// or the committer thread: see "The loop" below) takes every queued batch and
// appends them all in ONE journal transaction, which also holds each
// message's copy for QuickFIX's session store (prestored at the MsgSeqNum
// QuickFIX will give it, UseSessionStore) and each inbound message's
// MsgSeqNum (Batch::inbound); then their messages go to their sessions in
// queue order (= the order the events were applied). So all sessions
// share commits (one fsync per group with JournalSync=full), and the
// inbound sequence number is durable exactly when the message's events
// are: QuickFIX's own writes of it wait for the commit (FlushCommits),
// and after a crash the peer resends what was not journaled. Nothing is
// sent before its journal transaction committed. If the journal cannot be
// written the gateway stops at once (fail-stop, exit code 3): the
// in-memory state already holds the unjournaled events, and a restart
// rebuilds the state from what the journal does hold.
//
// The loop (AttachLoop): every FIX session lives on the transport's event
// loop (gateway/fix/fix_transport.h), which calls this application back on
// its thread. Two ways to commit:
//   - on the loop (LoopHooks::commit_on_loop; fixgw's JournalSync=normal):
//     a loop turn reads every ready connection and decides each message;
//     at the end of the turn (EventLoop::AtTurnEnd) one transaction
//     journals everything the turn decided, and its messages go to their
//     sessions at once. No thread hand-off on the path. A commit that
//     somebody on the loop must wait for (FlushCommits from the session
//     store, a refused Logon) is made right there; its messages wait for
//     the end of the turn, in commit order. Other threads (operator
//     actions, the control and probe threads) queue their batches and ask
//     the loop to commit them (Post), then wait.
//   - on the committer thread (JournalSync=full): fsync then overlaps the
//     loop's reading and deciding; each group's messages are posted to the
//     loop, which gives them to their sessions in commit order.
// Nothing here blocks on a socket. A peer that does not read is
// the transport's business (slow-consumer and send-stall limits); while
// the exchange's connection has a backlog, the transport stops reading the
// brokers (backpressure through TCP, fixgw/main.cc). Deciders wait only
// while kMaxPendingBatches batches wait for the committer.
//
// Threading: QuickFIX calls back on the loop thread, holding the session's
// lock; the committer, the control thread, the liveness probe and operator
// actions (admin API, signals) run on their own threads and never call a
// session: what they send goes through the loop. No callback that QuickFIX
// makes while holding a session lock (toApp, toAdmin, onLogout) takes the
// mutex: the exchange session's logon state is handed over through an
// atomic, and a control thread owned by this object journals the
// change. Broker messages also reconcile it before they are decided, so an
// order is never decided on a stale "exchange up".
//
// Risk: the router drives the risk engine (order_router.h). Limit changes
// (LoadRiskLimits: start-up, SIGHUP, admin reload) and kill-switch changes
// (SetKillSwitch: admin API) are journaled events like any other, so a
// restart or fixreplay rebuilds exactly the limits and switches in force.
//
// Shutdown (BeginDrain, WaitForDrain): new orders and replaces are refused
// with Text "gateway is shutting down" (journaled like any refusal);
// cancels, status requests and exchange reports flow as before, until no
// order waits for an exchange answer and every answer is sent.
//
// Metrics (metrics.h): every message in and out is counted in the QuickFIX
// callbacks; decisions in Process; latencies on the loop when a message is
// handed to its session (arrival to send) and in Commit (journal
// transaction).
//
// Exchange liveness (StartLivenessProbe): a logged-on session says nothing
// about whether the exchange still reads and answers (a frozen process
// keeps its sockets open; QuickFIX notices only after 2.4 x HeartBtInt).
// fromAdmin/fromApp stamp every exchange message (an atomic store); a probe
// thread sends a TestRequest (TestReqID fixgw-health-<n>, at most one
// outstanding) once the exchange has been silent for `silence`, and calls
// the exchange "not answering" when nothing at all arrived within `answer`
// of it; any message from the exchange ends that. QuickFIX takes the
// Heartbeat that answers (verify() accepts any TestReqID) and its own
// TestRequest timer sees the traffic like any other. The TestRequest is
// sent through the loop like every message. Each change is journaled
// (ExchangeSessionChanged with
// responsive and a reason), like a logon, so the router's refusals on it
// (OrderRouter::Options::refuse_when_exchange_unresponsive) replay.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <deque>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "gateway/fix/convert.h"
#include "gateway/fix/quickfix.h"
#include "gateway/fixgw/crash_point.h"
#include "gateway/core/thread_annotations.h"
#include "gateway/fixgw/metrics.h"
#include "gateway/fixgw/order_pipeline.h"
#include "gateway/fixgw/session_control.h"
#include "gateway/fixgw/status_page.h"
#include "gateway/fixgw/logon_auth.h"
#include "gateway/router/order_router.h"
#include "risk/risk_engine.h"
#include "store/journal.h"
#include "store/session_store.h"

namespace fixgw::gw {

class GatewayApplication : public FIX::Application {
 public:
  // `journal` (null in pass-through mode: nothing is journaled), `router`
  // and `risk` (the router's engine; null without risk checks) must outlive
  // this object; the router must already hold the recovered state
  // (RecoverFromJournal).
  // One exchange-side session per venue (the router's Options::venues,
  // same names, same order).
  struct VenueSession {
    VenueName name;
    FIX::SessionID session;
  };
  GatewayApplication(store::Journal* journal, OrderRouter& router,
                     risk::RiskEngine* risk, std::vector<VenueSession> venues);
  ~GatewayApplication() override;
  GatewayApplication(const GatewayApplication&) = delete;
  GatewayApplication& operator=(const GatewayApplication&) = delete;

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& id) override;
  void onLogout(const FIX::SessionID& id) override;
  // Count the message (metrics); QuickFIX's own rejects are journaled.
  void toAdmin(FIX::Message& msg, const FIX::SessionID& id) override;
  void toApp(FIX::Message& msg, const FIX::SessionID& id) override;
  void fromAdmin(const FIX::Message& msg, const FIX::SessionID& id) override;
  // Broker side: D, F, G, H, AF, q; anything else throws
  // FIX::UnsupportedMessageType (QuickFIX answers BusinessMessageReject);
  // a q of MassCancelRequestType 1 without Symbol throws
  // FIX::FieldNotFound (BusinessMessageReject 380=5).
  // Exchange side: 8, 9, and a BusinessMessageReject (j) of a forwarded
  // D/F/G (so is a session Reject, 35=3, in fromAdmin): the broker gets
  // the refusal. Anything else is logged and journaled as ignored.
  void fromApp(const FIX::Message& msg, const FIX::SessionID& id) override;

  // What the gateway adds to QuickFIX's settings of one session: how
  // messages to it are written (version, timestamp precision, the
  // pass-through fields it may get) and, for brokers, the Account given to
  // orders that carry none. Sessions without options get the defaults
  // (FIX 4.4, milliseconds, no dictionary, no default account).
  struct SessionOptions {
    fix::Dialect dialect;
    std::string default_account;
    // Broker sessions: CancelOnDisconnect=Y and its delay (see "Cancel on
    // disconnect" below).
    bool cancel_on_disconnect = false;
    int64_t cancel_on_disconnect_delay_s = 0;
    // Role=dropcopy (session_options.h): the session gets copies of other
    // sessions' reports and may send no orders (BusinessMessageReject).
    bool drop_copy = false;
  };
  // Keyed by SessionID::toString(). Set before the sessions start.
  void SetSessionOptions(std::map<std::string, SessionOptions> options) {
    session_options_ = std::move(options);
  }

  // The event loop that owns the sessions (see the file comment).
  using LoopHooks = OrderPipeline::Loop;
  // Before the sessions start.
  void AttachLoop(LoopHooks hooks) { pipeline_.AttachLoop(std::move(hooks)); }
  // Once the loop thread has ended: what is still queued, or decided later
  // (operator actions), is committed by the committer thread and handed to
  // the sessions, if any, there.
  void DetachLoop() { pipeline_.DetachLoop(); }
  // Committed messages not yet handed to their sessions.
  size_t unsent() const { return pipeline_.unsent(); }

  // ---- operator actions (admin API, signals); thread-safe.

  // Reads and parses the risk file at `path`; journals RiskLimitsLoaded if
  // its limits differ from those in force. Errors (unreadable file, bad
  // key) leave the limits unchanged and name the file and key.
  // `who` says who asked ("start-up", "SIGHUP", "admin 127.0.0.1"); the
  // journaled source is "<path> by <who>".
  Status LoadRiskLimits(const std::string& path, const std::string& who);

  struct KillSwitchResult {
    int cancels_sent = 0;
  };
  // Engages or disengages a kill switch and cancels the scope's open
  // orders on engagement. InvalidArgument for an account/session scope
  // without a name; FailedPrecondition without a risk engine.
  Result<KillSwitchResult> SetKillSwitch(const risk::KillScope& scope,
                                         bool engaged,
                                         const std::string& source,
                                         const std::string& reason);

  // ---- operator session control and cancels (admin API); thread-safe.

  // Whether a broker session accepts logons (session_control.h); kOpen for
  // a session never changed. Broker Logons are checked in fromAdmin: a
  // refusal is journaled (LogonRefused, code session_disabled or
  // session_logged_out) and answered with Logout + Text naming the
  // operator. Takes admission_mu_ only (a leaf): safe under QuickFIX's
  // session locks.
  Admission AdmissionOf(const std::string& session);
  void SetAdmission(const std::string& session, Admission admission);
  // Journals an operator's session control (kSessionControl; `payload` a
  // JSON object) and returns once the journal holds it. Any thread, the
  // loop's included.
  void JournalSessionControl(const std::string& session,
                             const std::string& payload);

  struct CancelOrderResult {
    std::string session;
    std::string cl_ord_id;       // the broker's
    std::string exch_cl_ord_id;  // the order's at the exchange
    std::string cancel_exch_cl_ord_id;  // the cancel's
  };
  // Sends an OrderCancelRequest for one open order (OperatorCancelRequested,
  // journaled with `source`); the owning broker gets the exchange's answer
  // as an unsolicited ExecutionReport. The order is named by the gateway's
  // (exchange) ClOrdID, or by `session` (full key) and the broker's
  // `cl_ord_id`; a non-empty `account` must be the order's. NotFound for
  // no such order, FailedPrecondition for one that is finished or has a
  // request pending, or while the exchange is down.
  Result<CancelOrderResult> CancelOrder(const std::string& exch_cl_ord_id,
                                        const std::string& session,
                                        const std::string& cl_ord_id,
                                        const std::string& account,
                                        const std::string& source,
                                        const std::string& reason);

  // StateJson (state_report.h) of the current state.
  std::string StateJson();

  // A message a journaled event produced, rebuilt by RecoverFromJournal.
  struct Output {
    Action action;
    Timestamp at;  // the event's journal time
  };
  // The outbox: hands every output that `sessions` never stored to its
  // QuickFIX session, which stores it now and delivers it once logged on
  // (directly or by resend). Outputs older than their session's creation
  // time are skipped (a sequence reset discarded them on purpose). Call
  // after the connectors exist, before they start. Returns how many were
  // sent; an error if the store cannot be read.
  Result<int> SendOutbox(const std::vector<Output>& outputs,
                         store::SessionStore& sessions);
  // Every venue's session is logged on.
  bool exchange_logged_on() const;

  // ---- venue message rates (MaxMessagesPerSecond).
  // Before the sessions start: at most `per_second` orders, cancels and
  // replaces a second go to `venue`; more wait (in order) for the loop's
  // PaceVenues. A broker's order, cancel or replace decided while
  // `max_queued` wait is refused (ExecutionReport Rejected or
  // OrderCancelReject, Text "venue X is over its message rate ...");
  // the gateway's own cancels (kill switch, mass cancel,
  // cancel-on-disconnect, operator) always queue.
  void SetVenueRate(const VenueName& venue, int64_t per_second,
                    int64_t max_queued);
  bool paces() const;  // some venue has a rate
  // On the loop, every kPaceTick: sends what the tokens allow.
  void PaceVenues();
  static constexpr std::chrono::milliseconds kPaceTick{10};
  static constexpr int64_t kMicroTokensPerMessage = 1'000'000;
  struct VenueRate {
    VenueName name;
    int64_t per_second = 0;
    int64_t queued = 0;
    uint64_t paced = 0, refused = 0;
    uint64_t orders = 0;  // NewOrderSingles decided for it since start
  };
  std::vector<VenueRate> VenueRates() const;

  // ---- exchange liveness (see the file comment); thread-safe.
  struct LivenessOptions {
    std::chrono::milliseconds silence{2000};  // ExchangeSilenceSeconds
    std::chrono::milliseconds answer{3000};   // ExchangeAnswerSeconds
  };
  // Starts the probe thread (once; before the sessions start). Without it
  // the exchange counts as answering whenever it is logged on.
  void StartLivenessProbe(LivenessOptions options);
  // False from when a TestRequest went unanswered for `answer` until the
  // exchange sends anything; true otherwise (also while logged out). Of
  // every venue: false if one does not answer.
  bool exchange_responsive() const;
  struct ExchangeLiveness {
    bool logged_on = false;
    bool responsive = true;
    // Since the last message from the exchange (since this object was made
    // if none came yet).
    std::chrono::microseconds silence{0};
    // Age of the outstanding TestRequest; 0 if none.
    std::chrono::microseconds unanswered{0};
  };
  // All venues at once: logged on and answering if every one is; the
  // longest silence and unanswered TestRequest.
  ExchangeLiveness Liveness() const;
  struct VenueLiveness {
    VenueName name;
    std::string session;
    ExchangeLiveness liveness;
  };
  // Each venue's, in configuration order.
  std::vector<VenueLiveness> VenuesLiveness() const;
  // The order waiting longest for an exchange answer (for /health).
  std::optional<OrderRouter::AwaitingOrder> OldestAwaiting();

  // ---- shutdown (see the file comment); thread-safe.
  void BeginDrain();
  bool draining() const { return draining_.load(); }
  // Waits until no order waits for an exchange answer and every answer is
  // committed and handed to its session, or `timeout`. Returns how many
  // orders still wait.
  size_t WaitForDrain(std::chrono::milliseconds timeout);

  // ---- cancel on disconnect (CancelOnDisconnect=Y sessions).
  // A broker session with CancelOnDisconnect=Y that logs out or loses its
  // connection (onLogout; "logout" if it sent a Logout, else "disconnect")
  // while the gateway is not draining is armed: a deadline of now + its
  // delay. Logging back on disarms it. CheckCancelOnDisconnect, run on the
  // event loop every kCancelOnDisconnectTick (fixgw/main.cc, like the
  // watchdog), fires each session past its deadline: one journaled
  // CancelOnDisconnectFired with a cancel per open order (none journaled if
  // nothing is open), then the session is disarmed until it comes and goes
  // again. While the exchange is down nothing can be sent: the session
  // stays due and fires once the exchange is back. Nothing fires while
  // draining (SIGTERM), and the drain's own logouts arm nothing.
  // After a crash the gateway cannot know how long a broker has been
  // away, so ArmCancelOnDisconnectAtStart (before the listeners open; not
  // called after a drained stop, fixgw/main.cc) arms every such session
  // ("restart"): its orders are cancelled unless it
  // logs on within its delay of the start. Orders whose cancel is already
  // journaled have a cancel pending and are not cancelled again; a cancel
  // journaled but never sent goes out with the outbox.
  static constexpr std::chrono::milliseconds kCancelOnDisconnectTick{100};
  void ArmCancelOnDisconnectAtStart();
  // Event loop thread (it decides and commits there).
  void CheckCancelOnDisconnect();

  // ---- read by the admin server; thread-safe.
  GatewayMetrics& metrics() { return metrics_; }
  using SessionInfo = SessionStatus;
  // Every FIX session of this process, brokers' and the exchange's, with
  // what the application knows of it (not the connection: remote and
  // heard_ago stay empty; the transport has them).
  std::vector<SessionInfo> Sessions();
  // The last kRecentRefusals refusals, newest first.
  std::vector<RefusalNote> RecentRefusals();
  static constexpr size_t kRecentRefusals = 20;
  // Per account (the risk file's and every one the order flow used): the
  // risk file's cash, net cash of fills, what is reserved and available
  // now, open orders and positions against their limits. Empty without
  // risk checks.
  using AccountUse = AccountStatus;
  std::vector<AccountUse> RiskUse();
  // The kill switches in force (none without risk checks).
  risk::KillSwitches KillSwitches();
  bool risk_checks() const { return risk_ != nullptr; }
  // Open orders, and how many of them wait for an exchange answer.
  OrderRouter::OrderCounts CountOrders();

  // The sessions' QuickFIX store, opened on the journal (null: QuickFIX
  // stores elsewhere or in memory). With it each commit also prestores
  // the messages it sends (store::SessionStore::PrestoreOutgoing), so
  // QuickFIX's store of them costs no transaction. Set before the sessions
  // start; must outlive this object.
  void UseSessionStore(store::SessionStore* sessions) { sessions_ = sessions; }
  // Blocks until everything decided so far is journaled. For the session
  // store (fix::SqliteStoreOptions::flush_application): safe under
  // QuickFIX's session locks (takes commit_mu_ only).
  void FlushCommits() { pipeline_.Flush(); }

  // ---- security (issue 7): logon authentication and denials.
  // `auth` must outlive this object; set before the sessions start.
  void SetLogonAuth(const LogonAuthenticator* auth) { auth_ = auth; }
  // A denial seen outside this application's callbacks (QuickFIX's log
  // events: a TLS handshake refused, a Logon in the wrong state): journaled
  // as `kind` (journal_events.h) by the control thread and counted under
  // `code`. Takes only control_mu_, so QuickFIX may call it holding locks.
  void NoteDenial(std::string kind, std::string session, std::string code,
                  std::string detail);
  // For fromAdmin: a broker Logon is checked against SetLogonAuth's
  // credentials; a refusal is journaled (LogonRefused), counted, and thrown
  // as FIX::RejectLogon, which QuickFIX answers with Logout + Text and a
  // disconnect. Anything else passes.
  void AuthenticateLogon(const FIX::Message& msg, const FIX::SessionID& id);
  // Denials so far by code: missing_credentials, unknown_user,
  // wrong_password, unknown_session, logon_state, tls_handshake,
  // address_not_allowed, first_message_timeout, first_message_size,
  // first_message_invalid, entitlement. For the metrics export.
  std::map<std::string, uint64_t> denials() const;

 private:
  struct Denial {
    std::string kind, session, code, detail, raw_fix;
  };
  // Journals (requires mu_, a DecisionScope) and counts a denial.
  void JournalDenial(const Denial& denial) REQUIRES(mu_);
  const LogonAuthenticator* auth_ = nullptr;
  std::vector<Denial> noted_denials_ GUARDED_BY(control_mu_);
  // For fromAdmin: a broker Logon to a session the operator logged out or
  // disabled is journaled and thrown as FIX::RejectLogon.
  void CheckAdmission(const FIX::Message& msg, const FIX::SessionID& id);
  Mutex admission_mu_;  // a leaf
  std::map<std::string, Admission> admission_ GUARDED_BY(admission_mu_);

  // QuickFIX's own rejects (35=3, 35=j), seen in toAdmin/toApp under
  // QuickFIX's session lock, where the mutex may not be taken: handed to
  // the control thread, which journals them (kRejectSent). At most
  // kMaxNotedRejects wait; beyond that they are counted and logged, not
  // journaled (a peer provoking rejects faster than the journal commits).
  struct NotedReject {
    std::string session, raw_fix;
  };
  static constexpr size_t kMaxNotedRejects = 4096;
  void NoteReject(const FIX::Message& msg, const FIX::SessionID& id);
  std::vector<NotedReject> noted_rejects_ GUARDED_BY(control_mu_);
  uint64_t rejects_not_journaled_ GUARDED_BY(control_mu_) = 0;

  void FromBroker(const FIX::Message& msg, const FIX::SessionID& id,
                  const std::string& type);
  // Any application message on a drop-copy session: answered with a
  // BusinessMessageReject (380=3, Text saying why), journaled as RejectSent
  // (payload reason "drop_copy") with the inbound seq, like any refusal.
  bool IsDropCopyRefusal(const FIX::Message& msg,
                         const FIX::SessionID& id) const;
  void RefuseOnDropCopy(const FIX::Message& msg, const FIX::SessionID& id,
                        const std::string& type,
                        OrderPipeline::SteadyTime received);
  // An exchange-side session: its venue's name, its session and its
  // liveness (see the file comment; the atomics are per venue).
  struct Venue {
    Venue(VenueName n, FIX::SessionID s)
        : name(std::move(n)), session(std::move(s)), key(session.toString()) {}
    const VenueName name;
    const FIX::SessionID session;
    const std::string key;  // session.toString()
    // What the events say for this venue (OrderRouter::JournaledVenue).
    VenueName journaled;
    std::atomic<bool> logged_on{false};
    std::atomic<int64_t> last_heard{SteadyNanos()};
    std::atomic<int64_t> probe_sent{0};
    std::atomic<bool> unresponsive{false};
    // The probe thread's own.
    uint64_t probes_sent = 0;
    int64_t quiet_from = 0;
    // MaxMessagesPerSecond (SetVenueRate; 0: none): a token bucket of one
    // second's worth, and the messages waiting for a token. Loop thread,
    // except the atomics (read by deciders and the metrics).
    int64_t rate = 0;
    int64_t max_queued = 0;
    int64_t micro_tokens = 0;
    OrderPipeline::SteadyTime refilled{};
    std::deque<OrderPipeline::Send> queue;
    std::atomic<int64_t> queued{0};  // queue.size()
    // Decided (Process) and not yet handed to the session: what a new
    // decision would wait behind; and the whole tokens in the bucket.
    std::atomic<int64_t> in_flight{0};
    std::atomic<int64_t> tokens{0};
    std::atomic<uint64_t> rate_refusals{0};  // orders, cancels, replaces
    std::atomic<uint64_t> paced{0};          // messages that waited
    std::atomic<uint64_t> orders{0};         // NewOrderSingles sent to it
  };
  // The venue whose session `id` is; null for a broker session.
  Venue* VenueOf(const FIX::SessionID& id) const;
  Venue* VenueNamed(const VenueName& name) const;
  // Pacing (MaxMessagesPerSecond): whether `send` may go now (taking a
  // token) or was queued; and the tokens earned since the last refill.
  bool Pace(Venue& venue, OrderPipeline::Send& send);
  static void Refill(Venue& venue, OrderPipeline::SteadyTime now);
  // Hands `send` to its session (SendNow once paced).
  void Deliver(OrderPipeline::Send& send);
  // A decided order, cancel or replace for a venue whose queue is full:
  // the refusal that replaces it (nullopt: it may go).
  std::optional<JournalEvent> RateRefusal(const JournalEvent& event,
                                          const SessionKey& session)
      REQUIRES(mu_);
  static ExchangeLiveness LivenessOf(const Venue& venue);
  static bool Responsive(const Venue& venue);
  // One probe tick of `venue` (LivenessLoop); true if its verdict changed.
  bool ProbeTick(Venue& venue);
  void FromExchange(const FIX::Message& msg, const std::string& type,
                    const Venue& venue);
  // A session Reject (35=3) or BusinessMessageReject (35=j) from the
  // exchange: if it names a D/F/G the gateway forwarded (by ClOrdID, or by
  // the MsgSeqNum it was sent with, looked up in the session store), the
  // order or request is refused towards its broker; else logged and
  // journaled as ignored.
  void FromExchangeReject(const FIX::Message& msg, const std::string& type,
                          const Venue& venue);
  // The options of `session` (defaults if none were set).
  const SessionOptions& OptionsOf(const std::string& session) const;
  std::map<std::string, SessionOptions> session_options_;  // set before start
  // Per broker session: when its current and its previous connection
  // logged on (since this process started; for OrderMassStatusRequest) and
  // how many messages were handed to it while it was logged out (a
  // ResetSeqNumFlag logon discards them). Guarded by presence_mu_, which
  // is never held with another lock.
  struct Logons {
    Timestamp previous, current;
  };
  Mutex presence_mu_;
  std::map<std::string, Logons> logons_ GUARDED_BY(presence_mu_);
  // Cancel-on-disconnect timers, per CancelOnDisconnect=Y session. cod_mu_
  // is a leaf (taken in QuickFIX's callbacks, under its session locks, and
  // under mu_, never the other way round).
  struct CodTimer {
    std::optional<OrderPipeline::SteadyTime> deadline;  // armed while set
    std::string reason;
    bool logout_received = false;  // the broker's 35=5 came first
    bool waiting_logged = false;   // "waits for the exchange" said once
  };
  void ArmCancelOnDisconnect(const std::string& session, std::string reason)
      REQUIRES(cod_mu_);
  Mutex cod_mu_;
  std::map<std::string, CodTimer> cod_ GUARDED_BY(cod_mu_);
  // Every session's (the exchange's too) last logon and logout since this
  // process started, for the status page.
  struct LastChange {
    std::optional<Timestamp> logon, logout;
  };
  std::map<std::string, LastChange> last_change_ GUARDED_BY(presence_mu_);
  std::map<std::string, uint64_t> sent_while_away_ GUARDED_BY(presence_mu_);
  using SteadyTime = OrderPipeline::SteadyTime;
  using Inbound = OrderPipeline::Inbound;
  using Send = OrderPipeline::Send;
  using Batch = OrderPipeline::Batch;
  // Holds mu_ while deciding (OrderPipeline::Scope). For an inbound message
  // (`inbound` set) it returns at once: the transport goes on reading, and
  // the message's seq is persisted with its events (Batch::inbound).
  // Otherwise (operator actions, logon refusals, the control thread) it
  // waits until the journal holds the scope's events. A failed commit ends
  // the process (exit 3).
  class SCOPED_CAPABILITY DecisionScope {
   public:
    explicit DecisionScope(GatewayApplication& app,
                           std::optional<Inbound> inbound = std::nullopt)
        ACQUIRE(app.mu_)
        : scope_(app.pipeline_, app.mu_, std::move(inbound)) {}
    ~DecisionScope() RELEASE() = default;
    DecisionScope(const DecisionScope&) = delete;
    DecisionScope& operator=(const DecisionScope&) = delete;

   private:
    OrderPipeline::Scope scope_;
  };

  // Applies `event` and queues its journal entries and messages; requires
  // mu_ (a DecisionScope). `now` is the time the event was decided at (the
  // journal entry's time), `received` when the message it decides arrived.
  void Process(const JournalEvent& event, const std::string& raw_fix,
               Timestamp now, SteadyTime received = {}) REQUIRES(mu_);
  // Metrics, the log line and the refusal notes of one event; requires mu_.
  void Observe(const JournalEvent& event, Timestamp now) REQUIRES(mu_);
  // A log line of a decision, held until its batch is committed (mu_).
  template <typename... Args>
  void Note(spdlog::level::level_enum level,
            fmt::format_string<Args...> format, Args&&... args) REQUIRES(mu_) {
    if (!spdlog::should_log(level)) return;
    observed_.emplace_back(level,
                           fmt::format(format, std::forward<Args>(args)...));
  }
  // The refusal of a D or G while draining; requires mu_.
  JournalEvent DrainRefusal(const FIX::Message& msg, const std::string& type,
                            const SessionKey& session) REQUIRES(mu_);
  // mu_ is the pipeline's decision lock under another name, which the
  // analysis cannot see: hence NO_THREAD_SAFETY_ANALYSIS here only.
  void Enqueue(Batch batch) REQUIRES(mu_) NO_THREAD_SAFETY_ANALYSIS {
    pipeline_.Enqueue(std::move(batch));
  }
  // The pipeline's journal port: journals `batches` in one transaction,
  // with their prestored messages and inbound seqs (see the file comment).
  Status CommitBatches(std::vector<Batch>& batches);
  // After the commit: the decisions' log lines and the crash points.
  void AfterCommit(std::vector<Batch>& batches);
  // Prestores the batches' messages (UseSessionStore); inside the journal
  // transaction of CommitBatches.
  Status Prestore(const std::vector<Batch>& batches);
  // The pipeline's session port: gives one committed message to its
  // session; loop thread.
  void SendNow(Send& send);
  class JournalPort final : public OrderPipeline::Journal {
   public:
    explicit JournalPort(GatewayApplication& app) : app_(app) {}
    Status Commit(std::vector<Batch>& batches) override {
      return app_.CommitBatches(batches);
    }
    void Committed(std::vector<Batch>& batches) override {
      app_.AfterCommit(batches);
    }

   private:
    GatewayApplication& app_;
  };
  class SessionPort final : public OrderPipeline::Sessions {
   public:
    explicit SessionPort(GatewayApplication& app) : app_(app) {}
    void Deliver(Send& send) override { app_.SendNow(send); }

   private:
    GatewayApplication& app_;
  };
  // Queues a journal record of a message that changes no state (a resend
  // dropped, an exchange message not understood), for the audit trail;
  // requires mu_ (a DecisionScope).
  void Record(const char* kind, const std::string& session,
              const std::string& cl_ord_id, const std::string& raw_fix,
              const std::string& payload = "{}") REQUIRES(mu_);
  // Hands a logon/logout of the exchange session to the control thread;
  // takes no lock but control_mu_ (safe under QuickFIX's session lock).
  void ExchangeStateChanged(Venue& venue, bool logged_on);
  // Queues a change of the exchange session's state (logon, or
  // responsiveness while logged on); requires mu_.
  void SyncExchangeState() REQUIRES(mu_);
  void ControlLoop();
  // Notes a message from the exchange (liveness); lock-free.
  void ExchangeHeard(Venue& venue);
  // The session of a ToExchange's venue (an empty SessionID, logged as an
  // error, for a venue not configured: a journal of another configuration),
  // and its key; for a ToBroker, the first venue's (unused).
  FIX::SessionID ExchangeSessionOf(const Action& action) const;
  std::string ExchangeKeyOf(const Action& action) const;
  void LivenessLoop();  // the probe thread
  // Hands a TestRequest to the loop, for the exchange session.
  void QueueProbe(const Venue& venue, const std::string& test_req_id);
  static int64_t SteadyNanos();

  store::Journal* const journal_;
  store::SessionStore* sessions_ = nullptr;
  OrderRouter& router_ GUARDED_BY(mu_);
  risk::RiskEngine* const risk_ PT_GUARDED_BY(mu_);
  CrashPoint crash_ = CrashPoint::FromEnvironment();
  // Made once in the constructor (never resized: threads hold pointers).
  std::vector<std::unique_ptr<Venue>> venues_;
  bool paces_ = false;  // some venue has a rate (set before the start)
  // The decision lock: serialises the router, the risk engine and the
  // pipeline's queue (OrderPipeline::Scope takes it).
  Mutex mu_;
  uint64_t risk_errors_seen_ GUARDED_BY(mu_) = 0;

  // Liveness (Venue), in steady-clock nanoseconds. last_heard is written
  // by the loop thread; probe_sent (0: no TestRequest outstanding) and
  // unresponsive only by the probe thread, which sets unresponsive only
  // while probe_sent is set and nothing was heard after it, so
  // `!unresponsive || last_heard > probe_sent` is the verdict at any
  // moment, whichever thread reads it.
  LivenessOptions liveness_options_;  // set before the probe thread starts
  Mutex liveness_mu_;                 // with liveness_cv_; a leaf
  std::condition_variable_any liveness_cv_;
  bool liveness_stopping_ GUARDED_BY(liveness_mu_) = false;
  std::thread liveness_thread_;
  std::atomic<bool> draining_{false};
  GatewayMetrics metrics_;
  std::deque<RefusalNote> refusals_ GUARDED_BY(mu_);  // newest first
  // Note()'s lines of the decision being made, moved into its batch.
  std::vector<std::pair<spdlog::level::level_enum, std::string>> observed_
      GUARDED_BY(mu_);
  Mutex control_mu_;
  std::condition_variable_any control_cv_;
  bool control_wake_ GUARDED_BY(control_mu_) = false;
  bool stopping_ GUARDED_BY(control_mu_) = false;
  std::thread control_;
  JournalPort journal_port_{*this};
  SessionPort session_port_{*this};
  // At most this many batches wait for the committer thread (deciders off
  // the loop wait for room: backpressure through TCP).
  static constexpr size_t kMaxPendingBatches = 4096;
  // Last: its committer thread starts once everything above exists.
  OrderPipeline pipeline_;
};

// Rebuilds `router` from every event in `journal`, then journals that the
// exchange session is down (it is, until it logs on). Errors name the entry.
// If `outbox` is set it receives the outputs of the events among the last
// kOutboxWindow entries: only messages committed but not yet handed to
// their sessions (at most kMaxPendingBatches groups; with a session store
// every committed message is prestored with its events) can be unsent at
// a crash, and the window covers them with a wide margin.
inline constexpr int64_t kOutboxWindow = 50'000;

// "silent for 5 s, TestRequest unanswered for 3 s" (whole seconds).
std::string SilenceText(const GatewayApplication::ExchangeLiveness& l);

// The accounts a risk file names ([accounts.X], allowed_accounts; not
// "*"): label values of the per-account metrics.
std::set<std::string> RiskFileAccounts(const risk::RiskLimits& limits);

// If `disabled_sessions` is set it receives the sessions whose last
// enable/disable (kSessionControl) was a disable.
Status RecoverFromJournal(
    store::Journal& journal, OrderRouter& router,
    std::vector<GatewayApplication::Output>* outbox = nullptr,
    std::set<std::string>* disabled_sessions = nullptr);

}  // namespace fixgw::gw
