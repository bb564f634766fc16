// Unit tests of the fixload script parser and the expectation matcher.
#include "sim/fixload/script.h"

#include <gtest/gtest.h>

#include <map>

#include "gateway/fix/describe.h"

namespace fixgw::load {
namespace {

// A tiny dictionary standing in for FIX44.xml.
FieldResolver TestResolver() {
  static const std::map<std::string, int> kTags = {
      {"ClOrdID", 11},   {"Symbol", 55},      {"Side", 54},
      {"OrderQty", 38},  {"Price", 44},       {"OrdType", 40},
      {"ExecType", 150}, {"OrdStatus", 39},   {"Text", 58},
      {"CumQty", 14},    {"PossDupFlag", 43}, {"TransactTime", 60}};
  FieldResolver r;
  r.tag_of = [](const std::string& name) -> std::optional<int> {
    auto it = kTags.find(name);
    if (it == kTags.end()) return std::nullopt;
    return it->second;
  };
  r.is_decimal = [](int tag) { return tag == 44 || tag == 38 || tag == 14; };
  return r;
}

std::vector<Step> Parse(std::string_view text) {
  Result<std::vector<Step>> steps = ParseScript(text, TestResolver());
  EXPECT_TRUE(steps.ok()) << steps.status().message();
  return steps.ok() ? *steps : std::vector<Step>{};
}

std::string ParseError(std::string_view text) {
  Result<std::vector<Step>> steps = ParseScript(text, TestResolver());
  EXPECT_FALSE(steps.ok());
  return steps.ok() ? "" : steps.status().message();
}

// "35=8|11=o1|..." with | as SOH.
FieldList Msg(std::string text) {
  for (char& c : text) {
    if (c == '|') c = '\x01';
  }
  return fix::SplitFix(text);
}

TEST(ParseScript, ReadsAllCommandsWithLineNumbers) {
  std::vector<Step> steps = Parse(
      "# new order then cancel\n"
      "\n"
      "send D ClOrdID=o1 Symbol=AAPL Side=1 OrderQty=500 Price=100.05\n"
      "expect 8 ClOrdID=o1 OrdStatus=0   # acked\n"
      "expect-none 200\n"
      "sleep 10\n");
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0].kind, StepKind::kSend);
  EXPECT_EQ(steps[0].line, 3);
  EXPECT_EQ(steps[0].msg_type, "D");
  ASSERT_EQ(steps[0].fields.size(), 5u);
  EXPECT_EQ(steps[0].fields[0].tag, 11);
  EXPECT_EQ(steps[0].fields[0].value, "o1");
  EXPECT_EQ(steps[0].fields[4].tag, 44);
  EXPECT_TRUE(steps[0].fields[4].decimal);
  EXPECT_EQ(steps[1].kind, StepKind::kExpect);
  EXPECT_EQ(steps[1].text, "expect 8 ClOrdID=o1 OrdStatus=0");
  EXPECT_EQ(steps[2].kind, StepKind::kExpectNone);
  EXPECT_EQ(steps[2].wait, std::chrono::milliseconds(200));
  EXPECT_EQ(steps[3].kind, StepKind::kSleep);
  EXPECT_EQ(steps[3].line, 6);
}

TEST(ParseScript, AcceptsRawTagNumbersAndUnknownTags) {
  std::vector<Step> steps = Parse("send D 55=AAPL 9999=x\n");
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].fields[0].tag, 55);
  EXPECT_EQ(steps[0].fields[1].tag, 9999);
  EXPECT_EQ(steps[0].fields[0].name, "55");
}

TEST(ParseScript, QuotesGroupSpacesAndKeepHashes) {
  std::vector<Step> steps = Parse(
      "send D Text=\"two  words # not a comment\" \"58=a b\"\n"
      "expect 8 Text=\"say \\\"hi\\\"\"\n");
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].fields[0].value, "two  words # not a comment");
  EXPECT_EQ(steps[0].fields[1].value, "a b");
  EXPECT_EQ(steps[1].fields[0].value, "say \"hi\"");
}

TEST(ParseScript, PresenceAbsenceAndQuotedLiterals) {
  std::vector<Step> steps = Parse("expect 8 Text=* Price=! Symbol=\"*\"\n");
  ASSERT_EQ(steps[0].fields.size(), 3u);
  EXPECT_EQ(steps[0].fields[0].kind, FieldSpec::Kind::kPresent);
  EXPECT_EQ(steps[0].fields[1].kind, FieldSpec::Kind::kAbsent);
  EXPECT_EQ(steps[0].fields[2].kind, FieldSpec::Kind::kEquals);
  EXPECT_EQ(steps[0].fields[2].value, "*");
}

TEST(ParseScript, AllowsSuppressingAndRepeatingFieldsInSend) {
  std::vector<Step> steps = Parse("send D TransactTime=! 55=A 55=B\n");
  ASSERT_EQ(steps[0].fields.size(), 3u);
  EXPECT_EQ(steps[0].fields[0].kind, FieldSpec::Kind::kAbsent);
}

