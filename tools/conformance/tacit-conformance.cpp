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
  ConformanceConfig config;
  if (tacit_cli::help_requested(argc, argv)) {
    print_help();
    return 0;
  }
  Isa isa;
  if (!tacit_cli::default_isa(kTool, &isa)) return 2;
  int threads = 1;
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (tacit_cli::is_flag(arg, "--isa")) {
      if (!tacit_cli::parse_isa(kTool, value, &isa)) return 2;
      ++i;
    } else if (tacit_cli::is_flag(arg, "--threads")) {
      if (!tacit_cli::parse_int(kTool, arg, value, 1, 256, &threads)) return 2;
      ++i;
    } else if (tacit_cli::is_flag(arg, "--steps")) {
      if (!tacit_cli::parse_int(kTool, arg, value, 1, 1000000, &config.steps)) return 2;
      ++i;
    } else if (tacit_cli::is_flag(arg, "--seed")) {
      if (!tacit_cli::parse_u64(kTool, arg, value, &config.seed)) return 2;
      ++i;
    } else {
      tacit_cli::usage(kTool, "unknown argument '%s'", arg);
      return 2;
    }
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
    return 1;
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
