// Internal: the uniform fills with the ISA named, so that tests reach the
// scalar loop on CPUs where the public fills use a SIMD kernel.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tacit/isa.h"

namespace tacit {

// random_fill_uniform_pm1 (plus_minus_one) or random_fill_uniform01, with
// isa's whole-block kernel (the scalar loop where it has none).
void random_fill_uniform(Isa isa, bool plus_minus_one, std::uint64_t seed,
                         std::uint32_t stream, std::uint64_t first, std::size_t count,
                         float* out);

}  // namespace tacit
