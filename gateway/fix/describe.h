// FIX messages for people: a raw message split into (tag, value) pairs and
// named through a data dictionary (fixspec/FIX44.xml): message, field and
// enum value names, header/body/trailer. Used by fixload's verbose
// output and by fixlog. Credentials never come out in clear: Password (554)
// and NewPassword (925) values read "****".
//
// Pure functions over their arguments; a dictionary is only read, so one
// may serve several threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/fix/quickfix.h"

namespace fixgw::fix {

// A message as (tag, value) pairs in wire order, header and trailer
// included, repeating groups flattened.
using FieldList = std::vector<std::pair<int, std::string>>;

// Splits a raw FIX message (SOH-separated tag=value). Malformed fields
// (no '=', non-numeric tag) are skipped.
FieldList SplitFix(std::string_view raw);

// What a masked value reads as.
inline constexpr std::string_view kMasked = "****";

// True for the tags whose values are secrets (Password, NewPassword).
bool IsSecretTag(int tag);

enum class FieldPart { kHeader, kBody, kTrailer };

struct NamedField {
  int tag = 0;
  std::string name;   // "ClOrdID"; the tag number when not in the dictionary
  std::string value;  // as on the wire, or kMasked for a secret
  std::string value_name;  // "BUY" for Side=1; "" when not an enum value
  FieldPart part = FieldPart::kBody;
};

struct NamedMessage {
  std::string msg_type;            // "D"; "" when the message has no MsgType
  std::string msg_type_name;       // "NewOrderSingle"; msg_type when unknown
  std::vector<NamedField> fields;  // every field, in wire order
};

// Loads a QuickFIX XML data dictionary; the error names the path and
// QuickFIX's reason. MsgType (35) values are named after the file's
// <message> elements ("D" -> "NewOrderSingle"; QuickFIX does this).
Result<std::unique_ptr<FIX::DataDictionary>> LoadDictionary(
    const std::string& path);

// Names every field of `fields` through `dd`.
NamedMessage NameFields(const FIX::DataDictionary& dd, const FieldList& fields);

// One line: the message type by name, then the body fields as
// "Name=value(EnumName)", header and trailer left out:
// "ExecutionReport ClOrdID=b1 ExecType=F(TRADE) ...".
std::string Describe(const FIX::DataDictionary& dd, std::string_view raw);

}  // namespace fixgw::fix
