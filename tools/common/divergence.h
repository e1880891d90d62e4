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

// The first sign that one training diverged: a step's loss out of bounds,
// or, when it ended, a parameter that is not finite.
struct Divergence {
  bool found = false;
  int epoch = 0;             // 1-based
  long step = 0;             // 1-based within the epoch; 0 for a parameter
  double loss = 0.0;
  double limit = 0.0;        // the loss bound at that step
  long long parameter = -1;  // the first non-finite parameter's index, or -1
};

// One training's watch, from its first step: keeps the first Divergence.
class DivergenceWatch {
 public:
  // Judges a step's loss; epoch is 0-based, step 1-based within it.
  void step(double loss, int epoch, long step);
  // When the training of `epochs` epochs ends: its parameters.
  void parameters(const float* params, std::size_t count, int epochs);
  const Divergence& result() const { return result_; }

 private:
  LossWatch losses_;
  Divergence result_;
};

// "epoch 2, step 17: loss ... is above ..." or "epoch 5, after training:
// parameter 12 is not finite", for stderr.
std::string divergence_text(const Divergence& divergence);

}  // namespace tacit_tools
