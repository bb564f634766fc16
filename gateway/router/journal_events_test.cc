#include "gateway/router/journal_events.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <tuple>
#include <vector>

namespace fixgw::gw {
namespace {

Timestamp At(int64_t micros) {
  return Timestamp(std::chrono::microseconds(micros));
}
Price Px(const char* text) { return *ParsePrice(text); }

// 2026-11-26 18:50:14.123456 UTC.
constexpr int64_t kT0 = 1'795'719'014'123'456;

// ---- deep equality (the codec must keep every field) ----------------------

auto Tie(const NewOrder& o) {
  return std::tie(o.cl_ord_id, o.account, o.symbol, o.side, o.ord_type, o.tif,
                  o.qty, o.price, o.transact_time, o.extra);
}
auto Tie(const CancelRequest& c) {
  return std::tie(c.cl_ord_id, c.orig_cl_ord_id, c.order_id, c.symbol, c.side,
                  c.transact_time, c.extra);
}
auto Tie(const ReplaceRequest& r) {
  return std::tie(r.cl_ord_id, r.orig_cl_ord_id, r.order_id, r.account,
                  r.symbol, r.side, r.ord_type, r.tif, r.qty, r.price,
                  r.transact_time, r.extra);
}
auto Tie(const CancelReject& r) {
  return std::tie(r.order_id, r.cl_ord_id, r.orig_cl_ord_id, r.ord_status,
                  r.response_to, r.reason, r.text, r.transact_time, r.extra);
}
auto Tie(const StatusRequest& r) {
  return std::tie(r.cl_ord_id, r.order_id, r.symbol, r.side);
}
auto Tie(const ExecutionReport& r) {
  return std::tie(r.order_id, r.cl_ord_id, r.orig_cl_ord_id, r.exec_id,
                  r.exec_type, r.ord_status, r.account, r.symbol, r.side,
                  r.ord_type, r.tif, r.order_qty, r.price, r.last_qty,
                  r.last_px, r.cum_qty, r.leaves_qty, r.avg_px,
                  r.ord_rej_reason, r.text, r.exec_ref_id, r.transact_time,
                  r.extra);
}
auto Tie(const Rejection& r) { return std::tie(r.reason, r.text); }

bool Same(const NewOrderAccepted& a, const NewOrderAccepted& b) {
  return a.session == b.session && Tie(a.order) == Tie(b.order) &&
         a.exch_cl_ord_id == b.exch_cl_ord_id;
}
bool Same(const NewOrderRejected& a, const NewOrderRejected& b) {
  return a.session == b.session && Tie(a.order) == Tie(b.order) &&
         Tie(a.rejection) == Tie(b.rejection) && a.exec_id == b.exec_id;
}
bool Same(const CancelReplaceForwarded& a, const CancelReplaceForwarded& b) {
  return a.session == b.session && a.is_replace == b.is_replace &&
         Tie(a.cancel) == Tie(b.cancel) && Tie(a.replace) == Tie(b.replace) &&
         a.exch_cl_ord_id == b.exch_cl_ord_id &&
         a.orig_exch_cl_ord_id == b.orig_exch_cl_ord_id;
}
bool Same(const CancelReplaceRejected& a, const CancelReplaceRejected& b) {
  return a.session == b.session && Tie(a.reject) == Tie(b.reject);
}
bool Same(const StatusAnswered& a, const StatusAnswered& b) {
  return a.session == b.session && Tie(a.request) == Tie(b.request) &&
         a.exec_id == b.exec_id;
}
bool Same(const ExchangeReportReceived& a, const ExchangeReportReceived& b) {
  return Tie(a.report) == Tie(b.report);
}
bool Same(const ExchangeCancelRejectReceived& a,
          const ExchangeCancelRejectReceived& b) {
  return Tie(a.reject) == Tie(b.reject);
}
bool Same(const ExchangeSessionChanged& a, const ExchangeSessionChanged& b) {
  return a.up == b.up && a.responsive == b.responsive && a.reason == b.reason;
}

bool Same(const KillSwitchChanged& a, const KillSwitchChanged& b) {
  return a.scope.kind == b.scope.kind && a.scope.name == b.scope.name &&
         a.engaged == b.engaged && a.source == b.source &&
         a.reason == b.reason && a.cancels == b.cancels;
}
bool Same(const RiskLimitsLoaded& a, const RiskLimitsLoaded& b) {
  return a.source == b.source && a.text == b.text;
}
bool Same(const JournalContinued& a, const JournalContinued& b) {
  return a == b;
}
bool Same(const ExchangeRequestRefused& a, const ExchangeRequestRefused& b) {
  return a.exch_cl_ord_id == b.exch_cl_ord_id &&
         a.ref_msg_type == b.ref_msg_type && a.text == b.text &&
         a.exec_id == b.exec_id;
}
bool Same(const MassStatusAnswered& a, const MassStatusAnswered& b) {
  return a.session == b.session &&
         a.request.mass_status_req_id == b.request.mass_status_req_id &&
         a.request.req_type == b.request.req_type &&
         a.request.account == b.request.account &&
         a.request.symbol == b.request.symbol && a.since == b.since &&
         a.exec_id == b.exec_id && a.refusal == b.refusal;
}

bool Same(const OperatorCancelRequested& a, const OperatorCancelRequested& b) {
  return a == b;
}

bool Same(const MassCancelRequested& a, const MassCancelRequested& b) {
  const MassCancelRequest& x = a.request;
  const MassCancelRequest& y = b.request;
  return a.session == b.session && x.cl_ord_id == y.cl_ord_id &&
         x.req_type == y.req_type && x.symbol == y.symbol &&
         x.side == y.side && x.account == y.account &&
         x.transact_time == y.transact_time && a.order_id == b.order_id &&
         a.reject_reason == b.reject_reason && a.text == b.text &&
         a.cancels == b.cancels;
}

bool Same(const CancelOnDisconnectFired& a, const CancelOnDisconnectFired& b) {
  return a == b;
}

bool SameEvent(const JournalEvent& a, const JournalEvent& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& x) {
        return Same(x, std::get<std::decay_t<decltype(x)>>(b));
      },
      a);
}

