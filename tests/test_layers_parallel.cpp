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
#include "layers_internal.h"
#include "parallel.h"
#include "tacit/layers.h"
#include "tacit/loss.h"
#include "tacit/threads.h"

using namespace tacit;
using test_bits::same_bits;

namespace {

struct Shape {
  int rows, cols;
};

constexpr Shape kShapes[] = {{1024, 256}, {1024, 13}, {3000, 40}, {2048, 17}, {5, 7}};

// A ReLU mask pass's operands: y with zeros, -0, negatives and positives
// (gemm_cases values, some zeroed), and a dX that has -0s of its own.
struct MaskOperands {
  std::vector<float> y, dx;
};

MaskOperands mask_operands(Shape shape) {
  const std::size_t count = static_cast<std::size_t>(shape.rows) * shape.cols;
  MaskOperands m{gemm_cases::values(count, 7u + shape.rows),
                 gemm_cases::values(count, 29u + shape.cols)};
  for (std::size_t i = 0; i < count; i += 7) m.y[i] = 0.0f;
  for (std::size_t i = 3; i < count; i += 13) m.y[i] = -0.0f;
  for (std::size_t i = 1; i < count; i += 17) m.dx[i] = -0.0f;
  return m;
}

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
    const MaskOperands m = mask_operands(shape);
    const std::vector<float>& y = m.y;
    const std::vector<float>& dx0 = m.dx;
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

// The backward step's fused pass: the same dY as relu_backward and the same
// sums as column_sums over it, on any pool, at widths that do and do not
// end on its 512-column sweeps and the 16-column split grain.
TEST_CASE("relu_backward_column_sums: relu_backward then column_sums, in one pass") {
  for (const Shape shape : {Shape{1024, 256}, Shape{1024, 13}, Shape{3000, 40},
                            Shape{2048, 17}, Shape{5, 7}, Shape{700, 100}, Shape{64, 33},
                            Shape{40, 1100}}) {
    const MaskOperands m = mask_operands(shape);
    const std::vector<float>& y = m.y;
    const std::vector<float>& dx0 = m.dx;
    std::vector<float> expected = dx0;
    const ConstMatrix y_view = const_matrix(y.data(), shape.rows, shape.cols);
    relu_backward(y_view, matrix(expected.data(), shape.rows, shape.cols));
    std::vector<float> expected_sums(static_cast<std::size_t>(shape.cols), -1.0f);
    column_sums(const_matrix(expected.data(), shape.rows, shape.cols), expected_sums.data());
    for (int threads : {1, 2, 3, 4}) {
      CAPTURE(shape.rows);
      CAPTURE(shape.cols);
      CAPTURE(threads);
      ThreadPool pool(threads);
      std::vector<float> dx = dx0;
      std::vector<float> sums(static_cast<std::size_t>(shape.cols), -1.0f);
      REQUIRE(relu_backward_column_sums(Compute{Isa::portable, &pool}, y_view,
                                        matrix(dx.data(), shape.rows, shape.cols), sums.data()));
      CHECK(same_bits(dx, expected));
      CHECK(same_bits(sums, expected_sums));
    }
  }
  // Refused before anything is written.
  std::vector<float> y(6, 1.0f), dx(6, 2.0f), sums(3, -1.0f);
  const Status wrong = relu_backward_column_sums(Compute{}, const_matrix(y.data(), 3, 2),
                                                 matrix(dx.data(), 2, 3), sums.data());
  CHECK_FALSE(wrong.ok());
  CHECK_FALSE(relu_backward_column_sums(Compute{}, const_matrix(y.data(), 2, 3),
                                        matrix(dx.data(), 2, 3), nullptr).ok());
  CHECK(dx == std::vector<float>(6, 2.0f));
  CHECK(sums == std::vector<float>(3, -1.0f));
}

// The losses split rows across a pool and keep each row's loss until the
// total adds it in row order: the same gradient and the same loss as one
// thread, at batches of one chunk, several chunks and a ragged last one,
// and at 200 columns, where every loss is split (squared error only from
// 32 Ki values a chunk).
TEST_CASE("losses: any pool gives the one-thread bits") {
  struct Case {
    int rows, cols;
    Columns columns;
  };
  std::vector<Case> cases;
  for (const int rows : {1, 255, 256, 700, 1024}) {
    for (const Columns columns : {Columns{}, Columns{0, 10}, Columns{10, 13}}) {
      cases.push_back({rows, 13, columns});
    }
  }
  cases.push_back({700, 200, Columns{}});
  cases.push_back({1024, 200, Columns{3, 190}});
  for (const Case& c : cases) {
    const int rows = c.rows, cols = c.cols;
    const Columns columns = c.columns;
    const std::size_t count = static_cast<std::size_t>(rows) * cols;
    const std::vector<float> logits = gemm_cases::values(count, 3u + rows);
    const std::vector<float> other = gemm_cases::values(count, 5u + rows);
    std::vector<std::int32_t> labels(static_cast<std::size_t>(rows));
    const int classes = (columns.hi < 0 ? cols : columns.hi) - columns.lo;
    for (int r = 0; r < rows; ++r) labels[static_cast<std::size_t>(r)] = (r * 7) % classes;
    const ConstMatrix z = const_matrix(logits.data(), rows, cols);
    const ConstMatrix t = const_matrix(other.data(), rows, cols);
    // kind 0: cross-entropy, 1: KL at T = 2, 2: squared error.
    for (int kind = 0; kind < 3; ++kind) {
      auto run = [&](const Compute& compute, std::vector<float>* grad, float* loss) {
        const Matrix g = matrix(grad->data(), rows, cols);
        if (kind == 0) return softmax_cross_entropy(compute, z, labels.data(), g, loss, columns);
        if (kind == 1) return kl_divergence(compute, z, t, 2.0f, g, loss, columns);
        return squared_error(compute, z, t, g, loss, columns);
      };
      std::vector<float> expected(count, -1.0f);
      float expected_loss = -1.0f;
      const Matrix g = matrix(expected.data(), rows, cols);
      const Status serial =
          kind == 0   ? softmax_cross_entropy(z, labels.data(), g, &expected_loss, columns)
          : kind == 1 ? kl_divergence(z, t, 2.0f, g, &expected_loss, columns)
                      : squared_error(z, t, g, &expected_loss, columns);
      REQUIRE(serial.ok());
      for (int threads : {1, 2, 3, 4}) {
        CAPTURE(rows);
        CAPTURE(cols);
        CAPTURE(columns.lo);
        CAPTURE(kind);
        CAPTURE(threads);
        ThreadPool pool(threads);
        std::vector<float> grad(count, -1.0f);
        float loss = -1.0f;
        REQUIRE(run(Compute{Isa::portable, &pool}, &grad, &loss));
        CHECK(same_bits(grad, expected));
        CHECK(std::memcmp(&loss, &expected_loss, sizeof loss) == 0);
      }
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
