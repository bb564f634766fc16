// fixsim's own settings: the [SIM] section of its QuickFIX settings file.
//
//   [SIM]
//   Instruments=AAPL:0.01:187.50,MSFT:0.01:402.10   symbol:tick:reference
//   Seed=42                       PRNG seed for liquidity and fault rejects
//   IdPrefix=T1700000000-         prepended to OrderIDs and ExecIDs; default
//                                   derived from the start time, so IDs never
//                                   repeat across restarts
//   LiquidityLevels=5             seeded resting levels per side (0 = none)
//   LiquidityFirstOffsetTicks=1   best seeded level's distance from reference
//   LiquiditySpacingTicks=1       distance between seeded levels
//   LiquidityMinQty=100           seeded quantity per level, drawn uniformly
//   LiquidityMaxQty=1000            from [min, max]
//   RejectRatio=0                 fault: fraction of orders rejected (0..1)
//   AckDelayMs=0                  fault: delay every outgoing application
//                                   message by this many milliseconds
//   DropAfterMessages=0           fault: disconnect a session after it sent
//                                   this many application messages (0 = never)
//   RequestLedger=/path/ledger    file of the requests taken, kept across
//                                   restarts: a PossDup of one is ignored
//                                   (request_ledger.h); default none
//
// Parsing is pure (no I/O beyond reading the file in LoadSimConfig).
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "gateway/core/result.h"
#include "sim/engine/matching_engine.h"

namespace fixgw::sim {

struct FaultOptions {
  std::chrono::milliseconds ack_delay{0};
  int drop_after_messages = 0;  // 0: never
};

struct SimConfig {
  EngineOptions engine;
  FaultOptions faults;
  std::string request_ledger;  // empty: none
};

// Builds the config from the [SIM] keys (upper-cased, as QuickFIX stores
// them). `origin` names the file in error messages. Unknown keys, malformed
// values and a missing Instruments key are errors naming the key.
// `default_id_prefix` applies when IdPrefix is not given.
Result<SimConfig> ParseSimConfig(const std::map<std::string, std::string>& keys,
                                 const std::string& origin,
                                 const std::string& default_id_prefix = "");

// Reads the [SIM] section of a QuickFIX settings file and parses it.
Result<SimConfig> LoadSimConfig(const std::string& path,
                                const std::string& default_id_prefix);

}  // namespace fixgw::sim
