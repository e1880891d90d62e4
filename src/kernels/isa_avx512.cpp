// The AVX-512F entry of the kernel table (isa_kernels.h). Compiled without
// ISA flags: available() must run on CPUs without AVX-512. The transpose,
// Philox and exp/log kernels are AVX2's (the fastest there are on AVX-512
// CPUs), so this entry also requires AVX2, which every AVX-512 CPU has.
#include "kernels/isa_kernels.h"

namespace tacit {
namespace kernels {

#if defined(TACIT_HAVE_AVX512) && defined(TACIT_HAVE_AVX2) && \
    (defined(__GNUC__) || defined(__clang__))
namespace {

bool available() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma") &&
         __builtin_cpu_supports("avx2");
}

}  // namespace

extern const IsaKernels kIsaAvx512 = {
    Isa::avx512, "avx512", available, gemm_f32_8x32_avx512, nullptr, adam_f32_avx512,
    transpose_f32_8x8_avx2, philox_uniform_avx2,
    {exp_f32_avx2, log_f32_avx2, exp_f32_array_avx2, log_f32_array_avx2}};
#else
extern const IsaKernels kIsaAvx512 = {Isa::avx512, "avx512"};
#endif

}  // namespace kernels
}  // namespace tacit
