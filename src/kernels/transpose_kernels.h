// Internal: the per-ISA transpose behind mlp_pack (Wᵀ for the forward
// product after every optimizer step). A transpose only moves floats, so
// every variant gives the same bits; the SIMD one moves 8 x 8 blocks with
// shuffles instead of one float at a time. The rules of gemm_kernels.h
// apply: no shared inline functions in ISA-compiled units.
#pragma once

#include <cstddef>

namespace tacit {
namespace kernels {

struct TransposeProblem {
  const float* src;  // (rows, cols), row stride src_stride
  int rows, cols;
  std::ptrdiff_t src_stride;
  float* dst;        // (cols, rows), row stride dst_stride
  std::ptrdiff_t dst_stride;
};

// Writes dst(j, i) = src(i, j) for source rows [row_begin, row_end).
using TransposeKernel = void (*)(const TransposeProblem& problem, int row_begin, int row_end);

void transpose_f32_portable(const TransposeProblem& problem, int row_begin, int row_end);
#if defined(TACIT_HAVE_AVX2)
void transpose_f32_8x8_avx2(const TransposeProblem& problem, int row_begin, int row_end);
#endif

// The kernel of an ISA's entry (isa_kernels.h; AVX-512 uses the AVX2 one);
// the portable one for an ISA that is not available.
TransposeKernel transpose_kernel_for(int isa);

}  // namespace kernels
}  // namespace tacit
