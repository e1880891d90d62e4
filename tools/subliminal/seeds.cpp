#include "subliminal/experiment.h"
#include "tacit/rng.h"

namespace subliminal {

using namespace tacit;

std::uint64_t experiment_run_seed(std::uint64_t seed, int run) {
  const auto first = 2 * static_cast<std::uint64_t>(static_cast<std::uint32_t>(run));
  const std::uint64_t low = random_u32(seed, kRunSeedStream, first);
  const std::uint64_t high = random_u32(seed, kRunSeedStream, first + 1);
  return (high << 32) | low;
}

}  // namespace subliminal
