#include "gateway/core/decimal.h"

#include <cstdlib>
#include <limits>

namespace fixgw {
namespace {

// Parses [-]digits[.digits] into an integer scaled by 10^decimals. Fractional
// digits beyond `decimals` must be zeros. Returns nullopt on any other text or
// on overflow.
std::optional<int64_t> ParseScaled(std::string_view text, int decimals) {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  size_t i = 0;
  if (text[0] == '-') {
    negative = true;
    i = 1;
  }
  // Accumulates with the final sign so that INT64_MIN, whose magnitude has
  // no positive int64, parses too.
  int64_t value = 0;
  auto push_digit = [&](char c) {
    int64_t digit = c - '0';
    return !__builtin_mul_overflow(value, int64_t{10}, &value) &&
           !__builtin_add_overflow(value, negative ? -digit : digit, &value);
  };
  int int_digits = 0;
  for (; i < text.size() && text[i] != '.'; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (!push_digit(c)) return std::nullopt;
    ++int_digits;
  }
  int frac_digits = 0;  // significant ones, at most `decimals`
  int frac_chars = 0;
  if (i < text.size()) {  // text[i] == '.'
    ++i;
    if (i == text.size() && int_digits == 0) return std::nullopt;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c < '0' || c > '9') return std::nullopt;
      ++frac_chars;
      if (frac_digits >= decimals) {
        if (c != '0') return std::nullopt;  // finer than the grid
        continue;
      }
      if (!push_digit(c)) return std::nullopt;
      ++frac_digits;
    }
  }
  if (int_digits == 0 && frac_chars == 0) return std::nullopt;
  for (; frac_digits < decimals; ++frac_digits) {
    if (__builtin_mul_overflow(value, int64_t{10}, &value)) return std::nullopt;
  }
  return value;
}

std::string FormatScaled(int64_t value, int decimals, bool trim) {
  bool negative = value < 0;
  // Work in unsigned to handle INT64_MIN.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value)
                                : static_cast<uint64_t>(value);
  uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  std::string out = negative ? "-" : "";
  out += std::to_string(magnitude / scale);
  if (decimals == 0) return out;
  std::string frac = std::to_string(magnitude % scale);
  frac.insert(0, static_cast<size_t>(decimals) - frac.size(), '0');
  if (trim) {
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
  }
  if (!frac.empty()) out += "." + frac;
  return out;
}

// a / b rounded half away from zero; b > 0.
int64_t DivRound(int64_t a, int64_t b) {
  int64_t q = a / b;
  int64_t r = a % b;
  // |r| * 2 >= b, computed without overflow.
  uint64_t abs_r =
      r < 0 ? 0 - static_cast<uint64_t>(r) : static_cast<uint64_t>(r);
  if (abs_r >= static_cast<uint64_t>(b) - abs_r) q += (a < 0) ? -1 : 1;
  return q;
}

}  // namespace

std::optional<Notional> Multiply(Qty qty, Price price) {
  int64_t out = 0;
  if (__builtin_mul_overflow(qty.units(), price.micros(), &out)) {
    return std::nullopt;
  }
  return Notional::FromMicros(out);
}

std::optional<Notional> Add(Notional a, Notional b) {
  int64_t out = 0;
  if (__builtin_add_overflow(a.micros(), b.micros(), &out)) return std::nullopt;
  return Notional::FromMicros(out);
}

Price AveragePrice(Notional notional, Qty qty) {
  return Price::FromMicros(DivRound(notional.micros(), qty.units()));
}

Result<Price> ParsePrice(std::string_view text) {
  auto v = ParseScaled(text, Price::kDecimals);
  if (!v) {
    return Status::InvalidArgument("invalid price '" + std::string(text) +
                                   "' (at most 6 decimals)");
  }
  return Price::FromMicros(*v);
}

Result<Qty> ParseQty(std::string_view text) {
  auto v = ParseScaled(text, 0);
  if (!v) {
    return Status::InvalidArgument("invalid quantity '" + std::string(text) +
                                   "' (whole units only)");
  }
  return Qty(*v);
}

std::string FormatPrice(Price price) {
  return FormatScaled(price.micros(), Price::kDecimals, /*trim=*/true);
}

std::string FormatQty(Qty qty) { return std::to_string(qty.units()); }

std::string FormatMoney(Notional notional) {
  // micro-units -> cents, rounded half away from zero.
  return FormatScaled(DivRound(notional.micros(), 10'000), 2, /*trim=*/false);
}

}  // namespace fixgw
