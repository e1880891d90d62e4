// Counts global operator new calls in the data test executable
// (alloc_counter.cpp replaces the allocation functions).
#pragma once

#include <cstddef>

namespace data_test {

struct AllocCount {
  long calls = 0;
  std::size_t bytes = 0;
};
AllocCount alloc_count();

}  // namespace data_test
