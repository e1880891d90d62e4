// Internal: the per-ISA Adam update behind tacit::adam_step. Each kernel
// updates elements [begin, end) with the same IEEE operations in the same
// order per element (include/tacit/optimizer.h): lanes run across elements,
// so every ISA gives the bits of the portable loop. The rules of
// gemm_kernels.h apply: no shared inline functions in ISA-compiled units.
#pragma once

#include <cstddef>

namespace tacit {
namespace kernels {

// Per-step scalars, already rounded to float where PyTorch rounds them.
struct AdamScalars {
  float beta1, beta2, one_minus_beta1, one_minus_beta2;
  float neg_step_size, bias_correction2_sqrt, eps;
};

struct AdamProblem {
  AdamScalars s;
  float* params;
  const float* grads;
  float* m;
  float* v;
};

using AdamKernel = void (*)(const AdamProblem& problem, std::ptrdiff_t begin, std::ptrdiff_t end);

void adam_f32_portable(const AdamProblem& problem, std::ptrdiff_t begin, std::ptrdiff_t end);
#if defined(TACIT_HAVE_AVX2)
void adam_f32_avx2(const AdamProblem& problem, std::ptrdiff_t begin, std::ptrdiff_t end);
#endif
#if defined(TACIT_HAVE_AVX512)
void adam_f32_avx512(const AdamProblem& problem, std::ptrdiff_t begin, std::ptrdiff_t end);
#endif
#if defined(TACIT_HAVE_NEON)
void adam_f32_neon(const AdamProblem& problem, std::ptrdiff_t begin, std::ptrdiff_t end);
#endif

// The kernel of an ISA's entry (isa_kernels.h); the portable one for an
// ISA that is not available.
AdamKernel adam_kernel_for(int isa);

}  // namespace kernels
}  // namespace tacit
