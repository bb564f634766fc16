#include "gateway/fixreplay/trail.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gateway/fixreplay/replay_test_util.h"

namespace fixgw::replay {
namespace {

using testing::At;
using testing::kB1;
using testing::kB2;
using testing::Scenario;
using testing::TempJournal;

class TrailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Scenario scenario(tmp_.path());
    scenario.WriteAll();
  }

  std::vector<TrailRow> Rows(const TrailFilter& filter = {},
                             TrailStats* stats = nullptr) {
    auto journal = store::Journal::OpenReadOnly(tmp_.path());
    EXPECT_TRUE(journal.ok()) << journal.status().message();
    std::vector<TrailRow> rows;
    auto result = ReplayTrail(**journal, filter,
                              [&](const TrailRow& r) { rows.push_back(r); });
    EXPECT_TRUE(result.ok()) << result.status().message();
    if (stats != nullptr && result.ok()) *stats = *result;
    return rows;
  }

  // "event/direction/msg_type/cl/exch/status" per row, for compact checks.
  static std::vector<std::string> Shape(const std::vector<TrailRow>& rows) {
    std::vector<std::string> out;
    for (const TrailRow& r : rows) {
      out.push_back(r.event + "/" + std::string(Name(r.direction)) + "/" +
                    r.msg_type + "/" + r.cl_ord_id + "/" + r.exch_cl_ord_id +
                    "/" + r.status);
    }
    return out;
  }

  TempJournal tmp_;
};

TEST_F(TrailTest, EveryEntryIsOneRowInJournalOrder) {
  TrailStats stats;
  std::vector<TrailRow> rows = Rows({}, &stats);
  auto journal = store::Journal::OpenReadOnly(tmp_.path());
  ASSERT_TRUE(journal.ok());
  ASSERT_EQ(static_cast<int64_t>(rows.size()), (*journal)->last_seq());
  EXPECT_EQ(stats.entries, stats.rows);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].seq, static_cast<int64_t>(i + 1));
    if (i > 0) {
      EXPECT_GE(rows[i].time, rows[i - 1].time);
    }
  }
  EXPECT_EQ(rows[0].event, "ExchangeSessionChanged");
  EXPECT_EQ(rows[0].status, "ExchangeUp");
  EXPECT_EQ(rows[0].direction, Direction::kInternal);
  EXPECT_EQ(stats.unknown_kinds, 0);
  EXPECT_EQ(stats.unreadable, 0);
}

TEST_F(TrailTest, NewOrderRowsShowTheDecisionAndTheMessageSentOn) {
  std::vector<TrailRow> rows = Rows();
  // Entries 2 and 3: the accepted order and the NewOrderSingle to the
  // exchange under the gateway's ClOrdID.
  const TrailRow& accepted = rows[1];
  EXPECT_EQ(accepted.event, "NewOrderAccepted");
  EXPECT_EQ(accepted.direction, Direction::kFromBroker);
  EXPECT_EQ(accepted.msg_type, "NewOrderSingle");
  EXPECT_EQ(accepted.session, kB1);
  EXPECT_EQ(accepted.account, "ACC1");
  EXPECT_EQ(accepted.cl_ord_id, "o1");
  EXPECT_EQ(accepted.exch_cl_ord_id, "GW-1");
  EXPECT_EQ(accepted.symbol, "AAPL");
  EXPECT_EQ(accepted.side, "Buy");
  EXPECT_EQ(accepted.qty, "1000");
  EXPECT_EQ(accepted.price, "99.00");
  EXPECT_EQ(accepted.status, "Accepted");
  EXPECT_EQ(accepted.time, At(10));

  const TrailRow& sent = rows[2];
  EXPECT_EQ(sent.event, "SentToExchange");
  EXPECT_EQ(sent.direction, Direction::kToExchange);
  EXPECT_EQ(sent.msg_type, "NewOrderSingle");
  EXPECT_EQ(sent.exch_cl_ord_id, "GW-1");
  // The exchange message carries no broker IDs; the trail knows them.
  EXPECT_EQ(sent.cl_ord_id, "o1");
  EXPECT_EQ(sent.session, kB1);
  EXPECT_EQ(sent.account, "ACC1");
  EXPECT_EQ(sent.qty, "1000");
  EXPECT_EQ(sent.price, "99.00");
}

