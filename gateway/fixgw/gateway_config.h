// fixgw's own settings: the [GATEWAY] section of its QuickFIX settings file.
//
//   [GATEWAY]
//   JournalPath=/var/lib/fixgw/journal.db   required; created if missing
//   JournalSync=normal          normal | full (see store/journal.h)
//   IdPrefix=GW                 prefix of exchange ClOrdIDs and gateway
//                                 ExecIDs; differs per gateway on one exchange
//   Symbols=AAPL,MSFT           tradable symbols; empty or absent: any
//   MaxOrderQty=0               pre-trade check until the risk module lands:
//                                 orders above this quantity are rejected
//                                 (0: no limit)
//
// Parsing is pure; LoadGatewayConfig reads the file.
#pragma once

#include <map>
#include <set>
#include <string>

#include "gateway/core/decimal.h"
#include "gateway/core/result.h"
#include "store/journal.h"

namespace fixgw::gw {

struct GatewayConfig {
  std::string journal_path;
  store::SyncMode journal_sync = store::SyncMode::kNormal;
  std::string id_prefix = "GW";
  std::set<std::string> symbols;
  Qty max_order_qty;  // 0: no limit
};

// `keys` are upper-cased as QuickFIX stores them; `origin` names the file in
// errors. Unknown keys and malformed values are errors naming the key.
Result<GatewayConfig> ParseGatewayConfig(
    const std::map<std::string, std::string>& keys, const std::string& origin);

Result<GatewayConfig> LoadGatewayConfig(const std::string& path);

}  // namespace fixgw::gw
