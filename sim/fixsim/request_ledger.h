// The requests (NewOrderSingle, cancel, cancel/replace) an exchange has
// taken, by session and ClOrdID, kept in a file across its restarts, so that
// a possible duplicate (PossDupFlag 43=Y) of one of them is ignored, as FIX
// prescribes for a possible duplicate the receiver has already processed.
//
// Why fixsim needs it: QuickFIX calls fromApp before it stores the
// incremented incoming sequence number. A fixsim killed in between has
// answered the request, but asks for it again after the restart; the
// gateway resends it with 43=Y. fixsim's book does not survive the restart,
// so without this ledger it would take the order a second time (crash
// battery, issue 18's CI run: "acknowledged (ExecType New) 2 times").
//
// Each request is appended (one line: session, TAB, ClOrdID) and flushed to
// the kernel before the request reaches the engine, so a SIGKILL cannot lose
// it; a machine crash can, which the battery does not cause. A line cut short
// by a kill is ignored at load. Not thread-safe: the caller serialises.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

#include "gateway/core/result.h"

namespace fixgw::sim {

class RequestLedger {
 public:
  // Opens (creating if missing, mode 0600) and loads the ledger at `path`.
  static Result<std::unique_ptr<RequestLedger>> Open(const std::string& path);
  ~RequestLedger();
  RequestLedger(const RequestLedger&) = delete;
  RequestLedger& operator=(const RequestLedger&) = delete;

  bool Contains(std::string_view session, std::string_view cl_ord_id) const;
  // Records the request; an error names the file (the caller stops taking
  // requests rather than risk a duplicate).
  Status Record(std::string_view session, std::string_view cl_ord_id);
  size_t size() const { return keys_.size(); }

 private:
  RequestLedger(std::string path, std::FILE* file)
      : path_(std::move(path)), file_(file) {}
  static std::string Key(std::string_view session, std::string_view cl_ord_id);

  const std::string path_;
  std::FILE* const file_;
  std::unordered_set<std::string> keys_;
};

}  // namespace fixgw::sim