TEST_F(TrailTest, ExchangeReportsCarryTheOwningBrokerSessionAndIds) {
  std::vector<TrailRow> rows = Rows();
  const TrailRow* fill = nullptr;
  const TrailRow* relayed = nullptr;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].event == "ExchangeReportReceived" &&
        rows[i].exch_cl_ord_id == "GW-2" && rows[i].exec_type == "Trade") {
      fill = &rows[i];
      relayed = &rows[i + 1];
    }
  }
  ASSERT_NE(fill, nullptr);
  EXPECT_EQ(fill->direction, Direction::kFromExchange);
  EXPECT_EQ(fill->session, kB1);
  EXPECT_EQ(fill->cl_ord_id, "o1r");
  EXPECT_EQ(fill->account, "ACC1");
  EXPECT_EQ(fill->last_qty, "300");
  EXPECT_EQ(fill->last_px, "99.50");
  EXPECT_EQ(fill->cum_qty, "300");
  EXPECT_EQ(fill->leaves_qty, "500");
  EXPECT_EQ(fill->status, "PartiallyFilled");

  EXPECT_EQ(relayed->event, "SentToBroker");
  EXPECT_EQ(relayed->direction, Direction::kToBroker);
  EXPECT_EQ(relayed->msg_type, "ExecutionReport");
  EXPECT_EQ(relayed->session, kB1);
  EXPECT_EQ(relayed->cl_ord_id, "o1r");
  EXPECT_EQ(relayed->exch_cl_ord_id, "GW-2");
  EXPECT_EQ(relayed->exec_type, "Trade");
  EXPECT_EQ(relayed->last_qty, "300");
  EXPECT_EQ(relayed->status, "PartiallyFilled");
}

TEST_F(TrailTest, OrderFilterFollowsTheWholeChainFromAnyOfItsIds) {
  const std::vector<std::string> expected = {
      "NewOrderAccepted/from-broker/NewOrderSingle/o1/GW-1/Accepted",
      "SentToExchange/to-exchange/NewOrderSingle/o1/GW-1/Sent",
      "ExchangeReportReceived/from-exchange/ExecutionReport/o1/GW-1/New",
      "SentToBroker/to-broker/ExecutionReport/o1/GW-1/New",
      "CancelReplaceForwarded/from-broker/OrderCancelReplaceRequest/o1r/"
      "GW-2/Forwarded",
      "SentToExchange/to-exchange/OrderCancelReplaceRequest/o1r/GW-2/Sent",
      "ExchangeReportReceived/from-exchange/ExecutionReport/o1r/GW-2/New",
      "SentToBroker/to-broker/ExecutionReport/o1r/GW-2/New",
      "ExchangeReportReceived/from-exchange/ExecutionReport/o1r/GW-2/"
      "PartiallyFilled",
      "SentToBroker/to-broker/ExecutionReport/o1r/GW-2/PartiallyFilled",
      "CancelReplaceForwarded/from-broker/OrderCancelRequest/o1c/GW-4/"
      "Forwarded",
      "SentToExchange/to-exchange/OrderCancelRequest/o1c/GW-4/Sent",
      "ExchangeReportReceived/from-exchange/ExecutionReport/o1c/GW-4/Canceled",
      "SentToBroker/to-broker/ExecutionReport/o1c/GW-4/Canceled",
      "CancelReplaceRejected/from-broker/OrderCancelRequest/o1c2//Rejected",
      "SentToBroker/to-broker/OrderCancelReject/o1c2//Canceled",
      "StatusAnswered/from-broker/OrderStatusRequest/o1/GW-1/Answered",
      // The answer names the order's current ClOrdID.
      "SentToBroker/to-broker/ExecutionReport/o1r/GW-2/Canceled",
  };
  for (const char* id : {"o1", "o1r", "o1c", "GW-1", "GW-2", "GW-4"}) {
    TrailFilter f;
    f.order_id = id;
    EXPECT_EQ(Shape(Rows(f)), expected) << "--order " << id;
  }
}

