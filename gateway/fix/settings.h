// Loading one QuickFIX settings file per program.
//
// QuickFIX's acceptors read SocketAcceptPort from every session they are
// given, so one file holding acceptor and initiator sessions must be split
// into one SessionSettings per side. Program-wide settings live in their own
// section ([SIM], [GATEWAY], ...) of the same file, which QuickFIX ignores.
// Errors are one line naming the file (and the key where there is one).
#pragma once

#include <map>
#include <string>

#include "gateway/core/result.h"
#include "gateway/fix/quickfix.h"

namespace fixgw::fix {

struct SplitSettings {
  FIX::SessionSettings acceptors;   // sessions with ConnectionType=acceptor
  FIX::SessionSettings initiators;  // sessions with ConnectionType=initiator
  int acceptor_count = 0;
  int initiator_count = 0;
  // Whether each side uses QuickFIX's SSL connectors (SocketUseSSL=Y; the
  // SSL keys are checked and lifted into the side's defaults, see tls.h).
  bool acceptor_tls = false;
  bool initiator_tls = false;
};

// QuickFIX keys given to the sessions of one side that do not set them
// (in their block or in [DEFAULT]).
struct SideDefaults {
  std::map<std::string, std::string> acceptors;
  std::map<std::string, std::string> initiators;
};

// Reads the [DEFAULT] and [SESSION] sections of `path`, then the TLS keys
// of each side (tls.h).
Result<SplitSettings> LoadSessionSettings(const std::string& path,
                                          const SideDefaults& defaults = {});

// The keys of section [name] of `path` (QuickFIX syntax). QuickFIX
// upper-cases keys, so callers look them up upper-cased ("JOURNALPATH").
// A missing section yields an empty map; a repeated section is an error.
Result<std::map<std::string, std::string>> LoadSection(const std::string& path,
                                                       const std::string& name);

}  // namespace fixgw::fix
