// The cross-model pairing draws a fixed number of words and maps each to a
// range by multiply-shift, so a seed gives the same pairing on every platform.
#include "subliminal/experiment.h"
#include "tacit/rng.h"

namespace subliminal {

using namespace tacit;

namespace {

// floor(u · bound / 2^32): in [0, bound) for bound <= 2^32.
std::uint32_t scale(std::uint32_t u, std::uint64_t bound) {
  return static_cast<std::uint32_t>((static_cast<std::uint64_t>(u) * bound) >> 32);
}

void identity(std::uint32_t n, std::uint32_t* order) {
  for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
}

void swap(std::uint32_t* order, std::uint32_t i, std::uint32_t j) {
  const std::uint32_t t = order[i];
  order[i] = order[j];
  order[j] = t;
}

}  // namespace

Status derangement(std::uint64_t seed, std::uint32_t n, std::uint32_t* perm) {
  if (n < 2) {
    return Status::error("derangement: n is %u; a permutation without fixed points "
                         "needs n >= 2", n);
  }
  identity(n, perm);
  for (std::uint32_t i = n - 1, k = 0; i >= 1; --i, ++k) {
    const std::uint32_t j = scale(random_u32(seed, kPairingStream, k), i);
    swap(perm, i, j);
  }
  return Status::success();
}

}  // namespace subliminal
