// Philox4x32-10 on AVX2, eight blocks per register set: lane b of c[w]
// holds word w of block first + b. _mm256_mul_epu32 forms the 32 x 32 -> 64
// products of the even lanes, and of the odd lanes moved down by a shuffle;
// a blend puts the high halves back into 32-bit lanes, and
// _mm256_mullo_epi32 gives the low halves in one instruction. Three sets are
// in flight at once, because one round of one set is a chain of dependent
// multiplies. Built with -mavx2; dispatch.cpp decides whether it may run.
#include <immintrin.h>

#include "kernels/philox_kernels.h"

namespace tacit {
namespace kernels {
namespace {

// Register sets of 8 blocks in flight. On Zen 3 (g++ 12 -O3, 784-float
// images) 3 sets took 0.84-0.87 of the time of 2, and 0.93-0.97 with the
// low halves from shifts and blends; 4 sets were no faster. (vpmulld is
// two uops on Intel's cores; not measured there.)
constexpr int kSets = 3;
constexpr int kBlocksPerSet = 8;
constexpr int kRounds = 10;
// Random123's Philox4x32 multipliers and Weyl key increments (rng.cpp).
constexpr std::uint32_t kM0 = 0xD2511F53u;
constexpr std::uint32_t kM1 = 0xCD9E8D57u;
constexpr std::uint32_t kW0 = 0x9E3779B9u;
constexpr std::uint32_t kW1 = 0xBB67AE85u;
constexpr int kOddLanes = 0xAA;

struct Words {
  __m256i w[4];
};

// hi and lo words of a * m for each 32-bit lane.
inline void multiply(__m256i a, __m256i m, __m256i* hi, __m256i* lo) {
  constexpr int kOddDown = _MM_SHUFFLE(3, 3, 1, 1);  // each odd lane's word to the even one below
  const __m256i even = _mm256_mul_epu32(a, m);
  const __m256i odd = _mm256_mul_epu32(_mm256_shuffle_epi32(a, kOddDown), m);
  *hi = _mm256_blend_epi32(_mm256_shuffle_epi32(even, kOddDown), odd, kOddLanes);
  *lo = _mm256_mullo_epi32(a, m);
}

// Counters of blocks first .. first + 7: the low words count up and carry
// into the high words where they wrap.
Words counters(std::uint64_t first, std::uint32_t stream) {
  const __m256i low_base = _mm256_set1_epi32(static_cast<int>(first & 0xffffffffu));
  const __m256i low = _mm256_add_epi32(low_base, _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  // Unsigned low < low_base, as a signed compare of sign-flipped values.
  const __m256i sign = _mm256_set1_epi32(static_cast<int>(0x80000000u));
  const __m256i wrapped = _mm256_cmpgt_epi32(_mm256_xor_si256(low_base, sign),
                                             _mm256_xor_si256(low, sign));
  const __m256i high = _mm256_sub_epi32(
      _mm256_set1_epi32(static_cast<int>(first >> 32)), wrapped);
  return {{low, high, _mm256_set1_epi32(static_cast<int>(stream)), _mm256_setzero_si256()}};
}

__m256 to_float(__m256i u, __m256 scale, __m256 offset) {
  // u >> 8 < 2^24 converts exactly; the scaling is by a power of two and the
  // offset (-1 or +0) is exact for these values: rng.cpp's conversions.
  const __m256 f = _mm256_cvtepi32_ps(_mm256_srli_epi32(u, 8));
  return _mm256_add_ps(_mm256_mul_ps(f, scale), offset);
}

// Word-major (word w of blocks 0..7) to block-major (out[4 b + w]).
void store_blocks(const Words& c, __m256 scale, __m256 offset, float* out) {
  const __m256 f0 = to_float(c.w[0], scale, offset);
  const __m256 f1 = to_float(c.w[1], scale, offset);
  const __m256 f2 = to_float(c.w[2], scale, offset);
  const __m256 f3 = to_float(c.w[3], scale, offset);
  const __m256 t0 = _mm256_unpacklo_ps(f0, f1);  // b0w0 b0w1 b1w0 b1w1 | b4 b5
  const __m256 t1 = _mm256_unpackhi_ps(f0, f1);  // b2w0 b2w1 b3w0 b3w1 | b6 b7
  const __m256 t2 = _mm256_unpacklo_ps(f2, f3);  // b0w2 b0w3 b1w2 b1w3 | b4 b5
  const __m256 t3 = _mm256_unpackhi_ps(f2, f3);  // b2w2 b2w3 b3w2 b3w3 | b6 b7
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));  // b0 | b4
  const __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));  // b1 | b5
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));  // b2 | b6
  const __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));  // b3 | b7
  _mm256_storeu_ps(out, _mm256_permute2f128_ps(u0, u1, 0x20));
  _mm256_storeu_ps(out + 8, _mm256_permute2f128_ps(u2, u3, 0x20));
  _mm256_storeu_ps(out + 16, _mm256_permute2f128_ps(u0, u1, 0x31));
  _mm256_storeu_ps(out + 24, _mm256_permute2f128_ps(u2, u3, 0x31));
}

