// Internal: the blocked product around a microkernel, as in BLIS: k blocks,
// row blocks, column slices, packing of B (and of a transposed A), row and
// column tails. Written once here; each SIMD kernel file defines its
// microkernel M (below) and its kernel as gemm_blocked<M>.
// A k block's partial sums go to C and come back as the next block's start,
// and packing is a pure copy: a float stored and reloaded is the same float,
// so no choice made here changes a bit. Every element still gets one fused
// multiply-add per k, in increasing k, in whichever tile computes it.
//
// Include only from a kernel file (gemm_f32_<isa>.cpp). Everything here is in
// an unnamed namespace, and M is defined in the kernel file's own unnamed
// namespace, so every instantiation has internal linkage: no symbol is shared
// between files built for different ISAs, and the linker cannot keep one
// ISA's copy for another's callers (gemm_kernels.h).
//
// A microkernel M is a struct with these constants:
//   kTileRows, kTileCols  the register tile of C: rows x columns
//   kLanes, kVectors      floats per vector; vectors per tile row
//                         (kTileCols = kLanes * kVectors)
//   kDepth                the k block (a packed kDepth x kTileCols slice of
//                         B should stay in L1)
//   kRowBlock             rows of A that share one packed slice of B
// It derives from PlainLoops, which turns these choices off, and sets the
// ones it wants:
//   kEvenRows             cut a row block into tiles as even as can be (13
//                         rows in tiles of 6: 5, 4, 4 rather than 6, 6, 1),
//                         for a microkernel whose short tiles wait on FMA
//                         latency; else full tiles and a last short one
//   kCopyB                a full slice of B is read in place by the first
//                         tile of a row block, which copies it to the packed
//                         buffer for the others (tile<..., true>); else it is
//                         packed first unless one tile uses it
//   kTransposedRowBlock   the row block when A is stored transposed (dW),
//                         whose panels are packed, so a taller block costs
//                         scratch, not misses on A; 0: kRowBlock
//   kPackAMinDepth        A stored transposed (dW), read by more than one
//                         column slice with k at least this, is copied to
//                         panels by pack_a_transposed, in the caller's
//                         scratch (scratch_floats<M>()); without that much
//                         scratch it is read in place; 0: never
//   kWideVectors          one or two rows of C take whole-k tiles of
//                         1 x kWideVectors or 2 x kWideVectors / 2 vectors
//                         reading B in place; 0: never
// and it has these functions:
//   pack_b(b, ldb, depth, cols, out)
//                         copies a depth x cols slice of B to rows of
//                         kTileCols floats, zero-filled past cols
//   pack_a_transposed(a, lda, depth, rows, panel)   (if kPackAMinDepth > 0)
//                         panel[kk * kTileRows + r] = a[kk * lda + r] for
//                         r < rows; may write up to 16 floats past the last k
//   tile<kRows, kVectors, kATransposed, kCopyB>(job)
//                         the TileJob's rows x cols of C over its k block
#pragma once

#include <cstddef>

#include "kernels/gemm_kernels.h"

// Loops over a tile's registers must unroll completely, or g++ keeps the
// accumulators in memory and stores them on every step of k. A microkernel
// may force its tiles inline into the block loops (a call per tile cost the
// AVX2 kernel 10% at short k).
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

// One tile's work: rows x (up to) kVectors vectors of columns of C over one
// block of k.
struct TileJob {
  const float* a;  // a(first row, first k of the block), or its packed panel
  std::ptrdiff_t a_row;  // step between rows of op(A)
  std::ptrdiff_t a_k;    // step between k of op(A)
  const float* b;  // b(first k, first column), or its packed copy
  std::ptrdiff_t ldb;
  float* c;
  std::ptrdiff_t ldc;
  float* b_copy;      // where tile<..., kCopyB = true> copies the rows of B it loads
  const float* init;  // init + first column, or nullptr for +0
  int depth;
  int cols;     // lanes past it are neither read from C nor written
  bool from_c;  // not the first block of k: continue from the sums in C
  bool relu;    // the last block of k of a relu product
};

// The plain BLIS loops: every choice off (see the list above).
struct PlainLoops {
  static constexpr bool kEvenRows = false;
  static constexpr bool kCopyB = false;
  static constexpr int kTransposedRowBlock = 0;
  static constexpr int kPackAMinDepth = 0;
  static constexpr int kWideVectors = 0;
};

