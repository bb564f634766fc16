// A replacement for QuickFIX 1.15.1's Session::lookupSession(const
// std::string&, bool), linked into every program that runs an acceptor
// (fixgw, fixsim): same result, but a header that does not parse means "no
// session" instead of an exception.
//
// Why: ThreadedSocketConnection::setSession calls this on the first
// message of every new connection, outside any try block, on the
// connection's own thread. The library version lets FIX::InvalidMessage
// out of Message::setStringHeader ("Field tag is invalid" for a frame like
// "8=FIX.4.4|9=4|x=1|10=000|"), so one such frame from any TCP client,
// before any logon, reached std::terminate and killed the whole gateway.
// With this version the connection is dropped as for an unknown CompID.
//
// How it takes effect: libquickfix.so calls the function through its PLT,
// and a definition in the executable preempts the library's (ELF symbol
// interposition). It must therefore be a source of the executable itself,
// not of a static library (nothing in the program references it, so an
// archive member would never be linked). tests/hostile_peer_test.cc
// (GarbageBeforeLogon...) and fix_test (LookupSession*) check that it is
// in effect. Remove it once QuickFIX catches the exception itself.
#include "gateway/fix/quickfix.h"

namespace FIX {

Session* Session::lookupSession(const std::string& string, bool reverse) {
  try {
    Message message;
    if (!message.setStringHeader(string)) return nullptr;
    const Header& header = message.getHeader();
    if (!header.isSetField(FIELD::BeginString) ||
        !header.isSetField(FIELD::SenderCompID) ||
        !header.isSetField(FIELD::TargetCompID)) {
      return nullptr;
    }
    BeginString begin(header.getField(FIELD::BeginString));
    SenderCompID sender(header.getField(FIELD::SenderCompID));
    TargetCompID target(header.getField(FIELD::TargetCompID));
    if (reverse) {
      return lookupSession(
          SessionID(begin, SenderCompID(target), TargetCompID(sender)));
    }
    return lookupSession(SessionID(begin, sender, target));
  } catch (const std::exception&) {
    return nullptr;  // a header that does not parse names no session
  }
}

}  // namespace FIX
