// Adam on AVX2 + FMA, 8 elements per step: the portable loop's operations
// (adam_f32_portable.cpp) lane by lane. _mm256_sqrt_ps and _mm256_div_ps are
// correctly rounded like std::sqrt and /, and _mm256_fmadd_ps rounds once
// like std::fma, so each element gets the same bits. The tail is the same
// vector code under a mask: masked-off lanes are neither read nor written.
#include <immintrin.h>

#include "kernels/adam_kernels.h"

namespace tacit {
namespace kernels {
namespace {

struct AdamVectors {
  __m256 beta1, beta2, one_minus_beta1, one_minus_beta2;
  __m256 neg_step_size, bias_correction2_sqrt, eps;
};

struct AdamLanes {
  __m256 p, m, v;
};

inline AdamLanes adam_update(const AdamVectors& s, __m256 p, __m256 g, __m256 m, __m256 v) {
  m = _mm256_fmadd_ps(s.one_minus_beta1, g, _mm256_mul_ps(m, s.beta1));
  v = _mm256_fmadd_ps(_mm256_mul_ps(s.one_minus_beta2, g), g, _mm256_mul_ps(v, s.beta2));
  const __m256 denom =
      _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(v), s.bias_correction2_sqrt), s.eps);
  p = _mm256_add_ps(p, _mm256_div_ps(_mm256_mul_ps(s.neg_step_size, m), denom));
  return {p, m, v};
}

}  // namespace

void adam_f32_avx2(const AdamProblem& pr, std::ptrdiff_t begin, std::ptrdiff_t end) {
  const AdamVectors s{_mm256_set1_ps(pr.s.beta1),           _mm256_set1_ps(pr.s.beta2),
                  _mm256_set1_ps(pr.s.one_minus_beta1), _mm256_set1_ps(pr.s.one_minus_beta2),
                  _mm256_set1_ps(pr.s.neg_step_size),
                  _mm256_set1_ps(pr.s.bias_correction2_sqrt), _mm256_set1_ps(pr.s.eps)};
  std::ptrdiff_t i = begin;
  for (; i + 8 <= end; i += 8) {
    const AdamLanes out = adam_update(s, _mm256_loadu_ps(pr.params + i), _mm256_loadu_ps(pr.grads + i),
                             _mm256_loadu_ps(pr.m + i), _mm256_loadu_ps(pr.v + i));
    _mm256_storeu_ps(pr.m + i, out.m);
    _mm256_storeu_ps(pr.v + i, out.v);
    _mm256_storeu_ps(pr.params + i, out.p);
  }
  if (i < end) {
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(end - i)),
                                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const AdamLanes out =
        adam_update(s, _mm256_maskload_ps(pr.params + i, mask), _mm256_maskload_ps(pr.grads + i, mask),
               _mm256_maskload_ps(pr.m + i, mask), _mm256_maskload_ps(pr.v + i, mask));
    _mm256_maskstore_ps(pr.m + i, mask, out.m);
    _mm256_maskstore_ps(pr.v + i, mask, out.v);
    _mm256_maskstore_ps(pr.params + i, mask, out.p);
  }
}

}  // namespace kernels
}  // namespace tacit
