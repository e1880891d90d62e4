// tacit's counter-based random numbers (docs/STYLE.md, determinism contract rule 5).
// Every value is a pure function of (seed, stream, index): no generator state,
// so any thread can produce any slice and the split never changes the bits.
//
// Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy
// as 1, 2, 3", SC'11) with the Random123 constants; tests/test_rng.cpp holds
// the Random123 known-answer vectors.
//
// Addressing, used everywhere in tacit:
//   key     = {seed low 32 bits, seed high 32 bits}
//   uniform: counter = {block low, block high, stream, 0}, block = index / 4,
//            value = word index % 4 of philox4x32_10(counter, key)
//   normal:  counter = {index low, index high, stream, attempt + 1}; the last
//            word is never 0, so normal blocks never reuse a uniform block.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tacit {

struct Philox4x32 {
  std::uint32_t v[4];
};

// Ten rounds of Philox4x32 on `counter` under the key {key0, key1}.
Philox4x32 philox4x32_10(const Philox4x32& counter, std::uint32_t key0,
                         std::uint32_t key1);

std::uint32_t random_u32(std::uint64_t seed, std::uint32_t stream,
                         std::uint64_t index);

// (u >> 8) * 2^-24: the 2^24 floats k * 2^-24, k in [0, 2^24), in [0, 1).
float random_uniform01(std::uint64_t seed, std::uint32_t stream,
                       std::uint64_t index);

// (u >> 8) * 2^-23 - 1: the 2^24 floats k * 2^-23 - 1, in [-1, 1), each
// computed exactly, so the mean over all of them is exactly -2^-24.
float random_uniform_pm1(std::uint64_t seed, std::uint32_t stream,
                         std::uint64_t index);

// Standard normal, Marsaglia's polar method. For attempt = 0, 1, ...:
// block = philox4x32_10({index low, index high, stream, attempt + 1}, key);
// try the pair (u, v) = (pm1(word 0), pm1(word 1)), then (pm1(word 2),
// pm1(word 3)), where pm1(w) = float(w >> 8) * 2^-23 - 1. Each try computes,
// in binary32 with one rounding per operation and no fma,
//   s = (u * u) + (v * v)
// and accepts when 0 < s < 1, returning
//   u * sqrt(((-2 * log_f32(s)) / s))
// (std::sqrt, correctly rounded). v only serves the acceptance test. A try is
// accepted with probability pi/4, so attempt > 0 is rare (4.6%).
float random_normal(std::uint64_t seed, std::uint32_t stream,
                    std::uint64_t index);

// out[i] = random_uniform_pm1(seed, stream, first + i), i in [0, count), bit
// for bit; each Philox block serves its four words. No allocation.
void random_fill_uniform_pm1(std::uint64_t seed, std::uint32_t stream,
                             std::uint64_t first, std::size_t count,
                             float* out);

// out[i] = random_uniform01(seed, stream, first + i), as above.
void random_fill_uniform01(std::uint64_t seed, std::uint32_t stream,
                           std::uint64_t first, std::size_t count, float* out);

// out[i] = random_normal(seed, stream, first + i), bit for bit. No allocation.
void random_fill_normal(std::uint64_t seed, std::uint32_t stream,
                        std::uint64_t first, std::size_t count, float* out);

// order (n) = epoch `epoch`'s permutation of [0, n) in stream `stream`:
// Fisher–Yates from the identity. For i = n-1 down to 1, with k = n-1-i:
//   u = random_u32(seed, stream, epoch·n + k),  j = (u64(u)·(i + 1)) >> 32,
//   swap(order[i], order[j]).
// j is uniform on [0, i] up to a bias below (i + 1)/2^32 (Lemire's
// multiply-shift without rejection, so the draw count is fixed). Each
// epoch's order depends on (seed, stream, epoch) alone. No allocation.
void shuffle_order(std::uint64_t seed, std::uint32_t stream, std::uint64_t epoch,
                   std::uint32_t n, std::uint32_t* order);

}  // namespace tacit
