// Noise images generated on demand from their index: the 60,000-image set
// of a run would take 188 MB as floats; generated, it takes none.
#include <cstring>

#include "subliminal/experiment.h"
#include "tacit/rng.h"

namespace subliminal {

using namespace tacit;

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

namespace {

struct GatherJob {
  NoiseKind kind;
  std::uint64_t seed;
  const std::uint32_t* indices;
  int count;
  int pixels;
  float* out;
  int parts;
};

// Part `part` of `parts` contiguous row ranges; an image is 784 values of
// Philox, always worth a thread of its own.
void gather_part(void* context, int part) {
  const GatherJob& job = *static_cast<const GatherJob*>(context);
  const long begin = static_cast<long>(job.count) * part / job.parts;
  const long end = static_cast<long>(job.count) * (part + 1) / job.parts;
  for (long r = begin; r < end; ++r) {
    noise_image(job.kind, job.seed, job.indices[r], job.pixels,
                job.out + r * job.pixels);
  }
}

}  // namespace

void noise_gather(NoiseKind kind, std::uint64_t seed, const std::uint32_t* indices,
                  int count, int pixels, float* out, ThreadPool* pool) {
  GatherJob job{kind, seed, indices, count, pixels, out, 1};
  if (pool != nullptr && pool->size() > 1 && count > 1) {
    job.parts = pool->size() < count ? pool->size() : count;
    pool->run(job.parts, gather_part, &job);
  } else {
    gather_part(&job, 0);
  }
}

}  // namespace subliminal
