#include "tests/fuzz/fuzz_support.h"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <variant>

#include "gateway/fix/convert.h"
#include "gateway/fixgw/encode_action.h"
#include "gateway/router/journal_events.h"

namespace fixgw::fuzz {
namespace {

namespace tag = FIX::FIELD;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what.c_str());
  std::abort();
}

std::string HeaderField(const FIX::Message& msg, int t) {
  return msg.getHeader().isSetField(t) ? msg.getHeader().getField(t) : "";
}

// GatewayApplication's PartialOrder (gateway_app.cc): the fields of a
// NewOrderSingle that failed decoding, for the reject.
NewOrder PartialOrder(const FIX::Message& msg) {
  NewOrder o;
  o.cl_ord_id = fix::FieldText(msg, tag::ClOrdID).value_or("");
  o.account = fix::FieldText(msg, tag::Account).value_or("");
  o.symbol = fix::FieldText(msg, tag::Symbol).value_or("");
  std::string side = fix::FieldText(msg, tag::Side).value_or("");
  if (side.size() == 1) o.side = SideFromFix(side[0]).value_or(fixgw::Side::kBuy);
  if (auto q = ParseQty(fix::FieldText(msg, tag::OrderQty).value_or(""))) {
    o.qty = *q;
  }
  return o;
}

// GatewayApplication::FromBroker after its locks: the event for one broker
// application message, or nullopt when QuickFIX answers it
// (BusinessMessageReject) or the resend is ignored.
std::optional<gw::JournalEvent> DecideBroker(Gateway& gw,
                                             const FIX::Message& msg,
                                             const std::string& type,
                                             Timestamp now) {
  if (type != "D" && type != "F" && type != "G" && type != "H") {
    return std::nullopt;  // UnsupportedMessageType -> 35=j
  }
  const bool poss_dup = HeaderField(msg, tag::PossDupFlag) == "Y" ||
                        HeaderField(msg, tag::PossResend) == "Y";
  const std::string cl_ord_id = fix::FieldText(msg, tag::ClOrdID).value_or("");
  if (poss_dup && gw.router.KnowsClOrdId(kBroker, cl_ord_id)) {
    return std::nullopt;
  }
  if (type == "D") {
    auto decoded = fix::DecodeNewOrder(msg);
    if (auto* order = std::get_if<NewOrder>(&decoded)) {
      return gw.router.DecideNewOrder(kBroker, *order, now);
    }
    return gw.router.DecideUndecodableOrder(kBroker, PartialOrder(msg),
                                            std::get<Rejection>(decoded));
  }
  if (type == "F" || type == "G") {
    const bool is_replace = type == "G";
    std::optional<Rejection> failure;
    if (is_replace) {
      auto decoded = fix::DecodeReplaceRequest(msg);
      if (auto* r = std::get_if<ReplaceRequest>(&decoded)) {
        return gw.router.DecideReplace(kBroker, *r, now);
      }
      failure = std::get<Rejection>(decoded);
    } else {
      auto decoded = fix::DecodeCancelRequest(msg);
      if (auto* c = std::get_if<CancelRequest>(&decoded)) {
        return gw.router.DecideCancel(kBroker, *c);
      }
      failure = std::get<Rejection>(decoded);
    }
    return gw.router.DecideUndecodableCancelReplace(
        kBroker, is_replace, cl_ord_id,
        fix::FieldText(msg, tag::OrigClOrdID).value_or(""), *failure);
  }
  auto decoded = fix::DecodeStatusRequest(msg);
  StatusRequest request;
  if (auto* s = std::get_if<StatusRequest>(&decoded)) {
    request = *s;
  } else {
    request.cl_ord_id = cl_ord_id;
  }
  return gw.router.DecideStatus(kBroker, request);
}

// GatewayApplication::FromExchange: 8 and 9 become events unless their
// ExecID / refused request was already applied; the rest is only recorded.
std::optional<gw::JournalEvent> DecideExchange(Gateway& gw,
                                               const FIX::Message& msg,
                                               const std::string& type) {
  if (type == "8") {
    auto decoded = fix::DecodeExecutionReport(msg);
    if (auto* r = std::get_if<ExecutionReport>(&decoded)) {
      if (gw.router.KnowsExecId(r->exec_id)) return std::nullopt;
      return gw::ExchangeReportReceived{*r};
    }
    return std::nullopt;
  }
  if (type == "9") {
    auto decoded = fix::DecodeCancelReject(msg);
    if (auto* c = std::get_if<CancelReject>(&decoded)) {
      if (gw.router.KnowsCancelReject(c->cl_ord_id)) return std::nullopt;
      return gw::ExchangeCancelRejectReceived{*c};
    }
  }
  return std::nullopt;
}

