// The product on AVX2 + FMA: tiles of 6 rows x 16 columns of C live in twelve
// ymm accumulators. Each step of k broadcasts a(i, k) for the 6 rows, loads
// b(k, j..j+15) once and issues one _mm256_fmadd_ps per 8 columns, so every
// element gets exactly one fused multiply-add per k, in increasing k
// (gemm.h). Lanes run across columns, never across k.
// k is cut into blocks: a block's partial sums go to C and come back as the
// next block's start. A float stored and reloaded is the same float, so the
// blocking changes no bit. Packing A or B is a pure copy.
// One or two rows of C (one image's inference) use 1x64 or 2x32 tiles
// instead: 8 accumulators keep both FMA pipes busy where a 1x16 tile would
// wait on each FMA's latency.
// Built with -mavx2 -mfma; only dispatch.cpp decides whether it may run, so
// everything here is internal except the kernel (see gemm_kernels.h).
#include <immintrin.h>

#include "kernels/gemm_kernels.h"

// Loops over a tile's registers must unroll completely, or g++ keeps the
// accumulators in memory and stores them on every step of k. Tiles are
// inlined into the block loops: a call per tile costs 10% at short k.
#if defined(__GNUC__)
#define TACIT_UNROLL _Pragma("GCC unroll 16")
#define TACIT_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define TACIT_UNROLL
#define TACIT_ALWAYS_INLINE inline
#endif

namespace tacit {
namespace kernels {
namespace {

constexpr int kTileRows = 6;    // 12 accumulators + 2 of B + 1 of A = 15 ymm
constexpr int kTileCols = 16;   // two ymm
constexpr int kDepth = 256;     // a packed 256 x 16 slice of B is 16 KiB: L1
constexpr int kRowBlock = 96;   // rows of A (96 KiB at kDepth) sharing a slice
constexpr int kWideVectors = 8; // accumulators of a 1- or 2-row tile
constexpr int kMinPackedDepth = 32;  // shorter k reads a transposed A in place
// blocked()'s A panels hold ceil(rows / 6) tiles of 6 rows each (tiles are
// filled evenly, 13 rows as 5, 4, 4) in storage sized for kRowBlock rows,
// which is enough only if kRowBlock is a multiple of 6 (128 rows would
// need 22 tiles = 132 rows of panel).
static_assert(kRowBlock % kTileRows == 0, "row blocks are whole tiles");

// One tile's work: rows x (up to) 8 * vectors columns of C over one block of k.
struct TileJob {
  const float* a;  // a(first row, first k of the block), or its packed panel
  long a_row;      // step between rows of op(A)
  long a_k;        // step between k of op(A)
  const float* b;  // b(first k, first column), or its packed copy
  long ldb;
  float* c;
  long ldc;
  float* b_copy;      // see tile's kCopyB
  const float* init;  // init + first column, or nullptr for +0
  int depth;
  int cols;     // lanes past it are neither read from C nor written
  bool from_c;  // not the first block of k: continue from the sums in C
  bool relu;    // the last block of k of a relu product
};

// A stored transposed, (k, m), as dW reads dY: a tile's values of one k are
// adjacent, but each k is a whole row of A further on, so a tile would touch
// a new cache line every step. Copies them to panel[kk * 6 + r] (r < rows),
// one sequential stream that every column slice of the row block then reads.
// Each store writes 8 floats; the next k overwrites the 2 extra (the panels
// have 2 floats of slack at the end).
void pack_a_transposed(const float* a, long lda, int depth, int rows, float* panel) {
  const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(rows),
                                          _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  for (int kk = 0; kk < depth; ++kk) {
    _mm256_storeu_ps(panel, _mm256_maskload_ps(a, mask));
    a += lda;
    panel += kTileRows;
  }
}

template <int kVectors>
struct ColumnMasks {
  __m256i lanes[kVectors];
  bool full;
};

template <int kVectors>
ColumnMasks<kVectors> column_masks(int cols) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  ColumnMasks<kVectors> m;
TACIT_UNROLL
  for (int v = 0; v < kVectors; ++v)
    m.lanes[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - 8 * v), index);
  m.full = cols >= 8 * kVectors;
  return m;
}

template <int kVectors>
inline __m256 load_cols(const float* p, const ColumnMasks<kVectors>& m, int v) {
  return m.full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m.lanes[v]);
}

