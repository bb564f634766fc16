// fixlog's output; contract in render.h.
#include "gateway/fixlog/render.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace fixgw::fixlog {
namespace {

constexpr int kMsgSeqNum = 34;
constexpr int kPossDupFlag = 43;
constexpr int kSenderCompId = 49;
constexpr int kSendingTime = 52;
constexpr int kTargetCompId = 56;
constexpr int kPossResend = 97;

const fix::NamedField* Find(const fix::NamedMessage& m, int tag) {
  for (const fix::NamedField& f : m.fields) {
    if (f.tag == tag) return &f;
  }
  return nullptr;
}

std::string ValueOf(const fix::NamedMessage& m, int tag) {
  const fix::NamedField* f = Find(m, tag);
  return f == nullptr ? std::string() : f->value;
}

bool Selected(const fix::NamedMessage& m, const RenderOptions& options) {
  if (!options.types.empty() &&
      std::none_of(options.types.begin(), options.types.end(),
                   [&](const std::string& t) {
                     return t == m.msg_type || t == m.msg_type_name;
                   })) {
    return false;
  }
  if (!options.grep.empty() &&
      std::none_of(m.fields.begin(), m.fields.end(),
                   [&](const fix::NamedField& f) {
                     return f.value.find(options.grep) != std::string::npos;
                   })) {
    return false;
  }
  if (!options.cl_ord_id.empty() &&
      std::none_of(m.fields.begin(), m.fields.end(),
                   [&](const fix::NamedField& f) {
                     return (f.tag == 11 || f.tag == 41) &&
                            f.value == options.cl_ord_id;
                   })) {
    return false;
  }
  return true;
}

}  // namespace

std::string RenderMessage(const FIX::DataDictionary& dd,
                          const std::string& time, const Fields& fields,
                          const RenderOptions& options) {
  fix::NamedMessage m = fix::NameFields(dd, fields);
  if (!Selected(m, options)) return "";
  const std::string shown_time = time.empty() ? ValueOf(m, kSendingTime) : time;
  const bool poss_dup = ValueOf(m, kPossDupFlag) == "Y";
  const bool poss_resend = ValueOf(m, kPossResend) == "Y";
  auto shown = [&](const fix::NamedField& f) {
    return options.full || f.part == fix::FieldPart::kBody;
  };

  if (options.format == Format::kJson) {
    nlohmann::ordered_json out;
    out["time"] = shown_time;
    out["msg_type"] = m.msg_type;
    out["msg_type_name"] = m.msg_type_name;
    out["sender"] = ValueOf(m, kSenderCompId);
    out["target"] = ValueOf(m, kTargetCompId);
    // MsgSeqNum as a number when it is one (it always is from QuickFIX).
    const std::string seq = ValueOf(m, kMsgSeqNum);
    if (!seq.empty() && seq.size() < 19 &&
        std::all_of(seq.begin(), seq.end(),
                    [](char c) { return c >= '0' && c <= '9'; })) {
      out["seq"] = std::stoull(seq);
    } else if (!seq.empty()) {
      out["seq"] = seq;
    } else {
      out["seq"] = nullptr;
    }
    out["poss_dup"] = poss_dup;
    out["poss_resend"] = poss_resend;
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const fix::NamedField& f : m.fields) {
      if (!shown(f)) continue;
      nlohmann::ordered_json field;
      field["tag"] = f.tag;
      field["name"] = f.name;
      field["value"] = f.value;
      if (!f.value_name.empty()) field["enum"] = f.value_name;
      list.push_back(std::move(field));
    }
    out["fields"] = std::move(list);
    // A log may hold bytes that are not UTF-8; keep them visible, not fatal.
    return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }

  std::string line = shown_time.empty() ? "-" : Printable(shown_time);
  line += " " + Printable(m.msg_type_name);
  const std::string sender = Printable(ValueOf(m, kSenderCompId));
  const std::string target = Printable(ValueOf(m, kTargetCompId));
  if (!sender.empty() || !target.empty()) line += " " + sender + "->" + target;
  if (const fix::NamedField* seq = Find(m, kMsgSeqNum)) {
    line += " #" + Printable(seq->value);
  }
  if (poss_dup) line += " PossDup";
  if (poss_resend) line += " PossResend";
  for (const fix::NamedField& f : m.fields) {
    if (!shown(f)) continue;
    line += " " + f.name + "=" + Printable(f.value);
    if (!f.value_name.empty()) line += "(" + f.value_name + ")";
  }
  return line;
}

std::string RenderEvent(const std::string& time, const std::string& text,
                        const RenderOptions& options) {
  if (!options.types.empty() || !options.cl_ord_id.empty()) return "";
  if (!options.grep.empty() && text.find(options.grep) == std::string::npos) {
    return "";
  }
  if (options.format == Format::kJson) {
    nlohmann::ordered_json out;
    out["time"] = time;
    out["event"] = text;
    return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return time + " event: " + Printable(text);
}

}  // namespace fixgw::fixlog
