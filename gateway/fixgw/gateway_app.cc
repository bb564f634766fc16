#include "gateway/fixgw/gateway_app.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <charconv>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <type_traits>
#include <utility>

#include "gateway/core/clock.h"
#include "gateway/fix/convert.h"
#include "gateway/fix/masking_log.h"
#include "gateway/fix/sqlite_message_store.h"
#include "gateway/fixgw/encode_action.h"
#include "gateway/router/state_report.h"

namespace fixgw::gw {
namespace {

namespace tag = FIX::FIELD;

// How the Text of the gateway's BusinessMessageReject on a drop-copy
// session begins.
constexpr const char* kDropCopyRefusal = "drop-copy session:";

std::string Printable(const FIX::Message& msg) {
  std::string s = msg.toString();
  for (char& c : s) {
    if (c == '\x01') c = '|';
  }
  return s;
}

// The message's MsgSeqNum (34); 0 if missing or not a number. Parsed
// here, not with FIX::IntField::getValue: that would emit QuickFIX's
// inline IntConvertor into fixgw, where the sanitizer builds instrument it
// and libquickfix's own calls bind to it, so UBSan reports the overflow
// QuickFIX's dictionary check makes on a huge NumInGroup (hostile-peer
// test) as fixgw's.
int64_t InboundSeq(const FIX::Message& msg) {
  const FIX::Header& header = msg.getHeader();
  if (!header.isSetField(FIX::FIELD::MsgSeqNum)) return 0;
  const std::string& text = header.getField(FIX::FIELD::MsgSeqNum);
  int64_t value = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1) {
    return 0;
  }
  return value;
}

// Peer bytes made safe for one log line: SOH shown as '|', other control
// characters as '?' (no forged lines), at most 400 characters.
std::string SanitizedForLog(std::string text) {
  if (text.size() > 400) text = text.substr(0, 400) + "...";
  for (char& c : text) {
    if (c == '\x01') {
      c = '|';
    } else if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') {
      c = '?';
    }
  }
  return text;
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
        } else if constexpr (std::is_same_v<T, ExchangeRequestRefused>) {
          return {"", "", e.exch_cl_ord_id};
        } else if constexpr (std::is_same_v<T, MassStatusAnswered>) {
          return {e.session, "", ""};
        } else if constexpr (std::is_same_v<T, OperatorCancelRequested>) {
          return {"", "", e.cancel.exch_cl_ord_id};
        } else if constexpr (std::is_same_v<T, MassCancelRequested>) {
          return {e.session, e.request.cl_ord_id, ""};
        } else if constexpr (std::is_same_v<T, CancelOnDisconnectFired>) {
          return {e.session, "", ""};
        } else {
          return {};
        }
      },
      event);
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
                                       std::vector<VenueSession> venues)
    : journal_(journal),
      router_(router),
      risk_(risk),
      pipeline_(
          mu_, journal_port_, session_port_,
          [](const Status& st) {
            spdlog::critical(
                "journal append failed, stopping so that nothing "
                "unjournaled is sent: {}",
                st.message());
            // Flush, not spdlog::shutdown(): that destroys the logger
            // while other threads may still be logging (TSan).
            spdlog::default_logger()->flush();
            _exit(3);
          },
          OrderPipeline::Options{kMaxPendingBatches}) {
  for (VenueSession& v : venues) {
    venues_.push_back(
        std::make_unique<Venue>(std::move(v.name), std::move(v.session)));
    venues_.back()->journaled = router_.JournaledVenue(venues_.back()->name);
  }
  // Started here, once every member is constructed (the thread reads
  // members declared after it).
  control_ = std::thread([this] { ControlLoop(); });
}

GatewayApplication::~GatewayApplication() {
  {
    MutexLock lock(liveness_mu_);
    liveness_stopping_ = true;
  }
  liveness_cv_.notify_all();
  if (liveness_thread_.joinable()) liveness_thread_.join();
  {
    MutexLock lock(control_mu_);
    stopping_ = true;
  }
  control_cv_.notify_all();
  control_.join();
  pipeline_.Stop();  // commits what is pending first
}

void GatewayApplication::onLogon(const FIX::SessionID& id) {
  spdlog::info("{} logged on", id.toString());
  metrics_.SetLoggedOn(id.toString(), true);
  {
    MutexLock lock(presence_mu_);
    last_change_[id.toString()].logon = Now();
  }
  if (Venue* venue = VenueOf(id)) {
    ExchangeStateChanged(*venue, true);
    return;
  }
  {
    MutexLock lock(presence_mu_);
    Logons& logons = logons_[id.toString()];
    logons.previous = logons.current;
    logons.current = Now();
  }
  if (OptionsOf(id.toString()).cancel_on_disconnect) {
    MutexLock lock(cod_mu_);
    CodTimer& timer = cod_[id.toString()];
    timer.logout_received = false;
    if (timer.deadline) {
      timer.deadline.reset();
      timer.waiting_logged = false;
      spdlog::info("{}: cancel-on-disconnect disarmed: logged back on in time",
                   id.toString());
    }
  }
}

GatewayApplication::Venue* GatewayApplication::VenueOf(
    const FIX::SessionID& id) const {
  for (const auto& v : venues_) {
    if (v->session == id) return v.get();
  }
  return nullptr;
}

GatewayApplication::Venue* GatewayApplication::VenueNamed(
    const VenueName& name) const {
  if (name.empty()) return venues_.front().get();  // the default venue
  for (const auto& v : venues_) {
    if (v->name == name) return v.get();
  }
  return nullptr;
}

FIX::SessionID GatewayApplication::ExchangeSessionOf(
    const Action& action) const {
  const auto* x = std::get_if<ToExchange>(&action);
  if (x == nullptr) return venues_.front()->session;
  if (const Venue* venue = VenueNamed(x->venue)) return venue->session;
  spdlog::error(
      "a message for venue '{}', which is not configured, is not "
      "sent (a journal written with another configuration?)",
      x->venue);
  return FIX::SessionID();
}

std::string GatewayApplication::ExchangeKeyOf(const Action& action) const {
  return ExchangeSessionOf(action).toString();
}

bool GatewayApplication::exchange_logged_on() const {
  for (const auto& v : venues_) {
    if (!v->logged_on.load()) return false;
  }
  return true;
}

const GatewayApplication::SessionOptions& GatewayApplication::OptionsOf(
    const std::string& session) const {
  static const SessionOptions kDefaults;
  auto it = session_options_.find(session);
  return it == session_options_.end() ? kDefaults : it->second;
}

// Called by QuickFIX with the session's lock held: must not take mu_.
void GatewayApplication::onLogout(const FIX::SessionID& id) {
  spdlog::info("{} logged out", id.toString());
  metrics_.SetLoggedOn(id.toString(), false);
  {
    MutexLock lock(presence_mu_);  // a leaf: safe under the session's lock
    last_change_[id.toString()].logout = Now();
  }
  if (Venue* venue = VenueOf(id)) {
    ExchangeStateChanged(*venue, false);
    return;
  }
  // The drain's own logouts (and any while shutting down) arm nothing.
  if (OptionsOf(id.toString()).cancel_on_disconnect && !draining_.load()) {
    MutexLock lock(cod_mu_);
    CodTimer& timer = cod_[id.toString()];
    ArmCancelOnDisconnect(
        id.toString(), timer.logout_received ? "logout" : "disconnect");
  }
}

void GatewayApplication::ArmCancelOnDisconnect(const std::string& session,
                                               std::string reason) {
  const int64_t delay = OptionsOf(session).cancel_on_disconnect_delay_s;
  CodTimer& timer = cod_[session];
  timer.deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(delay);
  timer.reason = std::move(reason);
  timer.logout_received = false;
  timer.waiting_logged = false;
  spdlog::info("{}: cancel-on-disconnect armed ({}): its open orders are "
               "canceled unless it logs on within {} s",
               session, timer.reason, delay);
}

void GatewayApplication::ArmCancelOnDisconnectAtStart() {
  MutexLock lock(cod_mu_);
  for (const auto& [session, options] : session_options_) {
    if (options.cancel_on_disconnect) ArmCancelOnDisconnect(session, "restart");
  }
}

