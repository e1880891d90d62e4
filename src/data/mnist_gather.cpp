// One batch of MNIST for training: pixels gathered by index and scaled to
// float in the caller's buffer, so a shuffled epoch allocates nothing.
#include <cinttypes>
#include <cstddef>
#include <cstdint>

#include "parallel.h"
#include "tacit/mnist.h"

namespace tacit {

namespace {
// Below this many pixels (about 40 images) a second thread costs more than
// it saves.
constexpr std::ptrdiff_t kMinParallelPixels = std::ptrdiff_t{1} << 15;

// Inlined into the gather loop; mnist_pixel_to_float is its public face.
float scale_pixel(std::uint8_t p) { return (static_cast<float>(p) / 255.0f - 0.5f) / 0.5f; }
}  // namespace

float mnist_pixel_to_float(std::uint8_t p) { return scale_pixel(p); }

Status mnist_gather(const MnistSplit& split, const std::uint32_t* indices,
                    int count, float* images_out, std::int32_t* labels_out) {
  return mnist_gather(Compute{}, split, indices, count, images_out, labels_out);
}

Status mnist_gather(const Compute& compute, const MnistSplit& split,
                    const std::uint32_t* indices, int count, float* images_out,
                    std::int32_t* labels_out) {
  for (int i = 0; i < count; ++i) {
    if (indices[i] >= static_cast<std::uint32_t>(split.count)) {
      return Status::error(
          "mnist_gather: index %d: expected < %d (the %s split), found %" PRIu32,
          i, split.count, mnist_split_name(split.id), indices[i]);
    }
  }
  detail::parallel_ranges(
      compute, count, 1, static_cast<std::ptrdiff_t>(count) * kMnistPixels,
      kMinParallelPixels, [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
        for (std::ptrdiff_t i = begin; i < end; ++i) {
          const std::uint8_t* src =
              split.images + static_cast<std::size_t>(indices[i]) * kMnistPixels;
          float* dst = images_out + static_cast<std::size_t>(i) * kMnistPixels;
          for (int p = 0; p < kMnistPixels; ++p) dst[p] = scale_pixel(src[p]);
          labels_out[i] = split.labels[indices[i]];
        }
      });
  return Status::success();
}

}  // namespace tacit
