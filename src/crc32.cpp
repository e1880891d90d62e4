#include "tacit/crc32.h"

namespace tacit {

namespace {

struct Crc32Table {
  std::uint32_t entry[256];
};

// Built by the compiler: read-only data, no initialization at run time and
// no shared mutable state.
constexpr Crc32Table make_table() {
  Crc32Table table{};
  for (std::uint32_t byte = 0; byte < 256; ++byte) {
    std::uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1u) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    table.entry[byte] = crc;
  }
  return table;
}

constexpr Crc32Table kTable = make_table();

}  // namespace

std::uint32_t crc32_update(std::uint32_t crc, const unsigned char* bytes,
                           std::size_t size) {
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) {
    crc = kTable.entry[(crc ^ bytes[i]) & 0xFFu] ^ (crc >> 8);
  }
  return ~crc;
}

}  // namespace tacit