void GatewayApplication::CheckCancelOnDisconnect() {
  if (draining_.load()) return;
  struct Due {
    std::string session, reason;
  };
  std::vector<Due> due;
  {
    MutexLock lock(cod_mu_);
    const SteadyTime now = std::chrono::steady_clock::now();
    for (const auto& [session, timer] : cod_) {
      if (timer.deadline && *timer.deadline <= now) {
        due.push_back({session, timer.reason});
      }
    }
  }
  if (due.empty()) return;
  DecisionScope decision(*this);
  // Decided on the exchange's current state, as a broker message is.
  SyncExchangeState();
  for (const Due& d : due) {
    const int64_t delay = OptionsOf(d.session).cancel_on_disconnect_delay_s;
    Result<JournalEvent> event =
        router_.DecideCancelOnDisconnect(d.session, d.reason, delay);
    {
      MutexLock lock(cod_mu_);  // not held while the event is processed
      CodTimer& timer = cod_[d.session];
      if (!event.ok()) {
        // Stays due: fires once the exchange can take the cancels.
        if (!std::exchange(timer.waiting_logged, true)) {
          spdlog::warn("{}: cancel-on-disconnect ({}) is due but waits: {}",
                       d.session, d.reason, event.status().message());
        }
        continue;
      }
      // Orders left on a venue that cannot take a cancel now: due again
      // (decided for them once the venue is back).
      if (router_.OpenOrdersOnUnusableVenues(d.session) == 0) {
        timer.deadline.reset();
      }
      timer.waiting_logged = false;
    }
    const auto& fired = std::get<CancelOnDisconnectFired>(*event);
    if (fired.cancels.empty()) {
      spdlog::info("{}: cancel-on-disconnect ({}): no open order to cancel",
                   d.session, d.reason);
      continue;
    }
    Process(*event, "", Now());
  }
}

void GatewayApplication::ExchangeStateChanged(Venue& venue, bool logged_on) {
  venue.logged_on.store(logged_on);
  {
    MutexLock lock(control_mu_);
    control_wake_ = true;
  }
  control_cv_.notify_all();
}

void GatewayApplication::ControlLoop() {
  control_mu_.Lock();
  while (true) {
    while (!stopping_ && !control_wake_) control_cv_.wait(control_mu_);
    if (stopping_) break;
    control_wake_ = false;
    std::vector<Denial> denials;
    denials.swap(noted_denials_);
    std::vector<NotedReject> rejects;
    rejects.swap(noted_rejects_);
    const uint64_t dropped = std::exchange(rejects_not_journaled_, 0);
    control_mu_.Unlock();
    if (dropped > 0) {
      spdlog::warn("{} rejects sent by QuickFIX were not journaled: more than "
                   "{} waited for the journal",
                   dropped, kMaxNotedRejects);
    }
    {
      DecisionScope decision(*this);
      SyncExchangeState();
      for (const Denial& d : denials) JournalDenial(d);
      for (NotedReject& r : rejects) {
        // Stamped now, like every entry (journal times follow seqs); the
        // reject's own SendingTime is in raw_fix.
        FIX::SessionID id;
        id.fromString(r.session);
        Record(kRejectSent, r.session, "", r.raw_fix,
               VenueOf(id) != nullptr ? R"({"peer":"exchange"})"
                                      : R"({"peer":"broker"})");
      }
    }
    control_mu_.Lock();
  }
  control_mu_.Unlock();
}

void GatewayApplication::SyncExchangeState() {
  for (const auto& v : venues_) {
    const bool up = v->logged_on.load();
    // Responsiveness is journaled while logged on only; a logout resets it.
    const bool responsive = !up || Responsive(*v);
    const bool was_up = router_.VenueUp(v->name);
    if (up == was_up &&
        (!up || responsive == router_.VenueResponsive(v->name))) {
      continue;
    }
    ExchangeSessionChanged change{up, responsive, "", v->journaled};
    if (!responsive) {
      change.reason = SilenceText(LivenessOf(*v));
    } else if (up && was_up) {
      change.reason = "answering again";
    }
    Process(change, "", Now());
  }
}

int64_t GatewayApplication::SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void GatewayApplication::ExchangeHeard(Venue& v) {
  v.last_heard.store(SteadyNanos());
  // Rare: the probe thread ends the "not answering" state at once rather
  // than at its next tick.
  if (v.unresponsive.load()) liveness_cv_.notify_all();
}

bool GatewayApplication::Responsive(const Venue& v) {
  return !v.unresponsive.load() || v.last_heard.load() > v.probe_sent.load();
}

bool GatewayApplication::exchange_responsive() const {
  for (const auto& v : venues_) {
    if (!Responsive(*v)) return false;
  }
  return true;
}

GatewayApplication::ExchangeLiveness GatewayApplication::LivenessOf(
    const Venue& v) {
  using std::chrono::microseconds;
  using std::chrono::nanoseconds;
  ExchangeLiveness l;
  l.logged_on = v.logged_on.load();
  l.responsive = Responsive(v);
  const int64_t now = SteadyNanos();
  const int64_t heard = v.last_heard.load();
  const int64_t sent = v.probe_sent.load();
  l.silence = std::chrono::duration_cast<microseconds>(
      nanoseconds(std::max<int64_t>(0, now - heard)));
  if (sent != 0 && heard <= sent) {
    l.unanswered = std::chrono::duration_cast<microseconds>(
        nanoseconds(std::max<int64_t>(0, now - sent)));
  }
  return l;
}

GatewayApplication::ExchangeLiveness GatewayApplication::Liveness() const {
  ExchangeLiveness all;
  all.logged_on = !venues_.empty();
  for (const auto& v : venues_) {
    const ExchangeLiveness l = LivenessOf(*v);
    all.logged_on = all.logged_on && l.logged_on;
    all.responsive = all.responsive && l.responsive;
    all.silence = std::max(all.silence, l.silence);
    all.unanswered = std::max(all.unanswered, l.unanswered);
  }
  return all;
}

std::vector<GatewayApplication::VenueLiveness>
GatewayApplication::VenuesLiveness() const {
  std::vector<VenueLiveness> out;
  for (const auto& v : venues_) {
    out.push_back({v->name, v->key, LivenessOf(*v)});
  }
  return out;
}

std::optional<OrderRouter::AwaitingOrder> GatewayApplication::OldestAwaiting() {
  MutexLock lock(mu_);
  return router_.OldestAwaiting();
}

void GatewayApplication::StartLivenessProbe(LivenessOptions options) {
  if (liveness_thread_.joinable()) return;
  liveness_options_ = options;
  liveness_thread_ = std::thread([this] { LivenessLoop(); });
}

void GatewayApplication::LivenessLoop() {
  // Ticks bound how late a verdict can be; the thresholds are seconds.
  constexpr auto kTick = std::chrono::milliseconds(100);
  liveness_mu_.Lock();
  while (!liveness_stopping_) {
    liveness_cv_.wait_for(liveness_mu_, kTick);
    if (liveness_stopping_) break;
    liveness_mu_.Unlock();
    bool changed = false;
    for (const auto& v : venues_) changed = ProbeTick(*v) || changed;
    if (changed) {
      DecisionScope decision(*this);
      SyncExchangeState();
    }
    liveness_mu_.Lock();
  }
  liveness_mu_.Unlock();
}

bool GatewayApplication::ProbeTick(Venue& v) {
  const int64_t silence =
      std::chrono::nanoseconds(liveness_options_.silence).count();
  const int64_t answer =
      std::chrono::nanoseconds(liveness_options_.answer).count();
  const int64_t now = SteadyNanos();
  const int64_t heard = v.last_heard.load();
  const int64_t sent = v.probe_sent.load();
  if (!v.logged_on.load()) {
    // The next logon starts afresh; its Logon is the first thing heard.
    v.unresponsive.store(false);
    v.probe_sent.store(0);
  } else if (sent != 0 && heard > sent) {
    v.probe_sent.store(0);
    if (v.unresponsive.load()) {
      v.unresponsive.store(false);
      spdlog::info("exchange {} answers again after {:.1f} s of silence", v.key,
                   static_cast<double>(heard - v.quiet_from) / 1e9);
      return true;
    }
  } else if (sent == 0) {
    if (now - heard >= silence) {
      v.quiet_from = heard;  // last message heard before the probe
      v.probe_sent.store(now);
      QueueProbe(v, "fixgw-health-" + std::to_string(++v.probes_sent));
    }
  } else if (!v.unresponsive.load() && now - sent >= answer) {
    v.unresponsive.store(true);
    const ExchangeLiveness l = LivenessOf(v);
    if (l.responsive) {
      // Something arrived since `heard` was read: no verdict after all.
      v.unresponsive.store(false);
    } else {
      spdlog::warn("exchange {} is not answering: {}", v.key, SilenceText(l));
      return true;
    }
  }
  return false;
}

