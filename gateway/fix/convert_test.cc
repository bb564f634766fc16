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

}  // namespace
}  // namespace fixgw::fix
