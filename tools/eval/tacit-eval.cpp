// Evaluates a checkpoint on MNIST: accuracy of the argmax over the digit
// logits 0-9 (ties to the lower digit, as in training) and the confusion
// matrix; or the exact logits of one image (--image), as a reference for
// inference elsewhere (examples/embed prints the same format).
// Exit status: 0 success, 1 failure, 2 usage error.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common/cli.h"
#include "common/model_io.h"
#include "tacit/infer.h"
#include "tacit/isa.h"
#include "tacit/threads.h"

namespace {

constexpr const char* kTool = "tacit-eval";

using namespace tacit;

void print_help() {
  std::printf(
      "usage: tacit-eval MODEL [--data DIR] [--split test|train] [--image N]\n"
      "                  [--threads N] [--isa NAME]\n"
      "\n"
      "Loads MODEL (a checkpoint, docs/FORMAT.md: 784 inputs, at least 10 outputs)\n"
      "and reports its accuracy on an MNIST split, the argmax over logits 0-9\n"
      "against the labels, with the confusion matrix (rows: the true digit,\n"
      "columns: the predicted one) and each digit's recall.\n"
      "\n"
      "  --data DIR     MNIST directory (default: $TACIT_MNIST_DIR, else data/mnist)\n"
      "  --split NAME   test (default) or train\n"
      "  --image N      print only image N's logits (decimal and IEEE bits), the\n"
      "                 predicted digit and the label\n"
      "  --threads N    threads including the caller (default: all cores)\n"
      "  --isa NAME     portable, avx2, avx512 or neon (default: TACIT_ISA, else\n"
      "                 the best here; every ISA gives the same bits)\n"
      "  --help         this text\n");
}

struct Options {
  std::string model;
  std::string data;  // empty: mnist_dir()'s default
  MnistSplitId split = MnistSplitId::test;
  long image = -1;
  long threads = 0;
  Isa isa = Isa::portable;
};

// The command line into *o; help and usage errors are main's to act on.
tacit_cli::ParseResult parse(int argc, char** argv, Options* o) {
  using namespace tacit_cli;
  const Command command{kTool, {
      path("--data", &o->data),
      choice("--split", {{"test", MnistSplitId::test}, {"train", MnistSplitId::train}},
             &o->split),
      whole("--image", 0, kMnistMaxCount, &o->image),
      whole("--threads", 1, 256, &o->threads),
      isa(&o->isa)}, {{"MODEL", &o->model}}};
  const ParseResult result = tacit_cli::parse(command, argc, argv);
  if (result != ParseResult::run) return result;
  o->threads = tacit_cli::usable_threads(
      kTool, o->threads == 0 ? hardware_threads() : static_cast<int>(o->threads));
  return ParseResult::run;
}

int fail(const Status& status) {
  std::fprintf(stderr, "tacit-eval: %s\n", status.message());
  return tacit_cli::kExitFailure;
}

std::uint32_t bits(float f) {
  std::uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

int print_one(const Compute& compute, const Mlp& mlp, const MnistSplit& split, long image) {
  if (image >= split.count) {
    std::fprintf(stderr, "tacit-eval: --image %ld: expected an index below %d (the %s "
                         "split's size)\n", image, split.count,
                 mnist_split_name(split.id));
    return tacit_cli::kExitFailure;
  }
  const MlpSpec& spec = mlp.spec;
  std::vector<unsigned char> memory(arena_buffer_bytes(infer_workspace_bytes(spec, 1)));
  Arena arena(memory.data(), memory.size());
  InferWorkspace ws;
  Status status = infer_workspace_create(spec, 1, arena, &ws);
  if (!status) return fail(status);
  std::vector<float> x(kMnistPixels), logits(static_cast<std::size_t>(mlp_outputs(spec)));
  const auto index = static_cast<std::uint32_t>(image);
  std::int32_t label = 0;
  status = mnist_gather(split, &index, 1, x.data(), &label);
  if (!status) return fail(status);
  const Matrix out = matrix(logits.data(), 1, mlp_outputs(spec));
  std::int32_t predicted = 0;
  status = mlp_infer(compute, mlp_view(mlp), ws, const_matrix(x.data(), 1, kMnistPixels), out);
  if (status) status = argmax_rows(out, &predicted, Columns{0, kMnistClasses});
  if (!status) return fail(status);
  for (int j = 0; j < mlp_outputs(spec); ++j) {
    std::printf("logit %2d %08" PRIx32 " %.9g\n", j, bits(logits[j]),
                static_cast<double>(logits[j]));
  }
  std::printf("class %d\nlabel %d\n", static_cast<int>(predicted), static_cast<int>(label));
  return 0;
}

int evaluate(const Compute& compute, const Mlp& mlp, const MnistSplit& split) {
  const MlpSpec& spec = mlp.spec;
  // 1000 rows, or fewer for a model too wide for them (mlp_max_batch).
  const int batch = mlp_max_batch(spec) < 1000 ? mlp_max_batch(spec) : 1000;
  std::vector<unsigned char> memory(arena_buffer_bytes(infer_workspace_bytes(spec, batch)));
  Arena arena(memory.data(), memory.size());
  InferWorkspace ws;
  Status status = infer_workspace_create(spec, batch, arena, &ws);
  if (!status) return fail(status);
  std::vector<float> x(static_cast<std::size_t>(batch) * kMnistPixels);
  std::vector<float> logits(static_cast<std::size_t>(batch) * mlp_outputs(spec));
  std::vector<std::uint32_t> indices(batch);
  std::vector<std::int32_t> labels(batch), predicted(batch);
  long confusion[kMnistClasses][kMnistClasses] = {};
  for (int first = 0; first < split.count; first += batch) {
    const int n = split.count - first < batch ? split.count - first : batch;
    for (int r = 0; r < n; ++r) indices[r] = static_cast<std::uint32_t>(first + r);
    status = mnist_gather(split, indices.data(), n, x.data(), labels.data());
    if (!status) return fail(status);
    const Matrix out = matrix(logits.data(), n, mlp_outputs(spec));
    status = mlp_infer(compute, mlp_view(mlp), ws, const_matrix(x.data(), n, kMnistPixels), out);
    if (status) status = argmax_rows(out, predicted.data(), Columns{0, kMnistClasses});
    if (!status) return fail(status);
    for (int r = 0; r < n; ++r) ++confusion[labels[r]][predicted[r]];
  }
  long correct = 0;
  for (int d = 0; d < kMnistClasses; ++d) correct += confusion[d][d];
  std::printf("%s split: %d images\naccuracy %.4f (%ld / %d), argmax over logits 0-9\n\n",
              mnist_split_name(split.id), split.count,
              split.count > 0 ? static_cast<double>(correct) / split.count : 0.0, correct,
              split.count);
  std::printf("confusion matrix (rows: true digit, columns: predicted)\n     ");
  for (int p = 0; p < kMnistClasses; ++p) std::printf("%6d", p);
  std::printf("   recall\n");
  for (int t = 0; t < kMnistClasses; ++t) {
    long total = 0;
    std::printf("  %d  ", t);
    for (int p = 0; p < kMnistClasses; ++p) {
      std::printf("%6ld", confusion[t][p]);
      total += confusion[t][p];
    }
    std::printf("   %.4f\n", total > 0 ? static_cast<double>(confusion[t][t]) / total : 0.0);
  }
  return 0;
}

int run(const Options& o) {
  tacit_tools::LoadedModel model;
  Status status = tacit_tools::load_model(o.model.c_str(), &model);
  if (!status) return fail(status);
  status = tacit_tools::check_mnist_model(o.model.c_str(), model.mlp.spec);
  // NaN or infinity would still give an argmax: refused, not scored.
  if (status) status = tacit_tools::check_finite(o.model.c_str(), model.mlp);
  if (!status) return fail(status);
  const char* dir = tacit_tools::mnist_dir(o.data.empty() ? nullptr : o.data.c_str());
  tacit_tools::LoadedMnist data;
  status = tacit_tools::load_mnist(dir, &data);
  if (!status) return fail(status);

  ThreadPool pool(static_cast<int>(o.threads));
  const Compute compute{o.isa, &pool};
  const MnistSplit& split = data.mnist.split(o.split);
  if (o.image >= 0) return print_one(compute, model.mlp, split, o.image);
  const MlpSpec& spec = model.mlp.spec;
  std::printf("model %s: %s, %zu parameters\n", o.model.c_str(),
              tacit_tools::widths_text(spec).c_str(), model.mlp.param_count);
  return evaluate(compute, model.mlp, split);
}

}  // namespace

int main(int argc, char** argv) {
  return tacit_cli::run_tool(argc, argv, parse, print_help, run);
}