constexpr const char* kLimits = R"(
[defaults.account]
cash = "1000000"
max_order_qty = 5000
max_order_notional = "500000"
max_open_orders = 20
max_long = 20000
max_short = 1000
short_selling = true
max_short_qty = 500
[defaults.symbol]
collar_bps = 2000
[defaults.session]
allowed_accounts = ["ACC1", "ACC2"]
orders_per_second = 1000
burst = 50
[accounts.ACC2]
cash = "50000.50"
restricted_symbols = ["MSFT"]
[accounts.ACC2.positions.AAPL]
max_long = 300
max_short = 100
[symbols.AAPL]
reference_price = "100.00"
[symbols.MSFT]
reference_price = "250.00"
tick = "0.05"
collar_ticks = 40
)";

}  // namespace

const FIX::DataDictionary& Dictionary() {
  static const FIX::DataDictionary* dd = [] {
    try {
      return new FIX::DataDictionary(FIXGW_FIX44_XML);
    } catch (const std::exception& e) {
      Fail(std::string("cannot load " FIXGW_FIX44_XML ": ") + e.what());
    }
  }();
  return *dd;
}

const risk::RiskLimits& ExampleLimits() {
  static const risk::RiskLimits* limits = [] {
    auto parsed = risk::ParseRiskLimits(kLimits, "fuzz limits");
    if (!parsed.ok()) Fail(parsed.status().message());
    return new risk::RiskLimits(std::move(*parsed));
  }();
  return *limits;
}

Gateway::Gateway() : risk(ExampleLimits()), router({"GW", {}}, &risk) {
  ApplyChecked(*this, gw::ExchangeSessionChanged{true}, Tick());
}

Timestamp Gateway::Tick() {
  // 2026-11-27T00:00:00Z plus 7 ms per message: the throttle refills.
  clock_ms += 7;
  return Timestamp(std::chrono::milliseconds(1'795'737'600'000 + clock_ms));
}

void ApplyChecked(Gateway& gw, const gw::JournalEvent& event, Timestamp at) {
  const std::string payload = gw::EncodeEvent(event);
  auto decoded = gw::DecodeEvent(payload);
  if (!decoded.ok()) {
    Fail("journal payload does not decode: " + decoded.status().message() +
         ": " + payload);
  }
  if (gw::EncodeEvent(*decoded) != payload) {
    Fail("journal payload changes in a round trip: " + payload);
  }
  for (const gw::Action& action : gw.router.Apply(event, at)) {
    FIX::Message out = gw::EncodeAction(action);
    (void)out.toString();
  }
}

void FeedStream(Gateway& gw, Peer peer, const uint8_t* data, size_t size,
                int max_messages) {
  FIX::Parser parser;
  parser.addToStream(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < max_messages; ++i) {
    std::string raw;
    try {
      if (!parser.readFixMessage(raw)) return;
    } catch (const FIX::MessageParseError&) {
      return;  // the socket reader disconnects
    }
    std::optional<FIX::Message> msg;
    std::string type;
    try {
      // Session::next: parse with the session dictionary (groups by the
      // dictionary, length and checksum checked), then validate.
      msg.emplace(raw, Dictionary(), true);
      type = HeaderField(*msg, tag::MsgType);
      Dictionary().validate(*msg);
    } catch (const FIX::Exception&) {
      continue;  // Reject (35=3) or disconnect; nothing reaches fixgw
    }
    if (!msg->isApp()) continue;  // session-level: QuickFIX's business
    const Timestamp now = gw.Tick();
    std::optional<gw::JournalEvent> event =
        peer == Peer::kBroker ? DecideBroker(gw, *msg, type, now)
                              : DecideExchange(gw, *msg, type);
    if (event) ApplyChecked(gw, *event, now);
  }
}

}  // namespace fixgw::fuzz
