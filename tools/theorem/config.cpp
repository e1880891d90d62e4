#include "config.h"

#include <cstdarg>
#include <cstdio>

#include "../cli.h"
#include "tacit/mnist.h"
#include "tacit/threads.h"

namespace theorem {

namespace {

using tacit_cli::is_flag;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
bool usage(const char* format, ...) {
  std::fprintf(stderr, "tacit-theorem: ");
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fprintf(stderr, " (try --help)\n");
  return false;
}

bool parse_int(const char* flag, const char* text, long min, long max, int* out) {
  long value = 0;
  if (!tacit_cli::parse_long(flag, text, min, max, &value)) return false;
  *out = static_cast<int>(value);
  return true;
}

bool parse_isa(const char* text, tacit::Isa* isa) {
  if (text == nullptr) return usage("%s needs a value", "--isa");
  if (!tacit::isa_parse(text, isa)) {
    return usage("--isa: '%s' is not one of portable, avx2, avx512, neon", text);
  }
  if (!tacit::isa_available(*isa)) {
    return usage("--isa: %s is not available on this machine or build; the best "
                 "available is %s", text, tacit::isa_name(tacit::isa_best()));
  }
  return true;
}

bool parse_path(const char* flag, const char* text, std::string* out) {
  if (text == nullptr || text[0] == '\0') return usage("%s needs a file name", flag);
  *out = text;
  return true;
}

bool parse_one(const char* arg, const char* value, Config* c, int* consumed) {
  *consumed = 2;
  if (is_flag(arg, "--inits")) {
    if (!parse_int(arg, value, 0, 100000, &c->inits)) return false;
    if (c->inits < 2) {
      return usage("--inits %d: at least 2 are needed (each cross-init student "
                   "starts from another trial's initialization)", c->inits);
    }
    return true;
  }
  if (is_flag(arg, "--batch")) {
    return parse_int(arg, value, 1, tacit::kMnistTrainCount, &c->batch);
  }
  if (is_flag(arg, "--seed")) return tacit_cli::parse_u64(arg, value, &c->seed);
  if (is_flag(arg, "--data")) return parse_path(arg, value, &c->data);
  if (is_flag(arg, "--threads")) return parse_int(arg, value, 1, 256, &c->threads);
  if (is_flag(arg, "--isa")) return parse_isa(value, &c->isa);
  if (is_flag(arg, "--json")) return parse_path(arg, value, &c->json);
  *consumed = 1;
  if (is_flag(arg, "--quiet") || is_flag(arg, "-q")) {
    c->quiet = true;
    return true;
  }
  return usage("unknown argument '%s'", arg);
}

}  // namespace

ParseResult parse_args(int argc, char** argv, Config* config) {
  Config c;
  c.threads = tacit::hardware_threads();
  const tacit::Status status = tacit::isa_from_environment(&c.isa);
  if (!status) {
    std::fprintf(stderr, "tacit-theorem: %s\n", status.message());
    return ParseResult::usage_error;
  }
  for (int i = 1; i < argc; ++i) {
    if (is_flag(argv[i], "--help") || is_flag(argv[i], "-h")) return ParseResult::help;
  }
  for (int i = 1; i < argc;) {
    int consumed = 1;
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (!parse_one(argv[i], value, &c, &consumed)) return ParseResult::usage_error;
    i += consumed;
  }
  if (c.threads > 1 && !tacit::threads_enabled()) {
    std::fprintf(stderr, "tacit-theorem: this build has no threads (-Dthreads=false); "
                         "running on 1\n");
    c.threads = 1;
  }
  *config = c;
  return ParseResult::run;
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
      "  --data DIR       MNIST directory (default data/mnist, relative to the\n"
      "                   current directory; tools/fetch-mnist fills it)\n"
      "  --threads N      threads including the caller (default: all, %d here)\n"
      "  --isa NAME       portable, avx2, avx512 or neon (default: TACIT_ISA, else\n"
      "                   the best available, %s here)\n"
      "  --json FILE      the configuration, every trial's numbers and the summary\n"
      "  --quiet, -q      no progress on stderr\n"
      "  --help, -h       this text\n"
      "\n"
      "Exit status: 0 done, 1 missing or invalid data or an unwritable output file,\n"
      "2 usage error.\n",
      tacit::hardware_threads(), tacit::isa_name(tacit::isa_best()));
}

}  // namespace theorem
