// Shared by the two mnist_gather overloads: the one-thread one stays in a
// file of its own, free of the thread pool and the ISA dispatch, so that
// the IDX fuzz target can link the data sources alone.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tacit/mnist.h"

namespace tacit {

// An error naming the first index >= split.count, or success.
Status mnist_check_indices(const MnistSplit& split, const std::uint32_t* indices, int count);

// Images [begin, end) of indices into images_out and labels_out.
void mnist_convert_images(const MnistSplit& split, const std::uint32_t* indices,
                          std::ptrdiff_t begin, std::ptrdiff_t end, float* images_out,
                          std::int32_t* labels_out);

}  // namespace tacit
