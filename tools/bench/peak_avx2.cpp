// Peak and read loops for AVX2 + FMA, compiled with -mavx2 -mfma. Peak:
// twelve accumulators, as two FMA pipes x 4 cycles of latency need 8 in
// flight; 12 leaves slack.
// acc = acc * 0.999 + 0.001 converges to 1, so no value is ever subnormal.
#include <immintrin.h>

#include "bench/peak_loops.h"

namespace tacit_bench {

const double kPeakFlopsAvx2 = 12 * 8 * 2;

float peak_loop_avx2(long iterations) {
  constexpr int kChains = 12;
  const __m256 x = _mm256_set1_ps(0.999f);
  const __m256 y = _mm256_set1_ps(0.001f);
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(static_cast<float>(c));
  for (long i = 0; i < iterations; ++i) {
    for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], x, y);
  }
  __m256 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm256_add_ps(sum, acc[c]);
  return _mm_cvtss_f32(_mm256_castps256_ps128(sum));
}

// Eight independent max chains, so that their latency (1 cycle on Zen, 4 on
// Skylake) stays under two loads a cycle and the loads alone bound the loop.
float read_loop_avx2(const float* data, long count) {
  constexpr int kChains = 8;
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_setzero_ps();
  for (long i = 0; i < count; i += 8 * kChains) {
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm256_max_ps(acc[c], _mm256_loadu_ps(data + i + 8 * c));
  }
  for (int c = 1; c < kChains; ++c) acc[0] = _mm256_max_ps(acc[0], acc[c]);
  return _mm_cvtss_f32(_mm256_castps256_ps128(acc[0]));
}

}  // namespace tacit_bench
