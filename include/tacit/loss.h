// Losses over a column range [lo, hi) of the logits, averaged over the batch.
// Each returns the mean loss and writes d(mean loss)/d(logits) into grad,
// a matrix of the logits' shape: zero outside [lo, hi). grad must not
// overlap the logits or the teacher's (it holds exps while a row is worked
// on). Sums run in increasing column, then increasing row order (docs/STYLE.md
// rule 3), with tacit's own exp/log (rule 4).
#pragma once

#include <cstdint>

#include "tacit/matrix.h"

namespace tacit {

// logits (B, n), labels (B) in [0, hi - lo): -log softmax(logits[lo:hi])[label].
float softmax_cross_entropy(ConstMatrix logits, int lo, int hi,
                            const std::int32_t* labels, Matrix grad);

// KL(softmax(teacher/T) ‖ softmax(student/T)) over [lo, hi), per row, batch
// mean (PyTorch's kl_div(log_softmax(s/T), softmax(t/T), 'batchmean'), with
// no T² factor). teacher, student (B, n).
float kl_divergence(ConstMatrix teacher, ConstMatrix student, int lo, int hi,
                    float temperature, Matrix grad);

// mean over B·(hi - lo) elements of (student - target)²: PyTorch's mse_loss.
float squared_error(ConstMatrix target, ConstMatrix student, int lo, int hi,
                    Matrix grad);

}  // namespace tacit
