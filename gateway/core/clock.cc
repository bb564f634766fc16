#include "gateway/core/clock.h"

#include <cstdio>

namespace fixgw {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::microseconds;

struct Parts {
  int year;
  unsigned month, day;
  long hour, minute, second, micros;
};

Parts Split(Timestamp t) {
  auto day_point = floor<days>(t);
  std::chrono::year_month_day ymd{day_point};
  int64_t us_of_day = (t - day_point).count();
  return Parts{static_cast<int>(ymd.year()),
               static_cast<unsigned>(ymd.month()),
               static_cast<unsigned>(ymd.day()),
               static_cast<long>(us_of_day / 3'600'000'000LL),
               static_cast<long>(us_of_day / 60'000'000LL % 60),
               static_cast<long>(us_of_day / 1'000'000LL % 60),
               static_cast<long>(us_of_day % 1'000'000LL)};
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Timestamp Now() {
  return std::chrono::time_point_cast<microseconds>(
      std::chrono::system_clock::now());
}

std::string FormatFixTimestamp(Timestamp t) {
  Parts p = Split(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u-%02ld:%02ld:%02ld.%06ld", p.year,
                p.month, p.day, p.hour, p.minute, p.second, p.micros);
  return buf;
}

std::string FormatFixTimestamp(Timestamp t, int digits) {
  if (digits == 6) return FormatFixTimestamp(t);
  Parts p = Split(t);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d%02u%02u-%02ld:%02ld:%02ld",
                        p.year, p.month, p.day, p.hour, p.minute, p.second);
  if (n < 0) return {};
  if (digits == 0) return buf;
  if (digits == 9) {
    std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), ".%06ld000",
                  p.micros);
  } else {
    std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), ".%03ld",
                  p.micros / 1000);
  }
  return buf;
}

std::string FormatIsoTimestamp(Timestamp t) {
  Parts p = Split(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%06ldZ",
                p.year, p.month, p.day, p.hour, p.minute, p.second, p.micros);
  return buf;
}

Result<Timestamp> ParseFixTimestamp(std::string_view s) {
  auto bad = [&] {
    return Status::InvalidArgument("invalid UTCTimestamp '" + std::string(s) +
                                   "'");
  };
  int y, mo, d, h, mi, se;
  if (s.size() < 17 || !Digits(s, 0, 4, &y) || !Digits(s, 4, 2, &mo) ||
      !Digits(s, 6, 2, &d) || s[8] != '-' || !Digits(s, 9, 2, &h) ||
      s[11] != ':' || !Digits(s, 12, 2, &mi) || s[14] != ':' ||
      !Digits(s, 15, 2, &se)) {
    return bad();
  }
  int64_t micros = 0;
  if (s.size() > 17) {
    if (s[17] != '.' || s.size() == 18 || s.size() > 27) return bad();
    int scale = 100'000;
    for (size_t i = 18; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return bad();
      micros += (s[i] - '0') * scale;
      scale /= 10;
    }
  }
  std::chrono::year_month_day ymd{std::chrono::year{y},
                                  std::chrono::month{static_cast<unsigned>(mo)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return bad();
  return Timestamp{std::chrono::sys_days{ymd}} + std::chrono::hours{h} +
         std::chrono::minutes{mi} + std::chrono::seconds{se} +
         microseconds{micros};
}

}  // namespace fixgw
