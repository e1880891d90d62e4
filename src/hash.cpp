#include "tacit/hash.h"

#include <cstring>

namespace tacit {

std::uint64_t hash_floats(const float* values, std::size_t count, std::uint64_t hash) {
  constexpr std::uint64_t kPrime = 0x100000001b3ull;
  for (std::size_t i = 0; i < count; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, &values[i], sizeof bits);
    for (int byte = 0; byte < 4; ++byte) {
      hash ^= (bits >> (8 * byte)) & 0xffu;
      hash *= kPrime;
    }
  }
  return hash;
}

}  // namespace tacit
