#include "gateway/fixgw/gateway_app.h"

#include <fmt/format.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <sstream>
#include <type_traits>

#include "gateway/core/clock.h"
#include "gateway/fix/convert.h"
#include "gateway/fix/masking_log.h"
#include "gateway/fix/sqlite_message_store.h"
#include "gateway/router/state_report.h"

namespace fixgw::gw {
namespace {

namespace tag = FIX::FIELD;

std::string Printable(const FIX::Message& msg) {
  std::string s = msg.toString();
  for (char& c : s) {
    if (c == '\x01') c = '|';
  }
  return s;
}

std::string HeaderField(const FIX::Message& msg, int t) {
  return msg.getHeader().isSetField(t) ? msg.getHeader().getField(t) : "";
}

// The journal columns of an event: broker session, broker ClOrdID, exchange
// ClOrdID.
struct Keys {
  std::string session, cl_ord_id, exch_cl_ord_id;
};

Keys KeysOf(const JournalEvent& event) {
  return std::visit(
      [](const auto& e) -> Keys {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, NewOrderAccepted>) {
          return {e.session, e.order.cl_ord_id, e.exch_cl_ord_id};
        } else if constexpr (std::is_same_v<T, NewOrderRejected>) {
          return {e.session, e.order.cl_ord_id, ""};
        } else if constexpr (std::is_same_v<T, CancelReplaceForwarded>) {
          return {e.session,
                  e.is_replace ? e.replace.cl_ord_id : e.cancel.cl_ord_id,
                  e.exch_cl_ord_id};
        } else if constexpr (std::is_same_v<T, CancelReplaceRejected>) {
          return {e.session, e.reject.cl_ord_id, ""};
        } else if constexpr (std::is_same_v<T, StatusAnswered>) {
          return {e.session, e.request.cl_ord_id, ""};
        } else if constexpr (std::is_same_v<T, ExchangeReportReceived>) {
          return {"", "", e.report.cl_ord_id};
        } else if constexpr (std::is_same_v<T, ExchangeCancelRejectReceived>) {
          return {"", "", e.reject.cl_ord_id};
        } else {
          return {};
        }
      },
      event);
}

FIX::Message Encode(const Action& action) {
  return std::visit(
      [](const auto& a) -> FIX::Message {
        return std::visit(
            [](const auto& m) -> FIX::Message {
              using T = std::decay_t<decltype(m)>;
              if constexpr (std::is_same_v<T, NewOrder>) {
                return fix::EncodeNewOrder(m);
              } else if constexpr (std::is_same_v<T, CancelRequest>) {
                return fix::EncodeCancelRequest(m);
              } else if constexpr (std::is_same_v<T, ReplaceRequest>) {
                return fix::EncodeReplaceRequest(m);
              } else if constexpr (std::is_same_v<T, ExecutionReport>) {
                return fix::EncodeExecutionReport(m);
              } else {
                return fix::EncodeCancelReject(m);
              }
            },
            a.message);
      },
      action);
}

store::JournalEntry SentEntry(const Action& action, const FIX::Message& msg,
                              Timestamp now) {
  store::JournalEntry e;
  e.time = now;
  e.payload = "{}";
  e.raw_fix = Printable(msg);
  std::string cl_ord_id =
      msg.isSetField(tag::ClOrdID) ? msg.getField(tag::ClOrdID) : std::string();
  if (const auto* b = std::get_if<ToBroker>(&action)) {
    e.kind = kSentToBroker;
    e.session = b->session;
    e.cl_ord_id = cl_ord_id;
  } else {
    e.kind = kSentToExchange;
    e.exch_cl_ord_id = cl_ord_id;
  }
  return e;
}

// Reads the fields of a NewOrderSingle that failed decoding, for the reject.
NewOrder PartialOrder(const FIX::Message& msg) {
  NewOrder o;
  o.cl_ord_id = fix::FieldText(msg, tag::ClOrdID).value_or("");
  o.account = fix::FieldText(msg, tag::Account).value_or("");
  o.symbol = fix::FieldText(msg, tag::Symbol).value_or("");
  std::string side = fix::FieldText(msg, tag::Side).value_or("");
  if (side.size() == 1) o.side = SideFromFix(side[0]).value_or(Side::kBuy);
  if (auto q = ParseQty(fix::FieldText(msg, tag::OrderQty).value_or(""))) {
    o.qty = *q;
  }
  return o;
}

}  // namespace

