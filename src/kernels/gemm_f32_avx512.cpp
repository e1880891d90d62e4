// The product on AVX-512F: tiles of 8 rows x 32 columns of C live in sixteen
// zmm accumulators. Each step of k broadcasts a(i, k) for the 8 rows, loads
// b(k, j..j+31) once and issues one _mm512_fmadd_ps per 16 columns, so every
// element gets exactly one fused multiply-add per k, in increasing k
// (gemm.h). Lanes run across columns, never across k.
// k is cut into blocks: a block's partial sums go to C and come back as the
// next block's start. A float stored and reloaded is the same float, so the
// blocking changes no bit. Packing B is a pure copy.
// Built with -mavx512f -mfma; only dispatch.cpp decides whether it may run,
// so everything here is internal except the kernel (see gemm_kernels.h).
#include <immintrin.h>

#include "kernels/gemm_kernels.h"

namespace tacit {
namespace kernels {
namespace {

constexpr int kTileRows = 8;    // 16 accumulators + 2 of B + A broadcasts
constexpr int kTileCols = 32;   // two zmm
constexpr int kDepth = 128;     // a packed 128 x 32 slice of B is 16 KiB: L1
constexpr int kRowBlock = 96;   // rows of A (48 KiB at kDepth) sharing a slice

// One tile's work: rows x (up to) 32 columns of C over one block of k.
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
  int cols;     // 1..32; lanes past it are neither read from C nor written
  bool from_c;  // not the first block of k: continue from the sums in C
  bool relu;    // the last block of k of a relu product
};

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

// Copies a depth x cols slice of B into rows of 32, zero-filled past cols,
// so the tile loop always loads whole vectors.
void pack_b(const float* b, long ldb, int depth, int cols, float* out) {
  const __mmask16 m0 = column_mask(cols, 0);
  const __mmask16 m1 = column_mask(cols, 1);
  for (int kk = 0; kk < depth; ++kk) {
    _mm512_store_ps(out, _mm512_maskz_loadu_ps(m0, b));
    _mm512_store_ps(out + 16, _mm512_maskz_loadu_ps(m1, b + 16));
    b += ldb;
    out += kTileCols;
  }
}

template <int kRows, bool kATransposed>
void tile(const TileJob& t) {
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

void gemm_f32_8x32_avx512(const GemmProblem& p, const GemmTile& t) {
  alignas(64) float packed[kDepth * kTileCols];
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
