// fixgw's own settings: the [GATEWAY] section of its QuickFIX settings file.
//
//   [GATEWAY]
//   JournalPath=/var/lib/fixgw/journal.db   required; created if missing
//   JournalSync=normal          normal | full (see store/journal.h)
//   IdPrefix=GW                 prefix of exchange ClOrdIDs and gateway
//                                 ExecIDs; differs per gateway on one exchange
//   Symbols=AAPL,MSFT           tradable symbols; empty or absent: any
//   RiskConfig=/etc/fixgw/risk.toml   the risk file (risk/limits.h);
//                                 required unless RiskChecks=off
//   RiskChecks=on               on | off. off = pass-through: no pre-trade
//                                 risk and no kill switch (a benchmark
//                                 baseline, never for production)
//   AdminPort=8081              admin HTTP API on 127.0.0.1 (admin_server.h);
//                                 absent: no admin API
//   AdminTokenFile=/etc/fixgw/admin-tokens   `NAME TOKEN` lines, mode 0600
//                                 (admin_auth.h); required with AdminPort
//                                 unless AdminAuth=none
//   AdminAuth=token             token | none. none: the admin API asks no
//                                 credentials (development only); then
//                                 AdminTokenFile must be absent
//   PassThrough=N               Y: the benchmark baseline: no journal, no
//                                 risk, sessions in memory; nothing survives
//                                 a restart. JournalPath, RiskConfig and
//                                 RiskChecks must then be absent
//   LogLevel=info               debug | info | warning (or warn) | error:
//                                 fixgw's own log
//                                 (one line per event at info)
//   LogFile=/var/log/fixgw/fixgw.log  also write the log to this file
//                                 (appended); absent: console only
//   LogConsole=stderr           stderr | stdout | off
//   DrainTimeoutSeconds=10      on SIGTERM/SIGINT, how long to wait for the
//                                 exchange's answers to orders in flight
//                                 before logging out (0-3600)
//   FinishedOrdersKept=10000    finished orders kept in memory besides the
//                                 open ones (0-100000000); older ones are
//                                 answered "unknown order" to status and
//                                 cancel requests but their ClOrdIDs stay
//                                 duplicates (OrderRouter::Options)
//   JournalVerify=full          full | checkpoint: at start the hash chain
//                                 is recomputed entirely, or only from the
//                                 head recorded at the last stop
//                                 (store/journal_head.h: faster on a large
//                                 journal, blind to edits before it); a
//                                 damaged or cut journal stops start-up
//                                 (exit 2)
//   FileMode=0600               0600 | 0640: the mode of every file fixgw
//                                 creates (journal, its -wal/-shm, lock and
//                                 head files, logs, FIX logs); 0640 lets the
//                                 service's group read them
//   ExchangeSilenceSeconds=2    after this long without any message from
//                                 the logged-on exchange, send it a
//                                 TestRequest (1-3600)
//   ExchangeAnswerSeconds=3     the exchange is "not answering" when nothing
//                                 arrives this long after that TestRequest
//                                 (1-3600): /health 503, exchange_up 0
//   MaxPendingSeconds=10        /health 503 while an order, cancel or
//                                 replace has waited longer than this for
//                                 the exchange's answer (1-86400)
//   RefuseOrdersWhenExchangeUnresponsive=N   Y: while the exchange is not
//                                 answering, refuse new orders, replaces and
//                                 cancels as if it were down; N: forward
//                                 them (they wait)
//
// Parsing is pure; LoadGatewayConfig reads the file.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/decimal.h"
#include "gateway/core/result.h"
#include "risk/limits.h"
#include "store/journal.h"
#include "store/journal_head.h"

namespace fixgw::gw {

struct GatewayConfig {
  std::string journal_path;
  store::SyncMode journal_sync = store::SyncMode::kNormal;
  std::string id_prefix = "GW";
  std::set<std::string> symbols;
  std::string risk_config;  // "" iff !risk_checks
  bool risk_checks = true;
  int admin_port = 0;  // 0: no admin API
  std::string admin_token_file;  // "" iff admin_port == 0 or !admin_auth
  bool admin_auth = true;        // false: AdminAuth=none
  bool pass_through = false;  // then journal_path == "" and !risk_checks
  std::string log_level = "info";
  std::string log_file;  // "": none
  std::string log_console = "stderr";
  int drain_timeout_s = 10;
  size_t finished_orders_kept = 10'000;
  store::VerifyMode journal_verify = store::VerifyMode::kFull;
  unsigned file_mode = 0600;  // 0600 or 0640
  int exchange_silence_s = 2;
  int exchange_answer_s = 3;
  int max_pending_s = 10;
  bool refuse_when_exchange_unresponsive = false;
};

inline constexpr int64_t kMaxFinishedOrdersKept = 100'000'000;

// `keys` are upper-cased as QuickFIX stores them; `origin` names the file in
// errors. Unknown keys and malformed values are errors naming the key; an
// unknown key is named as `spelling` (upper-cased -> as written) has it.
Result<GatewayConfig> ParseGatewayConfig(
    const std::map<std::string, std::string>& keys, const std::string& origin,
    const std::map<std::string, std::string>& spelling = {});

// The keys of [section] in settings-file `text` as written, by their
// upper-cased form (QuickFIX's).
std::map<std::string, std::string> KeySpelling(std::string_view text,
                                               std::string_view section);

Result<GatewayConfig> LoadGatewayConfig(const std::string& path);

// What in a risk file that parses still looks like a mistake, one line
// each, for warnings at start-up: a [sessions."KEY"] that is none of
// `sessions` (the broker session keys; a short name gets a hint), a
// [symbols.X] outside `symbols` ([GATEWAY] Symbols; empty: any), an
// account's allowed/restricted symbol the file does not list.
std::vector<std::string> RiskFileWarnings(
    const risk::RiskLimits& limits, const std::set<std::string>& sessions,
    const std::set<std::string>& symbols, const std::string& risk_path);

}  // namespace fixgw::gw
