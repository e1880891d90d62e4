// Trains the fixed conformance run (conformance.h here) and prints
// the hash of its final weights: the same on every platform, ISA and thread
// count, or the determinism contract is broken.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "common/cli.h"
#include "conformance/conformance.h"
#include "tacit/isa.h"
#include "tacit/threads.h"

namespace {

constexpr const char* kTool = "tacit-conformance";

void print_help() {
  std::printf(
      "usage: tacit-conformance [--isa NAME] [--threads N] [--steps N] [--seed N]\n"
      "\n"
      "Trains a fixed small MLP (61-47-33-13, batch 19) on generated data for\n"
      "N cross-entropy steps, then a student for N KL steps, and prints the hash\n"
      "of all final weights; then the same for a 61-47-33-29-13 MLP with tanh,\n"
      "GELU and sigmoid hidden layers (hash-mixed). Every platform, ISA and\n"
      "thread count must print the same hashes for the same --steps and --seed\n"
      "(tests/golden-hashes).\n"
      "\n"
      "  --isa NAME     portable, avx2, avx512 or neon (default: TACIT_ISA, else\n"
      "                 the best this CPU supports)\n"
      "  --threads N    worker threads including the caller (default 1)\n"
      "  --steps N      steps per phase (default 50)\n"
      "  --seed N       generator seed (default 0)\n"
      "  --help         this text\n");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tacit;
  using namespace tacit_tools;
  tacit_cli::exit_on_out_of_memory(kTool);
  ConformanceConfig config;
  Isa isa = Isa::portable;
  int threads = 1;
  const tacit_cli::Command command{kTool, {
      tacit_cli::isa(&isa),
      tacit_cli::whole("--threads", 1, 256, &threads),
      tacit_cli::whole("--steps", 1, 1000000, &config.steps),
      tacit_cli::unsigned64("--seed", &config.seed)}};
  if (const int exit = tacit_cli::exit_unless_run(tacit_cli::parse(command, argc, argv), print_help);
      exit >= 0) {
    return exit;
  }
  threads = tacit_cli::usable_threads(kTool, threads);

  std::vector<unsigned char> memory(arena_buffer_bytes(conformance_bytes(config)));
  Arena arena(memory.data(), memory.size());
  ThreadPool pool(threads);
  ConformanceResult result;
  Status status = conformance_run(Compute{isa, &pool}, config, arena, &result);
  // The same training on the mixed-activation model, in memory of its own.
  std::vector<unsigned char> mixed_memory(
      arena_buffer_bytes(conformance_mixed_bytes(config)));
  Arena mixed_arena(mixed_memory.data(), mixed_memory.size());
  ConformanceResult mixed;
  if (status) status = conformance_mixed_run(Compute{isa, &pool}, config, mixed_arena, &mixed);
  if (!status) {
    std::fprintf(stderr, "%s: %s\n", kTool, status.message());
    return tacit_cli::kExitFailure;
  }
  std::printf("hash %016" PRIx64 "\n", result.hash);
  std::printf("hash-mixed %016" PRIx64 "\n", mixed.hash);
  std::printf("steps %d seed %" PRIu64 "\n", result.steps, config.seed);
  std::printf("teacher loss %.6f -> %.6f\n", static_cast<double>(result.teacher_first_loss),
              static_cast<double>(result.teacher_last_loss));
  std::printf("student loss %.6f -> %.6f\n", static_cast<double>(result.student_first_loss),
              static_cast<double>(result.student_last_loss));
  std::printf("mixed teacher loss %.6f -> %.6f\n",
              static_cast<double>(mixed.teacher_first_loss),
              static_cast<double>(mixed.teacher_last_loss));
  std::printf("mixed student loss %.6f -> %.6f\n",
              static_cast<double>(mixed.student_first_loss),
              static_cast<double>(mixed.student_last_loss));
  std::printf("isa %s threads %d\n", isa_name(isa), threads);
  return 0;
}
