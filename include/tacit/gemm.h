// The one matrix product tacit needs, in the form every dense-layer product
// takes:  C (m, n) = op(A) (m, k) · B (k, n), started from an init row.
//   forward  Y = X·Wᵀ + b : A = X (B, in),           B = Wᵀ (in, out), init = b
//   dX       dX = dY·W    : A = dY (B, out),         B = W (out, in)
//   dW       dW = dYᵀ·X   : A = dY stored (B, out) transposed, B = X (B, in)
// Each C element is init[j] (or +0), then acc = fma(a(i,k), b(k,j), acc) for
// k = 0, 1, ..., k-1: one rounding per term, increasing k, in every ISA, tile
// and thread split. That is the determinism contract for products.
#pragma once

#include "tacit/isa.h"
#include "tacit/matrix.h"
#include "tacit/profile.h"
#include "tacit/status.h"
#include "tacit/threads.h"

namespace tacit {

// How products run. Holds no memory; copy it freely. By default the best
// ISA this CPU has (or TACIT_ISA's), on the calling thread: every ISA gives
// the same bits, so the default only chooses the speed.
struct Compute {
  Isa isa = isa_default();
  // nullptr: the calling thread only, and no scratch for products (AVX2
  // then reads a transposed A in place: the same bits, a little slower).
  ThreadPool* pool = nullptr;
  Profile* profile = nullptr;     // nullptr: nothing measured (profile.h)
};

enum class Epilogue {
  none,
  // c = c > 0 ? c : +0 (so -0 and NaN become +0, identically in every ISA).
  relu,
};

// a_transposed: A is stored (k, m) and read as its transpose.
// init: n floats, or nullptr to start from +0.
// Shapes are checked before anything is written: op(A)'s rows must be C's,
// B must be (op(A)'s columns, C's columns), every stride must hold its row.
Status gemm(const Compute& compute, ConstMatrix a, bool a_transposed,
            ConstMatrix b, const float* init, Matrix c,
            Epilogue epilogue = Epilogue::none);

}  // namespace tacit
