#include "repro/config.h"

#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "common/cli.h"
#include "common/model_io.h"
#include "common/output_file.h"
#include "repro/shard.h"
#include "repro/sweep.h"
#include "tacit/mnist.h"
#include "tacit/threads.h"

namespace repro {

namespace {

constexpr const char* kTool = "tacit-repro";

// "256" (two hidden layers of 256, the paper's shape) or "512,128,64".
bool parse_hidden(const char* text, Config* config) {
  std::vector<std::string> items;
  if (!tacit_cli::split_list(text, ',', &items) || items.size() > kMaxHidden) return false;
  int widths[kMaxHidden];
  for (std::size_t i = 0; i < items.size(); ++i) {
    long long w = 0;
    if (!tacit_cli::parse_whole(items[i].c_str(), 1, tacit::kMlpMaxWidth, &w)) return false;
    widths[i] = static_cast<int>(w);
  }
  const int count = static_cast<int>(items.size());
  if (count == 1) {
    config->hidden_layers = 2;
    config->hidden[0] = config->hidden[1] = widths[0];
  } else {
    config->hidden_layers = count;
    for (int i = 0; i < count; ++i) config->hidden[i] = widths[i];
  }
  return true;
}

}  // namespace

const char* loss_name(tacit::DistillLoss loss) {
  return loss == tacit::DistillLoss::kl ? "kl" : "mse";
}

namespace {

// The spec of {784, hidden..., 10 + aux}, refused past the library's limits.
tacit::Status make_spec(const Config& config, tacit::MlpSpec* spec) {
  int widths[tacit::kMaxLayers + 1];
  int count = 0;
  widths[count++] = tacit::kMnistPixels;
  for (int i = 0; i < config.hidden_layers; ++i) widths[count++] = config.hidden[i];
  widths[count++] = tacit::kMnistClasses + config.aux;
  tacit::Activation activations[tacit::kMaxLayers];
  for (tacit::Activation& a : activations) a = config.activation;
  return tacit::mlp_spec_activations(widths, count, activations, spec);
}

}  // namespace

tacit::MlpSpec config_spec(const Config& config) {
  tacit::MlpSpec spec;
  make_spec(config, &spec);  // parse_args refuses a config without a spec
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

std::string distill_loss_text(const Config& config) {
  if (config.student_loss == tacit::DistillLoss::squared_error) return "MSE";
  char text[64];
  std::snprintf(text, sizeof text, "KL (T = %g)", config.temperature);
  return text;
}

bool has_student(const Config& config, StudentKind kind) {
  for (const Student& s : config.students) {
    if (s.kind == kind) return true;
  }
  return false;
}

bool needs_trait_gradient(const Config& config) {
  return config.gradient_alignment || has_student(config, StudentKind::projected);
}

bool needs_reference_targets(const Config& config) {
  return has_student(config, StudentKind::matched) || has_student(config, StudentKind::liminal);
}

namespace {

// The flags, into *c.
tacit_cli::Command command(Config* c) {
  using namespace tacit_cli;
  return {kTool, {
      whole("--aux", 1, 4096, &c->aux),
      custom("--hidden", "a width (1..1048576) or a comma-separated list of up to 7 widths",
             [c](const char* value, std::string*) { return parse_hidden(value, c); }),
      real("--lr", above(0), at_most(1e3), &c->lr),
      whole("--batch", 1, 1 << 20, &c->batch),
      whole("--teacher-epochs", 0, 100000, &c->teacher_epochs),
      whole("--student-epochs", 0, 100000, &c->student_epochs),
      choice("--noise", {{"uniform", subliminal::NoiseKind::uniform},
                         {"normal", subliminal::NoiseKind::normal}}, &c->noise),
      choice("--student-loss", {{"kl", tacit::DistillLoss::kl},
                                {"mse", tacit::DistillLoss::squared_error}},
             &c->student_loss),
      // Logits are divided by T in float: a T below the smallest normal
      // float overflows every quotient.
      real("--temperature", at_least(std::numeric_limits<float>::min()), at_most(1e6),
           &c->temperature).marks(&c->temperature_given),
      choice("--activation", {{"relu", tacit::Activation::relu},
                              {"tanh", tacit::Activation::tanh},
                              {"sigmoid", tacit::Activation::sigmoid},
                              {"gelu", tacit::Activation::gelu}}, &c->activation),
      custom("--students", "a comma list of student names",
             [c](const char* value, std::string* why) {
               return parse_students(value, &c->students, why);
             }),
      whole("--match-epochs", 0, 100000, &c->match_epochs).marks(&c->match_epochs_given),
      whole("--trait-batch", 1, 1 << 20, &c->trait_batch).marks(&c->trait_batch_given),
      real("--liminal-weight", at_least(0), at_most(1e6), &c->liminal_weight)
          .marks(&c->liminal_weight_given),
      whole("--points-per-epoch", 0, 1 << 20, &c->points_per_epoch),
      on("--gradient-alignment", &c->gradient_alignment),
      path("--trajectory-svg", &c->trajectory_svg),
      whole("--threads", 1, 256, &c->threads),
      isa(&c->isa),
      path("--data", &c->data),
      unsigned64("--seed", &c->seed),
      // At least 2: each run's cross-model students start from another run's init.
      whole("--runs", 2, 1000000, &c->runs),
      path("--json", &c->json),
      path("--csv", &c->csv),
      path("--svg", &c->svg),
      real("--expect-transfer", at_least(-1), at_most(1), &c->transfer_margin)
          .marks(&c->expect_transfer),
      custom("--run-range", "A:B, runs A to B-1 (0 <= A < B <= --runs)",
             [c](const char* value, std::string*) { return (c->run_range = value), true; }),
      custom("--shard", "I/N, the I-th of N equal shares of the runs (0 <= I < N)",
             [c](const char* value, std::string*) { return (c->shard = value), true; }),
      custom("--sweep", ("NAME=V1,V2,... with NAME one of " + sweep_names()).c_str(),
             [c](const char* value, std::string* why) { return parse_sweep(value, c, why); }),
      on("--quiet", &c->quiet, "-q"),
      on("--count-subnormals", &c->count_subnormals),
      on("--profile", &c->profile),
      on("--allow-divergence", &c->allow_divergence)}};
}

}  // namespace

namespace {

// The limits that depend on more than one flag, before any work: the
// model's parameters (--hidden, --aux) and the batch it can hold.
bool within_limits(const Config& c) {
  tacit::MlpSpec spec;
  const tacit::Status status = make_spec(c, &spec);
  if (!status) {
    return tacit_cli::usage(kTool, "--hidden and --aux give %s: %s", widths_text(c).c_str(),
                            status.message());
  }
  const tacit::Status batch = tacit_tools::check_batch_fits(spec, c.batch);
  if (!batch) {
    return tacit_cli::usage(kTool, "%s (%s)", batch.message(), widths_text(c).c_str());
  }
  if (needs_trait_gradient(c)) {
    const tacit::Status trait = tacit_tools::check_batch_fits(spec, c.trait_batch);
    if (!trait) {
      return tacit_cli::usage(kTool, "--trait-batch: %s (%s)", trait.message(),
                              widths_text(c).c_str());
    }
  }
  return true;
}

// Flags that only mean something together.
bool consistent(const Config& c) {
  const long long steps = (static_cast<long long>(c.noise_images) + c.batch - 1) / c.batch;
  if (c.points_per_epoch > steps) {
    return tacit_cli::usage(kTool, "--points-per-epoch is %d; an epoch of the students has "
                            "%lld steps (%d noise images in batches of %d), at most one "
                            "point a step", c.points_per_epoch, steps, c.noise_images,
                            c.batch);
  }
  if (!c.trajectory_svg.empty() && c.points_per_epoch == 0) {
    return tacit_cli::usage(kTool, "--trajectory-svg needs --points-per-epoch K (K >= 1)");
  }
  const bool aux_pair = has_student(c, StudentKind::aux_same) &&
                        has_student(c, StudentKind::aux_cross);
  if (c.expect_transfer && !aux_pair) {
    return tacit_cli::usage(kTool, "--expect-transfer compares aux-same with aux-cross; "
                            "--students must name both");
  }
  return true;
}

// A student's flag given with no listed student to use it: most likely a
// --students that forgot one. Warned about, not refused.
void warn_unused(const Config& c) {
  const auto warn = [](const char* flag, const char* users) {
    std::fprintf(stderr, "%s: warning: %s is given but no student in --students uses it "
                 "(%s)\n", kTool, flag, users);
  };
  if (c.match_epochs_given && !has_student(c, StudentKind::matched)) {
    warn("--match-epochs", "matched does");
  }
  if (c.liminal_weight_given && !has_student(c, StudentKind::liminal)) {
    warn("--liminal-weight", "liminal does");
  }
  if (c.trait_batch_given && !needs_trait_gradient(c)) {
    warn("--trait-batch", "projected does, and --gradient-alignment");
  }
  const bool sweeps_temperature = c.sweep_name == "temperature";
  if ((c.temperature_given || sweeps_temperature) &&
      c.student_loss == tacit::DistillLoss::squared_error &&
      !(c.sweep_name == "student-loss")) {
    std::fprintf(stderr, "%s: warning: %s the temperature, which only the KL loss uses; "
                 "--student-loss mse has none\n", kTool,
                 sweeps_temperature ? "--sweep sweeps" : "--temperature sets");
  }
}

}  // namespace

bool apply_flag(const char* flag, const char* value, Config* config) {
  Config c = *config;
  const char* argv[] = {kTool, flag, value};
  const tacit::Isa isa = c.isa;
  if (tacit_cli::parse(command(&c), 3, const_cast<char**>(argv)) != ParseResult::run) {
    return false;
  }
  c.isa = isa;  // parse() sets an ISA it was not given from TACIT_ISA
  if (!within_limits(c) || !consistent(c)) return false;
  *config = c;
  return true;
}

ParseResult parse_args(int argc, char** argv, Config* config) {
  const ParseResult result = tacit_cli::parse_config(kTool, argc, argv, command, config);
  if (result != ParseResult::run) return result;
  // Two outputs in one file would leave only the last one written.
  if (!tacit_tools::distinct_outputs(kTool, {{"--json", config->json},
                                             {"--csv", config->csv},
                                             {"--svg", config->svg},
                                             {"--trajectory-svg", config->trajectory_svg}})) {
    return ParseResult::usage_error;
  }
  if (!within_limits(*config) || !consistent(*config)) return ParseResult::usage_error;
  if (!resolve_run_range(config) || !check_sweep(config)) return ParseResult::usage_error;
  warn_unused(*config);
  if (config->data.empty()) config->data = tacit_tools::mnist_dir(nullptr);
  return result;
}

void print_help() {
  // The sweep's names in the help's right column (23 columns in, 80 wide).
  std::string names;
  for (const char ch : sweep_names(57)) {
    names += ch == '\n' ? "\n" + std::string(23, ' ') : std::string(1, ch);
  }
  std::printf(
      "usage: tacit-repro [options]\n"
      "\n"
      "Reproduces Figure 10 of Cloud et al., \"Subliminal learning\" (2025): for each\n"
      "run, a reference MLP at its initialization, a teacher trained on MNIST digits,\n"
      "and students distilled from the teacher on pure noise (by default four: aux\n"
      "logits only or all logits, from the teacher's own initialization or another\n"
      "run's; --students names others). Prints the test accuracy of each condition\n"
      "(mean, 95%% CI, min, max, the paper's value) and one hash of all final\n"
      "weights; the same flags print the same bytes on every machine, ISA and\n"
      "thread count.\n"
      "\n"
      "Experiment (defaults are the paper's):\n"
      "  --runs N             independent runs, >= 2 (default 100)\n"
      "  --seed N             experiment seed (default 0)\n"
      "  --aux N              auxiliary logits after the 10 digits (default 3)\n"
      "  --hidden W[,W...]    hidden widths; one W means two layers of W (default 256);\n"
      "                       the model has at most 2^28 parameters\n"
      "  --lr X               Adam learning rate, teacher and students (default 3e-4)\n"
      "  --batch N            batch size (default 1024), at most 2^28 / the widest layer\n"
      "  --teacher-epochs N   teacher epochs on the training images (default 5)\n"
      "  --student-epochs N   epochs of each student on the noise (default 5)\n"
      "  --noise KIND         uniform (in [-1, 1)) or normal (N(0, 1)) (default uniform)\n"
      "  --student-loss L     kl (KL divergence of softmaxes) or mse (squared error\n"
      "                       of logits) (default kl)\n"
      "  --temperature T      softmax temperature of the KL loss, 1.2e-38 (the\n"
      "                       smallest normal float) to 1e6 (default 1)\n"
      "  --activation NAME    every hidden layer's activation: relu, tanh, sigmoid or\n"
      "                       gelu (default relu)\n"
      "\n"
      "Students (the table's paper column shows Figure 10's values only for its\n"
      "four students at the defaults above):\n"
      "  --students LIST      comma list, trained in this order (default\n"
      "                       aux-same,all-same,aux-cross,all-cross); up to 16 of:\n"
      "                       aux-same, all-same  aux logits / all logits, teacher's init\n"
      "                       aux-cross, all-cross  the same from another run's init\n"
      "                       head-aux, head-all  hidden layers from another run's init,\n"
      "                         output layer from the teacher's\n"
      "                       perturbed:SIGMA  aux logits; teacher's init + SIGMA (0 to\n"
      "                         1000) x a fresh draw of the initializer\n"
      "                       matched    aux logits; another run's init, first\n"
      "                         distilled (all logits) to the teacher's untrained init\n"
      "                       projected  aux-same, each step's gradient projected off\n"
      "                         the trait gradient when their inner product is positive\n"
      "                       liminal    aux-same plus W x KL(reference || student) over\n"
      "                         all logits during the first epoch\n"
      "  --match-epochs N     matched: epochs of matching on the noise (default 1)\n"
      "  --trait-batch N      training images per trait gradient (cross-entropy on the\n"
      "                       digits at the student's weights) (default 1024)\n"
      "  --liminal-weight W   liminal: weight of the KL penalty, 0 to 1e6 (default 1)\n"
      "\n"
      "Sweeps:\n"
      "  --sweep NAME=V1,...  the experiment at each value of one flag; NAME is one of\n"
      "                       %s\n"
      "                       (a hidden value: W, or W-W-W for several layers; a sigma\n"
      "                       value: the sigma of the one perturbed:SIGMA student that\n"
      "                       --students must name);\n"
      "                       --json, --csv and --svg then hold the sweep: per value\n"
      "                       the summary; the SVG, accuracy against the value\n"
      "\n"
      "Runs spread over processes and machines (docs/WORKBENCH.md):\n"
      "  --run-range A:B      compute only runs A to B-1 (0 <= A < B <= --runs), each\n"
      "                       exactly as one process computing all would; needs --json\n"
      "  --shard I/N          the same for the I-th of N shares (0 <= I < N <= --runs)\n"
      "  tacit-repro merge [--json F] [--csv F] [--svg F] [--trajectory-svg F]\n"
      "                    [--expect-transfer M] [--allow-divergence] FILE...\n"
      "                       the shards' --json files into one process's stdout and\n"
      "                       files, byte for byte (tacit-repro merge --help)\n"
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
      "                       per-epoch alignment cosines, timings, product FLOPs\n"
      "                       and GFLOP/s against tacit-bench's FMA peak (measured\n"
      "                       before and after the runs, the larger kept, about\n"
      "                       0.2 s each), and a summary\n"
      "  --csv FILE           one row per run and condition\n"
      "  --svg FILE           a bar chart like the paper's Figure 10\n"
      "  --points-per-epoch K each student's test accuracy and alignment at its start\n"
      "                       and at K evenly spaced steps of every epoch, in --json\n"
      "                       (default 0: none; at most the steps of an epoch)\n"
      "  --trajectory-svg FILE  accuracy against training progress, one line per\n"
      "                       student, mean over runs (needs --points-per-epoch)\n"
      "  --gradient-alignment inner product of each step's distillation gradient with\n"
      "                       the trait gradient, summarised per epoch (report, --json);\n"
      "                       costs a trait gradient per step\n"
      "  --quiet, -q          no progress on stderr\n"
      "  --expect-transfer M  exit 3 unless mean(aux-only same-init) minus\n"
      "                       mean(aux-only cross-init) is at least M (for CI)\n"
      "  --count-subnormals   count the subnormal floats every training step leaves\n"
      "                       in activations, logit gradients, hidden deltas,\n"
      "                       gradients, Adam's moments and the parameters; report\n"
      "                       them (and in --json); slower\n"
      "  --profile            time each kind of work inside the run (the three\n"
      "                       products, bias sums, activations, loss, optimizer,\n"
      "                       repack, everything else) against tacit-bench's FMA\n"
      "                       peak for the ISA and threads: a table on stderr,\n"
      "                       timings.profile in --json; measures the peak too\n"
      "  --allow-divergence   exit 0 even if a training diverged (a step's loss not\n"
      "                       finite or above 100 x max(1, its phase's first loss),\n"
      "                       or a parameter not finite after training); it is\n"
      "                       reported on stderr and in --json either way\n"
      "  --help, -h           this text\n"
      "\n"
      "Exit status: 0 done, 1 missing or invalid data or an unwritable output file,\n"
      "2 usage error, 3 --expect-transfer not met, 4 a training diverged.\n",
      names.c_str(), tacit::hardware_threads(), tacit::isa_name(tacit::isa_best()));
}

}  // namespace repro
