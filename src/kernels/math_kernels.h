// Internal: exp_f32/log_f32 for the loss, per ISA. Without -mfma, std::fma
// is a call into libm, and those calls were half of the loss's time; the
// AVX2 variant compiles the same steps (math_impl.h) with inline fused
// multiply-adds. An fma is exactly rounded either way: the same bits.
#pragma once

namespace tacit {
namespace kernels {

struct MathKernels {
  float (*exp)(float x);
  float (*log)(float x);
  // out[i] = exp(x[i]) for i < n; out may be x. The softmax's exps of a
  // block of rows: on AVX2 eight lanes at a time, each lane the same steps
  // as exp.
  void (*exp_array)(const float* x, float* out, int n);
  // out[i] = log(x[i]) likewise: the log-sum of each row of a block.
  void (*log_array)(const float* x, float* out, int n);
};

void exp_f32_array_portable(const float* x, float* out, int n);
void log_f32_array_portable(const float* x, float* out, int n);
#if defined(TACIT_HAVE_AVX2)
float exp_f32_avx2(float x);
float log_f32_avx2(float x);
void exp_f32_array_avx2(const float* x, float* out, int n);
void log_f32_array_avx2(const float* x, float* out, int n);
#endif

// The variants of an ISA's entry (isa_kernels.h): the FMA ones for avx2
// and avx512, tacit::exp_f32/log_f32 otherwise and for an ISA that is not
// available.
MathKernels math_kernels_for(int isa);

}  // namespace kernels
}  // namespace tacit
