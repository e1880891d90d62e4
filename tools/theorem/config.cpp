#include "theorem/config.h"

#include <cstdio>

#include "common/cli.h"
#include "common/model_io.h"
#include "tacit/mnist.h"
#include "tacit/threads.h"

namespace theorem {

namespace {

constexpr const char* kTool = "tacit-theorem";

// The flags, into *c.
tacit_cli::Command command(Config* c) {
  using namespace tacit_cli;
  return {kTool, {
      // At least 2: each cross-init student starts from another trial's init.
      whole("--inits", 2, 100000, &c->inits),
      whole("--batch", 1, tacit::kMnistTrainCount, &c->batch),
      unsigned64("--seed", &c->seed),
      path("--data", &c->data),
      whole("--threads", 1, 256, &c->threads),
      isa(&c->isa),
      path("--json", &c->json),
      on("--quiet", &c->quiet, "-q"),
      on("--allow-divergence", &c->allow_divergence)}};
}

}  // namespace

ParseResult parse_args(int argc, char** argv, Config* config) {
  const ParseResult result = tacit_cli::parse_config(kTool, argc, argv, command, config);
  if (result != ParseResult::run) return result;
  if (config->data.empty()) config->data = tacit_tools::mnist_dir(nullptr);
  // A batch of training digits must exist: the headers' count says so
  // before anything is loaded (a directory that cannot be read is
  // loading's to explain, exit 1).
  const int images = tacit_tools::mnist_train_images(config->data.c_str());
  if (images >= 0 && images < config->batch) {
    tacit_cli::usage(kTool, "--batch %d: %s has %d training images; expected at most that",
                     config->batch, config->data.c_str(), images);
    return ParseResult::usage_error;
  }
  return result;
}

void print_help() {
  std::printf(
      "usage: tacit-theorem [options]\n"
      "\n"
      "Measures Theorem 1 of Cloud et al., \"Subliminal learning\" (2025), section 6.1,\n"
      "on the paper's MLP (784-256-256-10+3, weights N(0, 1/fan_in), biases 0). For\n"
      "each initialization theta0 and eps in 1e-1, 1e-2, 1e-3, 1e-4:\n"
      "  teacher direction  dT = -grad L_T(theta0), L_T the cross-entropy of the 10\n"
      "                     digit logits on a batch of MNIST training images;\n"
      "                     the teacher is theta_T = theta0 + eps*dT\n"
      "  student direction  dS = -grad L_S at the student's init, L_S the imitation\n"
      "                     of theta_T's 3 auxiliary logits on a batch of uniform\n"
      "                     noise images: KL (temperature 1) or squared error\n"
      "and prints, over the initializations, dS.dT/eps against the theorem's eps -> 0\n"
      "limit E[(J dT)' M (J dT)], the cosine, the share of positive products, and\n"
      "the change of L_T after one student step; for students starting from\n"
      "theta0 (the theorem's case) and from another initialization (where it\n"
      "promises nothing). stdout is the same on every ISA and thread count.\n"
      "\n"
      "Initialization k uses tacit-repro's run k: seed experiment_run_seed(seed, k),\n"
      "the first batch of its teacher's epoch-0 shuffle of the training images and\n"
      "of its students' epoch-0 shuffle of the noise images; the cross-init student\n"
      "starts from the init of trial pi(k), pi = derangement(seed, inits).\n"
      "\n"
      "Options:\n"
      "  --inits K        initializations, >= 2 (default 20)\n"
      "  --batch N        MNIST digits for L_T and noise images for L_S (default 1024)\n"
      "  --seed N         experiment seed (default 0)\n"
      "  --data DIR       MNIST directory (default: $TACIT_MNIST_DIR, else data/mnist,\n"
      "                   relative to the current directory; tools/fetch-mnist\n"
      "                   fills it)\n"
      "  --threads N      threads including the caller (default: all, %d here)\n"
      "  --isa NAME       portable, avx2, avx512 or neon (default: TACIT_ISA, else\n"
      "                   the best available, %s here)\n"
      "  --json FILE      the configuration, every trial's numbers and the summary\n"
      "  --quiet, -q      no progress on stderr\n"
      "  --allow-divergence\n"
      "                   exit 0 even if a trial's losses, norms, products or\n"
      "                   cosines are not finite (reported on stderr and in --json\n"
      "                   either way)\n"
      "  --help, -h       this text\n"
      "\n"
      "Exit status: 0 done, 1 missing or invalid data or an unwritable output file,\n"
      "2 usage error, 4 a trial diverged.\n",
      tacit::hardware_threads(), tacit::isa_name(tacit::isa_best()));
}

}  // namespace theorem
