// exp and log in binary32 arithmetic only. Both carry the leading terms as an
// unevaluated float pair (hi + lo, error-free transformations with fma)
// so that the one final rounding dominates the error: measured max 0.51 ulp.
// Every fma below is written out; the build uses -ffp-contract=off, so no
// other product is ever fused. Do not reorder: each sum's order is part of the
// golden outputs in tests/test_math.cpp.
//
// Internal, and included by exactly two files: math.cpp (the portable
// exp_f32/log_f32, TACIT_MATH_FMA = fma_f32 of fma_f32.h) and kernels/math_f32_avx2.cpp (the
// same steps compiled with -mfma, TACIT_MATH_FMA = one vfmadd instruction:
// std::fma is a libm call without it). An fma is exactly rounded either way,
// so both give the same bits. Everything here has internal linkage and uses
// no inline function of a standard header, so that nothing compiled with
// -mfma can be shared with (and picked by the linker for) portable code.
#pragma once

#include <cstdint>
#include <cstring>

#ifndef TACIT_MATH_FMA
#error "define TACIT_MATH_FMA(a, b, c) before including math_impl.h"
#endif

namespace tacit {
namespace {

float from_bits(std::uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

std::uint32_t to_bits(float f) {
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

constexpr std::uint32_t kInfinityBits = 0x7f800000u;
constexpr std::uint32_t kQuietNanBits = 0x7fc00000u;

// 2^k for k in [-126, 127], exactly.
float pow2(int k) {
  return from_bits(static_cast<std::uint32_t>(k + 127) << 23);
}

// exp --------------------------------------------------------------------

constexpr float kLog2e = 0x1.715476p+0f;
// ln2 = kExpLn2Hi + kExpLn2Lo to 2^-53. kExpLn2Hi ends at bit 2^-21, so
// x - n*kExpLn2Hi is exact for every |n| <= 151 (see exp_f32).
constexpr float kExpLn2Hi = 0x1.62e430p-1f;
constexpr float kExpLn2Lo = -0x1.05c610p-29f;
// Adding then subtracting 1.5*2^23 rounds |t| < 2^22 to the nearest integer.
constexpr float kRoundToInt = 0x1.8p+23f;
// Taylor coefficients 1/3! .. 1/9! (rounded to float); 1/3! is also carried
// as hi + lo. Truncation after r^9/9! costs < 2^-35 relative on |r| <= ln2/2.
constexpr float kExpC3 = 0x1.555556p-3f;
constexpr float kExpC3Lo = -0x1.555556p-28f;
constexpr float kExpC4 = 0x1.555556p-5f;
constexpr float kExpC5 = 0x1.111112p-7f;
constexpr float kExpC6 = 0x1.6c16c2p-10f;
constexpr float kExpC7 = 0x1.a01a02p-13f;
constexpr float kExpC8 = 0x1.a01a02p-16f;
constexpr float kExpC9 = 0x1.71de3ap-19f;
// Beyond these, e^x rounds to +inf (x > 88.7228...) or to +0 (x < -103.972...).
constexpr float kExpOverflow = 89.0f;
constexpr float kExpUnderflow = -104.0f;

// e^(r + r_lo), |r| <= 0.3466, |r_lo| <= 2^-21, as hi + lo with |lo| < 2^-7:
// e^r = 1 + r + r^2/2 + r^3 P(r). "1 + r" and "+ r^2/2" are summed error-free
// (Fast2Sum: 1 > |r|, 1 + r > r^2/2), r^2 and r^3 are split error-free with
// fma residuals, and everything below 2^-20 is summed first, so that lo is
// rounded once, by the final fma.
struct FloatPair {
  float hi;
  float lo;
};

FloatPair exp_reduced(float r, float r_lo) {
  float p = kExpC9;
  p = TACIT_MATH_FMA(p, r, kExpC8);
  p = TACIT_MATH_FMA(p, r, kExpC7);
  p = TACIT_MATH_FMA(p, r, kExpC6);
  p = TACIT_MATH_FMA(p, r, kExpC5);
  p = TACIT_MATH_FMA(p, r, kExpC4);
  p = TACIT_MATH_FMA(p, r, kExpC3);
  const float r2 = r * r;
  const float r2_err = TACIT_MATH_FMA(r, r, -r2);
  const float r3 = r2 * r;
  const float r3_err = TACIT_MATH_FMA(r2, r, -r3);
  const float half_r2 = 0.5f * r2;
  const float s1 = 1.0f + r;
  const float s1_err = (1.0f - s1) + r;
  const float s2 = s1 + half_r2;
  const float s2_err = (s1 - s2) + half_r2;
  float small = s1_err + s2_err;
  small = TACIT_MATH_FMA(0.5f, r2_err, small);
  small = TACIT_MATH_FMA(TACIT_MATH_FMA(r2_err, r, r3_err), p, small);  // r^3 - r3, times P
  small = TACIT_MATH_FMA(r3, kExpC3Lo, small);
  // e^(r + r_lo) = e^r (1 + r_lo) to 2^-42.
  const float e_r = TACIT_MATH_FMA(r3, p, s2);
  small = TACIT_MATH_FMA(r_lo, e_r, small);
  return {s2, TACIT_MATH_FMA(r3, p, small)};
}

// log --------------------------------------------------------------------

// ln2 = kLogLn2Hi + kLogLn2Lo to 2^-44. kLogLn2Hi has 15 significant bits, so
// e*kLogLn2Hi is exact for every exponent |e| <= 149.
constexpr float kLogLn2Hi = 0x1.62e4p-1f;
constexpr float kLogLn2Lo = 0x1.7f7d1cp-20f;
// 2 atanh(s) = 2s + s^3 T(s^2), T(z) = 2/3 + 2z/5 + 2z^2/7 + 2z^3/9 + 2z^4/11;
// with |s| <= 0.1716 the truncation costs < 2^-34 relative.
constexpr float kLogT0 = 0x1.555556p-1f;
constexpr float kLogT0Lo = -0x1.555556p-26f;  // 2/3 - kLogT0
constexpr float kLogT1 = 0x1.99999ap-2f;
constexpr float kLogT2 = 0x1.24924ap-2f;
constexpr float kLogT3 = 0x1.c71c72p-3f;
constexpr float kLogT4 = 0x1.745d18p-3f;
// Mantissa bits of the first float above sqrt(2): m >= this is halved so
// that m lies in [sqrt(1/2), sqrt(2)] and |s| = |m-1|/(m+1) <= 0.1716.
constexpr std::uint32_t kSqrt2MantissaBits = 0x3504f4;

float exp_body(float x) {
  if (x != x) return x + x;  // NaN
  if (x > kExpOverflow) return from_bits(kInfinityBits);
  if (x < kExpUnderflow) return 0.0f;

  // x = n ln2 + r + r_lo. The fma's r = x - n*kExpLn2Hi is exact: when
  // n != 0, |x| > 0.34 puts x on the 2^-25 grid, n*kExpLn2Hi is on the 2^-21
  // grid, and |r| < 0.5 leaves room for 24 bits down to 2^-25.
  const float t = x * kLog2e;
  const float kf = (t + kRoundToInt) - kRoundToInt;
  const int n = static_cast<int>(kf);
  const float r = TACIT_MATH_FMA(-kf, kExpLn2Hi, x);
  const float r_lo = -kf * kExpLn2Lo;
  const FloatPair e = exp_reduced(r, r_lo);

  if (n > -126 || (n == -126 && e.hi >= 1.0f)) {
    // Normal result (or overflow). Scaling in two exact steps lets n = 128
    // work and overflow round to +inf as IEEE multiplication does.
    const float mant = e.hi + e.lo;
    const int half = n / 2;
    return (mant * pow2(n - half)) * pow2(half);
  }
  // Subnormal result: round hi + lo once, straight to the subnormal grid,
  // which is g = 2^(-149-n) relative to the mantissa. big = 2^(-126-n) has
  // ulp g and big + hi stays in big's binade (hi < 1 when n = -126), so the
  // addition does the rounding; the rest is exact.
  const float big = pow2(-126 - n);
  const float sum = big + e.hi;
  const float sum_err = (big - sum) + e.hi;  // exact: big > e.hi
  const float rounded = sum + (sum_err + e.lo);
  const float mant = rounded - big;  // exact: both on the grid g
  return (mant * pow2(n + 64)) * pow2(-64);
}

float log_body(float x) {
  if (x != x) return x + x;  // NaN
  if (x < 0.0f) return from_bits(kQuietNanBits);
  if (x == 0.0f) return -from_bits(kInfinityBits);
  if (x == from_bits(kInfinityBits)) return x;

  // x = m 2^e, m in [sqrt(1/2), sqrt(2)]; subnormals are made normal by an
  // exact scaling first.
  int e = 0;
  std::uint32_t bits = to_bits(x);
  if (bits < 0x00800000u) {
    bits = to_bits(x * 0x1p+23f);
    e = -23;
  }
  e += static_cast<int>(bits >> 23) - 127;
  std::uint32_t mant_bits = bits & 0x007fffffu;
  if (mant_bits >= kSqrt2MantissaBits) {
    mant_bits |= 126u << 23;
    e += 1;
  } else {
    mant_bits |= 127u << 23;
  }
  const float m = from_bits(mant_bits);

  // log m = 2 atanh(s), s = f / (2 + f), f = m - 1, with s as s + s_lo:
  // 2 + f = d + d_err (Fast2Sum), f - s*d is exact (division residual).
  const float f = m - 1.0f;  // exact (Sterbenz)
  const float d = 2.0f + f;
  const float d_err = (2.0f - d) + f;
  const float s = f / d;
  const float rho = TACIT_MATH_FMA(-s, d, f);
  const float s_lo = TACIT_MATH_FMA(-s, d_err, rho) / d;

  const float z = s * s;
  const float z_err = TACIT_MATH_FMA(s, s, -z);
  const float s3 = z * s;
  const float s3_err = TACIT_MATH_FMA(z, s, -s3);
  float poly = kLogT4;
  poly = TACIT_MATH_FMA(poly, z, kLogT3);
  poly = TACIT_MATH_FMA(poly, z, kLogT2);
  poly = TACIT_MATH_FMA(poly, z, kLogT1);
  poly = TACIT_MATH_FMA(poly, z, kLogT0);

  // e ln2 + 2s, summed error-free: |e kLogLn2Hi| > |2s| whenever e != 0.
  const float ef = static_cast<float>(e);
  const float a = ef * kLogLn2Hi;  // exact
  const float b = 2.0f * s;        // exact
  const float sum = a + b;
  const float sum_err = (a - sum) + b;

  // The rest, smallest terms first so that lo is rounded once at the end:
  // 2 atanh(s + s_lo) = 2 atanh(s) + 2 s_lo / (1 - s^2) + O(s_lo^2), and
  // s^3 = s3 + s3_err + z_err s.
  const float two_s_lo = 2.0f * s_lo;
  float small = TACIT_MATH_FMA(two_s_lo, z, two_s_lo);
  small = TACIT_MATH_FMA(TACIT_MATH_FMA(z_err, s, s3_err), poly, small);
  small = TACIT_MATH_FMA(s3, kLogT0Lo, small);
  small = small + TACIT_MATH_FMA(ef, kLogLn2Lo, sum_err);
  const float lo = TACIT_MATH_FMA(s3, poly, small);
  return sum + lo;
}

}  // namespace
}  // namespace tacit
