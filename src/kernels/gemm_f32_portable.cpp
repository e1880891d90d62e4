// The reference product: plain C++ with fma_f32 (src/fma_f32.h), the
// definition every SIMD variant must equal bit for bit. Tiles of 4 rows x 32
// columns keep a block of accumulators in registers (or L1) so B is read
// once per 4 rows.
#include "fma_f32.h"
#include "kernels/gemm_kernels.h"

namespace tacit {
namespace kernels {
namespace {

constexpr int kTileRows = 4;
constexpr int kTileCols = 32;

inline float a_at(const GemmProblem& p, int i, int kk) {
  return p.a_transposed ? p.a[static_cast<std::ptrdiff_t>(kk) * p.lda + i]
                        : p.a[static_cast<std::ptrdiff_t>(i) * p.lda + kk];
}

inline float relu(float x) { return x > 0.0f ? x : 0.0f; }

void tile_4x32(const GemmProblem& p, int row, int rows, int col, int cols) {
  float acc[kTileRows][kTileCols];
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < cols; ++j) acc[r][j] = p.init ? p.init[col + j] : 0.0f;
  for (int kk = 0; kk < p.k; ++kk) {
    const float* b_row = p.b + static_cast<std::ptrdiff_t>(kk) * p.ldb + col;
    for (int r = 0; r < rows; ++r) {
      const float a = a_at(p, row + r, kk);
      for (int j = 0; j < cols; ++j) acc[r][j] = detail::fma_f32(a, b_row[j], acc[r][j]);
    }
  }
  for (int r = 0; r < rows; ++r) {
    float* c_row = p.c + static_cast<std::ptrdiff_t>(row + r) * p.ldc + col;
    for (int j = 0; j < cols; ++j) c_row[j] = p.relu ? relu(acc[r][j]) : acc[r][j];
  }
}

}  // namespace

void gemm_f32_portable(const GemmProblem& p, const GemmTile& t, GemmScratch) {
  for (int row = t.row_begin; row < t.row_end; row += kTileRows) {
    const int rows = t.row_end - row < kTileRows ? t.row_end - row : kTileRows;
    for (int col = t.col_begin; col < t.col_end; col += kTileCols) {
      const int cols = t.col_end - col < kTileCols ? t.col_end - col : kTileCols;
      tile_4x32(p, row, rows, col, cols);
    }
  }
}

}  // namespace kernels
}  // namespace tacit