// kTransposedRowBlock, or kRowBlock where it is 0.
template <class M>
constexpr int transposed_row_block() {
  return M::kTransposedRowBlock > 0 ? M::kTransposedRowBlock : M::kRowBlock;
}

constexpr int kPanelSlack = 16;  // floats pack_a_transposed may write past a panel

// The scratch the panels of one row block take (0 for a microkernel that
// never packs A). It is the caller's memory, not the stack: the panels of
// a tall row block would make a frame larger than some platforms' thread
// stacks (docs/EMBEDDING.md, stack).
template <class M>
constexpr std::size_t scratch_floats() {
  return M::kPackAMinDepth > 0
             ? static_cast<std::size_t>(transposed_row_block<M>()) * M::kDepth + kPanelSlack
             : 0;
}

// The tiles of a row block of `rows` rows (see kEvenRows).
template <class M>
struct RowTiles {
  int count, base, taller;
  explicit RowTiles(int rows)
      : count((rows + M::kTileRows - 1) / M::kTileRows),
        base(rows / count),
        taller(rows % count) {}
  // Rows of tile `index`, `left` rows of the block being left for it and after.
  int rows(int index, int left) const {
    if (M::kEvenRows) return base + (index < taller ? 1 : 0);
    return left < M::kTileRows ? left : M::kTileRows;
  }
};

// tile<rows, ...> for 1 <= rows <= kRows.
template <class M, int kRows, bool kATransposed, bool kCopyB>
TACIT_ALWAYS_INLINE void tile_of_rows(int rows, const TileJob& t) {
  if constexpr (kRows > 1) {
    if (rows < kRows) {
      tile_of_rows<M, kRows - 1, kATransposed, kCopyB>(rows, t);
      return;
    }
  }
  M::template tile<kRows, M::kVectors, kATransposed, kCopyB>(t);
}

template <class M, bool kATransposed>
TACIT_ALWAYS_INLINE void tile_of_rows(int rows, const TileJob& t, bool copy_b) {
  if constexpr (M::kCopyB) {
    if (copy_b) {
      tile_of_rows<M, M::kTileRows, kATransposed, true>(rows, t);
      return;
    }
  }
  tile_of_rows<M, M::kTileRows, kATransposed, false>(rows, t);
}

// 1 or 2 rows (see kWideVectors). Returns the first column it left to the
// blocked path (the last, narrower columns).
template <class M, bool kATransposed>
int few_rows(const GemmProblem& p, const GemmTile& t) {
  const int rows = t.row_end - t.row_begin;
  const int width = M::kLanes * M::kWideVectors / rows;
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
    job.c = p.c + static_cast<std::ptrdiff_t>(t.row_begin) * p.ldc + j;
    job.init = p.init != nullptr ? p.init + j : nullptr;
    if (rows == 1) {
      M::template tile<1, M::kWideVectors, kATransposed, false>(job);
    } else {
      M::template tile<2, M::kWideVectors / 2, kATransposed, false>(job);
    }
  }
  return j;
}

