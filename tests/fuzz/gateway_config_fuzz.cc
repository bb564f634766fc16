// libFuzzer: the text of fixgw's settings file -> the loaders fixgw's main
// runs on it: QuickFIX's session settings split by side
// (fix::LoadSessionSettings) and the [GATEWAY] section
// (gw::LoadGatewayConfig). Both read a path, so the bytes go to a file in
// $TMPDIR (or /dev/shm) first.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "gateway/fix/settings.h"
#include "gateway/fixgw/gateway_config.h"

namespace {

std::string ConfigPath() {
  const char* dir = std::getenv("TMPDIR");
  std::string base = dir != nullptr ? dir : "/dev/shm";
  return base + "/fixgw-config-fuzz-" + std::to_string(getpid()) + ".cfg";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = [] {
    std::atexit([] { std::remove(ConfigPath().c_str()); });
    return ConfigPath();
  }();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  auto sessions = fixgw::fix::LoadSessionSettings(path);
  (void)sessions;
  auto config = fixgw::gw::LoadGatewayConfig(path);
  (void)config;
  return 0;
}