TEST_F(TrailTest, OrderFilterFindsARejectedOrderByItsClOrdId) {
  TrailFilter f;
  f.order_id = "x1";
  std::vector<TrailRow> rows = Rows(f);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].event, "NewOrderRejected");
  EXPECT_EQ(rows[0].status, "Rejected");
  EXPECT_EQ(rows[0].reason, "OrdRejReason=1: unknown symbol 'XYZ'");
  EXPECT_EQ(rows[1].event, "SentToBroker");
  EXPECT_EQ(rows[1].status, "Rejected");
  EXPECT_EQ(rows[1].reason, "OrdRejReason=1: unknown symbol 'XYZ'");
}

TEST_F(TrailTest, TooLateCancelShowsTheRouterReasonWithItsCode) {
  TrailFilter f;
  f.order_id = "o1c2";
  std::vector<TrailRow> rows = Rows(f);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].event, "CancelReplaceRejected");
  EXPECT_EQ(rows[0].orig_cl_ord_id, "o1r");
  EXPECT_EQ(rows[0].account, "ACC1");
  EXPECT_EQ(rows[0].reason.rfind("CxlRejReason=0: ", 0), 0u) << rows[0].reason;
}

TEST_F(TrailTest, AccountSymbolSessionAndTimeFiltersSelectRows) {
  TrailFilter acc2;
  acc2.account = "ACC2";
  for (const TrailRow& r : Rows(acc2)) {
    EXPECT_EQ(r.account, "ACC2") << r.seq;
    EXPECT_EQ(r.session, kB2) << r.seq;
  }
  // s1: accepted, sent, acked, relayed, filled, relayed; m1: the first 4.
  EXPECT_EQ(Rows(acc2).size(), 10u);

  TrailFilter msft;
  msft.symbol = "MSFT";
  EXPECT_EQ(Rows(msft).size(), 4u);  // m1 accepted, sent, acked, relayed

  TrailFilter broker2;
  broker2.session = "BROKER2";
  TrailFilter broker2_full;
  broker2_full.session = kB2;
  EXPECT_EQ(Shape(Rows(broker2)), Shape(Rows(broker2_full)));
  EXPECT_EQ(Rows(broker2).size(), Rows(acc2).size());

  TrailFilter window;
  window.from = At(30);
  window.to = At(32);
  std::vector<TrailRow> rows = Rows(window);
  ASSERT_FALSE(rows.empty());
  for (const TrailRow& r : rows) {
    EXPECT_GE(r.time, At(30));
    EXPECT_LE(r.time, At(32));
  }
  EXPECT_EQ(rows.front().cl_ord_id, "s1");
  EXPECT_EQ(rows.back().cl_ord_id, "o1r");
}

// Every row of the journal at `path`, unfiltered.
Result<TrailStats> AllRows(const std::string& path,
                           std::vector<TrailRow>& rows) {
  auto journal = store::Journal::OpenReadOnly(path);
  if (!journal.ok()) return journal.status();
  return ReplayTrail(**journal, {},
                     [&](const TrailRow& r) { rows.push_back(r); });
}

TEST(TrailUnknownTest, UnknownKindsAndBadPayloadsAreRowsNotFailures) {
  TempJournal tmp;
  {
    Scenario s(tmp.path());
    s.Event(gw::ExchangeSessionChanged{true}, 0);
    store::JournalEntry future;
    future.time = At(1);
    future.kind = "MarketHalted";
    future.session = kB1;
    future.cl_ord_id = "z1";
    future.payload = R"({"kind":"MarketHalted","why":"volatility"})";
    future.raw_fix = "8=FIX.4.4|35=D|11=z1|55=AAPL|54=1|38=5|";
    ASSERT_TRUE(s.writer().Raw(future).ok());
    store::JournalEntry broken;
    broken.time = At(2);
    broken.kind = "NewOrderAccepted";
    broken.payload = R"({"kind":"NewOrderAccepted"})";
    ASSERT_TRUE(s.writer().Raw(broken).ok());
    ASSERT_TRUE(s.writer().Flush().ok());
  }
  std::vector<TrailRow> rows;
  Result<TrailStats> stats = AllRows(tmp.path(), rows);
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].event, "MarketHalted");
  EXPECT_EQ(rows[1].direction, Direction::kUnknown);
  EXPECT_EQ(rows[1].session, kB1);
  EXPECT_EQ(rows[1].cl_ord_id, "z1");
  EXPECT_EQ(rows[1].msg_type, "NewOrderSingle");
  EXPECT_EQ(rows[1].symbol, "AAPL");
  EXPECT_NE(rows[1].reason.find("not known"), std::string::npos);
  EXPECT_EQ(rows[2].event, "NewOrderAccepted");
  EXPECT_NE(rows[2].reason.find("payload not understood"), std::string::npos)
      << rows[2].reason;
  EXPECT_EQ(stats->unknown_kinds, 1);
  EXPECT_EQ(stats->unreadable, 1);
  EXPECT_NE(stats->first_problem.find("entry 2"), std::string::npos)
      << stats->first_problem;
}

