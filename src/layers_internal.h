// Internal: passes of the backward step that do two jobs in one read.
#pragma once

#include "tacit/gemm.h"
#include "tacit/status.h"

namespace tacit {

// relu_backward(y, dx), and sums[j] = Σ_r dx(r, j) over the masked dx, as
// column_sums computes them (+0, then each row in increasing r): the bias
// gradient of the layer below, out of the pass that writes its dY, instead
// of a second pass over a matrix that has left L2 by then. It runs on the
// calling thread, even with a pool (layers.cpp says why). (Split by rows,
// each thread's sums handed on to the next, the pass takes half the time
// on two Zen 3 cores, but the dW product after it, which reads dY by
// columns, loses more: dY's lines cross cores in one or the other.)
Status relu_backward_column_sums(const Compute& compute, ConstMatrix y, Matrix dx,
                                 float* sums);

}  // namespace tacit
