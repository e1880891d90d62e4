#include <cmath>

#include "subliminal/experiment.h"

namespace subliminal {

using namespace tacit;

double displacement_cosine(const float* a, const float* a0, const float* b,
                           const float* b0, std::size_t n) {
  double dot = 0.0;
  double aa = 0.0;
  double bb = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double da = static_cast<double>(a[i]) - static_cast<double>(a0[i]);
    const double db = static_cast<double>(b[i]) - static_cast<double>(b0[i]);
    dot += da * db;
    aa += da * da;
    bb += db * db;
  }
  if (aa == 0.0 || bb == 0.0) return 0.0;
  return dot / (std::sqrt(aa) * std::sqrt(bb));
}

}  // namespace subliminal
