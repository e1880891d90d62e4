// The product on AVX-512F: tiles of 8 rows x 32 columns of C live in sixteen
// zmm accumulators. Each step of k broadcasts a(i, k) for the 8 rows, loads
// b(k, j..j+31) once and issues one _mm512_fmadd_ps per 16 columns, so every
// element gets exactly one fused multiply-add per k, in increasing k
// (gemm.h). Lanes run across columns, never across k.
// The loops around the tile are gemm_driver.h's; this file gives the
// microkernel and its packing.
// Built with -mavx512f -mfma; only dispatch.cpp decides whether it may run,
// so everything here is internal except the kernel (see gemm_kernels.h).
#include <immintrin.h>

#include "kernels/gemm_driver.h"

namespace tacit {
namespace kernels {
namespace {

// Lanes [0, cols - 16 * v) of vector v. Masked-off lanes of a masked load
// or store are not accessed, so a tail never reads or writes past C's row.
__mmask16 column_mask(int cols, int v) {
  const int n = cols - 16 * v;
  if (n <= 0) return 0;
  if (n >= 16) return 0xFFFF;
  return static_cast<__mmask16>((1u << n) - 1u);
}

// x > 0 ? x : +0, with -0 and NaN going to +0 (the ordered compare is false).
inline __m512 relu(__m512 x) {
  return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GT_OQ), x);
}

struct Avx512 : PlainLoops {
  static constexpr int kTileRows = 8;   // 16 accumulators + 2 of B + A broadcasts
  static constexpr int kLanes = 16;
  static constexpr int kVectors = 2;
  static constexpr int kTileCols = kLanes * kVectors;
  static constexpr int kDepth = 128;    // a packed 128 x 32 slice of B is 16 KiB: L1
  static constexpr int kRowBlock = 96;  // rows of A (48 KiB at kDepth) sharing a slice

  static void pack_b(const float* b, std::ptrdiff_t ldb, int depth, int cols, float* out) {
    const __mmask16 m0 = column_mask(cols, 0);
    const __mmask16 m1 = column_mask(cols, 1);
    for (int kk = 0; kk < depth; ++kk) {
      _mm512_store_ps(out, _mm512_maskz_loadu_ps(m0, b));
      _mm512_store_ps(out + 16, _mm512_maskz_loadu_ps(m1, b + 16));
      b += ldb;
      out += kTileCols;
    }
  }

  template <int kRows, int kTileVectors, bool kATransposed, bool kCopyB>
  static void tile(const TileJob& t) {
    static_assert(kTileVectors == kVectors && !kCopyB, "only the 8 x 32 tile");
    const __mmask16 mask[2] = {column_mask(t.cols, 0), column_mask(t.cols, 1)};
    __m512 acc[kRows][2];
    for (int r = 0; r < kRows; ++r) {
      for (int v = 0; v < 2; ++v) {
        if (t.from_c) {
          acc[r][v] = _mm512_maskz_loadu_ps(mask[v], t.c + r * t.ldc + 16 * v);
        } else if (t.init != nullptr) {
          acc[r][v] = _mm512_maskz_loadu_ps(mask[v], t.init + 16 * v);
        } else {
          acc[r][v] = _mm512_setzero_ps();
        }
      }
    }
    const float* a = t.a;
    const float* b = t.b;
    for (int kk = 0; kk < t.depth; ++kk) {
      const __m512 b0 = _mm512_loadu_ps(b);
      const __m512 b1 = _mm512_loadu_ps(b + 16);
      for (int r = 0; r < kRows; ++r) {
        const __m512 ar = _mm512_set1_ps(kATransposed ? a[r] : a[r * t.a_row]);
        acc[r][0] = _mm512_fmadd_ps(ar, b0, acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(ar, b1, acc[r][1]);
      }
      a += kATransposed ? t.a_k : 1;
      b += t.ldb;
    }
    for (int r = 0; r < kRows; ++r) {
      for (int v = 0; v < 2; ++v) {
        _mm512_mask_storeu_ps(t.c + r * t.ldc + 16 * v, mask[v],
                              t.relu ? relu(acc[r][v]) : acc[r][v]);
      }
    }
  }
};

}  // namespace

void gemm_f32_8x32_avx512(const GemmProblem& p, const GemmTile& t, GemmScratch scratch) {
  gemm_blocked<Avx512>(p, t, scratch);
}

}  // namespace kernels
}  // namespace tacit
