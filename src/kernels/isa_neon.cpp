// The AArch64 Advanced SIMD entry of the kernel table (isa_kernels.h).
// Transpose and exp/log are the portable ones; Philox is rng.cpp's loop.
#include "kernels/isa_kernels.h"
#include "tacit/math.h"

namespace tacit {
namespace kernels {

#if defined(TACIT_HAVE_NEON)
namespace {

bool always() { return true; }  // Advanced SIMD is part of every AArch64 CPU.

}  // namespace

extern const IsaKernels kIsaNeon = {
    Isa::neon, "neon", always, gemm_f32_8x12_neon, nullptr, adam_f32_neon,
    transpose_f32_portable, nullptr, {exp_f32, log_f32, exp_f32_array_portable, log_f32_array_portable}};
#else
extern const IsaKernels kIsaNeon = {Isa::neon, "neon"};
#endif

}  // namespace kernels
}  // namespace tacit
