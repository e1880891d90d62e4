// Transpose on AVX2: 8 x 8 blocks through eight ymm registers (unpack,
// shuffle, then swap 128-bit halves), one float at a time at the edges.
// Shuffles move bits unchanged, NaN payloads included.
#include <immintrin.h>

#include "kernels/transpose_kernels.h"

namespace tacit {
namespace kernels {
namespace {

void block_8x8(const float* s, std::ptrdiff_t ss, float* d, std::ptrdiff_t ds) {
  const __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + ss),
               r2 = _mm256_loadu_ps(s + 2 * ss), r3 = _mm256_loadu_ps(s + 3 * ss),
               r4 = _mm256_loadu_ps(s + 4 * ss), r5 = _mm256_loadu_ps(s + 5 * ss),
               r6 = _mm256_loadu_ps(s + 6 * ss), r7 = _mm256_loadu_ps(s + 7 * ss);
  // Pairs of rows interleaved, then pairs of pairs: u0-u3 hold columns 0-3
  // of rows 0-3 (with columns 4-7 in their high halves), u4-u7 the same of
  // rows 4-7; swapping halves then gives whole columns.
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1),
               t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3),
               t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
               t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE),
               u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE),
               u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE),
               u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(d, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(d + ds, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(d + 2 * ds, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(d + 3 * ds, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(d + 4 * ds, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(d + 5 * ds, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(d + 6 * ds, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(d + 7 * ds, _mm256_permute2f128_ps(u3, u7, 0x31));
}

void one_by_one(const TransposeProblem& p, int r0, int r1, int c0, int c1) {
  for (int r = r0; r < r1; ++r) {
    for (int c = c0; c < c1; ++c) p.dst[c * p.dst_stride + r] = p.src[r * p.src_stride + c];
  }
}

}  // namespace

void transpose_f32_8x8_avx2(const TransposeProblem& p, int row_begin, int row_end) {
  const int full_cols = p.cols / 8 * 8;
  int r = row_begin;
  // Two blocks down at a time: their stores fill 16 floats (a cache line
  // where dst is aligned) of each destination row at once. One block
  // writes half a line, and a Wᵀ larger than L2 has lost that line before
  // the next 8 rows come to write its other half.
  for (; r + 16 <= row_end; r += 16) {
    for (int c = 0; c < full_cols; c += 8) {
      const float* s = p.src + r * p.src_stride + c;
      float* d = p.dst + c * p.dst_stride + r;
      block_8x8(s, p.src_stride, d, p.dst_stride);
      block_8x8(s + 8 * p.src_stride, p.src_stride, d + 8, p.dst_stride);
    }
    one_by_one(p, r, r + 16, full_cols, p.cols);
  }
  for (; r + 8 <= row_end; r += 8) {
    for (int c = 0; c < full_cols; c += 8) {
      block_8x8(p.src + r * p.src_stride + c, p.src_stride, p.dst + c * p.dst_stride + r,
                p.dst_stride);
    }
    one_by_one(p, r, r + 8, full_cols, p.cols);
  }
  one_by_one(p, r, row_end, 0, p.cols);
}

}  // namespace kernels
}  // namespace tacit
