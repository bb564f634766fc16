// Test and benchmark support: writes journals the way fixgw does, without
// FIX sessions. Each event is applied to an OrderRouter and journaled with
// one SentToBroker / SentToExchange record per message it produces (the
// FIX text is built here: tag=value with '|', BodyLength and CheckSum not
// computed), all with the event's time. Entries are appended in batches.
// Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/router/journal_events.h"
#include "gateway/router/order_router.h"
#include "store/journal.h"

namespace fixgw::replay::testing {

// The FIX text of a message the router sends ("8=FIX.4.4|...|35=8|...").
std::string FixTextOf(const gw::Action& action, Timestamp at);

class JournalWriter {
 public:
  // Creates the journal at `path` (which must not exist yet as anything but
  // a fresh journal). `batch`: entries per Append transaction.
  static Result<std::unique_ptr<JournalWriter>> Create(const std::string& path,
                                                       size_t batch = 1);

  // Applies `event` at `at` and journals it with its messages, as fixgw's
  // GatewayApplication::Process does. `raw_fix` is the inbound message.
  Status Process(const gw::JournalEvent& event, Timestamp at,
                 const std::string& raw_fix = "");
  // A record-only entry (SentToBroker, ResendIgnored, ...) or any entry
  // kind at all, written as given.
  Status Raw(store::JournalEntry entry);
  Status Flush();

  // Entries written so far, the ones not yet flushed included.
  int64_t entries() const {
    return journal_->last_seq() + static_cast<int64_t>(pending_.size());
  }
  gw::OrderRouter& router() { return router_; }
  store::Journal& journal() { return *journal_; }

 private:
  JournalWriter(std::unique_ptr<store::Journal> journal, size_t batch);
  Status Add(store::JournalEntry entry);

  std::unique_ptr<store::Journal> journal_;
  gw::OrderRouter router_;
  size_t batch_;
  std::vector<store::JournalEntry> pending_;
};

}  // namespace fixgw::replay::testing
