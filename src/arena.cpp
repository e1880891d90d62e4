#include "tacit/arena.h"

namespace tacit {

Arena::Arena(void* buffer, std::size_t bytes) {
  const auto address = reinterpret_cast<std::uintptr_t>(buffer);
  const std::size_t skip =
      (kArenaAlignment - address % kArenaAlignment) % kArenaAlignment;
  if (buffer == nullptr || bytes < skip) return;
  base_ = static_cast<unsigned char*>(buffer) + skip;
  capacity_ = (bytes - skip) / kArenaAlignment * kArenaAlignment;
}

void* Arena::take(std::size_t bytes) {
  const std::size_t block = arena_block_bytes(bytes);
  if (block > remaining()) return nullptr;
  void* result = base_ + used_;
  used_ += block;
  return result;
}

}  // namespace tacit
