#include "gateway/fixgw/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <vector>

namespace fixgw::gw {

Status InitLogging(const LogOptions& options) {
  std::vector<spdlog::sink_ptr> sinks;
  if (options.console == "stderr") {
    sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  } else if (options.console == "stdout") {
    sinks.push_back(std::make_shared<spdlog::sinks::stdout_sink_mt>());
  }
  if (!options.file.empty()) {
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(
          options.file, /*truncate=*/false));
    } catch (const spdlog::spdlog_ex& e) {
      return Status::Unavailable("LogFile=" + options.file + ": " + e.what());
    }
  }
  auto logger =
      std::make_shared<spdlog::logger>("fixgw", sinks.begin(), sinks.end());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %-5l %v",
                      spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(options.level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  spdlog::flush_every(std::chrono::seconds(1));
  return Status::Ok();
}

}  // namespace fixgw::gw
