// Unit tests of fixload's FIX-facing pieces that need no network: the
// order tracker behind load runs (first reports, rejects, refill, and
// concurrent use) and the messages `send` steps build.
#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <thread>

#include "sim/fixload/load_runner.h"
#include "sim/fixload/script_runner.h"

namespace fixgw::load {
namespace {

using std::chrono::microseconds;

FIX::Message Message(const std::string& type,
                     const std::vector<std::pair<int, std::string>>& body) {
  FIX::Message m;
  m.getHeader().setField(35, type);
  for (const auto& [tag, value] : body) m.setField(tag, value);
  return m;
}

FIX::Message Report(const std::string& cl_ord_id, const std::string& exec) {
  return Message("8", {{11, cl_ord_id}, {150, exec}});
}

TEST(OrderTracker, CountsOnlyTheFirstReportAndMeasuresFromOrigin) {
  OrderTracker tracker("p", 3);
  ASSERT_EQ(tracker.ClaimNext(), 0u);
  SteadyTime t0 = std::chrono::steady_clock::now();
  tracker.RecordSend(0, t0);
  tracker.OnInbound(Report("p-0", "0"), t0 + microseconds(5));
  tracker.OnInbound(Report("p-0", "F"), t0 + microseconds(9));
  OrderTracker::Totals totals = tracker.totals();
  EXPECT_EQ(totals.sent, 1u);
  EXPECT_EQ(totals.acked, 1u);
  EXPECT_EQ(totals.rejected, 0u);
  EXPECT_EQ(totals.trades, 1u);
  EXPECT_EQ(totals.last_report, t0 + microseconds(5));
  EXPECT_EQ(tracker.TakeLatencies(), std::vector<int64_t>{5000});
}

TEST(OrderTracker, RecognisesRejectsOfEveryKind) {
  OrderTracker tracker("p", 3);
  SteadyTime t0 = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < 3; ++i) tracker.RecordSend(i, t0);
  // Order 2 went out as MsgSeqNum 17.
  FIX::Message sent = Message("D", {{11, "p-2"}});
  sent.getHeader().setField(34, "17");
  tracker.OnOutbound(sent);

