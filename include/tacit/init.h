// Initializers, drawn from tacit's counter-based generator so that a seed
// means the same weights everywhere. Each layer uses its own streams:
// weights stream 2·layer, biases stream 2·layer + 1, index = the element's
// position in that layer's W (row-major, out × in) or b.
#pragma once

#include <cstdint>

#include "tacit/mlp.h"

namespace tacit {

enum class Init {
  // W ~ N(0, 1/fan_in) (w = z · (1/√fan_in) in float), b = 0 (LeCun normal).
  normal_fan_in,
  // PyTorch's nn.Linear default: W and b ~ U(-1/√fan_in, 1/√fan_in),
  // as u · bound with u uniform in [-1, 1).
  torch_default,
};

const char* init_name(Init init);
// Fills the parameters and repacks. Same seed, same bits.
void mlp_init(Mlp& mlp, Init init, std::uint64_t seed);

}  // namespace tacit
