#include "tacit/layers.h"

namespace tacit {

void dense_forward(const Compute& compute, ConstMatrix x, ConstMatrix wt,
                   const float* b, Matrix y, bool relu) {
  gemm(compute, x, false, wt, b, y, relu ? Epilogue::relu : Epilogue::none);
}

void dense_backward_params(const Compute& compute, ConstMatrix dy, ConstMatrix x,
                           Matrix dw, float* db) {
  gemm(compute, dy, true, x, nullptr, dw);
  column_sums(dy, db);
}

void dense_backward_input(const Compute& compute, ConstMatrix dy, ConstMatrix w,
                          Matrix dx) {
  gemm(compute, dy, false, w, nullptr, dx);
}

void relu_backward(ConstMatrix y, Matrix dx) {
  for (int r = 0; r < dx.rows; ++r) {
    const float* y_row = y.row(r);
    float* dx_row = dx.row(r);
    for (int j = 0; j < dx.cols; ++j) dx_row[j] = y_row[j] > 0.0f ? dx_row[j] : 0.0f;
  }
}

void column_sums(ConstMatrix m, float* sums) {
  for (int j = 0; j < m.cols; ++j) sums[j] = 0.0f;
  // Row by row: each column still adds in increasing row order, and the
  // inner loop vectorizes across columns without reassociating anything.
  for (int r = 0; r < m.rows; ++r) {
    const float* row = m.row(r);
    for (int j = 0; j < m.cols; ++j) sums[j] += row[j];
  }
}

}  // namespace tacit
