// Classifies one digit the way firmware would: the model is a header from
// tacit-export (weights as `static const` arrays, so in flash), the
// activations live in one static buffer sized by the header, and the product
// runs on the calling thread with the portable kernel. No heap, no threads,
// no files: the only I/O is text on stdout (semihosting on a Cortex-M).
//
// It prints the logits (IEEE bits, then six decimals for reading), the
// class and the label, and exits 1 unless the logits equal, bit for bit,
// the ones tacit-export computed on its host (model.h's
// expected_logits): so the same binary checks itself on any target.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "model.h"
#include "tacit/infer.h"

#if !defined(TACIT_MODEL_HAS_INPUT)
#error "export the model with --image N: this example classifies that image"
#endif

namespace {

// Hidden activations (exactly what infer_workspace_bytes asks, plus room
// to align), and stdout's buffer, so that writing allocates nothing either.
unsigned char g_scratch[TACIT_MODEL_ARENA_BYTES];
char g_stdout_buffer[128];

// argmax over the 10 digit logits (all of them if there are fewer).
int classify(const float* input, float* logits) {
  tacit::MlpView view;
  tacit::Status status = tacit::mlp_view_create(
      tacit_model_widths, TACIT_MODEL_LAYERS + 1, tacit_model_activations,
      tacit_model_weights_t, tacit_model_biases, &view);
  tacit::Arena arena(g_scratch, sizeof g_scratch);
  tacit::InferWorkspace workspace;
  if (status) status = tacit::infer_workspace_create(view.spec, 1, arena, &workspace);
  // Compute{}: the best kernel this CPU has, no thread pool.
  if (status) {
    status = tacit::mlp_infer(tacit::Compute{}, view, workspace,
                              tacit::const_matrix(input, 1, TACIT_MODEL_INPUTS),
                              tacit::matrix(logits, 1, TACIT_MODEL_OUTPUTS));
  }
  const int classes = TACIT_MODEL_OUTPUTS < 10 ? TACIT_MODEL_OUTPUTS : 10;
  std::int32_t digit = 0;
  if (status) {
    status = tacit::argmax_rows(tacit::const_matrix(logits, 1, TACIT_MODEL_OUTPUTS), &digit,
                                tacit::Columns{0, classes});
  }
  if (!status) {
    std::fputs(status.message(), stdout);
    std::fputs("\n", stdout);
    return -1;
  }
  return static_cast<int>(digit);
}

std::uint32_t bits(float f) {
  std::uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

// "-6.845335": for reading only (the bits are the value). Integer
// formatting, because a C library's %f may allocate (newlib's does).
void format_decimal(float value, char* out, std::size_t capacity) {
  double v = static_cast<double>(value);
  const char sign = (bits(value) >> 31) != 0 ? '-' : '+';
  if (v < 0) v = -v;
  if (!(v < 1e12)) {
    std::snprintf(out, capacity, "%c(out of range)", sign);
    return;
  }
  const auto micros = static_cast<unsigned long long>(v * 1e6 + 0.5);
  std::snprintf(out, capacity, "%c%llu.%06llu", sign, micros / 1000000ULL,
                micros % 1000000ULL);
}

}  // namespace

int main() {
  std::setvbuf(stdout, g_stdout_buffer, _IOLBF, sizeof g_stdout_buffer);
  float logits[TACIT_MODEL_OUTPUTS];
  const int digit = classify(tacit_model_input, logits);
  if (digit < 0) return 1;

  char line[96];
  int differ = 0;
  for (int j = 0; j < TACIT_MODEL_OUTPUTS; ++j) {
    char decimal[32];
    format_decimal(logits[j], decimal, sizeof decimal);
    const bool same = bits(logits[j]) == bits(tacit_model_expected_logits[j]);
    differ += same ? 0 : 1;
    std::snprintf(line, sizeof line, "logit %2d %08lx %s%s\n", j,
                  static_cast<unsigned long>(bits(logits[j])), decimal,
                  same ? "" : "  (host: different)");
    std::fputs(line, stdout);
  }
  std::snprintf(line, sizeof line, "class %d\nlabel %d\n", digit, tacit_model_input_label);
  std::fputs(line, stdout);
  if (differ != 0) {
    std::snprintf(line, sizeof line, "host logits: %d of %d differ\n", differ,
                  TACIT_MODEL_OUTPUTS);
    std::fputs(line, stdout);
    return 1;
  }
  std::fputs("host logits: identical, bit for bit\n", stdout);
  return 0;
}
