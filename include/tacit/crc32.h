// CRC-32 as zlib, PNG and Ethernet compute it (reflected polynomial
// 0xEDB88320, start 0xFFFFFFFF, final complement): the checksum of tacit's
// checkpoints (docs/FORMAT.md), so `crc32` from any zlib can check a file.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tacit {

// Continues a running CRC: crc32_update(crc32_update(0, a), b) is the CRC of
// a followed by b; start from 0.
std::uint32_t crc32_update(std::uint32_t crc, const unsigned char* bytes,
                           std::size_t size);

inline std::uint32_t crc32(const unsigned char* bytes, std::size_t size) {
  return crc32_update(0, bytes, size);
}

}  // namespace tacit
