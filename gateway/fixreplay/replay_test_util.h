// Unit-test support for fixreplay: a temporary journal and a scripted,
// deterministic order flow written through JournalWriter (fixed times, so
// rows and state can be compared exactly). Header-only; tests only.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <variant>

#include "gateway/fixreplay/journal_writer.h"

namespace fixgw::replay::testing {

// 2026-11-26T18:50:14.000000Z.
constexpr int64_t kT0 = 1'795'719'014'000'000;
inline Timestamp At(int64_t step_ms) {
  return Timestamp(std::chrono::microseconds(kT0 + step_ms * 1000));
}
inline Price Px(const char* text) { return *ParsePrice(text); }

inline const std::string kB1 = "FIX.4.4:GW->BROKER1";
inline const std::string kB2 = "FIX.4.4:GW->BROKER2";

// Risk limits the scenario's orders fit in: AAPL and MSFT known, so buys
// reserve quantity x limit price.
inline constexpr const char* kScenarioLimits = R"(
[defaults.account]
cash = "1000000"
max_long = 100000
max_short = 100000
short_selling = true
max_short_qty = 10000
[defaults.session]
allowed_accounts = ["*"]
[symbols.AAPL]
reference_price = "100.00"
[symbols.MSFT]
reference_price = "250.00"
)";

class TempJournal {
 public:
  TempJournal() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "fixreplay-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data()) != nullptr ? tmpl : std::string();
    path_ = dir_ + "/journal.db";
  }
  ~TempJournal() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  TempJournal(const TempJournal&) = delete;
  TempJournal& operator=(const TempJournal&) = delete;
  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_, path_;
};

// A fill, ack or cancel from the exchange for exchange ClOrdID `exch`.
inline ExecutionReport Report(const std::string& exch, ExecType type,
                              OrdStatus status, const std::string& symbol,
                              Side side, int64_t qty, const char* price,
                              int64_t cum, int64_t leaves,
                              const std::string& exec_id) {
  ExecutionReport r;
  r.order_id = "X-" + exch;
  r.cl_ord_id = exch;
  r.exec_id = exec_id;
  r.exec_type = type;
  r.ord_status = status;
  r.symbol = symbol;
  r.side = side;
  r.order_qty = Qty(qty);
  r.price = Px(price);
  r.cum_qty = Qty(cum);
  r.leaves_qty = Qty(leaves);
  r.avg_px = cum > 0 ? Px(price) : Price();
  return r;
}

// The scenario (times in ms after kT0):
//   0    exchange up
//   10   BROKER1 o1: ACC1 buy 1000 AAPL @ 99.00 -> GW-1; 11 exchange New
//   20   BROKER1 replaces o1 by o1r: 800 @ 99.50 -> GW-2; 21 Replaced
//   30   BROKER2 s1: ACC2 sell 300 AAPL @ 99.50 -> GW-3; 31 New
//   32   trade 300 @ 99.50: s1 filled, o1r partially filled (300/800)
//   40   BROKER1 cancels o1r by o1c -> GW-4; 41 Canceled (cum 300)
//   50   BROKER1 cancels o1r again by o1c2: refused, too late
//   60   BROKER1 x1: ACC1 buy XYZ: rejected (unknown symbol)
//   70   BROKER1 asks the status of o1
//   80   BROKER2 m1: ACC2 buy 100 MSFT @ 250 -> GW-5; 81 New (left open)
class Scenario {
 public:
  explicit Scenario(const std::string& path) {
    auto w = JournalWriter::Create(path);
    EXPECT_TRUE(w.ok()) << w.status().message();
    writer_ = std::move(*w);
  }
  JournalWriter& writer() { return *writer_; }

  void Event(const gw::JournalEvent& event, int64_t ms,
             const std::string& raw = "") {
    Status st = writer_->Process(event, At(ms), raw);
    ASSERT_TRUE(st.ok()) << st.message();
  }
  void Exchange(const ExecutionReport& r, int64_t ms) {
    Event(gw::ExchangeReportReceived{r}, ms);
  }
  gw::JournalEvent New(const std::string& session, const std::string& id,
                       const std::string& account, const std::string& symbol,
                       Side side, int64_t qty, const char* price, int64_t ms) {
    NewOrder o;
    o.cl_ord_id = id;
    o.account = account;
    o.symbol = symbol;
    o.side = side;
    o.qty = Qty(qty);
    o.price = Px(price);
    o.transact_time = At(ms);
    return writer_->router().DecideNewOrder(session, o, At(ms));
  }