// ---- sample events, every field set to a non-default value ----------------

NewOrder SampleOrder() {
  NewOrder o;
  o.cl_ord_id = "o-1";
  o.account = "ACC \"quoted\" \\ 1";
  o.symbol = "AAA";
  o.side = Side::kSellShort;
  o.ord_type = OrdType::kLimit;
  o.tif = TimeInForce::kIoc;
  o.qty = Qty(250);
  o.price = Px("101.000025");
  o.transact_time = At(kT0);
  // Pass-through fields keep their order, repeats (a group) and bytes.
  o.extra = {{21, "1"}, {100, "XNAS"}, {453, "2"}, {448, "TR1"}, {447, "D"},
             {448, "FIRM"}, {447, "D"}, {9001, std::string("\xff\x01x", 3)}};
  return o;
}

ExecutionReport SampleReport() {
  ExecutionReport r;
  r.order_id = "EX-9";
  r.cl_ord_id = "GW-3";
  r.orig_cl_ord_id = "GW-2";
  r.exec_id = "E-77";
  r.exec_type = ExecType::kTrade;
  r.ord_status = OrdStatus::kPartiallyFilled;
  r.account = "ACC1";
  r.symbol = "BBB";
  r.side = Side::kSell;
  r.ord_type = OrdType::kLimit;
  r.tif = TimeInForce::kFok;
  r.order_qty = Qty(300);
  r.price = Px("9.99");
  r.last_qty = Qty(120);
  r.last_px = Px("9.98");
  r.cum_qty = Qty(120);
  r.leaves_qty = Qty(180);
  r.avg_px = Px("9.981234");
  r.ord_rej_reason = OrdRejReason::kOther;
  r.text = "partial, unicode: \xc3\xa9";
  r.transact_time = At(kT0 + 5);
  return r;
}

