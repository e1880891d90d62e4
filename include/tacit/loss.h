// Losses of a batch of logits against what they should have been, averaged
// over the batch. Every loss takes its arguments in one order: the logits,
// what they are compared with, the loss's own parameter if any, grad, the
// loss's value, and the columns it reads (Columns{}: every column).
//
// Each writes d(mean loss)/d(logits) into grad, a matrix of the logits'
// shape, zero outside the columns, and the mean loss into *loss (if not
// null). grad must not overlap the logits or the teacher's (they are read
// again after parts of grad are written). Sums run in increasing column, then increasing
// row order (docs/STYLE.md rule 3), with tacit's own exp/log (rule 4).
//
// Shapes, columns, labels and the temperature are checked before anything
// is written: a bad one gives an error Status and leaves grad untouched.
//
// Each also takes a Compute first: its pool splits the rows (a row's loss
// is kept until the total adds it in row order, so the bits are the same);
// the overloads without one run on the calling thread. Either way exp and
// log take the CPU's best ISA (isa_best()), not the Compute's: every ISA
// gives the same bits, and this one is the fastest.
#pragma once

#include <cstdint>

#include "tacit/gemm.h"
#include "tacit/matrix.h"
#include "tacit/status.h"

namespace tacit {

// logits (B, n), labels (B) in [0, hi - lo): -log softmax(logits[lo:hi])[label].
Status softmax_cross_entropy(const Compute& compute, ConstMatrix logits,
                             const std::int32_t* labels, Matrix grad, float* loss,
                             Columns columns = {});
Status softmax_cross_entropy(ConstMatrix logits, const std::int32_t* labels, Matrix grad,
                             float* loss, Columns columns = {});

// KL(softmax(teacher/T) ‖ softmax(logits/T)) per row, batch mean (PyTorch's
// kl_div(log_softmax(s/T), softmax(t/T), 'batchmean'), with no T² factor).
// logits, teacher (B, n); temperature > 0.
Status kl_divergence(const Compute& compute, ConstMatrix logits, ConstMatrix teacher,
                     float temperature, Matrix grad, float* loss, Columns columns = {});
Status kl_divergence(ConstMatrix logits, ConstMatrix teacher, float temperature,
                     Matrix grad, float* loss, Columns columns = {});

// Mean over B·(hi - lo) elements of (logits - target)²: PyTorch's mse_loss.
// logits, target (B, n).
Status squared_error(const Compute& compute, ConstMatrix logits, ConstMatrix target,
                     Matrix grad, float* loss, Columns columns = {});
Status squared_error(ConstMatrix logits, ConstMatrix target, Matrix grad, float* loss,
                     Columns columns = {});

// probabilities = softmax of each row of logits over the columns (zero
// outside them), as the cross-entropy loss computes it: exp(z - max) in
// increasing column order, each divided by their sum. Same shapes; may be
// the same matrix as logits (in place).
Status softmax_rows(ConstMatrix logits, Matrix probabilities, Columns columns = {});

}  // namespace tacit
