#include "sim/fixsim/sim_config.h"

#include <cctype>
#include <charconv>
#include <functional>
#include <set>

#include "gateway/fix/settings.h"

namespace fixgw::sim {
namespace {

Status KeyError(const std::string& origin, const std::string& key,
                const std::string& value, const std::string& why) {
  return Status::InvalidArgument(origin + ": [SIM] " + key + "=" + value +
                                 ": " + why);
}

// Non-negative integer no larger than `max`.
std::optional<int64_t> ParseCount(const std::string& text, int64_t max) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0 ||
      v > max) {
    return std::nullopt;
  }
  return v;
}

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = text.find(sep, start);
    out.push_back(text.substr(start, pos - start));
    if (pos == std::string::npos) return out;
    start = pos + 1;
  }
}

Result<std::vector<Instrument>> ParseInstruments(const std::string& origin,
                                                 const std::string& value) {
  std::vector<Instrument> out;
  std::set<std::string> seen;
  for (const std::string& item : Split(value, ',')) {
    std::vector<std::string> parts = Split(item, ':');
    if (parts.size() != 3 || parts[0].empty()) {
      return KeyError(origin, "Instruments", value,
                      "expected SYMBOL:TICK:REFERENCE[,...], got '" + item +
                          "'");
    }
    auto tick = ParsePrice(parts[1]);
    auto ref = ParsePrice(parts[2]);
    if (!tick.ok() || tick->micros() <= 0) {
      return KeyError(origin, "Instruments", value,
                      "tick size of " + parts[0] + " must be a price > 0");
    }
    if (!ref.ok() || ref->micros() <= 0 ||
        ref->micros() % tick->micros() != 0) {
      return KeyError(origin, "Instruments", value,
                      "reference price of " + parts[0] +
                          " must be > 0 and a multiple of the tick size");
    }
    if (!seen.insert(parts[0]).second) {
      return KeyError(origin, "Instruments", value,
                      "symbol " + parts[0] + " listed twice");
    }
    out.push_back(Instrument{parts[0], *tick, *ref});
  }
  return out;
}

}  // namespace

Result<SimConfig> ParseSimConfig(const std::map<std::string, std::string>& keys,
                                 const std::string& origin,
                                 const std::string& default_id_prefix) {
  SimConfig config;
  config.engine.id_prefix = default_id_prefix;
  LiquidityOptions& liq = config.engine.liquidity;
  bool have_instruments = false;

  // Integer keys: name as documented, where it goes, its upper bound.
  struct IntKey {
    const char* name;
    int64_t max;
    std::function<void(int64_t)> set;
  };
  const std::vector<IntKey> int_keys = {
      {"Seed", INT64_MAX,
       [&](int64_t v) { config.engine.seed = static_cast<uint64_t>(v); }},
      {"LiquidityLevels", 1000,
       [&](int64_t v) { liq.levels = static_cast<int>(v); }},
      {"LiquidityFirstOffsetTicks", 1'000'000,
       [&](int64_t v) { liq.first_offset_ticks = static_cast<int>(v); }},
      {"LiquiditySpacingTicks", 1'000'000,
       [&](int64_t v) { liq.level_spacing_ticks = static_cast<int>(v); }},
      {"LiquidityMinQty", 1'000'000'000, [&](int64_t v) { liq.min_qty = Qty(v); }},
      {"LiquidityMaxQty", 1'000'000'000, [&](int64_t v) { liq.max_qty = Qty(v); }},
      {"AckDelayMs", 60'000,
       [&](int64_t v) { config.faults.ack_delay = std::chrono::milliseconds(v); }},
      {"DropAfterMessages", 1'000'000'000,
       [&](int64_t v) { config.faults.drop_after_messages = static_cast<int>(v); }},
  };

  for (const auto& [key, value] : keys) {
    if (key == "INSTRUMENTS") {
      auto instruments = ParseInstruments(origin, value);
      if (!instruments.ok()) return instruments.status();
      config.engine.instruments = std::move(instruments).value();
      have_instruments = true;
      continue;
    }
    if (key == "IDPREFIX") {
      config.engine.id_prefix = value;
      continue;
    }
    if (key == "REQUESTLEDGER") {
      if (value.empty()) {
        return KeyError(origin, "RequestLedger", value, "must name a file");
      }
      config.request_ledger = value;
      continue;
    }
    if (key == "REJECTRATIO") {
      // A fraction with at most 6 decimals: its micro-units are exactly the
      // per-million rate the engine takes.
      auto ratio = ParsePrice(value);
      if (!ratio.ok() || ratio->micros() < 0 ||
          ratio->micros() > Price::kScale) {
        return KeyError(origin, "RejectRatio", value,
                        "must be a number from 0 to 1 (at most 6 decimals)");
      }
      config.engine.reject_per_million =
          static_cast<uint32_t>(ratio->micros());
      continue;
    }
    bool known = false;
    for (const IntKey& k : int_keys) {
      std::string upper = k.name;
      for (char& c : upper) c = static_cast<char>(std::toupper(c));
      if (key != upper) continue;
      known = true;
      auto v = ParseCount(value, k.max);
      if (!v) {
        return KeyError(origin, k.name, value,
                        "must be a whole number from 0 to " +
                            std::to_string(k.max));
      }
      k.set(*v);
    }
    if (!known) {
      return Status::InvalidArgument(origin + ": unknown key '" + key +
                                     "' in [SIM]");
    }
  }
  if (!have_instruments) {
    return Status::InvalidArgument(origin +
                                   ": [SIM] Instruments is required "
                                   "(e.g. Instruments=AAPL:0.01:187.50)");
  }
  if (liq.levels > 0 && (liq.min_qty.units() <= 0 || liq.min_qty > liq.max_qty)) {
    return Status::InvalidArgument(
        origin + ": [SIM] LiquidityMinQty must be > 0 and <= LiquidityMaxQty");
  }
  if (liq.level_spacing_ticks <= 0) {
    return Status::InvalidArgument(origin +
                                   ": [SIM] LiquiditySpacingTicks must be > 0");
  }
  return config;
}

Result<SimConfig> LoadSimConfig(const std::string& path,
                                const std::string& default_id_prefix) {
  auto keys = fix::LoadSection(path, "SIM");
  if (!keys.ok()) return keys.status();
  return ParseSimConfig(*keys, path, default_id_prefix);
}

}  // namespace fixgw::sim
