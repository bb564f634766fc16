#include "gateway/fix/settings.h"

#include <fstream>

#include "gateway/fix/tls.h"

namespace fixgw::fix {
namespace {

std::string ConnectionType(const FIX::Dictionary& dict) {
  return dict.has("ConnectionType") ? dict.getString("ConnectionType") : "";
}

}  // namespace

Result<SplitSettings> LoadSessionSettings(const std::string& path,
                                          const SideDefaults& defaults) {
  try {
    FIX::SessionSettings all(path);
    SplitSettings out;
    out.acceptors.set(all.get());
    out.initiators.set(all.get());
    for (const FIX::SessionID& id : all.getSessions()) {
      FIX::Dictionary dict = all.get(id);
      std::string type = ConnectionType(dict);
      const auto& side_defaults =
          type == "acceptor" ? defaults.acceptors : defaults.initiators;
      for (const auto& [key, value] : side_defaults) {
        if (!dict.has(key)) dict.setString(key, value);
      }
      if (type == "acceptor") {
        out.acceptors.set(id, dict);
        ++out.acceptor_count;
      } else if (type == "initiator") {
        out.initiators.set(id, dict);
        ++out.initiator_count;
      } else {
        return Status::InvalidArgument(
            path + ": ConnectionType must be acceptor or initiator in session " +
            id.toString() + " (got '" + type + "')");
      }
    }
    auto acceptor_tls = LiftTls(out.acceptors, /*acceptor=*/true, path);
    if (!acceptor_tls.ok()) return acceptor_tls.status();
    auto initiator_tls = LiftTls(out.initiators, /*acceptor=*/false, path);
    if (!initiator_tls.ok()) return initiator_tls.status();
    out.acceptor_tls = *acceptor_tls;
    out.initiator_tls = *initiator_tls;
    return out;
  } catch (const FIX::ConfigError& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
}

Result<std::map<std::string, std::string>> LoadSection(
    const std::string& path, const std::string& name) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument(path + ": cannot open file");
  try {
    FIX::Settings settings;
    in >> settings;
    FIX::Settings::Sections sections = settings.get(name);
    std::map<std::string, std::string> out;
    if (sections.empty()) return out;
    if (sections.size() > 1) {
      return Status::InvalidArgument(path + ": section [" + name +
                                     "] appears more than once");
    }
    for (const auto& [key, value] : sections.front()) out[key] = value;
    return out;
  } catch (const std::exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
}

}  // namespace fixgw::fix
