// exp_f32/log_f32 compiled with -mavx2 -mfma: math_impl.h's steps with each
// fma one instruction. Only dispatch.cpp decides whether it may run.
// exp_f32_array_avx2 and log_f32_array_avx2 run exp_body's and log_body's
// steps on eight lanes at once: the same operations on the same values in
// the same order, so the same bits. Lanes that leave the main path (NaN,
// overflow, underflow, a subnormal result; for log, an input that is not a
// positive normal float) are recomputed one by one with the scalar body.
#include <immintrin.h>

#include "kernels/math_kernels.h"

#define TACIT_MATH_FMA(a, b, c) \
  _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(a), _mm_set_ss(b), _mm_set_ss(c)))
#include "math_impl.h"

namespace tacit {
namespace kernels {

float exp_f32_avx2(float x) { return exp_body(x); }
float log_f32_avx2(float x) { return log_body(x); }

namespace {

__m256 splat(float x) { return _mm256_set1_ps(x); }

// -x exactly, as the scalar code's unary minus.
__m256 negate(__m256 x) { return _mm256_xor_ps(x, _mm256_set1_ps(-0.0f)); }

__m256 fma8(__m256 a, __m256 b, __m256 c) { return _mm256_fmadd_ps(a, b, c); }

// 2^k for k in [-126, 127], exactly (math_impl.h's pow2).
__m256 pow2_8(__m256i k) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(127)), 23));
}

struct Pair8 {
  __m256 hi;
  __m256 lo;
};

// exp_reduced, line for line.
Pair8 exp_reduced8(__m256 r, __m256 r_lo) {
  __m256 p = splat(kExpC9);
  p = fma8(p, r, splat(kExpC8));
  p = fma8(p, r, splat(kExpC7));
  p = fma8(p, r, splat(kExpC6));
  p = fma8(p, r, splat(kExpC5));
  p = fma8(p, r, splat(kExpC4));
  p = fma8(p, r, splat(kExpC3));
  const __m256 r2 = _mm256_mul_ps(r, r);
  const __m256 r2_err = fma8(r, r, negate(r2));
  const __m256 r3 = _mm256_mul_ps(r2, r);
  const __m256 r3_err = fma8(r2, r, negate(r3));
  const __m256 half_r2 = _mm256_mul_ps(splat(0.5f), r2);
  const __m256 one = splat(1.0f);
  const __m256 s1 = _mm256_add_ps(one, r);
  const __m256 s1_err = _mm256_add_ps(_mm256_sub_ps(one, s1), r);
  const __m256 s2 = _mm256_add_ps(s1, half_r2);
  const __m256 s2_err = _mm256_add_ps(_mm256_sub_ps(s1, s2), half_r2);
  __m256 small = _mm256_add_ps(s1_err, s2_err);
  small = fma8(splat(0.5f), r2_err, small);
  small = fma8(fma8(r2_err, r, r3_err), p, small);
  small = fma8(r3, splat(kExpC3Lo), small);
  const __m256 e_r = fma8(r3, p, s2);
  small = fma8(r_lo, e_r, small);
  return {s2, fma8(r3, p, small)};
}

// exp_body's normal path on eight lanes; *leaves gets a bit per lane that
// needs exp_body's other paths instead.
__m256 exp8(__m256 x, int* leaves) {
  const __m256 t = _mm256_mul_ps(x, splat(kLog2e));
  const __m256 kf = _mm256_sub_ps(_mm256_add_ps(t, splat(kRoundToInt)), splat(kRoundToInt));
  const __m256i n = _mm256_cvttps_epi32(kf);
  const __m256 r = fma8(negate(kf), splat(kExpLn2Hi), x);
  const __m256 r_lo = _mm256_mul_ps(negate(kf), splat(kExpLn2Lo));
  const Pair8 e = exp_reduced8(r, r_lo);
  const __m256 mant = _mm256_add_ps(e.hi, e.lo);
  // n / 2 rounded toward zero, as C++'s integer division.
  const __m256i half = _mm256_srai_epi32(_mm256_add_epi32(n, _mm256_srli_epi32(n, 31)), 1);
  const __m256 result = _mm256_mul_ps(_mm256_mul_ps(mant, pow2_8(_mm256_sub_epi32(n, half))),
                                      pow2_8(half));
  // Main path: x in [-104, 89] (false for NaN), and
  // n > -126 || (n == -126 && e.hi >= 1).
  const __m256i minus126 = _mm256_set1_epi32(-126);
  const __m256 normal = _mm256_or_ps(
      _mm256_castsi256_ps(_mm256_cmpgt_epi32(n, minus126)),
      _mm256_and_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(n, minus126)),
                    _mm256_cmp_ps(e.hi, splat(1.0f), _CMP_GE_OQ)));
  const __m256 in_range = _mm256_and_ps(_mm256_cmp_ps(x, splat(kExpOverflow), _CMP_LE_OQ),
                                        _mm256_cmp_ps(x, splat(kExpUnderflow), _CMP_GE_OQ));
  *leaves = ~_mm256_movemask_ps(_mm256_and_ps(normal, in_range)) & 0xff;
  return result;
}

