#include "tacit/layers.h"

#include "layers_internal.h"
#include "parallel.h"
#include "profile_internal.h"
#include "shape_check.h"

namespace tacit {

Status dense_forward(const Compute& compute, ConstMatrix x, ConstMatrix wt,
                     const float* b, Matrix y, bool relu) {
  if (b == nullptr) return Status::error("dense_forward: b is null");
  const ProfileScope scope(compute, Work::forward_product, product_flops(y.rows, y.cols, x.cols));
  return gemm(compute, x, false, wt, b, y, relu ? Epilogue::relu : Epilogue::none);
}

Status dense_forward(const Compute& compute, ConstMatrix x, ConstMatrix wt,
                     const float* b, Activation a, Matrix z, Matrix y) {
  if (a == Activation::relu) return dense_forward(compute, x, wt, b, y, true);
  // Everything is checked before the product writes z.
  Status status = shape_check::view("dense_forward", "y", y, x.rows, wt.cols);
  if (status) status = shape_check::view("dense_forward", "z", z, x.rows, wt.cols);
  Activation known;
  if (status) status = activation_from_code(static_cast<long>(a), &known);
  if (status) status = dense_forward(compute, x, wt, b, z, false);
  if (status) status = activation_forward(compute, a, z, y);
  return status;
}

Status dense_backward_params(const Compute& compute, ConstMatrix dy, ConstMatrix x,
                             Matrix dw, float* db) {
  if (db == nullptr) return Status::error("dense_backward_params: db is null");
  Status status = shape_check::view("dense_backward_params", "dw", dw, dy.cols, x.cols);
  if (status) status = shape_check::view("dense_backward_params", "x", x, dy.rows, -1);
  if (status) {
    const ProfileScope scope(compute, Work::weight_gradient,
                             product_flops(dw.rows, dw.cols, dy.rows));
    status = gemm(compute, dy, true, x, nullptr, dw);
  }
  if (status) {
    const ProfileScope scope(compute, Work::bias_gradient);
    status = column_sums(compute, dy, db);
  }
  return status;
}

Status dense_backward_input(const Compute& compute, ConstMatrix dy, ConstMatrix w,
                            Matrix dx) {
  const ProfileScope scope(compute, Work::input_gradient, product_flops(dx.rows, dx.cols, dy.cols));
  return gemm(compute, dy, false, w, nullptr, dx);
}

namespace {

// Elementwise passes over a batch are memory-bound: worth a second thread
// only from about 32 Ki elements (a batch of 128 at width 256).
constexpr std::ptrdiff_t kMinParallelElements = std::ptrdiff_t{1} << 15;
// Column ranges in multiples of 16 floats: two threads share no cache line
// of a 64-byte-aligned sums array (arena blocks are).
constexpr std::ptrdiff_t kColumnGrain = 16;

void relu_backward_rows(ConstMatrix y, Matrix dx, std::ptrdiff_t begin, std::ptrdiff_t end) {
  for (std::ptrdiff_t r = begin; r < end; ++r) {
    const float* y_row = y.row(static_cast<int>(r));
    float* dx_row = dx.row(static_cast<int>(r));
    for (int j = 0; j < dx.cols; ++j) dx_row[j] = y_row[j] > 0.0f ? dx_row[j] : 0.0f;
  }
}

void column_sums_range(ConstMatrix m, float* sums, std::ptrdiff_t begin, std::ptrdiff_t end) {
  for (std::ptrdiff_t j = begin; j < end; ++j) sums[j] = 0.0f;
  // Row by row: each column still adds in increasing row order, and the
  // inner loop vectorizes across columns without reassociating anything.
  for (int r = 0; r < m.rows; ++r) {
    const float* row = m.row(r);
    for (std::ptrdiff_t j = begin; j < end; ++j) sums[j] += row[j];
  }
}

// Columns summed per sweep down the rows: the sums wait in L1 (2 KiB of
// stack) while each row is read once, front to back.
constexpr int kSumBlock = 512;

void relu_backward_sums_whole(ConstMatrix y, Matrix dx, float* sums) {
  for (int j0 = 0; j0 < dx.cols; j0 += kSumBlock) {
    const int width = dx.cols - j0 < kSumBlock ? dx.cols - j0 : kSumBlock;
    float acc[kSumBlock];
    for (int j = 0; j < width; ++j) acc[j] = 0.0f;  // as column_sums starts
    for (int r = 0; r < dx.rows; ++r) {
      const float* y_row = y.row(r) + j0;
      float* dx_row = dx.row(r) + j0;
      for (int j = 0; j < width; ++j) {
        const float g = y_row[j] > 0.0f ? dx_row[j] : 0.0f;
        dx_row[j] = g;
        acc[j] += g;
      }
    }
    for (int j = 0; j < width; ++j) sums[j0 + j] = acc[j];
  }
}

std::ptrdiff_t elements(ConstMatrix m) { return static_cast<std::ptrdiff_t>(m.rows) * m.cols; }

}  // namespace

Status relu_backward(const Compute& compute, ConstMatrix y, Matrix dx) {
  Status status = shape_check::view("relu_backward", "dx", dx, -1, -1);
  if (status) status = shape_check::view("relu_backward", "y", y, dx.rows, dx.cols);
  if (!status) return status;
  const ProfileScope scope(compute, Work::activation);
  detail::parallel_ranges(compute, dx.rows, 1, static_cast<std::ptrdiff_t>(dx.rows) * dx.cols,
                          kMinParallelElements, [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
                            relu_backward_rows(y, dx, begin, end);
                          });
  return status;
}

Status relu_backward(ConstMatrix y, Matrix dx) { return relu_backward(Compute{}, y, dx); }

Status relu_backward_column_sums(const Compute& compute, ConstMatrix y, Matrix dx,
                                 float* sums) {
  Status status = shape_check::view("relu_backward", "dx", dx, -1, -1);
  if (status) status = shape_check::view("relu_backward", "y", y, dx.rows, dx.cols);
  if (status && sums == nullptr) status = Status::error("relu_backward: sums is null");
  if (!status) return status;
  const ProfileScope scope(compute, Work::activation);
  // On the calling thread, even with a pool. dx comes from the dX product,
  // which a pool splits by rows, so each thread's rows sit in its own
  // cache; split by columns (the sums need every row of a column, in
  // order), each thread read every row. Measured on the Zen 3 VM (one
  // process, training steps at batch 1024 on 2 threads alternating
  // split / one thread, 200 pairs, four times): one thread faster in 122,
  // 131, 122 and 151 of them, medians 0.2-1.6% shorter. Here the pass is
  // O(batch x width) beside products of O(batch x width x fan-in): a
  // second thread could win little even where it won.
  relu_backward_sums_whole(y, dx, sums);
  return status;
}

Status column_sums(const Compute& compute, ConstMatrix m, float* sums) {
  Status status = shape_check::view("column_sums", "m", m, -1, -1);
  if (status && sums == nullptr) status = Status::error("column_sums: sums is null");
  if (!status) return status;
  detail::parallel_ranges(compute, m.cols, kColumnGrain, elements(m), kMinParallelElements,
                          [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
                            column_sums_range(m, sums, begin, end);
                          });
  return status;
}

Status column_sums(ConstMatrix m, float* sums) { return column_sums(Compute{}, m, sums); }

}  // namespace tacit
