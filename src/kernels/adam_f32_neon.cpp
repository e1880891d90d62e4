// Adam on AArch64 Advanced SIMD, 4 elements per step: the portable loop's
// operations lane by lane. vfmaq_f32(a, b, c) = a + b*c rounded once, like
// std::fma(b, c, a); vsqrtq_f32 and vdivq_f32 are correctly rounded. The
// tail (under 4 elements) is the portable loop itself: AArch64's baseline
// has the fused instruction, so std::fma there is the same operation.
#include <arm_neon.h>

#include "kernels/adam_kernels.h"

namespace tacit {
namespace kernels {

void adam_f32_neon(const AdamProblem& pr, std::ptrdiff_t begin, std::ptrdiff_t end) {
  const float32x4_t beta1 = vdupq_n_f32(pr.s.beta1);
  const float32x4_t beta2 = vdupq_n_f32(pr.s.beta2);
  const float32x4_t one_minus_beta1 = vdupq_n_f32(pr.s.one_minus_beta1);
  const float32x4_t one_minus_beta2 = vdupq_n_f32(pr.s.one_minus_beta2);
  const float32x4_t neg_step_size = vdupq_n_f32(pr.s.neg_step_size);
  const float32x4_t bias_correction2_sqrt = vdupq_n_f32(pr.s.bias_correction2_sqrt);
  const float32x4_t eps = vdupq_n_f32(pr.s.eps);
  std::ptrdiff_t i = begin;
  for (; i + 4 <= end; i += 4) {
    const float32x4_t g = vld1q_f32(pr.grads + i);
    const float32x4_t m =
        vfmaq_f32(vmulq_f32(vld1q_f32(pr.m + i), beta1), one_minus_beta1, g);
    const float32x4_t v =
        vfmaq_f32(vmulq_f32(vld1q_f32(pr.v + i), beta2), vmulq_f32(one_minus_beta2, g), g);
    const float32x4_t denom = vaddq_f32(vdivq_f32(vsqrtq_f32(v), bias_correction2_sqrt), eps);
    const float32x4_t p =
        vaddq_f32(vld1q_f32(pr.params + i), vdivq_f32(vmulq_f32(neg_step_size, m), denom));
    vst1q_f32(pr.m + i, m);
    vst1q_f32(pr.v + i, v);
    vst1q_f32(pr.params + i, p);
  }
  adam_f32_portable(pr, i, end);
}

}  // namespace kernels
}  // namespace tacit
