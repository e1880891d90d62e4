// How tacit splits work across its pool: [0, extent) in `parts` contiguous
// ranges whose boundaries fall on multiples of `grain` (callers pick it:
// 16 floats for a cache line of an aligned array, a tile, a block of a
// loss's rows, or 1). Each range is computed whole by one
// thread, so where the boundaries fall never changes a bit (docs/STYLE.md, rule 6).
// Portable code only: never include it from src/kernels/, whose files are
// compiled for one ISA (its inline functions would then have copies built
// with that ISA's instructions for the linker to pick from).
#pragma once

#include <cstddef>
#include <cstdint>

#include "tacit/gemm.h"
#include "tacit/threads.h"

namespace tacit {
namespace detail {

// Offsets and extents are std::ptrdiff_t (long is 32 bits on 64-bit
// Windows); grains * part is formed in 64 bits even where ptrdiff_t has 32.
inline std::ptrdiff_t split_point(std::ptrdiff_t extent, std::ptrdiff_t grain, int part,
                                  int parts) {
  const std::int64_t grains = (static_cast<std::int64_t>(extent) + grain - 1) / grain;
  const std::int64_t point = grains * part / parts * grain;
  return point < extent ? static_cast<std::ptrdiff_t>(point) : extent;
}

// body(begin, end) over the ranges of [0, extent): on the pool when there is
// one and `work` reaches `min_parallel_work`, else on the calling thread.
template <typename Body>
void parallel_ranges(const Compute& compute, std::ptrdiff_t extent, std::ptrdiff_t grain,
                     std::ptrdiff_t work, std::ptrdiff_t min_parallel_work, const Body& body) {
  struct Job {
    const Body* body;
    std::ptrdiff_t extent;
    std::ptrdiff_t grain;
    int parts;
  };
  Job job{&body, extent, grain, 1};
  const auto run_part = [](void* context, int part) {
    const Job& j = *static_cast<const Job*>(context);
    const std::ptrdiff_t begin = split_point(j.extent, j.grain, part, j.parts);
    const std::ptrdiff_t end = split_point(j.extent, j.grain, part + 1, j.parts);
    if (begin < end) (*j.body)(begin, end);
  };
  if (compute.pool != nullptr && compute.pool->size() > 1 && work >= min_parallel_work &&
      extent > grain) {
    job.parts = compute.pool->size();
    compute.pool->run(job.parts, run_part, &job);
  } else if (extent > 0) {
    body(0L, extent);
  }
}

}  // namespace detail
}  // namespace tacit
