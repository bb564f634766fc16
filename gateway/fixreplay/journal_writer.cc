#include "gateway/fixreplay/journal_writer.h"

#include <type_traits>
#include <utility>
#include <variant>

#include "gateway/core/clock.h"
#include "gateway/core/session_name.h"

namespace fixgw::replay::testing {
namespace {

class Fix {
 public:
  Fix(std::string_view msg_type, std::string_view target, Timestamp at) {
    out_ = "8=FIX.4.4|9=0|35=";
    out_.append(msg_type);
    out_ += "|49=GW|56=";
    out_.append(target);
    out_ += "|34=0|52=" + FormatFixTimestamp(at) + "|";
  }
  Fix& F(int tag, std::string_view value) {
    out_ += std::to_string(tag) + "=";
    out_.append(value);
    out_ += '|';
    return *this;
  }
  Fix& Opt(int tag, std::string_view value) {
    return value.empty() ? *this : F(tag, value);
  }
  Fix& C(int tag, char value) { return F(tag, std::string_view(&value, 1)); }
  Fix& Px(int tag, const std::optional<Price>& price) {
    return price ? F(tag, FormatPrice(*price)) : *this;
  }
  std::string Done() { return out_ + "10=000|"; }

 private:
  std::string out_;
};

std::string TargetOf(const gw::SessionKey& session) {
  return std::string(SessionShortName(session));
}

struct Keys {
  std::string session, cl_ord_id, exch_cl_ord_id;
};

// The journal columns of an event, as fixgw fills them.
Keys KeysOf(const gw::JournalEvent& event) {
  return std::visit(
      [](const auto& e) -> Keys {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, gw::NewOrderAccepted>) {
          return {e.session, e.order.cl_ord_id, e.exch_cl_ord_id};
        } else if constexpr (std::is_same_v<T, gw::NewOrderRejected>) {
          return {e.session, e.order.cl_ord_id, ""};
        } else if constexpr (std::is_same_v<T, gw::CancelReplaceForwarded>) {
          return {e.session,
                  e.is_replace ? e.replace.cl_ord_id : e.cancel.cl_ord_id,
                  e.exch_cl_ord_id};
        } else if constexpr (std::is_same_v<T, gw::CancelReplaceRejected>) {
          return {e.session, e.reject.cl_ord_id, ""};
        } else if constexpr (std::is_same_v<T, gw::StatusAnswered>) {
          return {e.session, e.request.cl_ord_id, ""};
        } else if constexpr (std::is_same_v<T, gw::ExchangeReportReceived>) {
          return {"", "", e.report.cl_ord_id};
        } else if constexpr (std::is_same_v<T,
                                            gw::ExchangeCancelRejectReceived>) {
          return {"", "", e.reject.cl_ord_id};
        } else if constexpr (std::is_same_v<T, gw::MassCancelRequested>) {
          return {e.session, e.request.cl_ord_id, ""};
        } else if constexpr (std::is_same_v<T, gw::CancelOnDisconnectFired>) {
          return {e.session, "", ""};
        } else {
          return {};
        }
      },
      event);
}

}  // namespace

