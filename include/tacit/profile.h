// Where the time of a training or inference goes, measured inside the real
// calls: give a Compute a Profile and every product, elementwise pass, loss,
// optimizer step and repack made through it adds its wall time, calls and
// floating-point operations to the Profile's tally for its kind of work.
//
// The library has no clock of its own (bare-metal builds have none): the
// caller supplies one that returns seconds. A Profile is written by the
// thread that makes the calls (the pool's workers never touch it); profile
// one Compute from one thread at a time.
#pragma once

namespace tacit {

enum class Work {
  forward_product,  // Y = X·Wᵀ + b (with a ReLU epilogue when the layer has one)
  input_gradient,   // dX = dY·W
  weight_gradient,  // dW = dYᵀ·X
  bias_gradient,    // db = column sums of dY, where they take a pass of their own
  activation,       // tanh, sigmoid and GELU forward, every activation's backward,
                    // and below a ReLU layer the bias sums its mask pass makes
  loss,             // the loss and its gradient with respect to the logits
  optimizer,        // Adam or SGD over every parameter
  pack,             // the packed Wᵀ copies refreshed after a step
};
constexpr int kWorkKinds = 8;

// "forward_product", "input_gradient", ...
const char* work_name(Work work);

struct WorkTally {
  long long calls = 0;
  double seconds = 0.0;
  double flops = 0.0;  // products: 2·m·n·k; everything else: 0 (not counted)
};

struct Profile {
  double (*clock)() = nullptr;  // seconds from any fixed origin
  WorkTally work[kWorkKinds];
};

}  // namespace tacit
