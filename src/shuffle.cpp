// A fixed number of words, each mapped to a range by multiply-shift, so a
// seed gives the same order on every platform.
#include "tacit/rng.h"

namespace tacit {

void shuffle_order(std::uint64_t seed, std::uint32_t stream, std::uint64_t epoch,
                   std::uint32_t n, std::uint32_t* order) {
  for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
  const std::uint64_t first = epoch * n;
  for (std::uint32_t i = n > 0 ? n - 1 : 0, k = 0; i >= 1; --i, ++k) {
    const std::uint64_t u = random_u32(seed, stream, first + k);
    const auto j = static_cast<std::uint32_t>((u * (i + 1ull)) >> 32);
    const std::uint32_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

}  // namespace tacit