CancelReject SampleCancelReject() {
  CancelReject r;
  r.order_id = "EX-9";
  r.cl_ord_id = "GW-4";
  r.orig_cl_ord_id = "GW-3";
  r.ord_status = OrdStatus::kPartiallyFilled;
  r.response_to = CxlRejResponseTo::kReplace;
  r.reason = CxlRejReason::kTooLateToCancel;
  r.text = "too late";
  r.transact_time = At(kT0 + 9);
  return r;
}

std::vector<JournalEvent> SampleEvents() {
  std::vector<JournalEvent> events;
  events.push_back(NewOrderAccepted{"FIX.4.4:GW->B1", SampleOrder(), "GW-1"});
  NewOrder market = SampleOrder();
  market.ord_type = OrdType::kMarket;
  market.price.reset();
  market.qty = Qty(-5);
  events.push_back(NewOrderRejected{
      "FIX.4.4:GW->B1", market,
      Rejection{OrdRejReason::kIncorrectQuantity, "order quantity must be > 0"},
      "GW-X1"});

  CancelReplaceForwarded cancel;
  cancel.session = "FIX.4.4:GW->B2";
  cancel.is_replace = false;
  cancel.cancel =
      CancelRequest{"c-1", "o-1", "EX-9", "AAA", Side::kBuy, At(kT0 + 1),
                    {{58, "tidy up"}}};
  cancel.exch_cl_ord_id = "GW-2";
  cancel.orig_exch_cl_ord_id = "GW-1";
  events.push_back(cancel);

  CancelReplaceForwarded replace;
  replace.session = "FIX.4.4:GW->B2";
  replace.is_replace = true;
  replace.replace.cl_ord_id = "r-1";
  replace.replace.orig_cl_ord_id = "o-1";
  replace.replace.order_id = "EX-9";
  replace.replace.account = "ACC1";
  replace.replace.symbol = "AAA";
  replace.replace.side = Side::kSell;
  replace.replace.ord_type = OrdType::kMarket;
  replace.replace.tif = TimeInForce::kDay;
  replace.replace.qty = Qty(75);
  replace.replace.transact_time = At(kT0 + 2);
  replace.exch_cl_ord_id = "GW-3";
  replace.orig_exch_cl_ord_id = "GW-1";
  events.push_back(replace);

  events.push_back(
      CancelReplaceRejected{"FIX.4.4:GW->B1", SampleCancelReject()});
  events.push_back(StatusAnswered{
      "FIX.4.4:GW->B1", StatusRequest{"o-1", "EX-9", "AAA", Side::kSell},
      "GW-X2"});
  events.push_back(ExchangeReportReceived{SampleReport()});

  ExecutionReport bare = SampleReport();
  bare.price.reset();
  bare.ord_rej_reason.reset();
  bare.last_px = Px("-0.000001");
  events.push_back(ExchangeReportReceived{bare});
  events.push_back(ExchangeCancelRejectReceived{SampleCancelReject()});
  events.push_back(ExchangeSessionChanged{true});
  events.push_back(ExchangeSessionChanged{false});
  events.push_back(KillSwitchChanged{
      risk::KillScope{risk::KillScope::Kind::kAccount, "ACC1"},
      true,
      "admin 127.0.0.1",
      "runaway algo",
      {GatewayCancel{"GW-1", "GW-5"}, GatewayCancel{"GW-3", "GW-6"}}});
  events.push_back(KillSwitchChanged{
      risk::KillScope{risk::KillScope::Kind::kGlobal, ""}, false, "admin", "",
      {}});
  events.push_back(RiskLimitsLoaded{
      "/etc/risk.toml", "[symbols.AAA]\nreference_price = \"10\"\n"});
  JournalContinued continued;
  continued.previous_file = "/var/lib/fixgw/2026-11-26.journal";
  continued.previous_last_seq = 4711;
  continued.previous_last_hash = std::string(64, 'a');
  continued.risk_source = "/etc/risk.toml by SIGHUP";
  continued.risk_text = "[symbols.AAA]\nreference_price = \"10\"\n";
  continued.kill_switches = {
      risk::KillScope{risk::KillScope::Kind::kGlobal, ""},
      risk::KillScope{risk::KillScope::Kind::kSession, "FIX.4.4:GW->B1"}};
  continued.accounts = {
      risk::CarriedAccount{"ACC1",
                           Notional::FromMicros(-1'234'567'890),
                           {{"AAA", Qty(300)}, {"BBB", Qty(-20)}}},
      risk::CarriedAccount{"ACC2", Notional::FromMicros(5), {}}};
  continued.exch_ids = 17;
  continued.exec_ids = 4;
  events.push_back(continued);
  ExecutionReport bust = SampleReport();
  bust.exec_type = ExecType::kTradeCancel;
  bust.exec_ref_id = "E-76";
  bust.extra = {{880, "M-1"}, {29, "1"}};
  events.push_back(ExchangeReportReceived{bust});
  events.push_back(ExchangeRequestRefused{"GW-5", 'G', "no such venue", "GW-X9"});
  events.push_back(MassStatusAnswered{
      "FIX.4.4:GW->B1", MassStatusRequest{"MS-1", 1, "ACC1", "AAA"}, At(kT0),
      "GW-X10", ""});
  events.push_back(MassStatusAnswered{"FIX.4.4:GW->B1", MassStatusRequest{},
                                      At(kT0), "GW-X11",
                                      "unsupported MassStatusReqType '2'"});
  // The liveness probe's verdict, with its reason.
  events.push_back(ExchangeSessionChanged{
      true, false, "silent for 5 s, TestRequest unanswered for 3 s"});
  events.push_back(OperatorCancelRequested{
      "admin token:ops from 127.0.0.1:5000", "stuck \"order\"",
      GatewayCancel{"GW-7", "GW-8"}});
  // A mass cancel accepted, with Side and Account, two cancels (one of an
  // order not yet acknowledged: no OrderID) ...
  MassCancelRequested mass;
  mass.session = "FIX.4.4:GW->B1";
  mass.request = MassCancelRequest{"MC-\"1\"", '1', "AAA", Side::kSell,
                                   "ACC1", At(kT0)};
  mass.order_id = "GW-M12";
  mass.cancels = {{GatewayCancel{"GW-2", "GW-9"}, "o-2", "EX-7"},
                  {GatewayCancel{"GW-3", "GW-10"}, "o-3", ""}};
  events.push_back(mass);
  // ... and one refused: no Side, a MassCancelRejectReason, no cancels.
  MassCancelRequested refused;
  refused.session = "FIX.4.4:GW->B1";
  refused.request.cl_ord_id = "MC-2";
  refused.request.req_type = '3';
  refused.order_id = "GW-M13";
  refused.reject_reason = 0;
  refused.text = "MassCancelRequestType '3' is not supported";
  events.push_back(refused);
  // Cancel-on-disconnect: two orders, one not acknowledged yet.
  events.push_back(CancelOnDisconnectFired{
      "FIX.4.4:GW->B1", "disconnect", 5,
      {{GatewayCancel{"GW-4", "GW-11"}, "o-\"4\"", "EX-8"},
       {GatewayCancel{"GW-5", "GW-12"}, "o-5", ""}}});
  return events;
}

std::string Replace(std::string s, const std::string& from,
                    const std::string& to) {
  auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from << " not in " << s;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

Status DecodeError(const std::string& json) {
  Result<JournalEvent> r = DecodeEvent(json);
  EXPECT_FALSE(r.ok()) << json;
  return r.status();
}

// ---- tests -----------------------------------------------------------------

TEST(JournalEventsTest, EveryEventKindRoundTripsWithEveryField) {
  for (const JournalEvent& event : SampleEvents()) {
    std::string json = EncodeEvent(event);
    Result<JournalEvent> decoded = DecodeEvent(json);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message() << "\n" << json;
    EXPECT_TRUE(SameEvent(event, *decoded)) << json;
    EXPECT_EQ(EncodeEvent(*decoded), json);
  }
}

// The encoder writes JSON text itself; it must be the text nlohmann's
// dump() gives (the format journals were written in), escapes included.
TEST(JournalEventsTest, TextIsWhatNlohmannWouldWrite) {
  std::vector<JournalEvent> events = SampleEvents();
  std::string every_byte;
  for (int c = 1; c < 0x80; ++c) every_byte += static_cast<char>(c);
  NewOrder odd = SampleOrder();
  odd.cl_ord_id = every_byte;
  odd.account = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";  // UTF-8 as is
  odd.symbol = "\xc3";                                     // cut: hex
  events.push_back(NewOrderAccepted{"S\t\"1\"\\", odd, "GW-\x7f"});
  for (const JournalEvent& event : events) {
    const std::string json = EncodeEvent(event);
    EXPECT_EQ(nlohmann::ordered_json::parse(json).dump(), json);
    Result<JournalEvent> decoded = DecodeEvent(json);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message() << "\n" << json;
    EXPECT_TRUE(SameEvent(event, *decoded)) << json;
  }
}

TEST(JournalEventsTest, KindNamesEveryEvent) {
  std::vector<std::string> names;
  for (const JournalEvent& event : SampleEvents()) {
    names.emplace_back(KindName(event));
  }
  EXPECT_EQ(
      names,
      (std::vector<std::string>{
          "NewOrderAccepted", "NewOrderRejected", "CancelReplaceForwarded",
          "CancelReplaceForwarded", "CancelReplaceRejected", "StatusAnswered",
          "ExchangeReportReceived", "ExchangeReportReceived",
          "ExchangeCancelRejectReceived", "ExchangeSessionChanged",
          "ExchangeSessionChanged", "KillSwitchChanged", "KillSwitchChanged",
          "RiskLimitsLoaded", "JournalContinued", "ExchangeReportReceived",
          "ExchangeRequestRefused", "MassStatusAnswered",
          "MassStatusAnswered", "ExchangeSessionChanged",
          "OperatorCancelRequested", "MassCancelRequested",
          "MassCancelRequested", "CancelOnDisconnectFired"}));
}

TEST(JournalEventsTest, EncodesKindFirstAndFixValuesWithoutFloats) {
  EXPECT_EQ(
      EncodeEvent(NewOrderAccepted{"S1", SampleOrder(), "GW-1"}),
      R"({"kind":"NewOrderAccepted","session":"S1","order":{"cl_ord_id":"o-1",)"
      R"("account":"ACC \"quoted\" \\ 1","symbol":"AAA","side":"5",)"
      R"("ord_type":"2","tif":"3","qty":250,"price":"101.000025",)"
      R"("transact_time":"20261126-18:50:14.123456","extra":[[21,"1"],)"
      R"([100,"XNAS"],[453,"2"],[448,"TR1"],[447,"D"],[448,"FIRM"],[447,"D"],)"
      R"([9001,{"hex":"ff0178"}]]},"exch_cl_ord_id":"GW-1"})");
  EXPECT_EQ(EncodeEvent(ExchangeSessionChanged{true}),
            R"({"kind":"ExchangeSessionChanged","up":true})");
  EXPECT_EQ(EncodeEvent(ExchangeSessionChanged{true, false, "silent"}),
            R"({"kind":"ExchangeSessionChanged","up":true,)"
            R"("responsive":false,"reason":"silent"})");
}

TEST(JournalEventsTest, MassCancelRejectReasonOutsideFix44IsRefused) {
  MassCancelRequested e;
  e.session = "S";
  e.request.cl_ord_id = "MC-1";
  e.order_id = "GW-M1";
  e.reject_reason = 99;
  const std::string json = EncodeEvent(e);
  EXPECT_NE(json.find(R"("reject_reason":"99")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("cancels":[])"), std::string::npos) << json;
  EXPECT_EQ(json.find(R"("side")"), std::string::npos) << json;
  EXPECT_NE(DecodeError(Replace(json, R"("99")", R"("7")")).message().find(
                "reject_reason"),
            std::string::npos);
  EXPECT_NE(DecodeError(Replace(json, R"("req_type":"7")", R"("req_type":"")"))
                .message()
                .find("req_type"),
            std::string::npos);
}

TEST(JournalEventsTest, CancelOnDisconnectIsWrittenAsDocumented) {
  const std::string json = EncodeEvent(CancelOnDisconnectFired{
      "S1", "logout", 0, {{GatewayCancel{"GW-1", "GW-3"}, "o1", "X1"}}});
  EXPECT_EQ(json,
            R"({"kind":"CancelOnDisconnectFired","session":"S1",)"
            R"("reason":"logout","delay_seconds":0,"cancels":[)"
            R"({"orig_exch_cl_ord_id":"GW-1","exch_cl_ord_id":"GW-3",)"
            R"("orig_cl_ord_id":"o1","order_id":"X1"}]})");
  EXPECT_NE(DecodeError(Replace(json, R"("delay_seconds":0)",
                                R"("delay_seconds":-1)"))
                .message()
                .find("delay_seconds"),
            std::string::npos);
  EXPECT_NE(DecodeError(Replace(json, R"("session":"S1",)", ""))
                .message()
                .find("session"),
            std::string::npos);
}

TEST(JournalEventsTest, IntegerEnumsAreDecimalStrings) {
  std::string json = EncodeEvent(SampleEvents()[1]);
  EXPECT_NE(json.find(R"("rejection":{"reason":"13")"), std::string::npos)
      << json;
  json = EncodeEvent(CancelReplaceRejected{"S", SampleCancelReject()});
  EXPECT_NE(json.find(R"("reason":"0")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("response_to":"2")"), std::string::npos) << json;
}

TEST(JournalEventsTest, AbsentPriceIsOmittedAndDecodesAsNullopt) {
  NewOrder market = SampleOrder();
  market.ord_type = OrdType::kMarket;
  market.price.reset();
  std::string json = EncodeEvent(NewOrderAccepted{"S", market, "GW-1"});
  EXPECT_EQ(json.find("\"price\""), std::string::npos) << json;
  Result<JournalEvent> decoded = DecodeEvent(json);
  ASSERT_TRUE(decoded.ok());
  EXPECT_FALSE(std::get<NewOrderAccepted>(*decoded).order.price.has_value());
}

TEST(JournalEventsTest, CancelForwardedCarriesOnlyTheCancel) {
  std::string json = EncodeEvent(SampleEvents()[2]);
  EXPECT_NE(json.find("\"cancel\""), std::string::npos);
  EXPECT_EQ(json.find("\"replace\""), std::string::npos);
  json = EncodeEvent(SampleEvents()[3]);
  EXPECT_EQ(json.find("\"cancel\""), std::string::npos);
  EXPECT_NE(json.find("\"replace\""), std::string::npos);
}

TEST(JournalEventsTest, KeepsBytesThatAreNotUtf8) {
  NewOrder order = SampleOrder();
  order.cl_ord_id = std::string("o\xe9\xff", 3);   // Latin-1, not UTF-8
  order.account = std::string("\xed\xa0\x80", 3);  // a UTF-16 surrogate
  order.symbol = std::string("\xc0\xaf", 2);       // overlong '/'
  NewOrderRejected event{
      "S\x80", order, Rejection{OrdRejReason::kOther, std::string("t\0x", 3)},
      "GW-X1"};
  std::string json;
  ASSERT_NO_THROW(json = EncodeEvent(event));
  EXPECT_NE(json.find(R"("cl_ord_id":{"hex":"6fe9ff"})"), std::string::npos)
      << json;
  Result<JournalEvent> decoded = DecodeEvent(json);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_TRUE(SameEvent(event, *decoded)) << json;

  Status s = DecodeError(Replace(json, "6fe9ff", "6fe9f"));
  EXPECT_NE(s.message().find("'order.cl_ord_id': bad hex"), std::string::npos)
      << s.message();
}

TEST(JournalEventsTest, IgnoresUnknownFields) {
  std::string json = EncodeEvent(ExchangeSessionChanged{true});
  json = Replace(json, R"("up":true)", R"("up":true,"note":[1,2,{"x":null}])");
  Result<JournalEvent> decoded = DecodeEvent(json);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_TRUE(std::get<ExchangeSessionChanged>(*decoded).up);
}

TEST(JournalEventsTest, RejectsTextThatIsNotJson) {
  for (const char* bad : {"", "{", "not json", R"({"kind":"X",})",
                          R"({"kind":"ExchangeSessionChanged","up":true} x)"}) {
    Status s = DecodeError(bad);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("bad JSON"), std::string::npos) << s.message();
  }
}

