// Reading the FIX messages the journal keeps as text (column raw_fix: the
// message with SOH shown as '|'), for display only: no validation, no
// dictionary. A FixText holds views into the text it was built from, which
// must outlive it. Values only, thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fixgw::replay {

class FixText {
 public:
  // Splits "8=FIX.4.4|9=..|35=D|...|10=123|" into fields. A '|' inside a
  // value (a counterparty's Text may hold one) stays in that value: a piece
  // that does not start with "<digits>=" continues the previous field.
  explicit FixText(std::string_view raw);

  // The first occurrence of `tag`; "" when absent.
  std::string_view Get(int tag) const;
  bool Has(int tag) const;
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<std::pair<int, std::string_view>> fields_;
};

// The FIX 4.4 name of a MsgType (35): "D" -> "NewOrderSingle". Types outside
// the dialect come back as "MsgType=<value>"; "" stays "".
std::string MsgTypeName(std::string_view msg_type);

}  // namespace fixgw::replay
