#include "gateway/net/framer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "gateway/net/internal/fix_text.h"

namespace fixgw::net {
namespace {

using testing::FixMessage;
using testing::FixMessageOfSize;
using testing::Soh;

const std::string kLogon = FixMessage(
    "35=A|34=1|49=BROKER1|56=GW|52=20261202-10:00:00.000|98=0|108=30|");
const std::string kHeartbeat =
    FixMessage("35=0|34=2|49=BROKER1|56=GW|52=20261202-10:00:30.000|");

// Feeds `chunks` one after the other, draining after each; collects the
// messages. Stops at the first error.
struct Drained {
  std::vector<std::string> messages;
  FrameError error = FrameError::kNone;
};

Drained FeedAll(Framer& framer, const std::vector<std::string>& chunks) {
  Drained out;
  for (const std::string& chunk : chunks) {
    framer.Feed(chunk);
    std::string_view m;
    for (;;) {
      const Framer::Status st = framer.Next(&m);
      if (st == Framer::Status::kMessage) {
        out.messages.emplace_back(m);
        continue;
      }
      if (st == Framer::Status::kError) {
        out.error = framer.error();
        return out;
      }
      break;
    }
  }
  return out;
}

Drained FeedOne(Framer& framer, const std::string& bytes) {
  return FeedAll(framer, {bytes});
}

TEST(FramerTest, FramesOneMessage) {
  Framer framer;
  const Drained d = FeedOne(framer, kLogon);
  ASSERT_EQ(d.error, FrameError::kNone);
  ASSERT_EQ(d.messages.size(), 1u);
  EXPECT_EQ(d.messages[0], kLogon);
  EXPECT_TRUE(framer.seen_first_message());
  EXPECT_EQ(framer.pending_bytes(), 0u);
}

TEST(FramerTest, FramesAMessageSplitAtEveryByteOffset) {
  const std::string stream = kLogon + kHeartbeat;
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    Framer framer;
    const Drained d =
        FeedAll(framer, {stream.substr(0, cut), stream.substr(cut)});
    ASSERT_EQ(d.error, FrameError::kNone) << "cut at " << cut;
    ASSERT_EQ(d.messages.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(d.messages[0], kLogon);
    EXPECT_EQ(d.messages[1], kHeartbeat);
  }
}

TEST(FramerTest, FramesAMessageSplitAtEveryPairOfOffsets) {
  for (std::size_t a = 0; a <= kHeartbeat.size(); ++a) {
    for (std::size_t b = a; b <= kHeartbeat.size(); ++b) {
      Framer framer;
      const Drained d =
          FeedAll(framer, {kHeartbeat.substr(0, a), kHeartbeat.substr(a, b - a),
                           kHeartbeat.substr(b)});
      ASSERT_EQ(d.messages.size(), 1u) << a << "," << b;
      EXPECT_EQ(d.messages[0], kHeartbeat);
    }
  }
}

TEST(FramerTest, FramesByteByByte) {
  const std::string stream = "noise" + kLogon + kHeartbeat + "x" + kHeartbeat;
  std::vector<std::string> bytes;
  for (const char c : stream) bytes.emplace_back(1, c);
  Framer framer;
  const Drained d = FeedAll(framer, bytes);
  ASSERT_EQ(d.error, FrameError::kNone);
  ASSERT_EQ(d.messages.size(), 3u);
  EXPECT_EQ(d.messages[0], kLogon);
  EXPECT_EQ(d.messages[2], kHeartbeat);
}

TEST(FramerTest, HoldsSeveralMessagesOfOneFeedAtOnce) {
  Framer framer;
  framer.Feed(kLogon + kHeartbeat + kHeartbeat);
  std::string_view a, b, c, d;
  ASSERT_EQ(framer.Next(&a), Framer::Status::kMessage);
  ASSERT_EQ(framer.Next(&b), Framer::Status::kMessage);
  ASSERT_EQ(framer.Next(&c), Framer::Status::kMessage);
  EXPECT_EQ(framer.Next(&d), Framer::Status::kNeedMore);
  // Views of one Feed stay valid together.
  EXPECT_EQ(a, kLogon);
  EXPECT_EQ(b, kHeartbeat);
  EXPECT_EQ(c, kHeartbeat);
  EXPECT_EQ(framer.messages(), 3u);
}

TEST(FramerTest, PrepareAndCommitAppendOnlyTheUsedBytes) {
  Framer framer;
  char* room = framer.Prepare(4096);
  std::memcpy(room, kLogon.data(), kLogon.size());
  framer.Commit(kLogon.size());
  std::string_view m;
  ASSERT_EQ(framer.Next(&m), Framer::Status::kMessage);
  EXPECT_EQ(m, kLogon);
  EXPECT_EQ(framer.Next(&m), Framer::Status::kNeedMore);
  EXPECT_EQ(framer.pending_bytes(), 0u);
}

TEST(FramerTest, SkipsGarbageBeforeAndBetweenMessages) {
  Framer framer;
  const Drained d = FeedOne(
      framer, "GET / HTTP/1.1\r\n\r\n" + kLogon + "\x01\x01zz8" + kHeartbeat);
  ASSERT_EQ(d.error, FrameError::kNone);
  ASSERT_EQ(d.messages.size(), 2u);
  EXPECT_EQ(d.messages[0], kLogon);
  EXPECT_EQ(d.messages[1], kHeartbeat);
}

TEST(FramerTest, KeepsALastEightAcrossFeeds) {
  Framer framer;
  const Drained d =
      FeedAll(framer, {"garbage8", kHeartbeat.substr(1), kHeartbeat});
  ASSERT_EQ(d.messages.size(), 2u);
  EXPECT_EQ(d.messages[0], kHeartbeat);
}

TEST(FramerTest, TreatsAnEightEqualsWithoutBodyLengthAsGarbage) {
  Framer framer;
  // BeginString with no SOH within reach; then a header whose second field
  // is not BodyLength; then an empty BeginString.
  const std::string junk =
      "8=" + std::string(40, 'A') + Soh("8=FIX.4.4|35=A|") + Soh("8=|9=5|");
  const Drained d = FeedOne(framer, junk + kLogon);
  ASSERT_EQ(d.error, FrameError::kNone);
  ASSERT_EQ(d.messages.size(), 1u);
  EXPECT_EQ(d.messages[0], kLogon);
}

TEST(FramerTest, CountsGarbageTowardTheFirstMessageLimit) {
  const std::size_t limit = 1000;
  // Garbage plus the message exactly at the limit: taken.
  {
    Framer framer({.max_bytes_before_first_message = limit,
                   .max_message_bytes = 10 * limit});
    const std::string garbage(limit - kLogon.size(), 'x');
    const Drained d = FeedOne(framer, garbage + kLogon);
    EXPECT_EQ(d.error, FrameError::kNone);
    EXPECT_EQ(d.messages.size(), 1u);
  }
  // One byte more: refused, as soon as the header shows it.
  {
    Framer framer({.max_bytes_before_first_message = limit,
                   .max_message_bytes = 10 * limit});
    const std::string garbage(limit - kLogon.size() + 1, 'x');
    const Drained d = FeedOne(framer, garbage + kLogon.substr(0, 20));
    EXPECT_EQ(d.error, FrameError::kFirstMessageTooLarge);
    EXPECT_TRUE(d.messages.empty());
  }
}

TEST(FramerTest, CutsPureGarbageAtExactlyOneByteOverTheLimit) {
  const std::size_t limit = 4096;
  Framer framer(
      {.max_bytes_before_first_message = limit, .max_message_bytes = 1 << 20});
  const std::string chunk(512, 'z');
  std::size_t fed = 0;
  while (fed < limit) {
    const Drained d = FeedOne(framer, chunk);
    fed += chunk.size();
    ASSERT_EQ(d.error, FrameError::kNone) << fed;
    EXPECT_EQ(framer.pending_bytes(), fed);
  }
  const Drained d = FeedOne(framer, "z");
  EXPECT_EQ(d.error, FrameError::kFirstMessageTooLarge);
  EXPECT_EQ(framer.ErrorText(),
            "4097 bytes received without a complete first message (limit "
            "4096)");
}

TEST(FramerTest, SweepsTheFirstMessageLimitAroundTheMessageSize) {
  for (std::size_t limit = kLogon.size() - 3; limit <= kLogon.size() + 3;
       ++limit) {
    Framer framer({.max_bytes_before_first_message = limit,
                   .max_message_bytes = 1 << 20});
    const Drained d = FeedOne(framer, kLogon);
    if (kLogon.size() <= limit) {
      EXPECT_EQ(d.messages.size(), 1u) << limit;
      EXPECT_EQ(d.error, FrameError::kNone) << limit;
    } else {
      EXPECT_TRUE(d.messages.empty()) << limit;
      EXPECT_EQ(d.error, FrameError::kFirstMessageTooLarge) << limit;
    }
  }
}

TEST(FramerTest, AppliesThePerMessageLimitAfterTheFirst) {
  const FramerLimits limits{.max_bytes_before_first_message = 200,
                            .max_message_bytes = 1000};
  for (std::size_t size : {999u, 1000u, 1001u}) {
    Framer framer(limits);
    const Drained d = FeedOne(framer, kHeartbeat + FixMessageOfSize(size));
    if (size <= 1000) {
      EXPECT_EQ(d.messages.size(), 2u) << size;
    } else {
      EXPECT_EQ(d.messages.size(), 1u) << size;
      EXPECT_EQ(d.error, FrameError::kMessageTooLarge) << size;
    }
  }
}

TEST(FramerTest, RefusesADeclaredOversizeBodyBeforeItArrives) {
  Framer framer({.max_bytes_before_first_message = 64 * 1024,
                 .max_message_bytes = 4 * 1024 * 1024});
  const Drained d = FeedOne(framer, Soh("8=FIX.4.4|9=100000|35=A|"));
  EXPECT_EQ(d.error, FrameError::kFirstMessageTooLarge);
  EXPECT_NE(framer.ErrorText().find("BodyLength (9) 100000"), std::string::npos)
      << framer.ErrorText();
}

TEST(FramerTest, RefusesBadBodyLengths) {
  for (const char* header :
       {"8=FIX.4.4|9=abc|", "8=FIX.4.4|9=|", "8=FIX.4.4|9=12a|",
        "8=FIX.4.4|9=-5|", "8=FIX.4.4|9=1234567890|", "8=FIX.4.4|9= 5|"}) {
    Framer framer;
    const Drained d = FeedOne(framer, Soh(header) + "35=0|10=000|");
    EXPECT_EQ(d.error, FrameError::kBadBodyLength) << header;
    EXPECT_TRUE(d.messages.empty()) << header;
  }
}

TEST(FramerTest, RefusesAMissingOrMalformedTrailer) {
  std::string short_length = kHeartbeat;
  // BodyLength one less than the body: "10=" is not where it says.
  const std::size_t at = short_length.find("9=") + 2;
  const std::size_t end = short_length.find('\x01', at);
  const int length = std::stoi(short_length.substr(at, end - at));
  short_length.replace(at, end - at, std::to_string(length - 1));
  for (const std::string& bad :
       {short_length, Soh("8=FIX.4.4|9=5|35=0|10=12|x"),
        Soh("8=FIX.4.4|9=5|35=0|10=1a3|"), Soh("8=FIX.4.4|9=5|35=0|11=123|"),
        Soh("8=FIX.4.4|9=5|35=0|10=123x")}) {
    Framer framer;
    const Drained d = FeedOne(framer, bad);
    EXPECT_EQ(d.error, FrameError::kBadTrailer) << bad;
  }
}

TEST(FramerTest, ErrorsAreSticky) {
  Framer framer;
  EXPECT_EQ(FeedOne(framer, Soh("8=FIX.4.4|9=x|")).error,
            FrameError::kBadBodyLength);
  const Drained d = FeedOne(framer, kLogon);
  EXPECT_EQ(d.error, FrameError::kBadBodyLength);
  EXPECT_TRUE(d.messages.empty());
  std::string_view m;
  EXPECT_EQ(framer.Next(&m), Framer::Status::kError);
}

TEST(FramerTest, CountsGarbageSinceTheLastMessageOnly) {
  Framer framer(
      {.max_bytes_before_first_message = 300, .max_message_bytes = 300});
  // Each gap is under the limit, their sum is far over it.
  for (int i = 0; i < 20; ++i) {
    const Drained d = FeedOne(framer, std::string(100, 'g') + kHeartbeat);
    ASSERT_EQ(d.error, FrameError::kNone) << i;
    ASSERT_EQ(d.messages.size(), 1u);
  }
}

TEST(FramerTest, ReleasesTheBufferOfALargeMessageOnceItIsConsumed) {
  Framer framer;
  const std::string big = FixMessageOfSize(1 << 20);
  ASSERT_EQ(FeedOne(framer, kLogon + big).messages.size(), 2u);
  EXPECT_GE(framer.held_bytes(), big.size());
  ASSERT_EQ(FeedOne(framer, kHeartbeat).messages.size(), 1u);
  EXPECT_LE(framer.held_bytes(), 16u * 1024);
}

TEST(FramerTest, NamesEveryError) {
  EXPECT_EQ(FrameErrorName(FrameError::kFirstMessageTooLarge),
            "first_message_too_large");
  EXPECT_EQ(FrameErrorName(FrameError::kMessageTooLarge), "message_too_large");
  EXPECT_EQ(FrameErrorName(FrameError::kBadBodyLength), "bad_body_length");
  EXPECT_EQ(FrameErrorName(FrameError::kBadTrailer), "bad_trailer");
}

}  // namespace
}  // namespace fixgw::net