TEST(JournalEventsTest, RejectsJsonThatIsNotAnObject) {
  for (const char* bad : {"[]", "42", "\"NewOrderAccepted\"", "null"}) {
    Status s = DecodeError(bad);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
    EXPECT_NE(s.message().find("not a JSON object"), std::string::npos)
        << s.message();
  }
}

TEST(JournalEventsTest, RejectsMissingOrUnknownKind) {
  Status s = DecodeError(R"({"up":true})");
  EXPECT_NE(s.message().find("missing field 'kind'"), std::string::npos)
      << s.message();
  s = DecodeError(R"({"kind":"OrderTeleported","up":true})");
  EXPECT_NE(s.message().find("unknown event kind 'OrderTeleported'"),
            std::string::npos)
      << s.message();
  s = DecodeError(R"({"kind":7})");
  EXPECT_NE(s.message().find("field 'kind': expected a string"),
            std::string::npos)
      << s.message();
}

struct BadField {
  size_t sample;      // index into SampleEvents()
  std::string from;   // text of the valid encoding
  std::string to;     // its replacement
  std::string field;  // the field the error must name
};

class JournalEventsBadFieldTest : public ::testing::TestWithParam<BadField> {};

TEST_P(JournalEventsBadFieldTest, NamesTheBadField) {
  const BadField& p = GetParam();
  std::string json =
      Replace(EncodeEvent(SampleEvents()[p.sample]), p.from, p.to);
  Status s = DecodeError(json);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("'" + p.field + "'"), std::string::npos)
      << s.message() << "\n"
      << json;
}

