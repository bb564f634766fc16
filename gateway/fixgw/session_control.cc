#include "gateway/fixgw/session_control.h"

#include <charconv>
#include <limits>

namespace fixgw::gw {
namespace {

std::string Param(const std::map<std::string, std::string>& params,
                  const char* key) {
  auto it = params.find(key);
  return it == params.end() ? std::string() : it->second;
}

// A MsgSeqNum: 1..INT32_MAX (QuickFIX keeps them in an int).
Result<std::optional<int64_t>> SeqParam(
    const std::map<std::string, std::string>& params, const char* key) {
  auto it = params.find(key);
  if (it == params.end() || it->second.empty()) return std::optional<int64_t>();
  const std::string& text = it->second;
  int64_t value = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 ||
      value > std::numeric_limits<int32_t>::max()) {
    return Status::InvalidArgument(std::string(key) +
                                   " must be a whole number from 1 to "
                                   "2147483647 (got '" +
                                   text + "')");
  }
  return std::optional<int64_t>(value);
}

}  // namespace

std::string_view SessionActionName(SessionAction action) {
  switch (action) {
    case SessionAction::kLogon:
      return "logon";
    case SessionAction::kLogout:
      return "logout";
    case SessionAction::kEnable:
      return "enable";
    case SessionAction::kDisable:
      return "disable";
    case SessionAction::kSetSeq:
      return "set-seq";
    case SessionAction::kResetSeq:
      return "reset-seq";
  }
  return "logon";
}

std::optional<SessionAction> SessionActionFromName(std::string_view name) {
  for (SessionAction a : kAllSessionActions) {
    if (SessionActionName(a) == name) return a;
  }
  return std::nullopt;
}

std::string_view AdmissionName(Admission admission) {
  switch (admission) {
    case Admission::kOpen:
      return "open";
    case Admission::kLoggedOut:
      return "logged-out";
    case Admission::kDisabled:
      return "disabled";
  }
  return "open";
}

Result<SessionCommand> ParseSessionCommand(
    const std::map<std::string, std::string>& params) {
  SessionCommand command;
  const std::string action = Param(params, "action");
  auto parsed = SessionActionFromName(action);
  if (!parsed) {
    return Status::InvalidArgument(
        "action must be logon, logout, enable, disable, set-seq or reset-seq "
        "(got '" +
        action + "')");
  }
  command.action = *parsed;
  command.session = Param(params, "session");
  if (command.session.empty()) {
    return Status::InvalidArgument("session is required");
  }
  auto sender = SeqParam(params, "next_sender");
  if (!sender.ok()) return sender.status();
  auto target = SeqParam(params, "next_target");
  if (!target.ok()) return target.status();
  command.next_sender = *sender;
  command.next_target = *target;
  if (command.action == SessionAction::kSetSeq) {
    if (!command.next_sender && !command.next_target) {
      return Status::InvalidArgument(
          "set-seq needs next_sender, next_target or both");
    }
  } else if (command.next_sender || command.next_target) {
    return Status::InvalidArgument(
        "next_sender and next_target go with set-seq only");
  }
  const std::string force = Param(params, "force");
  if (force != "" && force != "true" && force != "false") {
    return Status::InvalidArgument("force must be 'true' or 'false' (got '" +
                                   force + "')");
  }
  command.force = force == "true";
  command.reason = Param(params, "reason");
  return command;
}

}  // namespace fixgw::gw
