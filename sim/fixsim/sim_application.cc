#include "sim/fixsim/sim_application.h"

#include <fmt/format.h>

#include <type_traits>

#include "gateway/core/clock.h"
#include "gateway/fix/convert.h"

namespace fixgw::sim {
namespace {

using fix::Rejection;

std::string MsgType(const FIX::Message& msg) {
  return msg.getHeader().isSetField(FIX::FIELD::MsgType)
             ? msg.getHeader().getField(FIX::FIELD::MsgType)
             : std::string();
}

}  // namespace

SimApplication::SimApplication(const SimConfig& config,
                               std::unique_ptr<RequestLedger> ledger)
    : faults_(config.faults), engine_(config.engine), ledger_(std::move(ledger)) {
  if (faults_.ack_delay.count() > 0) {
    sender_ = std::thread([this] { SenderLoop(); });
  }
}

SimApplication::~SimApplication() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (sender_.joinable()) sender_.join();
}

void SimApplication::onLogon(const FIX::SessionID& id) {
  std::lock_guard lock(mu_);
  owners_.insert_or_assign(id.toString(), id);
  app_messages_[id.toString()] = 0;
  fmt::print(stderr, "fixsim: {} logged on\n", id.toString());
}

void SimApplication::onLogout(const FIX::SessionID& id) {
  fmt::print(stderr, "fixsim: {} logged out\n", id.toString());
}

void SimApplication::fromApp(const FIX::Message& msg,
                             const FIX::SessionID& id) {
  const std::string type = MsgType(msg);
  if (type != "D" && type != "F" && type != "G" && type != "H") {
    throw FIX::UnsupportedMessageType();
  }
  const OwnerId owner = id.toString();
  const Timestamp now = Now();

  std::lock_guard lock(mu_);
  owners_.insert_or_assign(owner, id);
  const std::string cl_ord_id =
      ledger_ != nullptr && type != "H"
          ? fix::FieldText(msg, FIX::FIELD::ClOrdID).value_or("")
          : std::string();
  // A request without ClOrdID is not remembered: the engine refuses it.
  if (!cl_ord_id.empty()) {
    const bool poss_dup =
        msg.getHeader().isSetField(FIX::FIELD::PossDupFlag) &&
        msg.getHeader().getField(FIX::FIELD::PossDupFlag) == "Y";
    if (poss_dup && ledger_->Contains(owner, cl_ord_id)) {
      fmt::print(stderr,
                 "fixsim: {}: 35={} 11={} with PossDupFlag=Y was taken "
                 "before: ignored\n",
                 owner, type, cl_ord_id);
      return;
    }
    // Recorded before the engine sees it: a kill after this line can lose
    // the answer (as it loses the book), never take the request twice.
    if (Status s = ledger_->Record(owner, cl_ord_id); !s.ok()) {
      fmt::print(stderr, "fixsim: {}\n", s.message());
    }
  }
  std::vector<Outbound> out;
  if (type == "D") {
    auto decoded = fix::DecodeNewOrder(msg);
    if (auto* order = std::get_if<NewOrder>(&decoded)) {
      out = engine_.OnNewOrder(owner, *order, now);
    } else {
      out.push_back(Outbound{
          owner, UndecodableReport(msg, ExecType::kRejected,
                                   std::get<Rejection>(decoded), now)});
    }
  } else if (type == "F" || type == "G") {
    const bool is_cancel = type == "F";
    std::variant<CancelRequest, ReplaceRequest, Rejection> decoded;
    if (is_cancel) {
      std::visit([&](auto&& v) { decoded = v; }, fix::DecodeCancelRequest(msg));
    } else {
      std::visit([&](auto&& v) { decoded = v; }, fix::DecodeReplaceRequest(msg));
    }
    if (auto* c = std::get_if<CancelRequest>(&decoded)) {
      out = engine_.OnCancel(owner, *c, now);
    } else if (auto* r = std::get_if<ReplaceRequest>(&decoded)) {
      out = engine_.OnReplace(owner, *r, now);
    } else {
      CancelReject cr;
      cr.order_id = "NONE";
      cr.cl_ord_id = fix::FieldText(msg, FIX::FIELD::ClOrdID).value_or("");
      cr.orig_cl_ord_id =
          fix::FieldText(msg, FIX::FIELD::OrigClOrdID).value_or("");
      cr.ord_status = OrdStatus::kRejected;
      cr.response_to =
          is_cancel ? CxlRejResponseTo::kCancel : CxlRejResponseTo::kReplace;
      cr.reason = CxlRejReason::kOther;
      cr.text = std::get<Rejection>(decoded).text;
      cr.transact_time = now;
      out.push_back(Outbound{owner, cr});
    }
  } else {  // H
    auto decoded = fix::DecodeStatusRequest(msg);
    if (auto* s = std::get_if<StatusRequest>(&decoded)) {
      out = engine_.OnStatus(owner, *s, now);
    } else {
      out.push_back(Outbound{
          owner, UndecodableReport(msg, ExecType::kOrderStatus,
                                   std::get<Rejection>(decoded), now)});
    }
  }
  Dispatch(out);

  int& count = app_messages_[owner];
  ++count;
  if (faults_.drop_after_messages > 0 &&
      count >= faults_.drop_after_messages) {
    count = 0;
    if (FIX::Session* session = FIX::Session::lookupSession(id)) {
      fmt::print(stderr, "fixsim: fault mode: dropping {} after {} messages\n",
                 owner, faults_.drop_after_messages);
      session->disconnect();
    }
  }
}