INSTANTIATE_TEST_SUITE_P(
    Fields, JournalEventsBadFieldTest,
    ::testing::Values(
        BadField{0, R"("session":"FIX.4.4:GW->B1",)", "", "session"},
        BadField{0, R"("session":"FIX.4.4:GW->B1")", R"("session":1)",
                 "session"},
        BadField{0, R"(,"exch_cl_ord_id":"GW-1")", "", "exch_cl_ord_id"},
        BadField{0, R"("qty":250,)", "", "order.qty"},
        BadField{0, R"("qty":250)", R"("qty":"250")", "order.qty"},
        BadField{0, R"("qty":250)", R"("qty":2.5)", "order.qty"},
        BadField{0, R"("qty":250)", R"("qty":18446744073709551615)",
                 "order.qty"},
        BadField{0, R"("side":"5")", R"("side":"9")", "order.side"},
        BadField{0, R"("side":"5")", R"("side":"55")", "order.side"},
        BadField{0, R"("ord_type":"2")", R"("ord_type":"P")", "order.ord_type"},
        BadField{0, R"("tif":"3")", R"("tif":"6")", "order.tif"},
        BadField{0, R"("price":"101.000025")", R"("price":101.000025)",
                 "order.price"},
        BadField{0, R"("price":"101.000025")", R"("price":"1e3")",
                 "order.price"},
        BadField{0, R"("price":"101.000025")", R"("price":null)",
                 "order.price"},
        BadField{0, R"("transact_time":"20261126-18:50:14.123456")",
                 R"("transact_time":"2026-11-26T18:50:14Z")",
                 "order.transact_time"},
        BadField{0, R"("order":{)", R"("order":"x","o":{)", "order"},
        BadField{1, R"("reason":"13")", R"("reason":"17x")",
                 "rejection.reason"},
        BadField{1, R"("reason":"13")", R"("reason":"42")", "rejection.reason"},
        BadField{1, R"("reason":"13")", R"("reason":13)", "rejection.reason"},
        BadField{1, R"(,"exec_id":"GW-X1")", "", "exec_id"},
        BadField{2, R"("is_replace":false)", R"("is_replace":0)", "is_replace"},
        BadField{2, R"("cancel":{)", R"("cncl":{)", "cancel"},
        BadField{2, R"("orig_cl_ord_id":"o-1")", R"("orig_cl_ord_id":null)",
                 "cancel.orig_cl_ord_id"},
        BadField{3, R"("qty":75)", R"("qty":true)", "replace.qty"},
        BadField{3, R"("is_replace":true)", R"("is_replace":false)", "cancel"},
        BadField{4, R"("response_to":"2")", R"("response_to":"3")",
                 "reject.response_to"},
        BadField{4, R"("reason":"0")", R"("reason":"7")", "reject.reason"},
        BadField{4, R"("ord_status":"1")", R"("ord_status":"Z")",
                 "reject.ord_status"},
        BadField{5, R"("side":"2")", R"("side":"")", "request.side"},
        BadField{5, R"("order_id":"EX-9",)", "", "request.order_id"},
        BadField{6, R"("exec_type":"F")", R"("exec_type":"2")",
                 "report.exec_type"},
        BadField{6, R"("last_px":"9.98")", R"("last_px":"9.9.8")",
                 "report.last_px"},
        BadField{6, R"("avg_px":"9.981234")", R"("avg_px":"9.9812345")",
                 "report.avg_px"},
        BadField{6, R"("ord_rej_reason":"99")", R"("ord_rej_reason":"-1")",
                 "report.ord_rej_reason"},
        BadField{6, R"("leaves_qty":180,)", "", "report.leaves_qty"},
        BadField{8, R"("text":"too late")", R"("text":["too late"])",
                 "reject.text"},
        BadField{9, R"("up":true)", R"("up":"true")", "up"},
        BadField{11, R"("scope":"account")", R"("scope":"desk")", "scope"},
        BadField{11, R"("engaged":true)", R"("engaged":1)", "engaged"},
        BadField{11, R"("cancels":[)", R"("cancels":7,"x":[)", "cancels"},
        BadField{11, R"("exch_cl_ord_id":"GW-6")", R"("exch_cl_ord_id":6)",
                 "cancels[1].exch_cl_ord_id"},
        BadField{13, R"(,"text":)", R"(,"txt":)", "text"},
        BadField{14, R"("previous_last_seq":4711)", R"("previous_last_seq":-1)",
                 "previous_last_seq"},
        BadField{14, R"("scope":"session")", R"("scope":"desk")",
                 "kill_switches[1].scope"},
        BadField{14, R"("net_cash":"-1234.56789")", R"("net_cash":-1234.56789)",
                 "accounts[0].net_cash"},
        BadField{14, R"("qty":-20)", R"("qty":"-20")",
                 "accounts[0].positions[1].qty"},
        BadField{14, R"("exch_ids":17)", R"("exch_ids":1.5)", "exch_ids"}));

TEST(JournalEventsTest, NeverThrowsOnDamagedInput) {
  // Every truncation and a byte flip at every position of every sample.
  for (const JournalEvent& event : SampleEvents()) {
    const std::string json = EncodeEvent(event);
    for (size_t i = 0; i < json.size(); ++i) {
      EXPECT_NO_THROW((void)DecodeEvent(std::string_view(json).substr(0, i)));
      std::string flipped = json;
      flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
      EXPECT_NO_THROW((void)DecodeEvent(flipped));
    }
  }
  std::string deep(100000, '[');
  EXPECT_NO_THROW((void)DecodeEvent(deep));
}

}  // namespace
}  // namespace fixgw::gw