void GatewayApplication::QueueProbe(const Venue& venue,
                                    const std::string& test_req_id) {
  Send send;
  send.message->getHeader().setField(FIX::MsgType(FIX::MsgType_TestRequest));
  send.message->setField(FIX::TestReqID(test_req_id));
  send.target = venue.session;
  send.probe = true;
  std::vector<Send> sends;
  sends.push_back(std::move(send));
  pipeline_.HandOver(std::move(sends));
}

std::string SilenceText(const GatewayApplication::ExchangeLiveness& l) {
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  return fmt::format("silent for {} s, TestRequest unanswered for {} s",
                     duration_cast<seconds>(l.silence).count(),
                     duration_cast<seconds>(l.unanswered).count());
}

void GatewayApplication::toAdmin(FIX::Message& msg, const FIX::SessionID& id) {
  const std::string type = HeaderField(msg, tag::MsgType);
  metrics_.CountMessage(id.toString(), GatewayMetrics::Direction::kOut, type);
  if (type == "3") NoteReject(msg, id);
}

void GatewayApplication::toApp(FIX::Message& msg, const FIX::SessionID& id) {
  const std::string type = HeaderField(msg, tag::MsgType);
  metrics_.CountMessage(id.toString(), GatewayMetrics::Direction::kOut, type);
  // A BusinessMessageReject is QuickFIX's answer to a message type fromApp
  // refused, except the gateway's own refusals on a drop-copy session
  // (RefuseOnDropCopy), which are journaled before they are sent.
  if (type == "j" && !IsDropCopyRefusal(msg, id)) NoteReject(msg, id);
}

bool GatewayApplication::IsDropCopyRefusal(const FIX::Message& msg,
                                           const FIX::SessionID& id) const {
  return OptionsOf(id.toString()).drop_copy &&
         fix::FieldText(msg, tag::Text).value_or("").rfind(kDropCopyRefusal,
                                                           0) == 0;
}

void GatewayApplication::NoteReject(const FIX::Message& msg,
                                    const FIX::SessionID& id) {
  // A resent copy (PossDupFlag) was journaled when first sent.
  if (HeaderField(msg, tag::PossDupFlag) == "Y") return;
  {
    MutexLock lock(control_mu_);
    if (noted_rejects_.size() >= kMaxNotedRejects) {
      ++rejects_not_journaled_;
    } else {
      noted_rejects_.push_back({id.toString(), Printable(msg)});
    }
    control_wake_ = true;
  }
  control_cv_.notify_all();
}

void GatewayApplication::fromAdmin(const FIX::Message& msg,
                                   const FIX::SessionID& id) {
  Venue* venue = VenueOf(id);
  if (venue != nullptr) ExchangeHeard(*venue);
  const std::string type = HeaderField(msg, tag::MsgType);
  metrics_.CountMessage(id.toString(), GatewayMetrics::Direction::kIn, type);
  if (venue != nullptr) {
    if (type == "3") FromExchangeReject(msg, type, *venue);
    if (type == "5") {
      // Why the venue ends the session (e.g. "MsgSeqNum too low" after a
      // journal lost its tail): otherwise the reconnects say nothing.
      const std::string text = fix::FieldText(msg, tag::Text).value_or("");
      spdlog::warn("exchange session {} logs out{}", id.toString(),
                   text.empty() ? "" : ": " + SanitizedForLog(text));
    }
    return;
  }
  if (type == "5" && OptionsOf(id.toString()).cancel_on_disconnect) {
    MutexLock lock(cod_mu_);
    cod_[id.toString()].logout_received = true;
  }
  CheckAdmission(msg, id);
  AuthenticateLogon(msg, id);
  if (type == "A") {
    // QuickFIX has already reset both sequence numbers if the Logon asked
    // for it: what was queued for the broker while it was away is gone.
    const bool reset = fix::FieldText(msg, tag::ResetSeqNumFlag) == "Y";
    uint64_t lost = 0;
    {
      MutexLock lock(presence_mu_);
      lost = std::exchange(sent_while_away_[id.toString()], 0);
    }
    if (reset && lost > 0) {
      spdlog::warn(
          "{} logged on with ResetSeqNumFlag=Y: {} message(s) sent to it "
          "while it was away are discarded by the reset and will not be "
          "resent; it can rebuild its orders with OrderMassStatusRequest "
          "(35=AF)",
          id.toString(), lost);
    }
  }
}

void GatewayApplication::fromApp(const FIX::Message& msg,
                                 const FIX::SessionID& id) {
  Venue* venue = VenueOf(id);
  if (venue != nullptr) ExchangeHeard(*venue);
  const std::string type = HeaderField(msg, tag::MsgType);
  metrics_.CountMessage(id.toString(), GatewayMetrics::Direction::kIn, type);
  if (venue != nullptr) {
    FromExchange(msg, type, *venue);
  } else {
    FromBroker(msg, id, type);
  }
}

void GatewayApplication::RefuseOnDropCopy(const FIX::Message& msg,
                                          const FIX::SessionID& id,
                                          const std::string& type,
                                          SteadyTime received) {
  const SessionKey session = id.toString();
  const int64_t seq = InboundSeq(msg);
  const std::string cl_ord_id = fix::FieldText(msg, tag::ClOrdID).value_or("");
  const std::string text = fmt::format(
      "{} it receives copies of reports and takes no orders or requests "
      "(MsgType {} refused)",
      kDropCopyRefusal, type);
  auto reject = std::make_unique<FIX::Message>();
  reject->getHeader().setField(FIX::MsgType("j"));
  reject->setField(FIX::RefSeqNum(static_cast<int>(seq)));
  reject->setField(FIX::RefMsgType(type));
  if (!cl_ord_id.empty()) {
    reject->setField(FIX::BusinessRejectRefID(cl_ord_id));
  }
  // 3 = unsupported message type: none is supported on this session.
  reject->setField(FIX::BusinessRejectReason(3));
  reject->setField(FIX::Text(text));

  DecisionScope decision(*this, Inbound{session, seq});
  const Timestamp now = Now();
  Note(spdlog::level::warn, "refused session={} MsgType={} ClOrdID={}: {}",
       session, type, cl_ord_id, text);
  refusals_.push_front(RefusalNote{now, session, cl_ord_id, "drop copy", text});
  if (refusals_.size() > kRecentRefusals) refusals_.pop_back();
  Batch batch;
  store::JournalEntry e;
  e.time = now;
  e.kind = kRejectSent;
  e.session = session;
  e.cl_ord_id = cl_ord_id;
  e.payload = R"({"peer":"broker","reason":"drop_copy"})";
  e.raw_fix = Printable(*reject);
  batch.entries.push_back(std::move(e));
  batch.logs.swap(observed_);
  batch.sends.push_back(Send{std::move(reject), id, received,
                             GatewayMetrics::Path::kGatewayAnswer,
                             metrics_.Key(session, "")});
  Enqueue(std::move(batch));
}

