// Executes scenario steps over a Client; see script_runner.h.
#include "sim/fixload/script_runner.h"

#include <algorithm>
#include <thread>

#include "gateway/core/clock.h"
#include "gateway/fix/describe.h"

namespace fixgw::load {
namespace {

constexpr int kMsgType = 35;
constexpr int kPossDupFlag = 43;
constexpr int kTransactTime = 60;
constexpr int kOrigSendingTime = 122;

constexpr std::chrono::milliseconds kSlice(50);

// Sleeps until `deadline` in short slices; false if `stop` became true.
bool SleepUntil(SteadyTime deadline, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return true;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(deadline - now, kSlice));
  }
  return false;
}

bool Names(const Step& step, int tag) {
  return std::any_of(step.fields.begin(), step.fields.end(),
                     [tag](const FieldSpec& f) { return f.tag == tag; });
}

std::string Where(const ScriptOptions& options, const Step& step) {
  return options.name + ":" + std::to_string(step.line);
}

}  // namespace

void InboundQueue::OnInbound(const FIX::Message& message, SteadyTime) {
  std::string raw = message.toString();
  {
    std::lock_guard lock(mu_);
    messages_.push_back(std::move(raw));
  }
  cv_.notify_all();
}

std::optional<std::string> InboundQueue::Pop(SteadyTime deadline,
                                             const std::atomic<bool>& stop) {
  std::unique_lock lock(mu_);
  while (messages_.empty() && !stop.load()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    // Bounded slices so that `stop` (set from a signal) is noticed.
    cv_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(
                           deadline - now, kSlice));
  }
  if (messages_.empty() || stop.load()) return std::nullopt;
  std::string raw = std::move(messages_.front());
  messages_.pop_front();
  return raw;
}

size_t InboundQueue::size() const {
  std::lock_guard lock(mu_);
  return messages_.size();
}

OutgoingMessage BuildMessage(const Step& send) {
  OutgoingMessage out;
  out.message.getHeader().setField(kMsgType, send.msg_type);
  for (const FieldSpec& f : send.fields) {
    bool absent = f.kind == FieldSpec::Kind::kAbsent;
    if (FIX::Message::isHeaderField(f.tag)) {
      if (f.tag == kMsgType) {
        if (!absent) out.message.getHeader().setField(f.tag, f.value);
      } else {
        out.header_overrides.push_back(
            {f.tag, absent ? std::nullopt : std::optional(f.value)});
      }
    } else if (absent) {
      continue;  // only suppresses an automatic field
    } else if (FIX::Message::isTrailerField(f.tag)) {
      out.message.getTrailer().setField(FIX::FieldBase(f.tag, f.value),
                                        /*overwrite=*/false);
    } else {
      out.message.setField(FIX::FieldBase(f.tag, f.value),
                           /*overwrite=*/false);
    }
  }
  const std::string& type = send.msg_type;
  if ((type == "D" || type == "F" || type == "G") &&
      !Names(send, kTransactTime)) {
    out.message.setField(kTransactTime, FormatFixTimestamp(Now()));
  }
  bool poss_dup = std::any_of(
      send.fields.begin(), send.fields.end(), [](const FieldSpec& f) {
        return f.tag == kPossDupFlag && f.kind == FieldSpec::Kind::kEquals &&
               f.value == "Y";
      });
  if (poss_dup && !Names(send, kOrigSendingTime)) {
    out.header_overrides.push_back(
        {kOrigSendingTime, FormatFixTimestamp(Now())});
  }
  return out;
}

namespace {
std::string Show(const ScriptOptions& options, std::string_view raw) {
  return options.describe ? options.describe(raw) : Printable(raw);
}
}  // namespace

int RunScript(Client& client, InboundQueue& inbound,
              const std::vector<Step>& steps, const ScriptOptions& options,
              const std::atomic<bool>& stop, std::ostream& out,
              std::ostream& err) {
  int checked = 0;
  for (const Step& step : steps) {
    if (stop.load()) {
      err << "fixload: interrupted at " << Where(options, step) << "\n";
      return 1;
    }
    if (options.verbose) out << "[" << step.line << "] " << step.text << "\n";
    switch (step.kind) {
      case StepKind::kSend: {
        OutgoingMessage msg = BuildMessage(step);
        if (!client.Send(msg.message, msg.header_overrides)) {
          err << "fixload: " << Where(options, step)
              << ": cannot send, session is not logged on: " << step.text
              << "\n";
          return 1;
        }
        // The session filled the header of `msg.message` in place.
        if (options.verbose) {
          out << "    > " << Show(options, msg.message.toString()) << "\n";
        }
        break;
      }
      case StepKind::kExpect: {
        auto deadline =
            std::chrono::steady_clock::now() + options.expect_timeout;
        std::optional<std::string> raw = inbound.Pop(deadline, stop);
        if (!raw) {
          if (stop.load()) {
            err << "fixload: interrupted at " << Where(options, step) << "\n";
          } else {
            err << "fixload: " << Where(options, step)
                << ": expectation failed: no message within "
                << options.expect_timeout.count() << " ms"
                << (client.LoggedOn() ? "" : " (session is not logged on)")
                << "\n  expected: " << step.msg_type << " "
                << DescribeFields(step.fields) << "\n";
          }
          return 1;
        }
        std::vector<std::string> mismatches =
            Mismatches(step, fix::SplitFix(*raw));
        if (!mismatches.empty()) {
          err << "fixload: " << Where(options, step)
              << ": expectation failed\n  expected: " << step.msg_type << " "
              << DescribeFields(step.fields) << "\n";
          for (const std::string& m : mismatches) err << "  " << m << "\n";
          err << "  received: " << Printable(*raw) << "\n";
          return 1;
        }
        if (options.verbose) out << "    < " << Show(options, *raw) << "\n";
        ++checked;
        break;
      }
      case StepKind::kExpectNone: {
        auto deadline = std::chrono::steady_clock::now() + step.wait;
        std::optional<std::string> raw = inbound.Pop(deadline, stop);
        if (raw) {
          err << "fixload: " << Where(options, step)
              << ": expectation failed: expected no message within "
              << step.wait.count() << " ms\n  received: " << Printable(*raw)
              << "\n";
          return 1;
        }
        if (stop.load()) {
          err << "fixload: interrupted at " << Where(options, step) << "\n";
          return 1;
        }
        break;
      }
      case StepKind::kSleep:
        if (!SleepUntil(std::chrono::steady_clock::now() + step.wait, stop)) {
          err << "fixload: interrupted at " << Where(options, step) << "\n";
          return 1;
        }
        break;
    }
  }
  out << "script ok: " << steps.size() << " steps, " << checked
      << " messages checked\n";
  if (size_t unread = inbound.size(); unread > 0) {
    err << "fixload: note: " << unread
        << " received message(s) left unchecked at the end of the script\n";
  }
  return 0;
}

}  // namespace fixgw::load
