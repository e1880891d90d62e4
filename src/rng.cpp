// Philox4x32-10 and tacit's conversions. Integer arithmetic and exact
// conversions: nothing here depends on compiler or ISA (the SIMD kernel for
// whole blocks, src/kernels/philox_*.cpp, gives the same bits).
#include "tacit/rng.h"

#include <cmath>

#include "kernels/math_kernels.h"
#include "kernels/philox_kernels.h"
#include "tacit/isa.h"
#include "tacit/math.h"
#include "rng_fill.h"

namespace tacit {
namespace {

// Random123's Philox4x32 multipliers and Weyl key increments.
constexpr std::uint32_t kPhiloxM0 = 0xD2511F53u;
constexpr std::uint32_t kPhiloxM1 = 0xCD9E8D57u;
constexpr std::uint32_t kPhiloxW0 = 0x9E3779B9u;
constexpr std::uint32_t kPhiloxW1 = 0xBB67AE85u;
constexpr int kPhiloxRounds = 10;

constexpr float kTwoPowMinus24 = 0x1p-24f;
constexpr float kTwoPowMinus23 = 0x1p-23f;

std::uint32_t low32(std::uint64_t x) { return static_cast<std::uint32_t>(x); }
std::uint32_t high32(std::uint64_t x) {
  return static_cast<std::uint32_t>(x >> 32);
}

// Both conversions are exact: u >> 8 < 2^24 converts exactly, the scaling is
// by a power of two, and k * 2^-23 - 1 is a multiple of 2^-23 below 1 in
// magnitude.
float to_uniform01(std::uint32_t u) {
  return static_cast<float>(u >> 8) * kTwoPowMinus24;
}
float to_uniform_pm1(std::uint32_t u) {
  return static_cast<float>(u >> 8) * kTwoPowMinus23 - 1.0f;
}

// One Philox4x32 round on K blocks side by side: independent blocks give the
// CPU instruction-level parallelism (the rounds of one block are a chain).
// Plain scalar code on purpose: measured, it beats the compiler's
// vectorization of the rounds (SSE2's pmuludq gives two 32x32->64 products
// per instruction and forces 64-bit lanes on everything else: 2x slower).
template <int K>
void philox_rounds(Philox4x32 (&blocks)[K], std::uint32_t key0,
                   std::uint32_t key1) {
  for (int round = 0; round < kPhiloxRounds; ++round) {
    for (Philox4x32& c : blocks) {
      const std::uint64_t p0 = static_cast<std::uint64_t>(kPhiloxM0) * c.v[0];
      const std::uint64_t p1 = static_cast<std::uint64_t>(kPhiloxM1) * c.v[2];
      c.v[0] = high32(p1) ^ c.v[1] ^ key0;
      c.v[1] = low32(p1);
      c.v[2] = high32(p0) ^ c.v[3] ^ key1;
      c.v[3] = low32(p0);
    }
    // The key is bumped between rounds; bumping after the last one as well
    // changes nothing that is used.
    key0 += kPhiloxW0;
    key1 += kPhiloxW1;
  }
}

Philox4x32 uniform_counter(std::uint32_t stream, std::uint64_t block) {
  return {{low32(block), high32(block), stream, 0u}};
}

Philox4x32 uniform_block(std::uint64_t seed, std::uint32_t stream,
                         std::uint64_t block) {
  Philox4x32 b[1] = {uniform_counter(stream, block)};
  philox_rounds(b, low32(seed), high32(seed));
  return b[0];
}

// out[i] = convert(word (first + i) % 4 of uniform block (first + i) / 4).
// Whole blocks go to the SIMD kernel when there is one (the same bits).
template <typename Convert>
void fill_uniform(kernels::PhiloxUniformKernel simd, std::uint64_t seed,
                  std::uint32_t stream, std::uint64_t first, std::size_t count, float* out,
                  bool plus_minus_one, Convert convert) {
  constexpr int kBatch = 2;
  std::size_t i = 0;
  while (i < count) {
    const std::uint64_t index = first + i;
    if (index % 4 == 0 && simd != nullptr && count - i >= 4) {
      const kernels::PhiloxUniformProblem problem{
          low32(seed), high32(seed), stream,         index / 4,
          static_cast<std::int64_t>((count - i) / 4), plus_minus_one, out + i};
      simd(problem);
      i += 4 * static_cast<std::size_t>(problem.blocks);
      continue;
    }
    if (index % 4 == 0 && count - i >= 4 * kBatch) {
      // kBatch whole blocks.
      Philox4x32 b[kBatch];
      for (int q = 0; q < kBatch; ++q) {
        b[q] = uniform_counter(stream, index / 4 + q);
      }
      philox_rounds(b, low32(seed), high32(seed));
      for (int q = 0; q < kBatch; ++q) {
        for (int w = 0; w < 4; ++w) out[i + 4 * q + w] = convert(b[q].v[w]);
      }
      i += 4 * kBatch;
      continue;
    }
    // Head or tail of the range: one block, maybe only part of it.
    const Philox4x32 b = uniform_block(seed, stream, index / 4);
    for (std::uint64_t w = index % 4; w < 4 && i < count; ++w, ++i) {
      out[i] = convert(b.v[w]);
    }
  }
}

}  // namespace

Philox4x32 philox4x32_10(const Philox4x32& counter, std::uint32_t key0,
                         std::uint32_t key1) {
  Philox4x32 b[1] = {counter};
  philox_rounds(b, key0, key1);
  return b[0];
}

std::uint32_t random_u32(std::uint64_t seed, std::uint32_t stream,
                         std::uint64_t index) {
  return uniform_block(seed, stream, index / 4).v[index % 4];
}

float random_uniform01(std::uint64_t seed, std::uint32_t stream,
                       std::uint64_t index) {
  return to_uniform01(random_u32(seed, stream, index));
}

float random_uniform_pm1(std::uint64_t seed, std::uint32_t stream,
                         std::uint64_t index) {
  return to_uniform_pm1(random_u32(seed, stream, index));
}

namespace {

// log is tacit::log_f32 or the variant with inline FMAs (the same bits):
// without -mfma each fma of the portable one is a call into libm, which
// made normal noise images several times slower to draw than uniform ones.
float normal_with(float (*log)(float), std::uint64_t seed, std::uint32_t stream,
                  std::uint64_t index) {
  // attempt + 1 wraps to 0 only after 2^32 - 1 rejected blocks, which has
  // probability 0.046^(2^32 - 1): no cap is needed.
  for (std::uint32_t attempt = 0;; ++attempt) {
    Philox4x32 block[1] = {
        {{low32(index), high32(index), stream, attempt + 1u}}};
    philox_rounds(block, low32(seed), high32(seed));
    const Philox4x32& b = block[0];
    for (int pair = 0; pair < 2; ++pair) {
      const float u = to_uniform_pm1(b.v[2 * pair]);
      const float v = to_uniform_pm1(b.v[2 * pair + 1]);
      const float uu = u * u;
      const float vv = v * v;
      const float s = uu + vv;
      if (s > 0.0f && s < 1.0f) {
        const float minus_two_log = -2.0f * log(s);
        const float ratio = minus_two_log / s;
        return u * std::sqrt(ratio);
      }
    }
  }
}

}  // namespace

float random_normal(std::uint64_t seed, std::uint32_t stream, std::uint64_t index) {
  return normal_with(log_f32, seed, stream, index);
}

void random_fill_uniform(Isa isa, bool plus_minus_one, std::uint64_t seed,
                         std::uint32_t stream, std::uint64_t first, std::size_t count,
                         float* out) {
  const kernels::PhiloxUniformKernel simd =
      kernels::philox_uniform_kernel_for(static_cast<int>(isa));
  if (plus_minus_one) {
    fill_uniform(simd, seed, stream, first, count, out, true,
                 [](std::uint32_t u) { return to_uniform_pm1(u); });
  } else {
    fill_uniform(simd, seed, stream, first, count, out, false,
                 [](std::uint32_t u) { return to_uniform01(u); });
  }
}

// The fills below take no Compute: the CPU's best ISA, asked per fill
// (cheap; no function-local static, whose guard bare-metal builds cannot
// link).
void random_fill_uniform_pm1(std::uint64_t seed, std::uint32_t stream,
                             std::uint64_t first, std::size_t count,
                             float* out) {
  random_fill_uniform(isa_best(), true, seed, stream, first, count, out);
}

void random_fill_uniform01(std::uint64_t seed, std::uint32_t stream,
                           std::uint64_t first, std::size_t count, float* out) {
  random_fill_uniform(isa_best(), false, seed, stream, first, count, out);
}

void random_fill_normal(std::uint64_t seed, std::uint32_t stream,
                        std::uint64_t first, std::size_t count, float* out) {
  // Each index owns its blocks, so there is nothing to share between values.
  const kernels::MathKernels math = kernels::math_kernels_for(static_cast<int>(isa_best()));
  for (std::size_t i = 0; i < count; ++i) {
    out[i] = normal_with(math.log, seed, stream, first + i);
  }
}

}  // namespace tacit