void GatewayApplication::FromBroker(const FIX::Message& msg,
                                    const FIX::SessionID& id,
                                    const std::string& type) {
  const SteadyTime received = std::chrono::steady_clock::now();
  if (OptionsOf(id.toString()).drop_copy) {
    RefuseOnDropCopy(msg, id, type, received);
    return;
  }
  if (type != "D" && type != "F" && type != "G" && type != "H" &&
      type != "AF" && type != "q") {
    throw FIX::UnsupportedMessageType();
  }
  // OrderMassCancelRequest for one security without its Symbol: FIX 4.4
  // makes Symbol conditionally required; QuickFIX answers the exception
  // with a BusinessMessageReject 380=5 naming tag 55 (journaled as
  // RejectSent), and the request is not processed.
  if (type == "q" &&
      fix::FieldText(msg, tag::MassCancelRequestType) == std::string("1") &&
      fix::FieldText(msg, tag::Symbol).value_or("").empty()) {
    throw FIX::FieldNotFound(tag::Symbol);
  }
  const SessionKey session = id.toString();
  const bool poss_dup = HeaderField(msg, tag::PossDupFlag) == "Y" ||
                        HeaderField(msg, tag::PossResend) == "Y";
  const std::string cl_ord_id = fix::FieldText(msg, tag::ClOrdID).value_or("");

  DecisionScope decision(*this, Inbound{session, InboundSeq(msg)});
  SyncExchangeState();
  const Timestamp now = Now();
  // A resent message whose ClOrdID we already processed was answered the
  // first time; processing it again would reject it as a duplicate or, worse,
  // act twice.
  if (poss_dup && router_.KnowsClOrdId(session, cl_ord_id)) {
    spdlog::info("resend ignored session={} ClOrdID={}: already processed",
                 session, cl_ord_id);
    Record(kResendIgnored, session, cl_ord_id, Printable(msg));
    return;
  }

  std::optional<JournalEvent> event;
  if (draining_.load() && (type == "D" || type == "G")) {
    event = DrainRefusal(msg, type, session);
  } else if (type == "D") {
    auto decoded = fix::DecodeNewOrder(msg);
    if (auto* order = std::get_if<NewOrder>(&decoded)) {
      if (order->account.empty()) {
        order->account = OptionsOf(session).default_account;
      }
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
  } else if (type == "q") {
    auto decoded = fix::DecodeMassCancelRequest(msg);
    if (auto* q = std::get_if<MassCancelRequest>(&decoded)) {
      event = router_.DecideMassCancel(session, *q);
    } else {
      event = router_.DecideUndecodableMassCancel(
          session, cl_ord_id,
          fix::FieldText(msg, tag::MassCancelRequestType).value_or("?"),
          std::get<fix::Rejection>(decoded).text);
    }
  } else if (type == "AF") {
    auto decoded = fix::DecodeMassStatusRequest(msg);
    if (auto* q = std::get_if<MassStatusRequest>(&decoded)) {
      // Orders finished since the broker's previous connection began (all
      // the table holds if fixgw has seen none): what a broker that reset
      // its sequence numbers may have missed.
      Timestamp since;
      {
        MutexLock lock(presence_mu_);
        since = logons_[session].previous;
      }
      event = router_.DecideMassStatus(session, *q, since);
    } else {
      // The request's own terms are refused: one rejected report says so.
      MassStatusRequest refused;
      refused.mass_status_req_id =
          fix::FieldText(msg, tag::MassStatusReqID).value_or("");
      refused.symbol = fix::FieldText(msg, tag::Symbol).value_or("");
      event = router_.DecideMassStatus(session, refused, now,
                                       std::get<fix::Rejection>(decoded).text);
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
  // A venue with MaxMessagesPerSecond whose queue is full refuses.
  if (auto refused = RateRefusal(*event, session)) event = std::move(refused);
  Process(*event, Printable(msg), now, received);
}

JournalEvent GatewayApplication::DrainRefusal(const FIX::Message& msg,
                                              const std::string& type,
                                              const SessionKey& session) {
  const Rejection why{OrdRejReason::kExchangeClosed,
                      "gateway is shutting down: no new orders or replaces"};
  if (type == "D") {
    return router_.DecideUndecodableOrder(session, PartialOrder(msg), why);
  }
  return router_.DecideUndecodableCancelReplace(
      session, /*is_replace=*/true,
      fix::FieldText(msg, tag::ClOrdID).value_or(""),
      fix::FieldText(msg, tag::OrigClOrdID).value_or(""), why);
}

void GatewayApplication::FromExchange(const FIX::Message& msg,
                                      const std::string& type,
                                      const Venue& venue) {
  const SteadyTime received = std::chrono::steady_clock::now();
  const Inbound inbound{venue.key, InboundSeq(msg)};
  const VenueName& from = venue.journaled;  // the events' venue
  if (type == "8") {
    auto decoded = fix::DecodeExecutionReport(msg);
    if (auto* r = std::get_if<ExecutionReport>(&decoded)) {
      DecisionScope decision(*this, inbound);
      switch (router_.ClassifyReport(*r, from)) {
        case OrderRouter::ReportFate::kDuplicate:
          // The exchange resends after a reconnect; each ExecID counts
          // once per order.
          spdlog::info("exchange report ignored exch={} ExecID={}: already "
                       "applied to this order",
                       r->cl_ord_id, r->exec_id);
          return;
        case OrderRouter::ReportFate::kUnknownOrder:
          spdlog::warn("exchange report for no order of the table exch={} "
                       "orig={} ExecID={} ExecType={}: journaled, not relayed",
                       r->cl_ord_id, r->orig_cl_ord_id, r->exec_id,
                       Name(r->exec_type));
          break;
        case OrderRouter::ReportFate::kApply:
          if (std::string other = router_.ExecIdReusedFrom(*r); !other.empty()) {
            spdlog::warn("exchange ExecID {} reused: order {} had it, now "
                         "exch={}; applied, and relayed as {}.<the order's "
                         "first exchange ClOrdID>",
                         r->exec_id, other, r->cl_ord_id, r->exec_id);
          }
          break;
      }
      Process(ExchangeReportReceived{*r, from}, Printable(msg), Now(),
              received);
      return;
    }
    spdlog::warn("exchange report not understood ({}): {}",
                 std::get<fix::Rejection>(decoded).text, Printable(msg));
    DecisionScope decision(*this, inbound);
    Record(kExchangeMessageIgnored, "", "", Printable(msg));
    return;
  }
  if (type == "9") {
    auto decoded = fix::DecodeCancelReject(msg);
    if (auto* c = std::get_if<CancelReject>(&decoded)) {
      DecisionScope decision(*this, inbound);
      // Resent after a reconnect: each request is refused once.
      if (router_.KnowsCancelReject(c->cl_ord_id)) return;
      Process(ExchangeCancelRejectReceived{*c, from}, Printable(msg), Now(),
              received);
      return;
    }
  }
  if (type == "j") {
    FromExchangeReject(msg, type, venue);
    return;
  }
  spdlog::warn("exchange message {} not handled: {}", type, Printable(msg));
  DecisionScope decision(*this, inbound);
  Record(kExchangeMessageIgnored, "", "", Printable(msg));
}

void GatewayApplication::FromExchangeReject(const FIX::Message& msg,
                                            const std::string& type,
                                            const Venue& venue) {
  const SteadyTime received = std::chrono::steady_clock::now();
  const std::string& exchange = venue.key;
  // What it refers to: RefMsgType + BusinessRejectRefID (the ClOrdID of a
  // D/F/G) on a 35=j; otherwise the message sent at RefSeqNum.
  std::string ref_type = fix::FieldText(msg, tag::RefMsgType).value_or("");
  std::string cl_ord_id =
      type == "j" ? fix::FieldText(msg, tag::BusinessRejectRefID).value_or("")
                  : "";
  const std::string ref_seq = fix::FieldText(msg, tag::RefSeqNum).value_or("");
  if (cl_ord_id.empty() && !ref_seq.empty() && sessions_ != nullptr) {
    int64_t seq = 0;
    std::from_chars(ref_seq.data(), ref_seq.data() + ref_seq.size(), seq);
    auto sent = seq > 0 ? sessions_->GetOutgoing(exchange, seq, seq)
                        : Result<std::vector<store::StoredMessage>>(
                              std::vector<store::StoredMessage>{});
    if (sent.ok() && !sent->empty()) {
      FIX::Message original;
      try {
        original.setString(sent->front().body, false);
        ref_type = HeaderField(original, tag::MsgType);
        cl_ord_id = fix::FieldText(original, tag::ClOrdID).value_or("");
      } catch (const std::exception&) {
        // Not parseable: handled as a reject of nothing known below.
      }
    }
  }
  // The venue's words: Text, else the reject reason code.
  std::string why = fix::FieldText(msg, tag::Text).value_or("");
  if (why.empty()) {
    why = type == "3"
              ? "SessionRejectReason " +
                    fix::FieldText(msg, tag::SessionRejectReason).value_or("?")
              : "BusinessRejectReason " +
                    fix::FieldText(msg, tag::BusinessRejectReason).value_or("?");
  }
  const std::string text = std::string("refused by the exchange (") +
                           (type == "3" ? "session Reject" : "BusinessMessageReject") +
                           "): " + why;
  DecisionScope decision(*this, Inbound{exchange, InboundSeq(msg)});
  if ((ref_type == "D" || ref_type == "F" || ref_type == "G") &&
      !cl_ord_id.empty()) {
    Process(router_.DecideExchangeRefusal(cl_ord_id, ref_type[0], text,
                                          venue.journaled),
            Printable(msg), Now(), received);
    return;
  }
  spdlog::warn("exchange {} of a message that is no order, cancel or "
               "replace (RefMsgType '{}', RefSeqNum {}): {}",
               type == "3" ? "session Reject" : "BusinessMessageReject",
               ref_type, ref_seq, why);
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

Status GatewayApplication::CommitBatches(std::vector<Batch>& batches) {
  std::vector<store::JournalEntry> entries;
  for (Batch& b : batches) {
    std::move(b.entries.begin(), b.entries.end(), std::back_inserter(entries));
  }
  for (const Batch& b : batches) {
    if (b.crash_point != nullptr &&
        std::string_view(b.crash_point) == "after-journal") {
      crash_.Hit("before-journal");
    }
  }
  if (journal_ == nullptr) return Status::Ok();
  const SteadyTime start = std::chrono::steady_clock::now();
  Status st = sessions_ == nullptr
                  ? journal_->Append(entries)
                  : journal_->Append(entries, [&] { return Prestore(batches); });
  metrics_.ObserveCommit(std::chrono::steady_clock::now() - start,
                         entries.size());
  return st;
}

void GatewayApplication::AfterCommit(std::vector<Batch>& batches) {
  // What the decisions logged, now that it is in the journal: a log line
  // never names an order the journal does not have (a failed commit exits
  // first).
  for (const Batch& b : batches) {
    for (const auto& [level, text] : b.logs) spdlog::log(level, "{}", text);
  }
  for (const Batch& b : batches) {
    if (b.crash_point != nullptr) crash_.Hit(b.crash_point);
  }
}

Status GatewayApplication::Prestore(const std::vector<Batch>& batches) {
  // In commit order, which is the order the loop hands them to QuickFIX.
  for (const Batch& b : batches) {
    if (b.inbound) {
      Status st =
          sessions_->RaiseNextTarget(b.inbound->session, b.inbound->seq + 1);
      if (!st.ok()) return st;
    }
    for (const Send& send : b.sends) {
      const std::string key = fix::MessageOutputKey(*send.message);
      Result<bool> stored = sessions_->PrestoreOutgoing(
          send.target.toString(), key, [&](int64_t seq) {
            return fix::StoredForm(*send.message, send.target, seq);
          });
      if (!stored.ok()) return stored.status();
    }
  }
  return Status::Ok();
}

void GatewayApplication::SendNow(Send& send) {
  if (send.probe) {
    // Never while logged out: QuickFIX would store it and spend a seq.
    if (const Venue* venue = VenueOf(send.target);
        venue != nullptr && venue->logged_on.load()) {
      try {
        if (FIX::Session::sendToTarget(*send.message, send.target)) {
          metrics_.CountExchangeTestRequest();
        }
      } catch (const FIX::SessionNotFound&) {
        // Stopped (shutdown): nothing to probe any more.
      }
    }
    return;
  }
  if (Venue* venue = VenueOf(send.target);
      venue != nullptr && venue->rate > 0 && !Pace(*venue, send)) {
    return;  // queued: PaceVenues sends it
  }
  Deliver(send);
}

bool GatewayApplication::Pace(Venue& v, Send& send) {
  Refill(v, std::chrono::steady_clock::now());
  if (v.queue.empty() && v.micro_tokens >= kMicroTokensPerMessage) {
    v.micro_tokens -= kMicroTokensPerMessage;
    v.tokens.store(v.micro_tokens / kMicroTokensPerMessage);
    return true;
  }
  v.queue.push_back(std::move(send));
  v.queued.store(static_cast<int64_t>(v.queue.size()));
  v.paced.fetch_add(1);
  return false;
}

void GatewayApplication::Refill(Venue& v, SteadyTime now) {
  const int64_t cap = v.rate * kMicroTokensPerMessage;
  const int64_t elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(now - v.refilled)
          .count();
  if (elapsed <= 0) return;
  v.refilled = now;
  // rate messages a second = rate micro-tokens a microsecond.
  if (elapsed >= (cap - v.micro_tokens) / v.rate) {
    v.micro_tokens = cap;
  } else {
    v.micro_tokens += elapsed * v.rate;
  }
  v.tokens.store(v.micro_tokens / kMicroTokensPerMessage);
}

void GatewayApplication::PaceVenues() {
  const SteadyTime now = std::chrono::steady_clock::now();
  for (const auto& venue : venues_) {
    Venue& v = *venue;
    if (v.rate == 0 || v.queue.empty()) continue;
    Refill(v, now);
    while (!v.queue.empty() && v.micro_tokens >= kMicroTokensPerMessage) {
      v.micro_tokens -= kMicroTokensPerMessage;
      Send send = std::move(v.queue.front());
      v.queue.pop_front();
      v.queued.store(static_cast<int64_t>(v.queue.size()));
      v.tokens.store(v.micro_tokens / kMicroTokensPerMessage);
      Deliver(send);
    }
  }
}

void GatewayApplication::SetVenueRate(const VenueName& venue,
                                      int64_t per_second, int64_t max_queued) {
  Venue* v = VenueNamed(venue);
  if (v == nullptr || per_second <= 0) return;
  v->rate = per_second;
  v->max_queued = max_queued;
  paces_ = true;
  v->micro_tokens = per_second * kMicroTokensPerMessage;  // a full second
  v->tokens.store(per_second);
  v->refilled = std::chrono::steady_clock::now();
}

bool GatewayApplication::paces() const { return paces_; }

std::vector<GatewayApplication::VenueRate> GatewayApplication::VenueRates()
    const {
  std::vector<VenueRate> out;
  for (const auto& v : venues_) {
    out.push_back({v->name, v->rate, v->queued.load(), v->paced.load(),
                   v->rate_refusals.load(), v->orders.load()});
  }
  return out;
}

std::optional<JournalEvent> GatewayApplication::RateRefusal(
    const JournalEvent& event, const SessionKey& session) {
  if (!paces_) return std::nullopt;  // the order path without rates
  const auto full = [&](const VenueName& name) -> Venue* {
    Venue* v = VenueNamed(name);  // "": the default venue
    // What would wait if this were decided now: everything decided and
    // not sent yet, less what the bucket lets through at once.
    if (v == nullptr || v->rate == 0 ||
        v->in_flight.load() - v->tokens.load() < v->max_queued) {
      return nullptr;
    }
    return v;
  };
  const auto text = [](const Venue& v, const char* what) {
    return fmt::format(
        "venue {} is over its message rate ({} a second, {} waiting): {} not "
        "sent",
        v.name, v.rate, v.queued.load(), what);
  };
  if (const auto* e = std::get_if<NewOrderAccepted>(&event)) {
    Venue* v = full(e->venue);
    if (v == nullptr) return std::nullopt;
    v->rate_refusals.fetch_add(1);
    return router_.DecideUndecodableOrder(
        session, e->order,
        Rejection{OrdRejReason::kExchangeClosed, text(*v, "order")});
  }
  if (const auto* e = std::get_if<CancelReplaceForwarded>(&event)) {
    const std::string& cl_ord_id =
        e->is_replace ? e->replace.cl_ord_id : e->cancel.cl_ord_id;
    const std::string& orig =
        e->is_replace ? e->replace.orig_cl_ord_id : e->cancel.orig_cl_ord_id;
    const std::optional<OrderSnapshot> order = router_.FindOrder(session, orig);
    Venue* v = order ? full(order->venue) : nullptr;
    if (v == nullptr) return std::nullopt;
    v->rate_refusals.fetch_add(1);
    return router_.DecideUndecodableCancelReplace(
        session, e->is_replace, cl_ord_id, orig,
        Rejection{OrdRejReason::kOther,
                  text(*v, e->is_replace ? "replace" : "cancel")});
  }
  return std::nullopt;
}

void GatewayApplication::Deliver(Send& send) {
  Venue* venue = VenueOf(send.target);
  const bool to_exchange = venue != nullptr;
  if (to_exchange && venue->rate > 0) venue->in_flight.fetch_sub(1);
  if (!to_exchange && !metrics_.logged_on(send.target.toString())) {
    MutexLock presence(presence_mu_);
    ++sent_while_away_[send.target.toString()];
  }
  try {
    // The session stores it (prestored with its events: no transaction
    // here) and queues it on its connection, if it has one; a session
    // without one resends it when its peer asks after the next logon.
    FIX::Session::sendToTarget(*send.message, send.target);
    if (send.received != SteadyTime{}) {
      metrics_.ObservePath(send.path,
                           std::chrono::steady_clock::now() - send.received,
                           send.labels);
    }
  } catch (const FIX::SessionNotFound&) {
    // The sessions are gone (shutdown). The message is journaled: the
    // outbox sends it when fixgw starts again.
    spdlog::warn("cannot send to {}: session not found; the outbox sends "
                 "it at the next start",
                 send.target.toString());
  }
  if (to_exchange) crash_.Hit("after-send");
}

Status GatewayApplication::LoadRiskLimits(const std::string& path,
                                          const std::string& who) {
  if (risk_ == nullptr) {
    return Status::FailedPrecondition("risk checks are off: no risk file");
  }
  Result<std::string> text = risk::ReadRiskFile(path);
  if (!text.ok()) return text.status();
  Result<risk::RiskLimits> limits = risk::ParseRiskLimits(*text, path);
  if (!limits.ok()) return limits.status();
  // Accounts the file adds become label values of the per-account
  // metrics (metrics.h); none is ever removed.
  metrics_.AddAccounts(RiskFileAccounts(*limits));
  DecisionScope decision(*this);
  if (*limits == risk_->limits()) return Status::Ok();
  Process(RiskLimitsLoaded{path + " by " + who, *text}, "", Now());
  spdlog::info("risk limits loaded from {} by {}", path, who);
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
  spdlog::warn("kill switch {} {}{} by {}{}: {} cancel(s)",
               engaged ? "engaged" : "disengaged", KillScopeName(scope.kind),
               scope.name.empty() ? "" : " " + scope.name, source,
               reason.empty() ? "" : " (" + reason + ")", result.cancels_sent);
  Process(event, "", Now());
  return result;
}

std::string GatewayApplication::StateJson() {
  MutexLock lock(mu_);
  return gw::StateJson(router_, risk_);
}

void GatewayApplication::Process(const JournalEvent& event,
                                 const std::string& raw_fix, Timestamp now,
                                 SteadyTime received) {
  std::vector<Action> actions = router_.Apply(event, now);
  if (router_.risk_errors() != risk_errors_seen_) {
    risk_errors_seen_ = router_.risk_errors();
    spdlog::warn("risk state: {} ({} so far)", router_.last_risk_error(),
                 risk_errors_seen_);
  }
  Observe(event, now);
  std::vector<std::unique_ptr<FIX::Message>> messages;
  std::vector<store::JournalEntry> entries;
  messages.reserve(actions.size());
  entries.reserve(actions.size() + 1);

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
    const auto* b = std::get_if<ToBroker>(&action);
    // `new` from the prvalue constructs in place (make_unique would copy:
    // Message has no move constructor).
    messages.emplace_back(new FIX::Message(EncodeAction(
        action,
        OptionsOf(b != nullptr ? b->session : ExchangeKeyOf(action)).dialect)));
    entries.push_back(SentEntry(action, *messages.back(), now));
  }

  // The account of the order the event is about, for the per-account
  // metrics; the order table when the event does not name it.
  const auto order_account = [&](const std::string& id,
                                 const std::string& orig) REQUIRES(mu_) {
    for (const std::string* i : {&id, &orig}) {
      if (i->empty()) continue;
      if (auto o = router_.FindOrder(keys.session, *i)) return o->account;
    }
    return std::string();
  };
  std::string account = std::visit(
      [&](const auto& e) REQUIRES(mu_) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, NewOrderAccepted> ||
                      std::is_same_v<T, NewOrderRejected>) {
          return e.order.account;
        } else if constexpr (std::is_same_v<T, CancelReplaceForwarded>) {
          return e.is_replace ? e.replace.account
                              : order_account(e.cancel.cl_ord_id,
                                              e.cancel.orig_cl_ord_id);
        } else if constexpr (std::is_same_v<T, CancelReplaceRejected>) {
          return order_account(e.reject.cl_ord_id, e.reject.orig_cl_ord_id);
        } else {
          return std::string();
        }
      },
      event);

  Batch batch;
  batch.entries = std::move(entries);
  batch.logs.swap(observed_);
  const bool from_exchange =
      std::holds_alternative<ExchangeReportReceived>(event) ||
      std::holds_alternative<ExchangeCancelRejectReceived>(event) ||
      std::holds_alternative<ExchangeRequestRefused>(event);
  for (size_t i = 0; i < actions.size(); ++i) {
    FIX::SessionID target = ExchangeSessionOf(actions[i]);
    if (const auto* x = std::get_if<ToExchange>(&actions[i])) {
      if (Venue* v = VenueOf(target); v != nullptr) {
        if (v->rate > 0) v->in_flight.fetch_add(1);
        if (std::holds_alternative<NewOrder>(x->message)) {
          v->orders.fetch_add(1);
        }
      }
    }
    GatewayMetrics::Path path = GatewayMetrics::Path::kBrokerToExchange;
    GatewayMetrics::LabelKey labels;
    if (const auto* b = std::get_if<ToBroker>(&actions[i])) {
      target.fromString(b->session);
      path = from_exchange ? GatewayMetrics::Path::kExchangeToBroker
                           : GatewayMetrics::Path::kGatewayAnswer;
      const auto* report = std::get_if<ExecutionReport>(&b->message);
      std::string report_account;
      if (report != nullptr) {
        report_account = report->account;
        if (report_account.empty()) {
          if (auto o = router_.FindOrder(b->session, report->cl_ord_id)) {
            report_account = o->account;
          }
        }
      }
      labels = metrics_.Key(
          b->session, report_account.empty() ? account : report_account);
    } else {
      const auto& m = std::get<ToExchange>(actions[i]).message;
      const std::string* a = &account;
      if (const auto* o = std::get_if<NewOrder>(&m)) a = &o->account;
      if (const auto* r = std::get_if<ReplaceRequest>(&m)) a = &r->account;
      labels = metrics_.Key(keys.session, *a);
    }
    batch.sends.push_back(Send{std::move(messages[i]), std::move(target),
                               received, path, labels});
  }
  if (!actions.empty()) {
    batch.crash_point = from_exchange ? "after-report" : "after-journal";
  }
  Enqueue(std::move(batch));
}

void GatewayApplication::Observe(const JournalEvent& event, Timestamp now) {
  // The lambdas run here, under mu_ (clang checks a lambda on its own).
  auto refused = [&](const std::string& session, const std::string& id,
                     const char* request, const std::string& text)
                     REQUIRES(mu_) {
    refusals_.push_front(RefusalNote{now, session, id, request, text});
    if (refusals_.size() > kRecentRefusals) refusals_.pop_back();
  };
  std::visit(
      [&](const auto& e) REQUIRES(mu_) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, NewOrderAccepted>) {
          metrics_.CountOrderAccepted(
              metrics_.Key(e.session, e.order.account));
          Note(spdlog::level::info, 
              "order accepted session={} ClOrdID={} exch={} account={} {} {} "
              "{} @ {}",
              e.session, e.order.cl_ord_id, e.exch_cl_ord_id, e.order.account,
              Name(e.order.side), FormatQty(e.order.qty), e.order.symbol,
              e.order.price ? FormatPrice(*e.order.price) : "market");
        } else if constexpr (std::is_same_v<T, NewOrderRejected>) {
          const std::string label = RejectReasonLabel(e.rejection);
          metrics_.CountOrderRejected(
              label, metrics_.Key(e.session, e.order.account));
          if (label == "entitlement") metrics_.CountDenial("entitlement");
          refused(e.session, e.order.cl_ord_id, "order", e.rejection.text);
          Note(spdlog::level::info, "order rejected session={} ClOrdID={} reason={}: {}",
                       e.session, e.order.cl_ord_id, label, e.rejection.text);
        } else if constexpr (std::is_same_v<T, CancelReplaceForwarded>) {
          Note(spdlog::level::info, "{} forwarded session={} ClOrdID={} exch={} orig={}",
                       e.is_replace ? "replace" : "cancel", e.session,
                       e.is_replace ? e.replace.cl_ord_id : e.cancel.cl_ord_id,
                       e.exch_cl_ord_id, e.orig_exch_cl_ord_id);
        } else if constexpr (std::is_same_v<T, CancelReplaceRejected>) {
          const std::string label = CancelRejectReasonLabel(e.reject);
          metrics_.CountCancelReplaceRejected(label);
          const bool replace =
              e.reject.response_to == CxlRejResponseTo::kReplace;
          refused(e.session, e.reject.cl_ord_id, replace ? "replace" : "cancel",
                  e.reject.text);
          Note(spdlog::level::info, "{} rejected session={} ClOrdID={} orig={} reason={}: {}",
                       replace ? "replace" : "cancel", e.session,
                       e.reject.cl_ord_id, e.reject.orig_cl_ord_id, label,
                       e.reject.text);
        } else if constexpr (std::is_same_v<T, ExchangeReportReceived>) {
          const ExecutionReport& r = e.report;
          if (r.exec_type == ExecType::kTrade) metrics_.CountFill();
          Note(spdlog::level::info, 
              "exchange report exch={} ExecID={} ExecType={} OrdStatus={} "
              "LastQty={} LastPx={} CumQty={} LeavesQty={}{}{}",
              r.cl_ord_id, r.exec_id, Name(r.exec_type), Name(r.ord_status),
              FormatQty(r.last_qty), FormatPrice(r.last_px),
              FormatQty(r.cum_qty), FormatQty(r.leaves_qty),
              r.text.empty() ? "" : " text=", r.text);
        } else if constexpr (std::is_same_v<T, ExchangeCancelRejectReceived>) {
          Note(spdlog::level::info, "exchange cancel reject exch={} orig={}: {}",
                       e.reject.cl_ord_id, e.reject.orig_cl_ord_id,
                       e.reject.text);
        } else if constexpr (std::is_same_v<T, ExchangeSessionChanged>) {
          Note(spdlog::level::info, "exchange session {}{} (journaled)",
                       !e.up          ? "down"
                       : e.responsive ? "up"
                                      : "not answering",
                       e.reason.empty() ? "" : ": " + e.reason);
        } else if constexpr (std::is_same_v<T, ExchangeRequestRefused>) {
          Note(spdlog::level::warn, "exchange refused {} exch={}: {}", e.ref_msg_type,
                       e.exch_cl_ord_id, e.text);
        } else if constexpr (std::is_same_v<T, MassStatusAnswered>) {
          Note(spdlog::level::info, "mass status answered session={} MassStatusReqID={}{}",
                       e.session, e.request.mass_status_req_id,
                       e.refusal.empty() ? "" : " refused: " + e.refusal);
        } else if constexpr (std::is_same_v<T, MassCancelRequested>) {
          if (e.reject_reason) {
            refused(e.session, e.request.cl_ord_id, "mass cancel", e.text);
            Note(spdlog::level::info,
                 "mass cancel refused session={} ClOrdID={} "
                 "MassCancelRejectReason={}: {}",
                 e.session, e.request.cl_ord_id, *e.reject_reason, e.text);
          } else {
            Note(spdlog::level::info,
                 "mass cancel accepted session={} ClOrdID={} "
                 "MassCancelRequestType={} id={}: {} cancel(s)",
                 e.session, e.request.cl_ord_id, e.request.req_type,
                 e.order_id, e.cancels.size());
          }
        } else if constexpr (std::is_same_v<T, CancelOnDisconnectFired>) {
          metrics_.CountCancelOnDisconnect(e.cancels.size());
          Note(spdlog::level::warn,
               "cancel-on-disconnect fired session={} reason={} delay={} s: "
               "{} order(s) to cancel",
               e.session, e.reason, e.delay_seconds, e.cancels.size());
        } else if constexpr (std::is_same_v<T, OperatorCancelRequested>) {
          Note(spdlog::level::info,
               "operator cancel sent exch={} orig={} by {}",
               e.cancel.exch_cl_ord_id, e.cancel.orig_exch_cl_ord_id, e.source);
        } else if constexpr (std::is_same_v<T, StatusAnswered>) {
          Note(spdlog::level::debug, "status answered session={} ClOrdID={}", e.session,
                        e.request.cl_ord_id);
        }
      },
      event);
}

