// The AVX-512 kernels (product and Adam) compiled against SIMDe's AVX-512 emulation, which is
// built from AVX2 + FMA (its _mm512_fmadd_ps is two _mm256_fmadd_ps: still
// one rounding per term). It lets a CPU without AVX-512 check that kernel's
// tiling, masks and blocking; only this test program links it.
#include <simde/x86/avx512.h>

namespace {

// SIMDe 0.7 has no masked unaligned load or store; lane by lane, masked-off
// lanes are neither read nor written, as on AVX-512.
simde__m512 emulated_maskz_loadu_ps(simde__mmask16 k, const float* p) {
  float lanes[16];
  for (int l = 0; l < 16; ++l) lanes[l] = (k >> l) & 1 ? p[l] : 0.0f;
  return simde_mm512_loadu_ps(lanes);
}

void emulated_mask_storeu_ps(float* p, simde__mmask16 k, simde__m512 x) {
  float lanes[16];
  simde_mm512_storeu_ps(lanes, x);
  for (int l = 0; l < 16; ++l) {
    if ((k >> l) & 1) p[l] = lanes[l];
  }
}

// SIMDe 0.7 has no zero-masked sqrt either.
simde__m512 emulated_maskz_sqrt_ps(simde__mmask16 k, simde__m512 x) {
  return simde_mm512_maskz_mov_ps(k, simde_mm512_sqrt_ps(x));
}

}  // namespace

// <immintrin.h> is already in (SIMDe includes it for AVX2), so the kernel's
// own #include of it adds nothing and these names reach SIMDe. Some are
// macros in clang's headers, hence the #undef.
#undef __m512
#define __m512 simde__m512
#undef __mmask16
#define __mmask16 simde__mmask16
#undef _mm512_cmp_ps_mask
#define _mm512_cmp_ps_mask simde_mm512_cmp_ps_mask
#undef _mm512_fmadd_ps
#define _mm512_fmadd_ps simde_mm512_fmadd_ps
#undef _mm512_loadu_ps
#define _mm512_loadu_ps simde_mm512_loadu_ps
#undef _mm512_mask_storeu_ps
#define _mm512_mask_storeu_ps emulated_mask_storeu_ps
#undef _mm512_maskz_loadu_ps
#define _mm512_maskz_loadu_ps emulated_maskz_loadu_ps
#undef _mm512_maskz_mov_ps
#define _mm512_maskz_mov_ps simde_mm512_maskz_mov_ps
#undef _mm512_set1_ps
#define _mm512_set1_ps simde_mm512_set1_ps
#undef _mm512_setzero_ps
#define _mm512_setzero_ps simde_mm512_setzero_ps
#undef _mm512_store_ps
#define _mm512_store_ps simde_mm512_store_ps
#undef _mm512_add_ps
#define _mm512_add_ps simde_mm512_add_ps
#undef _mm512_mul_ps
#define _mm512_mul_ps simde_mm512_mul_ps
#undef _mm512_div_ps
#define _mm512_div_ps simde_mm512_div_ps
#undef _mm512_maskz_sqrt_ps
#define _mm512_maskz_sqrt_ps emulated_maskz_sqrt_ps
#undef _mm512_storeu_ps
#define _mm512_storeu_ps simde_mm512_storeu_ps
#define TACIT_HAVE_AVX512 1
#define gemm_f32_8x32_avx512 gemm_f32_8x32_avx512_emulated
#include "kernels/gemm_f32_avx512.cpp"
#define adam_f32_avx512 adam_f32_avx512_emulated
#include "kernels/adam_f32_avx512.cpp"
