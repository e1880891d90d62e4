#include "repro/config.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/cli.h"
#include "tacit/mnist.h"
#include "tacit/threads.h"

namespace repro {

namespace {

using tacit_cli::is_flag;
using tacit_cli::parse_int;
using tacit_cli::parse_path;
using tacit_cli::usage;

constexpr const char* kTool = "tacit-repro";

// A finite decimal number in (min, max]; min_inclusive admits min itself.
bool parse_double(const char* flag, const char* text, double min, bool min_inclusive,
                  double max, double* out) {
  if (text == nullptr) return usage(kTool, "%s needs a value", flag);
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  const bool above = min_inclusive ? value >= min : value > min;
  if (errno != 0 || end == text || *end != '\0' || !std::isfinite(value) || !above ||
      value > max) {
    return usage(kTool, "%s: '%s' is not a number %s %g and <= %g", flag, text,
                 min_inclusive ? ">=" : ">", min, max);
  }
  *out = value;
  return true;
}

// "256" (two hidden layers of 256, the paper's shape) or "512,128,64".
bool parse_hidden(const char* text, Config* config) {
  if (text == nullptr) return usage(kTool, "%s needs a value", "--hidden");
  int widths[kMaxHidden];
  int count = 0;
  const char* p = text;
  for (;;) {
    char* end = nullptr;
    errno = 0;
    const long w = std::strtol(p, &end, 10);
    if (end == p || errno != 0 || w < 1 || w > 65536 || count == kMaxHidden ||
        (*end != ',' && *end != '\0')) {
      return usage(kTool, "--hidden: '%s' is not a width (1..65536) or a comma-separated "
                   "list of up to 7 widths", text);
    }
    widths[count++] = static_cast<int>(w);
    if (*end == '\0') break;
    p = end + 1;
  }
  if (count == 1) {
    config->hidden_layers = 2;
    config->hidden[0] = config->hidden[1] = widths[0];
  } else {
    config->hidden_layers = count;
    for (int i = 0; i < count; ++i) config->hidden[i] = widths[i];
  }
  return true;
}

// One flag and its value (if any); *consumed says how many argv entries it took.
bool parse_one(const char* arg, const char* value, Config* c, int* consumed) {
  *consumed = 2;
  if (is_flag(arg, "--aux")) return parse_int(kTool, arg, value, 1, 4096, &c->aux);
  if (is_flag(arg, "--hidden")) return parse_hidden(value, c);
  if (is_flag(arg, "--lr")) return parse_double(arg, value, 0.0, false, 1e3, &c->lr);
  if (is_flag(arg, "--batch")) return parse_int(kTool, arg, value, 1, 1 << 20, &c->batch);
  if (is_flag(arg, "--teacher-epochs")) {
    return parse_int(kTool, arg, value, 0, 100000, &c->teacher_epochs);
  }
  if (is_flag(arg, "--student-epochs")) {
    return parse_int(kTool, arg, value, 0, 100000, &c->student_epochs);
  }
  if (is_flag(arg, "--noise")) {
    if (value == nullptr) return usage(kTool, "%s needs a value", arg);
    if (!subliminal::noise_parse(value, &c->noise)) {
      return usage(kTool, "--noise: '%s' is not uniform or normal", value);
    }
    return true;
  }
  if (is_flag(arg, "--student-loss")) {
    if (value == nullptr) return usage(kTool, "%s needs a value", arg);
    if (std::strcmp(value, "kl") == 0) {
      c->student_loss = tacit::DistillLoss::kl;
    } else if (std::strcmp(value, "mse") == 0) {
      c->student_loss = tacit::DistillLoss::squared_error;
    } else {
      return usage(kTool, "--student-loss: '%s' is not kl or mse", value);
    }
    return true;
  }
  if (is_flag(arg, "--temperature")) {
    return parse_double(arg, value, 0.0, false, 1e6, &c->temperature);
  }
  if (is_flag(arg, "--threads")) return parse_int(kTool, arg, value, 1, 256, &c->threads);
  if (is_flag(arg, "--isa")) return tacit_cli::parse_isa(kTool, value, &c->isa);
  if (is_flag(arg, "--data")) {
    c->data_given = true;
    return parse_path(kTool, arg, value, &c->data);
  }
  if (is_flag(arg, "--seed")) return tacit_cli::parse_u64(kTool, arg, value, &c->seed);
  if (is_flag(arg, "--runs")) {
    if (!parse_int(kTool, arg, value, 0, 1000000, &c->runs)) return false;
    if (c->runs < 2) {
      return usage(kTool, "--runs %d: at least 2 are needed (each run's cross-model students "
                   "start from another run's initialization)", c->runs);
    }
    return true;
  }
  if (is_flag(arg, "--json")) return parse_path(kTool, arg, value, &c->json);
  if (is_flag(arg, "--csv")) return parse_path(kTool, arg, value, &c->csv);
  if (is_flag(arg, "--svg")) return parse_path(kTool, arg, value, &c->svg);
  if (is_flag(arg, "--expect-transfer")) {
    c->expect_transfer = true;
    return parse_double(arg, value, -1.0, true, 1.0, &c->transfer_margin);
  }
  *consumed = 1;
  if (is_flag(arg, "--quiet") || is_flag(arg, "-q")) {
    c->quiet = true;
    return true;
  }
  if (is_flag(arg, "--count-subnormals")) {
    c->count_subnormals = true;
    return true;
  }
  return usage(kTool, "unknown argument '%s'", arg);
}

}  // namespace

const char* loss_name(tacit::DistillLoss loss) {
  return loss == tacit::DistillLoss::kl ? "kl" : "mse";
}

tacit::MlpSpec config_spec(const Config& config) {
  int widths[tacit::kMaxLayers + 1];
  int count = 0;
  widths[count++] = tacit::kMnistPixels;
  for (int i = 0; i < config.hidden_layers; ++i) widths[count++] = config.hidden[i];
  widths[count++] = tacit::kMnistClasses + config.aux;
  tacit::MlpSpec spec;
  tacit::mlp_spec(widths, count, &spec);  // parse_args keeps every width valid
  return spec;
}

std::string widths_text(const Config& config) {
  std::string text = std::to_string(tacit::kMnistPixels);
  for (int i = 0; i < config.hidden_layers; ++i) {
    text += "-" + std::to_string(config.hidden[i]);
  }
  text += "-10+" + std::to_string(config.aux);
  return text;
}

ParseResult parse_args(int argc, char** argv, Config* config) {
  return tacit_cli::parse_config(kTool, argc, argv, parse_one, config);
}

void print_help() {
  std::printf(
      "usage: tacit-repro [options]\n"
      "\n"
      "Reproduces Figure 10 of Cloud et al., \"Subliminal learning\" (2025): for each\n"
      "run, a reference MLP at its initialization, a teacher trained on MNIST digits,\n"
      "and four students distilled from the teacher on pure noise: aux logits only or\n"
      "all logits, from the teacher's own initialization or another run's. Prints the\n"
      "test accuracy of each condition (mean, 95%% CI, min, max, the paper's value)\n"
      "and one hash of all final weights; the same flags print the same bytes on\n"
      "every machine, ISA and thread count.\n"
      "\n"
      "Experiment (defaults are the paper's):\n"
      "  --runs N             independent runs, >= 2 (default 100)\n"
      "  --seed N             experiment seed (default 0)\n"
      "  --aux N              auxiliary logits after the 10 digits (default 3)\n"
      "  --hidden W[,W...]    hidden widths; one W means two layers of W (default 256)\n"
      "  --lr X               Adam learning rate, teacher and students (default 3e-4)\n"
      "  --batch N            batch size (default 1024)\n"
      "  --teacher-epochs N   teacher epochs on the training images (default 5)\n"
      "  --student-epochs N   epochs of each student on the noise (default 5)\n"
      "  --noise KIND         uniform (in [-1, 1)) or normal (N(0, 1)) (default uniform)\n"
      "  --student-loss L     kl (KL divergence of softmaxes) or mse (squared error\n"
      "                       of logits) (default kl)\n"
      "  --temperature T      softmax temperature of the KL loss (default 1)\n"
      "\n"
      "Machine and data:\n"
      "  --data DIR           MNIST directory (default: $TACIT_MNIST_DIR, else\n"
      "                       data/mnist, relative to the current directory;\n"
      "                       tools/fetch-mnist fills it)\n"
      "  --threads N          threads including the caller (default: all, %d here)\n"
      "  --isa NAME           portable, avx2, avx512 or neon (default: TACIT_ISA, else\n"
      "                       the best available, %s here)\n"
      "\n"
      "Output:\n"
      "  --json FILE          configuration, every run's accuracies, weight hashes,\n"
      "                       per-epoch alignment cosines and timings, and a summary\n"
      "  --csv FILE           one row per run and condition\n"
      "  --svg FILE           a bar chart like the paper's Figure 10\n"
      "  --quiet, -q          no progress on stderr\n"
      "  --expect-transfer M  exit 3 unless mean(aux-only same-init) minus\n"
      "                       mean(aux-only cross-init) is at least M (for CI)\n"
      "  --count-subnormals   count the subnormal floats every training step leaves\n"
      "                       in activations, logit gradients, hidden deltas,\n"
      "                       gradients, Adam's moments and the parameters; report\n"
      "                       them (and in --json); slower\n"
      "  --help, -h           this text\n"
      "\n"
      "Exit status: 0 done, 1 missing or invalid data or an unwritable output file,\n"
      "2 usage error, 3 --expect-transfer not met.\n",
      tacit::hardware_threads(), tacit::isa_name(tacit::isa_best()));
}

}  // namespace repro
