// Trains the paper's teacher (docs/REPRODUCTION.md) on MNIST
// and saves it as a checkpoint (docs/FORMAT.md): a model to evaluate,
// export and embed without running the whole reproduction. With seed S it
// trains exactly what tacit-repro trains as the teacher of a run whose run
// seed is S (same init streams, same shuffles, same steps).
// Exit status: 0 success, 1 failure, 2 usage error, 4 the training diverged.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "common/cli.h"
#include "common/divergence.h"
#include "common/model_io.h"
#include "common/output_file.h"
#include "subliminal/experiment.h"
#include "tacit/checkpoint.h"
#include "tacit/init.h"
#include "tacit/isa.h"
#include "tacit/threads.h"
#include "tacit/train.h"

namespace {

constexpr const char* kTool = "tacit-train";

using namespace tacit;
using namespace subliminal;

void print_help() {
  std::printf(
      "usage: tacit-train [--data DIR] [--save FILE] [--epochs N] [--seed N]\n"
      "                   [--widths W] [--lr X] [--batch N] [--threads N] [--isa NAME]\n"
      "\n"
      "Trains the paper's teacher: a 784-256-256-13 MLP initialized with\n"
      "N(0, 1/fan_in) weights from --seed, then N epochs of cross-entropy on the\n"
      "10 digit logits (the 3 auxiliary logits are never trained), Adam, batch\n"
      "1024, the training images reshuffled every epoch. Prints each epoch's\n"
      "mean loss and the final test accuracy; --save writes the model as a\n"
      "checkpoint for tacit-eval and tacit-export.\n"
      "\n"
      "  --data DIR     MNIST directory (default: $TACIT_MNIST_DIR, else data/mnist)\n"
      "  --save FILE    write the trained model to FILE (docs/FORMAT.md); an\n"
      "                 existing FILE is replaced only once the new one is whole\n"
      "  --epochs N     epochs (default 5)\n"
      "  --seed N       initialization and shuffle seed (default 0)\n"
      "  --widths W     another shape, e.g. 784-32-10 (784 inputs, at least 10\n"
      "                 outputs, at most 2^28 parameters; default 784-256-256-13,\n"
      "                 the paper's)\n"
      "  --lr X         Adam's learning rate (default 0.0003)\n"
      "  --batch N      batch rows (default 1024), at most 2^28 / the widest layer\n"
      "  --threads N    threads including the caller (default: all cores)\n"
      "  --isa NAME     portable, avx2, avx512 or neon (default: TACIT_ISA, else\n"
      "                 the best here)\n"
      "  --allow-divergence\n"
      "                 save and exit 0 even if the training diverged (a step's\n"
      "                 loss not finite or above 100 x max(1, the first step's),\n"
      "                 or a parameter not finite at the end); without it such a\n"
      "                 model is not saved and the exit status is 4\n"
      "  --help         this text\n"
      "\n"
      "The same seed gives the same model, bit for bit, on every ISA, thread\n"
      "count and platform.\n");
}

struct Options {
  std::string data;  // empty: mnist_dir()'s default
  std::string save;  // empty: not saved
  MlpSpec spec;
  long epochs = 5;
  std::uint64_t seed = 0;
  double lr = 3e-4;
  long batch = 1024;
  long threads = 0;
  Isa isa = Isa::portable;
  bool allow_divergence = false;
};

int fail(const Status& status) {
  std::fprintf(stderr, "tacit-train: %s\n", status.message());
  return tacit_cli::kExitFailure;
}

// "784-256-256-13": 784 inputs (MNIST's pixels), at least 10 outputs, every
// width a whole number and nothing else ("784-10-" is refused); a shape
// past the library's limits sets *why to mlp_spec's reason.
bool parse_widths(const char* text, MlpSpec* spec, std::string* why) {
  std::vector<std::string> items;
  if (!tacit_cli::split_list(text, '-', &items) || items.size() < 2 ||
      items.size() > kMaxLayers + 1) {
    return false;
  }
  int widths[kMaxLayers + 1];
  for (std::size_t i = 0; i < items.size(); ++i) {
    long long w = 0;
    if (!tacit_cli::parse_whole(items[i].c_str(), 1, 1L << 20, &w)) return false;
    widths[i] = static_cast<int>(w);
  }
  const int count = static_cast<int>(items.size());
  if (widths[0] != kMnistPixels || widths[count - 1] < kMnistClasses) return false;
  const Status status = mlp_spec(widths, count, spec);
  if (!status) *why = std::string("is refused: ") + status.message();
  return status.ok();
}

// The command line into *o; help and usage errors are main's to act on.
tacit_cli::ParseResult parse(int argc, char** argv, Options* o) {
  using namespace tacit_cli;
  char widths_expect[120];
  std::snprintf(widths_expect, sizeof widths_expect, "784-...-N with up to %d layers, widths "
                "1 to 1048576 and N >= 10", kMaxLayers);
  const Command command{kTool, {
      path("--data", &o->data),
      path("--save", &o->save),
      custom("--widths", widths_expect,
             [o](const char* value, std::string* why) {
               return parse_widths(value, &o->spec, why);
             }),
      whole("--epochs", 0, 1000, &o->epochs),
      unsigned64("--seed", &o->seed),
      // The ranges of tacit-repro's teacher, which this trains.
      real("--lr", above(0), at_most(1e3), &o->lr),
      whole("--batch", 1, 1 << 20, &o->batch),
      whole("--threads", 1, 256, &o->threads),
      isa(&o->isa),
      on("--allow-divergence", &o->allow_divergence)}};
  const ParseResult result = tacit_cli::parse(command, argc, argv);
  if (result != ParseResult::run) return result;
  o->threads =
      usable_threads(kTool, o->threads == 0 ? hardware_threads() : static_cast<int>(o->threads));
  if (o->spec.layers == 0) {
    const Status teacher_spec = mlp_spec(kPaperWidths, kPaperWidthCount, &o->spec);
    if (!teacher_spec) {
      std::fprintf(stderr, "%s: %s\n", kTool, teacher_spec.message());
      return ParseResult::usage_error;
    }
  }
  const Status batch = tacit_tools::check_batch_fits(o->spec, o->batch);
  if (!batch) {
    usage(kTool, "%s", batch.message());
    return ParseResult::usage_error;
  }
  return ParseResult::run;
}

int run(const Options& o) {
  if (!o.save.empty()) {
    // A --save path that cannot be written fails now, not after training
    // (the probe is a new temporary next to PATH, removed again; an existing
    // PATH, or any other file, is untouched).
    tacit_tools::OutputFile probe(kTool);
    if (!probe.open(o.save)) return tacit_cli::kExitFailure;
  }

  const char* dir = tacit_tools::mnist_dir(o.data.empty() ? nullptr : o.data.c_str());
  tacit_tools::LoadedMnist data;
  Status status = tacit_tools::load_mnist(dir, &data);
  if (!status) return fail(status);
  const MnistSplit& train = data.mnist.train;

  const MlpSpec& spec = o.spec;
  const int batch = static_cast<int>(o.batch);
  AdamConfig adam;
  adam.lr = o.lr;
  const auto images = static_cast<std::size_t>(train.count);
  const std::size_t bytes = arena_buffer_bytes(
      mlp_bytes(spec) + train_state_bytes(spec, batch) + eval_buffers_bytes(batch) +
      arena_block_bytes(sizeof(std::uint32_t) * images));
  tacit_tools::Buffer memory(bytes);
  if (!memory.ok()) {
    std::fprintf(stderr, "%s: cannot allocate %zu bytes for the model and its training "
                 "state\n", kTool, bytes);
    return tacit_cli::kExitFailure;
  }
  Arena arena = memory.arena();
  Mlp mlp;
  TrainState state;
  EvalBuffers eval;
  status = mlp_create(spec, arena, &mlp);
  if (status) status = train_state_create(spec, batch, adam, arena, &state);
  if (status) status = eval_buffers_create(batch, arena, &eval);
  if (!status) return fail(status);
  auto* order = static_cast<std::uint32_t*>(arena.take(sizeof(std::uint32_t) * images));
  mlp_init(mlp, Init::normal_fan_in, o.seed);

  ThreadPool pool(static_cast<int>(o.threads));
  const Compute compute{o.isa, &pool};
  std::printf("training %s on %d images from %s: %ld epochs, seed %llu, "
              "lr %g, batch %d, %s x %d threads\n", tacit_tools::widths_text(spec).c_str(),
              train.count, dir, o.epochs, static_cast<unsigned long long>(o.seed), o.lr, batch,
              isa_name(o.isa), pool.size());
  const long steps = (train.count + batch - 1) / batch;
  // Every step judged by common/divergence.h's rule.
  struct Watch {
    tacit_tools::DivergenceWatch divergence;
    int epoch = 0;
    long step = 0;
  } watch;
  TeacherStepHook hook;
  hook.context = &watch;
  hook.after_step = [](void* context, int, float loss) {
    auto& w = *static_cast<Watch*>(context);
    w.divergence.step(loss, w.epoch, ++w.step);
  };
  for (long epoch = 0; epoch < o.epochs; ++epoch) {
    double mean_loss = 0.0;
    watch.epoch = static_cast<int>(epoch);
    watch.step = 0;
    status = train_teacher_epoch(compute, mlp, state, train, o.seed, static_cast<int>(epoch),
                                 batch, order, eval.labels, &hook, &mean_loss);
    if (!status) return fail(status);
    std::printf("epoch %ld: mean loss %.6f over %ld steps\n", epoch + 1, mean_loss, steps);
    std::fflush(stdout);
  }
  int correct = 0;
  status = mnist_correct(compute, mlp, state.workspace, data.mnist.test, eval, &correct);
  if (!status) return fail(status);
  const double accuracy =
      data.mnist.test.count > 0 ? static_cast<double>(correct) / data.mnist.test.count : 0.0;
  std::printf("test accuracy %.4f (%d images)\n", accuracy, data.mnist.test.count);

  watch.divergence.parameters(mlp.params, mlp.param_count, static_cast<int>(o.epochs));
  const tacit_tools::Divergence& diverged = watch.divergence.result();
  if (diverged.found) {
    std::fprintf(stderr, "%s: training diverged: %s\n", kTool,
                 tacit_tools::divergence_text(diverged).c_str());
    if (!o.allow_divergence) {
      std::fprintf(stderr, "%s: %s; exit %d (--allow-divergence to save it anyway)\n",
                   kTool, o.save.empty() ? "nothing to save" : "the model is not saved",
                   tacit_tools::kExitDiverged);
      return tacit_tools::kExitDiverged;
    }
  }

  if (!o.save.empty()) {
    std::vector<unsigned char> buffer(checkpoint_bytes(spec));
    status = checkpoint_save(o.save.c_str(), mlp, buffer.data(), buffer.size());
    if (!status) return fail(status);
    std::printf("saved %s (%zu bytes)\n", o.save.c_str(), buffer.size());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return tacit_cli::run_tool(argc, argv, parse, print_help, run);
}