GatewayApplication::GatewayApplication(store::Journal* journal,
                                       OrderRouter& router,
                                       risk::RiskEngine* risk,
                                       FIX::SessionID exchange_session)
    : journal_(journal),
      router_(router),
      risk_(risk),
      exchange_session_(std::move(exchange_session)),
      sender_([this] { SendLoop(); }),
      control_([this] { ControlLoop(); }) {}

GatewayApplication::~GatewayApplication() {
  {
    std::lock_guard lock(control_mu_);
    stopping_ = true;
  }
  control_cv_.notify_all();
  control_.join();
  {
    std::lock_guard lock(send_mu_);
    send_stopping_ = true;
  }
  send_cv_.notify_all();
  send_space_cv_.notify_all();
  sender_.join();
}

void GatewayApplication::onLogon(const FIX::SessionID& id) {
  fmt::print(stderr, "fixgw: {} logged on\n", id.toString());
  if (id == exchange_session_) ExchangeStateChanged(true);
}

// Called by QuickFIX with the session's lock held: must not take mu_.
void GatewayApplication::onLogout(const FIX::SessionID& id) {
  fmt::print(stderr, "fixgw: {} logged out\n", id.toString());
  if (id == exchange_session_) ExchangeStateChanged(false);
}

void GatewayApplication::ExchangeStateChanged(bool logged_on) {
  exchange_logged_on_.store(logged_on);
  {
    std::lock_guard lock(control_mu_);
    control_wake_ = true;
  }
  control_cv_.notify_all();
}

void GatewayApplication::ControlLoop() {
  std::unique_lock lock(control_mu_);
  while (true) {
    control_cv_.wait(lock, [&] { return stopping_ || control_wake_; });
    if (stopping_) return;
    control_wake_ = false;
    std::vector<Denial> denials;
    denials.swap(noted_denials_);
    lock.unlock();
    {
      DecisionScope decision(*this);
      SyncExchangeState();
      for (const Denial& d : denials) JournalDenial(d);
    }
    lock.lock();
  }
}

void GatewayApplication::SyncExchangeState() {
  const bool up = exchange_logged_on_.load();
  if (up != router_.exchange_up()) {
    Process(ExchangeSessionChanged{up}, "", Now());
  }
}

void GatewayApplication::fromApp(const FIX::Message& msg,
                                 const FIX::SessionID& id) {
  const std::string type = HeaderField(msg, tag::MsgType);
  if (id == exchange_session_) {
    FromExchange(msg, type);
  } else {
    FromBroker(msg, id, type);
  }
}

