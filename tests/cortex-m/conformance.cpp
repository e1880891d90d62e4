// The determinism contract on a Cortex-M4: the conformance run (training a
// teacher and a student, tools/conformance/conformance.h) in static memory,
// printing the hash of the final weights, which must be the golden one
// (`conformance` in tests/golden-hashes), as on x86-64 and AArch64; then the
// mixed-activation run in the same memory (`hash-mixed`, `conformance-mixed`).
#include <cstdio>

#include "conformance/conformance.h"

namespace {

tacit_tools::ConformanceConfig g_config;
// conformance_bytes and conformance_mixed_bytes for the default config,
// checked at run time.
unsigned char g_memory[256 * 1024];
char g_stdout_buffer[128];

}  // namespace

int main() {
  std::setvbuf(stdout, g_stdout_buffer, _IOLBF, sizeof g_stdout_buffer);
  const std::size_t relu = tacit_tools::conformance_bytes(g_config);
  const std::size_t mixed = tacit_tools::conformance_mixed_bytes(g_config);
  const std::size_t needed = tacit::arena_buffer_bytes(relu > mixed ? relu : mixed);
  if (needed > sizeof g_memory) {
    std::printf("conformance: needs %lu bytes, the static buffer has %lu\n",
                static_cast<unsigned long>(needed), static_cast<unsigned long>(sizeof g_memory));
    return 1;
  }
  tacit::Arena arena(g_memory, sizeof g_memory);
  tacit_tools::ConformanceResult result;
  const tacit::Status status = tacit_tools::conformance_run(tacit::Compute{}, g_config, arena, &result);
  if (!status) {
    std::printf("conformance: %s\n", status.message());
    return 1;
  }
  std::printf("hash %08lx%08lx\n", static_cast<unsigned long>(result.hash >> 32),
              static_cast<unsigned long>(result.hash & 0xFFFFFFFFu));
  tacit::Arena mixed_arena(g_memory, sizeof g_memory);  // the first run is done with it
  tacit_tools::ConformanceResult mixed_result;
  const tacit::Status mixed_status =
      tacit_tools::conformance_mixed_run(tacit::Compute{}, g_config, mixed_arena, &mixed_result);
  if (!mixed_status) {
    std::printf("conformance: %s\n", mixed_status.message());
    return 1;
  }
  std::printf("hash-mixed %08lx%08lx\n", static_cast<unsigned long>(mixed_result.hash >> 32),
              static_cast<unsigned long>(mixed_result.hash & 0xFFFFFFFFu));
  std::printf("steps %d seed %lu\n", result.steps, static_cast<unsigned long>(g_config.seed));
  return 0;
}