template <int kSetCount>
void generate(const PhiloxUniformProblem& p, std::uint64_t first, float* out) {
  Words c[kSetCount];
  for (int s = 0; s < kSetCount; ++s) {
    c[s] = counters(first + static_cast<std::uint64_t>(s) * kBlocksPerSet, p.stream);
  }
  const __m256i m0 = _mm256_set1_epi32(static_cast<int>(kM0));
  const __m256i m1 = _mm256_set1_epi32(static_cast<int>(kM1));
  std::uint32_t key0 = p.key0, key1 = p.key1;
  for (int round = 0; round < kRounds; ++round) {
    const __m256i k0 = _mm256_set1_epi32(static_cast<int>(key0));
    const __m256i k1 = _mm256_set1_epi32(static_cast<int>(key1));
    for (int s = 0; s < kSetCount; ++s) {
      __m256i hi0, lo0, hi1, lo1;
      multiply(c[s].w[0], m0, &hi0, &lo0);
      multiply(c[s].w[2], m1, &hi1, &lo1);
      c[s].w[0] = _mm256_xor_si256(_mm256_xor_si256(hi1, c[s].w[1]), k0);
      c[s].w[1] = lo1;
      c[s].w[2] = _mm256_xor_si256(_mm256_xor_si256(hi0, c[s].w[3]), k1);
      c[s].w[3] = lo0;
    }
    key0 += kW0;
    key1 += kW1;
  }
  const __m256 scale = _mm256_set1_ps(p.plus_minus_one ? 0x1p-23f : 0x1p-24f);
  const __m256 offset = _mm256_set1_ps(p.plus_minus_one ? -1.0f : 0.0f);
  for (int s = 0; s < kSetCount; ++s) {
    store_blocks(c[s], scale, offset, out + 4 * kBlocksPerSet * s);
  }
}

}  // namespace

void philox_uniform_avx2(const PhiloxUniformProblem& p) {
  std::int64_t done = 0;
  for (; done + kSets * kBlocksPerSet <= p.blocks; done += kSets * kBlocksPerSet) {
    generate<kSets>(p, p.first_block + static_cast<std::uint64_t>(done), p.out + 4 * done);
  }
  for (; done + kBlocksPerSet <= p.blocks; done += kBlocksPerSet) {
    generate<1>(p, p.first_block + static_cast<std::uint64_t>(done), p.out + 4 * done);
  }
  if (done < p.blocks) {
    // The last 1 to 7 blocks: a full set into a buffer, the needed part copied.
    alignas(32) float tail[4 * kBlocksPerSet];
    generate<1>(p, p.first_block + static_cast<std::uint64_t>(done), tail);
    for (std::int64_t i = 0; i < 4 * (p.blocks - done); ++i) p.out[4 * done + i] = tail[i];
  }
}

}  // namespace kernels
}  // namespace tacit
