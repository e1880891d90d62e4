// Small checks the suites share: exact bit equality of floats, permutations,
// and whether a Status's message says something.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "tacit/status.h"

namespace test_bits {

inline std::uint32_t to_bits(float f) {
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

inline float from_bits(std::uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

inline bool same_bits(float a, float b) { return to_bits(a) == to_bits(b); }

// Every bit of count floats (so -0 differs from +0 and NaN payloads count).
inline bool same_bits(const float* a, const float* b, std::size_t count) {
  return count == 0 || std::memcmp(a, b, count * sizeof(float)) == 0;
}

inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && same_bits(a.data(), b.data(), a.size());
}

// Whether p holds each of 0 .. size-1 exactly once.
inline bool is_permutation(const std::vector<std::uint32_t>& p) {
  std::vector<bool> seen(p.size(), false);
  for (std::uint32_t v : p) {
    if (v >= p.size() || seen[v]) return false;
    seen[v] = true;
  }
  return true;
}

inline bool contains(const tacit::Status& status, const std::string& text) {
  return std::string(status.message()).find(text) != std::string::npos;
}

}  // namespace test_bits
