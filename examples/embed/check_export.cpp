// Test (host only): model.h holds the checkpoint's activations and
// parameters bit for bit.
// The header's arrays, turned back into a model (Wᵀ transposed back to W)
// and written as a checkpoint, must give the original file's bytes.
//   check_export CHECKPOINT
#include <cstdio>
#include <vector>

#include "model.h"
#include "tacit/checkpoint.h"
#include "tacit/crc32.h"

int main(int argc, char** argv) {
  using namespace tacit;
  if (argc != 2) {
    std::fprintf(stderr, "usage: check_export CHECKPOINT\n");
    return 2;
  }
  MlpSpec spec;
  Status status = mlp_spec(tacit_model_widths, TACIT_MODEL_LAYERS + 1, &spec);
  for (int l = 0; status && l + 1 < spec.layers; ++l) {
    Activation a;
    status = activation_from_code(tacit_model_activations[l], &a);
    if (status) status = mlp_spec_set_activation(&spec, l, a);
  }
  std::vector<unsigned char> memory(arena_buffer_bytes(mlp_bytes(spec)));
  Arena arena(memory.data(), memory.size());
  Mlp mlp;
  if (status) status = mlp_create(spec, arena, &mlp);
  std::vector<unsigned char> original(checkpoint_bytes(spec));
  Mlp loaded;
  std::vector<unsigned char> memory2(arena_buffer_bytes(mlp_bytes(spec)));
  Arena arena2(memory2.data(), memory2.size());
  if (status) status = mlp_create(spec, arena2, &loaded);
  if (status) status = checkpoint_load(argv[1], original.data(), original.size(), loaded);
  if (!status) {
    std::fprintf(stderr, "check_export: %s\n", status.message());
    return 1;
  }
  for (int l = 0; l < spec.layers; ++l) {
    const int in = spec.widths[l];
    const int out = spec.widths[l + 1];
    float* w = mlp.params + mlp_weight_offset(spec, l);
    for (int o = 0; o < out; ++o) {
      for (int i = 0; i < in; ++i) w[o * in + i] = tacit_model_weights_t[l][i * out + o];
    }
    float* b = mlp.params + mlp_bias_offset(spec, l);
    for (int o = 0; o < out; ++o) b[o] = tacit_model_biases[l][o];
  }
  std::vector<unsigned char> rebuilt(checkpoint_bytes(spec));
  status = checkpoint_write(mlp, rebuilt.data(), rebuilt.size());
  if (!status) {
    std::fprintf(stderr, "check_export: %s\n", status.message());
    return 1;
  }
  const std::uint32_t crc = crc32(rebuilt.data(), rebuilt.size() - 4);
  std::printf("%zu parameters; rebuilt checkpoint crc32 0x%08x, header says 0x%08x\n",
              mlp.param_count, static_cast<unsigned>(crc),
              static_cast<unsigned>(TACIT_MODEL_CHECKPOINT_CRC32));
  if (rebuilt != original || crc != TACIT_MODEL_CHECKPOINT_CRC32) {
    std::printf("FAILED: the header's parameters are not the checkpoint's\n");
    return 1;
  }
  std::printf("the header's parameters are the checkpoint's, bit for bit\n");
  return 0;
}
