// Caller-provided memory. Every size query in tacit is expressed in arena
// bytes (arena_block_bytes summed), so "query, allocate once, hand over" is
// exact: a test holds Arena::used() equal to the query.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tacit {

// 64 bytes: a cache line and one 512-bit vector; unaligned 512-bit loads cost
// up to 2x on the machines we measured.
constexpr std::size_t kArenaAlignment = 64;

// Bytes one block of `bytes` takes in an arena: rounded up to the alignment.
constexpr std::size_t arena_block_bytes(std::size_t bytes) {
  return (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}
constexpr std::size_t arena_floats_bytes(std::size_t count) {
  return arena_block_bytes(count * sizeof(float));
}

// The bytes to request from malloc (or a static buffer) so that take(usable)
// succeeds whatever alignment the buffer has.
constexpr std::size_t arena_buffer_bytes(std::size_t usable) {
  return arena_block_bytes(usable) + kArenaAlignment - 1;
}

class Arena {
 public:
  Arena() = default;
  // The arena starts at the first 64-byte boundary inside the buffer.
  Arena(void* buffer, std::size_t bytes);

  // nullptr when the arena is exhausted: with size-first queries that is a
  // caller bug, reported by the create functions as a Status.
  void* take(std::size_t bytes);
  float* take_floats(std::size_t count) {
    return static_cast<float*>(take(count * sizeof(float)));
  }

  std::size_t used() const { return used_; }
  std::size_t capacity() const { return capacity_; }
  std::size_t remaining() const { return capacity_ - used_; }

 private:
  unsigned char* base_ = nullptr;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;
};

}  // namespace tacit
