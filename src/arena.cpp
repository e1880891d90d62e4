#include "tacit/arena.h"

#include "arena_internal.h"

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

Status arena_too_small(const char* what, const Arena& arena, std::size_t needed,
                       const char* size_query) {
  return Status::error("%s: arena has %zu bytes left; %zu needed (%s); a buffer of any "
                       "alignment needs arena_buffer_bytes(%s(...)) bytes",
                       what, arena.remaining(), needed, size_query, size_query);
}

}  // namespace tacit
