#include <cmath>

#include "subliminal/experiment.h"

namespace subliminal {

using namespace tacit;

SummaryStats summarize(const double* values, int n) {
  SummaryStats s;
  if (n < 1) return s;
  s.n = n;
  double sum = 0.0;
  s.min = values[0];
  s.max = values[0];
  for (int i = 0; i < n; ++i) {
    sum += values[i];
    if (values[i] < s.min) s.min = values[i];
    if (values[i] > s.max) s.max = values[i];
  }
  s.mean = sum / n;
  if (n >= 2) {
    double squares = 0.0;
    for (int i = 0; i < n; ++i) {
      const double d = values[i] - s.mean;
      squares += d * d;
    }
    s.std = std::sqrt(squares / (n - 1));
  }
  s.ci95 = 1.96 * s.std / std::sqrt(static_cast<double>(n));
  return s;
}

}  // namespace subliminal
