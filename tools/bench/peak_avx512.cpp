// Peak and read loops for AVX-512F, compiled with -mavx512f -mfma. Sixteen
// accumulators cover two 512-bit FMA pipes at up to 8 cycles of latency.
#include <immintrin.h>

#include "bench/peak_loops.h"

namespace tacit_bench {

const double kPeakFlopsAvx512 = 16 * 16 * 2;

float peak_loop_avx512(long iterations) {
  constexpr int kChains = 16;
  const __m512 x = _mm512_set1_ps(0.999f);
  const __m512 y = _mm512_set1_ps(0.001f);
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(static_cast<float>(c));
  for (long i = 0; i < iterations; ++i) {
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], x, y);
  }
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  return _mm512_cvtss_f32(sum);
}

// Integer ORs (one cycle each): gcc 12's _mm512_max_ps trips
// -Wmaybe-uninitialized inside its own header.
float read_loop_avx512(const float* data, long count) {
  constexpr int kChains = 4;
  __m512i acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_setzero_si512();
  for (long i = 0; i < count; i += 16 * kChains) {
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm512_or_si512(acc[c], _mm512_loadu_si512(data + i + 16 * c));
  }
  for (int c = 1; c < kChains; ++c) acc[0] = _mm512_or_si512(acc[0], acc[c]);
  return _mm512_cvtss_f32(_mm512_castsi512_ps(acc[0]));
}

}  // namespace tacit_bench
