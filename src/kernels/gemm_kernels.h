// Internal: the per-ISA product kernels behind tacit::gemm. Each kernel
// computes one rectangle of C; gemm.cpp splits C into rectangles for threads.
// A kernel translation unit may be compiled for an ISA the CPU lacks, so it
// must not define or instantiate inline functions shared with other units
// (no std:: algorithms, no templates from common headers with external
// linkage): the linker could keep its copy and run it on a CPU without that
// ISA. gemm_driver.h's templates are in an unnamed namespace for that reason.
#pragma once

#include <cstddef>

namespace tacit {
namespace kernels {

struct GemmProblem {
  int m = 0, n = 0, k = 0;
  const float* a = nullptr;
  int lda = 0;
  bool a_transposed = false;  // a(i, kk) = a[kk * lda + i] instead of a[i * lda + kk]
  const float* b = nullptr;   // b(kk, j) = b[kk * ldb + j]
  int ldb = 0;
  const float* init = nullptr;  // n floats or nullptr (+0)
  float* c = nullptr;           // c(i, j) = c[i * ldc + j]
  int ldc = 0;
  bool relu = false;
};

// Rows [row_begin, row_end) and columns [col_begin, col_end) of C.
struct GemmTile {
  int row_begin = 0, row_end = 0, col_begin = 0, col_end = 0;
};

// Memory a kernel may use beyond its stack: `floats` floats at `data` (a
// float's alignment is enough; a pool's slots have 64 bytes), or none. A
// kernel whose table entry asks for scratch (IsaKernels::gemm_scratch_floats)
// runs without it too, only slower, so that no product needs a large stack
// frame (docs/EMBEDDING.md, stack).
struct GemmScratch {
  float* data = nullptr;
  std::size_t floats = 0;
};

using GemmKernel = void (*)(const GemmProblem& problem, const GemmTile& tile,
                            GemmScratch scratch);

void gemm_f32_portable(const GemmProblem& problem, const GemmTile& tile,
                       GemmScratch scratch);
// Names say dtype, register tile (rows x columns of C) and ISA. Each ISA's
// kernel is compiled (and declared) only where src/kernels/meson.build
// defines its TACIT_HAVE_* macro.
#if defined(TACIT_HAVE_AVX2)
void gemm_f32_6x16_avx2(const GemmProblem& problem, const GemmTile& tile,
                        GemmScratch scratch);
extern const std::size_t kGemmF32Avx2ScratchFloats;
// Some kernel compiled in may want scratch: only then do pools allocate it.
#define TACIT_GEMM_SCRATCH 1
#endif
#if defined(TACIT_HAVE_AVX512)
void gemm_f32_8x32_avx512(const GemmProblem& problem, const GemmTile& tile,
                          GemmScratch scratch);
#endif
#if defined(TACIT_HAVE_NEON)
void gemm_f32_8x12_neon(const GemmProblem& problem, const GemmTile& tile,
                        GemmScratch scratch);
#endif

// The kernel of an ISA's entry (isa_kernels.h); the portable one for an
// ISA that is not available.
GemmKernel gemm_kernel_for(int isa);
// The most scratch any available ISA's kernel uses (0: none does).
std::size_t gemm_scratch_floats_max();

}  // namespace kernels
}  // namespace tacit
