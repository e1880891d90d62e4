// The product on AArch64 Advanced SIMD: tiles of 8 rows x 12 columns of C
// live in 24 q-register accumulators. Each step of k loads b(k, j..j+11)
// once and, per row, issues one vfmaq_n_f32 (FMLA by element: fused, one
// rounding) per 4 columns, so every element gets exactly one fused
// multiply-add per k, in increasing k (gemm.h). Lanes run across columns,
// never across k. (vmlaq_f32 would round twice: never use it here.)
// The loops around the tile are gemm_driver.h's; this file gives the
// microkernel and its packing.
#include <arm_neon.h>

#include "kernels/gemm_driver.h"

namespace tacit {
namespace kernels {
namespace {

// NEON has no masked loads: a tail goes through a zero-filled buffer, so no
// float past `count` is read or written.
inline float32x4_t load_part(const float* p, int count) {
  if (count >= 4) return vld1q_f32(p);
  float lanes[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (int l = 0; l < count; ++l) lanes[l] = p[l];
  return vld1q_f32(lanes);
}

inline void store_part(float* p, float32x4_t x, int count) {
  if (count >= 4) {
    vst1q_f32(p, x);
    return;
  }
  float lanes[4];
  vst1q_f32(lanes, x);
  for (int l = 0; l < count; ++l) p[l] = lanes[l];
}

// x > 0 ? x : +0, with -0 and NaN going to +0 (the compare is false for
// them). vmaxq_f32 would keep NaN, so it is not used.
inline float32x4_t relu(float32x4_t x) {
  const uint32x4_t positive = vcgtq_f32(x, vdupq_n_f32(0.0f));
  return vreinterpretq_f32_u32(vandq_u32(positive, vreinterpretq_u32_f32(x)));
}

struct Neon : PlainLoops {
  static constexpr int kTileRows = 8;   // 24 accumulators + 3 of B + A = 32 q
  static constexpr int kLanes = 4;
  static constexpr int kVectors = 3;
  static constexpr int kTileCols = kLanes * kVectors;
  static constexpr int kDepth = 256;    // a packed 256 x 12 slice of B is 12 KiB: L1
  static constexpr int kRowBlock = 96;  // rows of A (96 KiB at kDepth) sharing a slice

  static void pack_b(const float* b, std::ptrdiff_t ldb, int depth, int cols, float* out) {
    for (int kk = 0; kk < depth; ++kk) {
      for (int v = 0; v < kVectors; ++v) {
        vst1q_f32(out + 4 * v, load_part(b + 4 * v, cols - 4 * v));
      }
      b += ldb;
      out += kTileCols;
    }
  }

  template <int kRows, int kTileVectors, bool kATransposed, bool kCopyB>
  static void tile(const TileJob& t) {
    static_assert(kTileVectors == kVectors && !kCopyB, "only the 8 x 12 tile");
    float32x4_t acc[kRows][kVectors];
    for (int r = 0; r < kRows; ++r) {
      for (int v = 0; v < kVectors; ++v) {
        if (t.from_c) {
          acc[r][v] = load_part(t.c + r * t.ldc + 4 * v, t.cols - 4 * v);
        } else if (t.init != nullptr) {
          acc[r][v] = load_part(t.init + 4 * v, t.cols - 4 * v);
        } else {
          acc[r][v] = vdupq_n_f32(0.0f);
        }
      }
    }
    const float* a = t.a;
    const float* b = t.b;
    for (int kk = 0; kk < t.depth; ++kk) {
      const float32x4_t b0 = vld1q_f32(b);
      const float32x4_t b1 = vld1q_f32(b + 4);
      const float32x4_t b2 = vld1q_f32(b + 8);
      for (int r = 0; r < kRows; ++r) {
        const float ar = kATransposed ? a[r] : a[r * t.a_row];
        acc[r][0] = vfmaq_n_f32(acc[r][0], b0, ar);
        acc[r][1] = vfmaq_n_f32(acc[r][1], b1, ar);
        acc[r][2] = vfmaq_n_f32(acc[r][2], b2, ar);
      }
      a += kATransposed ? t.a_k : 1;
      b += t.ldb;
    }
    for (int r = 0; r < kRows; ++r) {
      for (int v = 0; v < kVectors; ++v) {
        store_part(t.c + r * t.ldc + 4 * v, t.relu ? relu(acc[r][v]) : acc[r][v],
                   t.cols - 4 * v);
      }
    }
  }
};

}  // namespace

void gemm_f32_8x12_neon(const GemmProblem& p, const GemmTile& t, GemmScratch scratch) {
  gemm_blocked<Neon>(p, t, scratch);
}

}  // namespace kernels
}  // namespace tacit
