#include "common/divergence.h"

#include <cmath>
#include <cstdio>

namespace tacit_tools {

bool LossWatch::diverged(double loss) {
  if (!std::isfinite(loss)) return true;
  if (!started_) {
    started_ = true;
    first_ = loss;
    return false;
  }
  return loss > limit();
}

double LossWatch::limit() const {
  return kLossGrowthLimit * (first_ > 1.0 ? first_ : 1.0);
}

std::size_t first_non_finite(const float* values, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    if (!std::isfinite(values[i])) return i;
  }
  return count;
}

std::string loss_divergence_text(double loss, double limit) {
  char text[160];
  if (!std::isfinite(loss)) {
    std::snprintf(text, sizeof text, "loss %g is not finite", loss);
  } else {
    std::snprintf(text, sizeof text, "loss %g is above %g (%g x max(1, the first step's))",
                  loss, limit, kLossGrowthLimit);
  }
  return text;
}

}  // namespace tacit_tools
