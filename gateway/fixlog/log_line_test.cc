// Tests of reading FIX log lines. The QuickFIX lines are copied from logs
// that fixsim and fixload wrote (FileLogPath) with QuickFIX 1.15.1.
#include "gateway/fixlog/log_line.h"

#include <gtest/gtest.h>

namespace fixgw::fixlog {
namespace {

// From FIX.4.4-SIM-CLIENT1.messages.current.log.
constexpr std::string_view kLogonLine =
    "20261127-00:48:59.696259000 : "
    "8=FIX.4.4\x01"
    "9=94\x01"
    "35=A\x01"
    "34=1\x01"
    "49=CLIENT1\x01"
    "52=20261127-00:48:59.696\x01"
    "56=SIM\x01"
    "98=0\x01"
    "108=30\x01"
    "141=Y\x01"
    "553=client1\x01"
    "554=s3cret\x01"
    "10=216\x01";

// From FIX.4.4-SIM-CLIENT1.event.current.log.
constexpr std::string_view kEventLine =
    "20261127-00:48:59.880396000 : Message 18 Rejected: Required tag "
    "missing:54";

TEST(ParseLogLine, ReadsAQuickFixMessageLine) {
  LogLine line = ParseLogLine(kLogonLine, LogKind::kMessages);
  ASSERT_EQ(line.type, LogLine::Type::kMessages) << line.text;
  EXPECT_EQ(line.time, "20261127-00:48:59.696259000");
  ASSERT_EQ(line.messages.size(), 1u);
  const Fields& f = line.messages[0];
  ASSERT_EQ(f.size(), 13u);
  EXPECT_EQ(f[0], (std::pair<int, std::string>{8, "FIX.4.4"}));
  EXPECT_EQ(f[2], (std::pair<int, std::string>{35, "A"}));
  EXPECT_EQ(f[11], (std::pair<int, std::string>{554, "s3cret"}));
  EXPECT_EQ(f[12], (std::pair<int, std::string>{10, "216"}));
}

TEST(ParseLogLine, ReadsEventLines) {
  for (LogKind kind : {LogKind::kEvents, LogKind::kUnknown}) {
    LogLine line = ParseLogLine(kEventLine, kind);
    ASSERT_EQ(line.type, LogLine::Type::kEvent);
    EXPECT_EQ(line.time, "20261127-00:48:59.880396000");
    EXPECT_EQ(line.text, "Message 18 Rejected: Required tag missing:54");
  }
  // An event log line that happens to start like a field is still an event.
  EXPECT_EQ(
      ParseLogLine("20261127-00:48:59.880396000 : 35=x", LogKind::kEvents).type,
      LogLine::Type::kEvent);
}

TEST(ParseLogLine, TextInAMessageLogIsBad) {
  LogLine line = ParseLogLine(kEventLine, LogKind::kMessages);
  EXPECT_EQ(line.type, LogLine::Type::kBad);
  EXPECT_NE(line.text.find("not a FIX message after the time stamp"),
            std::string::npos)
      << line.text;
}

TEST(ParseLogLine, ReadsBareFixWithBarsAndKeepsBarsInsideValues) {
  LogLine line = ParseLogLine("8=FIX.4.4|9=40|35=D|11=o1|58=a|b|54=1|10=000|\r",
                              LogKind::kUnknown);
  ASSERT_EQ(line.type, LogLine::Type::kMessages) << line.text;
  EXPECT_EQ(line.time, "");
  ASSERT_EQ(line.messages.size(), 1u);
  const Fields& f = line.messages[0];
  ASSERT_EQ(f.size(), 7u);
  EXPECT_EQ(f[4], (std::pair<int, std::string>{58, "a|b"}));
  EXPECT_EQ(f[6], (std::pair<int, std::string>{10, "000"}));
}

TEST(ParseLogLine, SplitsMessagesBackToBackAtTheirCheckSum) {
  LogLine line = ParseLogLine(
      "8=FIX.4.4\x01"
      "35=0\x01"
      "10=001\x01"
      "8=FIX.4.4\x01"
      "35=1\x01"
      "112=t\x01"
      "10=002\x01",
      LogKind::kUnknown);
  ASSERT_EQ(line.type, LogLine::Type::kMessages) << line.text;
  ASSERT_EQ(line.messages.size(), 2u);
  EXPECT_EQ(line.messages[1][1].second, "1");
  EXPECT_EQ(line.messages[1][2].second, "t");
}

TEST(ParseLogLine, BlankLinesAreSkipped) {
  EXPECT_EQ(ParseLogLine("", LogKind::kMessages).type, LogLine::Type::kBlank);
  EXPECT_EQ(ParseLogLine("  \r", LogKind::kMessages).type,
            LogLine::Type::kBlank);
}

TEST(ParseLogLine, SaysWhyALineIsNotFix) {
  LogLine garbage = ParseLogLine("hello world", LogKind::kUnknown);
  EXPECT_EQ(garbage.type, LogLine::Type::kBad);
  EXPECT_EQ(garbage.text,
            "not a FIX message or QuickFIX log line: \"hello world\"");

  LogLine no_type = ParseLogLine("8=FIX.4.4|11=o1|10=000|", LogKind::kUnknown);
  EXPECT_EQ(no_type.type, LogLine::Type::kBad);
  EXPECT_EQ(no_type.text, "not a FIX message: no MsgType (35)");

  LogLine broken = ParseLogLine(
      "20261127-00:48:59.696259000 : 8=FIX.4.4\x01"
      "35=D\x01"
      "oops\x01",
      LogKind::kMessages);
  EXPECT_EQ(broken.type, LogLine::Type::kBad);
  EXPECT_EQ(broken.text,
            "not a FIX message: field 3 is not tag=value: \"oops\"");
  EXPECT_TRUE(broken.messages.empty());
}

TEST(ParseLogLine, AcceptsTimeStampsOfAnyPrecision) {
  for (std::string_view stamp : {"20261127-00:48:59", "20261127-00:48:59.696",
                                 "20261127-00:48:59.696259000"}) {
    std::string text = std::string(stamp) + " : 8=FIX.4.4|35=0|10=000|";
    LogLine line = ParseLogLine(text, LogKind::kMessages);
    EXPECT_EQ(line.type, LogLine::Type::kMessages) << stamp;
    EXPECT_EQ(line.time, stamp);
  }
  // Not a stamp: then the whole line must be FIX.
  EXPECT_EQ(
      ParseLogLine("2026112-00:48:59 : 8=FIX.4.4|35=0|", LogKind::kUnknown)
          .type,
      LogLine::Type::kBad);
}

TEST(Printable, EscapesControlBytesButKeepsText) {
  EXPECT_EQ(Printable("a\x01"
                      "b\x1b[2Jc\x7f\xc3\xa9"),
            "a|b\\x1b[2Jc\\x7f\xc3\xa9");
  LogLine bad = ParseLogLine("\x1b]0;pwned\x07", LogKind::kUnknown);
  EXPECT_EQ(bad.text,
            "not a FIX message or QuickFIX log line: \"\\x1b]0;pwned\\x07\"");
}

TEST(KindOfPath, FollowsFileLogFactoryNames) {
  EXPECT_EQ(KindOfPath("/var/log/fixgw/FIX.4.4-GW-SIM.messages.current.log"),
            LogKind::kMessages);
  EXPECT_EQ(KindOfPath("FIX.4.4-GW-SIM.event.current.log"), LogKind::kEvents);
  EXPECT_EQ(KindOfPath("GLOBAL.event.backup.log"), LogKind::kEvents);
  EXPECT_EQ(KindOfPath("/tmp/messages.d/capture.txt"), LogKind::kUnknown);
}

}  // namespace
}  // namespace fixgw::fixlog
