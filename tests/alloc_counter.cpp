// Replaces the global allocation functions so tests can say "allocates
// nothing" and "allocates nothing sized by the header".
#include "alloc_counter.h"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long> g_calls{0};
std::atomic<std::size_t> g_bytes{0};

void* counted(std::size_t size) {
  g_calls.fetch_add(1);
  g_bytes.fetch_add(size);
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) std::abort();
  return p;
}
}  // namespace

namespace data_test {
AllocCount alloc_count() { return AllocCount{g_calls.load(), g_bytes.load()}; }
}  // namespace data_test

void* operator new(std::size_t size) { return counted(size); }
void* operator new[](std::size_t size) { return counted(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return counted(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return counted(size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

// Every executable that asserts "allocates nothing" first proves the counter
// counts. (A new-expression may be elided by the optimizer, as clang does;
// a call to operator new may not.)
TEST_CASE("the allocation counter sees an allocation") {
  const long before = data_test::alloc_count().calls;
  void* probe = ::operator new(16);
  CHECK(data_test::alloc_count().calls - before == 1);
  ::operator delete(probe);
}
