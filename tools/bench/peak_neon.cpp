// Peak and read loops for AArch64 Advanced SIMD. Sixteen accumulators cover up to
// four 128-bit FMA pipes at 4 cycles of latency.
#include <arm_neon.h>

#include "bench/peak_loops.h"

namespace tacit_bench {

const double kPeakFlopsNeon = 16 * 4 * 2;

float peak_loop_neon(long iterations) {
  constexpr int kChains = 16;
  const float32x4_t x = vdupq_n_f32(0.999f);
  const float32x4_t y = vdupq_n_f32(0.001f);
  float32x4_t acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = vdupq_n_f32(static_cast<float>(c));
  for (long i = 0; i < iterations; ++i) {
    for (int c = 0; c < kChains; ++c) acc[c] = vfmaq_f32(y, acc[c], x);
  }
  float32x4_t sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = vaddq_f32(sum, acc[c]);
  return vgetq_lane_f32(sum, 0);
}

// Sixteen max chains of 128-bit loads: enough to cover the latency at up
// to three loads a cycle.
float read_loop_neon(const float* data, long count) {
  constexpr int kChains = 16;
  float32x4_t acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = vdupq_n_f32(0.0f);
  for (long i = 0; i < count; i += 4 * kChains) {
    for (int c = 0; c < kChains; ++c) acc[c] = vmaxq_f32(acc[c], vld1q_f32(data + i + 4 * c));
  }
  for (int c = 1; c < kChains; ++c) acc[0] = vmaxq_f32(acc[0], acc[c]);
  return vgetq_lane_f32(acc[0], 0);
}

}  // namespace tacit_bench
