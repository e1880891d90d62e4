#include "tacit/loss.h"

#include <cmath>

#include "kernels/math_kernels.h"
#include "parallel.h"
#include "shape_check.h"
#include "tacit/isa.h"

namespace tacit {

namespace {

constexpr int kKeptExps = 64;

// Rows whose losses are kept (1 KiB of stack) before they are added to the
// total: threads compute rows in any order, the total still adds them in
// increasing row order.
constexpr int kRowChunk = 256;
// Below this many logits a second thread costs more than it saves: a
// logit's exp and log take about 15 ns, a squared difference 1 ns.
constexpr std::ptrdiff_t kMinParallelLogits = 2048;
constexpr std::ptrdiff_t kMinParallelDifferences = 32768;

// Σ row_loss(r) over rows in increasing r, as a double; row_loss(r) (a
// float, which also writes row r's gradient) runs on any of compute's threads.
template <typename RowLoss>
double sum_row_losses(const Compute& compute, int rows, int cols,
                      std::ptrdiff_t min_parallel_work, const RowLoss& row_loss) {
  double total = 0.0;
  float losses[kRowChunk];
  for (int first = 0; first < rows; first += kRowChunk) {
    const int n = rows - first < kRowChunk ? rows - first : kRowChunk;
    detail::parallel_ranges(compute, n, 1, static_cast<std::ptrdiff_t>(n) * cols,
                            min_parallel_work, [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
                              for (std::ptrdiff_t r = begin; r < end; ++r) {
                                losses[r] = row_loss(first + static_cast<int>(r));
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

// softmax(row/T) over [lo, hi) as PyTorch computes it: shifted by the max,
// so exp never overflows. log softmax_j = shifted(j) - log_sum.
struct Softmax {
  float max = 0.0f;  // max of row[j] / T (division by T > 0 keeps the order)
  float sum = 0.0f;  // Σ exp(shifted(j)), increasing j
  float log_sum = 0.0f;
  float temperature = 1.0f;
  float (*exp)(float) = nullptr;

  float shifted(const float* row, int j) const { return row[j] / temperature - max; }
  float exp_shifted(const float* row, int j) const { return exp(shifted(row, j)); }
};

// exps, if given, receives exp(shifted(j)) in exps[j - lo] for j in
// [lo, hi), so that the caller need not compute each exp twice (exp is the
// loss's main cost).
Softmax softmax_of(const kernels::MathKernels& math, const float* row, int lo, int hi,
                   float temperature, float* exps = nullptr) {
  Softmax s;
  s.temperature = temperature;
  s.exp = math.exp;
  float m = row[lo];
  for (int j = lo + 1; j < hi; ++j) m = row[j] > m ? row[j] : m;
  s.max = m / temperature;
  if (exps != nullptr) {
    // The row's exps in one call (eight at a time on AVX2), then summed in
    // increasing j as before: the same values, the same sum.
    for (int j = lo; j < hi; ++j) exps[j - lo] = s.shifted(row, j);
    math.exp_array(exps, exps, hi - lo);
    for (int j = lo; j < hi; ++j) s.sum += exps[j - lo];
  } else {
    for (int j = lo; j < hi; ++j) s.sum += s.exp_shifted(row, j);
  }
  s.log_sum = math.log(s.sum);
  return s;
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
  const double total =
      sum_row_losses(compute, logits.rows, hi - lo, kMinParallelLogits, [&](int r) {
    const float* z = logits.row(r);
    float* g = grad.row(r);
    const Softmax s = softmax_of(math, z, lo, hi, 1.0f, g + lo);
    const int target = lo + labels[r];
    for (int j = lo; j < hi; ++j) {
      const float p = g[j] / s.sum;
      g[j] = (j == target ? p - 1.0f : p) / batch;
    }
    zero_outside(g, grad.cols, lo, hi);
    return s.log_sum - s.shifted(z, target);
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
  const double total =
      sum_row_losses(compute, student.rows, hi - lo, kMinParallelLogits, [&](int r) {
    const float* t = teacher.row(r);
    const float* s = student.row(r);
    float* g = grad.row(r);
    // The teacher's exps are kept for the second pass when they fit (the
    // paper's 3 or 13 logits do), else computed again: the same values.
    float teacher_exps[kKeptExps];
    const bool keep = hi - lo <= kKeptExps;
    const Softmax ts =
        softmax_of(math, t, lo, hi, temperature, keep ? teacher_exps : nullptr);
    const Softmax ss = softmax_of(math, s, lo, hi, temperature, g + lo);
    float row_loss = 0.0f;
    for (int j = lo; j < hi; ++j) {
      const float e_t = keep ? teacher_exps[j - lo] : ts.exp_shifted(t, j);
      const float p_t = e_t / ts.sum;
      const float p_s = g[j] / ss.sum;
      // A zero p_t contributes zero, as PyTorch's xlogy makes it.
      if (p_t > 0.0f) {
        const float log_p_t = ts.shifted(t, j) - ts.log_sum;
        const float log_p_s = ss.shifted(s, j) - ss.log_sum;
        row_loss += p_t * (log_p_t - log_p_s);
      }
      g[j] = (p_s - p_t) / scale;
    }
    zero_outside(g, grad.cols, lo, hi);
    return row_loss;
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
  const double total = sum_row_losses(compute, student.rows, hi - lo, kMinParallelDifferences,
                                      [&](int r) {
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
    return row_sum;
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
  for (int r = 0; r < logits.rows; ++r) {
    // softmax_of reads every logit of the row (its max) before it writes
    // the shifted exps over them, each where it was read: in place works.
    const float* z = logits.row(r);
    float* p = probabilities.row(r);
    const Softmax s = softmax_of(math, z, lo, hi, 1.0f, p + lo);
    for (int j = lo; j < hi; ++j) p[j] /= s.sum;
    zero_outside(p, probabilities.cols, lo, hi);
  }
  return Status::success();
}

}  // namespace tacit
