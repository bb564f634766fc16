#include "gateway/fixreplay/fix_text.h"

#include <gtest/gtest.h>

namespace fixgw::replay {
namespace {

TEST(FixTextTest, ReadsFieldsByTagFirstOccurrenceWins) {
  FixText m("8=FIX.4.4|9=70|35=D|11=o1|55=AAPL|54=1|38=100|11=again|10=123|");
  EXPECT_EQ(m.Get(35), "D");
  EXPECT_EQ(m.Get(11), "o1");
  EXPECT_EQ(m.Get(38), "100");
  EXPECT_TRUE(m.Has(10));
  EXPECT_FALSE(m.Has(44));
  EXPECT_EQ(m.Get(44), "");
}

TEST(FixTextTest, KeepsABarInsideAValue) {
  FixText m("35=8|58=a|b=c|d|39=2|");
  EXPECT_EQ(m.Get(58), "a|b=c|d");
  EXPECT_EQ(m.Get(39), "2");
}

TEST(FixTextTest, EmptyAndGarbageTextHasNoFields) {
  EXPECT_TRUE(FixText("").empty());
  EXPECT_TRUE(FixText("garbage|more").empty());
  EXPECT_EQ(FixText("=x|35=D").Get(35), "D");
}

TEST(FixTextTest, NamesMessageTypes) {
  EXPECT_EQ(MsgTypeName("D"), "NewOrderSingle");
  EXPECT_EQ(MsgTypeName("F"), "OrderCancelRequest");
  EXPECT_EQ(MsgTypeName("G"), "OrderCancelReplaceRequest");
  EXPECT_EQ(MsgTypeName("H"), "OrderStatusRequest");
  EXPECT_EQ(MsgTypeName("8"), "ExecutionReport");
  EXPECT_EQ(MsgTypeName("9"), "OrderCancelReject");
  EXPECT_EQ(MsgTypeName("j"), "BusinessMessageReject");
  EXPECT_EQ(MsgTypeName("R"), "MsgType=R");
  EXPECT_EQ(MsgTypeName(""), "");
}

}  // namespace
}  // namespace fixgw::replay
