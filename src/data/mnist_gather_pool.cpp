// mnist_gather on a Compute's pool: each image is converted by one thread.
#include <cstddef>
#include <cstdint>

#include "data/mnist_gather_internal.h"
#include "parallel.h"
#include "tacit/mnist.h"

namespace tacit {

namespace {
// Below this many pixels (about 40 images) a second thread costs more than
// it saves.
constexpr std::ptrdiff_t kMinParallelPixels = std::ptrdiff_t{1} << 15;
}  // namespace

Status mnist_gather(const Compute& compute, const MnistSplit& split,
                    const std::uint32_t* indices, int count, float* images_out,
                    std::int32_t* labels_out) {
  const Status status = mnist_check_indices(split, indices, count);
  if (!status) return status;
  detail::parallel_ranges(compute, count, 1, static_cast<std::ptrdiff_t>(count) * kMnistPixels,
                          kMinParallelPixels, [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
                            mnist_convert_images(split, indices, begin, end, images_out,
                                                 labels_out);
                          });
  return status;
}

}  // namespace tacit
