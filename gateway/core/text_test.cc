#include "gateway/core/text.h"

#include <gtest/gtest.h>

namespace fixgw {
namespace {

TEST(TextTest, TrimBlanksDropsSpacesTabsAndCarriageReturnsAtBothEnds) {
  EXPECT_EQ(TrimBlanks("  key = value\t\r"), "key = value");
  EXPECT_EQ(TrimBlanks("a b"), "a b");
  EXPECT_EQ(TrimBlanks(" \t\r "), "");
  EXPECT_EQ(TrimBlanks(""), "");
  EXPECT_EQ(TrimBlanks("\ra\r"), "a");
}

}  // namespace
}  // namespace fixgw
