#include "tacit/init.h"

#include <cmath>

#include "tacit/rng.h"

namespace tacit {

const char* init_name(Init init) {
  switch (init) {
    case Init::normal_fan_in: return "normal_fan_in";
    case Init::torch_default: return "torch_default";
  }
  return "unknown";
}

void mlp_init(Mlp& mlp, Init init, std::uint64_t seed) {
  for (int l = 0; l < mlp.spec.layers; ++l) {
    const int fan_in = mlp.spec.widths[l];
    const int outputs = mlp.spec.widths[l + 1];
    const std::size_t weight_count = static_cast<std::size_t>(outputs) * fan_in;
    float* w = mlp.params + mlp_weight_offset(mlp.spec, l);
    float* b = mlp.params + mlp_bias_offset(mlp.spec, l);
    const auto weight_stream = static_cast<std::uint32_t>(2 * l);
    const auto bias_stream = weight_stream + 1;
    // sqrt is correctly rounded, so this scale is the same on every machine.
    const float scale = 1.0f / std::sqrt(static_cast<float>(fan_in));
    if (init == Init::normal_fan_in) {
      random_fill_normal(seed, weight_stream, 0, weight_count, w);
      for (std::size_t i = 0; i < weight_count; ++i) w[i] = w[i] * scale;
      for (int i = 0; i < outputs; ++i) b[i] = 0.0f;
    } else {
      random_fill_uniform_pm1(seed, weight_stream, 0, weight_count, w);
      for (std::size_t i = 0; i < weight_count; ++i) w[i] = w[i] * scale;
      random_fill_uniform_pm1(seed, bias_stream, 0, static_cast<std::size_t>(outputs), b);
      for (int i = 0; i < outputs; ++i) b[i] = b[i] * scale;
    }
  }
  mlp_pack(mlp);
}

}  // namespace tacit
