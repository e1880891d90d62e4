// The reference Adam update, element by element: the definition every
// vector kernel must equal bit for bit (fma_f32 is one rounding, whether
// an instruction, libm's fmaf or src/fma_f32.h's own).
#include <cmath>

#include "fma_f32.h"
#include "kernels/adam_kernels.h"

namespace tacit {
namespace kernels {

void adam_f32_portable(const AdamProblem& p, std::ptrdiff_t begin, std::ptrdiff_t end) {
  const AdamScalars& s = p.s;
  for (std::ptrdiff_t i = begin; i < end; ++i) {
    const float g = p.grads[i];
    p.m[i] = detail::fma_f32(s.one_minus_beta1, g, p.m[i] * s.beta1);
    p.v[i] = detail::fma_f32(s.one_minus_beta2 * g, g, p.v[i] * s.beta2);
    const float denom = std::sqrt(p.v[i]) / s.bias_correction2_sqrt + s.eps;
    p.params[i] = p.params[i] + (s.neg_step_size * p.m[i]) / denom;
  }
}

}  // namespace kernels
}  // namespace tacit
