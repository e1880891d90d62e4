// The portable exp_f32/log_f32: the steps of math_impl.h with fma_f32
// (std::fma where the C library's fmaf rounds once).
#include "tacit/math.h"

#include "fma_f32.h"
#include "kernels/math_kernels.h"

#define TACIT_MATH_FMA(a, b, c) ::tacit::detail::fma_f32(a, b, c)
#include "math_impl.h"

namespace tacit {

float exp_f32(float x) { return exp_body(x); }
float log_f32(float x) { return log_body(x); }

namespace kernels {

void exp_f32_array_portable(const float* x, float* out, int n) {
  for (int i = 0; i < n; ++i) out[i] = exp_body(x[i]);
}

void log_f32_array_portable(const float* x, float* out, int n) {
  for (int i = 0; i < n; ++i) out[i] = log_body(x[i]);
}

}  // namespace kernels

}  // namespace tacit