void GatewayApplication::BeginDrain() {
  if (draining_.exchange(true)) return;
  spdlog::warn("draining: refusing new orders and replaces");
}

size_t GatewayApplication::WaitForDrain(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    size_t awaiting = 0;
    {
      MutexLock lock(mu_);
      awaiting = router_.CountOrders().awaiting_exchange;
    }
    const bool idle = pipeline_.Idle();
    if ((awaiting == 0 && idle) ||
        std::chrono::steady_clock::now() >= deadline) {
      return awaiting;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<GatewayApplication::SessionInfo> GatewayApplication::Sessions() {
  std::vector<SessionInfo> out;
  for (const FIX::SessionID& id : FIX::Session::getSessions()) {
    FIX::Session* session = FIX::Session::lookupSession(id);
    if (session == nullptr) continue;
    SessionInfo info;
    info.id = id.toString();
    const Venue* venue = VenueOf(id);
    info.exchange = venue != nullptr;
    if (venue != nullptr) info.venue = venue->name;
    info.drop_copy = !info.exchange && OptionsOf(info.id).drop_copy;
    info.logged_on = metrics_.logged_on(info.id);
    info.next_sender_seq = session->getExpectedSenderNum();
    info.next_target_seq = session->getExpectedTargetNum();
    std::tie(info.messages_in, info.messages_out) =
        metrics_.SessionTotals(info.id);
    if (!info.exchange) {
      info.admission = AdmissionOf(info.id);
      const GatewayMetrics::OrderTotals orders =
          metrics_.SessionOrders(info.id);
      info.orders_accepted = orders.accepted;
      info.orders_rejected = orders.rejected;
    }
    {
      MutexLock lock(presence_mu_);
      if (auto it = last_change_.find(info.id); it != last_change_.end()) {
        info.last_logon = it->second.logon;
        info.last_logout = it->second.logout;
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<RefusalNote> GatewayApplication::RecentRefusals() {
  MutexLock lock(mu_);
  return {refusals_.begin(), refusals_.end()};
}

std::vector<GatewayApplication::AccountUse> GatewayApplication::RiskUse() {
  std::vector<AccountUse> out;
  if (risk_ == nullptr) return out;
  MutexLock lock(mu_);
  std::set<std::string, std::less<>> accounts;
  for (const auto& [name, limits] : risk_->limits().accounts) {
    accounts.insert(name);
  }
  for (const auto& [name, state] : risk_->state().accounts) {
    accounts.insert(name);
  }
  for (const std::string& name : accounts) {
    const risk::AccountLimits& limits = risk_->limits().Account(name);
    AccountUse use;
    use.account = name;
    use.cash_limit = limits.cash;
    use.available = risk_->AvailableCash(name);
    use.max_open_orders = limits.max_open_orders;
    const auto it = risk_->state().accounts.find(name);
    if (it != risk_->state().accounts.end()) {
      const risk::AccountState& state = it->second;
      use.net_cash = state.net_cash;
      use.reserved = state.reserved;
      use.open_orders = state.open_orders;
      for (const auto& [symbol, e] : state.symbols) {
        const risk::PositionLimit& p = limits.PositionFor(symbol);
        use.positions.push_back(PositionStatus{symbol, e.position, e.open_buy,
                                               e.open_sell, p.max_long,
                                               p.max_short});
      }
    }
    out.push_back(std::move(use));
  }
  return out;
}

risk::KillSwitches GatewayApplication::KillSwitches() {
  if (risk_ == nullptr) return {};
  MutexLock lock(mu_);
  return risk_->state().kill;
}

OrderRouter::OrderCounts GatewayApplication::CountOrders() {
  MutexLock lock(mu_);
  return router_.CountOrders();
}

Result<int> GatewayApplication::SendOutbox(const std::vector<Output>& outputs,
                                           store::SessionStore& sessions) {
  MutexLock lock(mu_);
  // First each output's session and key, then one pass over each session's
  // stored messages for all its keys (the store has no index by key), then
  // what is missing, in output order.
  struct Keyed {
    const Output* out;
    FIX::SessionID target;
    std::string session;
    std::string key;
  };
  std::vector<Keyed> keyed;
  std::map<std::string, std::vector<std::string>> keys_of;
  std::map<std::string, Timestamp> created_of;
  for (const Output& out : outputs) {
    const auto* b = std::get_if<ToBroker>(&out.action);
    FIX::SessionID target = ExchangeSessionOf(out.action);
    if (b != nullptr) target.fromString(b->session);
    std::string session = target.toString();
    const FIX::Message msg =
        EncodeAction(out.action, OptionsOf(session).dialect);
    std::string key = fix::OutputKey(msg.toString());
    if (key.empty()) continue;
    auto created = created_of.find(session);
    if (created == created_of.end()) {
      Result<Timestamp> t = sessions.CreationTime(session);
      if (!t.ok()) return t.status();
      created = created_of.emplace(session, *t).first;
    }
    if (out.at < created->second) continue;
    keys_of[session].push_back(key);
    keyed.push_back({&out, target, std::move(session), std::move(key)});
  }
  std::map<std::string, std::set<std::string>> missing_of;
  for (const auto& [session, keys] : keys_of) {
    Result<std::vector<std::string>> missing =
        sessions.MissingOutgoing(session, keys);
    if (!missing.ok()) return missing.status();
    missing_of[session].insert(missing->begin(), missing->end());
  }
  int sent = 0;  // before the sessions start: sent directly
  for (const Keyed& k : keyed) {
    // Erased once sent: QuickFIX stores it, so a second output with the
    // same key finds it stored, as a lookup after the send would.
    if (missing_of[k.session].erase(k.key) == 0) continue;
    spdlog::warn(
        "outbox: {} was journaled but never sent to {}: sending it now", k.key,
        k.session);
    FIX::Message msg =
        EncodeAction(k.out->action, OptionsOf(k.session).dialect);
    if (!FIX::Session::sendToTarget(msg, k.target)) {
      return Status::Internal("outbox: cannot hand " + k.key + " to " +
                              k.session);
    }
    ++sent;
  }
  return sent;
}

// ---- security (issue 7): logon authentication and denials.

void GatewayApplication::AuthenticateLogon(const FIX::Message& msg,
                                           const FIX::SessionID& id) {
  if (auth_ == nullptr || VenueOf(id) != nullptr ||
      HeaderField(msg, tag::MsgType) != "A") {
    return;
  }
  const std::string session = id.toString();
  std::optional<LogonRefusal> refusal =
      auth_->Check(session, fix::FieldText(msg, tag::Username),
                   fix::FieldText(msg, tag::Password));
  if (!refusal) return;
  spdlog::warn("logon refused session={} reason={}: {}", session,
               refusal->code, refusal->text);
  {
    DecisionScope decision(*this);  // journaled before QuickFIX answers
    JournalDenial({kLogonRefused, session, refusal->code, refusal->text,
                   fix::MaskPassword(Printable(msg))});
  }
  throw FIX::RejectLogon(refusal->text);
}

void GatewayApplication::NoteDenial(std::string kind, std::string session,
                                    std::string code, std::string detail) {
  // In fixgw's own log too, not only the journal: an operator reading the
  // log sees why a broker (unknown CompID, wrong FIX version, bad TLS) got
  // nowhere.
  spdlog::warn("{} {}{}: {}", kind == kLogonRefused ? "logon refused"
                                                    : "connection refused",
               code, session.empty() ? "" : " session=" + session,
               SanitizedForLog(detail));
  {
    MutexLock lock(control_mu_);
    noted_denials_.push_back({std::move(kind), std::move(session),
                              std::move(code), std::move(detail), ""});
    control_wake_ = true;
  }
  control_cv_.notify_all();
}

void GatewayApplication::JournalDenial(const Denial& d) {
  nlohmann::json payload = {{"code", d.code}, {"detail", d.detail}};
  Record(d.kind == kLogonRefused ? kLogonRefused : kConnectionRefused,
         d.session, "", d.raw_fix,
         // Details quote peers' bytes: never throw on invalid UTF-8 (the
         // bytes themselves are kept in raw_fix).
         payload.dump(-1, ' ', false,
                      nlohmann::json::error_handler_t::replace));
  metrics_.CountDenial(d.code);
}

std::map<std::string, uint64_t> GatewayApplication::denials() const {
  return metrics_.denials();
}

// ---- end of security (issue 7).

std::set<std::string> RiskFileAccounts(const risk::RiskLimits& limits) {
  std::set<std::string> accounts;
  for (const auto& [name, unused] : limits.accounts) accounts.insert(name);
  for (const auto& [name, session] : limits.sessions) {
    accounts.insert(session.allowed_accounts.begin(),
                    session.allowed_accounts.end());
  }
  accounts.insert(limits.default_session.allowed_accounts.begin(),
                  limits.default_session.allowed_accounts.end());
  accounts.erase("*");
  return accounts;
}

// ---- operator session control and cancels.

Admission GatewayApplication::AdmissionOf(const std::string& session) {
  MutexLock lock(admission_mu_);
  auto it = admission_.find(session);
  return it == admission_.end() ? Admission::kOpen : it->second;
}

void GatewayApplication::SetAdmission(const std::string& session,
                                      Admission admission) {
  MutexLock lock(admission_mu_);
  if (admission == Admission::kOpen) {
    admission_.erase(session);
  } else {
    admission_[session] = admission;
  }
}

void GatewayApplication::CheckAdmission(const FIX::Message& msg,
                                        const FIX::SessionID& id) {
  if (VenueOf(id) != nullptr || HeaderField(msg, tag::MsgType) != "A") return;
  const std::string session = id.toString();
  const Admission admission = AdmissionOf(session);
  if (admission == Admission::kOpen) return;
  const bool disabled = admission == Admission::kDisabled;
  const std::string text =
      disabled ? "session disabled by the gateway operator: logons are "
                 "refused until it is enabled"
               : "session logged out by the gateway operator: logons are "
                 "refused until the operator logs it on";
  spdlog::warn("logon refused session={}: {}", session, text);
  {
    DecisionScope decision(*this);  // journaled before QuickFIX answers
    JournalDenial({kLogonRefused, session,
                   disabled ? "session_disabled" : "session_logged_out", text,
                   fix::MaskPassword(Printable(msg))});
  }
  throw FIX::RejectLogon(text);
}

void GatewayApplication::JournalSessionControl(const std::string& session,
                                               const std::string& payload) {
  DecisionScope decision(*this);
  Record(kSessionControl, session, "", "", payload);
}

Result<GatewayApplication::CancelOrderResult> GatewayApplication::CancelOrder(
    const std::string& exch_cl_ord_id, const std::string& session,
    const std::string& cl_ord_id, const std::string& account,
    const std::string& source, const std::string& reason) {
  DecisionScope decision(*this);
  SyncExchangeState();
  std::optional<OrderSnapshot> order;
  if (exch_cl_ord_id.empty()) {
    order = router_.FindOrder(session, cl_ord_id);
    if (!order) {
      return Status::NotFound("no order with ClOrdID '" + cl_ord_id +
                              "' on session " + session);
    }
  } else {
    for (OrderSnapshot& s : router_.Orders()) {
      if (s.exch_cl_ord_id == exch_cl_ord_id) order = std::move(s);
    }
  }
  if (order && !account.empty() && order->account != account) {
    return Status::NotFound("order " + order->exch_cl_ord_id +
                            " is not account " + account + "'s (it is " +
                            order->account + "'s)");
  }
  Result<JournalEvent> event = router_.DecideOperatorCancel(
      order ? order->exch_cl_ord_id : exch_cl_ord_id, source, reason);
  if (!event.ok()) return event.status();
  const auto& op = std::get<OperatorCancelRequested>(*event);
  CancelOrderResult result;
  result.exch_cl_ord_id = op.cancel.orig_exch_cl_ord_id;
  result.cancel_exch_cl_ord_id = op.cancel.exch_cl_ord_id;
  if (order) {
    result.session = order->session;
    result.cl_ord_id = order->cl_ord_id;
  }
  spdlog::warn("operator cancel of {} (session={} ClOrdID={}) by {}{}",
               result.exch_cl_ord_id, result.session, result.cl_ord_id, source,
               reason.empty() ? "" : " (" + reason + ")");
  Process(*event, "", Now());
  return result;
}

Status RecoverFromJournal(store::Journal& journal, OrderRouter& router,
                          std::vector<GatewayApplication::Output>* outbox,
                          std::set<std::string>* disabled_sessions) {
  Status failure;
  int64_t events = 0;
  const int64_t window_start = journal.last_seq() - kOutboxWindow;
  Status st = journal.ForEach(0, [&](const store::JournalEntry& entry) {
    if (disabled_sessions != nullptr) {
      TrackDisabledSessions(entry.kind, entry.session, entry.payload,
                            *disabled_sessions);
    }
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
  spdlog::info("recovered {} events from {}, {} orders", events,
               journal.path(), router.Orders().size());
  // The previous run ended without logging a venue out (a crash).
  std::vector<store::JournalEntry> entries;
  for (const VenueName& venue : router.VenuesUp()) {
    JournalEvent down =
        ExchangeSessionChanged(false, true, "", router.JournaledVenue(venue));
    router.Apply(down, Now());
    store::JournalEntry e;
    e.time = Now();
    e.kind = std::string(KindName(down));
    e.payload = EncodeEvent(down);
    entries.push_back(std::move(e));
  }
  return entries.empty() ? Status::Ok() : journal.Append(entries);
}

}  // namespace fixgw::gw
