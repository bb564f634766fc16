// Fixed-point quantities of the domain: Price, Qty and Notional.
//
// Price is a signed count of micro-units (1e-6) of the quote currency; Qty is
// a count of whole units (shares/contracts); Notional = Qty x Price in
// micro-units. All arithmetic is integral, so nothing drifts however many
// events are applied; overflow is detected, never wrapped. Values only,
// thread-compatible.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/result.h"

namespace fixgw {

class Price {
 public:
  static constexpr int kDecimals = 6;
  static constexpr int64_t kScale = 1'000'000;

  constexpr Price() = default;
  static constexpr Price FromMicros(int64_t micros) { return Price(micros); }
  static constexpr Price FromUnits(int64_t units) {
    return Price(units * kScale);
  }

  constexpr int64_t micros() const { return micros_; }
  constexpr auto operator<=>(const Price&) const = default;

  constexpr Price operator+(Price o) const { return Price(micros_ + o.micros_); }
  constexpr Price operator-(Price o) const { return Price(micros_ - o.micros_); }

 private:
  constexpr explicit Price(int64_t micros) : micros_(micros) {}
  int64_t micros_ = 0;
};

class Qty {
 public:
  constexpr Qty() = default;
  constexpr explicit Qty(int64_t units) : units_(units) {}

  constexpr int64_t units() const { return units_; }
  constexpr auto operator<=>(const Qty&) const = default;

  constexpr Qty operator+(Qty o) const { return Qty(units_ + o.units_); }
  constexpr Qty operator-(Qty o) const { return Qty(units_ - o.units_); }
  constexpr Qty& operator+=(Qty o) {
    units_ += o.units_;
    return *this;
  }
  constexpr Qty& operator-=(Qty o) {
    units_ -= o.units_;
    return *this;
  }

 private:
  int64_t units_ = 0;
};

// Qty x Price, in micro-units of the quote currency.
class Notional {
 public:
  constexpr Notional() = default;
  static constexpr Notional FromMicros(int64_t micros) {
    return Notional(micros);
  }
  constexpr int64_t micros() const { return micros_; }
  constexpr auto operator<=>(const Notional&) const = default;

 private:
  constexpr explicit Notional(int64_t micros) : micros_(micros) {}
  int64_t micros_ = 0;
};

// qty x price; nullopt on int64 overflow.
std::optional<Notional> Multiply(Qty qty, Price price);
// a + b; nullopt on overflow.
std::optional<Notional> Add(Notional a, Notional b);
// notional / qty rounded half away from zero to the Price grid; qty > 0.
Price AveragePrice(Notional notional, Qty qty);

// Parses a FIX price ("101.25", "-0.5", "100"): at most kDecimals decimals
// (extra trailing zeros are accepted), no exponent, no spaces.
Result<Price> ParsePrice(std::string_view text);
// Parses a FIX quantity: a whole number ("100" or "100.000"); a fractional
// part other than zeros is rejected.
Result<Qty> ParseQty(std::string_view text);

// Shortest exact decimal text: 101.25, 100, -0.000001.
std::string FormatPrice(Price price);
std::string FormatQty(Qty qty);
// Money with two decimals and a thousands-free plain form: "125000.00".
// Rounds half away from zero to the cent.
std::string FormatMoney(Notional notional);

}  // namespace fixgw
