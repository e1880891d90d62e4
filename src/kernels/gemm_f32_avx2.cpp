// The product on AVX2 + FMA: tiles of 6 rows x 16 columns of C live in twelve
// ymm accumulators. Each step of k broadcasts a(i, k) for the 6 rows, loads
// b(k, j..j+15) once and issues one _mm256_fmadd_ps per 8 columns, so every
// element gets exactly one fused multiply-add per k, in increasing k
// (gemm.h). Lanes run across columns, never across k.
// k is cut into blocks: a block's partial sums go to C and come back as the
// next block's start. A float stored and reloaded is the same float, so the
// blocking changes no bit. Packing B is a pure copy.
// Built with -mavx2 -mfma; only dispatch.cpp decides whether it may run, so
// everything here is internal except the kernel (see gemm_kernels.h).
#include <immintrin.h>

#include "kernels/gemm_kernels.h"

namespace tacit {
namespace kernels {
namespace {

constexpr int kTileRows = 6;    // 12 accumulators + 2 of B + 1 of A = 15 ymm
constexpr int kTileCols = 16;   // two ymm
constexpr int kDepth = 256;     // a packed 256 x 16 slice of B is 16 KiB: L1
constexpr int kRowBlock = 96;   // rows of A (96 KiB at kDepth) sharing a slice

// One tile's work: rows x (up to) 16 columns of C over one block of k.
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
  int cols;     // 1..16; lanes past it are neither read from C nor written
  bool from_c;  // not the first block of k: continue from the sums in C
  bool relu;    // the last block of k of a relu product
};

struct ColumnMasks {
  __m256i lanes[2];
  bool full;
};

ColumnMasks column_masks(int cols) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  ColumnMasks m;
  m.lanes[0] = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols), index);
  m.lanes[1] = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - 8), index);
  m.full = cols >= kTileCols;
  return m;
}

inline __m256 load_cols(const float* p, const ColumnMasks& m, int v) {
  return m.full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m.lanes[v]);
}

// A full store is used whenever it may be: masked stores are slow on some CPUs.
inline void store_cols(float* p, __m256 x, const ColumnMasks& m, int v) {
  if (m.full) {
    _mm256_storeu_ps(p, x);
  } else {
    _mm256_maskstore_ps(p, m.lanes[v], x);
  }
}

// x > 0 ? x : +0, with -0 and NaN going to +0 (the ordered compare is false).
inline __m256 relu(__m256 x) {
  return _mm256_and_ps(x, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
}

// Copies a depth x cols slice of B into rows of 16, zero-filled past cols,
// so the tile loop always loads whole vectors.
void pack_b(const float* b, long ldb, int depth, int cols, float* out) {
  const ColumnMasks m = column_masks(cols);
  for (int kk = 0; kk < depth; ++kk) {
    _mm256_store_ps(out, _mm256_maskload_ps(b, m.lanes[0]));
    _mm256_store_ps(out + 8, _mm256_maskload_ps(b + 8, m.lanes[1]));
    b += ldb;
    out += kTileCols;
  }
}

template <int kRows, bool kATransposed>
void tile(const TileJob& t) {
  const ColumnMasks m = column_masks(t.cols);
  __m256 acc[kRows][2];
  for (int r = 0; r < kRows; ++r) {
    for (int v = 0; v < 2; ++v) {
      if (t.from_c) {
        acc[r][v] = load_cols(t.c + r * t.ldc + 8 * v, m, v);
      } else if (t.init != nullptr) {
        acc[r][v] = load_cols(t.init + 8 * v, m, v);
      } else {
        acc[r][v] = _mm256_setzero_ps();
      }
    }
  }
  const float* a = t.a;
  const float* b = t.b;
  for (int kk = 0; kk < t.depth; ++kk) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
    for (int r = 0; r < kRows; ++r) {
      const __m256 ar = _mm256_broadcast_ss(kATransposed ? a + r : a + r * t.a_row);
      acc[r][0] = _mm256_fmadd_ps(ar, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(ar, b1, acc[r][1]);
    }
    a += kATransposed ? t.a_k : 1;
    b += t.ldb;
  }
  for (int r = 0; r < kRows; ++r) {
    for (int v = 0; v < 2; ++v) {
      store_cols(t.c + r * t.ldc + 8 * v, t.relu ? relu(acc[r][v]) : acc[r][v], m, v);
    }
  }
}

template <bool kATransposed>
void tile_rows(int rows, const TileJob& t) {
  switch (rows) {
    case 6: tile<6, kATransposed>(t); break;
    case 5: tile<5, kATransposed>(t); break;
    case 4: tile<4, kATransposed>(t); break;
    case 3: tile<3, kATransposed>(t); break;
    case 2: tile<2, kATransposed>(t); break;
    default: tile<1, kATransposed>(t); break;
  }
}

}  // namespace

void gemm_f32_6x16_avx2(const GemmProblem& p, const GemmTile& t) {
  alignas(32) float packed[kDepth * kTileCols];
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
