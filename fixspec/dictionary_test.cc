// Tests for fixspec/FIX44.xml, the FIX 4.4 dialect every FIX adapter loads.
//
// Messages are written as text with '|' standing for SOH; Frame() turns them
// into wire messages (SOH separators, computed BodyLength and CheckSum), which
// are parsed with FIX::Message and checked with FIX::DataDictionary::validate,
// the same path a QuickFIX session takes for inbound messages.

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/types.h"
#include "gateway/fix/quickfix.h"

namespace {

constexpr std::string_view kHeader =
    "49=CLIENT|56=FIXGW|34=2|52=20240102-09:30:00.000|";

// Well-formed bodies, one per message type, using optional fields too.
constexpr std::string_view kNewOrderSingle =
    "11=ORD-1|453=2|448=TRADER1|447=D|452=11|448=FIRM1|447=D|452=1|"
    "1=ACC-7|21=1|18=1 G|110=100|111=200|100=XNAS|55=AAPL|48=US0378331005|"
    "22=4|207=XNAS|54=1|60=20240102-09:30:00.123|38=1000|40=2|44=187.25|"
    "59=0|15=USD|528=A|58=first order|";
constexpr std::string_view kOrderCancelRequest =
    "41=ORD-1|37=GW-1|11=ORD-1-C|1=ACC-7|55=AAPL|54=1|"
    "60=20240102-09:31:00.000|38=1000|58=cancel|";
constexpr std::string_view kOrderCancelReplaceRequest =
    "37=GW-1|41=ORD-1|11=ORD-1-R|1=ACC-7|21=1|55=AAPL|54=1|"
    "60=20240102-09:32:00.000|38=2000|40=2|44=187.50|59=6|126=20240102-"
    "21:00:00|";
constexpr std::string_view kOrderStatusRequest =
    "37=GW-1|11=ORD-1|790=STAT-1|1=ACC-7|55=AAPL|54=1|";
constexpr std::string_view kExecutionReport =
    "37=GW-1|198=VENUE-9|11=ORD-1|453=1|448=FIRM1|447=D|452=1|17=EX-2|"
    "150=F|39=1|1=ACC-7|55=AAPL|54=1|38=1000|40=2|44=187.25|59=0|32=400|"
    "31=187.20|151=600|14=400|6=187.20|75=20240102|"
    "60=20240102-09:30:00.123456|";
constexpr std::string_view kOrderCancelReject =
    "37=GW-1|11=ORD-1-C|41=ORD-1|39=2|60=20240102-09:31:00.000|434=1|102=0|"
    "58=too late|";
constexpr std::string_view kBusinessMessageReject =
    "45=7|372=D|379=ORD-9|380=0|58=OrdType not supported|354=5|355=hello|";
constexpr std::string_view kSessionReject =
    "45=7|371=54|372=D|373=5|58=bad Side|";
constexpr std::string_view kLogon =
    "98=0|108=30|141=Y|789=1|383=8192|384=2|372=D|385=R|372=8|385=S|464=N|"
    "553=trader|554=secret|";

// Turns readable text ('|' for SOH) into a wire message with BeginString,
// BodyLength and CheckSum. `fields` runs from MsgType to the last body field.
std::string Frame(std::string_view begin_string, std::string_view fields) {
  std::string body(fields);
  std::replace(body.begin(), body.end(), '|', '\x01');
  std::string wire = "8=" + std::string(begin_string) + '\x01' +
                     "9=" + std::to_string(body.size()) + '\x01' + body;
  unsigned sum = 0;
  for (const char c : wire) sum += static_cast<unsigned char>(c);
  std::string checksum = std::to_string(sum % 256);
  checksum.insert(0, 3 - checksum.size(), '0');
  return wire + "10=" + checksum + '\x01';
}

// A FIX 4.4 message of `msg_type` with the standard test header.
std::string Msg(std::string_view msg_type, std::string_view body) {
  return Frame("FIX.4.4", "35=" + std::string(msg_type) + "|" +
                              std::string(kHeader) + std::string(body));
}

// `body` without any field of `tag`.
std::string Without(std::string_view body, int tag) {
  const std::string prefix = std::to_string(tag) + "=";
  std::istringstream in{std::string(body)};
  std::string field;
  std::string out;
  while (std::getline(in, field, '|')) {
    if (!field.starts_with(prefix)) out += field + '|';
  }
  return out;
}

// `body` with the value of every field of `tag` replaced by `value`.
std::string With(std::string_view body, int tag, std::string_view value) {
  const std::string prefix = std::to_string(tag) + "=";
  std::istringstream in{std::string(body)};
  std::string field;
  std::string out;
  while (std::getline(in, field, '|')) {
    out +=
        (field.starts_with(prefix) ? prefix + std::string(value) : field) + '|';
  }
  return out;
}

// The top-level tags of `body`, in order (group members included).
std::vector<int> Tags(std::string_view body) {
  std::istringstream in{std::string(body)};
  std::string field;
  std::vector<int> tags;
  while (std::getline(in, field, '|')) {
    tags.push_back(std::stoi(field.substr(0, field.find('='))));
  }
  return tags;
}

// Loaded once; intentionally never destroyed.
const FIX::DataDictionary& Dictionary() {
  static const auto* const dd = new FIX::DataDictionary(FIXGW_FIX44_XML);
  return *dd;
}

// Parses `wire` and validates it the way a session does for inbound messages.
void Validate(const std::string& wire,
              const FIX::DataDictionary& dd = Dictionary()) {
  const FIX::Message message(wire, dd);
  dd.validate(message);
}

// The tag QuickFIX names when it rejects `wire` with exception E; nullopt
// (and a recorded failure) when the message passes or fails differently.
template <typename E>
std::optional<int> RejectedTag(const std::string& wire) {
  try {
    Validate(wire);
  } catch (const E& e) {
    return e.field;
  } catch (const FIX::Exception& e) {
    ADD_FAILURE() << "rejected with the wrong exception: " << e.what();
    return std::nullopt;
  }
  ADD_FAILURE() << "message passed validation";
  return std::nullopt;
}

std::string Char(char c) { return std::string(1, c); }

// --- Loading ----------------------------------------------------------------

TEST(DictionaryTest, LoadsAsFix44WithTheDialectsMessages) {
  const FIX::DataDictionary& dd = Dictionary();
  EXPECT_EQ(dd.getVersion(), "FIX.4.4");
  for (const char* type :
       {"0", "1", "2", "3", "4", "5", "A", "D", "F", "G", "H", "8", "9", "j"}) {
    EXPECT_TRUE(dd.isMsgType(type)) << "MsgType " << type;
  }
}

// --- Well-formed messages pass ----------------------------------------------

TEST(DictionaryTest, AcceptsValidNewOrderSingle) {
  EXPECT_NO_THROW(Validate(Msg("D", kNewOrderSingle)));
}

TEST(DictionaryTest, AcceptsNewOrderSingleWithOnlyRequiredFields) {
  EXPECT_NO_THROW(Validate(
      Msg("D", "11=ORD-2|55=MSFT|54=2|60=20240102-09:30:00|38=50|40=1|")));
}

TEST(DictionaryTest, AcceptsValidOrderCancelRequest) {
  EXPECT_NO_THROW(Validate(Msg("F", kOrderCancelRequest)));
}

TEST(DictionaryTest, AcceptsValidOrderCancelReplaceRequest) {
  EXPECT_NO_THROW(Validate(Msg("G", kOrderCancelReplaceRequest)));
}

TEST(DictionaryTest, AcceptsValidOrderStatusRequest) {
  EXPECT_NO_THROW(Validate(Msg("H", kOrderStatusRequest)));
}

TEST(DictionaryTest, AcceptsValidExecutionReport) {
  EXPECT_NO_THROW(Validate(Msg("8", kExecutionReport)));
}

TEST(DictionaryTest, AcceptsValidOrderCancelReject) {
  EXPECT_NO_THROW(Validate(Msg("9", kOrderCancelReject)));
}

TEST(DictionaryTest, AcceptsValidBusinessMessageReject) {
  EXPECT_NO_THROW(Validate(Msg("j", kBusinessMessageReject)));
}

TEST(DictionaryTest, AcceptsValidSessionReject) {
  EXPECT_NO_THROW(Validate(Msg("3", kSessionReject)));
}

TEST(DictionaryTest, AcceptsValidLogon) {
  EXPECT_NO_THROW(Validate(Msg("A", kLogon)));
}

TEST(DictionaryTest, AcceptsOtherSessionMessages) {
  EXPECT_NO_THROW(Validate(Msg("0", "")));
  EXPECT_NO_THROW(Validate(Msg("0", "112=TEST-1|")));
  EXPECT_NO_THROW(Validate(Msg("1", "112=TEST-1|")));
  EXPECT_NO_THROW(Validate(Msg("2", "7=1|16=0|")));
  EXPECT_NO_THROW(Validate(Msg("4", "123=Y|36=10|")));
  EXPECT_NO_THROW(Validate(Msg("5", "58=bye|")));
}

TEST(DictionaryTest, AcceptsOptionalHeaderFields) {
  EXPECT_NO_THROW(Validate(Frame(
      "FIX.4.4",
      "35=D|49=CLIENT|56=FIXGW|115=DESK|128=VENUE|34=9|50=S1|142=LDN|57=T1|"
      "143=NY|43=Y|97=N|52=20240102-09:30:00.000|122=20240102-09:29:00.000|"
      "369=8|627=1|628=HUB|629=20240102-09:30:00|630=4|" +
          std::string(kNewOrderSingle))));
}

// Valid FIX 4.4 values the gateway does not support must reach the
// application (which answers with a business reject), not fail here.
TEST(DictionaryTest, AcceptsStopOrderType) {
  EXPECT_NO_THROW(
      Validate(Msg("D", With(kNewOrderSingle, 40, "3") + "99=180|")));
}

TEST(DictionaryTest, AcceptsGoodTillCancel) {
  EXPECT_NO_THROW(Validate(Msg("D", With(kNewOrderSingle, 59, "1"))));
}

TEST(DictionaryTest, AcceptsValidButUnsupportedSideAndCapacity) {
  EXPECT_NO_THROW(Validate(Msg("D", With(kNewOrderSingle, 54, "6"))));
  EXPECT_NO_THROW(Validate(Msg("D", With(kNewOrderSingle, 528, "R"))));
}

TEST(DictionaryTest, AcceptsTimestampsToTheMicrosecond) {
  for (const char* t : {"20240102-09:30:00", "20240102-09:30:00.123",
                        "20240102-09:30:00.123456"}) {
    EXPECT_NO_THROW(Validate(Msg("D", With(kNewOrderSingle, 60, t)))) << t;
  }
}

// --- Missing required fields ------------------------------------------------

TEST(DictionaryTest, RejectsNewOrderSingleWithoutSide) {
  EXPECT_EQ(RejectedTag<FIX::RequiredTagMissing>(
                Msg("D", Without(kNewOrderSingle, 54))),
            54);
}

TEST(DictionaryTest, RejectsNewOrderSingleWithoutClOrdId) {
  EXPECT_EQ(RejectedTag<FIX::RequiredTagMissing>(
                Msg("D", Without(kNewOrderSingle, 11))),
            11);
}

// Symbol and OrderQty are required through the required Instrument and
// OrderQtyData components.
TEST(DictionaryTest, RejectsNewOrderSingleWithoutSymbol) {
  EXPECT_EQ(RejectedTag<FIX::RequiredTagMissing>(
                Msg("D", Without(kNewOrderSingle, 55))),
            55);
}

TEST(DictionaryTest, RejectsNewOrderSingleWithoutOrderQty) {
  EXPECT_EQ(RejectedTag<FIX::RequiredTagMissing>(
                Msg("D", Without(kNewOrderSingle, 38))),
            38);
}

TEST(DictionaryTest, RejectsCancelReplaceWithoutOrderQty) {
  EXPECT_EQ(RejectedTag<FIX::RequiredTagMissing>(
                Msg("G", Without(kOrderCancelReplaceRequest, 38))),
            38);
}

// OrderQtyData is not required in ExecutionReport, so neither is OrderQty.
TEST(DictionaryTest, AcceptsExecutionReportWithoutOrderQty) {
  EXPECT_NO_THROW(Validate(Msg("8", Without(kExecutionReport, 38))));
}

struct RequiredCase {
  const char* msg_type;
  std::string_view body;
  std::vector<int> required;
};

// FIX 4.4 required fields of each message, written independently of the XML.
const std::vector<RequiredCase>& RequiredCases() {
  static const auto* const cases = new std::vector<RequiredCase>{
      {"D", kNewOrderSingle, {11, 55, 54, 60, 38, 40}},
      {"F", kOrderCancelRequest, {41, 11, 55, 54, 60}},
      {"G", kOrderCancelReplaceRequest, {41, 11, 55, 54, 60, 38, 40}},
      {"H", kOrderStatusRequest, {11, 55, 54}},
      {"8", kExecutionReport, {37, 17, 150, 39, 55, 54, 151, 14, 6}},
      {"9", kOrderCancelReject, {37, 11, 41, 39, 434}},
      {"j", kBusinessMessageReject, {372, 380}},
      {"3", kSessionReject, {45}},
      {"A", kLogon, {98, 108}},
  };
  return *cases;
}

TEST(DictionaryTest, RejectsEachMissingRequiredField) {
  for (const RequiredCase& c : RequiredCases()) {
    for (const int tag : c.required) {
      SCOPED_TRACE(std::string("MsgType ") + c.msg_type + " without " +
                   std::to_string(tag));
      EXPECT_EQ(RejectedTag<FIX::RequiredTagMissing>(
                    Msg(c.msg_type, Without(c.body, tag))),
                tag);
    }
  }
}

// Every other top-level field of the sample bodies is optional.
TEST(DictionaryTest, MarksOnlyFix44RequiredFieldsAsRequired) {
  const FIX::DataDictionary& dd = Dictionary();
  for (const RequiredCase& c : RequiredCases()) {
    for (const int tag : Tags(c.body)) {
      const bool required = std::find(c.required.begin(), c.required.end(),
                                      tag) != c.required.end();
      EXPECT_EQ(dd.isRequiredField(c.msg_type, tag), required)
          << "MsgType " << c.msg_type << " tag " << tag;
    }
  }
}

// --- Bad values
// ---------------------------------------------------------------

TEST(DictionaryTest, RejectsSideOutsideFix44) {
  EXPECT_EQ(RejectedTag<FIX::IncorrectTagValue>(
                Msg("D", With(kNewOrderSingle, 54, "Z"))),
            54);
}

TEST(DictionaryTest, RejectsOrdTypeRemovedInFix44) {
  EXPECT_EQ(RejectedTag<FIX::IncorrectTagValue>(
                Msg("D", With(kNewOrderSingle, 40, "5"))),
            40);
}

TEST(DictionaryTest, RejectsFix42PartialFillExecType) {
  EXPECT_EQ(RejectedTag<FIX::IncorrectTagValue>(
                Msg("8", With(kExecutionReport, 150, "1"))),
            150);
}

TEST(DictionaryTest, RejectsUnknownValueInMultipleValueExecInst) {
  EXPECT_EQ(RejectedTag<FIX::IncorrectTagValue>(
                Msg("D", With(kNewOrderSingle, 18, "1 z"))),
            18);
}

TEST(DictionaryTest, RejectsNonNumericOrderQty) {
  EXPECT_EQ(RejectedTag<FIX::IncorrectDataFormat>(
                Msg("D", With(kNewOrderSingle, 38, "abc"))),
            38);
}

TEST(DictionaryTest, RejectsPriceWithTwoDecimalPoints) {
  EXPECT_EQ(RejectedTag<FIX::IncorrectDataFormat>(
                Msg("D", With(kNewOrderSingle, 44, "1.2.3"))),
            44);
}

TEST(DictionaryTest, RejectsGarbageTransactTime) {
  EXPECT_EQ(RejectedTag<FIX::IncorrectDataFormat>(
                Msg("D", With(kNewOrderSingle, 60, "yesterday"))),
            60);
  EXPECT_EQ(RejectedTag<FIX::IncorrectDataFormat>(
                Msg("D", With(kNewOrderSingle, 60, "20240102-25:30:00"))),
            60);
}

TEST(DictionaryTest, RejectsBooleanOtherThanYOrN) {
  EXPECT_EQ(
      RejectedTag<FIX::IncorrectDataFormat>(Msg("A", With(kLogon, 141, "T"))),
      141);
}

TEST(DictionaryTest, RejectsNonNumericIntField) {
  EXPECT_EQ(RejectedTag<FIX::IncorrectDataFormat>(
                Msg("A", With(kLogon, 108, "thirty"))),
            108);
}

TEST(DictionaryTest, RejectsEmptyValue) {
  EXPECT_EQ(
      RejectedTag<FIX::NoTagValue>(Msg("D", With(kNewOrderSingle, 58, ""))),
      58);
}

// --- Unknown and misplaced tags
// -----------------------------------------------

TEST(DictionaryTest, RejectsUndefinedTag) {
  EXPECT_EQ(RejectedTag<FIX::InvalidTagNumber>(
                Msg("D", std::string(kNewOrderSingle) + "4999=x|")),
            4999);
}

// ValidateUserDefinedFields=N in the session settings turns this off.
TEST(DictionaryTest, RejectsUserDefinedTagUnlessUserDefinedFieldsAreOff) {
  const std::string wire = Msg("D", std::string(kNewOrderSingle) + "5001=x|");
  EXPECT_EQ(RejectedTag<FIX::InvalidTagNumber>(wire), 5001);

  FIX::DataDictionary lenient(Dictionary());
  lenient.checkUserDefinedFields(false);
  EXPECT_NO_THROW(Validate(wire, lenient));
}

TEST(DictionaryTest, RejectsTagNotDefinedForMessage) {
  EXPECT_EQ(RejectedTag<FIX::TagNotDefinedForMessage>(
                Msg("D", std::string(kNewOrderSingle) + "108=30|")),
            108);
  EXPECT_EQ(RejectedTag<FIX::TagNotDefinedForMessage>(
                Msg("F", std::string(kOrderCancelRequest) + "44=1.5|")),
            44);
}

TEST(DictionaryTest, RejectsUnknownMsgType) {
  EXPECT_THROW(Validate(Msg("ZZ", "58=hello|")), FIX::InvalidMessageType);
}

// A valid FIX 4.4 type outside the dialect passes the dictionary with an
// empty body (the application answers BusinessMessageReject); a body field
// is not defined for it.
TEST(DictionaryTest, PassesBareFix44MsgTypeOutsideTheDialect) {
  EXPECT_NO_THROW(Validate(Msg("AE", "")));
  EXPECT_NO_THROW(Validate(Msg("R", "")));
  EXPECT_THROW(Validate(Msg("AE", "58=hello|")), FIX::TagNotDefinedForMessage);
}

TEST(DictionaryTest, AcceptsCancelWithoutOrderQty) {
  EXPECT_NO_THROW(Validate(Msg("F", Without(kOrderCancelRequest, 38))));
}

TEST(DictionaryTest, RejectsOtherFixVersion) {
  EXPECT_THROW(Validate(Frame("FIX.4.2", "35=D|" + std::string(kHeader) +
                                             std::string(kNewOrderSingle))),
               FIX::UnsupportedVersion);
}

TEST(DictionaryTest, RejectsRepeatedTagOutsideGroup) {
  EXPECT_EQ(RejectedTag<FIX::RepeatedTag>(
                Msg("D", std::string(kNewOrderSingle) + "54=2|")),
            54);
}

TEST(DictionaryTest, RejectsHeaderFieldAfterBody) {
  EXPECT_EQ(RejectedTag<FIX::TagOutOfOrder>(
                Msg("D", std::string(kNewOrderSingle) + "50=S1|")),
            50);
}

// --- Repeating groups
// ---------------------------------------------------------

TEST(DictionaryTest, RejectsPartiesCountAboveEntries) {
  EXPECT_EQ(RejectedTag<FIX::RepeatingGroupCountMismatch>(
                Msg("D", With(kNewOrderSingle, 453, "3"))),
            453);
}

TEST(DictionaryTest, RejectsPartiesCountBelowEntries) {
  EXPECT_EQ(RejectedTag<FIX::RepeatingGroupCountMismatch>(
                Msg("D", With(kNewOrderSingle, 453, "1"))),
            453);
}

TEST(DictionaryTest, AcceptsPartiesWithPartySubIds) {
  EXPECT_NO_THROW(Validate(
      Msg("D",
          "11=ORD-3|453=1|448=TRADER1|447=D|452=11|802=2|523=DESK-A|803=24|"
          "523=LDN|803=25|55=AAPL|54=1|60=20240102-09:30:00|38=10|40=1|")));
}

TEST(DictionaryTest, RejectsLogonMsgTypesCountMismatch) {
  EXPECT_EQ(RejectedTag<FIX::RepeatingGroupCountMismatch>(
                Msg("A", With(kLogon, 384, "3"))),
            384);
}

// --- QuickFIX 1.15.1 gaps the adapters must cover --------------------------
// These pin what DataDictionary::validate does NOT check, so the adapters
// know to check it themselves. If one starts failing after a QuickFIX
// upgrade, the library has closed the gap: update the test and the adapter.

TEST(DictionaryTest, DoesNotCheckValuesInsideRepeatingGroups) {
  EXPECT_NO_THROW(
      Validate(Msg("D", With(With(kNewOrderSingle, 452, "999"), 447, "@"))));
  EXPECT_NO_THROW(Validate(Msg("A", With(kLogon, 385, "X"))));
}

TEST(DictionaryTest, DoesNotCheckLocalMktDateOrCurrencyFormat) {
  EXPECT_NO_THROW(Validate(Msg("8", With(kExecutionReport, 75, "soon"))));
  EXPECT_NO_THROW(Validate(Msg("D", With(kNewOrderSingle, 15, "DOLLARS"))));
}

// Header presence (MsgSeqNum, SendingTime, CompIDs) is checked by the
// QuickFIX Session, not by the dictionary: 1.15.1 only honours
// required="true" on header fields, and FIX dictionaries say "Y".
TEST(DictionaryTest, DoesNotCheckRequiredHeaderFields) {
  EXPECT_NO_THROW(Validate(Frame(
      "FIX.4.4", "35=D|49=CLIENT|56=FIXGW|" + std::string(kNewOrderSingle))));
}

// --- Enumerations
// -------------------------------------------------------------

struct EnumCase {
  int tag;
  std::vector<std::string> fix44;    // the full FIX 4.4 value set
  std::vector<std::string> outside;  // values FIX 4.4 does not define
};

std::vector<std::string> Chars(std::string_view chars) {
  std::vector<std::string> values;
  for (const char c : chars) values.push_back(Char(c));
  return values;
}

std::vector<std::string> Ints(std::initializer_list<int> ints) {
  std::vector<std::string> values;
  for (const int i : ints) values.push_back(std::to_string(i));
  return values;
}

TEST(DictionaryTest, ListsFullFix44ValueSets) {
  const std::vector<EnumCase> cases = {
      {54, Chars("123456789ABCDEFG"), Chars("0HZ")},
      {40, Chars("12346789DEGIJKLMP"), Chars("5ABCFHNQ")},
      {59, Chars("01234567"), Chars("89")},
      {150, Chars("03456789ABCDEFGHI"), Chars("12J")},
      {39, Chars("0123456789ABCDE"), Chars("FZ")},
      {21, Chars("123"), Chars("04")},
      {434, Chars("12"), Chars("03")},
      {103, Ints({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 99}),
       Ints({16, 18, 100})},
      {102, Ints({0, 1, 2, 3, 4, 5, 6, 99}), Ints({7, 100})},
      {380, Ints({0, 1, 2, 3, 4, 5, 6, 7}), Ints({8, 99})},
      {373,
       Ints({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 99}),
       Ints({18, 100})},
      {378, Ints({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 99}), Ints({11, 100})},
      {98, Ints({0, 1, 2, 3, 4, 5, 6}), Ints({7})},
      {385, Chars("SR"), Chars("B")},
  };
  const FIX::DataDictionary& dd = Dictionary();
  for (const EnumCase& c : cases) {
    for (const std::string& v : c.fix44) {
      EXPECT_TRUE(dd.isFieldValue(c.tag, v)) << c.tag << "=" << v;
    }
    for (const std::string& v : c.outside) {
      EXPECT_FALSE(dd.isFieldValue(c.tag, v)) << c.tag << "=" << v;
    }
  }
}

// Every value the domain can carry must pass the dictionary. The *FromFix
// helpers define which wire values the core maps, so sweep all of them.
template <typename FromFix>
void ExpectCoreValuesInDictionary(int tag, FromFix from_fix) {
  int mapped = 0;
  for (char c = '!'; c <= '~'; ++c) {
    const auto value = from_fix(c);
    if (!value) continue;
    ++mapped;
    EXPECT_EQ(fixgw::ToFix(*value), c);
    EXPECT_TRUE(Dictionary().isFieldValue(tag, Char(c)))
        << "tag " << tag << " value " << c << " (" << fixgw::Name(*value)
        << ") is in types.h but not in FIX44.xml";
  }
  EXPECT_GT(mapped, 0) << "tag " << tag;
}

TEST(DictionaryTest, KnowsEverySideTheCoreUses) {
  ExpectCoreValuesInDictionary(54, fixgw::SideFromFix);
}

TEST(DictionaryTest, KnowsEveryOrdTypeTheCoreUses) {
  ExpectCoreValuesInDictionary(40, fixgw::OrdTypeFromFix);
}

TEST(DictionaryTest, KnowsEveryTimeInForceTheCoreUses) {
  ExpectCoreValuesInDictionary(59, fixgw::TimeInForceFromFix);
}

TEST(DictionaryTest, KnowsEveryExecTypeTheCoreUses) {
  ExpectCoreValuesInDictionary(150, fixgw::ExecTypeFromFix);
}

TEST(DictionaryTest, KnowsEveryOrdStatusTheCoreUses) {
  ExpectCoreValuesInDictionary(39, fixgw::OrdStatusFromFix);
}

TEST(DictionaryTest, KnowsEveryRejectReasonTheCoreUses) {
  using fixgw::CxlRejReason;
  using fixgw::CxlRejResponseTo;
  using fixgw::OrdRejReason;
  const FIX::DataDictionary& dd = Dictionary();
  for (const OrdRejReason r :
       {OrdRejReason::kBrokerOption, OrdRejReason::kUnknownSymbol,
        OrdRejReason::kExchangeClosed, OrdRejReason::kOrderExceedsLimit,
        OrdRejReason::kUnknownOrder, OrdRejReason::kDuplicateOrder,
        OrdRejReason::kUnsupportedOrderCharacteristic,
        OrdRejReason::kIncorrectQuantity, OrdRejReason::kOther}) {
    EXPECT_TRUE(dd.isFieldValue(103, std::to_string(fixgw::ToFix(r))));
  }
  for (const CxlRejReason r :
       {CxlRejReason::kTooLateToCancel, CxlRejReason::kUnknownOrder,
        CxlRejReason::kBrokerOption, CxlRejReason::kAlreadyPending,
        CxlRejReason::kDuplicateClOrdId, CxlRejReason::kOther}) {
    EXPECT_TRUE(dd.isFieldValue(102, std::to_string(fixgw::ToFix(r))));
  }
  for (const CxlRejResponseTo r :
       {CxlRejResponseTo::kCancel, CxlRejResponseTo::kReplace}) {
    EXPECT_TRUE(dd.isFieldValue(434, Char(fixgw::ToFix(r))));
  }
}

}  // namespace