void SimApplication::Dispatch(const std::vector<Outbound>& out) {
  for (const Outbound& o : out) {
    auto it = owners_.find(o.owner);
    if (it == owners_.end()) continue;  // owner never logged on: cannot route
    FIX::Message message = std::visit(
        [](const auto& m) -> FIX::Message {
          if constexpr (std::is_same_v<std::decay_t<decltype(m)>,
                                       ExecutionReport>) {
            return fix::EncodeExecutionReport(m);
          } else {
            return fix::EncodeCancelReject(m);
          }
        },
        o.message);
    Send(std::move(message), it->second);
  }
}

void SimApplication::Send(FIX::Message message, const FIX::SessionID& session) {
  if (faults_.ack_delay.count() > 0) {
    pending_.push_back(Pending{
        std::chrono::steady_clock::now() + faults_.ack_delay, session,
        std::move(message)});
    cv_.notify_one();
    return;
  }
  // A session that is not logged on stores the message; the peer gets it by
  // ResendRequest when it reconnects.
  FIX::Session::sendToTarget(message, session);
}

ExecutionReport SimApplication::UndecodableReport(const FIX::Message& msg,
                                                  ExecType exec_type,
                                                  const Rejection& why,
                                                  Timestamp now) {
  ExecutionReport er;
  er.order_id = "NONE";
  er.exec_id = NextRejectExecId();
  er.exec_type = exec_type;
  er.ord_status = OrdStatus::kRejected;
  er.cl_ord_id = fix::FieldText(msg, FIX::FIELD::ClOrdID).value_or("");
  er.symbol = fix::FieldText(msg, FIX::FIELD::Symbol).value_or("");
  er.account = fix::FieldText(msg, FIX::FIELD::Account).value_or("");
  const std::string side = fix::FieldText(msg, FIX::FIELD::Side).value_or("");
  if (side.size() == 1) er.side = SideFromFix(side[0]).value_or(Side::kBuy);
  er.ord_rej_reason = why.reason;
  er.text = why.text;
  er.transact_time = now;
  return er;
}

std::string SimApplication::NextRejectExecId() {
  return fmt::format("R{}", ++reject_exec_ids_);
}

void SimApplication::SenderLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
    if (stopping_) return;
    Pending& next = pending_.front();
    if (cv_.wait_until(lock, next.due, [&] { return stopping_; })) return;
    Pending item = std::move(pending_.front());
    pending_.pop_front();
    if (post_) {
      // The sessions belong to the loop thread: it sends.
      post_([message = std::move(item.message),
             session = std::move(item.session)]() mutable {
        FIX::Session::sendToTarget(message, session);
      });
    } else {
      FIX::Session::sendToTarget(item.message, item.session);
    }
  }
}

}  // namespace fixgw::sim
