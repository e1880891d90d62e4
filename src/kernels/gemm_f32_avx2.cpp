// The product on AVX2 + FMA: tiles of 6 rows x 16 columns of C live in twelve
// ymm accumulators. Each step of k broadcasts a(i, k) for the 6 rows, loads
// b(k, j..j+15) once and issues one _mm256_fmadd_ps per 8 columns, so every
// element gets exactly one fused multiply-add per k, in increasing k
// (gemm.h). Lanes run across columns, never across k.
// The loops around the tile are gemm_driver.h's; this file gives the
// microkernel, its packing and its choices: even row splits, B copied by the
// first tile of a row block, a transposed A (dW) packed into panels, and
// 1x64 or 2x32 tiles for one or two rows of C (one image's inference): 8
// accumulators keep both FMA pipes busy where a 1x16 tile would wait on each
// FMA's latency; and 13x8 tiles for the 13 rows of a 13-output layer's dW.
// Built with -mavx2 -mfma; only dispatch.cpp decides whether it may run, so
// everything here is internal except the kernel (see gemm_kernels.h).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/gemm_driver.h"

namespace tacit {
namespace kernels {
namespace {

template <int kVectors>
struct ColumnMasks {
  __m256i lanes[kVectors];
  int cols;
};

template <int kVectors>
ColumnMasks<kVectors> column_masks(int cols) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  ColumnMasks<kVectors> m;
TACIT_UNROLL
  for (int v = 0; v < kVectors; ++v)
    m.lanes[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - 8 * v), index);
  m.cols = cols;
  return m;
}

// Vector v of a tile row holds all 8 of its columns.
template <int kVectors>
inline bool whole_vector(const ColumnMasks<kVectors>& m, int v) {
  return m.cols >= 8 * (v + 1);
}

template <int kVectors>
inline __m256 load_cols(const float* p, const ColumnMasks<kVectors>& m, int v) {
  return whole_vector(m, v) ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m.lanes[v]);
}

// The first `lanes` (1 to 7) floats of x, in pieces of 4, 2 and 1: a
// masked store costs more than the three on AMD's cores.
inline void store_first_lanes(float* p, __m256 x, int lanes) {
  __m128 part = _mm256_castps256_ps128(x);
  if (lanes >= 4) {
    _mm_storeu_ps(p, part);
    part = _mm256_extractf128_ps(x, 1);
    p += 4;
    lanes -= 4;
  }
  if (lanes >= 2) {
    _mm_storel_pi(reinterpret_cast<__m64*>(p), part);
    part = _mm_movehl_ps(part, part);
    p += 2;
    lanes -= 2;
  }
  if (lanes >= 1) _mm_store_ss(p, part);
}

// A full store is used whenever it may be.
template <int kVectors>
inline void store_cols(float* p, __m256 x, const ColumnMasks<kVectors>& m, int v) {
  if (whole_vector(m, v)) {
    _mm256_storeu_ps(p, x);
  } else if (m.cols > 8 * v) {
    store_first_lanes(p, x, m.cols - 8 * v);
  }
}

// Asks for the line holding base[floats] in L1. The sum is formed in
// integers: the address may lie past the matrix (after the last tile),
// which an x86 prefetch instruction never faults on but pointer arithmetic
// may not form.
inline void prefetch(const float* base, std::ptrdiff_t floats) {
  const std::uintptr_t address =
      reinterpret_cast<std::uintptr_t>(base) +
      static_cast<std::uintptr_t>(floats) * sizeof(float);
  _mm_prefetch(reinterpret_cast<const char*>(address), _MM_HINT_T0);
}

