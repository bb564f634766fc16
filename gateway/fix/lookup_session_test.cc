// fixgw's Session::lookupSession (lookup_session.cc): the first message of
// a connection names its session by its header; a header that does not
// parse names none, and never throws (QuickFIX 1.15.1's own version threw
// on the acceptor's connection thread and killed the program).
#include <gtest/gtest.h>

#include "gateway/fix/quickfix.h"

namespace fixgw::fix {
namespace {

std::string Frame(const std::string& body) {
  std::string b = body;
  for (char& c : b) {
    if (c == '|') c = '\x01';
  }
  return "8=FIX.4.4\x01" "9=" + std::to_string(b.size()) + "\x01" + b +
         "10=000\x01";
}

TEST(LookupSessionTest, UnparsableHeaderNamesNoSessionInsteadOfThrowing) {
  for (const std::string& raw :
       {Frame("x=1|"), Frame("35=A|49"), Frame("=|"), Frame("35=A|4a9=X|"),
        std::string("8=FIX.4.4\x01" "9=3\x01" "\x01\x01\x01" "10=000\x01"),
        std::string("garbage"), std::string()}) {
    FIX::Session* session = nullptr;
    EXPECT_NO_THROW(session = FIX::Session::lookupSession(raw, true)) << raw;
    EXPECT_EQ(session, nullptr) << raw;
  }
}

TEST(LookupSessionTest, UnknownOrIncompleteHeaderNamesNoSession) {
  EXPECT_EQ(FIX::Session::lookupSession(
                Frame("35=A|49=NOBODY|56=GW|34=1|98=0|108=30|"), true),
            nullptr);
  EXPECT_EQ(FIX::Session::lookupSession(Frame("35=A|56=GW|34=1|"), true),
            nullptr);
}

}  // namespace
}  // namespace fixgw::fix
