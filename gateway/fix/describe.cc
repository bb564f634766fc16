// Naming raw FIX messages through a data dictionary; contract in describe.h.
#include "gateway/fix/describe.h"

#include <charconv>

namespace fixgw::fix {
namespace {

constexpr char kSoh = '\x01';
constexpr int kPassword = 554;
constexpr int kNewPassword = 925;

}  // namespace

FieldList SplitFix(std::string_view raw) {
  FieldList fields;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t end = raw.find(kSoh, pos);
    if (end == std::string_view::npos) end = raw.size();
    std::string_view field = raw.substr(pos, end - pos);
    pos = end + 1;
    size_t eq = field.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view tag_text = field.substr(0, eq);
    int tag = 0;
    auto [ptr, ec] = std::from_chars(tag_text.data(),
                                     tag_text.data() + tag_text.size(), tag);
    if (ec != std::errc() || ptr != tag_text.data() + tag_text.size() ||
        tag <= 0) {
      continue;
    }
    fields.emplace_back(tag, std::string(field.substr(eq + 1)));
  }
  return fields;
}

bool IsSecretTag(int tag) { return tag == kPassword || tag == kNewPassword; }

Result<std::unique_ptr<FIX::DataDictionary>> LoadDictionary(
    const std::string& path) {
  try {
    return std::make_unique<FIX::DataDictionary>(path);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
}

NamedMessage NameFields(const FIX::DataDictionary& dd,
                        const FieldList& fields) {
  NamedMessage out;
  out.fields.reserve(fields.size());
  for (const auto& [tag, value] : fields) {
    NamedField f;
    f.tag = tag;
    if (!dd.getFieldName(tag, f.name)) f.name = std::to_string(tag);
    if (IsSecretTag(tag)) {
      f.value = kMasked;
    } else {
      f.value = value;
      if (!dd.getValueName(tag, value, f.value_name)) f.value_name.clear();
    }
    if (dd.isHeaderField(tag)) {
      f.part = FieldPart::kHeader;
    } else if (dd.isTrailerField(tag)) {
      f.part = FieldPart::kTrailer;
    }
    if (tag == FIX::FIELD::MsgType && out.msg_type.empty()) {
      out.msg_type = value;
      out.msg_type_name = f.value_name.empty() ? value : f.value_name;
    }
    out.fields.push_back(std::move(f));
  }
  return out;
}

std::string Describe(const FIX::DataDictionary& dd, std::string_view raw) {
  NamedMessage message = NameFields(dd, SplitFix(raw));
  std::string text = message.msg_type_name;
  for (const NamedField& f : message.fields) {
    if (f.part != FieldPart::kBody) continue;
    text += " " + f.name + "=" + f.value;
    if (!f.value_name.empty()) text += "(" + f.value_name + ")";
  }
  return text;
}

}  // namespace fixgw::fix