// QuickFIX's own rejects (RejectSent): a row that says which message was
// refused and why, towards the peer the payload names.
TEST(TrailRejectTest, RejectsSentByQuickFixNameTheRefusedMessage) {
  TempJournal tmp;
  {
    Scenario s(tmp.path());
    store::JournalEntry reject;
    reject.time = At(1);
    reject.kind = gw::kRejectSent;
    reject.session = kB1;
    reject.payload = R"({"peer":"broker"})";
    reject.raw_fix =
        "8=FIX.4.4|35=3|34=2|49=GW|56=BROKER1|45=2|58=Incorrect data format "
        "for value|371=38|372=D|373=6|";
    ASSERT_TRUE(s.writer().Raw(reject).ok());
    reject.time = At(2);
    reject.session = "FIX.4.4:GW->SIM";
    reject.payload = R"({"peer":"exchange"})";
    reject.raw_fix = "8=FIX.4.4|35=j|34=9|45=7|372=B|380=3|58=no news|";
    ASSERT_TRUE(s.writer().Raw(reject).ok());
    ASSERT_TRUE(s.writer().Flush().ok());
  }
  std::vector<TrailRow> rows;
  Result<TrailStats> stats = AllRows(tmp.path(), rows);
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].event, "RejectSent");
  EXPECT_EQ(rows[0].direction, Direction::kToBroker);
  EXPECT_EQ(rows[0].msg_type, "Reject");
  EXPECT_EQ(rows[0].status, "Rejected");
  EXPECT_EQ(rows[0].reason,
            "message 2 (NewOrderSingle) refused at tag 38, SessionRejectReason "
            "6: Incorrect data format for value");
  EXPECT_EQ(rows[1].direction, Direction::kToExchange);
  EXPECT_EQ(rows[1].msg_type, "BusinessMessageReject");
  EXPECT_EQ(rows[1].reason,
            "message 7 (MsgType=B) refused, BusinessRejectReason 3: no news");
  EXPECT_EQ(stats->unknown_kinds, 0);
  EXPECT_EQ(stats->unreadable, 0);
}

TEST(TrailJournalCheckTest, StartUpChecksAreInternalRowsWithWhatWasFound) {
  TempJournal tmp;
  {
    Scenario s(tmp.path());
    store::JournalEntry e;
    e.time = At(1);
    e.kind = gw::kJournalVerified;
    e.payload = R"({"mode":"full","from_seq":0,"entries":41,"head_seq":41,)"
                R"("took_us":950})";
    ASSERT_TRUE(s.writer().Raw(e).ok());
    e.time = At(2);
    e.kind = gw::kJournalDamageAccepted;
    e.payload = R"({"problem":"the hash chain breaks at seq 7","first_bad_seq")"
                R"j(:7,"reason":"ticket 42","by":"fixgw (uid 998)"})j";
    ASSERT_TRUE(s.writer().Raw(e).ok());
    ASSERT_TRUE(s.writer().Flush().ok());
  }
  std::vector<TrailRow> rows;
  Result<TrailStats> stats = AllRows(tmp.path(), rows);
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].direction, Direction::kInternal);
  EXPECT_EQ(rows[0].status, "Verified");
  EXPECT_EQ(rows[0].reason,
            "journal verified at start (full): 41 entries from seq 0 to 41");
  EXPECT_EQ(rows[1].status, "DamageAccepted");
  EXPECT_EQ(rows[1].reason,
            "journal damaged, started anyway (--accept-journal-damage) by "
            "fixgw (uid 998): ticket 42; the hash chain breaks at seq 7");
  EXPECT_EQ(stats->unknown_kinds, 0);
  EXPECT_EQ(stats->first_problem, "");
}

