// Writes the checkpoint examples/embed/mixed exports: a 784-32-24-16-10
// MLP with tanh, GELU and sigmoid hidden layers, initialized from a fixed
// seed (untrained: the example checks that firmware computes the host's
// logits for every activation, not what they classify).
//   make-model OUT.tacit
#include <cstdio>
#include <vector>

#include "tacit/checkpoint.h"
#include "tacit/init.h"

int main(int argc, char** argv) {
  using namespace tacit;
  if (argc != 2) {
    std::fprintf(stderr, "usage: make-model OUT.tacit\n");
    return 2;
  }
  const int widths[] = {784, 32, 24, 16, 10};
  const Activation activations[] = {Activation::tanh, Activation::gelu, Activation::sigmoid};
  MlpSpec spec;
  Status status = mlp_spec_activations(widths, 5, activations, &spec);
  std::vector<unsigned char> memory(arena_buffer_bytes(mlp_bytes(spec)));
  Arena arena(memory.data(), memory.size());
  Mlp mlp;
  if (status) status = mlp_create(spec, arena, &mlp);
  if (status) mlp_init(mlp, Init::torch_default, 12);
  std::vector<unsigned char> buffer(checkpoint_bytes(spec));
  if (status) status = checkpoint_save(argv[1], mlp, buffer.data(), buffer.size());
  if (!status) {
    std::fprintf(stderr, "make-model: %s\n", status.message());
    return 1;
  }
  return 0;
}