void GatewayApplication::FromBroker(const FIX::Message& msg,
                                    const FIX::SessionID& id,
                                    const std::string& type) {
  if (type != "D" && type != "F" && type != "G" && type != "H") {
    throw FIX::UnsupportedMessageType();
  }
  const SessionKey session = id.toString();
  const bool poss_dup = HeaderField(msg, tag::PossDupFlag) == "Y" ||
                        HeaderField(msg, tag::PossResend) == "Y";
  const std::string cl_ord_id = fix::FieldText(msg, tag::ClOrdID).value_or("");

  // Backpressure: while the exchange (or a broker) reads slower than orders
  // arrive, broker sessions wait here and TCP pushes back on the brokers.
  // Exchange messages never wait: they are what drains the queue.
  WaitForSendSpace();
  DecisionScope decision(*this);
  SyncExchangeState();
  const Timestamp now = Now();
  // A resent message whose ClOrdID we already processed was answered the
  // first time; processing it again would reject it as a duplicate or, worse,
  // act twice.
  if (poss_dup && router_.KnowsClOrdId(session, cl_ord_id)) {
    fmt::print(stderr, "fixgw: {} ignoring possible duplicate ClOrdID {}\n",
               session, cl_ord_id);
    Record(kResendIgnored, session, cl_ord_id, Printable(msg));
    return;
  }

  std::optional<JournalEvent> event;
  if (type == "D") {
    auto decoded = fix::DecodeNewOrder(msg);
    if (auto* order = std::get_if<NewOrder>(&decoded)) {
      event = router_.DecideNewOrder(session, *order, now);
    } else {
      event = router_.DecideUndecodableOrder(session, PartialOrder(msg),
                                             std::get<fix::Rejection>(decoded));
    }
  } else if (type == "F" || type == "G") {
    const bool is_replace = type == "G";
    std::optional<fix::Rejection> failure;
    if (is_replace) {
      auto decoded = fix::DecodeReplaceRequest(msg);
      if (auto* r = std::get_if<ReplaceRequest>(&decoded)) {
        event = router_.DecideReplace(session, *r, now);
      } else {
        failure = std::get<fix::Rejection>(decoded);
      }
    } else {
      auto decoded = fix::DecodeCancelRequest(msg);
      if (auto* c = std::get_if<CancelRequest>(&decoded)) {
        event = router_.DecideCancel(session, *c);
      } else {
        failure = std::get<fix::Rejection>(decoded);
      }
    }
    if (failure) {
      event = router_.DecideUndecodableCancelReplace(
          session, is_replace, cl_ord_id,
          fix::FieldText(msg, tag::OrigClOrdID).value_or(""), *failure);
    }
  } else {
    auto decoded = fix::DecodeStatusRequest(msg);
    StatusRequest request;
    if (auto* s = std::get_if<StatusRequest>(&decoded)) {
      request = *s;
    } else {
      request.cl_ord_id = cl_ord_id;  // answered as unknown below
    }
    event = router_.DecideStatus(session, request);
  }
  Process(*event, Printable(msg), now);
}

void GatewayApplication::FromExchange(const FIX::Message& msg,
                                      const std::string& type) {
  std::optional<JournalEvent> event;
  if (type == "8") {
    auto decoded = fix::DecodeExecutionReport(msg);
    if (auto* r = std::get_if<ExecutionReport>(&decoded)) {
      DecisionScope decision(*this);
      // The exchange resends after a reconnect; each ExecID counts once.
      if (router_.KnowsExecId(r->exec_id)) return;
      Process(ExchangeReportReceived{*r}, Printable(msg), Now());
      return;
    }
    fmt::print(stderr, "fixgw: exchange report not understood ({}): {}\n",
               std::get<fix::Rejection>(decoded).text, Printable(msg));
    DecisionScope decision(*this);
    Record(kExchangeMessageIgnored, "", "", Printable(msg));
    return;
  }
  if (type == "9") {
    auto decoded = fix::DecodeCancelReject(msg);
    if (auto* c = std::get_if<CancelReject>(&decoded)) {
      DecisionScope decision(*this);
      // Resent after a reconnect: each request is refused once.
      if (router_.KnowsCancelReject(c->cl_ord_id)) return;
      Process(ExchangeCancelRejectReceived{*c}, Printable(msg), Now());
      return;
    }
  }
  fmt::print(stderr, "fixgw: exchange message {} not handled: {}\n", type,
             Printable(msg));
  DecisionScope decision(*this);
  Record(kExchangeMessageIgnored, "", "", Printable(msg));
}