TEST(TrailSessionControlTest, OperatorSessionActionsAreInternalRows) {
  TempJournal tmp;
  {
    Scenario s(tmp.path());
    store::JournalEntry e;
    e.time = At(1);
    e.kind = gw::kSessionControl;
    e.session = "FIX.4.4:GW->B1";
    e.payload = R"({"action":"disable","source":"admin token:ops from )"
                R"(127.0.0.1","reason":"maintenance"})";
    ASSERT_TRUE(s.writer().Raw(e).ok());
    e.time = At(2);
    e.payload = R"({"action":"set-seq","source":"admin token:ops from )"
                R"(127.0.0.1","reason":"","force":false,"logged_on":false,)"
                R"("next_sender_before":7,"next_target_before":3,)"
                R"("next_sender":50,"next_target":3})";
    ASSERT_TRUE(s.writer().Raw(e).ok());
    ASSERT_TRUE(s.writer().Flush().ok());
  }
  std::vector<TrailRow> rows;
  Result<TrailStats> stats = AllRows(tmp.path(), rows);
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].direction, Direction::kInternal);
  EXPECT_EQ(rows[0].session, "FIX.4.4:GW->B1");
  EXPECT_EQ(rows[0].status, "Session:disable");
  EXPECT_EQ(rows[0].reason,
            "session disable by admin token:ops from 127.0.0.1: maintenance");
  EXPECT_EQ(rows[1].reason,
            "session set-seq by admin token:ops from 127.0.0.1; next sender "
            "7 -> 50, next target 3 -> 3");
  EXPECT_EQ(stats->unknown_kinds, 0);
}

TEST(OrderTrackerTest, ForgetsTheOldestFinishedOrdersBeyondItsBound) {
  OrderTracker t(/*keep_finished=*/1);
  const auto* a = t.Add(kB1, "a", "GW-1", "ACC", "AAPL", "Buy");
  const auto* b = t.Add(kB1, "b", "GW-2", "ACC", "AAPL", "Buy");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  t.Link(a, "a2", "GW-3");
  t.Finish(a);
  EXPECT_TRUE(t.ByExch("GW-3").has_value());  // kept: one finished order
  t.Finish(b);
  EXPECT_FALSE(t.ByExch("GW-1").has_value());
  EXPECT_FALSE(t.ByExch("GW-3").has_value());
  EXPECT_FALSE(t.ByBroker(kB1, "a2").has_value());
  ASSERT_TRUE(t.ByBroker(kB1, "b").has_value());
  EXPECT_EQ(t.ByBroker(kB1, "b")->paired_id, "GW-2");
  EXPECT_EQ(t.tracked(), 1u);
}

TEST(OrderTrackerTest, GatewayCancelPairsWithTheOrdersLatestBrokerId) {
  OrderTracker t(10);
  const auto* a = t.Add(kB1, "a", "GW-1", "ACC", "AAPL", "Buy");
  t.Link(a, "a2", "GW-2");
  t.Link(a, "", "GW-3");  // kill-switch cancel
  ASSERT_TRUE(t.ByExch("GW-3").has_value());
  EXPECT_EQ(t.ByExch("GW-3")->paired_id, "a2");
  EXPECT_EQ(t.OrdersWithId("a2", ""), std::vector<uint64_t>{a->number});
  EXPECT_EQ(t.OrdersWithId("GW-3", ""), std::vector<uint64_t>{a->number});
  EXPECT_TRUE(t.OrdersWithId("a2", "BROKER2").empty());
}

TEST(SessionMatchesTest, FullKeyOrBrokerCompId) {
  EXPECT_TRUE(SessionMatches(kB1, kB1));
  EXPECT_TRUE(SessionMatches(kB1, "BROKER1"));
  EXPECT_FALSE(SessionMatches(kB1, "BROKER"));
  EXPECT_FALSE(SessionMatches(kB1, "GW"));
  EXPECT_FALSE(SessionMatches("", "BROKER1"));
}

}  // namespace
}  // namespace fixgw::replay
