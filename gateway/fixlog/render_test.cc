// Tests of fixlog's output through the project's dictionary, with message
// lines copied from QuickFIX logs that fixsim wrote.
#include "gateway/fixlog/render.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace fixgw::fixlog {
namespace {

const FIX::DataDictionary& Fix44() {
  static const FIX::DataDictionary* const dd = [] {
    Result<std::unique_ptr<FIX::DataDictionary>> loaded =
        fix::LoadDictionary(FIXGW_FIX44_XML);
    EXPECT_TRUE(loaded.ok()) << loaded.status().message();
    return std::move(loaded).value().release();
  }();
  return *dd;
}

Fields Parse(std::string_view line) {
  LogLine parsed = ParseLogLine(line, LogKind::kUnknown);
  EXPECT_EQ(parsed.type, LogLine::Type::kMessages) << parsed.text;
  return parsed.messages.empty() ? Fields{} : parsed.messages[0];
}

RenderOptions Json(bool full = false) {
  RenderOptions o;
  o.format = Format::kJson;
  o.full = full;
  return o;
}
RenderOptions Full() {
  RenderOptions o;
  o.full = true;
  return o;
}
RenderOptions Types(std::vector<std::string> types) {
  RenderOptions o;
  o.types = std::move(types);
  return o;
}
RenderOptions Grep(std::string text) {
  RenderOptions o;
  o.grep = std::move(text);
  return o;
}

constexpr char kTime[] = "20261127-00:48:59.696259000";

// The body of real log lines, SOH shown as '|'.
constexpr std::string_view kLogon =
    "8=FIX.4.4|9=94|35=A|34=1|49=CLIENT1|52=20261127-00:48:59.696|56=SIM|"
    "98=0|108=30|141=Y|553=client1|554=s3cret|10=216|";
constexpr std::string_view kOrder =
    "8=FIX.4.4|9=127|35=D|34=5|49=CLIENT1|52=20261127-00:48:59.696|56=SIM|"
    "11=b1|38=600|40=2|44=100.02|54=1|55=AAPL|59=0|"
    "60=20261127-00:48:59.696956|10=029|";
constexpr std::string_view kReject =
    "8=FIX.4.4|9=103|35=3|34=29|49=SIM|52=20261127-00:48:59.880|56=CLIENT1|"
    "45=18|58=Required tag missing|371=54|372=D|373=1|10=003|";
// A resend as QuickFIX sends it (PossDupFlag, OrigSendingTime).
constexpr std::string_view kResent =
    "8=FIX.4.4|9=150|35=8|34=7|43=Y|49=GW|52=20261127-00:50:01.002|"
    "56=BROKER1|122=20261127-00:49:58.120|6=0|11=b1|14=0|17=GW-X3|37=GW-3|"
    "39=0|54=1|55=AAPL|150=0|151=600|10=111|";

TEST(RenderMessage, TextShowsTypeHeaderEssentialsAndNamedBody) {
  EXPECT_EQ(RenderMessage(Fix44(), kTime, Parse(kOrder), {}),
            "20261127-00:48:59.696259000 NewOrderSingle CLIENT1->SIM #5 "
            "ClOrdID=b1 OrderQty=600 OrdType=2(LIMIT) Price=100.02 "
            "Side=1(BUY) Symbol=AAPL TimeInForce=0(DAY) "
            "TransactTime=20261127-00:48:59.696956");
  EXPECT_EQ(RenderMessage(Fix44(), kTime, Parse(kReject), {}),
            "20261127-00:48:59.696259000 Reject SIM->CLIENT1 #29 "
            "RefSeqNum=18 Text=Required tag missing RefTagID=54 "
            "RefMsgType=D SessionRejectReason=1(REQUIRED_TAG_MISSING)");
}

TEST(RenderMessage, MasksThePassword) {
  std::string text = RenderMessage(Fix44(), kTime, Parse(kLogon), {});
  EXPECT_EQ(text,
            "20261127-00:48:59.696259000 Logon CLIENT1->SIM #1 "
            "EncryptMethod=0(NONE) HeartBtInt=30 ResetSeqNumFlag=Y(YES) "
            "Username=client1 Password=****");
  RenderOptions json = Json(/*full=*/true);
  std::string full = RenderMessage(Fix44(), kTime, Parse(kLogon), json);
  EXPECT_EQ(full.find("s3cret"), std::string::npos) << full;
  // Nor can a filter find it.
  EXPECT_EQ(RenderMessage(Fix44(), kTime, Parse(kLogon), Grep("s3cret")), "");
}

TEST(RenderMessage, MarksPossDupAndUsesSendingTimeWithoutALogTime) {
  EXPECT_EQ(RenderMessage(Fix44(), "", Parse(kResent), {}),
            "20261127-00:50:01.002 ExecutionReport GW->BROKER1 #7 PossDup "
            "AvgPx=0 ClOrdID=b1 CumQty=0 ExecID=GW-X3 OrderID=GW-3 "
            "OrdStatus=0(NEW) Side=1(BUY) Symbol=AAPL ExecType=0(NEW) "
            "LeavesQty=600");
}

TEST(RenderMessage, FullShowsHeaderAndTrailer) {
  RenderOptions full = Full();
  EXPECT_EQ(RenderMessage(Fix44(), kTime, Parse(kReject), full),
            "20261127-00:48:59.696259000 Reject SIM->CLIENT1 #29 "
            "BeginString=FIX.4.4 BodyLength=103 MsgType=3(Reject) "
            "MsgSeqNum=29 SenderCompID=SIM "
            "SendingTime=20261127-00:48:59.880 TargetCompID=CLIENT1 "
            "RefSeqNum=18 Text=Required tag missing RefTagID=54 "
            "RefMsgType=D SessionRejectReason=1(REQUIRED_TAG_MISSING) "
            "CheckSum=003");
}

TEST(RenderMessage, JsonHasNamedFieldsInWireOrder) {
  RenderOptions json = Json();
  auto doc = nlohmann::json::parse(
      RenderMessage(Fix44(), kTime, Parse(kResent), json));
  EXPECT_EQ(doc["time"], kTime);
  EXPECT_EQ(doc["msg_type"], "8");
  EXPECT_EQ(doc["msg_type_name"], "ExecutionReport");
  EXPECT_EQ(doc["sender"], "GW");
  EXPECT_EQ(doc["target"], "BROKER1");
  EXPECT_EQ(doc["seq"], 7);
  EXPECT_EQ(doc["poss_dup"], true);
  EXPECT_EQ(doc["poss_resend"], false);
  ASSERT_EQ(doc["fields"].size(), 10u);
  EXPECT_EQ(
      doc["fields"][1],
      (nlohmann::json{{"tag", 11}, {"name", "ClOrdID"}, {"value", "b1"}}));
  EXPECT_EQ(doc["fields"][5], (nlohmann::json{{"tag", 39},
                                              {"name", "OrdStatus"},
                                              {"value", "0"},
                                              {"enum", "NEW"}}));
}

TEST(RenderMessage, FiltersByTypeValueOrNameAndByFieldValue) {
  RenderOptions orders = Types({"D"});
  EXPECT_NE(RenderMessage(Fix44(), kTime, Parse(kOrder), orders), "");
  EXPECT_EQ(RenderMessage(Fix44(), kTime, Parse(kReject), orders), "");
  RenderOptions by_name = Types({"8", "Reject"});
  EXPECT_NE(RenderMessage(Fix44(), kTime, Parse(kReject), by_name), "");
  EXPECT_EQ(RenderMessage(Fix44(), kTime, Parse(kOrder), by_name), "");

  RenderOptions grep = Grep("b1");
  EXPECT_NE(RenderMessage(Fix44(), kTime, Parse(kOrder), grep), "");
  EXPECT_EQ(RenderMessage(Fix44(), kTime, Parse(kReject), grep), "");
}

TEST(RenderMessage, ClOrdIdMatchesExactlyInClOrdIdOrOrigClOrdId) {
  constexpr std::string_view kOrderB10 =
      "8=FIX.4.4|9=128|35=D|34=6|49=CLIENT1|52=20261127-00:48:59.696|56=SIM|"
      "11=b10|38=600|40=2|44=100.02|54=1|55=AAPL|59=0|"
      "60=20261127-00:48:59.696956|10=029|";
  constexpr std::string_view kCancelOfB1 =
      "8=FIX.4.4|9=70|35=F|34=9|49=CLIENT1|52=20261127-00:50:01.002|56=SIM|"
      "11=c1|41=b1|55=AAPL|54=1|10=000|";
  RenderOptions exact;
  exact.cl_ord_id = "b1";
  EXPECT_NE(RenderMessage(Fix44(), kTime, Parse(kOrder), exact), "");
  EXPECT_NE(RenderMessage(Fix44(), kTime, Parse(kCancelOfB1), exact), "");
  // --grep b1 finds b10 too; the exact match does not.
  EXPECT_NE(RenderMessage(Fix44(), kTime, Parse(kOrderB10), Grep("b1")), "");
  EXPECT_EQ(RenderMessage(Fix44(), kTime, Parse(kOrderB10), exact), "");
  EXPECT_EQ(RenderEvent(kTime, "b1 event", exact), "");
}

TEST(RenderMessage, UnknownTagsAndTypesKeepTheirNumbers) {
  EXPECT_EQ(RenderMessage(Fix44(), "", Parse("35=ZZ|49=A|56=B|9999=x|"), {}),
            "- ZZ A->B 9999=x");
}

TEST(RenderMessage, TextEscapesControlBytesInValues) {
  Fields fields = {{35, "D"}, {49, "A"}, {56, "B"}, {58, "x\x1b[31my"}};
  EXPECT_EQ(RenderMessage(Fix44(), "", fields, {}),
            "- NewOrderSingle A->B Text=x\\x1b[31my");
}

TEST(RenderEvent, TextJsonAndFilters) {
  EXPECT_EQ(RenderEvent(kTime, "Received logon request", {}),
            "20261127-00:48:59.696259000 event: Received logon request");
  EXPECT_EQ(RenderEvent(kTime, "Received logon request", Json()),
            "{\"time\":\"20261127-00:48:59.696259000\","
            "\"event\":\"Received logon request\"}");
  EXPECT_EQ(RenderEvent(kTime, "Received logon request", Types({"A"})), "");
  EXPECT_EQ(RenderEvent(kTime, "Received logon request", Grep("logout")), "");
}

}  // namespace
}  // namespace fixgw::fixlog