void GatewayApplication::Record(const char* kind, const std::string& session,
                                const std::string& cl_ord_id,
                                const std::string& raw_fix,
                                const std::string& payload) {
  Batch batch;
  batch.entries.resize(1);
  store::JournalEntry& e = batch.entries[0];
  e.time = Now();
  e.kind = kind;
  e.session = session;
  e.cl_ord_id = cl_ord_id;
  e.payload = payload;
  e.raw_fix = raw_fix;
  Enqueue(std::move(batch));
}

void GatewayApplication::Enqueue(Batch batch) {
  batch.ticket = ++last_ticket_;
  pending_.push_back(std::move(batch));
}

GatewayApplication::DecisionScope::~DecisionScope() {
  const uint64_t ticket = app_.last_ticket_;
  lock_.unlock();
  app_.Commit(ticket);
}

void GatewayApplication::Commit(uint64_t ticket) {
  std::lock_guard commit_lock(commit_mu_);
  if (committed_ >= ticket) return;  // a leader before us did it
  std::vector<Batch> batches;
  {
    std::lock_guard lock(mu_);
    batches.swap(pending_);
  }
  if (batches.empty()) return;
  std::vector<store::JournalEntry> entries;
  for (Batch& b : batches) {
    std::move(b.entries.begin(), b.entries.end(), std::back_inserter(entries));
  }
  Status st = journal_ != nullptr ? journal_->Append(entries) : Status::Ok();
  if (!st.ok()) {
    fmt::print(stderr,
               "fixgw: FATAL: journal append failed, stopping so that "
               "nothing unjournaled is sent: {}\n",
               st.message());
    _exit(3);
  }
  ++group_commits_;
  for (const Batch& b : batches) {
    if (b.crash_point != nullptr) crash_.Hit(b.crash_point);
  }
  {
    std::lock_guard lock(send_mu_);
    for (Batch& b : batches) {
      for (Send& send : b.sends) send_queue_.push_back(std::move(send));
    }
  }
  send_cv_.notify_all();
  committed_ = batches.back().ticket;
}

void GatewayApplication::SendLoop() {
  std::unique_lock lock(send_mu_);
  while (true) {
    send_cv_.wait(lock, [&] { return send_stopping_ || !send_queue_.empty(); });
    if (send_queue_.empty()) return;  // stopping, and nothing left
    Send send = std::move(send_queue_.front());
    send_queue_.pop_front();
    lock.unlock();
    send_space_cv_.notify_all();
    // May block on a full socket: no gateway lock is held here, so the
    // session threads keep reading (and committing) meanwhile.
    FIX::Session::sendToTarget(send.message, send.target);
    if (send.target == exchange_session_) crash_.Hit("after-send");
    lock.lock();
  }
}

void GatewayApplication::WaitForSendSpace() {
  std::unique_lock lock(send_mu_);
  send_space_cv_.wait(lock, [&] {
    return send_stopping_ || send_queue_.size() < kMaxQueuedSends;
  });
}

