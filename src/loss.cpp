#include "tacit/loss.h"

#include "kernels/math_kernels.h"
#include "tacit/isa.h"

namespace tacit {

namespace {

constexpr int kKeptExps = 64;

// exp_f32 and log_f32, with inline FMAs where the CPU has them (the same
// bits). Chosen by the CPU, not by a Compute (the losses take none), once
// per loss call: a few nanoseconds. Not cached in a function-local static:
// its thread-safe guard would pull libsupc++'s exception globals into
// bare-metal builds (tests/cortex-m), which have no __dso_handle.
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

}  // namespace

float softmax_cross_entropy(ConstMatrix logits, int lo, int hi,
                            const std::int32_t* labels, Matrix grad) {
  const float batch = static_cast<float>(logits.rows);
  const kernels::MathKernels math = math_for_this_cpu();
  double total = 0.0;
  for (int r = 0; r < logits.rows; ++r) {
    const float* z = logits.row(r);
    float* g = grad.row(r);
    const Softmax s = softmax_of(math, z, lo, hi, 1.0f, g + lo);
    const int target = lo + labels[r];
    total += static_cast<double>(s.log_sum - s.shifted(z, target));
    for (int j = lo; j < hi; ++j) {
      const float p = g[j] / s.sum;
      g[j] = (j == target ? p - 1.0f : p) / batch;
    }
    zero_outside(g, grad.cols, lo, hi);
  }
  return static_cast<float>(total / logits.rows);
}

float kl_divergence(ConstMatrix teacher, ConstMatrix student, int lo, int hi,
                    float temperature, Matrix grad) {
  // d/ds_j of KL(p_t ‖ softmax(s/T)) is (p_s,j - p_t,j) / T; then the batch mean.
  const float scale = temperature * static_cast<float>(student.rows);
  const kernels::MathKernels math = math_for_this_cpu();
  double total = 0.0;
  for (int r = 0; r < student.rows; ++r) {
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
    total += static_cast<double>(row_loss);
    zero_outside(g, grad.cols, lo, hi);
  }
  return static_cast<float>(total / student.rows);
}

float squared_error(ConstMatrix target, ConstMatrix student, int lo, int hi,
                    Matrix grad) {
  const float count = static_cast<float>(student.rows) * static_cast<float>(hi - lo);
  double total = 0.0;
  for (int r = 0; r < student.rows; ++r) {
    const float* t = target.row(r);
    const float* s = student.row(r);
    float* g = grad.row(r);
    float row_sum = 0.0f;
    for (int j = lo; j < hi; ++j) {
      const float diff = s[j] - t[j];
      row_sum += diff * diff;
      g[j] = 2.0f * diff / count;
    }
    total += static_cast<double>(row_sum);
    zero_outside(g, grad.cols, lo, hi);
  }
  return static_cast<float>(total / count);
}

}  // namespace tacit