std::string FixTextOf(const gw::Action& action, Timestamp at) {
  const bool to_broker = std::holds_alternative<gw::ToBroker>(action);
  const std::string target =
      to_broker ? TargetOf(std::get<gw::ToBroker>(action).session) : "SIM";
  auto encode = [&](const auto& m) -> std::string {
    using T = std::decay_t<decltype(m)>;
    if constexpr (std::is_same_v<T, NewOrder>) {
      return Fix("D", target, at)
          .F(11, m.cl_ord_id)
          .Opt(1, m.account)
          .F(55, m.symbol)
          .C(54, ToFix(m.side))
          .F(38, FormatQty(m.qty))
          .C(40, ToFix(m.ord_type))
          .Px(44, m.price)
          .C(59, ToFix(m.tif))
          .F(60, FormatFixTimestamp(m.transact_time))
          .Done();
    } else if constexpr (std::is_same_v<T, CancelRequest>) {
      return Fix("F", target, at)
          .F(11, m.cl_ord_id)
          .F(41, m.orig_cl_ord_id)
          .Opt(37, m.order_id)
          .F(55, m.symbol)
          .C(54, ToFix(m.side))
          .F(60, FormatFixTimestamp(m.transact_time))
          .Done();
    } else if constexpr (std::is_same_v<T, ReplaceRequest>) {
      return Fix("G", target, at)
          .F(11, m.cl_ord_id)
          .F(41, m.orig_cl_ord_id)
          .Opt(37, m.order_id)
          .Opt(1, m.account)
          .F(55, m.symbol)
          .C(54, ToFix(m.side))
          .F(38, FormatQty(m.qty))
          .C(40, ToFix(m.ord_type))
          .Px(44, m.price)
          .C(59, ToFix(m.tif))
          .F(60, FormatFixTimestamp(m.transact_time))
          .Done();
    } else if constexpr (std::is_same_v<T, ExecutionReport>) {
      Fix f("8", target, at);
      f.F(37, m.order_id).F(11, m.cl_ord_id).Opt(41, m.orig_cl_ord_id);
      f.F(17, m.exec_id).C(150, ToFix(m.exec_type)).C(39, ToFix(m.ord_status));
      f.Opt(1, m.account).F(55, m.symbol).C(54, ToFix(m.side));
      f.F(38, FormatQty(m.order_qty)).Px(44, m.price);
      f.F(32, FormatQty(m.last_qty)).F(31, FormatPrice(m.last_px));
      f.F(14, FormatQty(m.cum_qty)).F(151, FormatQty(m.leaves_qty));
      f.F(6, FormatPrice(m.avg_px));
      if (m.ord_rej_reason) f.F(103, std::to_string(ToFix(*m.ord_rej_reason)));
      f.Opt(58, m.text).F(60, FormatFixTimestamp(m.transact_time));
      return f.Done();
    } else if constexpr (std::is_same_v<T, MassCancelReport>) {
      Fix f("r", target, at);
      f.Opt(11, m.cl_ord_id).F(37, m.order_id).C(530, m.req_type);
      f.C(531, m.response);
      if (m.reject_reason) f.F(532, std::to_string(*m.reject_reason));
      f.F(533, std::to_string(m.affected.size()));
      if (!m.affected.empty()) {
        f.F(534, std::to_string(m.affected.size()));
        for (const MassCancelReport::Affected& a : m.affected) {
          f.F(41, a.orig_cl_ord_id).Opt(535, a.order_id);
        }
      }
      f.Opt(55, m.symbol).Opt(58, m.text);
      f.F(60, FormatFixTimestamp(m.transact_time));
      return f.Done();
    } else {
      static_assert(std::is_same_v<T, CancelReject>);
      return Fix("9", target, at)
          .F(37, m.order_id)
          .F(11, m.cl_ord_id)
          .F(41, m.orig_cl_ord_id)
          .C(39, ToFix(m.ord_status))
          .C(434, ToFix(m.response_to))
          .F(102, std::to_string(ToFix(m.reason)))
          .Opt(58, m.text)
          .F(60, FormatFixTimestamp(m.transact_time))
          .Done();
    }
  };
  return std::visit(
      [&](const auto& a) { return std::visit(encode, a.message); }, action);
}

JournalWriter::JournalWriter(std::unique_ptr<store::Journal> journal,
                             size_t batch)
    : journal_(std::move(journal)),
      router_(gw::OrderRouter::Options{}, nullptr),
      batch_(batch == 0 ? 1 : batch) {}

Result<std::unique_ptr<JournalWriter>> JournalWriter::Create(
    const std::string& path, size_t batch) {
  auto journal = store::Journal::Open(path, store::SyncMode::kNormal);
  if (!journal.ok()) return journal.status();
  return std::unique_ptr<JournalWriter>(
      new JournalWriter(std::move(*journal), batch));
}

Status JournalWriter::Add(store::JournalEntry entry) {
  pending_.push_back(std::move(entry));
  if (pending_.size() >= batch_) return Flush();
  return Status::Ok();
}

Status JournalWriter::Flush() {
  if (pending_.empty()) return Status::Ok();
  Status st = journal_->Append(pending_);
  pending_.clear();
  return st;
}

Status JournalWriter::Raw(store::JournalEntry entry) {
  return Add(std::move(entry));
}

Status JournalWriter::Process(const gw::JournalEvent& event, Timestamp at,
                              const std::string& raw_fix) {
  std::vector<gw::Action> actions = router_.Apply(event, at);
  Keys keys = KeysOf(event);
  store::JournalEntry head;
  head.time = at;
  head.kind = std::string(gw::KindName(event));
  head.session = keys.session;
  head.cl_ord_id = keys.cl_ord_id;
  head.exch_cl_ord_id = keys.exch_cl_ord_id;
  head.payload = gw::EncodeEvent(event);
  head.raw_fix = raw_fix;
  if (Status st = Add(std::move(head)); !st.ok()) return st;
  for (const gw::Action& action : actions) {
    store::JournalEntry e;
    e.time = at;
    e.payload = "{}";
    e.raw_fix = FixTextOf(action, at);
    if (const auto* b = std::get_if<gw::ToBroker>(&action)) {
      e.kind = "SentToBroker";
      e.session = b->session;
      e.cl_ord_id =
          std::visit([](const auto& m) { return m.cl_ord_id; }, b->message);
    } else {
      e.kind = "SentToExchange";
      e.exch_cl_ord_id = std::visit([](const auto& m) { return m.cl_ord_id; },
                                    std::get<gw::ToExchange>(action).message);
    }
    if (Status st = Add(std::move(e)); !st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace fixgw::replay::testing
