// exp_f32/log_f32 compiled with -mavx2 -mfma: math_impl.h's steps with each
// fma one instruction. Only dispatch.cpp decides whether it may run.
#include <immintrin.h>

#include "kernels/math_kernels.h"

#define TACIT_MATH_FMA(a, b, c) \
  _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(a), _mm_set_ss(b), _mm_set_ss(c)))
#include "math_impl.h"

namespace tacit {
namespace kernels {

float exp_f32_avx2(float x) { return exp_body(x); }
float log_f32_avx2(float x) { return log_body(x); }

}  // namespace kernels
}  // namespace tacit
