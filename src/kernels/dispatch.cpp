// Run-time choice of the product kernel: what was compiled in, what the CPU
// (and its OS) supports, and TACIT_ISA. A build never assumes its CPU.
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "kernels/adam_kernels.h"
#include "kernels/gemm_kernels.h"
#include "kernels/math_kernels.h"
#include "kernels/philox_kernels.h"
#include "kernels/transpose_kernels.h"
#include "tacit/isa.h"
#include "tacit/math.h"

namespace tacit {

namespace {

bool cpu_has_avx2_fma() {
#if defined(TACIT_HAVE_AVX2) && (defined(__GNUC__) || defined(__clang__))
  // __builtin_cpu_supports checks the CPUID bits and that the OS saves the
  // wider registers (XGETBV), so a VM without AVX state gets "false".
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

bool cpu_has_avx512f() {
#if defined(TACIT_HAVE_AVX512) && (defined(__GNUC__) || defined(__clang__))
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::portable: return "portable";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
    case Isa::neon: return "neon";
  }
  return "unknown";
}

bool isa_parse(const char* name, Isa* isa) {
  for (Isa candidate : {Isa::portable, Isa::avx2, Isa::avx512, Isa::neon}) {
    if (name != nullptr && std::strcmp(name, isa_name(candidate)) == 0) {
      *isa = candidate;
      return true;
    }
  }
  return false;
}

bool isa_available(Isa isa) {
  switch (isa) {
    case Isa::portable: return true;
    case Isa::avx2: return cpu_has_avx2_fma();
    case Isa::avx512: return cpu_has_avx512f();
    case Isa::neon:
#if defined(TACIT_HAVE_NEON)
      return true;  // Advanced SIMD is part of every AArch64 CPU.
#else
      return false;
#endif
  }
  return false;
}

Isa isa_best() {
  for (Isa candidate : {Isa::avx512, Isa::avx2, Isa::neon}) {
    if (isa_available(candidate)) return candidate;
  }
  return Isa::portable;
}

Status isa_from_environment(Isa* isa) {
  const char* requested = std::getenv("TACIT_ISA");
  if (requested == nullptr || requested[0] == '\0') {
    *isa = isa_best();
    return Status::success();
  }
  Isa parsed;
  if (!isa_parse(requested, &parsed)) {
    return Status::error(
        "TACIT_ISA=%s: unknown ISA; expected portable, avx2, avx512 or neon",
        requested);
  }
  if (!isa_available(parsed)) {
    return Status::error(
        "TACIT_ISA=%s: not available here (not compiled in, or this CPU lacks "
        "it); the best available is %s",
        requested, isa_name(isa_best()));
  }
  *isa = parsed;
  return Status::success();
}

namespace kernels {

GemmKernel gemm_kernel_for(int isa) {
  switch (static_cast<Isa>(isa)) {
    case Isa::avx2:
#if defined(TACIT_HAVE_AVX2)
      return gemm_f32_6x16_avx2;
#else
      break;
#endif
    case Isa::avx512:
#if defined(TACIT_HAVE_AVX512)
      return gemm_f32_8x32_avx512;
#else
      break;
#endif
    case Isa::neon:
#if defined(TACIT_HAVE_NEON)
      return gemm_f32_8x12_neon;
#else
      break;
#endif
    case Isa::portable:
      break;
  }
  return gemm_f32_portable;
}

AdamKernel adam_kernel_for(int isa) {
  switch (static_cast<Isa>(isa)) {
    case Isa::avx2:
#if defined(TACIT_HAVE_AVX2)
      return adam_f32_avx2;
#else
      break;
#endif
    case Isa::avx512:
#if defined(TACIT_HAVE_AVX512)
      return adam_f32_avx512;
#else
      break;
#endif
    case Isa::neon:
#if defined(TACIT_HAVE_NEON)
      return adam_f32_neon;
#else
      break;
#endif
    case Isa::portable:
      break;
  }
  return adam_f32_portable;
}

TransposeKernel transpose_kernel_for(int isa) {
#if defined(TACIT_HAVE_AVX2)
  // Every AVX-512 CPU has AVX2; the check keeps that an observation.
  if ((static_cast<Isa>(isa) == Isa::avx2 || static_cast<Isa>(isa) == Isa::avx512) &&
      cpu_has_avx2_fma()) {
    return transpose_f32_8x8_avx2;
  }
#endif
  (void)isa;
  return transpose_f32_portable;
}

PhiloxUniformKernel philox_uniform_kernel_for(int isa) {
#if defined(TACIT_HAVE_AVX2)
  // AVX2 integer code is the fastest there is on AVX-512 CPUs as well.
  const auto wanted = static_cast<Isa>(isa);
  if ((wanted == Isa::avx2 || wanted == Isa::avx512) && isa_available(Isa::avx2)) {
    return philox_uniform_avx2;
  }
#else
  (void)isa;
#endif
  return nullptr;
}

MathKernels math_kernels_for(int isa) {
#if defined(TACIT_HAVE_AVX2)
  const auto wanted = static_cast<Isa>(isa);
  if ((wanted == Isa::avx2 || wanted == Isa::avx512) && isa_available(Isa::avx2)) {
    return {exp_f32_avx2, log_f32_avx2, exp_f32_array_avx2};
  }
#else
  (void)isa;
#endif
  return {exp_f32, log_f32, exp_f32_array_portable};
}

}  // namespace kernels
}  // namespace tacit
