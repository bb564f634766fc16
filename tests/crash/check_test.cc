// The crash battery's checker on small hand-made runs: a clean run counts
// nothing, and each kind of fault counts exactly where check.h says.
#include "tests/crash/check.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <optional>

#include "gateway/router/journal_events.h"
#include "tests/crash/cut_point.h"

namespace fixgw::crash {
namespace {

constexpr char kRisk[] = R"(
[defaults.account]
cash = "1000"
max_long = 1000
max_short = 1000
short_selling = true
max_short_qty = 1000
[defaults.session]
allowed_accounts = ["*"]
[symbols.AAPL]
reference_price = "100.00"
)";

constexpr char kSession[] = "FIX.4.4:GW->B1";

store::JournalEntry Entry(const gw::JournalEvent& event,
                          const std::string& session = "",
                          const std::string& cl_ord_id = "",
                          const std::string& exch = "",
                          const std::string& raw_fix = "") {
  static int64_t seq = 0;
  store::JournalEntry e;
  e.seq = ++seq;
  e.time = Timestamp(std::chrono::microseconds(1'700'000'000'000'000 + seq));
  e.kind = std::string(gw::KindName(event));
  e.session = session;
  e.cl_ord_id = cl_ord_id;
  e.exch_cl_ord_id = exch;
  e.payload = gw::EncodeEvent(event);
  e.raw_fix = raw_fix;
  return e;
}

ExecutionReport Report(const std::string& exec_id, ExecType type,
                       OrdStatus status, int64_t cum) {
  ExecutionReport r;
  r.order_id = "O1";
  r.cl_ord_id = "GW-1";
  r.exec_id = exec_id;
  r.exec_type = type;
  r.ord_status = status;
  r.symbol = "AAPL";
  r.side = Side::kBuy;
  r.order_qty = Qty(10);
  r.price = Price::FromUnits(100);
  r.cum_qty = Qty(cum);
  r.leaves_qty = Qty(10 - cum);
  if (type == ExecType::kTrade) {
    r.last_qty = Qty(10);
    r.last_px = Price::FromUnits(50);
    r.avg_px = Price::FromUnits(50);
  }
  return r;
}

// `piped` with '|' as the field separator turned into SOH.
std::string Soh(std::string piped) {
  for (char& c : piped) {
    if (c == '|') c = '\x01';
  }
  return piped;
}

std::string SimLine(const std::string& sender, const std::string& body) {
  return "20231114-22:13:20.000000000 : " +
         Soh("8=FIX.4.4|9=100|35=" + body + "|49=" + sender + "|10=000|") +
         "\n";
}

// One buy of 10 AAPL at 100, acknowledged and filled at 50.
class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NewOrder order;
    order.cl_ord_id = "c1";
    order.account = "A";
    order.symbol = "AAPL";
    order.qty = Qty(10);
    order.price = Price::FromUnits(100);
    input_.journal.push_back(Entry(gw::RiskLimitsLoaded{"risk", kRisk}));
    input_.journal.push_back(Entry(gw::ExchangeSessionChanged{true}));
    input_.journal.push_back(Entry(
        gw::NewOrderAccepted{kSession, order, "GW-1"}, kSession, "c1", "GW-1"));
    input_.journal.push_back(
        Entry(gw::ExchangeReportReceived{Report("E1", ExecType::kNew,
                                                OrdStatus::kNew, 0)},
              "", "", "GW-1", "8=FIX.4.4|35=8|11=GW-1|17=E1|150=0|"));
    input_.journal.push_back(
        Entry(gw::ExchangeReportReceived{Report("E2", ExecType::kTrade,
                                                OrdStatus::kFilled, 10)},
              "", "", "GW-1", "8=FIX.4.4|35=8|11=GW-1|17=E2|150=F|"));
    input_.risk_text = kRisk;
    Result<std::string> state = ReplayState(input_.journal, "GW");
    ASSERT_TRUE(state.ok()) << state.status().message();
    input_.state_json = *state;

    record_ =
        "# fixload record v1 session=FIX.4.4:B1->GW\n"
        "dir=out\ttime_us=1\ttype=D\tseq=2\tpossdup=N\tclordid=c1\taccount=A\t"
        "side=1\tsymbol=AAPL\tqty=10\tprice=100\n"
        "dir=in\ttime_us=2\ttype=8\tseq=2\tpossdup=N\tclordid=c1\texecid=E1\t"
        "exectype=0\tordstatus=0\taccount=A\tside=1\tsymbol=AAPL\n";
    fill_ =
        "dir=in\ttime_us=3\ttype=8\tseq=3\tpossdup=N\tclordid=c1\texecid=E2\t"
        "exectype=F\tordstatus=2\taccount=A\tside=1\tsymbol=AAPL\t"
        "lastqty=10\tlastpx=50\n";
    sim_ = SimLine("GW", "D|34=2|11=GW-1") +
           SimLine("SIM", "8|34=2|11=GW-1|17=E1|150=0|39=0") +
           SimLine("SIM", "8|34=3|11=GW-1|17=E2|150=F|39=2|32=10|31=50");
  }

  CheckResult Run() {
    CheckInput in = input_;
    Result<BrokerRecord> record = ParseRecord(record_ + fill_, "b1.rec");
    EXPECT_TRUE(record.ok()) << record.status().message();
    in.brokers.push_back(*record);
    in.sim = ParseSimLog(sim_, "SIM");
    in.venues = venues_;
    if (dc_record_) {
      Result<BrokerRecord> dc = ParseRecord(*dc_record_, "dc.rec");
      EXPECT_TRUE(dc.ok()) << dc.status().message();
      in.drop_copy = *dc;
      in.drop_copy_log = ParseSimLog(dc_log_, "DC");
    }
    CheckResult r = Check(in);
    for (const std::string& e : r.errors) ADD_FAILURE() << e;
    return r;
  }

  // A drop copy that received a copy of E1 and E2 (with 797=Y).
  void WithDropCopy() {
    const std::string copy =
        "dir=in\ttime_us=5\ttype=8\tseq={}\tpossdup=N\tclordid=c1\t"
        "execid={}\texectype={}\n";
    dc_record_ = "# fixload record v1 session=FIX.4.4:DC->GW\n" +
                 fmt::format(fmt::runtime(copy), 2, "E1", "0") +
                 fmt::format(fmt::runtime(copy), 3, "E2", "F");
    dc_log_ = SimLine("GW", "8|34=2|11=c1|17=E1|150=0|797=Y") +
              SimLine("GW", "8|34=3|11=c1|17=E2|150=F|797=Y");
  }

  static const SessionCounts& Line(const CheckResult& r,
                                   const std::string& name) {
    for (const SessionCounts& s : r.sessions) {
      if (s.name == name) return s;
    }
    static const SessionCounts none;
    ADD_FAILURE() << "no session line for " << name;
    return none;
  }

  static std::string Details(const CheckResult& r) {
    std::string all;
    for (const std::string& d : r.details) all += d + "\n";
    return all;
  }

  CheckInput input_;
  std::string record_, fill_, sim_;
  std::vector<VenueInput> venues_;
  std::optional<std::string> dc_record_;
  std::string dc_log_;
};

TEST_F(CheckTest, CleanRunCountsNothing) {
  CheckResult r = Run();
  EXPECT_TRUE(r.counts.ok()) << r.Summary() << "\n" << Details(r);
  EXPECT_EQ(r.counts.orders_sent, 1u);
  EXPECT_EQ(r.Summary(),
            "crashtest: orders_sent=1 kills=0 lost=0 dup_at_exchange=0 "
            "reports_lost=0 reports_dup=0 state_mismatch=0 misrouted=0 "
            "dropcopy_lost=0 dropcopy_dup=0 dropcopy_unmarked=0 "
            "cod_unexpected=0");
  EXPECT_EQ(Line(r, "B1").Line(),
            "crashtest: session B1 (broker): sent=1 received=2 lost=0 "
            "duplicated=0 unsolicited_cancels=0");
  EXPECT_EQ(Line(r, "exchange").Line(),
            "crashtest: session exchange (venue): sent=2 received=1 lost=0 "
            "duplicated=0 misrouted=0");
}

TEST_F(CheckTest, OrderAtItsSymbolsVenueIsNotMisrouted) {
  sim_ = SimLine("GW", "D|34=2|11=GW-1|55=AAPL") +
         sim_.substr(sim_.find('\n') + 1);
  venues_ = {{"SIM", {"AAPL"}}, {"SIM2", {"MSFT"}}};
  CheckResult r = Run();
  EXPECT_TRUE(r.counts.ok()) << r.Summary() << "\n" << Details(r);
  EXPECT_EQ(Line(r, "SIM").received, 1u);
  EXPECT_EQ(Line(r, "SIM2").received, 0u);
}

TEST_F(CheckTest, OrderAtAnotherSymbolsVenueIsMisrouted) {
  sim_ = SimLine("GW", "D|34=2|11=GW-1|55=AAPL") +
         sim_.substr(sim_.find('\n') + 1);
  venues_ = {{"SIM", {"MSFT"}}, {"SIM2", {"AAPL"}}};
  CheckResult r = Run();
  EXPECT_EQ(r.counts.misrouted, 1u) << Details(r);
  EXPECT_EQ(Line(r, "SIM").misrouted, 1u);
  EXPECT_NE(Details(r).find("which routes to SIM2"), std::string::npos)
      << Details(r);
}

TEST_F(CheckTest, DropCopyOfEveryReportOnceCountsNothing) {
  WithDropCopy();
  CheckResult r = Run();
  EXPECT_TRUE(r.counts.ok()) << r.Summary() << "\n" << Details(r);
  EXPECT_EQ(Line(r, "DC").Line(),
            "crashtest: session DC (dropcopy): sent=2 received=2 lost=0 "
            "duplicated=0");
}

TEST_F(CheckTest, ReportWithoutADropCopyIsDropCopyLost) {
  WithDropCopy();
  dc_record_ = dc_record_->substr(0, dc_record_->rfind("dir=in"));
  CheckResult r = Run();
  EXPECT_EQ(r.counts.dropcopy_lost, 1u) << Details(r);
  EXPECT_NE(Details(r).find("ExecID E2"), std::string::npos) << Details(r);
}

TEST_F(CheckTest, CopyReceivedTwiceIsDropCopyDup) {
  WithDropCopy();
  *dc_record_ += dc_record_->substr(dc_record_->rfind("dir=in"));
  CheckResult r = Run();
  EXPECT_EQ(r.counts.dropcopy_dup, 1u) << Details(r);
  EXPECT_EQ(Line(r, "DC").duplicated, 1u);
}

TEST_F(CheckTest, CopyWithoutCopyMsgIndicatorIsUnmarked) {
  WithDropCopy();
  dc_log_ += SimLine("GW", "8|34=4|11=c1|17=E3|150=0");
  EXPECT_EQ(Run().counts.dropcopy_unmarked, 1u);
}

TEST_F(CheckTest, UnsolicitedCancelIsCountedForItsSession) {
  fill_ +=
      "dir=in\ttime_us=4\ttype=8\tseq=4\tpossdup=N\tclordid=c1\t"
      "execid=X1\texectype=4\tordstatus=4\ttext=canceled on disconnect "
      "(restart, not back within 1 s)\n";
  input_.cancel_on_disconnect = std::vector<std::string>{"B1"};
  CheckResult r = Run();
  EXPECT_EQ(Line(r, "B1").unsolicited, 1u);
  EXPECT_EQ(Line(r, "B1").received, 3u);
  EXPECT_EQ(r.counts.cod_unexpected, 0u);
  input_.cancel_on_disconnect = std::vector<std::string>{"B2"};
  EXPECT_EQ(Run().counts.cod_unexpected, 1u);
}

TEST_F(CheckTest, ReportNeverRelayedIsLostAndBreaksTheBrokersBook) {
  fill_.clear();
  CheckResult r = Run();
  EXPECT_EQ(r.counts.reports_lost, 1u) << Details(r);
  EXPECT_EQ(r.counts.state_mismatch, 1u) << Details(r);  // (b) only
  EXPECT_EQ(r.counts.lost, 0u);
  EXPECT_NE(Details(r).find("ExecID E2"), std::string::npos);
}

TEST_F(CheckTest, SameExecIdTwiceIsADuplicateReport) {
  fill_ += fill_;
  CheckResult r = Run();
  EXPECT_EQ(r.counts.reports_dup, 1u) << Details(r);
  // The broker's book counts each ExecID once.
  EXPECT_EQ(r.counts.state_mismatch, 0u) << Details(r);
}

TEST_F(CheckTest, OrderThatNeverReachedTheExchangeIsLost) {
  sim_ = SimLine("SIM", "8|34=2|11=GW-1|17=E1|150=0|39=0") +
         SimLine("SIM", "8|34=3|11=GW-1|17=E2|150=F|39=2");
  CheckResult r = Run();
  EXPECT_EQ(r.counts.lost, 1u) << Details(r);
  EXPECT_NE(Details(r).find("never at the exchange"), std::string::npos);
}

TEST_F(CheckTest, OrderWithoutAnyAnswerIsLost) {
  record_ = record_.substr(0, record_.find("dir=in"));
  fill_.clear();
  CheckResult r = Run();
  EXPECT_EQ(r.counts.lost, 1u) << Details(r);
  EXPECT_NE(Details(r).find("no answer"), std::string::npos);
}

TEST_F(CheckTest, SessionRejectAnswersTheOrderBySequenceNumber) {
  record_ =
      "# fixload record v1 session=FIX.4.4:B1->GW\n"
      "dir=out\ttime_us=1\ttype=D\tseq=7\tpossdup=N\tclordid=x9\n"
      "dir=in\ttime_us=2\ttype=3\tseq=5\tpossdup=N\trefseq=7\n" +
      record_.substr(record_.find('\n') + 1);
  CheckResult r = Run();
  EXPECT_EQ(r.counts.lost, 0u) << Details(r);
  EXPECT_EQ(r.counts.orders_sent, 2u);
}

TEST_F(CheckTest, PossDupResendAtTheExchangeIsNotADuplicate) {
  sim_ += SimLine("GW", "D|34=2|43=Y|11=GW-1");
  EXPECT_EQ(Run().counts.dup_at_exchange, 0u);
}

TEST_F(CheckTest, SecondFreshCopyAtTheExchangeIsADuplicate) {
  sim_ += SimLine("GW", "D|34=9|97=Y|11=GW-1");
  CheckResult r = Run();
  EXPECT_EQ(r.counts.dup_at_exchange, 1u) << Details(r);
}

TEST_F(CheckTest, ExchangeAcknowledgingTwiceIsADuplicate) {
  sim_ += SimLine("GW", "D|34=2|43=Y|11=GW-1") +
          SimLine("SIM", "8|34=4|11=GW-1|17=E9|150=0|39=0");
  CheckResult r = Run();
  EXPECT_EQ(r.counts.dup_at_exchange, 1u) << Details(r);
  EXPECT_EQ(r.counts.reports_lost, 1u) << Details(r);  // E9
}

TEST_F(CheckTest, TwoExchangeOrdersForOneBrokerOrderAreADuplicate) {
  NewOrder order;
  order.cl_ord_id = "c1";
  order.account = "A";
  order.symbol = "AAPL";
  order.qty = Qty(10);
  order.price = Price::FromUnits(100);
  input_.journal.push_back(Entry(gw::NewOrderAccepted{kSession, order, "GW-2"},
                                 kSession, "c1", "GW-2"));
  sim_ += SimLine("GW", "D|34=3|11=GW-2");
  input_.state_json = *ReplayState(input_.journal, "GW");
  CheckResult r = Run();
  EXPECT_EQ(r.counts.dup_at_exchange, 1u) << Details(r);
}

TEST_F(CheckTest, StateThatDiffersFromReplayAndFillsIsCountedTwice) {
  size_t at = input_.state_json.find("\"cash\":\"");
  ASSERT_NE(at, std::string::npos);
  size_t end = input_.state_json.find(',', at);
  input_.state_json.replace(at, end - at, "\"cash\":\"499.99\"");
  CheckResult r = Run();
  EXPECT_EQ(r.counts.state_mismatch, 2u) << Details(r);
}

TEST_F(CheckTest, CancelRejectTwiceIsReportedButNotCounted) {
  const std::string reject =
      "dir=in\ttime_us=4\ttype=9\tseq=4\tpossdup=N\tclordid=c2\t"
      "origclordid=c1\tordstatus=2\n";
  fill_ += reject + reject;
  CheckResult r = Run();
  EXPECT_EQ(r.counts.cancel_rejects_dup, 1u) << Details(r);
  EXPECT_TRUE(r.counts.ok()) << Details(r);
}

TEST_F(CheckTest, UnparsableStateIsAMismatch) {
  input_.state_json = "<html>";
  CheckInput in = input_;
  in.brokers.push_back(*ParseRecord(record_ + fill_, "b1.rec"));
  in.sim = ParseSimLog(sim_, "SIM");
  CheckResult r = Check(in);
  EXPECT_EQ(r.counts.state_mismatch, 1u);
  EXPECT_FALSE(r.errors.empty());
}

TEST(ParseRecord, RejectsOtherFilesAndKeepsLineNumbers) {
  EXPECT_FALSE(ParseRecord("hello\n", "x").ok());
  Result<BrokerRecord> r = ParseRecord(
      "# fixload record v1 session=FIX.4.4:B1->GW\n\n"
      "dir=in\ttime_us=5\ttype=8\texecid=E1\ttext=a=b\n",
      "x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->gateway_session, "FIX.4.4:GW->B1");
  ASSERT_EQ(r->messages.size(), 1u);
  EXPECT_EQ(r->messages[0].line, 3);
  EXPECT_EQ(r->messages[0].text, "a=b");
}

TEST(ParseRecord, ToleratesALastLineCutShort) {
  Result<BrokerRecord> r = ParseRecord(
      "# fixload record v1 session=FIX.4.4:B1->GW\n"
      "dir=in\ttime_us=5\ttype=8\texecid=E1\n"
      "di",
      "x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->messages.size(), 1u);
}

TEST(ParseSimLog, SkipsEventsAndCutLines) {
  std::vector<SimMsg> m =
      ParseSimLog(SimLine("GW", "D|34=2|11=GW-1") + "20231114 : some event\n" +
                      Soh("20231114 : 8=FIX.4.4|35=D|11=GW-9\n"),
                  "SIM");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_FALSE(m[0].from_exchange);
  EXPECT_EQ(m[0].cl_ord_id, "GW-1");
  EXPECT_EQ(m[0].logged_at, "20231114-22:13:20.000000000");
}

TEST(ParseSimLog, ReadsTheCompleteMessageOfALineThatRanIntoTheNext) {
  std::string cut = Soh("20231114-22:13:20.1 : 8=FIX.4.4|35=D|11=GW-7");
  std::vector<SimMsg> m =
      ParseSimLog(cut + SimLine("GW", "D|34=3|11=GW-8"), "SIM");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].cl_ord_id, "GW-8");
}

TEST(ParseEvents, ReadsTimeAndText) {
  std::vector<RunEvent> e = ParseEvents("12 kill gw 3\nbad line\n15 start\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].time_us, 12);
  EXPECT_EQ(e[0].what, "kill gw 3");
}

TEST(CutPoint, CutsInsideTheFirstMessage) {
  std::string two = Soh("8=FIX.4.4|9=5|35=0|10=000|8=FIX.4.4|9=5|35=0|10=000|");
  size_t cut = CutPoint(two);
  EXPECT_GT(cut, 0u);
  EXPECT_LT(cut, two.find(Soh("|10=")));
  EXPECT_EQ(CutPoint("x"), 0u);
  EXPECT_EQ(CutPoint("abcd"), 2u);
  std::string tail = Soh("=000|8=FIX.4.4|35=0|10=1|");
  EXPECT_GT(CutPoint(tail), tail.find("8=FIX"));
}

}  // namespace
}  // namespace fixgw::crash
