#include "tacit/loss.h"

#include <cmath>

#include "kernels/math_kernels.h"
#include "parallel.h"
#include "shape_check.h"
#include "tacit/isa.h"

namespace tacit {

namespace {

// Rows of a block share one exp_array call over their shifted logits and
// one log_array call over their sums (eight lanes at a time on AVX2),
// rather than a call of each per row on a dozen values. A block's logits
// wait in buffers of kBlockFloats (2 KiB each, so that KL's two softmaxes
// take under 10 KiB of stack, as on a Cortex-M4), in up to kBlockRows
// rows; a row wider than that is a block of its own whose columns pass
// through the buffers in pieces, twice (for its sum, then its gradient).
constexpr int kBlockRows = 32;
constexpr int kBlockFloats = 512;

int block_rows(int width) {
  const int rows = width < kBlockFloats ? kBlockFloats / width : 1;
  return rows < kBlockRows ? rows : kBlockRows;
}

// Rows whose losses are kept (1 KiB of stack) before they are added to the
// total: threads compute blocks in any order, the total still adds the rows
// in increasing row order.
constexpr int kRowChunk = 256;
// Below this many logits a second thread costs more than it saves: a logit
// takes 3-10 ns of exp, log and division, handing the pool a task 1-10 us.
constexpr std::ptrdiff_t kMinParallelLogits = 2048;
constexpr std::ptrdiff_t kMinParallelDifferences = 32768;

// Σ over rows in increasing r of the row losses, as a double.
// block_loss(first, n, losses) computes rows [first, first + n), n <=
// rows_per_block, writing their losses (floats) and gradients; blocks run on
// any of compute's threads.
template <typename BlockLoss>
double sum_block_losses(const Compute& compute, int rows, int cols, int rows_per_block,
                        std::ptrdiff_t min_parallel_work, const BlockLoss& block_loss) {
  double total = 0.0;
  float losses[kRowChunk];
  for (int first = 0; first < rows; first += kRowChunk) {
    const int n = rows - first < kRowChunk ? rows - first : kRowChunk;
    detail::parallel_ranges(compute, n, rows_per_block, static_cast<std::ptrdiff_t>(n) * cols,
                            min_parallel_work, [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
                              for (std::ptrdiff_t r = begin; r < end; r += rows_per_block) {
                                const std::ptrdiff_t count =
                                    end - r < rows_per_block ? end - r : rows_per_block;
                                block_loss(first + static_cast<int>(r), static_cast<int>(count),
                                           losses + r);
                              }
                            });
    for (int r = 0; r < n; ++r) total += static_cast<double>(losses[r]);
  }
  return total;
}

// exp_f32 and log_f32, with inline FMAs where the CPU has them (the same
// bits). Chosen by the CPU, not by the Compute's ISA (the overloads without
// one take the same path), once per loss call: a few nanoseconds. Not
// cached in a function-local static: its thread-safe guard would pull
// libsupc++'s exception globals into bare-metal builds (tests/cortex-m),
// which have no __dso_handle.
kernels::MathKernels math_for_this_cpu() {
  return kernels::math_kernels_for(static_cast<int>(isa_best()));
}

void zero_outside(float* grad_row, int cols, int lo, int hi) {
  for (int j = 0; j < lo; ++j) grad_row[j] = 0.0f;
  for (int j = hi; j < cols; ++j) grad_row[j] = 0.0f;
}

float row_max(const float* row, int lo, int hi) {
  float m = row[lo];
  for (int j = lo + 1; j < hi; ++j) m = row[j] > m ? row[j] : m;
  return m;
}

// softmax(row/T) over [lo, hi) for rows [first, first + n) of m, as
// PyTorch computes it: shifted by the max, so exp never overflows.
// log softmax_j = shifted(j) - log_sum. The buffers hold the shifted
// logits and their exps of one piece of columns of every row.
struct SoftmaxBlock {
  ConstMatrix m;
  int first, n;
  float temperature;
  float max[kBlockRows];  // max of row[j], over T (division by T > 0 keeps the order)
  float sum[kBlockRows];  // Σ exp(shifted(j)), increasing j
  float log_sum[kBlockRows];
  int piece_lo, piece_width;
  float shifted_piece[kBlockFloats];
  float exps_piece[kBlockFloats];

