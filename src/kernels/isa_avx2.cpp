// The AVX2 + FMA entry of the kernel table (isa_kernels.h). Compiled
// without ISA flags: available() must run on CPUs without AVX2.
#include "kernels/isa_kernels.h"

namespace tacit {
namespace kernels {

#if defined(TACIT_HAVE_AVX2) && (defined(__GNUC__) || defined(__clang__))
namespace {

// __builtin_cpu_supports checks the CPUID bits and that the OS saves the
// wider registers (XGETBV), so a VM without AVX state gets "false".
bool available() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

}  // namespace

extern const IsaKernels kIsaAvx2 = {
    Isa::avx2, "avx2", available, gemm_f32_6x16_avx2, &kGemmF32Avx2ScratchFloats, adam_f32_avx2,
    transpose_f32_8x8_avx2, philox_uniform_avx2,
    {exp_f32_avx2, log_f32_avx2, exp_f32_array_avx2, log_f32_array_avx2}};
#else
extern const IsaKernels kIsaAvx2 = {Isa::avx2, "avx2"};
#endif

}  // namespace kernels
}  // namespace tacit
