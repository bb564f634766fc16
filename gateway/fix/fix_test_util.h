// Shared by the tests of the QuickFIX sessions on the transport
// (session_driver_test, fix_transport_test): settings from text and a
// limit order. Test-only.
#pragma once

#include <cstdio>
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

// A raw FIX.4.4 message from `sender` to GW, sent now, with a correct
// BodyLength and CheckSum; `body` holds the fields after the header, SOH
// separated.
inline std::string RawMessage(const std::string& type, int seq,
                              const std::string& sender,
                              const std::string& body) {
  const std::string fields = "35=" + type + "\x01" "34=" + std::to_string(seq) +
                             "\x01" "49=" + sender + "\x01" "52=" +
                             FIX::UtcTimeStampConvertor::convert(
                                 FIX::UtcTimeStamp(), 0) +
                             "\x01" "56=GW\x01" + body;
  std::string msg = "8=FIX.4.4\x01" "9=" + std::to_string(fields.size()) +
                    "\x01" + fields;
  unsigned sum = 0;
  for (char c : msg) sum += static_cast<unsigned char>(c);
  char trailer[16];
  std::snprintf(trailer, sizeof trailer, "10=%03u\x01", sum % 256);
  return msg + trailer;
}

inline std::string RawLogon(const std::string& sender, int seq = 1) {
  return RawMessage("A", seq, sender, "98=0\x01" "108=30\x01");
}

}  // namespace fixgw::fix::testing
