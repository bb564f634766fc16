// The mixed-flow planner of fixload: the requests it decides, how answers
// move its orders, and that a seed fixes the sequence.
#include "sim/fixload/mix.h"

#include <gtest/gtest.h>

#include <set>

namespace fixgw::load {
namespace {

using std::chrono::milliseconds;

MixOptions Options() {
  MixOptions o;
  o.instruments = {
      MixInstrument{"AAPL", Price::FromMicros(10'000), Price::FromUnits(100)}};
  o.seed = 7;
  o.id_prefix = "B1";
  o.account = "ACC";
  return o;
}

MixAnswer Report(const std::string& id, char exec_type, char ord_status,
                 const std::string& orig = "") {
  MixAnswer a;
  a.msg_type = "8";
  a.cl_ord_id = id;
  a.orig_cl_ord_id = orig;
  a.exec_type = exec_type;
  a.ord_status = ord_status;
  return a;
}

const MixTime kT0{};

TEST(ParseInstruments, ReadsFixsimFormat) {
  auto in = ParseInstruments("AAPL:0.01:100.00,EURX:0.0001:1.1000");
  ASSERT_TRUE(in.ok()) << in.status().message();
  ASSERT_EQ(in->size(), 2u);
  EXPECT_EQ((*in)[1].symbol, "EURX");
  EXPECT_EQ((*in)[1].tick, Price::FromMicros(100));
  EXPECT_EQ((*in)[1].reference, Price::FromMicros(1'100'000));
}

TEST(ParseInstruments, RejectsMalformedItems) {
  for (const char* bad : {"", "AAPL", "AAPL:0.01", ":0.01:100", "AAPL:0:100",
                          "AAPL:0.01:x", "AAPL:0.03:100.01"}) {
    EXPECT_FALSE(ParseInstruments(bad).ok()) << bad;
  }
}

TEST(MixPlanner, FirstRequestIsANewLimitOrderWithinTheSpread) {
  MixPlanner p(Options());
  MixRequest r = p.Next(kT0);
  EXPECT_EQ(r.kind, RequestKind::kNew);
  EXPECT_EQ(r.cl_ord_id, "B1-0");
  EXPECT_EQ(r.account, "ACC");
  EXPECT_EQ(r.symbol, "AAPL");
  EXPECT_GE(r.price, Price::FromMicros(99'950'000));
  EXPECT_LE(r.price, Price::FromMicros(100'050'000));
  EXPECT_EQ(r.price.micros() % 10'000, 0);
  EXPECT_EQ(r.qty.units() % 10, 0);
  EXPECT_GE(r.qty.units(), 10);
  EXPECT_LE(r.qty.units(), 300);
  EXPECT_EQ(p.outstanding(), 1u);
  EXPECT_EQ(p.counts().new_sent, 1u);
}

TEST(MixPlanner, SameSeedSameRequests) {
  MixPlanner a(Options()), b(Options());
  for (int i = 0; i < 200; ++i) {
    MixRequest x = a.Next(kT0), y = b.Next(kT0);
    EXPECT_EQ(x.cl_ord_id, y.cl_ord_id);
    EXPECT_EQ(x.side, y.side);
    EXPECT_EQ(x.price, y.price);
    EXPECT_EQ(x.qty, y.qty);
    // Acknowledge every order so that cancels and replaces become possible.
    if (x.kind == RequestKind::kNew) {
      a.OnAnswer(Report(x.cl_ord_id, '0', '0'));
      b.OnAnswer(Report(y.cl_ord_id, '0', '0'));
    }
  }
}

TEST(MixPlanner, CancelsAndReplacesOnlyAcknowledgedOrdersWithoutPending) {
  MixOptions o = Options();
  o.new_weight = 1;
  o.cancel_weight = 50;
  o.replace_weight = 50;
  MixPlanner p(o);
  MixRequest first = p.Next(kT0);
  ASSERT_EQ(first.kind, RequestKind::kNew);
  // Not acknowledged yet: nothing to cancel, so another new order.
  EXPECT_EQ(p.Next(kT0).kind, RequestKind::kNew);
  p.OnAnswer(Report(first.cl_ord_id, '0', '0'));
  MixRequest r = p.Next(kT0);
  ASSERT_NE(r.kind, RequestKind::kNew);
  EXPECT_EQ(r.orig_cl_ord_id, first.cl_ord_id);
  EXPECT_EQ(r.symbol, first.symbol);
  EXPECT_EQ(r.side, first.side);
  // The order has a request outstanding: the next one is a new order.
  EXPECT_EQ(p.Next(kT0).kind, RequestKind::kNew);
}

TEST(MixPlanner, ReplacedMakesTheReplaceIdCurrent) {
  MixOptions o = Options();
  o.new_weight = 1;
  o.cancel_weight = 0;
  o.replace_weight = 1000;
  MixPlanner p(o);
  MixRequest n = p.Next(kT0);
  p.OnAnswer(Report(n.cl_ord_id, '0', '0'));
  MixRequest g = p.Next(kT0);
  ASSERT_EQ(g.kind, RequestKind::kReplace);
  p.OnAnswer(Report(g.cl_ord_id, '5', '0', n.cl_ord_id));
  EXPECT_EQ(p.outstanding(), 0u);
  MixRequest g2 = p.Next(kT0);
  ASSERT_EQ(g2.kind, RequestKind::kReplace);
  EXPECT_EQ(g2.orig_cl_ord_id, g.cl_ord_id);
  EXPECT_LE(g2.price, Price::FromMicros(100'050'000));
  EXPECT_GE(g2.price, Price::FromMicros(99'950'000));
}

TEST(MixPlanner, TerminalStatusEndsTheOrder) {
  MixOptions o = Options();
  o.new_weight = 1;
  o.cancel_weight = 1000;
  o.replace_weight = 0;
  MixPlanner p(o);
  MixRequest n = p.Next(kT0);
  p.OnAnswer(Report(n.cl_ord_id, '0', '0'));
  EXPECT_EQ(p.live_orders(), 1u);
  MixRequest f = p.Next(kT0);
  ASSERT_EQ(f.kind, RequestKind::kCancel);
  // A fill on the order's own ClOrdID is not the cancel's answer ...
  p.OnAnswer(Report(n.cl_ord_id, 'F', '1'));
  EXPECT_EQ(p.outstanding(), 1u);
  EXPECT_EQ(p.counts().fills, 1u);
  // ... the Canceled report is, and it ends the order.
  p.OnAnswer(Report(f.cl_ord_id, '4', '4', n.cl_ord_id));
  EXPECT_EQ(p.outstanding(), 0u);
  EXPECT_EQ(p.live_orders(), 0u);
  EXPECT_EQ(p.counts().answered, 2u);
}

TEST(MixPlanner, RejectsOfEveryKindAnswerTheRequest) {
  MixPlanner p(Options());
  MixRequest a = p.Next(kT0), b = p.Next(kT0), c = p.Next(kT0);
  p.SentWithSeq(c.cl_ord_id, 17);
  p.OnAnswer(Report(a.cl_ord_id, '8', '8'));
  MixAnswer j;
  j.msg_type = "j";
  j.business_ref_id = b.cl_ord_id;
  p.OnAnswer(j);
  MixAnswer session_reject;
  session_reject.msg_type = "3";
  session_reject.ref_seq_num = 17;
  p.OnAnswer(session_reject);
  EXPECT_EQ(p.outstanding(), 0u);
  EXPECT_EQ(p.counts().rejected, 3u);
  EXPECT_EQ(p.live_orders(), 0u);
}

TEST(MixPlanner, CancelRejectLeavesTheOrderLive) {
  MixOptions o = Options();
  o.new_weight = 1;
  o.cancel_weight = 1000;
  o.replace_weight = 0;
  MixPlanner p(o);
  MixRequest n = p.Next(kT0);
  p.OnAnswer(Report(n.cl_ord_id, '0', '0'));
  MixRequest f = p.Next(kT0);
  MixAnswer reject;
  reject.msg_type = "9";
  reject.cl_ord_id = f.cl_ord_id;
  reject.orig_cl_ord_id = n.cl_ord_id;
  reject.ord_status = '0';
  p.OnAnswer(reject);
  EXPECT_EQ(p.live_orders(), 1u);
  EXPECT_EQ(p.Next(kT0).kind, RequestKind::kCancel);
}

TEST(MixPlanner, UnsentRequestsAreForgotten) {
  MixPlanner p(Options());
  MixRequest n = p.Next(kT0);
  p.Unsent(n.cl_ord_id);
  EXPECT_EQ(p.outstanding(), 0u);
  EXPECT_EQ(p.live_orders(), 0u);
  EXPECT_EQ(p.counts().new_sent, 0u);
  // The ClOrdID is not reused.
  EXPECT_EQ(p.Next(kT0).cl_ord_id, "B1-1");
}

TEST(MixPlanner, CancelRejectedAsUnknownForgetsTheOrder) {
  MixOptions o = Options();
  o.new_weight = 1;
  o.cancel_weight = 1000;
  o.replace_weight = 0;
  MixPlanner p(o);
  MixRequest n = p.Next(kT0);
  p.OnAnswer(Report(n.cl_ord_id, '0', '0'));
  MixRequest f = p.Next(kT0);
  MixAnswer reject;
  reject.msg_type = "9";
  reject.cl_ord_id = f.cl_ord_id;
  reject.orig_cl_ord_id = n.cl_ord_id;
  reject.ord_status = '0';
  reject.cxl_rej_reason = 1;
  p.OnAnswer(reject);
  EXPECT_EQ(p.live_orders(), 0u);
  EXPECT_EQ(p.Next(kT0).kind, RequestKind::kNew);
}

TEST(MixPlanner, ExpiredRequestsAreCountedAndTheirOrdersForgotten) {
  MixOptions o = Options();
  o.new_weight = 1;
  o.cancel_weight = 1000;
  o.replace_weight = 0;
  MixPlanner p(o);
  MixRequest n = p.Next(kT0);
  EXPECT_EQ(p.Expire(kT0 + milliseconds(999), milliseconds(1000)), 0u);
  EXPECT_EQ(p.Expire(kT0 + milliseconds(1000), milliseconds(1000)), 1u);
  EXPECT_EQ(p.counts().timed_out, 1u);
  EXPECT_EQ(p.live_orders(), 0u);
  p.OnAnswer(Report(n.cl_ord_id, '0', '0'));
  EXPECT_EQ(p.counts().late_answers, 1u);
  // Forgotten: never canceled, so the next request is a new order.
  EXPECT_EQ(p.Next(kT0).kind, RequestKind::kNew);
}

TEST(MixPlanner, AtMaxLiveNewOrdersGiveWayToCancels) {
  MixOptions o = Options();
  o.max_live = 3;
  o.new_weight = 1000;
  o.cancel_weight = 0;
  o.replace_weight = 0;
  MixPlanner p(o);
  std::set<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    MixRequest n = p.Next(kT0);
    ASSERT_EQ(n.kind, RequestKind::kNew);
    p.OnAnswer(Report(n.cl_ord_id, '0', '0'));
    ids.insert(n.cl_ord_id);
  }
  MixRequest r = p.Next(kT0);
  EXPECT_EQ(r.kind, RequestKind::kCancel);
  EXPECT_TRUE(ids.contains(r.orig_cl_ord_id));
}

TEST(MixPlanner, MixesAllThreeKindsAndBothSides) {
  MixPlanner p(Options());
  std::set<RequestKind> kinds;
  std::set<Side> sides;
  std::set<TimeInForce> tifs;
  for (int i = 0; i < 500; ++i) {
    MixRequest r = p.Next(kT0);
    kinds.insert(r.kind);
    sides.insert(r.side);
    tifs.insert(r.tif);
    if (r.kind == RequestKind::kNew) {
      p.OnAnswer(Report(r.cl_ord_id, '0', '0'));
    } else {
      p.OnAnswer(Report(r.cl_ord_id, r.kind == RequestKind::kCancel ? '4' : '5',
                        r.kind == RequestKind::kCancel ? '4' : '0',
                        r.orig_cl_ord_id));
    }
  }
  EXPECT_EQ(kinds.size(), 3u);
  EXPECT_EQ(sides.size(), 2u);
  EXPECT_EQ(tifs.size(), 2u);
  EXPECT_EQ(p.outstanding(), 0u);
}

}  // namespace
}  // namespace fixgw::load
