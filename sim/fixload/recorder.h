// fixload's message record (--record FILE): one line per application
// message the fixload application sent or received, at the level the
// application sees them: toApp for what it sends (resends included, with
// possdup=Y, since QuickFIX passes them through toApp again) and fromApp
// for what it receives (after QuickFIX's own sequence-number and PossDup
// filtering), plus session Rejects (3), which answer an application
// message. The crash battery (tests/crash/crashcheck) reads these files.
//
// Format, version 1. A first line
//   # fixload record v1 session=<BeginString>:<Sender>-><Target>
// then one line per message: tab-separated key=value fields, always all of
// them and in this order (an absent FIX field is written "key="):
//   dir (out|in)  time_us (wall clock, µs since the epoch, UTC)
//   type (35)  seq (34)  possdup (43, Y/N)  clordid (11)  origclordid (41)
//   execid (17)  exectype (150)  ordstatus (39)  account (1)  side (54)
//   symbol (55)  qty (38)  price (44)  lastqty (32)  lastpx (31)
//   cumqty (14)  leavesqty (151)  refseq (45)  bizrefid (379)  text (58)
// Tabs, CR and LF inside values are written as spaces.
//
// Threads: MessageRecorder::Record may be called from any thread; one mutex
// orders the lines and each line is written with one write(2), so the file
// holds every line up to the last one even if fixload itself dies.
// RecordingListener forwards to an inner Listener after recording; the
// recorder and the inner listener must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "gateway/core/result.h"
#include "sim/fixload/client.h"

namespace fixgw::load {

// The record line (without the newline) of the raw FIX message `raw`
// (SOH-separated), sent (`outbound`) or received at `time_us`. Pure.
std::string RecordLine(bool outbound, int64_t time_us, std::string_view raw);

// The first line of a record file, without the newline.
std::string RecordHeader(const std::string& session);

class MessageRecorder {
 public:
  // Creates (truncates) `path` and writes the header line.
  static Result<std::unique_ptr<MessageRecorder>> Open(
      const std::string& path, const std::string& session);
  ~MessageRecorder();
  MessageRecorder(const MessageRecorder&) = delete;
  MessageRecorder& operator=(const MessageRecorder&) = delete;

  void Record(bool outbound, std::string_view raw);

 private:
  explicit MessageRecorder(int fd) : fd_(fd) {}
  void WriteLine(std::string line);

  std::mutex mu_;  // orders the lines of concurrent callers
  const int fd_;
};

class RecordingListener final : public Client::Listener {
 public:
  // `inner` may be null.
  RecordingListener(MessageRecorder* recorder, Client::Listener* inner)
      : recorder_(recorder), inner_(inner) {}

  // Records application messages and Rejects (3); not Logouts (5).
  void OnInbound(const FIX::Message& message, SteadyTime received) override;
  void OnOutbound(const FIX::Message& message) override;

 private:
  MessageRecorder* const recorder_;
  Client::Listener* const inner_;
};

}  // namespace fixgw::load
