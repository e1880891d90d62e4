// One batch of MNIST for training: pixels gathered by index and scaled to
// float in the caller's buffer, so a shuffled epoch allocates nothing.
#include <cinttypes>
#include <cstddef>
#include <cstdint>

#include "data/mnist_gather_internal.h"
#include "tacit/mnist.h"

namespace tacit {

namespace {
// Inlined into the gather loop; mnist_pixel_to_float is its public face.
float scale_pixel(std::uint8_t p) { return (static_cast<float>(p) / 255.0f - 0.5f) / 0.5f; }
}  // namespace

float mnist_pixel_to_float(std::uint8_t p) { return scale_pixel(p); }

Status mnist_check_indices(const MnistSplit& split, const std::uint32_t* indices, int count) {
  for (int i = 0; i < count; ++i) {
    if (indices[i] >= static_cast<std::uint32_t>(split.count)) {
      return Status::error(
          "mnist_gather: index %d: expected < %d (the %s split), found %" PRIu32,
          i, split.count, mnist_split_name(split.id), indices[i]);
    }
  }
  return Status::success();
}

void mnist_convert_images(const MnistSplit& split, const std::uint32_t* indices,
                          std::ptrdiff_t begin, std::ptrdiff_t end, float* images_out,
                          std::int32_t* labels_out) {
  for (std::ptrdiff_t i = begin; i < end; ++i) {
    const std::uint8_t* src = split.images + static_cast<std::size_t>(indices[i]) * kMnistPixels;
    float* dst = images_out + static_cast<std::size_t>(i) * kMnistPixels;
    for (int p = 0; p < kMnistPixels; ++p) dst[p] = scale_pixel(src[p]);
    labels_out[i] = split.labels[indices[i]];
  }
}

Status mnist_gather(const MnistSplit& split, const std::uint32_t* indices,
                    int count, float* images_out, std::int32_t* labels_out) {
  const Status status = mnist_check_indices(split, indices, count);
  if (status) mnist_convert_images(split, indices, 0, count, images_out, labels_out);
  return status;
}

}  // namespace tacit
