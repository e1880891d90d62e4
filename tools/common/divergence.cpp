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

void DivergenceWatch::step(double loss, int epoch, long step) {
  if (!losses_.diverged(loss) || result_.found) return;
  result_.found = true;
  result_.epoch = epoch + 1;
  result_.step = step;
  result_.loss = loss;
  result_.limit = losses_.limit();
}

void DivergenceWatch::parameters(const float* params, std::size_t count, int epochs) {
  const std::size_t bad = first_non_finite(params, count);
  if (bad == count || result_.found) return;
  result_.found = true;
  result_.epoch = epochs;
  result_.parameter = static_cast<long long>(bad);
}

std::string divergence_text(const Divergence& d) {
  char text[200];
  if (d.parameter >= 0) {
    std::snprintf(text, sizeof text, "epoch %d, after training: parameter %lld is not finite",
                  d.epoch, d.parameter);
    return text;
  }
  std::snprintf(text, sizeof text, "epoch %d, step %ld: ", d.epoch, d.step);
  return text + loss_divergence_text(d.loss, d.limit);
}

}  // namespace tacit_tools
