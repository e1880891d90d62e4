// Internal: whole Philox4x32-10 blocks turned into uniform floats, the bulk
// of tacit's noise images (random_fill_uniform_pm1 / _uniform01 in rng.cpp,
// which does the partial blocks at either end itself). Integer arithmetic
// and exact conversions only, so every variant gives the bits of rng.cpp's
// scalar code. The rules of gemm_kernels.h apply: no shared inline
// functions in ISA-compiled units.
#pragma once

#include <cstdint>

namespace tacit {
namespace kernels {

struct PhiloxUniformProblem {
  std::uint32_t key0, key1;  // the seed's low and high words
  std::uint32_t stream;
  std::uint64_t first_block;  // counter of out[0..3]
  std::int64_t blocks;        // out receives 4 * blocks floats (64 bits on LLP64 too)
  bool plus_minus_one;        // (u >> 8) * 2^-23 - 1, else (u >> 8) * 2^-24
  float* out;
};

using PhiloxUniformKernel = void (*)(const PhiloxUniformProblem& problem);

#if defined(TACIT_HAVE_AVX2)
void philox_uniform_avx2(const PhiloxUniformProblem& problem);
#endif

// The SIMD kernel of an ISA's entry (isa_kernels.h), or nullptr where
// rng.cpp's scalar loop is the fastest there is (portable, ISAs without
// one, and ISAs that are not available).
PhiloxUniformKernel philox_uniform_kernel_for(int isa);

}  // namespace kernels
}  // namespace tacit