Status GatewayApplication::LoadRiskLimits(const std::string& path) {
  if (risk_ == nullptr) {
    return Status::FailedPrecondition("risk checks are off: no risk file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot read the risk file");
  std::ostringstream text;
  text << in.rdbuf();
  Result<risk::RiskLimits> limits = risk::ParseRiskLimits(text.str(), path);
  if (!limits.ok()) return limits.status();
  DecisionScope decision(*this);
  if (*limits == risk_->limits()) return Status::Ok();
  Process(RiskLimitsLoaded{path, text.str()}, "", Now());
  fmt::print(stderr, "fixgw: risk limits loaded from {}\n", path);
  return Status::Ok();
}

Result<GatewayApplication::KillSwitchResult> GatewayApplication::SetKillSwitch(
    const risk::KillScope& scope, bool engaged, const std::string& source,
    const std::string& reason) {
  if (risk_ == nullptr) {
    return Status::FailedPrecondition(
        "risk checks are off: the kill switch cannot block orders");
  }
  if (scope.kind != risk::KillScope::Kind::kGlobal && scope.name.empty()) {
    return Status::InvalidArgument(
        "kill switch: an account or session scope needs a name");
  }
  DecisionScope decision(*this);
  SyncExchangeState();
  JournalEvent event = router_.DecideKillSwitch(scope, engaged, source, reason);
  const auto& change = std::get<KillSwitchChanged>(event);
  KillSwitchResult result{static_cast<int>(change.cancels.size())};
  fmt::print(stderr, "fixgw: kill switch {} {}{} by {}: {} cancel(s)\n",
             engaged ? "engaged" : "disengaged", KillScopeName(scope.kind),
             scope.name.empty() ? "" : " " + scope.name, source,
             result.cancels_sent);
  Process(event, "", Now());
  return result;
}

std::string GatewayApplication::StateJson() {
  std::lock_guard lock(mu_);
  return gw::StateJson(router_, risk_);
}

void GatewayApplication::Process(const JournalEvent& event,
                                 const std::string& raw_fix, Timestamp now) {
  std::vector<Action> actions = router_.Apply(event, now);
  if (router_.risk_errors() != risk_errors_seen_) {
    risk_errors_seen_ = router_.risk_errors();
    fmt::print(stderr, "fixgw: WARNING: risk state: {} ({} so far)\n",
               router_.last_risk_error(), risk_errors_seen_);
  }
  std::vector<FIX::Message> messages;
  std::vector<store::JournalEntry> entries;
  messages.reserve(actions.size());
  entries.reserve(actions.size() + 1);

  if (const auto* r = std::get_if<NewOrderRejected>(&event);
      r != nullptr && r->rejection.text.starts_with("entitlement:")) {
    CountDenial("entitlement");  // issue 7: denials by reason
  }
  Keys keys = KeysOf(event);
  store::JournalEntry head;
  head.time = now;
  head.kind = std::string(KindName(event));
  head.session = keys.session;
  head.cl_ord_id = keys.cl_ord_id;
  head.exch_cl_ord_id = keys.exch_cl_ord_id;
  head.payload = EncodeEvent(event);
  head.raw_fix = raw_fix;
  entries.push_back(std::move(head));
  for (const Action& action : actions) {
    messages.push_back(Encode(action));
    entries.push_back(SentEntry(action, messages.back(), now));
  }

  Batch batch;
  batch.entries = std::move(entries);
  for (size_t i = 0; i < actions.size(); ++i) {
    FIX::SessionID target = exchange_session_;
    if (const auto* b = std::get_if<ToBroker>(&actions[i])) {
      target.fromString(b->session);
    }
    batch.sends.push_back(Send{std::move(messages[i]), std::move(target)});
  }
  if (!actions.empty()) {
    const bool from_exchange =
        std::holds_alternative<ExchangeReportReceived>(event) ||
        std::holds_alternative<ExchangeCancelRejectReceived>(event);
    batch.crash_point = from_exchange ? "after-report" : "after-journal";
  }
  Enqueue(std::move(batch));
}

Result<int> GatewayApplication::SendOutbox(const std::vector<Output>& outputs,
                                           store::SessionStore& sessions) {
  std::lock_guard lock(mu_);
  int sent = 0;  // before the sessions start: sent directly
  for (const Output& out : outputs) {
    const auto* b = std::get_if<ToBroker>(&out.action);
    FIX::SessionID target = exchange_session_;
    if (b != nullptr) target.fromString(b->session);
    const std::string session = target.toString();
    FIX::Message msg = Encode(out.action);
    const std::string key = fix::OutputKey(msg.toString());
    if (key.empty()) continue;
    Result<Timestamp> created = sessions.CreationTime(session);
    if (!created.ok()) return created.status();
    if (out.at < *created) continue;
    Result<bool> stored = sessions.HasOutgoing(session, key);
    if (!stored.ok()) return stored.status();
    if (*stored) continue;
    fmt::print(stderr,
               "fixgw: outbox: {} was journaled but never sent to {}: "
               "sending it now\n",
               key, session);
    if (!FIX::Session::sendToTarget(msg, target)) {
      return Status::Internal("outbox: cannot hand " + key + " to " + session);
    }
    ++sent;
  }
  return sent;
}

// ---- security (issue 7): logon authentication and denials.

void GatewayApplication::fromAdmin(const FIX::Message& msg,
                                   const FIX::SessionID& id) {
  AuthenticateLogon(msg, id);
}

void GatewayApplication::AuthenticateLogon(const FIX::Message& msg,
                                           const FIX::SessionID& id) {
  if (auth_ == nullptr || id == exchange_session_ ||
      HeaderField(msg, tag::MsgType) != "A") {
    return;
  }
  const std::string session = id.toString();
  std::optional<LogonRefusal> refusal =
      auth_->Check(session, fix::FieldText(msg, tag::Username),
                   fix::FieldText(msg, tag::Password));
  if (!refusal) return;
  fmt::print(stderr, "fixgw: {} logon refused: {}\n", session, refusal->code);
  {
    DecisionScope decision(*this);  // journaled before QuickFIX answers
    JournalDenial({kLogonRefused, session, refusal->code, refusal->text,
                   fix::MaskPassword(Printable(msg))});
  }
  throw FIX::RejectLogon(refusal->text);
}

void GatewayApplication::NoteDenial(std::string kind, std::string session,
                                    std::string code, std::string detail) {
  {
    std::lock_guard lock(control_mu_);
    noted_denials_.push_back({std::move(kind), std::move(session),
                              std::move(code), std::move(detail), ""});
    control_wake_ = true;
  }
  control_cv_.notify_all();
}

void GatewayApplication::JournalDenial(const Denial& d) {
  nlohmann::json payload = {{"code", d.code}, {"detail", d.detail}};
  Record(d.kind == kLogonRefused ? kLogonRefused : kConnectionRefused,
         d.session, "", d.raw_fix, payload.dump());
  CountDenial(d.code);
}

void GatewayApplication::CountDenial(const std::string& code) {
  std::lock_guard lock(denials_mu_);
  ++denials_[code];
}

std::map<std::string, uint64_t> GatewayApplication::denials() const {
  std::lock_guard lock(denials_mu_);
  return denials_;
}

// ---- end of security (issue 7).

Status RecoverFromJournal(store::Journal& journal, OrderRouter& router,
                          std::vector<GatewayApplication::Output>* outbox) {
  Status failure;
  int64_t events = 0;
  const int64_t window_start = journal.last_seq() - kOutboxWindow;
  Status st = journal.ForEach(0, [&](const store::JournalEntry& entry) {
    if (IsRecordOnly(entry.kind)) return true;  // no state in these
    auto event = DecodeEvent(entry.payload);
    if (!event.ok()) {
      failure = Status::Internal(fmt::format("journal {} entry {}: {}",
                                             journal.path(), entry.seq,
                                             event.status().message()));
      return false;
    }
    std::vector<Action> actions = router.Apply(*event, entry.time);
    if (outbox != nullptr && entry.seq > window_start) {
      for (Action& a : actions) outbox->push_back({std::move(a), entry.time});
    }
    ++events;
    return true;
  });
  if (!st.ok()) return st;
  if (!failure.ok()) return failure;
  fmt::print(stderr, "fixgw: recovered {} events from {}, {} orders\n", events,
             journal.path(), router.Orders().size());
  if (router.exchange_up()) {
    // The previous run ended without logging the exchange out (a crash).
    JournalEvent down = ExchangeSessionChanged{false};
    router.Apply(down, Now());
    store::JournalEntry e;
    e.time = Now();
    e.kind = std::string(KindName(down));
    e.payload = EncodeEvent(down);
    std::vector<store::JournalEntry> entries{e};
    return journal.Append(entries);
  }
  return Status::Ok();
}

}  // namespace fixgw::gw
