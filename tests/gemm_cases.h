// Operands for product tests and the contract's definition of the product:
// c = init (or +0), then one fma per k in increasing k (fma_f32: std::fma,
// or tacit's own where the C library's fmaf rounds twice).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "fma_f32.h"

namespace gemm_cases {

struct TestValues {
  std::uint64_t state;
  explicit TestValues(std::uint64_t seed) : state(seed * 2654435761u + 1) {}
  // Mixed signs and magnitudes, some exact zeros, so rounding differences
  // between orders would show.
  float next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const auto bits = static_cast<std::uint32_t>(state >> 33);
    if (bits % 17 == 0) return 0.0f;
    const float unit = static_cast<float>(bits % 2000001) / 1000000.0f - 1.0f;
    return unit * std::ldexp(1.0f, static_cast<int>(bits % 7) - 3);
  }
};

inline std::vector<float> values(std::size_t count, std::uint64_t seed) {
  TestValues gen(seed);
  std::vector<float> out(count);
  for (float& v : out) v = gen.next();
  return out;
}

struct Operands {
  int m, n, k;
  bool a_t;  // A stored (k, m)
  int lda, ldb, ldc;
  std::vector<float> a, b, init;
};

// Padded leading dimensions, so strides are exercised too.
inline Operands operands(int m, int n, int k, bool a_t) {
  Operands o{m, n, k, a_t, (a_t ? m : k) + 3, n + 5, n + 1, {}, {}, {}};
  o.a = values(static_cast<std::size_t>(a_t ? k : m) * o.lda + 1, 1 + m);
  o.b = values(static_cast<std::size_t>(k) * o.ldb + 1, 2 + n);
  o.init = values(static_cast<std::size_t>(n), 3 + k);
  return o;
}

// The definition, element by element; C (m, n) unpadded.
inline std::vector<float> reference(const Operands& o, const float* init, bool relu) {
  std::vector<float> c(static_cast<std::size_t>(o.m) * o.n);
  for (int i = 0; i < o.m; ++i) {
    for (int j = 0; j < o.n; ++j) {
      float acc = init ? init[j] : 0.0f;
      for (int kk = 0; kk < o.k; ++kk) {
        const float av = o.a_t ? o.a[static_cast<std::size_t>(kk) * o.lda + i]
                               : o.a[static_cast<std::size_t>(i) * o.lda + kk];
        acc = tacit::detail::fma_f32(av, o.b[static_cast<std::size_t>(kk) * o.ldb + j], acc);
      }
      if (relu) acc = acc > 0.0f ? acc : 0.0f;
      c[static_cast<std::size_t>(i) * o.n + j] = acc;
    }
  }
  return c;
}

// Bit for bit, except that a NaN only has to be a NaN: IEEE 754 leaves the
// sign and payload of a NaN result open, and x86 FMA returns the first NaN
// in instruction operand order, an order the compiler (or libm's fmaf)
// picks. Every other float, -0 and the infinities included, must match.
inline bool same_floats(const float* got, const float* want, int count) {
  for (int j = 0; j < count; ++j) {
    if (std::isnan(want[j]) && std::isnan(got[j])) continue;
    if (std::memcmp(&got[j], &want[j], sizeof(float)) != 0) return false;
  }
  return true;
}

// Scales every value by 2^-64 (and init by 2^-128), so products and sums
// fall into the subnormal range: no path may flush them to zero.
inline void make_subnormal(Operands* o) {
  for (float& v : o->a) v = std::ldexp(v, -64);
  for (float& v : o->b) v = std::ldexp(v, -64);
  for (float& v : o->init) v = std::ldexp(v, -128);
  o->a[0] = std::ldexp(1.0f, -149);  // the smallest subnormal, as an input
}

// Infinities and NaNs in a few rows of A and columns of B, and products
// that overflow, so that C holds finite values, infinities (from init, from
// inputs and from overflow) and NaNs (from inputs, inf - inf and 0 * inf).
inline void make_nonfinite(Operands* o) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto a = [o](int i, int kk) -> float& {
    return o->a[o->a_t ? static_cast<std::size_t>(kk) * o->lda + i
                       : static_cast<std::size_t>(i) * o->lda + kk];
  };
  auto b = [o](int kk, int j) -> float& {
    return o->b[static_cast<std::size_t>(kk) * o->ldb + j];
  };
  const int last = o->k - 1;
  a(1, 0) = inf;
  a(2, last) = -inf;
  a(3, last / 2) = nan;
  a(4, 0) = inf;  // with b(0, 5) = -inf below: -inf, then inf * 0 or inf - inf
  a(4, last) = inf;
  a(6, last / 3) = 0x1p100f;  // overflows against b(last / 3, 7)
  b(0, 5) = -inf;
  b(last, 5) = 0.0f;
  b(last / 3, 7) = 0x1p100f;
  b(last / 2, 8) = nan;
  b(last, 9) = -0x1p100f;
  a(5, last) = 0x1p100f;  // overflows to -inf against b(last, 9)
  o->init[1] = inf;
  o->init[2] = -inf;
  o->init[3] = nan;
}

}  // namespace gemm_cases