  tracker.OnInbound(Report("p-0", "8"), t0);
  tracker.OnInbound(Message("j", {{372, "D"}, {379, "p-1"}}), t0);
  tracker.OnInbound(Message("3", {{45, "17"}, {372, "D"}}), t0);
  OrderTracker::Totals totals = tracker.totals();
  EXPECT_EQ(totals.rejected, 3u);
  EXPECT_EQ(totals.acked, 0u);
}

TEST(OrderTracker, IgnoresForeignUnsentAndMalformedIds) {
  OrderTracker tracker("p", 3);
  SteadyTime t0 = std::chrono::steady_clock::now();
  tracker.RecordSend(0, t0);
  for (const char* id : {"q-0", "p-3", "p-", "p-x", "p-0x", "p", "p-2"}) {
    tracker.OnInbound(Report(id, "0"), t0);
  }
  tracker.OnInbound(Message("j", {{372, "F"}, {379, "p-0"}}), t0);
  tracker.OnInbound(Message("3", {{45, "99"}}), t0);
  OrderTracker::Totals totals = tracker.totals();
  EXPECT_EQ(totals.acked + totals.rejected, 0u);
}

TEST(OrderTracker, CancelledSendIsNotCounted) {
  OrderTracker tracker("p", 2);
  tracker.RecordSend(0, std::chrono::steady_clock::now());
  tracker.CancelSend(0);
  tracker.OnInbound(Report("p-0", "0"), std::chrono::steady_clock::now());
  EXPECT_EQ(tracker.totals().sent, 0u);
  EXPECT_EQ(tracker.totals().acked, 0u);
}

TEST(OrderTracker, RefillSendsTheNextOrderOnEachFirstReport) {
  OrderTracker tracker("p", 3);
  std::vector<uint64_t> refilled;
  tracker.EnableRefill([&](uint64_t i) {
    refilled.push_back(i);
    tracker.RecordSend(i, std::chrono::steady_clock::now());
  });
  ASSERT_EQ(tracker.ClaimNext(), 0u);
  tracker.RecordSend(0, std::chrono::steady_clock::now());
  SteadyTime now = std::chrono::steady_clock::now();
  tracker.OnInbound(Report("p-0", "0"), now);
  tracker.OnInbound(Report("p-0", "F"), now);  // not a first report
  tracker.OnInbound(Report("p-1", "8"), now);
  tracker.OnInbound(Report("p-2", "0"), now);
  EXPECT_EQ(refilled, (std::vector<uint64_t>{1, 2}));
  EXPECT_FALSE(tracker.ClaimNext().has_value());
  EXPECT_EQ(tracker.totals().acked, 2u);
  EXPECT_EQ(tracker.totals().rejected, 1u);
}

TEST(OrderTracker, DisabledRefillSendsNothing) {
  OrderTracker tracker("p", 3);
  int calls = 0;
  tracker.EnableRefill([&](uint64_t) { ++calls; });
  tracker.DisableRefill();
  ASSERT_EQ(tracker.ClaimNext(), 0u);
  tracker.RecordSend(0, std::chrono::steady_clock::now());
  tracker.OnInbound(Report("p-0", "0"), std::chrono::steady_clock::now());
  EXPECT_EQ(calls, 0);
}

TEST(OrderTracker, WaitReportedReturnsOnceEverythingIsReported) {
  OrderTracker tracker("p", 1);
  Client client(FIX::SessionSettings(), FIX::SessionID("FIX.4.4", "A", "B"),
                ClientOptions{}, &tracker);
  std::atomic<bool> stop{false};
  ASSERT_EQ(tracker.ClaimNext(), 0u);
  tracker.RecordSend(0, std::chrono::steady_clock::now());
  // Not logged on and not reported: gives up at once.
  EXPECT_FALSE(tracker.WaitReported(true, std::chrono::milliseconds(10),
                                    std::nullopt, client, stop));
  tracker.OnInbound(Report("p-0", "0"), std::chrono::steady_clock::now());
  EXPECT_TRUE(tracker.WaitReported(true, std::chrono::milliseconds(10),
                                   std::nullopt, client, stop));
}

// One thread sends (claims and records), another delivers the reports, as
// QuickFIX's socket thread does; meant to run under ThreadSanitizer too.
TEST(OrderTracker, SendAndReportConcurrently) {
  constexpr uint64_t kOrders = 20'000;
  OrderTracker tracker("c", kOrders);
  std::mutex mu;
  std::deque<uint64_t> wire;
  bool done = false;
  std::thread reporter([&] {
    while (true) {
      std::optional<uint64_t> i;
      {
        std::lock_guard lock(mu);
        if (!wire.empty()) {
          i = wire.front();
          wire.pop_front();
        } else if (done) {
          return;
        }
      }
      if (i) {
        tracker.OnInbound(Report(tracker.ClOrdId(*i), *i % 7 == 0 ? "8" : "0"),
                          std::chrono::steady_clock::now());
      }
    }
  });
  for (std::optional<uint64_t> i = tracker.ClaimNext(); i;
       i = tracker.ClaimNext()) {
    tracker.RecordSend(*i, std::chrono::steady_clock::now());
    std::lock_guard lock(mu);
    wire.push_back(*i);
  }
  {
    std::lock_guard lock(mu);
    done = true;
  }
  reporter.join();
  OrderTracker::Totals totals = tracker.totals();
  EXPECT_EQ(totals.sent, kOrders);
  EXPECT_EQ(totals.rejected, (kOrders + 6) / 7);
  EXPECT_EQ(totals.acked + totals.rejected, kOrders);
  EXPECT_EQ(tracker.TakeLatencies().size(), kOrders);
}

Step SendStep(const std::string& msg_type,
              std::vector<std::pair<int, std::string>> fields) {
  Step step;
  step.kind = StepKind::kSend;
  step.msg_type = msg_type;
  for (auto& [tag, value] : fields) {
    FieldSpec spec;
    spec.tag = tag;
    spec.name = std::to_string(tag);
    if (value == "!") {
      spec.kind = FieldSpec::Kind::kAbsent;
    } else {
      spec.value = value;
    }
    step.fields.push_back(spec);
  }
  return step;
}

std::string Text(const FIX::Message& m) {
  std::string s = m.toString();
  for (char& c : s) {
    if (c == '\x01') c = '|';
  }
  return s;
}

TEST(BuildMessage, AddsTransactTimeToOrdersUnlessNamed) {
  EXPECT_TRUE(BuildMessage(SendStep("D", {{11, "a"}})).message.isSetField(60));
  EXPECT_TRUE(BuildMessage(SendStep("G", {{11, "a"}})).message.isSetField(60));
  EXPECT_FALSE(BuildMessage(SendStep("D", {{11, "a"}, {60, "!"}}))
                   .message.isSetField(60));
  EXPECT_EQ(BuildMessage(SendStep("F", {{60, "20200101-00:00:00"}}))
                .message.getField(60),
            "20200101-00:00:00");
  EXPECT_FALSE(BuildMessage(SendStep("H", {{11, "a"}})).message.isSetField(60));
}

TEST(BuildMessage, SendsExactlyTheFieldsGivenEvenIfInvalid) {
  OutgoingMessage out = BuildMessage(
      SendStep("D", {{11, "a"}, {9999, "x"}, {55, "A"}, {55, "B"}}));
  std::string text = Text(out.message);
  EXPECT_NE(text.find("|35=D|"), std::string::npos) << text;
  EXPECT_NE(text.find("|9999=x|"), std::string::npos) << text;
  EXPECT_NE(text.find("|55=A|55=B|"), std::string::npos) << text;
  EXPECT_EQ(text.find("|54="), std::string::npos) << text;
}

TEST(BuildMessage, HeaderFieldsBecomeOverridesWithOrigSendingTime) {
  OutgoingMessage out =
      BuildMessage(SendStep("D", {{11, "a"}, {43, "Y"}, {52, "!"}}));
  ASSERT_EQ(out.header_overrides.size(), 3u);
  EXPECT_EQ(out.header_overrides[0].tag, 43);
  EXPECT_EQ(out.header_overrides[0].value, "Y");
  EXPECT_EQ(out.header_overrides[1].tag, 52);
  EXPECT_FALSE(out.header_overrides[1].value.has_value());
  EXPECT_EQ(out.header_overrides[2].tag, 122);
  EXPECT_TRUE(out.header_overrides[2].value.has_value());
  EXPECT_FALSE(out.message.getHeader().isSetField(43));
}

}  // namespace
}  // namespace fixgw::load