// A full store is used whenever it may be: masked stores are slow on some CPUs.
template <int kVectors>
inline void store_cols(float* p, __m256 x, const ColumnMasks<kVectors>& m, int v) {
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
  const ColumnMasks<2> m = column_masks<2>(cols);
  for (int kk = 0; kk < depth; ++kk) {
    _mm256_store_ps(out, _mm256_maskload_ps(b, m.lanes[0]));
    _mm256_store_ps(out + 8, _mm256_maskload_ps(b + 8, m.lanes[1]));
    b += ldb;
    out += kTileCols;
  }
}

// kCopyB: also store each row of the B slice it loads to t.b_copy (rows of
// 8 * kVectors), so that the first tile of a row block packs B for the
// others while its FMAs run, instead of in a pass of its own.
template <int kRows, int kVectors, bool kATransposed, bool kCopyB = false>
TACIT_ALWAYS_INLINE void tile(const TileJob& t) {
  const ColumnMasks<kVectors> m = column_masks<kVectors>(t.cols);
  __m256 acc[kRows][kVectors];
TACIT_UNROLL
  for (int r = 0; r < kRows; ++r) {
TACIT_UNROLL
    for (int v = 0; v < kVectors; ++v) {
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
  float* b_copy = t.b_copy;
  for (int kk = 0; kk < t.depth; ++kk) {
    __m256 bv[kVectors];
TACIT_UNROLL
    for (int v = 0; v < kVectors; ++v) bv[v] = _mm256_loadu_ps(b + 8 * v);
    if (kCopyB) {
TACIT_UNROLL
      for (int v = 0; v < kVectors; ++v) _mm256_store_ps(b_copy + 8 * v, bv[v]);
      b_copy += 8 * kVectors;
    }
TACIT_UNROLL
    for (int r = 0; r < kRows; ++r) {
      const __m256 ar = _mm256_broadcast_ss(kATransposed ? a + r : a + r * t.a_row);
TACIT_UNROLL
      for (int v = 0; v < kVectors; ++v) acc[r][v] = _mm256_fmadd_ps(ar, bv[v], acc[r][v]);
    }
    a += kATransposed ? t.a_k : 1;
    b += t.ldb;
  }
TACIT_UNROLL
  for (int r = 0; r < kRows; ++r) {
TACIT_UNROLL
    for (int v = 0; v < kVectors; ++v) {
      store_cols(t.c + r * t.ldc + 8 * v, t.relu ? relu(acc[r][v]) : acc[r][v], m, v);
    }
  }
}

template <bool kATransposed, bool kCopyB>
TACIT_ALWAYS_INLINE void tile_rows(int rows, const TileJob& t) {
  switch (rows) {
    case 6: tile<6, 2, kATransposed, kCopyB>(t); break;
    case 5: tile<5, 2, kATransposed, kCopyB>(t); break;
    case 4: tile<4, 2, kATransposed, kCopyB>(t); break;
    case 3: tile<3, 2, kATransposed, kCopyB>(t); break;
    case 2: tile<2, 2, kATransposed, kCopyB>(t); break;
    default: tile<1, 2, kATransposed, kCopyB>(t); break;
  }
}

template <bool kATransposed>
TACIT_ALWAYS_INLINE void tile_rows(int rows, const TileJob& t, bool copy_b) {
  if (copy_b) {
    tile_rows<kATransposed, true>(rows, t);
  } else {
    tile_rows<kATransposed, false>(rows, t);
  }
}

// 1 or 2 rows: whole-k tiles of 1 x 64 or 2 x 32 reading B in place (each
// of its values is used once per row anyway). Returns the first column it
// left to the 6 x 16 path (the last, narrower columns).
template <bool kATransposed>
int few_rows(const GemmProblem& p, const GemmTile& t) {
  const int rows = t.row_end - t.row_begin;
  const int width = 8 * kWideVectors / rows;
  TileJob job;
  job.a_row = kATransposed ? 1 : p.lda;
  job.a_k = kATransposed ? p.lda : 1;
  job.a = p.a + t.row_begin * job.a_row;
  job.ldb = p.ldb;
  job.ldc = p.ldc;
  job.depth = p.k;
  job.cols = width;
  job.from_c = false;
  job.relu = p.relu;
  job.b_copy = nullptr;
  int j = t.col_begin;
  for (; j + width <= t.col_end; j += width) {
    job.b = p.b + j;
    job.c = p.c + static_cast<long>(t.row_begin) * p.ldc + j;
    job.init = p.init != nullptr ? p.init + j : nullptr;
    if (rows == 1) {
      tile<1, kWideVectors, kATransposed>(job);
    } else {
      tile<2, kWideVectors / 2, kATransposed>(job);
    }
  }
  return j;
}

// Tiles of at most 6 x 16 over k blocks and row blocks; kPackA: A (stored
// transposed) is copied to panels a row block at a time. Each variant is
// called from one place only, so that the compiler inlines every tile into
// its loop, and only the packing one
// has the 96 KiB of panels on its stack.
template <bool kPackA>
void blocked(const GemmProblem& p, const GemmTile& t) {
  alignas(32) float packed[kDepth * kTileCols];
  alignas(32) float panel_storage[kPackA ? kRowBlock * kDepth + 8 : 1];
  float* const panels = kPackA ? panel_storage : nullptr;
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
      // The block's rows in tiles as even as can be (13 rows: 5, 4, 4 rather
      // than 6, 6, 1), since a tile of few rows waits on FMA latency.
      const int tiles = (i1 - i0 + kTileRows - 1) / kTileRows;
      const int base_rows = (i1 - i0) / tiles, taller = (i1 - i0) % tiles;
      if (panels != nullptr && job.depth > 0) {
        for (int tile_index = 0, i = i0; tile_index < tiles; ++tile_index) {
          const int rows = base_rows + (tile_index < taller ? 1 : 0);
          pack_a_transposed(p.a + static_cast<long>(k0) * p.lda + i, p.lda, job.depth, rows,
                            panels + static_cast<long>(tile_index) * kTileRows * job.depth);
          i += rows;
        }
      }
      for (int j = t.col_begin; j < t.col_end; j += kTileCols) {
        job.cols = t.col_end - j < kTileCols ? t.col_end - j : kTileCols;
        job.init = p.init != nullptr ? p.init + j : nullptr;
        job.b = packed;
        job.ldb = kTileCols;
        job.b_copy = packed;
        // Full slices are read in place by the first tile, which copies
        // them for the rest; partial ones are packed (zero-filled) first.
        bool copy_b = false;
        if (job.depth > 0) {
          const float* b = p.b + static_cast<long>(k0) * p.ldb + j;
          if (job.cols < kTileCols) {
            pack_b(b, p.ldb, job.depth, job.cols, packed);
          } else {
            job.b = b;
            job.ldb = p.ldb;
            copy_b = tiles > 1;
          }
        }
        for (int tile_index = 0, i = i0; tile_index < tiles; ++tile_index) {
          const int rows = base_rows + (tile_index < taller ? 1 : 0);
          job.c = p.c + static_cast<long>(i) * p.ldc + j;
          if (panels != nullptr && job.depth > 0) {
            job.a = panels + static_cast<long>(tile_index) * kTileRows * job.depth;
            job.a_k = kTileRows;
          } else {
            job.a = job.depth > 0 ? p.a + i * job.a_row + k0 * job.a_k : p.a;
          }
          i += rows;
          if (p.a_transposed) {
            tile_rows<true>(rows, job, copy_b);
          } else {
            tile_rows<false>(rows, job, copy_b);
          }
          if (copy_b) {
            job.b = packed;
            job.ldb = kTileCols;
            copy_b = false;
          }
        }
      }
    }
  }
}

}  // namespace

void gemm_f32_6x16_avx2(const GemmProblem& p, const GemmTile& whole) {
  GemmTile t = whole;
  if (t.row_end - t.row_begin <= 2 && p.k > 0) {
    t.col_begin = p.a_transposed ? few_rows<true>(p, t) : few_rows<false>(p, t);
    if (t.col_begin >= t.col_end) return;
  }
  // A transposed is worth packing when several column slices read it and k
  // is long enough to pay for the copy.
  if (p.a_transposed && t.col_end - t.col_begin > kTileCols && p.k >= kMinPackedDepth) {
    blocked<true>(p, t);
  } else {
    blocked<false>(p, t);
  }
}

}  // namespace kernels
}  // namespace tacit