// log_body's path for a positive normal finite x on eight lanes; *leaves
// gets a bit per lane that needs its other paths instead.
__m256 log8(__m256 x, int* leaves) {
  const __m256i bits = _mm256_castps_si256(x);
  // Unsigned bits - 0x00800000 < 0x7f000000: sign clear, neither subnormal,
  // zero, infinite nor NaN. As a signed compare after flipping the sign bit.
  const __m256i flip = _mm256_set1_epi32(static_cast<int>(0x80000000u));
  const __m256i shifted = _mm256_xor_si256(_mm256_sub_epi32(bits, _mm256_set1_epi32(0x00800000)), flip);
  const __m256i normal = _mm256_cmpgt_epi32(
      _mm256_set1_epi32(static_cast<int>(0x7f000000u ^ 0x80000000u)), shifted);
  *leaves = ~_mm256_movemask_ps(_mm256_castsi256_ps(normal)) & 0xff;

  const __m256i mantissa = _mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff));
  // mant_bits >= kSqrt2MantissaBits: halved into [sqrt(1/2), 1), e + 1.
  const __m256i halve = _mm256_cmpgt_epi32(mantissa, _mm256_set1_epi32(static_cast<int>(kSqrt2MantissaBits - 1)));
  const __m256i e = _mm256_sub_epi32(
      _mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127)), halve);
  const __m256i exponent = _mm256_blendv_epi8(_mm256_set1_epi32(127 << 23),
                                              _mm256_set1_epi32(126 << 23), halve);
  const __m256 m = _mm256_castsi256_ps(_mm256_or_si256(mantissa, exponent));

  const __m256 two = splat(2.0f);
  const __m256 f = _mm256_sub_ps(m, splat(1.0f));
  const __m256 d = _mm256_add_ps(two, f);
  const __m256 d_err = _mm256_add_ps(_mm256_sub_ps(two, d), f);
  const __m256 s = _mm256_div_ps(f, d);
  const __m256 rho = fma8(negate(s), d, f);
  const __m256 s_lo = _mm256_div_ps(fma8(negate(s), d_err, rho), d);

  const __m256 z = _mm256_mul_ps(s, s);
  const __m256 z_err = fma8(s, s, negate(z));
  const __m256 s3 = _mm256_mul_ps(z, s);
  const __m256 s3_err = fma8(z, s, negate(s3));
  __m256 poly = splat(kLogT4);
  poly = fma8(poly, z, splat(kLogT3));
  poly = fma8(poly, z, splat(kLogT2));
  poly = fma8(poly, z, splat(kLogT1));
  poly = fma8(poly, z, splat(kLogT0));

  const __m256 ef = _mm256_cvtepi32_ps(e);
  const __m256 a = _mm256_mul_ps(ef, splat(kLogLn2Hi));
  const __m256 b = _mm256_mul_ps(two, s);
  const __m256 sum = _mm256_add_ps(a, b);
  const __m256 sum_err = _mm256_add_ps(_mm256_sub_ps(a, sum), b);

  const __m256 two_s_lo = _mm256_mul_ps(two, s_lo);
  __m256 small = fma8(two_s_lo, z, two_s_lo);
  small = fma8(fma8(z_err, s, s3_err), poly, small);
  small = fma8(s3, splat(kLogT0Lo), small);
  small = _mm256_add_ps(small, fma8(ef, splat(kLogLn2Lo), sum_err));
  const __m256 lo = fma8(s3, poly, small);
  return _mm256_add_ps(sum, lo);
}

// out[i] = body(x[i]) through vector(), eight lanes at a time, tails masked,
// lanes vector() leaves recomputed by body.
template <__m256 (*vector)(__m256, int*), float (*body)(float)>
void apply_array(const float* x, float* out, int n) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (int i = 0; i < n; i += 8) {
    const int lanes = n - i < 8 ? n - i : 8;
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), index);
    const __m256 v = _mm256_maskload_ps(x + i, mask);  // +0 past the end: harmless
    int leaves = 0;
    const __m256 result = vector(v, &leaves);
    // Kept before the store: out may be x.
    alignas(32) float inputs[8];
    _mm256_store_ps(inputs, v);
    _mm256_maskstore_ps(out + i, mask, result);
    leaves &= (1 << lanes) - 1;
    for (int lane = 0; leaves != 0; ++lane, leaves >>= 1) {
      if (leaves & 1) out[i + lane] = body(inputs[lane]);
    }
  }
}

}  // namespace

void exp_f32_array_avx2(const float* x, float* out, int n) {
  apply_array<exp8, exp_body>(x, out, n);
}

void log_f32_array_avx2(const float* x, float* out, int n) {
  apply_array<log8, log_body>(x, out, n);
}

}  // namespace kernels
}  // namespace tacit
