// replay_bench: writes a journal of about N entries of realistic order flow
// for timing fixreplay on it (replay_bench.sh runs the whole measurement).
//
//   replay_bench PATH [ENTRIES]     (default 1000000; PATH must not exist)
//
// The flow goes through the OrderRouter and is journaled the way fixgw
// does (JournalWriter), in transactions of 10,000 entries: two broker
// sessions, four accounts, two symbols; of every 10 orders 7 are filled in
// two trades, 2 are canceled by the broker, 1 is rejected by the gateway.
// Every order ends, so the live order table stays small however long the
// journal is. Times advance 50 µs per message from 2026-11-26T00:00:00Z.
#include <fmt/format.h>
#include <sys/stat.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/fixreplay/journal_writer.h"

namespace {

using namespace fixgw;

constexpr int64_t kStart = 1'795'651'200'000'000;  // 2026-11-26T00:00:00Z
constexpr size_t kBatch = 10'000;

class Flow {
 public:
  explicit Flow(replay::testing::JournalWriter& w) : w_(w) {}

  Timestamp Tick() {
    now_us_ += 50;
    return Timestamp(std::chrono::microseconds(now_us_));
  }

  Status Event(const gw::JournalEvent& e, const std::string& raw = "") {
    return w_.Process(e, Tick(), raw);
  }

  ExecutionReport Report(const NewOrder& o, const std::string& exch,
                         ExecType type, OrdStatus status, int64_t cum) {
    ExecutionReport r;
    r.order_id = "X" + exch;
    r.cl_ord_id = exch;
    r.exec_id = "E" + std::to_string(++exec_);
    r.exec_type = type;
    r.ord_status = status;
    r.account = o.account;
    r.symbol = o.symbol;
    r.side = o.side;
    r.order_qty = o.qty;
    r.price = o.price;
    r.cum_qty = Qty(cum);
    r.leaves_qty = IsTerminal(status) ? Qty(0) : Qty(o.qty.units() - cum);
    r.avg_px = cum > 0 ? *o.price : Price();
    r.transact_time = Timestamp(std::chrono::microseconds(now_us_));
    return r;
  }

  Status Order(uint64_t n) {
    const std::string session =
        n % 2 == 0 ? "FIX.4.4:GW->BROKER1" : "FIX.4.4:GW->BROKER2";
    NewOrder o;
    o.cl_ord_id = "c" + std::to_string(n);
    o.account = "ACC" + std::to_string(n % 4 + 1);
    o.symbol = n % 3 == 0 ? "MSFT" : "AAPL";
    o.side = n % 2 == 0 ? Side::kBuy : Side::kSell;
    o.qty = Qty(static_cast<int64_t>(100 + n % 9 * 100));
    o.price =
        Price::FromMicros(100'000'000 + static_cast<int64_t>(n % 50) * 10'000);
    o.transact_time = Tick();
    const std::string raw = fmt::format(
        "8=FIX.4.4|9=0|35=D|49={}|56=GW|34={}|52=x|11={}|1={}|55={}|54={}|"
        "38={}|40=2|44={}|59=0|10=000|",
        session.substr(session.rfind('>') + 1), n, o.cl_ord_id, o.account,
        o.symbol, ToFix(o.side), o.qty.units(), FormatPrice(*o.price));
    if (n % 10 == 9) {
      return Event(
          gw::NewOrderRejected{session, o,
                               Rejection{OrdRejReason::kOrderExceedsLimit,
                                         "order exceeds the account's limit"},
                               "GW-X" + std::to_string(n)},
          raw);
    }
    gw::JournalEvent accepted = w_.router().DecideNewOrder(session, o);
    const std::string exch =
        std::get<gw::NewOrderAccepted>(accepted).exch_cl_ord_id;
    if (Status st = Event(accepted, raw); !st.ok()) return st;
    if (Status st = Event(gw::ExchangeReportReceived{
            Report(o, exch, ExecType::kNew, OrdStatus::kNew, 0)});
        !st.ok()) {
      return st;
    }
    if (n % 10 >= 7) {
      CancelRequest c;
      c.cl_ord_id = o.cl_ord_id + "c";
      c.orig_cl_ord_id = o.cl_ord_id;
      c.symbol = o.symbol;
      c.side = o.side;
      c.transact_time = Tick();
      gw::JournalEvent cancel = w_.router().DecideCancel(session, c);
      const std::string cancel_exch =
          std::get<gw::CancelReplaceForwarded>(cancel).exch_cl_ord_id;
      if (Status st = Event(cancel); !st.ok()) return st;
      ExecutionReport done =
          Report(o, cancel_exch, ExecType::kCanceled, OrdStatus::kCanceled, 0);
      done.orig_cl_ord_id = exch;
      return Event(gw::ExchangeReportReceived{done});
    }
    const int64_t half = o.qty.units() / 2;
    ExecutionReport first =
        Report(o, exch, ExecType::kTrade, OrdStatus::kPartiallyFilled, half);
    first.last_qty = Qty(half);
    first.last_px = *o.price;
    if (Status st = Event(gw::ExchangeReportReceived{first}); !st.ok()) {
      return st;
    }
    ExecutionReport second =
        Report(o, exch, ExecType::kTrade, OrdStatus::kFilled, o.qty.units());
    second.last_qty = Qty(o.qty.units() - half);
    second.last_px = *o.price;
    return Event(gw::ExchangeReportReceived{second});
  }

 private:
  replay::testing::JournalWriter& w_;
  int64_t now_us_ = kStart;
  uint64_t exec_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    fmt::print(stderr, "usage: replay_bench PATH [ENTRIES]\n");
    return 2;
  }
  const std::string path = argv[1];
  int64_t target = 1'000'000;
  if (argc == 3) {
    std::string_view text = argv[2];
    auto [ptr, ec] =
        std::from_chars(text.data(), text.data() + text.size(), target);
    if (ec != std::errc() || ptr != text.data() + text.size() || target <= 0) {
      fmt::print(stderr, "replay_bench: ENTRIES must be a positive number\n");
      return 2;
    }
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    fmt::print(stderr, "replay_bench: {} exists; give a new path\n", path);
    return 2;
  }
  auto writer = replay::testing::JournalWriter::Create(path, kBatch);
  if (!writer.ok()) {
    fmt::print(stderr, "replay_bench: {}\n", writer.status().message());
    return 2;
  }
  Flow flow(**writer);
  if (Status s = flow.Event(gw::ExchangeSessionChanged{true}); !s.ok()) {
    fmt::print(stderr, "replay_bench: {}\n", s.message());
    return 1;
  }
  uint64_t orders = 0;
  while ((*writer)->entries() < target) {
    if (Status s = flow.Order(orders++); !s.ok()) {
      fmt::print(stderr, "replay_bench: {}\n", s.message());
      return 1;
    }
  }
  if (Status s = (*writer)->Flush(); !s.ok()) {
    fmt::print(stderr, "replay_bench: {}\n", s.message());
    return 1;
  }
  fmt::print("{}: {} entries, {} orders\n", path,
             (*writer)->journal().last_seq(), orders);
  return 0;
}
