#include "gateway/fixreplay/render.h"

#include <gtest/gtest.h>

#include <string>

#include "gateway/core/clock.h"
#include "gateway/fixreplay/replay_test_util.h"

namespace fixgw::replay {
namespace {

using testing::At;

TrailRow SampleRow() {
  TrailRow r;
  r.seq = 7;
  r.time = At(10);
  r.event = "NewOrderRejected";
  r.session = "FIX.4.4:GW->BROKER1";
  r.direction = Direction::kFromBroker;
  r.msg_type = "NewOrderSingle";
  r.account = "ACC1";
  r.cl_ord_id = "x1";
  r.symbol = "XYZ";
  r.side = "Buy";
  r.qty = "5";
  r.price = "10.00";
  r.ord_type = "Limit";
  r.tif = "Day";
  r.status = "Rejected";
  r.reason = "OrdRejReason=1: unknown symbol 'XYZ'";
  return r;
}

size_t Count(const std::string& s, char c) {
  size_t n = 0;
  for (char x : s) n += x == c ? 1 : 0;
  return n;
}

TEST(RenderTrailTest, TextIsOneLineWithQuotedValuesOnlyWhenNeeded) {
  EXPECT_EQ(RenderTrailRow(Format::kText, SampleRow()),
            "2026-11-26T18:50:14.010000Z #7 from-broker FIX.4.4:GW->BROKER1 "
            "NewOrderSingle NewOrderRejected account=ACC1 cl_ord_id=x1 "
            "symbol=XYZ side=Buy qty=5 price=10.00 ord_type=Limit tif=Day "
            "status=Rejected "
            "reason=\"OrdRejReason=1: unknown symbol 'XYZ'\"\n");
}

TEST(RenderTrailTest, TextEscapesControlBytesAndNonUtf8) {
  TrailRow r = SampleRow();
  r.reason = "two\nlines \"q\" \\ \x01 \xff caf\xc3\xa9";
  std::string line = RenderTrailRow(Format::kText, r);
  EXPECT_EQ(Count(line, '\n'), 1u);
  EXPECT_NE(line.find(R"(reason="two\nlines \"q\" \\ \x01 \xff café")"),
            std::string::npos)
      << line;
  r.session.clear();
  r.msg_type.clear();
  line = RenderTrailRow(Format::kText, r);
  EXPECT_NE(line.find("from-broker - - NewOrderRejected"), std::string::npos)
      << line;
}

TEST(RenderTrailTest, CsvHasAHeaderAndOneQuotedRecordPerRow) {
  const std::string header = TrailCsvHeader();
  EXPECT_EQ(header,
            "seq,time,session,direction,msg_type,event,account,cl_ord_id,"
            "orig_cl_ord_id,exch_cl_ord_id,symbol,side,qty,price,ord_type,tif,"
            "exec_type,exec_id,order_id,last_qty,last_px,cum_qty,leaves_qty,"
            "status,reason,venue\n");
  TrailRow r = SampleRow();
  r.reason = "a, \"b\"\nc";
  EXPECT_EQ(RenderTrailRow(Format::kCsv, r),
            "7,2026-11-26T18:50:14.010000Z,FIX.4.4:GW->BROKER1,from-broker,"
            "NewOrderSingle,NewOrderRejected,ACC1,x1,,,XYZ,Buy,5,10.00,Limit,"
            "Day,,,,,,,,Rejected,\"a, \"\"b\"\"\nc\",\n");
  EXPECT_EQ(Count(RenderTrailRow(Format::kCsv, SampleRow()), ','),
            Count(header, ','));
}

TEST(RenderTrailTest, JsonIsOneObjectPerLineWithIntegersAndNulls) {
  EXPECT_EQ(
      RenderTrailRow(Format::kJson, SampleRow()),
      R"({"seq":7,"time":"2026-11-26T18:50:14.010000Z",)"
      R"("session":"FIX.4.4:GW->BROKER1","direction":"from-broker",)"
      R"("msg_type":"NewOrderSingle","event":"NewOrderRejected",)"
      R"("account":"ACC1","cl_ord_id":"x1","orig_cl_ord_id":null,)"
      R"("exch_cl_ord_id":null,"symbol":"XYZ","side":"Buy","qty":5,)"
      R"("price":"10.00","ord_type":"Limit","tif":"Day","exec_type":null,)"
      R"("exec_id":null,"order_id":null,"last_qty":null,"last_px":null,)"
      R"("cum_qty":null,"leaves_qty":null,"status":"Rejected",)"
      R"("reason":"OrdRejReason=1: unknown symbol 'XYZ'","venue":null})"
      "\n");
}

TEST(RenderTrailTest, JsonKeepsBytesThatAreNotUtf8AsHex) {
  TrailRow r = SampleRow();
  r.cl_ord_id = "a\xff";
  r.reason = "tab\there \x01";
  r.qty = "12x";  // not an integer: kept as text
  std::string line = RenderTrailRow(Format::kJson, r);
  EXPECT_NE(line.find(R"("cl_ord_id":{"hex":"61ff"})"), std::string::npos)
      << line;
  EXPECT_NE(line.find(R"("reason":"tab\there \u0001")"), std::string::npos)
      << line;
  EXPECT_NE(line.find(R"("qty":"12x")"), std::string::npos) << line;
}

TEST(ParseTimeArgTest, AcceptsIsoDateAndFixForms) {
  const Timestamp want = *ParseFixTimestamp("20261126-18:50:14.123456");
  EXPECT_EQ(*ParseTimeArg("2026-11-26T18:50:14.123456Z"), want);
  EXPECT_EQ(*ParseTimeArg("2026-11-26T18:50:14.123456"), want);
  EXPECT_EQ(*ParseTimeArg("2026-11-26 18:50:14.123456"), want);
  EXPECT_EQ(*ParseTimeArg("20261126-18:50:14.123456"), want);
  EXPECT_EQ(*ParseTimeArg("2026-11-26"),
            *ParseFixTimestamp("20261126-00:00:00"));
  EXPECT_EQ(*ParseTimeArg("2026-11-26T18:50:14Z"),
            *ParseFixTimestamp("20261126-18:50:14"));
  // The trail's own timestamps read back exactly.
  EXPECT_EQ(*ParseTimeArg(FormatIsoTimestamp(At(123))), At(123));
}

TEST(ParseTimeArgTest, RejectsAnythingElseWithTheExpectedForms) {
  for (const char* bad :
       {"", "yesterday", "2026-13-01", "2026-11-26T25:00:00", "2026-11-26X",
        "2026-11-26T18:50:14+01:00", "1795719014"}) {
    Result<Timestamp> t = ParseTimeArg(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_NE(t.status().message().find("expected UTC"), std::string::npos);
    }
  }
}

TEST(ParseFormatTest, KnowsTheThreeFormats) {
  EXPECT_EQ(ParseFormat("text"), Format::kText);
  EXPECT_EQ(ParseFormat("csv"), Format::kCsv);
  EXPECT_EQ(ParseFormat("json"), Format::kJson);
  EXPECT_FALSE(ParseFormat("xml").has_value());
}

}  // namespace
}  // namespace fixgw::replay
