// FIX UTCTimestamp and ISO 8601 text <-> Timestamp: round trips, every
// accepted fraction length, calendar edges and malformed input.
#include "gateway/core/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace fixgw {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;
using namespace std::chrono_literals;

Timestamp At(std::chrono::year_month_day ymd, hours h = hours{0},
             minutes m = minutes{0}, seconds s = seconds{0},
             microseconds us = microseconds{0}) {
  return Timestamp{sys_days{ymd}} + h + m + s + us;
}

Timestamp Parse(std::string_view text) {
  Result<Timestamp> t = ParseFixTimestamp(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status().message();
  return t.ok() ? *t : Timestamp{};
}

TEST(FormatFixTimestampTest, GivesMicrosecondPrecision) {
  EXPECT_EQ(FormatFixTimestamp(At(2026y / 11 / 26, 18h, 50min, 14s, 123456us)),
            "20261126-18:50:14.123456");
  EXPECT_EQ(FormatFixTimestamp(Timestamp{}), "19700101-00:00:00.000000");
  EXPECT_EQ(FormatFixTimestamp(At(2024y / 1 / 2, 3h, 4min, 5s, 6us)),
            "20240102-03:04:05.000006");
}

TEST(FormatFixTimestampTest, HandlesTimesBeforeTheEpoch) {
  EXPECT_EQ(FormatFixTimestamp(Timestamp{} - 1us), "19691231-23:59:59.999999");
}

TEST(FormatIsoTimestampTest, GivesIso8601Utc) {
  EXPECT_EQ(FormatIsoTimestamp(At(2026y / 11 / 26, 18h, 50min, 14s, 123456us)),
            "2026-11-26T18:50:14.123456Z");
  EXPECT_EQ(FormatIsoTimestamp(Timestamp{}), "1970-01-01T00:00:00.000000Z");
}

TEST(ParseFixTimestampTest, AcceptsNoFraction) {
  EXPECT_EQ(Parse("20240315-09:30:00"), At(2024y / 3 / 15, 9h, 30min));
}

TEST(ParseFixTimestampTest, AcceptsEveryFractionLengthFromOneToNine) {
  const Timestamp base = At(2024y / 3 / 15, 9h, 30min, 1s);
  EXPECT_EQ(Parse("20240315-09:30:01.1"), base + 100'000us);
  EXPECT_EQ(Parse("20240315-09:30:01.12"), base + 120'000us);
  EXPECT_EQ(Parse("20240315-09:30:01.123"), base + 123'000us);
  EXPECT_EQ(Parse("20240315-09:30:01.1234"), base + 123'400us);
  EXPECT_EQ(Parse("20240315-09:30:01.12345"), base + 123'450us);
  EXPECT_EQ(Parse("20240315-09:30:01.123456"), base + 123'456us);
  EXPECT_EQ(Parse("20240315-09:30:01.1234567"), base + 123'456us);
  EXPECT_EQ(Parse("20240315-09:30:01.12345678"), base + 123'456us);
  // Nanoseconds are truncated, never rounded up.
  EXPECT_EQ(Parse("20240315-09:30:01.999999999"), base + 999'999us);
}

TEST(ParseFixTimestampTest, RoundTripsWithFormat) {
  for (Timestamp t :
       {Timestamp{}, At(2024y / 2 / 29, 23h, 59min, 59s, 999999us),
        At(1999y / 12 / 31, 12h), At(2038y / 1 / 19, 3h, 14min, 8s),
        At(9999y / 12 / 31, 23h, 59min, 59s, 1us),
        At(2024y / 7 / 1, 0h, 0min, 0s, 500us)}) {
    std::string text = FormatFixTimestamp(t);
    EXPECT_EQ(Parse(text), t) << text;
  }
}

TEST(ParseFixTimestampTest, RoundTripsMillisecondAndSecondPrecision) {
  const Timestamp t = At(2025y / 6 / 30, 14h, 15min, 16s, 789'000us);
  EXPECT_EQ(Parse("20250630-14:15:16.789"), t);
  EXPECT_EQ(Parse("20250630-14:15:16"), t - 789'000us);
}

TEST(ParseFixTimestampTest, AcceptsFebruary29OnlyInLeapYears) {
  EXPECT_EQ(Parse("20240229-00:00:00"), At(2024y / 2 / 29));
  EXPECT_EQ(Parse("20000229-00:00:00"), At(2000y / 2 / 29));  // 400 rule
  EXPECT_FALSE(ParseFixTimestamp("20230229-00:00:00").ok());
  EXPECT_FALSE(ParseFixTimestamp("19000229-00:00:00").ok());  // 100 rule
  EXPECT_FALSE(ParseFixTimestamp("20240230-00:00:00").ok());
}

TEST(ParseFixTimestampTest, AcceptsTheLastValidFieldValues) {
  EXPECT_EQ(Parse("20241231-23:59:59.999999"),
            At(2024y / 12 / 31, 23h, 59min, 59s, 999999us));
  EXPECT_EQ(Parse("20240430-00:00:00"), At(2024y / 4 / 30));
}

TEST(ParseFixTimestampTest, RejectsOutOfRangeFields) {
  for (const char* text :
       {"20241301-00:00:00", "20240001-00:00:00", "20240100-00:00:00",
        "20240132-00:00:00", "20240431-00:00:00", "20240101-24:00:00",
        "20240101-00:60:00", "20240101-00:00:61"}) {
    EXPECT_FALSE(ParseFixTimestamp(text).ok()) << text;
  }
}

TEST(ParseFixTimestampTest, RejectsMalformedText) {
  for (const char* text : {"",
                           "2024",
                           "20240101",
                           "20240101-",
                           "20240101-00:00",
                           "20240101-00:00:0",
                           "2024-01-01T00:00:00",
                           "20240101 00:00:00",
                           "20240101-00-00-00",
                           "20240101-00:00:00.",
                           "20240101-00:00:00,5",
                           "20240101-00:00:00.12a",
                           "20240101-00:00:00.1234567890",
                           "20240101-00:00:00Z",
                           "20240101-00:00:00 ",
                           " 20240101-00:00:00",
                           "2024O101-00:00:00",
                           "20240101-0a:00:00",
                           "+0240101-00:00:00",
                           "20240101-00:00:00.-1"}) {
    Result<Timestamp> t = ParseFixTimestamp(text);
    EXPECT_FALSE(t.ok()) << "'" << text << "'";
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), Status::Code::kInvalidArgument);
      EXPECT_NE(t.status().message().find(text), std::string::npos);
    }
  }
}

TEST(NowTest, ReadsTheWallClock) {
  const Timestamp before = Now();
  const Timestamp after = Now();
  EXPECT_LE(before, after);
  EXPECT_GT(before, At(2020y / 1 / 1));
}

}  // namespace
}  // namespace fixgw
