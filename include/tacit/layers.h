// The math of one dense layer and its ReLU, as free functions over views.
// Each checks the shapes it is given (O(1), before any work) and returns an
// error Status for a mismatch, having written nothing.
// Shapes: B batch rows, `in` inputs, `out` outputs. W is stored (out, in) as
// in PyTorch; the forward product reads a packed copy Wᵀ (in, out) so that
// it can vectorize across outputs without reordering any sum.
#pragma once

#include "tacit/activation.h"
#include "tacit/gemm.h"
#include "tacit/status.h"

namespace tacit {

// x (B, in), wt (in, out), b (out), y (B, out) = x·wt + b, ReLU'd if asked.
Status dense_forward(const Compute& compute, ConstMatrix x, ConstMatrix wt,
                     const float* b, Matrix y, bool relu);

// A hidden layer: y (B, out) = a(x·wt + b). ReLU runs as the product's
// epilogue; any other activation after it, from z (B, out), which then
// holds the pre-activation (z may be y: applied in place).
Status dense_forward(const Compute& compute, ConstMatrix x, ConstMatrix wt,
                     const float* b, Activation a, Matrix z, Matrix y);

// dy (B, out), x (B, in): dw (out, in) = dyᵀ·x, db (out) = column sums of dy.
Status dense_backward_params(const Compute& compute, ConstMatrix dy, ConstMatrix x,
                             Matrix dw, float* db);

// dy (B, out), w (out, in): dx (B, in) = dy·w.
Status dense_backward_input(const Compute& compute, ConstMatrix dy, ConstMatrix w,
                            Matrix dx);

// y (B, n) is the ReLU's output; dx (B, n) *= (y > 0). Split by rows over
// compute's pool; the overload without one runs on the calling thread.
Status relu_backward(const Compute& compute, ConstMatrix y, Matrix dx);
Status relu_backward(ConstMatrix y, Matrix dx);

// sums (cols) = column sums of m, each in increasing row order (split by
// columns over compute's pool: the same bits on any number of threads).
Status column_sums(const Compute& compute, ConstMatrix m, float* sums);
Status column_sums(ConstMatrix m, float* sums);

}  // namespace tacit