  void WriteAll() {
    Event(gw::ExchangeSessionChanged{true}, 0);
    Event(New(kB1, "o1", "ACC1", "AAPL", Side::kBuy, 1000, "99.00", 10), 10,
          "8=FIX.4.4|35=D|11=o1|1=ACC1|55=AAPL|54=1|38=1000|40=2|44=99|");
    Exchange(Report("GW-1", ExecType::kNew, OrdStatus::kNew, "AAPL", Side::kBuy,
                    1000, "99.00", 0, 1000, "E1"),
             11);
    ReplaceRequest rr;
    rr.cl_ord_id = "o1r";
    rr.orig_cl_ord_id = "o1";
    rr.account = "ACC1";
    rr.symbol = "AAPL";
    rr.side = Side::kBuy;
    rr.qty = Qty(800);
    rr.price = Px("99.50");
    rr.transact_time = At(20);
    Event(writer_->router().DecideReplace(kB1, rr, At(20)), 20);
    ExecutionReport replaced =
        Report("GW-2", ExecType::kReplaced, OrdStatus::kNew, "AAPL", Side::kBuy,
               800, "99.50", 0, 800, "E2");
    replaced.orig_cl_ord_id = "GW-1";
    Exchange(replaced, 21);
    Event(New(kB2, "s1", "ACC2", "AAPL", Side::kSell, 300, "99.50", 30), 30);
    Exchange(Report("GW-3", ExecType::kNew, OrdStatus::kNew, "AAPL",
                    Side::kSell, 300, "99.50", 0, 300, "E3"),
             31);
    ExecutionReport sell_fill =
        Report("GW-3", ExecType::kTrade, OrdStatus::kFilled, "AAPL",
               Side::kSell, 300, "99.50", 300, 0, "E4");
    sell_fill.last_qty = Qty(300);
    sell_fill.last_px = Px("99.50");
    Exchange(sell_fill, 32);
    ExecutionReport buy_fill =
        Report("GW-2", ExecType::kTrade, OrdStatus::kPartiallyFilled, "AAPL",
               Side::kBuy, 800, "99.50", 300, 500, "E5");
    buy_fill.last_qty = Qty(300);
    buy_fill.last_px = Px("99.50");
    Exchange(buy_fill, 32);
    CancelRequest c;
    c.cl_ord_id = "o1c";
    c.orig_cl_ord_id = "o1r";
    c.symbol = "AAPL";
    c.side = Side::kBuy;
    c.transact_time = At(40);
    Event(writer_->router().DecideCancel(kB1, c), 40);
    ExecutionReport canceled =
        Report("GW-4", ExecType::kCanceled, OrdStatus::kCanceled, "AAPL",
               Side::kBuy, 800, "99.50", 300, 0, "E6");
    canceled.orig_cl_ord_id = "GW-2";
    Exchange(canceled, 41);
    c.cl_ord_id = "o1c2";
    Event(writer_->router().DecideCancel(kB1, c), 50);
    NewOrder x;
    x.cl_ord_id = "x1";
    x.account = "ACC1";
    x.symbol = "XYZ";
    x.qty = Qty(5);
    x.price = Px("10");
    Event(gw::NewOrderRejected{kB1, x,
                               Rejection{OrdRejReason::kUnknownSymbol,
                                         "unknown symbol 'XYZ'"},
                               "GW-X9"},
          60);
    StatusRequest s;
    s.cl_ord_id = "o1";
    s.symbol = "AAPL";
    Event(writer_->router().DecideStatus(kB1, s), 70);
    Event(New(kB2, "m1", "ACC2", "MSFT", Side::kBuy, 100, "250", 80), 80);
    Exchange(Report("GW-5", ExecType::kNew, OrdStatus::kNew, "MSFT", Side::kBuy,
                    100, "250", 0, 100, "E7"),
             81);
    Status st = writer_->Flush();
    ASSERT_TRUE(st.ok()) << st.message();
  }

 private:
  std::unique_ptr<JournalWriter> writer_;
};

}  // namespace fixgw::replay::testing
