#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tacit/arena.h"
#include "tacit/status.h"

using namespace tacit;

TEST_CASE("arena blocks are 64-byte aligned and rounded up") {
  std::vector<unsigned char> buffer(arena_buffer_bytes(1024));
  for (std::size_t offset : {0, 1, 13, 63}) {
    Arena arena(buffer.data() + offset, buffer.size() - offset);
    CHECK(arena.capacity() >= 1024 - 64);
    void* a = arena.take(1);
    void* b = arena.take(65);
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(a) % kArenaAlignment == 0);
    CHECK(reinterpret_cast<std::uintptr_t>(b) % kArenaAlignment == 0);
    CHECK(arena.used() == arena_block_bytes(1) + arena_block_bytes(65));
    CHECK(arena.used() == 64 + 128);
  }
}

TEST_CASE("arena_buffer_bytes always leaves the usable size") {
  for (std::size_t offset = 0; offset < 64; ++offset) {
    std::vector<unsigned char> buffer(arena_buffer_bytes(640) + offset);
    Arena arena(buffer.data() + offset, arena_buffer_bytes(640));
    CHECK(arena.capacity() >= 640);
    CHECK(arena.take(640) != nullptr);
  }
}

TEST_CASE("arena_buffer_bytes of a size that is not a multiple of 64 still fits it") {
  // Was usable + 63: the capacity rounds down to 64, so take(100) failed.
  for (std::size_t usable : {1, 63, 65, 100, 1000}) {
    for (std::size_t offset = 0; offset < 64; ++offset) {
      std::vector<unsigned char> buffer(arena_buffer_bytes(usable) + offset);
      Arena arena(buffer.data() + offset, arena_buffer_bytes(usable));
      CHECK(arena.take(usable) != nullptr);
    }
  }
}

TEST_CASE("an exhausted arena returns nullptr and keeps its state") {
  std::vector<unsigned char> buffer(arena_buffer_bytes(128));
  Arena arena(buffer.data(), buffer.size());
  REQUIRE(arena.take(100) != nullptr);
  const std::size_t used = arena.used();
  CHECK(arena.take(arena.remaining() + 1) == nullptr);
  CHECK(arena.used() == used);
}

TEST_CASE("status messages carry the formatted text") {
  Status ok = Status::success();
  CHECK(ok.ok());
  CHECK(std::string(ok.message()) == "ok");
  Status bad = Status::error("%s: field %d", "file", 7);
  CHECK_FALSE(bad.ok());
  CHECK(std::string(bad.message()) == "file: field 7");
}
