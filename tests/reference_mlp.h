// An independent double-precision MLP and losses for the tests: naive loops,
// C library exp/log, no tacit code, so central differences through it check
// tacit's float backward passes.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace reference {

// Hidden activations by tacit's codes (activation.h: 0 relu, 1 tanh,
// 2 sigmoid, 3 gelu), each as its textbook formula in double.
inline double activate(int code, double x) {
  const double pi = 3.14159265358979323846;
  switch (code) {
    case 1: return std::tanh(x);
    case 2: return 1.0 / (1.0 + std::exp(-x));
    case 3: {
      // The tanh form as written; (1 + tanh z)/2 = 1/(1 + e^(-2z)) keeps it
      // accurate where 1 + tanh z cancels (x below about -4).
      const double z = std::sqrt(2.0 / pi) * (x + 0.044715 * x * x * x);
      return x > -4 ? 0.5 * x * (1.0 + std::tanh(z)) : x / (1.0 + std::exp(-2.0 * z));
    }
    default: return x < 0 ? 0.0 : x;
  }
}

struct Net {
  std::vector<int> widths;
  std::vector<double> params;  // PyTorch layout, as tacit's
  std::vector<int> activations = {};  // per hidden layer; empty: all ReLU

  std::size_t weight_offset(int layer) const {
    std::size_t offset = 0;
    for (int l = 0; l < layer; ++l)
      offset += static_cast<std::size_t>(widths[l + 1]) * widths[l] + widths[l + 1];
    return offset;
  }

  // x (batch, widths[0]) -> logits (batch, widths.back())
  std::vector<double> forward(const std::vector<double>& x, int batch) const {
    std::vector<double> act = x;
    const int layers = static_cast<int>(widths.size()) - 1;
    for (int l = 0; l < layers; ++l) {
      const int in = widths[l], out = widths[l + 1];
      const double* w = &params[weight_offset(l)];
      const double* b = w + static_cast<std::size_t>(out) * in;
      std::vector<double> next(static_cast<std::size_t>(batch) * out);
      for (int r = 0; r < batch; ++r) {
        for (int j = 0; j < out; ++j) {
          double sum = b[j];
          for (int k = 0; k < in; ++k) sum += act[r * in + k] * w[j * in + k];
          if (l + 1 < layers)
            sum = activate(activations.empty() ? 0 : activations[l], sum);
          next[r * out + j] = sum;
        }
      }
      act.swap(next);
    }
    return act;
  }
};

inline std::vector<double> log_softmax(const double* row, int lo, int hi, double t) {
  double m = row[lo] / t;
  for (int j = lo; j < hi; ++j) m = std::fmax(m, row[j] / t);
  double sum = 0;
  for (int j = lo; j < hi; ++j) sum += std::exp(row[j] / t - m);
  std::vector<double> out;
  for (int j = lo; j < hi; ++j) out.push_back(row[j] / t - m - std::log(sum));
  return out;
}

inline double cross_entropy(const std::vector<double>& logits, int cols, int batch,
                            int lo, int hi, const std::int32_t* labels) {
  double total = 0;
  for (int r = 0; r < batch; ++r)
    total -= log_softmax(&logits[r * cols], lo, hi, 1.0)[labels[r]];
  return total / batch;
}

inline double kl(const std::vector<double>& teacher, const std::vector<double>& student,
                 int cols, int batch, int lo, int hi, double t) {
  double total = 0;
  for (int r = 0; r < batch; ++r) {
    const auto lt = log_softmax(&teacher[r * cols], lo, hi, t);
    const auto ls = log_softmax(&student[r * cols], lo, hi, t);
    for (std::size_t j = 0; j < lt.size(); ++j) total += std::exp(lt[j]) * (lt[j] - ls[j]);
  }
  return total / batch;
}

inline double squared_error(const std::vector<double>& target,
                            const std::vector<double>& student, int cols, int batch,
                            int lo, int hi) {
  double total = 0;
  for (int r = 0; r < batch; ++r)
    for (int j = lo; j < hi; ++j) {
      const double d = student[r * cols + j] - target[r * cols + j];
      total += d * d;
    }
  return total / (batch * (hi - lo));
}

}  // namespace reference
