#include "gateway/core/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace fixgw {
namespace {

TEST(Utf8Test, AcceptsWellFormedSequences) {
  EXPECT_TRUE(IsUtf8(""));
  EXPECT_TRUE(IsUtf8("ascii"));
  EXPECT_TRUE(IsUtf8("caf\xc3\xa9"));              // U+00E9
  EXPECT_TRUE(IsUtf8("\xe2\x82\xac"));             // U+20AC
  EXPECT_TRUE(IsUtf8("\xf0\x9f\x98\x80"));         // U+1F600
  EXPECT_TRUE(IsUtf8("\xf4\x8f\xbf\xbf"));         // U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\xf0\x9f\x98\x80", 0), 4u);
  EXPECT_EQ(Utf8SequenceLength("a\xc3\xa9", 1), 2u);
}

TEST(Utf8Test, RefusesWhatRfc3629Forbids) {
  EXPECT_FALSE(IsUtf8("\xff"));
  EXPECT_FALSE(IsUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(IsUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsUtf8("\xc3"));              // cut short
  EXPECT_FALSE(IsUtf8("\x80"));              // lone continuation byte
  EXPECT_EQ(Utf8SequenceLength("\xe2\x82", 0), 0u);
}

}  // namespace
}  // namespace fixgw
