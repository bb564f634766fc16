// Shared by the tests of the QuickFIX sessions on the transport
// (session_driver_test, fix_transport_test): settings from text and a
// limit order. Test-only.
#pragma once

#include <sstream>
#include <string>

#include "gateway/fix/quickfix.h"

namespace fixgw::fix::testing {

inline FIX::SessionSettings SettingsFrom(const std::string& text) {
  std::istringstream in(text);
  return FIX::SessionSettings(in);
}

// A NewOrderSingle: buy 10 MSFT at 100.
inline FIX::Message LimitOrder(const std::string& cl_ord_id) {
  FIX::Message m;
  m.getHeader().setField(FIX::MsgType("D"));
  m.setField(FIX::ClOrdID(cl_ord_id));
  m.setField(FIX::Symbol("MSFT"));
  m.setField(FIX::Side(FIX::Side_BUY));
  m.setField(FIX::TransactTime(FIX::UtcTimeStamp(), 3));
  m.setField(FIX::OrderQty(10));
  m.setField(FIX::OrdType(FIX::OrdType_LIMIT));
  m.setField(FIX::Price(100));
  return m;
}

}  // namespace fixgw::fix::testing
