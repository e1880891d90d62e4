// Noise images generated on demand from their index: the 60,000-image set
// of a run would take 188 MB as floats; generated, it takes none.
#include <cstring>

#include "tacit/experiment.h"
#include "tacit/rng.h"
#include "parallel.h"

namespace tacit {

const char* noise_name(NoiseKind kind) {
  return kind == NoiseKind::normal ? "normal" : "uniform";
}

bool noise_parse(const char* name, NoiseKind* kind) {
  if (std::strcmp(name, "uniform") == 0) {
    *kind = NoiseKind::uniform;
  } else if (std::strcmp(name, "normal") == 0) {
    *kind = NoiseKind::normal;
  } else {
    return false;
  }
  return true;
}

void noise_image(NoiseKind kind, std::uint64_t seed, std::uint32_t index, int pixels,
                 float* out) {
  const std::uint64_t first = static_cast<std::uint64_t>(index) *
                              static_cast<std::uint64_t>(pixels);
  const auto count = static_cast<std::size_t>(pixels);
  if (kind == NoiseKind::normal) {
    random_fill_normal(seed, kNoiseStream, first, count, out);
  } else {
    random_fill_uniform_pm1(seed, kNoiseStream, first, count, out);
  }
}

void noise_gather(NoiseKind kind, std::uint64_t seed, const std::uint32_t* indices,
                  int count, int pixels, float* out, ThreadPool* pool) {
  const Compute compute{Isa::portable, pool};
  // An image is 784 values of Philox: always worth a thread of its own.
  detail::parallel_ranges(compute, count, 1, count, 2, [&](long begin, long end) {
    for (long r = begin; r < end; ++r) {
      noise_image(kind, seed, indices[r], pixels, out + r * pixels);
    }
  });
}

}  // namespace tacit
