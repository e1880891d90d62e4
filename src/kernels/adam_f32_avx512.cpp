// Adam on AVX-512F, 16 elements per step: the portable loop's operations
// lane by lane (see adam_f32_avx2.cpp for why the bits are the same). The
// tail runs under a mask register.
#include <immintrin.h>

#include "kernels/adam_kernels.h"

namespace tacit {
namespace kernels {
namespace {

struct AdamVectors {
  __m512 beta1, beta2, one_minus_beta1, one_minus_beta2;
  __m512 neg_step_size, bias_correction2_sqrt, eps;
};

struct AdamLanes {
  __m512 p, m, v;
};

inline AdamLanes adam_update(const AdamVectors& s, __m512 p, __m512 g, __m512 m, __m512 v) {
  m = _mm512_fmadd_ps(s.one_minus_beta1, g, _mm512_mul_ps(m, s.beta1));
  v = _mm512_fmadd_ps(_mm512_mul_ps(s.one_minus_beta2, g), g, _mm512_mul_ps(v, s.beta2));
  // The zero-masked sqrt with every lane on is vsqrtps itself; the plain
  // intrinsic trips g++ 12's maybe-uninitialized warning (its undefined source).
  const __m512 root = _mm512_maskz_sqrt_ps(static_cast<__mmask16>(0xFFFF), v);
  const __m512 denom = _mm512_add_ps(_mm512_div_ps(root, s.bias_correction2_sqrt), s.eps);
  p = _mm512_add_ps(p, _mm512_div_ps(_mm512_mul_ps(s.neg_step_size, m), denom));
  return {p, m, v};
}

}  // namespace

void adam_f32_avx512(const AdamProblem& pr, std::ptrdiff_t begin, std::ptrdiff_t end) {
  const AdamVectors s{_mm512_set1_ps(pr.s.beta1),           _mm512_set1_ps(pr.s.beta2),
                  _mm512_set1_ps(pr.s.one_minus_beta1), _mm512_set1_ps(pr.s.one_minus_beta2),
                  _mm512_set1_ps(pr.s.neg_step_size),
                  _mm512_set1_ps(pr.s.bias_correction2_sqrt), _mm512_set1_ps(pr.s.eps)};
  std::ptrdiff_t i = begin;
  for (; i + 16 <= end; i += 16) {
    const AdamLanes out = adam_update(s, _mm512_loadu_ps(pr.params + i), _mm512_loadu_ps(pr.grads + i),
                             _mm512_loadu_ps(pr.m + i), _mm512_loadu_ps(pr.v + i));
    _mm512_storeu_ps(pr.m + i, out.m);
    _mm512_storeu_ps(pr.v + i, out.v);
    _mm512_storeu_ps(pr.params + i, out.p);
  }
  if (i < end) {
    const __mmask16 mask = static_cast<__mmask16>((1u << (end - i)) - 1);
    const AdamLanes out = adam_update(s, _mm512_maskz_loadu_ps(mask, pr.params + i),
                             _mm512_maskz_loadu_ps(mask, pr.grads + i),
                             _mm512_maskz_loadu_ps(mask, pr.m + i),
                             _mm512_maskz_loadu_ps(mask, pr.v + i));
    _mm512_mask_storeu_ps(pr.m + i, mask, out.m);
    _mm512_mask_storeu_ps(pr.v + i, mask, out.v);
    _mm512_mask_storeu_ps(pr.params + i, mask, out.p);
  }
}

}  // namespace kernels
}  // namespace tacit