TEST(ParseScript, ReportsErrorsWithLineNumbers) {
  EXPECT_EQ(ParseError("sleep 1\nfrobnicate x\n"),
            "line 2: unknown command 'frobnicate' (expected send, expect, "
            "expect-none or sleep)");
  EXPECT_EQ(ParseError("send D Bogus=1\n"), "line 1: unknown field 'Bogus'");
  EXPECT_EQ(ParseError("send D Text=\"open\n"), "line 1: unterminated quote");
  EXPECT_EQ(ParseError("send\n"), "line 1: send needs a MsgType first");
  EXPECT_EQ(ParseError("expect ClOrdID=1\n"),
            "line 1: expect needs a MsgType first");
  EXPECT_EQ(ParseError("send D ClOrdID\n"),
            "line 1: expected Field=Value, got 'ClOrdID'");
  EXPECT_EQ(ParseError("send D Text=*\n"),
            "line 1: 'Text=*' is only meaningful in expect");
  EXPECT_EQ(ParseError("expect 8 Text=a 58=b\n"),
            "line 1: field '58' is expected twice");
  EXPECT_EQ(ParseError("sleep\n"),
            "line 1: sleep needs one argument: "
            "milliseconds");
  EXPECT_EQ(ParseError("expect-none -5\n"),
            "line 1: expect-none needs one argument: milliseconds");
  EXPECT_EQ(ParseError("sleep 10 20\n"),
            "line 1: sleep needs one argument: milliseconds");
  EXPECT_EQ(ParseError("send D 0=x\n"), "line 1: bad tag number '0'");
}

TEST(ParseScript, WithoutDictionaryOnlyTagNumbersWork) {
  Result<std::vector<Step>> steps =
      ParseScript("send D ClOrdID=1\n", FieldResolver{});
  ASSERT_FALSE(steps.ok());
  EXPECT_EQ(steps.status().message(),
            "line 1: unknown field 'ClOrdID' (no data dictionary: use tag "
            "numbers)");
  EXPECT_TRUE(ParseScript("send D 11=1\n", FieldResolver{}).ok());
}

TEST(ParseScript, HandlesCrLfAndMissingFinalNewline) {
  std::vector<Step> steps = Parse("sleep 1\r\nsleep 2");
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].text, "sleep 1");
  EXPECT_EQ(steps[1].wait, std::chrono::milliseconds(2));
}

TEST(Mismatches, AcceptsMatchingMessage) {
  Step expect = Parse("expect 8 ClOrdID=o1 OrdStatus=0 Text=! CumQty=*")[0];
  EXPECT_TRUE(
      Mismatches(expect, Msg("8=FIX.4.4|35=8|11=o1|39=0|14=0|10=1|")).empty());
}

TEST(Mismatches, ComparesDecimalFieldsNumerically) {
  Step expect = Parse("expect 8 Price=100 OrderQty=500")[0];
  EXPECT_TRUE(Mismatches(expect, Msg("35=8|44=100.000|38=500.0|")).empty());
  std::vector<std::string> m =
      Mismatches(expect, Msg("35=8|44=100.01|38=500|"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], "Price(44): expected 100, got 100.01");
}

TEST(Mismatches, ComparesTextFieldsExactly) {
  Step expect = Parse("expect 8 ClOrdID=100")[0];
  EXPECT_EQ(Mismatches(expect, Msg("35=8|11=100.0|")).size(), 1u);
}

TEST(Mismatches, FallsBackToTextWhenNotADecimal) {
  Step expect = Parse("expect 8 Price=abc")[0];
  EXPECT_TRUE(Mismatches(expect, Msg("35=8|44=abc|")).empty());
}

TEST(Mismatches, ReportsEveryDifference) {
  Step expect = Parse("expect 8 OrdStatus=0 Text=! CumQty=* ClOrdID=o1")[0];
  std::vector<std::string> m =
      Mismatches(expect, Msg("35=9|39=8|58=no such order|"));
  ASSERT_EQ(m.size(), 5u);
  EXPECT_EQ(m[0], "MsgType(35): expected 8, got 9");
  EXPECT_EQ(m[1], "OrdStatus(39): expected 0, got 8");
  EXPECT_EQ(m[2], "Text(58): expected absent, got no such order");
  EXPECT_EQ(m[3], "CumQty(14): expected present, absent");
  EXPECT_EQ(m[4], "ClOrdID(11): expected o1, absent");
}

TEST(Mismatches, UsesFirstOccurrenceOfRepeatedTag) {
  Step expect = Parse("expect 8 448=A")[0];
  EXPECT_TRUE(Mismatches(expect, Msg("35=8|453=2|448=A|448=B|")).empty());
}

TEST(Printable, ReplacesSoh) {
  EXPECT_EQ(Printable("8=FIX.4.4\x01"
                      "35=0\x01"),
            "8=FIX.4.4|35=0|");
}

TEST(DescribeFields, QuotesWhatNeedsIt) {
  Step expect =
      Parse("expect 8 Text=\"a b\" OrdStatus=* Price=! Symbol=\"*\"")[0];
  EXPECT_EQ(DescribeFields(expect.fields),
            "Text=\"a b\" OrdStatus=* Price=! Symbol=\"*\"");
}

}  // namespace
}  // namespace fixgw::load