// x > 0 ? x : +0, with -0 and NaN going to +0 (the ordered compare is false).
inline __m256 relu(__m256 x) {
  return _mm256_and_ps(x, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
}

// kRows x kVecs vectors of C per tile; kRowBlockT rows of A per slice of B
// (kTransposedRowBlockT with A stored transposed; 0: the same); the
// driver's kCopyB and kWideVectors (gemm_driver.h).
template <int kRows_, int kVecs, int kRowBlockT, int kTransposedRowBlockT, bool kCopyBT,
          int kWideVectorsT>
struct Avx2Tiles : PlainLoops {
  static constexpr int kTileRows = kRows_;
  static constexpr int kLanes = 8;
  static constexpr int kVectors = kVecs;
  static constexpr int kTileCols = kLanes * kVectors;
  static constexpr int kDepth = 256;  // a packed 256 x kTileCols slice of B: 16 or 8 KiB, L1
  static constexpr int kRowBlock = kRowBlockT;
  static constexpr int kTransposedRowBlock = kTransposedRowBlockT;
  static constexpr bool kEvenRows = true;  // short tiles wait on FMA latency
  static constexpr bool kCopyB = kCopyBT;
  static constexpr int kPackAMinDepth = 32;  // shorter k reads a transposed A in place
  static constexpr int kWideVectors = kWideVectorsT;  // accumulators of a 1- or 2-row tile
  // A stored transposed, (k, m), as dW reads dY: a tile's values of one k
  // are adjacent, but each k is a whole row of A further on, so a tile would
  // touch a new cache line every step. Copies them to one sequential stream
  // that every column slice of the row block then reads. Each k takes
  // kPanelVectors stores of 8 floats; the next k overwrites the extra ones.
  static constexpr int kPanelVectors = (kTileRows + kLanes - 1) / kLanes;
  static void pack_a_transposed(const float* a, std::ptrdiff_t lda, int depth, int rows,
                                float* panel) {
    const ColumnMasks<kPanelVectors> m = column_masks<kPanelVectors>(rows);
    for (int kk = 0; kk < depth; ++kk) {
TACIT_UNROLL
      for (int v = 0; v < kPanelVectors; ++v) {
        _mm256_storeu_ps(panel + 8 * v, _mm256_maskload_ps(a + 8 * v, m.lanes[v]));
      }
      a += lda;
      panel += kTileRows;
    }
  }

  static void pack_b(const float* b, std::ptrdiff_t ldb, int depth, int cols, float* out) {
    const ColumnMasks<kVectors> m = column_masks<kVectors>(cols);
    for (int kk = 0; kk < depth; ++kk) {
TACIT_UNROLL
      for (int v = 0; v < kVectors; ++v) {
        _mm256_store_ps(out + 8 * v, _mm256_maskload_ps(b + 8 * v, m.lanes[v]));
      }
      b += ldb;
      out += kTileCols;
    }
  }

  // kCopyB: also store each row of the B slice it loads to t.b_copy (rows
  // of 8 * kVectors), so that the first tile of a row block packs B for the
  // others while its FMAs run, instead of in a pass of its own.
  template <int kRows, int kTileVectors, bool kATransposed, bool kCopyB>
  TACIT_ALWAYS_INLINE static void tile(const TileJob& t) {
    const ColumnMasks<kTileVectors> m = column_masks<kTileVectors>(t.cols);
    __m256 acc[kRows][kTileVectors];
TACIT_UNROLL
    for (int r = 0; r < kRows; ++r) {
TACIT_UNROLL
      for (int v = 0; v < kTileVectors; ++v) {
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
    // Prefetches, which change no bit (nothing is computed from them). A
    // tile that copies B reads its slice in place, from L2 or beyond, a
    // row piece per k: it asks for the line holding the piece 8 rows ahead
    // (the whole piece when B's rows are 64-byte aligned). A tile of 3 or
    // more rows reading A in place asks, once per cache line of its rows,
    // for the same line of the rows below it: the next tile's, or, for
    // the last tile of a row block, rows read much later (wasted, not
    // wrong). In a harness on Zen 3 (784 x 256 forward and dX at batch
    // 1024, old and new alternating in one process) they ran about 10%
    // faster in the VM's slow state, warm or after a 64 MB cache sweep;
    // in its fast state 5-11% faster after a sweep and 1-2% warm.
    constexpr int kBAhead = 8;
    constexpr int kFloatsPerLine = 16;
    for (int kk = 0; kk < t.depth; ++kk) {
      if (kCopyB) prefetch(b, kBAhead * t.ldb);
      if (!kATransposed && kRows > 2 && kk % kFloatsPerLine == 0) {
TACIT_UNROLL
        for (int r = 0; r < kRows; ++r) prefetch(a, (kRows + r) * t.a_row);
      }
      __m256 bv[kTileVectors];
TACIT_UNROLL
      for (int v = 0; v < kTileVectors; ++v) bv[v] = _mm256_loadu_ps(b + 8 * v);
      if (kCopyB) {
TACIT_UNROLL
        for (int v = 0; v < kTileVectors; ++v) _mm256_store_ps(b_copy + 8 * v, bv[v]);
        b_copy += 8 * kTileVectors;
      }
TACIT_UNROLL
      for (int r = 0; r < kRows; ++r) {
        const __m256 ar = _mm256_broadcast_ss(kATransposed ? a + r : a + r * t.a_row);
TACIT_UNROLL
        for (int v = 0; v < kTileVectors; ++v) acc[r][v] = _mm256_fmadd_ps(ar, bv[v], acc[r][v]);
      }
      a += kATransposed ? t.a_k : 1;
      b += t.ldb;
    }
TACIT_UNROLL
    for (int r = 0; r < kRows; ++r) {
TACIT_UNROLL
      for (int v = 0; v < kTileVectors; ++v) {
        store_cols(t.c + r * t.ldc + 8 * v, t.relu ? relu(acc[r][v]) : acc[r][v], m, v);
      }
    }
  }
};

// 12 accumulators + 2 of B + 1 of A = 15 ymm; 96 rows of A (96 KiB at
// kDepth) share a slice of B. With A stored transposed (dW = dY^T X) its
// panels are packed, so a taller row block costs panel storage, not misses
// on A: 258 rows put all 256 rows of a hidden layer's dW in one row block,
// so each k block streams its B (256 of the batch's rows of X: 784 KiB for
// the first layer, from L3) once instead of once per 96 rows. The panels
// take 258 KiB of the caller's scratch (a ThreadPool's; without one, A is
// read in place). Measured on Zen 3 (512 KiB of L2) in one
// process, training steps at batch 1024 alternating with 96-row blocks:
// faster in 139-146 of 200 pairs at one thread, 139-144 at two; medians
// 1.0-2.9% shorter per step. Not measured where L2 is 256 KiB (Skylake
// client and older), where the panels cannot stay in L2 across column
// slices.
using Avx2 = Avx2Tiles<6, 2, 96, 258, true, 8>;
// Exactly 13 rows of C with A stored transposed (dW of a layer with 13
// outputs, such as 10 logits and 3 auxiliary ones) in one tile of 13 x 8:
// 13 accumulators + 1 of B + 1 of A. In 6 x 16 tiles the 13 rows are cut
// 5, 4, 4, and 8 accumulators barely cover FMA latency. Measured on Zen 3
// (13 x 256 x 1024, 64-byte aligned B): 68 against 57 GFLOP/s. Other row
// counts from 7 to 12 were no faster in it, and with A read in place
// untransposed, 13 rows a page apart share one L1 set: 2.8 times slower.
// Its row block is its one tile, so nothing is copied for other tiles and
// no 1- or 2-row path is needed.
using Avx2Tall = Avx2Tiles<13, 1, 13, 0, false, 0>;

}  // namespace

void gemm_f32_6x16_avx2(const GemmProblem& p, const GemmTile& t, GemmScratch scratch) {
  if (p.a_transposed && t.row_end - t.row_begin == Avx2Tall::kTileRows) {
    gemm_blocked<Avx2Tall>(p, t, scratch);
  } else {
    gemm_blocked<Avx2>(p, t, scratch);
  }
}

extern const std::size_t kGemmF32Avx2ScratchFloats =
    scratch_floats<Avx2>() > scratch_floats<Avx2Tall>() ? scratch_floats<Avx2>()
                                                        : scratch_floats<Avx2Tall>();

}  // namespace kernels
}  // namespace tacit
