// The reference transpose, in 32 x 32 blocks so that both sides' cache
// lines stay in L1 while a block is moved.
#include "kernels/transpose_kernels.h"

namespace tacit {
namespace kernels {

void transpose_f32_portable(const TransposeProblem& p, int row_begin, int row_end) {
  constexpr int kBlock = 32;
  for (int r0 = row_begin; r0 < row_end; r0 += kBlock) {
    const int r1 = r0 + kBlock < row_end ? r0 + kBlock : row_end;
    for (int c0 = 0; c0 < p.cols; c0 += kBlock) {
      const int c1 = c0 + kBlock < p.cols ? c0 + kBlock : p.cols;
      for (int r = r0; r < r1; ++r) {
        const float* s = p.src + r * p.src_stride;
        for (int c = c0; c < c1; ++c) p.dst[c * p.dst_stride + r] = s[c];
      }
    }
  }
}

}  // namespace kernels
}  // namespace tacit
