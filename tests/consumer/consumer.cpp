// Uses the library the way an application would, through its installed
// headers only: trains the conformance run (tacit's
// tools/conformance/conformance.cpp, compiled here as application code),
// whose hash must be the golden one (`conformance` in tests/golden-hashes)
// as everywhere; saves the teacher-sized model as a checkpoint in memory,
// loads it back and runs inference from it.
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <vector>

#include <tacit/checkpoint.h>
#include <tacit/infer.h>
#include <tacit/init.h>

#include "conformance/conformance.h"

int main() {
  using namespace tacit;
  using namespace tacit_tools;
  ConformanceConfig config;
  std::vector<unsigned char> memory(arena_buffer_bytes(conformance_bytes(config)));
  Arena arena(memory.data(), memory.size());
  ConformanceResult result;
  Status status = conformance_run(Compute{}, config, arena, &result);
  if (!status) {
    std::fprintf(stderr, "consumer: %s\n", status.message());
    return 1;
  }
  std::printf("hash %016" PRIx64 "\n", result.hash);

  const int widths[] = {784, 256, 256, 13};
  MlpSpec spec;
  status = mlp_spec(widths, 4, &spec);
  std::vector<unsigned char> model_memory(
      arena_buffer_bytes(2 * mlp_bytes(spec) + infer_workspace_bytes(spec, 1)));
  Arena model_arena(model_memory.data(), model_memory.size());
  Mlp saved, loaded;
  InferWorkspace ws;
  if (status) status = mlp_create(spec, model_arena, &saved);
  if (status) status = mlp_create(spec, model_arena, &loaded);
  if (status) status = infer_workspace_create(spec, 1, model_arena, &ws);
  mlp_init(saved, Init::normal_fan_in, 1);
  std::vector<unsigned char> file(checkpoint_bytes(spec));
  if (status) status = checkpoint_write(saved, file.data(), file.size());
  if (status) status = checkpoint_read(file.data(), file.size(), "memory", loaded);
  if (!status) {
    std::fprintf(stderr, "consumer: %s\n", status.message());
    return 1;
  }
  std::vector<float> x(784, 0.5f), a(13), b(13);
  mlp_infer(Compute{}, mlp_view(saved), ws, const_matrix(x.data(), 1, 784), matrix(a.data(), 1, 13));
  mlp_infer(Compute{}, mlp_view(loaded), ws, const_matrix(x.data(), 1, 784), matrix(b.data(), 1, 13));
  const bool same = std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
  std::printf("checkpoint round trip: %s\n", same ? "same logits" : "DIFFERENT logits");
  return same ? 0 : 1;
}