// Tiles over k blocks, row blocks and column slices; kPackA: A (stored
// transposed) is copied to `panels` (scratch_floats<M>() floats) a row
// block at a time. Each variant is called from one place only, so that the
// compiler inlines every tile into its loop.
template <class M, bool kPackA>
void blocked(const GemmProblem& p, const GemmTile& t, float* panels) {
  // The panels hold ceil(rows / kTileRows) tiles of kTileRows rows each in
  // storage sized for a transposed A's row block: enough only if it is
  // whole tiles. Only a transposed A is packed.
  constexpr int kPanelRows = transposed_row_block<M>();
  static_assert(!kPackA || kPanelRows % M::kTileRows == 0, "row blocks are whole tiles");
  alignas(64) float packed[M::kDepth * M::kTileCols];
  TileJob job;
  job.a_row = p.a_transposed ? 1 : p.lda;
  job.a_k = p.a_transposed ? p.lda : 1;
  job.ldc = p.ldc;
  // k in blocks as even as can be, none deeper than kDepth (with kDepth
  // 256, 784 as 196 x 4 rather than 256, 256, 256, 16): every block costs
  // a pass over C, and a short last one pays it for little work. k = 0
  // still runs one (empty) block: C gets init, through relu.
  const int k_blocks = p.k > 0 ? (p.k + M::kDepth - 1) / M::kDepth : 1;
  const int row_block = p.a_transposed ? kPanelRows : M::kRowBlock;
  for (int block = 0, k0 = 0; block < k_blocks; ++block, k0 += job.depth) {
    job.depth = p.k / k_blocks + (block < p.k % k_blocks ? 1 : 0);
    job.from_c = k0 > 0;
    job.relu = p.relu && k0 + job.depth >= p.k;
    for (int i0 = t.row_begin; i0 < t.row_end; i0 += row_block) {
      const int i1 = t.row_end - i0 < row_block ? t.row_end : i0 + row_block;
      const RowTiles<M> tiles(i1 - i0);
      if constexpr (kPackA) {
        for (int tile_index = 0, i = i0; job.depth > 0 && tile_index < tiles.count; ++tile_index) {
          const int rows = tiles.rows(tile_index, i1 - i);
          M::pack_a_transposed(
              p.a + static_cast<std::ptrdiff_t>(k0) * p.lda + i, p.lda, job.depth, rows,
              panels + static_cast<std::ptrdiff_t>(tile_index) * M::kTileRows * job.depth);
          i += rows;
        }
      }
      for (int j = t.col_begin; j < t.col_end; j += M::kTileCols) {
        job.cols = t.col_end - j < M::kTileCols ? t.col_end - j : M::kTileCols;
        job.init = p.init != nullptr ? p.init + j : nullptr;
        job.b = packed;
        job.ldb = M::kTileCols;
        job.b_copy = packed;
        // A partial slice is packed (zero-filled); a full one is read in
        // place by a lone tile, or by the first tile that copies it (kCopyB).
        bool copy_b = false;
        if (job.depth > 0) {
          const float* b = p.b + static_cast<std::ptrdiff_t>(k0) * p.ldb + j;
          if (job.cols < M::kTileCols || (tiles.count > 1 && !M::kCopyB)) {
            M::pack_b(b, p.ldb, job.depth, job.cols, packed);
          } else {
            job.b = b;
            job.ldb = p.ldb;
            copy_b = tiles.count > 1;
          }
        }
        for (int tile_index = 0, i = i0; tile_index < tiles.count; ++tile_index) {
          const int rows = tiles.rows(tile_index, i1 - i);
          job.c = p.c + static_cast<std::ptrdiff_t>(i) * p.ldc + j;
          if (kPackA && job.depth > 0) {
            job.a = panels + static_cast<std::ptrdiff_t>(tile_index) * M::kTileRows * job.depth;
            job.a_k = M::kTileRows;
          } else {
            job.a = job.depth > 0 ? p.a + i * job.a_row + k0 * job.a_k : p.a;
          }
          i += rows;
          if (p.a_transposed) {
            tile_of_rows<M, true>(rows, job, copy_b);
          } else {
            tile_of_rows<M, false>(rows, job, copy_b);
          }
          if (copy_b) {
            job.b = packed;
            job.ldb = M::kTileCols;
            copy_b = false;
          }
        }
      }
    }
  }
}

// The kernel: rows [row_begin, row_end) x columns [col_begin, col_end) of C.
template <class M>
void gemm_blocked(const GemmProblem& p, const GemmTile& whole, GemmScratch scratch) {
  GemmTile t = whole;
  if constexpr (M::kWideVectors > 0) {
    if (t.row_end - t.row_begin <= 2 && p.k > 0) {
      t.col_begin = p.a_transposed ? few_rows<M, true>(p, t) : few_rows<M, false>(p, t);
      if (t.col_begin >= t.col_end) return;
    }
  }
  if constexpr (M::kPackAMinDepth > 0) {
    // A transposed is worth packing when several column slices read it and
    // k is long enough to pay for the copy.
    if (p.a_transposed && t.col_end - t.col_begin > M::kTileCols && p.k >= M::kPackAMinDepth &&
        scratch.data != nullptr && scratch.floats >= scratch_floats<M>()) {
      blocked<M, true>(p, t, scratch.data);
      return;
    }
  }
  blocked<M, false>(p, t, nullptr);
}

}  // namespace
}  // namespace kernels
}  // namespace tacit
