// Measures one inference of an exported model (model.h) on QEMU's
// mps2-an386 under `-icount shift=0`, where every guest instruction
// advances virtual time by 1 ns. SysTick runs on that virtual clock, so its
// ticks count instructions, calibrated here with a loop of known length.
// QEMU does not model the Cortex-M4 pipeline: these are instruction counts,
// not cycles (a real M4 takes 1 cycle for most instructions, 2 for loads
// and 3 for a fused multiply-add). Without -icount the numbers are
// meaningless.
#include <cstdint>
#include <cstdio>

#include "model.h"
#include "tacit/infer.h"

namespace {

volatile std::uint32_t& reg(std::uintptr_t address) {
  return *reinterpret_cast<volatile std::uint32_t*>(address);
}
volatile std::uint32_t& kSysTickControl = reg(0xE000E010);
volatile std::uint32_t& kSysTickReload = reg(0xE000E014);
volatile std::uint32_t& kSysTickValue = reg(0xE000E018);

unsigned char g_scratch[TACIT_MODEL_ARENA_BYTES];
float g_input[TACIT_MODEL_INPUTS];
float g_logits[TACIT_MODEL_OUTPUTS];
char g_stdout_buffer[128];

void systick_start() {
  kSysTickReload = 0xFFFFFFu;  // 24 bits, counting down
  kSysTickValue = 0;
  kSysTickControl = 5;  // enabled, processor clock, no interrupt
}

std::uint32_t ticks_since(std::uint32_t start) {
  return (start - kSysTickValue) & 0xFFFFFFu;
}

// 2 instructions an iteration (subs, bne), plus a few around it.
__attribute__((noinline)) void spin(std::uint32_t iterations) {
  asm volatile(
      "1: subs %0, %0, #1\n"
      "   bne 1b\n"
      : "+r"(iterations)
      :
      : "cc");
}

}  // namespace

int main() {
  std::setvbuf(stdout, g_stdout_buffer, _IOLBF, sizeof g_stdout_buffer);
  systick_start();

  // Calibration: instructions per tick from 2 x 1,000,000 instructions.
  constexpr std::uint32_t kSpin = 1000000;
  std::uint32_t start = kSysTickValue;
  spin(kSpin);
  const std::uint32_t spin_ticks = ticks_since(start);

  tacit::MlpView view;
  tacit::Arena arena(g_scratch, sizeof g_scratch);
  tacit::InferWorkspace ws;
  tacit::Status status = tacit::mlp_view_create(tacit_model_widths, TACIT_MODEL_LAYERS + 1,
                                                tacit_model_activations,
                                                tacit_model_weights_t, tacit_model_biases,
                                                &view);
  if (status) status = tacit::infer_workspace_create(view.spec, 1, arena, &ws);
  if (!status) {
    std::printf("%s\n", status.message());
    return 1;
  }
  for (int i = 0; i < TACIT_MODEL_INPUTS; ++i) g_input[i] = tacit_model_input[i];

  start = kSysTickValue;
  tacit::mlp_infer(tacit::Compute{}, view, ws,
                   tacit::const_matrix(g_input, 1, TACIT_MODEL_INPUTS),
                   tacit::matrix(g_logits, 1, TACIT_MODEL_OUTPUTS));
  const std::uint32_t infer_ticks = ticks_since(start);

  long macs = 0;
  for (int l = 0; l < TACIT_MODEL_LAYERS; ++l) {
    macs += static_cast<long>(tacit_model_widths[l]) * tacit_model_widths[l + 1];
  }
  const unsigned long per_tick = spin_ticks != 0 ? (2UL * kSpin + spin_ticks / 2) / spin_ticks : 0;
  const unsigned long instructions = static_cast<unsigned long>(infer_ticks) * per_tick;
  std::printf("calibration: %lu ticks for %lu instructions: %lu instructions a tick\n",
              static_cast<unsigned long>(spin_ticks), 2UL * kSpin, per_tick);
  std::printf("inference: %lu ticks = %lu instructions (+-%lu) for %ld multiply-adds "
              "(%lu.%02lu instructions each)\n",
              static_cast<unsigned long>(infer_ticks), instructions, per_tick, macs,
              instructions / static_cast<unsigned long>(macs),
              instructions * 100 / static_cast<unsigned long>(macs) % 100);
  return 0;
}
