// The product on AArch64 Advanced SIMD: tiles of 8 rows x 12 columns of C
// live in 24 q-register accumulators. Each step of k loads b(k, j..j+11)
// once and, per row, issues one vfmaq_n_f32 (FMLA by element: fused, one
// rounding) per 4 columns, so every element gets exactly one fused
// multiply-add per k, in increasing k (gemm.h). Lanes run across columns,
// never across k. (vmlaq_f32 would round twice: never use it here.)
// k is cut into blocks: a block's partial sums go to C and come back as the
// next block's start. A float stored and reloaded is the same float, so the
// blocking changes no bit. Packing B is a pure copy.
#include <arm_neon.h>

#include "kernels/gemm_kernels.h"

namespace tacit {
namespace kernels {
namespace {

constexpr int kTileRows = 8;    // 24 accumulators + 3 of B + A = 32 q
constexpr int kTileCols = 12;   // three q
constexpr int kVectors = kTileCols / 4;
constexpr int kDepth = 256;     // a packed 256 x 12 slice of B is 12 KiB: L1
constexpr int kRowBlock = 96;   // rows of A (96 KiB at kDepth) sharing a slice

// One tile's work: rows x (up to) 12 columns of C over one block of k.
struct TileJob {
  const float* a;  // a(first row, first k of the block)
  long a_row;      // step between rows of op(A)
  long a_k;        // step between k of op(A)
  const float* b;  // b(first k, first column), or its packed copy
  long ldb;
  float* c;
  long ldc;
  const float* init;  // init + first column, or nullptr for +0
  int depth;
  int cols;     // 1..12; lanes past it are neither read from C nor written
  bool from_c;  // not the first block of k: continue from the sums in C
  bool relu;    // the last block of k of a relu product
};

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

// Copies a depth x cols slice of B into rows of 12, zero-filled past cols,
// so the tile loop always loads whole vectors.
void pack_b(const float* b, long ldb, int depth, int cols, float* out) {
  for (int kk = 0; kk < depth; ++kk) {
    for (int v = 0; v < kVectors; ++v) {
      vst1q_f32(out + 4 * v, load_part(b + 4 * v, cols - 4 * v));
    }
    b += ldb;
    out += kTileCols;
  }
}

template <int kRows, bool kATransposed>
void tile(const TileJob& t) {
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

template <bool kATransposed>
void tile_rows(int rows, const TileJob& t) {
  switch (rows) {
    case 8: tile<8, kATransposed>(t); break;
    case 7: tile<7, kATransposed>(t); break;
    case 6: tile<6, kATransposed>(t); break;
    case 5: tile<5, kATransposed>(t); break;
    case 4: tile<4, kATransposed>(t); break;
    case 3: tile<3, kATransposed>(t); break;
    case 2: tile<2, kATransposed>(t); break;
    default: tile<1, kATransposed>(t); break;
  }
}

}  // namespace

void gemm_f32_8x12_neon(const GemmProblem& p, const GemmTile& t) {
  alignas(16) float packed[kDepth * kTileCols];
  TileJob job;
  job.a_row = p.a_transposed ? 1 : p.lda;
  job.a_k = p.a_transposed ? p.lda : 1;
  job.ldc = p.ldc;
  // k = 0 still runs one (empty) block: C gets init, through relu.
  for (int k0 = 0; k0 == 0 || k0 < p.k; k0 += kDepth) {
    job.depth = p.k - k0 < kDepth ? p.k - k0 : kDepth;
    job.from_c = k0 > 0;
    job.relu = p.relu && k0 + job.depth >= p.k;
    for (int i0 = t.row_begin; i0 < t.row_end; i0 += kRowBlock) {
      const int i1 = t.row_end - i0 < kRowBlock ? t.row_end : i0 + kRowBlock;
      for (int j = t.col_begin; j < t.col_end; j += kTileCols) {
        job.cols = t.col_end - j < kTileCols ? t.col_end - j : kTileCols;
        job.init = p.init != nullptr ? p.init + j : nullptr;
        job.b = packed;
        job.ldb = kTileCols;
        if (job.depth > 0) {
          const float* b = p.b + static_cast<long>(k0) * p.ldb + j;
          if (i1 - i0 > kTileRows || job.cols < kTileCols) {
            pack_b(b, p.ldb, job.depth, job.cols, packed);
          } else {  // one full tile uses the slice once: read it in place
            job.b = b;
            job.ldb = p.ldb;
          }
        }
        for (int i = i0; i < i1; i += kTileRows) {
          job.a = job.depth > 0 ? p.a + i * job.a_row + k0 * job.a_k : p.a;
          job.c = p.c + static_cast<long>(i) * p.ldc + j;
          const int rows = i1 - i < kTileRows ? i1 - i : kTileRows;
          if (p.a_transposed) {
            tile_rows<true>(rows, job);
          } else {
            tile_rows<false>(rows, job);
          }
        }
      }
    }
  }
}

}  // namespace kernels
}  // namespace tacit
