// Tests of naming raw FIX messages through the project's dictionary.
#include "gateway/fix/describe.h"

#include <gtest/gtest.h>

namespace fixgw::fix {
namespace {

// "35=8|11=o1|..." with | as SOH.
std::string Soh(std::string text) {
  for (char& c : text) {
    if (c == '|') c = '\x01';
  }
  return text;
}

const FIX::DataDictionary& Fix44() {
  static const FIX::DataDictionary* const dd = [] {
    Result<std::unique_ptr<FIX::DataDictionary>> loaded =
        LoadDictionary(FIXGW_FIX44_XML);
    EXPECT_TRUE(loaded.ok()) << loaded.status().message();
    return std::move(loaded).value().release();
  }();
  return *dd;
}

TEST(SplitFix, SkipsMalformedFields) {
  FieldList fields = SplitFix(Soh("35=8|garbage|x=1|11=a=b|"));
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[1].first, 11);
  EXPECT_EQ(fields[1].second, "a=b");
}

TEST(NameFields, NamesMessageTypesAfterTheirMessageElement) {
  auto type_name = [](const std::string& type) {
    return NameFields(Fix44(), {{35, type}}).msg_type_name;
  };
  EXPECT_EQ(type_name("D"), "NewOrderSingle");
  EXPECT_EQ(type_name("8"), "ExecutionReport");
  EXPECT_EQ(type_name("A"), "Logon");
  EXPECT_EQ(type_name("j"), "BusinessMessageReject");
  // The dictionary is the whole of FIX 4.4, not only what fixgw takes.
  EXPECT_EQ(type_name("R"), "QuoteRequest");
  EXPECT_EQ(type_name("AF"), "OrderMassStatusRequest");
  // Not FIX 4.4 at all: the value itself.
  EXPECT_EQ(type_name("ZZ"), "ZZ");
}

TEST(LoadDictionary, NamesThePathOnError) {
  Result<std::unique_ptr<FIX::DataDictionary>> missing =
      LoadDictionary("/nonexistent/FIX44.xml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/FIX44.xml"),
            std::string::npos);
}

TEST(Describe, NamesBodyFieldsAndEnumValuesAndSkipsHeader) {
  std::string raw = Soh(
      "8=FIX.4.4|9=120|35=8|34=4|49=SIM|52=20261127-00:42:02.123|56=CLIENT1|"
      "37=1|11=b1|17=X1|150=F|39=2|55=AAPL|54=1|38=100|32=100|31=100.5|"
      "14=100|151=0|6=100.5|10=123|");
  EXPECT_EQ(Describe(Fix44(), raw),
            "ExecutionReport OrderID=1 ClOrdID=b1 ExecID=X1 ExecType=F(TRADE) "
            "OrdStatus=2(FILLED) Symbol=AAPL Side=1(BUY) OrderQty=100 "
            "LastQty=100 LastPx=100.5 CumQty=100 LeavesQty=0 AvgPx=100.5");
}

TEST(Describe, UnknownTagsKeepTheirNumber) {
  EXPECT_EQ(Describe(Fix44(), Soh("35=D|11=a|99999=x|")),
            "NewOrderSingle ClOrdID=a 99999=x");
}

TEST(NameFields, MasksPasswords) {
  NamedMessage m =
      NameFields(Fix44(), SplitFix(Soh("8=FIX.4.4|35=A|49=B|56=GW|553=broker1|"
                                       "554=s3cret|925=n3w|10=000|")));
  ASSERT_EQ(m.fields.size(), 8u);
  EXPECT_EQ(m.msg_type, "A");
  EXPECT_EQ(m.msg_type_name, "Logon");
  EXPECT_EQ(m.fields[4].name, "Username");
  EXPECT_EQ(m.fields[4].value, "broker1");
  EXPECT_EQ(m.fields[5].name, "Password");
  EXPECT_EQ(m.fields[5].value, "****");
  EXPECT_EQ(m.fields[6].value, "****");
  EXPECT_EQ(m.fields[0].part, FieldPart::kHeader);
  EXPECT_EQ(m.fields[4].part, FieldPart::kBody);
  EXPECT_EQ(m.fields[7].part, FieldPart::kTrailer);
  EXPECT_EQ(Describe(Fix44(), Soh("35=A|553=u|554=s3cret|")).find("s3cret"),
            std::string::npos);
}

}  // namespace
}  // namespace fixgw::fix