  float shifted_of(int i, int j) const { return m.row(first + i)[j] / temperature - max[i]; }
  // Row i, column j of the piece in the buffers.
  float shifted(int i, int j) const { return shifted_piece[i * piece_width + j - piece_lo]; }
  float exp(int i, int j) const { return exps_piece[i * piece_width + j - piece_lo]; }
};

// body(begin, end) for the pieces of columns [lo, hi) that fit the buffers
// for n rows, in increasing column: one piece unless a row is wider.
template <typename Body>
void for_each_piece(int n, int lo, int hi, const Body& body) {
  const int step = kBlockFloats / n;
  for (int c = lo; c < hi; c += step) body(c, hi - c < step ? hi : c + step);
}

// Columns [lo, hi) of every row into the buffers, unless they are there.
void load_piece(const kernels::MathKernels& math, SoftmaxBlock* b, int lo, int hi) {
  if (b->piece_lo == lo && b->piece_width == hi - lo) return;
  b->piece_lo = lo;
  b->piece_width = hi - lo;
  float* shifted = b->shifted_piece;
  for (int i = 0; i < b->n; ++i) {
    for (int j = lo; j < hi; ++j) *shifted++ = b->shifted_of(i, j);
  }
  math.exp_array(b->shifted_piece, b->exps_piece, b->n * (hi - lo));
}

void softmax_block(const kernels::MathKernels& math, ConstMatrix m, int first, int n, int lo,
                   int hi, float temperature, SoftmaxBlock* b) {
  b->m = m;
  b->first = first;
  b->n = n;
  b->temperature = temperature;
  b->piece_lo = b->piece_width = 0;
  for (int i = 0; i < n; ++i) {
    b->max[i] = row_max(m.row(first + i), lo, hi) / temperature;
    b->sum[i] = 0.0f;
  }
  for_each_piece(n, lo, hi, [&](int begin, int end) {
    load_piece(math, b, begin, end);
    for (int i = 0; i < n; ++i) {
      for (int j = begin; j < end; ++j) b->sum[i] += b->exp(i, j);
    }
  });
  math.log_array(b->sum, b->log_sum, n);
}

// body(i, j, p) for every row i and column j of the block, in increasing
// column per row, with p = softmax_j of row i: its exp over its sum.
template <typename Body>
void for_each_probability(const kernels::MathKernels& math, SoftmaxBlock* s, int lo, int hi,
                          const Body& body) {
  for_each_piece(s->n, lo, hi, [&](int begin, int end) {
    load_piece(math, s, begin, end);
    for (int i = 0; i < s->n; ++i) {
      for (int j = begin; j < end; ++j) body(i, j, s->exp(i, j) / s->sum[i]);
    }
  });
}

// The checks every loss makes before it writes: the columns it reads, and
// grad (and a second matrix, if any) of the logits' shape.
Status check_columns(const char* loss, ConstMatrix logits, Columns columns, int* lo,
                     int* hi) {
  const int cols = logits.cols;
  const int end = columns.hi < 0 ? cols : columns.hi;
  if (columns.lo < 0 || columns.lo >= end || end > cols) {
    return Status::error("%s: columns [%d, %d) of %d-column logits: expected 0 <= lo < "
                         "hi <= %d (Columns{} reads every column)",
                         loss, columns.lo, end, cols, cols);
  }
  *lo = columns.lo;
  *hi = end;
  return Status::success();
}

Status check_common(const char* loss, ConstMatrix logits, Matrix grad, Columns columns,
                    int* lo, int* hi) {
  Status status = shape_check::view(loss, "logits", logits, -1, -1);
  if (status && logits.rows < 1) {
    status = Status::error("%s: logits have %d rows; expected at least 1", loss, logits.rows);
  }
  if (status) status = shape_check::view(loss, "grad", grad, logits.rows, logits.cols);
  if (status) status = check_columns(loss, logits, columns, lo, hi);
  return status;
}

// check_common, and `other` (the teacher's logits or the targets) of the
// logits' shape.
Status check_pair(const char* loss, const char* what, ConstMatrix logits, ConstMatrix other,
                  Matrix grad, Columns columns, int* lo, int* hi) {
  Status status = check_common(loss, logits, grad, columns, lo, hi);
  if (status) status = shape_check::view(loss, what, other, logits.rows, logits.cols);
  return status;
}

}  // namespace

Status softmax_cross_entropy(const Compute& compute, ConstMatrix logits,
                             const std::int32_t* labels, Matrix grad, float* loss,
                             Columns columns) {
  const char* name = "softmax_cross_entropy";
  int lo = 0, hi = 0;
  Status status = check_common(name, logits, grad, columns, &lo, &hi);
  if (!status) return status;
  if (labels == nullptr) return Status::error("%s: labels are null", name);
  for (int r = 0; r < logits.rows; ++r) {
    if (labels[r] < 0 || labels[r] >= hi - lo) {
      return Status::error("%s: label %ld at row %d is outside the %d classes [0, %d) of "
                           "columns [%d, %d)", name, static_cast<long>(labels[r]), r,
                           hi - lo, hi - lo, lo, hi);
    }
  }
  const float batch = static_cast<float>(logits.rows);
  const kernels::MathKernels math = math_for_this_cpu();
  const int rows_per_block = block_rows(hi - lo);
  const double total = sum_block_losses(
      compute, logits.rows, hi - lo, rows_per_block, kMinParallelLogits,
      [&](int first, int n, float* losses) {
        SoftmaxBlock s;
        softmax_block(math, logits, first, n, lo, hi, 1.0f, &s);
        for_each_probability(math, &s, lo, hi, [&](int i, int j, float p) {
          grad.row(first + i)[j] = (j == lo + labels[first + i] ? p - 1.0f : p) / batch;
        });
        for (int i = 0; i < n; ++i) {
          zero_outside(grad.row(first + i), grad.cols, lo, hi);
          losses[i] = s.log_sum[i] - s.shifted_of(i, lo + labels[first + i]);
        }
      });
  if (loss != nullptr) *loss = static_cast<float>(total / logits.rows);
  return Status::success();
}

Status softmax_cross_entropy(ConstMatrix logits, const std::int32_t* labels, Matrix grad,
                             float* loss, Columns columns) {
  return softmax_cross_entropy(Compute{}, logits, labels, grad, loss, columns);
}

Status kl_divergence(const Compute& compute, ConstMatrix student, ConstMatrix teacher,
                     float temperature, Matrix grad, float* loss, Columns columns) {
  const char* name = "kl_divergence";
  int lo = 0, hi = 0;
  const Status status = check_pair(name, "teacher", student, teacher, grad, columns, &lo, &hi);
  if (!status) return status;
  if (!(temperature > 0.0f) || !std::isfinite(temperature)) {
    return Status::error("%s: temperature: expected a finite value > 0, found %g", name,
                         static_cast<double>(temperature));
  }
  // d/ds_j of KL(p_t ‖ softmax(s/T)) is (p_s,j - p_t,j) / T; then the batch mean.
  const float scale = temperature * static_cast<float>(student.rows);
  const kernels::MathKernels math = math_for_this_cpu();
  const int rows_per_block = block_rows(hi - lo);
  const double total = sum_block_losses(
      compute, student.rows, hi - lo, rows_per_block, kMinParallelLogits,
      [&](int first, int n, float* losses) {
        SoftmaxBlock ts, ss;
        softmax_block(math, teacher, first, n, lo, hi, temperature, &ts);
        softmax_block(math, student, first, n, lo, hi, temperature, &ss);
        float row_loss[kBlockRows];
        for (int i = 0; i < n; ++i) row_loss[i] = 0.0f;
        for_each_piece(n, lo, hi, [&](int begin, int end) {
          load_piece(math, &ts, begin, end);
          load_piece(math, &ss, begin, end);
          for (int i = 0; i < n; ++i) {
            float* g = grad.row(first + i);
            for (int j = begin; j < end; ++j) {
              const float p_t = ts.exp(i, j) / ts.sum[i];
              const float p_s = ss.exp(i, j) / ss.sum[i];
              // A zero p_t contributes zero, as PyTorch's xlogy makes it.
              if (p_t > 0.0f) {
                const float log_p_t = ts.shifted(i, j) - ts.log_sum[i];
                const float log_p_s = ss.shifted(i, j) - ss.log_sum[i];
                row_loss[i] += p_t * (log_p_t - log_p_s);
              }
              g[j] = (p_s - p_t) / scale;
            }
          }
        });
        for (int i = 0; i < n; ++i) {
          zero_outside(grad.row(first + i), grad.cols, lo, hi);
          losses[i] = row_loss[i];
        }
      });
  if (loss != nullptr) *loss = static_cast<float>(total / student.rows);
  return Status::success();
}

Status kl_divergence(ConstMatrix student, ConstMatrix teacher, float temperature,
                     Matrix grad, float* loss, Columns columns) {
  return kl_divergence(Compute{}, student, teacher, temperature, grad, loss, columns);
}

Status squared_error(const Compute& compute, ConstMatrix student, ConstMatrix target,
                     Matrix grad, float* loss, Columns columns) {
  const char* name = "squared_error";
  int lo = 0, hi = 0;
  const Status status = check_pair(name, "target", student, target, grad, columns, &lo, &hi);
  if (!status) return status;
  const float count = static_cast<float>(student.rows) * static_cast<float>(hi - lo);
  const double total = sum_block_losses(
      compute, student.rows, hi - lo, 1, kMinParallelDifferences,
      [&](int r, int, float* losses) {
        const float* t = target.row(r);
        const float* s = student.row(r);
        float* g = grad.row(r);
        float row_sum = 0.0f;
        for (int j = lo; j < hi; ++j) {
          const float diff = s[j] - t[j];
          row_sum += diff * diff;
          g[j] = 2.0f * diff / count;
        }
        zero_outside(g, grad.cols, lo, hi);
        *losses = row_sum;
      });
  if (loss != nullptr) *loss = static_cast<float>(total / count);
  return Status::success();
}

Status squared_error(ConstMatrix student, ConstMatrix target, Matrix grad, float* loss,
                     Columns columns) {
  return squared_error(Compute{}, student, target, grad, loss, columns);
}

Status softmax_rows(ConstMatrix logits, Matrix probabilities, Columns columns) {
  const char* name = "softmax_rows";
  int lo = 0, hi = 0;
  const Status status = check_common(name, logits, probabilities, columns, &lo, &hi);
  if (!status) return status;
  const kernels::MathKernels math = math_for_this_cpu();
  const int rows_per_block = block_rows(hi - lo);
  for (int first = 0; first < logits.rows; first += rows_per_block) {
    const int n = logits.rows - first < rows_per_block ? logits.rows - first : rows_per_block;
    // Each piece of columns is read (max, shifted logits) before the
    // probabilities are written over it, and only its own columns are
    // written: in place works.
    SoftmaxBlock s;
    softmax_block(math, logits, first, n, lo, hi, 1.0f, &s);
    for_each_probability(math, &s, lo, hi, [&](int i, int j, float p) {
      probabilities.row(first + i)[j] = p;
    });
    for (int i = 0; i < n; ++i) zero_outside(probabilities.row(first + i), probabilities.cols, lo, hi);
  }
  return Status::success();
}

}  // namespace tacit
