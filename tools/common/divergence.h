// Training whose numbers ran away. Every tool that trains watches its losses
// and parameters with these rules, and reports what they find on stderr and
// in its JSON; without --allow-divergence its exit status is then
// kExitDiverged. The rules read only values that are the same bits on every
// ISA and thread count, so the verdict is too.
#pragma once

#include <cstddef>
#include <string>

namespace tacit_tools {

constexpr int kExitDiverged = 4;

// A step's loss may grow to this many times max(1, the phase's first loss)
// before the training counts as diverged (cross-entropy starts near ln 10;
// a healthy phase stays below its first loss).
constexpr double kLossGrowthLimit = 100.0;

// One training phase's losses, step by step.
class LossWatch {
 public:
  // Whether this step's loss is out of bounds: not finite, or above
  // kLossGrowthLimit · max(1, the first step's loss). The first step's
  // loss is judged only on being finite.
  bool diverged(double loss);
  double limit() const;

 private:
  bool started_ = false;
  double first_ = 0.0;
};

// The index of the first value that is not finite, or count if all are.
std::size_t first_non_finite(const float* values, std::size_t count);

// "loss X is not finite" or "loss X is above LIMIT (100 x max(1, the first
// step's))", LIMIT being LossWatch::limit() when the step was judged.
std::string loss_divergence_text(double loss, double limit);

}  // namespace tacit_tools
