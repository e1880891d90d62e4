// Internal: fma_f32(a, b, c) = a * b + c rounded once to the nearest float
// (ties to even), for the portable code. It is std::fma where the C
// library's fmaf rounds once (glibc, musl, newlib, Emscripten's); MinGW-w64's
// fmaf rounds a*b + c to double and then to float, which is wrong when the
// double lands exactly halfway between two floats (tests/test_math.cpp has
// such cases), so there tacit uses fma_f32_via_double.
//
// Everything here has internal linkage (static), so no copy compiled with
// -mfma can be picked by the linker for portable code (see math_impl.h).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace tacit {
namespace detail {

// a * b + c rounded once, from double arithmetic alone (round to nearest):
// a * b is exact in double (24 + 24 significant bits, exponents within
// double's normal range), s = a*b + c rounds once, and TwoSum gives that
// rounding's error exactly. Rounding s to float is then right unless s is
// exactly halfway between two floats and the error is not zero; then the
// float on the error's side is the answer.
static inline float fma_f32_via_double(float a, float b, float c) {
  const double p = static_cast<double>(a) * static_cast<double>(b);
  const double dc = static_cast<double>(c);
  const double s = p + dc;
  if (s - s != 0.0) return static_cast<float>(s);  // inf or NaN, as std::fma
  const double t = s - p;
  const double err = (p - (s - t)) + (dc - t);  // p + c == s + err exactly
  constexpr double kFloatMax = 0x1.fffffep127;
  constexpr double kOverflow = 0x1.ffffffp127;  // halfway from FLT_MAX to 2^128
  const double magnitude = s < 0.0 ? -s : s;
  if (magnitude > kFloatMax) {
    // Below the halfway point (or at it, with the exact sum below): FLT_MAX.
    const bool below = magnitude < kOverflow ||
                       (magnitude == kOverflow && (s < 0.0 ? err > 0.0 : err < 0.0));
    const float f = below ? static_cast<float>(kFloatMax) : HUGE_VALF;
    return s < 0.0 ? -f : f;
  }
  const float r = static_cast<float>(s);
  if (err == 0.0 || static_cast<double>(r) == s) return r;
  // The float next to r on s's side (r and s have one sign; r may be 0).
  float other;
  if (r == 0.0f) {
    other = s < 0.0 ? -0x1p-149f : 0x1p-149f;
  } else {
    std::uint32_t bits;
    std::memcpy(&bits, &r, sizeof bits);
    const bool away_from_zero = magnitude > static_cast<double>(r < 0.0f ? -r : r);
    bits = away_from_zero ? bits + 1 : bits - 1;
    std::memcpy(&other, &bits, sizeof other);
  }
  // Two adjacent floats' sum is exact in double, and so is half of it.
  if ((static_cast<double>(r) + static_cast<double>(other)) * 0.5 != s) return r;
  return (err > 0.0) == (other > r) ? other : r;
}

static inline float fma_f32(float a, float b, float c) {
#if defined(__MINGW32__)
  return fma_f32_via_double(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}

}  // namespace detail
}  // namespace tacit
