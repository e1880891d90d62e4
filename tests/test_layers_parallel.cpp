// The elementwise passes of backward (ReLU masks, bias sums) split across a
// pool: the same bits as one thread, at shapes big enough to be split and
// with column counts that do and do not end on the split grain.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "bits.h"
#include "gemm_cases.h"
#include "parallel.h"
#include "tacit/layers.h"
#include "tacit/threads.h"

using namespace tacit;
using test_bits::same_bits;

namespace {

struct Shape {
  int rows, cols;
};

constexpr Shape kShapes[] = {{1024, 256}, {1024, 13}, {3000, 40}, {2048, 17}, {5, 7}};

}  // namespace

TEST_CASE("column_sums: any pool gives the one-thread bits") {
  for (const Shape shape : kShapes) {
    const std::vector<float> m = gemm_cases::values(
        static_cast<std::size_t>(shape.rows) * shape.cols, 91u + shape.cols);
    const ConstMatrix view = const_matrix(m.data(), shape.rows, shape.cols);
    std::vector<float> expected(static_cast<std::size_t>(shape.cols), -1.0f);
    column_sums(view, expected.data());
    // An independent check of one column: increasing row order.
    float first = 0.0f;
    for (int r = 0; r < shape.rows; ++r) first += m[static_cast<std::size_t>(r) * shape.cols];
    CHECK(std::memcmp(&first, expected.data(), sizeof first) == 0);
    for (int threads : {1, 2, 3, 4}) {
      CAPTURE(shape.rows);
      CAPTURE(shape.cols);
      CAPTURE(threads);
      ThreadPool pool(threads);
      std::vector<float> sums(static_cast<std::size_t>(shape.cols), -1.0f);
      column_sums(Compute{Isa::portable, &pool}, view, sums.data());
      CHECK(same_bits(sums, expected));
    }
  }
}

TEST_CASE("relu_backward: any pool gives the one-thread bits") {
  for (const Shape shape : kShapes) {
    const std::size_t count = static_cast<std::size_t>(shape.rows) * shape.cols;
    // y has zeros, -0, negatives and positives: gemm_cases values, some zeroed.
    std::vector<float> y = gemm_cases::values(count, 5u + shape.rows);
    for (std::size_t i = 0; i < count; i += 5) y[i] = 0.0f;
    for (std::size_t i = 2; i < count; i += 11) y[i] = -0.0f;
    const std::vector<float> dx0 = gemm_cases::values(count, 17u + shape.cols);
    std::vector<float> expected = dx0;
    relu_backward(const_matrix(y.data(), shape.rows, shape.cols),
                  matrix(expected.data(), shape.rows, shape.cols));
    bool masked = true;
    for (std::size_t i = 0; i < count; ++i)
      masked = masked && expected[i] == (y[i] > 0.0f ? dx0[i] : 0.0f);
    CHECK(masked);
    for (int threads : {1, 2, 3, 4}) {
      CAPTURE(shape.rows);
      CAPTURE(shape.cols);
      CAPTURE(threads);
      ThreadPool pool(threads);
      std::vector<float> dx = dx0;
      relu_backward(Compute{Isa::portable, &pool},
                    const_matrix(y.data(), shape.rows, shape.cols),
                    matrix(dx.data(), shape.rows, shape.cols));
      CHECK(same_bits(dx, expected));
    }
  }
}

// Where a pool splits [0, extent): long has 32 bits on 64-bit Windows (and
// on 32-bit targets), so sizes past 2^31, and grains * part on the way, need
// wider arithmetic.
TEST_CASE("split_point: large extents split where they should") {
  using tacit::detail::split_point;
  const std::ptrdiff_t quarter = std::ptrdiff_t{1} << 28;
  CHECK(split_point(4 * quarter, 1, 3, 4) == 3 * quarter);
  CHECK(split_point(4 * quarter, 16, 4, 4) == 4 * quarter);
  CHECK(split_point(4 * quarter - 5, 16, 2, 4) == 2 * quarter);
  if constexpr (sizeof(std::ptrdiff_t) >= 8) {
    const auto big = static_cast<std::ptrdiff_t>(std::int64_t{1} << 33);
    CHECK(split_point(big, 16, 3, 4) == big / 4 * 3);
    CHECK(split_point(big + 1, 1, 1, 2) == big / 2);
  }
}
