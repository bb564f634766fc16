#include "gateway/fix/convert.h"

#include <gtest/gtest.h>

#include "gateway/core/clock.h"

namespace fixgw::fix {
namespace {

namespace tag = FIX::FIELD;

Timestamp T0() { return *ParseFixTimestamp("20261126-10:00:00.123456"); }
// T0 as a session of the default precision (milliseconds) writes it.
Timestamp T0Ms() { return *ParseFixTimestamp("20261126-10:00:00.123"); }

NewOrder SampleOrder() {
  NewOrder o;
  o.cl_ord_id = "o1";
  o.account = "ACC1";
  o.symbol = "AAPL";
  o.side = Side::kSell;
  o.ord_type = OrdType::kLimit;
  o.tif = TimeInForce::kIoc;
  o.qty = Qty(500);
  o.price = *ParsePrice("100.05");
  o.transact_time = T0();
  return o;
}

TEST(ConvertTest, NewOrderRoundTripsWithExactDecimals) {
  FIX44::NewOrderSingle msg = EncodeNewOrder(SampleOrder());
  EXPECT_EQ(msg.getField(tag::Price), "100.05");
  EXPECT_EQ(msg.getField(tag::OrderQty), "500");
  EXPECT_EQ(msg.getField(tag::TransactTime), "20261126-10:00:00.123");
  auto decoded = DecodeNewOrder(msg);
  ASSERT_TRUE(std::holds_alternative<NewOrder>(decoded));
  const NewOrder& o = std::get<NewOrder>(decoded);
  EXPECT_EQ(o.cl_ord_id, "o1");
  EXPECT_EQ(o.account, "ACC1");
  EXPECT_EQ(o.side, Side::kSell);
  EXPECT_EQ(o.tif, TimeInForce::kIoc);
  EXPECT_EQ(o.qty, Qty(500));
  EXPECT_EQ(o.price, ParsePrice("100.05").value());
  EXPECT_EQ(o.transact_time, T0Ms());
}

TEST(ConvertTest, MissingTimeInForceMeansDay) {
  FIX44::NewOrderSingle msg = EncodeNewOrder(SampleOrder());
  msg.removeField(tag::TimeInForce);
  auto decoded = DecodeNewOrder(msg);
  ASSERT_TRUE(std::holds_alternative<NewOrder>(decoded));
  EXPECT_EQ(std::get<NewOrder>(decoded).tif, TimeInForce::kDay);
}

struct BadField {
  int field;
  std::string value;
  OrdRejReason reason;
  std::string text_part;
};

class ConvertRejectTest : public ::testing::TestWithParam<BadField> {};

TEST_P(ConvertRejectTest, UnsupportedValueBecomesRejection) {
  const BadField& bad = GetParam();
  FIX44::NewOrderSingle msg = EncodeNewOrder(SampleOrder());
  msg.setField(bad.field, bad.value);
  auto decoded = DecodeNewOrder(msg);
  ASSERT_TRUE(std::holds_alternative<Rejection>(decoded));
  const Rejection& r = std::get<Rejection>(decoded);
  EXPECT_EQ(r.reason, bad.reason);
  EXPECT_NE(r.text.find(bad.text_part), std::string::npos) << r.text;
}

INSTANTIATE_TEST_SUITE_P(
    Values, ConvertRejectTest,
    ::testing::Values(
        BadField{tag::OrdType, "3", OrdRejReason::kUnsupportedOrderCharacteristic,
                 "OrdType '3'"},
        BadField{tag::TimeInForce, "1",
                 OrdRejReason::kUnsupportedOrderCharacteristic,
                 "TimeInForce '1'"},
        BadField{tag::Side, "3", OrdRejReason::kUnsupportedOrderCharacteristic,
                 "Side '3'"},
        BadField{tag::OrderQty, "10.5", OrdRejReason::kIncorrectQuantity,
                 "10.5"},
        BadField{tag::Price, "1.0000001", OrdRejReason::kOther, "1.0000001"}));

TEST(ConvertTest, ExecutionReportRoundTrips) {
  ExecutionReport r;
  r.order_id = "O7";
  r.cl_ord_id = "r1";
  r.orig_cl_ord_id = "o1";
  r.exec_id = "E9";
  r.exec_type = ExecType::kTrade;
  r.ord_status = OrdStatus::kPartiallyFilled;
  r.symbol = "AAPL";
  r.side = Side::kBuy;
  r.order_qty = Qty(1000);
  r.price = *ParsePrice("100.02");
  r.last_qty = Qty(200);
  r.last_px = *ParsePrice("100.01");
  r.cum_qty = Qty(500);
  r.leaves_qty = Qty(500);
  r.avg_px = *ParsePrice("100.004");
  r.transact_time = T0();
  FIX44::ExecutionReport msg = EncodeExecutionReport(r);
  EXPECT_EQ(msg.getField(tag::AvgPx), "100.004");
  EXPECT_EQ(msg.getField(tag::LastPx), "100.01");
  auto decoded = DecodeExecutionReport(msg);
  ASSERT_TRUE(std::holds_alternative<ExecutionReport>(decoded));
  const ExecutionReport& d = std::get<ExecutionReport>(decoded);
  EXPECT_EQ(d.order_id, "O7");
  EXPECT_EQ(d.orig_cl_ord_id, "o1");
  EXPECT_EQ(d.exec_type, ExecType::kTrade);
  EXPECT_EQ(d.ord_status, OrdStatus::kPartiallyFilled);
  EXPECT_EQ(d.last_qty, Qty(200));
  EXPECT_EQ(d.last_px, r.last_px);
  EXPECT_EQ(d.cum_qty, Qty(500));
  EXPECT_EQ(d.leaves_qty, Qty(500));
  EXPECT_EQ(d.avg_px, r.avg_px);
  EXPECT_EQ(d.transact_time, T0Ms());
}

TEST(ConvertTest, RejectedReportCarriesReasonAndText) {
  ExecutionReport r;
  r.order_id = "NONE";
  r.exec_id = "R1";
  r.exec_type = ExecType::kRejected;
  r.ord_status = OrdStatus::kRejected;
  r.ord_rej_reason = OrdRejReason::kUnknownSymbol;
  r.text = "unknown symbol 'XYZ'";
  FIX44::ExecutionReport msg = EncodeExecutionReport(r);
  EXPECT_EQ(msg.getField(tag::OrdRejReason), "1");
  EXPECT_FALSE(msg.isSetField(tag::LastPx));
  auto decoded = DecodeExecutionReport(msg);
  ASSERT_TRUE(std::holds_alternative<ExecutionReport>(decoded));
  EXPECT_EQ(std::get<ExecutionReport>(decoded).ord_rej_reason,
            OrdRejReason::kUnknownSymbol);
  EXPECT_EQ(std::get<ExecutionReport>(decoded).text, r.text);
}

TEST(ConvertTest, CancelRejectOfUnknownOrderSaysNone) {
  CancelReject c;
  c.cl_ord_id = "c1";
  c.orig_cl_ord_id = "zz";
  c.reason = CxlRejReason::kUnknownOrder;
  c.response_to = CxlRejResponseTo::kReplace;
  FIX44::OrderCancelReject msg = EncodeCancelReject(c);
  EXPECT_EQ(msg.getField(tag::OrderID), "NONE");
  EXPECT_EQ(msg.getField(tag::CxlRejReason), "1");
  EXPECT_EQ(msg.getField(tag::CxlRejResponseTo), "2");
  auto decoded = DecodeCancelReject(msg);
  ASSERT_TRUE(std::holds_alternative<CancelReject>(decoded));
  EXPECT_EQ(std::get<CancelReject>(decoded).reason, CxlRejReason::kUnknownOrder);
  EXPECT_EQ(std::get<CancelReject>(decoded).response_to,
            CxlRejResponseTo::kReplace);
}

TEST(ConvertTest, ReasonsOutsideFix44BecomeOther) {
  ExecutionReport r;
  r.exec_type = ExecType::kRejected;
  r.ord_status = OrdStatus::kRejected;
  r.ord_rej_reason = OrdRejReason::kUnknownSymbol;
  FIX44::ExecutionReport er = EncodeExecutionReport(r);
  er.setField(tag::OrdRejReason, "42");
  auto d = DecodeExecutionReport(er);
  ASSERT_TRUE(std::holds_alternative<ExecutionReport>(d));
  EXPECT_EQ(std::get<ExecutionReport>(d).ord_rej_reason, OrdRejReason::kOther);

  FIX44::OrderCancelReject cr = EncodeCancelReject(CancelReject{});
  cr.setField(tag::CxlRejReason, "17");
  auto c = DecodeCancelReject(cr);
  ASSERT_TRUE(std::holds_alternative<CancelReject>(c));
  EXPECT_EQ(std::get<CancelReject>(c).reason, CxlRejReason::kOther);
}

TEST(ConvertTest, CancelAndReplaceRequestsRoundTrip) {
  CancelRequest c{"c1", "o1", "O1", "AAPL", Side::kBuy, T0(), {}};
  auto dc = DecodeCancelRequest(EncodeCancelRequest(c));
  ASSERT_TRUE(std::holds_alternative<CancelRequest>(dc));
  EXPECT_EQ(std::get<CancelRequest>(dc).orig_cl_ord_id, "o1");
  EXPECT_EQ(std::get<CancelRequest>(dc).order_id, "O1");

  ReplaceRequest r;
  r.cl_ord_id = "r1";
  r.orig_cl_ord_id = "o1";
  r.symbol = "AAPL";
  r.side = Side::kBuy;
  r.ord_type = OrdType::kMarket;
  r.qty = Qty(800);
  r.transact_time = T0();
  auto dr = DecodeReplaceRequest(EncodeReplaceRequest(r));
  ASSERT_TRUE(std::holds_alternative<ReplaceRequest>(dr));
  EXPECT_EQ(std::get<ReplaceRequest>(dr).qty, Qty(800));
  EXPECT_EQ(std::get<ReplaceRequest>(dr).ord_type, OrdType::kMarket);
  EXPECT_FALSE(std::get<ReplaceRequest>(dr).price.has_value());

  StatusRequest s{"q1", "O1", "AAPL", Side::kSell};
  auto ds = DecodeStatusRequest(EncodeStatusRequest(s));
  ASSERT_TRUE(std::holds_alternative<StatusRequest>(ds));
  EXPECT_EQ(std::get<StatusRequest>(ds).side, Side::kSell);
}

// ---- FIX 4.2, pass-through fields, precision --------------------------------

const FIX::DataDictionary& Dict(const char* path) {
  static std::map<std::string, std::unique_ptr<FIX::DataDictionary>> cache;
  auto& slot = cache[path];
  if (!slot) slot = std::make_unique<FIX::DataDictionary>(path);
  return *slot;
}

// A wire message of `begin` parsed with its dictionary, as a session does.
FIX::Message Parse(const char* dict, std::string text) {
  for (char& c : text) {
    if (c == '|') c = '\x01';
  }
  FIX::Message m;
  m.setString(text, false, &Dict(dict), &Dict(dict));
  return m;
}

// `msg`'s body in wire order, '|'-separated, without header and trailer.
std::string Body(const FIX::Message& msg) {
  std::string text = msg.toString();
  for (char& c : text) {
    if (c == '\x01') c = '|';
  }
  const size_t start = text.find("|", text.find("|52=") + 1);
  const size_t end = text.rfind("|10=");
  return text.substr(start + 1, end - start);
}

TEST(ConvertTest, ExtraFieldsOfAnOrderAreForwardedWithTheirGroups) {
  FIX::Message in = Parse(
      FIXGW_FIX44_XML,
      "8=FIX.4.4|9=1|35=D|49=B|56=GW|34=2|52=20261126-10:00:00.000|11=c1|"
      "453=2|448=TR1|447=D|452=11|448=FIRM|447=D|452=1|1=ACC1|21=1|100=XNAS|"
      "55=AAPL|167=CS|54=1|60=20261126-10:00:00.123|38=100|40=2|44=10|59=0|"
      "15=USD|528=A|58=hello|9001=udf|10=000|");
  auto decoded = DecodeNewOrder(in);
  ASSERT_TRUE(std::holds_alternative<NewOrder>(decoded));
  NewOrder o = std::get<NewOrder>(decoded);
  EXPECT_EQ(o.extra.size(), 14u);
  o.cl_ord_id = "GW-1";
  Dialect to{FixVersion::kFix44, 3, &Dict(FIXGW_FIX44_XML), {}};
  FIX::Message out = EncodeNewOrder(o, to);
  const std::string body = Body(out);
  EXPECT_NE(body.find("453=2|448=TR1|447=D|452=11|448=FIRM|447=D|452=1|"),
            std::string::npos) << body;
  for (const char* f : {"|21=1|", "|100=XNAS|", "|167=CS|", "|15=USD|",
                        "|528=A|", "|58=hello|", "|9001=udf|",
                        "|60=20261126-10:00:00.123|"}) {
    EXPECT_NE(body.find(f), std::string::npos) << f << " in " << body;
  }
  // The forwarded message is valid FIX 4.4 for a strict peer (with
  // user-defined fields allowed).
  FIX::DataDictionary strict = Dict(FIXGW_FIX44_XML);
  strict.checkUserDefinedFields(false);
  EXPECT_NO_THROW(strict.validate(out, &strict, &strict));
  // The deny list keeps a field (and a group, by its count tag) away.
  to.deny = {453, 58};
  const std::string denied = Body(EncodeNewOrder(o, to));
  EXPECT_EQ(denied.find("448="), std::string::npos) << denied;
  EXPECT_EQ(denied.find("58="), std::string::npos) << denied;
  EXPECT_NE(denied.find("100=XNAS"), std::string::npos) << denied;
}

TEST(ConvertTest, FieldsTheTargetVersionDoesNotDefineAreLeftOut) {
  ExecutionReport r;
  r.order_id = "O1";
  r.cl_ord_id = "c1";
  r.exec_id = "E1";
  r.exec_type = ExecType::kTrade;
  r.ord_status = OrdStatus::kFilled;
  r.symbol = "AAPL";
  r.order_qty = Qty(100);
  r.last_qty = Qty(100);
  r.cum_qty = Qty(100);
  r.last_px = *ParsePrice("10");
  r.avg_px = *ParsePrice("10");
  r.transact_time = T0();
  // LastCapacity and LastMkt are FIX 4.4 and 4.2 ExecutionReport fields;
  // LastLiquidityInd 851 is FIX 4.4 only; TrdMatchID 880 is not in a 4.4
  // ExecutionReport; 9001 is user-defined.
  r.extra = {{29, "1"}, {30, "XVEN"}, {851, "1"}, {880, "M1"}, {9001, "x"}};
  const std::string v44 = Body(EncodeExecutionReport(
      r, Dialect{FixVersion::kFix44, 3, &Dict(FIXGW_FIX44_XML), {}}));
  EXPECT_NE(v44.find("|29=1|"), std::string::npos) << v44;
  EXPECT_NE(v44.find("|851=1|"), std::string::npos) << v44;
  EXPECT_EQ(v44.find("880="), std::string::npos) << v44;
  EXPECT_NE(v44.find("|9001=x|"), std::string::npos) << v44;
  const std::string v42 = Body(EncodeExecutionReport(
      r, Dialect{FixVersion::kFix42, 3, &Dict(FIXGW_FIX42_XML), {}}));
  EXPECT_NE(v42.find("|30=XVEN|"), std::string::npos) << v42;
  EXPECT_EQ(v42.find("851="), std::string::npos) << v42;
}

TEST(ConvertTest, Fix42ReportsUseExecTransTypeAndFillExecTypes) {
  ExecutionReport r;
  r.order_id = "O1";
  r.cl_ord_id = "c1";
  r.exec_id = "E1";
  r.symbol = "AAPL";
  r.order_qty = Qty(100);
  r.transact_time = T0();
  const Dialect v42{FixVersion::kFix42, 3, &Dict(FIXGW_FIX42_XML), {}};
  struct Case {
    ExecType exec_type;
    OrdStatus status;
    int64_t leaves;
    const char* trans_type;
    const char* wire_exec_type;
  };
  for (const Case& c : {Case{ExecType::kTrade, OrdStatus::kPartiallyFilled, 60, "0", "1"},
                        Case{ExecType::kTrade, OrdStatus::kFilled, 0, "0", "2"},
                        Case{ExecType::kTradeCancel, OrdStatus::kNew, 100, "1", "0"},
                        Case{ExecType::kTradeCorrect, OrdStatus::kFilled, 0, "2", "2"},
                        Case{ExecType::kOrderStatus, OrdStatus::kNew, 100, "3", "0"},
                        Case{ExecType::kDoneForDay, OrdStatus::kDoneForDay, 0, "0", "3"}}) {
    r.exec_type = c.exec_type;
    r.ord_status = c.status;
    r.leaves_qty = Qty(c.leaves);
    r.last_qty = Qty(c.exec_type == ExecType::kTrade ? 40 : 0);
    FIX::Message m = EncodeExecutionReport(r, v42);
    EXPECT_EQ(m.getHeader().getField(tag::BeginString), "FIX.4.2");
    EXPECT_EQ(m.getField(tag::ExecTransType), c.trans_type) << Name(c.exec_type);
    EXPECT_EQ(m.getField(tag::ExecType), c.wire_exec_type) << Name(c.exec_type);
    FIX::DataDictionary strict = Dict(FIXGW_FIX42_XML);
    EXPECT_NO_THROW(strict.validate(m, &strict, &strict)) << Name(c.exec_type);
    // And back: the domain ExecType again.
    auto back = DecodeExecutionReport(m);
    ASSERT_TRUE(std::holds_alternative<ExecutionReport>(back));
    EXPECT_EQ(std::get<ExecutionReport>(back).exec_type, c.exec_type);
  }
}

TEST(ConvertTest, Fix42OrdersGetHandlInstAndMillisecondTimes) {
  NewOrder o = SampleOrder();
  FIX::Message m = EncodeNewOrder(o, Dialect{FixVersion::kFix42, 3,
                                             &Dict(FIXGW_FIX42_XML), {}});
  EXPECT_EQ(m.getField(tag::HandlInst), "1");
  EXPECT_EQ(m.getField(tag::TransactTime), "20261126-10:00:00.123");
  FIX::DataDictionary strict = Dict(FIXGW_FIX42_XML);
  EXPECT_NO_THROW(strict.validate(m, &strict, &strict));
  // Microseconds when the session says so.
  EXPECT_EQ(EncodeNewOrder(o, Dialect{FixVersion::kFix44, 6, nullptr, {}})
                .getField(tag::TransactTime),
            "20261126-10:00:00.123456");
}

TEST(ConvertTest, Fix42BustIsATradeCancel) {
  FIX::Message in = Parse(
      FIXGW_FIX42_XML,
      "8=FIX.4.2|9=1|35=8|49=V|56=GW|34=2|52=20261126-10:00:00.000|37=O1|"
      "11=GW-1|17=B1|20=1|19=F1|150=0|39=0|55=AAPL|54=1|38=100|32=100|31=10|"
      "14=0|151=100|6=0|10=000|");
  auto d = DecodeExecutionReport(in);
  ASSERT_TRUE(std::holds_alternative<ExecutionReport>(d));
  EXPECT_EQ(std::get<ExecutionReport>(d).exec_type, ExecType::kTradeCancel);
  EXPECT_EQ(std::get<ExecutionReport>(d).exec_ref_id, "F1");
  EXPECT_EQ(std::get<ExecutionReport>(d).last_qty, Qty(100));
}

TEST(ConvertTest, MassCancelRequestDecodesAndTheReportIsValidFix44) {
  FIX::Message in = Parse(
      FIXGW_FIX44_XML,
      "8=FIX.4.4|9=1|35=q|49=B|56=GW|34=2|52=20261126-10:00:00.000|11=m1|"
      "530=1|55=AAPL|54=2|60=20261126-10:00:00.123|10=000|");
  auto decoded = DecodeMassCancelRequest(in);
  ASSERT_TRUE(std::holds_alternative<MassCancelRequest>(decoded));
  const MassCancelRequest& q = std::get<MassCancelRequest>(decoded);
  EXPECT_EQ(q.cl_ord_id, "m1");
  EXPECT_EQ(q.req_type, '1');
  EXPECT_EQ(q.symbol, "AAPL");
  EXPECT_EQ(q.side, std::optional<Side>(Side::kSell));
  EXPECT_EQ(q.account, "");
  EXPECT_EQ(FormatFixTimestamp(q.transact_time, 3), "20261126-10:00:00.123");

  // A Side the project does not trade is refused, not guessed.
  auto odd = DecodeMassCancelRequest(Parse(
      FIXGW_FIX44_XML,
      "8=FIX.4.4|9=1|35=q|49=B|56=GW|34=2|52=20261126-10:00:00.000|11=m2|"
      "530=7|54=3|60=20261126-10:00:00.123|10=000|"));
  EXPECT_TRUE(std::holds_alternative<Rejection>(odd));

  MassCancelReport r;
  r.cl_ord_id = "m1";
  r.order_id = "GW-M3";
  r.req_type = '1';
  r.response = '1';
  r.affected = {{"o1", "EX-1"}, {"o2", ""}};
  r.symbol = "AAPL";
  r.side = Side::kSell;
  r.text = "2 order(s) to cancel";
  FIX::Message out = EncodeMassCancelReport(r);
  const std::string body = Body(out);
  EXPECT_NE(body.find("|533=2|534=2|41=o1|535=EX-1|41=o2|"), std::string::npos)
      << body;
  EXPECT_EQ(out.getField(tag::MassCancelResponse), "1");
  EXPECT_FALSE(out.isSetField(tag::MassCancelRejectReason));
  FIX::DataDictionary strict = Dict(FIXGW_FIX44_XML);
  EXPECT_NO_THROW(strict.validate(out, &strict, &strict)) << body;

  MassCancelReport refused;
  refused.cl_ord_id = "m9";
  refused.order_id = "GW-M4";
  refused.req_type = '3';
  refused.response = '0';
  refused.reject_reason = 0;
  refused.text = "not supported";
  FIX::Message no = EncodeMassCancelReport(refused);
  EXPECT_EQ(no.getField(tag::MassCancelRejectReason), "0");
  EXPECT_EQ(no.getField(tag::TotalAffectedOrders), "0");
  EXPECT_FALSE(no.isSetField(tag::NoAffectedOrders));
  EXPECT_NO_THROW(strict.validate(no, &strict, &strict)) << Body(no);
}

}  // namespace
}  // namespace fixgw::fix
