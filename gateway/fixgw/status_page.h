// The admin server's page for people (GET /): the gateway's sessions, open
// orders, kill switches and last refusals in one HTML page that refreshes
// itself every 5 seconds. No script, no external resources; every value is
// HTML-escaped (ClOrdIDs and Texts come from outside).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/types.h"
#include "risk/risk_engine.h"

namespace fixgw::gw {

// One FIX session as the admin API shows it.
struct SessionStatus {
  std::string id;  // "FIX.4.4:GW->BROKER1"
  bool exchange = false;
  bool logged_on = false;
  int next_sender_seq = 0;  // the next MsgSeqNum we send
  int next_target_seq = 0;  // the next MsgSeqNum we expect
  uint64_t messages_in = 0;
  uint64_t messages_out = 0;
};

// A refusal the gateway sent.
struct RefusalNote {
  Timestamp at;
  std::string session;
  std::string cl_ord_id;
  std::string request;  // "order", "cancel", "replace"
  std::string text;
};

struct StatusView {
  Timestamp now;
  bool exchange_up = false;
  bool draining = false;
  std::string health;  // "ok" or the reasons it is not
  std::vector<SessionStatus> sessions;
  size_t open_orders = 0;
  size_t awaiting_exchange = 0;
  uint64_t orders_accepted = 0;
  bool risk_checks = false;
  risk::KillSwitches kill;
  std::vector<RefusalNote> refusals;  // newest first
};

std::string EscapeHtml(std::string_view text);
std::string RenderStatusPage(const StatusView& view);

}  // namespace fixgw::gw
