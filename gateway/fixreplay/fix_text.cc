#include "gateway/fixreplay/fix_text.h"

#include <charconv>

namespace fixgw::replay {
namespace {

// "<digits>=" at the start of `piece`: the tag, or -1.
int LeadingTag(std::string_view piece, size_t* value_pos) {
  size_t eq = piece.find('=');
  if (eq == 0 || eq == std::string_view::npos || eq > 9) return -1;
  int tag = 0;
  auto [ptr, ec] = std::from_chars(piece.data(), piece.data() + eq, tag);
  if (ec != std::errc() || ptr != piece.data() + eq) return -1;
  *value_pos = eq + 1;
  return tag;
}

}  // namespace

FixText::FixText(std::string_view raw) {
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t bar = raw.find('|', pos);
    if (bar == std::string_view::npos) bar = raw.size();
    std::string_view piece = raw.substr(pos, bar - pos);
    size_t value_pos = 0;
    int tag = LeadingTag(piece, &value_pos);
    if (tag >= 0) {
      fields_.emplace_back(tag, piece.substr(value_pos));
    } else if (!fields_.empty()) {
      // A '|' that belongs to the previous value: widen it over the bar.
      std::string_view& prev = fields_.back().second;
      prev = std::string_view(
          prev.data(), static_cast<size_t>(raw.data() + bar - prev.data()));
    }
    pos = bar + 1;
  }
}

std::string_view FixText::Get(int tag) const {
  for (const auto& [t, value] : fields_) {
    if (t == tag) return value;
  }
  return {};
}

bool FixText::Has(int tag) const {
  for (const auto& field : fields_) {
    if (field.first == tag) return true;
  }
  return false;
}

std::string MsgTypeName(std::string_view msg_type) {
  struct Entry {
    std::string_view type, name;
  };
  static constexpr Entry kNames[] = {
      {"0", "Heartbeat"},
      {"1", "TestRequest"},
      {"2", "ResendRequest"},
      {"3", "Reject"},
      {"4", "SequenceReset"},
      {"5", "Logout"},
      {"8", "ExecutionReport"},
      {"9", "OrderCancelReject"},
      {"A", "Logon"},
      {"D", "NewOrderSingle"},
      {"F", "OrderCancelRequest"},
      {"G", "OrderCancelReplaceRequest"},
      {"H", "OrderStatusRequest"},
      {"j", "BusinessMessageReject"},
      {"q", "OrderMassCancelRequest"},
      {"r", "OrderMassCancelReport"},
      {"AF", "OrderMassStatusRequest"},
  };
  if (msg_type.empty()) return {};
  for (const Entry& e : kNames) {
    if (e.type == msg_type) return std::string(e.name);
  }
  return "MsgType=" + std::string(msg_type);
}

}  // namespace fixgw::replay
