// The admin server's page for people (GET /): the gateway's version and
// uptime; its sessions (state, admission, peer, last logon and logout,
// time since the last message, order and reject rates); per account the
// cash, its use against the limits and the positions; open orders, kill
// switches, last refusals and a chart of the order-path latency. One HTML
// page that refreshes itself every 5 seconds: no script, no external
// resources; every value that can come from outside (ClOrdIDs, Texts,
// session and account names, addresses) is HTML-escaped.
// Pure functions over a StatusView the admin server fills; thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/decimal.h"
#include "gateway/core/types.h"
#include "gateway/fixgw/session_control.h"
#include "risk/risk_engine.h"

namespace fixgw::gw {

// One FIX session as the admin API shows it.
struct SessionStatus {
  std::string id;  // "FIX.4.4:GW->BROKER1"
  bool exchange = false;  // a venue's session
  std::string venue;      // its venue's name
  bool logged_on = false;
  int next_sender_seq = 0;  // the next MsgSeqNum we send
  int next_target_seq = 0;  // the next MsgSeqNum we expect
  uint64_t messages_in = 0;
  uint64_t messages_out = 0;
  // Whether a broker session accepts logons (always kOpen for the
  // exchange).
  Admission admission = Admission::kOpen;
  // The last logon and logout since this process started.
  std::optional<Timestamp> last_logon;
  std::optional<Timestamp> last_logout;
  // The live connection's peer ("" without one) and the time since its last
  // message (nullopt without a connection or before its first message).
  std::string remote;
  std::optional<std::chrono::microseconds> heard_ago;
  // NewOrderSingles from this broker session accepted and refused since
  // the process started (0 for the exchange).
  uint64_t orders_accepted = 0;
  uint64_t orders_rejected = 0;
  // A broker-side session with Role=dropcopy (false for the exchange).
  bool drop_copy = false;
};

// "exchange", "dropcopy" or "broker": the role /sessions, the metrics and
// the status page show.
inline const char* SessionRole(const SessionStatus& s) {
  return s.exchange ? "exchange" : s.drop_copy ? "dropcopy" : "broker";
}

// A refusal the gateway sent.
struct RefusalNote {
  Timestamp at;
  std::string session;
  std::string cl_ord_id;
  std::string request;  // "order", "cancel", "replace"
  std::string text;
};

// One symbol of an account, from the risk engine, with its limits.
struct PositionStatus {
  std::string symbol;
  Qty position;  // signed: long > 0
  Qty open_buy;  // leaves of open buys
  Qty open_sell;
  Qty max_long;
  Qty max_short;
};

// One account's cash and positions, from the risk engine.
struct AccountStatus {
  std::string account;
  Notional cash_limit;  // the risk file's cash
  Notional net_cash;    // net cash flow of fills (sells minus buys)
  Notional reserved;    // by open buy orders
  Notional available;   // cash_limit + net_cash - reserved
  int64_t open_orders = 0;
  int64_t max_open_orders = 0;
  std::vector<PositionStatus> positions;  // by symbol
};

// A latency histogram for the chart: observations per bucket (not
// cumulative) with the buckets' upper bounds in microseconds, and last
// those above the last bound (counts.size() == bounds_micros.size() + 1).
struct LatencyChart {
  std::string title;
  std::vector<int64_t> bounds_micros;
  std::vector<uint64_t> counts;
};

struct StatusView {
  Timestamp now;
  std::string version;  // the build's, as fixgw --version prints it
  Timestamp started;    // when the process started
  bool exchange_up = false;
  bool draining = false;
  std::string health;  // "ok" or the reasons it is not
  std::vector<SessionStatus> sessions;
  size_t open_orders = 0;
  size_t awaiting_exchange = 0;
  uint64_t orders_accepted = 0;
  bool risk_checks = false;
  std::vector<AccountStatus> accounts;
  risk::KillSwitches kill;
  std::vector<RefusalNote> refusals;  // newest first
  std::vector<LatencyChart> latency;
};

std::string EscapeHtml(std::string_view text);
// "3 d 04:05:06", "00:00:07": whole seconds, negative as 0.
std::string FormatUptime(std::chrono::microseconds d);
// `count` per second over `over`, with two decimals ("0.25"); "0.00" when
// `over` is not positive. Integer arithmetic only.
std::string FormatRate(uint64_t count, std::chrono::microseconds over);
// used / of as a percentage with one decimal ("12.5 %"); "-" when `of` is
// 0. Exact for any uint64 values; capped at 1000000 %.
std::string FormatPercent(uint64_t used, uint64_t of);
// An inline SVG bar chart of one histogram (no script); a sentence instead
// when it holds no observation.
std::string RenderLatencyChart(const LatencyChart& chart);
std::string RenderStatusPage(const StatusView& view);

}  // namespace fixgw::gw
