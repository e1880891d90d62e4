// A 64-bit FNV-1a hash over the IEEE bits of floats, byte by byte in
// little-endian order whatever the host, so a golden hash means the same
// bits on every platform.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tacit {

constexpr std::uint64_t kHashStart = 0xcbf29ce484222325ull;  // FNV-1a offset basis

std::uint64_t hash_floats(const float* values, std::size_t count,
                          std::uint64_t hash = kHashStart);

}  // namespace tacit
