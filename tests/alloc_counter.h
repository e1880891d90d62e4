// Counts global operator new calls in any test executable that links
// alloc_counter.cpp (it replaces the allocation functions, and checks in a
// test case of its own that the count really moves).
#pragma once

#include <cstddef>

namespace data_test {

struct AllocCount {
  long calls = 0;
  std::size_t bytes = 0;
};
AllocCount alloc_count();

}  // namespace data_test
