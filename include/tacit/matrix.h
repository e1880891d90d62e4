// Non-owning row-major views. `stride` is the distance in floats between the
// starts of two rows (>= cols), so a view can name a block of a larger matrix.
#pragma once

#include <cstddef>

namespace tacit {

struct Matrix {
  float* data = nullptr;
  int rows = 0;
  int cols = 0;
  int stride = 0;

  float* row(int r) const { return data + static_cast<std::ptrdiff_t>(r) * stride; }
};

struct ConstMatrix {
  const float* data = nullptr;
  int rows = 0;
  int cols = 0;
  int stride = 0;

  ConstMatrix() = default;
  ConstMatrix(const float* d, int r, int c, int s)
      : data(d), rows(r), cols(c), stride(s) {}
  ConstMatrix(const Matrix& m)  // NOLINT: a mutable view reads as a const one
      : data(m.data), rows(m.rows), cols(m.cols), stride(m.stride) {}

  const float* row(int r) const { return data + static_cast<std::ptrdiff_t>(r) * stride; }
};

// Columns [lo, hi) of a row-major matrix: the logits a loss or an argmax
// reads. Columns{} is every column; hi < 0 counts to the last one.
struct Columns {
  int lo = 0;
  int hi = -1;
};

inline Matrix matrix(float* data, int rows, int cols) {
  return Matrix{data, rows, cols, cols};
}
inline ConstMatrix const_matrix(const float* data, int rows, int cols) {
  return ConstMatrix(data, rows, cols, cols);
}

}  // namespace tacit
