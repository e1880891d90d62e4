// tacit-bench: how close tacit's products come to this machine's FMA peak,
// and what a training step, an Adam step and one-image inference cost,
// inference against the time to read its weights.
// See --help. With --processes N (N > 1) the program runs itself N times
// and combines the runs, so that a figure holds in every process, not only
// in a lucky one.
// Exit status: 0 done, 1 a measurement or output failed, 2 usage.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/report.h"
#include "bench/suite.h"
#include "common/cli.h"
#include "common/output_file.h"
#include "tacit/isa.h"
#include "tacit/threads.h"

namespace {

using tacit_bench::Options;

void print_help() {
  std::printf(
      "usage: tacit-bench [--quick] [--isa LIST] [--threads LIST] [--batch LIST]\n"
      "                   [--train-batch N] [--samples N] [--processes N] [--subnormals]\n"
      "                   [--json FILE]\n"
      "\n"
      "Measures this machine's peak FP32 FMA rate for each ISA with its own loop,\n"
      "then, for each ISA and thread count: GFLOP/s and the fraction of that peak\n"
      "for the forward, dX and dW products of dense layers 784->256, 256->256 and\n"
      "256->13 at each batch; one training step of the 784-256-256-13 MLP\n"
      "(cross-entropy, Adam lr 3e-4) on generated data, as samples/s and the time\n"
      "of a 60000-sample teacher epoch extrapolated from it; one-image inference,\n"
      "and the time to read its 1.08 MB of weights once (inference's floor where\n"
      "they do not fit the caches); one Adam step over all 270093 parameters;\n"
      "and with more than one thread, what handing the pool a run costs, back to\n"
      "back and after 2 ms idle.\n"
      "Times are per call: the median and range of repeated samples (and of\n"
      "processes, see --processes).\n"
      "\n"
      "  --quick          a smoke test of a few seconds: batches 1 and 32, a\n"
      "                   training step at batch 32, few short samples, 1 process\n"
      "  --isa LIST       comma-separated: portable,avx2,avx512,neon (default:\n"
      "                   every one available here)\n"
      "  --threads LIST   comma-separated thread counts (default: 1 and the\n"
      "                   hardware's count)\n"
      "  --batch LIST     batches for the products (default 1,64,1024)\n"
      "  --train-batch N  batch of the training step (default 1024)\n"
      "  --samples N      samples per measurement (default 11; at least 3 are\n"
      "                   taken, slow ones stop after about 2 s)\n"
      "  --processes N    run N processes one after another and report the median\n"
      "                   of their medians and the worst process's fraction of\n"
      "                   peak (default 3, 1 with --quick)\n"
      "  --subnormals     also measure what subnormal operands cost (a product and\n"
      "                   Adam with 0%%, 1%% and 100%% of them) and count the\n"
      "                   subnormals an epoch of training (--train-batch) stores\n"
      "  --json FILE      also write the results as JSON: a \"results\" list of\n"
      "                   {isa, threads, op, in, out, batch, seconds, gflops,\n"
      "                   peak_gflops, fraction_of_peak, ...}; op is forward, dx,\n"
      "                   dw, adam, train_step, infer, read, pool or pool_wake\n"
      "  --help           this text\n");
}

constexpr const char* kTool = "tacit-bench";

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

void set_quick(Options* o) {
  o->batches = {1, 32};
  o->train_batch = 32;
  o->plan.samples = 5;
  o->plan.sample_seconds = 0.0005;
  o->plan.budget_seconds = 0.2;
  o->peak_seconds = 0.02;
  o->warmup_seconds = 0.05;
  o->quick = true;
}

// Runs this program `processes` times with the same measurement flags and
// reads back each run's results.
bool run_processes(const char* self, const std::vector<std::string>& passed, int processes,
                   std::vector<tacit_bench::SuiteResult>* runs) {
  const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  std::error_code error;
  const std::filesystem::path dir = std::filesystem::temp_directory_path(error);
  if (error) {
    std::fprintf(stderr, "tacit-bench: no temporary directory: %s\n", error.message().c_str());
    return false;
  }
  for (int p = 0; p < processes; ++p) {
    const std::string file =
        (dir / ("tacit-bench-" + std::to_string(stamp) + "-" + std::to_string(p) + ".txt"))
            .string();
    std::string command = shell_quote(self);
    for (const std::string& arg : passed) command += " " + shell_quote(arg);
    command += " --worker " + shell_quote(file);
    std::fprintf(stderr, "tacit-bench: process %d of %d\n", p + 1, processes);
    const int status = std::system(command.c_str());
    tacit_bench::SuiteResult run;
    const bool read = status == 0 && tacit_bench::read_lines(file, &run);
    std::filesystem::remove(file, error);
    if (!read) {
      std::fprintf(stderr, "tacit-bench: process %d of %d failed (status %d)\n", p + 1,
                   processes, status);
      return false;
    }
    runs->push_back(run);
  }
  return true;
}

// The flags a worker process gets: all but --processes, --json and --worker
// (each with its value); parse() has checked them all.
std::vector<std::string> worker_flags(int argc, char** argv) {
  std::vector<std::string> passed;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--processes" || arg == "--json" || arg == "--worker") {
      ++i;
    } else {
      passed.push_back(arg);
    }
  }
  return passed;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  tacit_cli::exit_on_out_of_memory(kTool);
  long processes = -1;
  bool subnormals = false;
  std::string json_path, worker_path;
  // --quick sets defaults that the other flags then override, wherever it
  // stands among them.
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--quick") set_quick(&options);
  }
  using namespace tacit_cli;
  const Command command{kTool, {
      on("--quick", &options.quick),
      on("--subnormals", &subnormals),
      custom("--isa", "a comma-separated list of ISAs",
             [&options](const char* value, std::string* why) {
               return tacit_bench::parse_isa_list(value, &options.isas, why);
             }),
      whole_list("--threads", 1, tacit_bench::kMaxThreads, &options.threads),
      whole_list("--batch", 1, 65536, &options.batches),
      whole("--train-batch", 1, 65536, &options.train_batch),
      whole("--samples", 3, 100000, &options.plan.samples),
      whole("--processes", 1, 1000, &processes),
      path("--json", &json_path),
      path("--worker", &worker_path)}};  // internal: see run_processes
  if (const int exit = tacit_cli::exit_unless_run(tacit_cli::parse(command, argc, argv), print_help);
      exit >= 0) {
    return exit;
  }
  // A worker's lines in the --json file would be replaced by the JSON.
  if (!tacit_tools::distinct_outputs(kTool, {{"--json", json_path}, {"--worker", worker_path}})) {
    return tacit_cli::kExitUsage;
  }
  const std::vector<std::string> passed = worker_flags(argc, argv);
  if (processes < 0) processes = options.quick ? 1 : 3;
  // Opened now, so that a bad path fails before minutes of measuring; in
  // place only once written.
  tacit_tools::OutputFile json(kTool);
  if (!json.open(json_path)) return tacit_cli::kExitFailure;
  for (int& threads : options.threads) threads = tacit_cli::usable_threads(kTool, threads);

  tacit_bench::SuiteResult result;
  if (!worker_path.empty() || processes == 1) {
    options.quiet = !worker_path.empty();
    if (!tacit_bench::run_suite(options, &result)) return tacit_cli::kExitFailure;
    if (!worker_path.empty()) return tacit_bench::write_lines(worker_path, result) ? 0 : 1;
    for (auto& r : result.records)
      r.worst_process_fraction = tacit_bench::fraction_of(r);
  } else {
    std::vector<tacit_bench::SuiteResult> runs;
    if (!run_processes(argv[0], passed, static_cast<int>(processes), &runs)) {
      return tacit_cli::kExitFailure;
    }
    result = tacit_bench::combine(runs);
  }
  tacit_bench::print_table(stdout, result);
  tacit_bench::SubnormalReport subnormal_report;
  if (subnormals) {
    if (!tacit_bench::run_subnormals(options, &subnormal_report)) {
      std::fprintf(stderr, "tacit-bench: the subnormal measurement failed (out of memory)\n");
      return tacit_cli::kExitFailure;
    }
    tacit_bench::print_subnormals(stdout, subnormal_report);
  }
  if (!json_path.empty()) {
    const std::string note =
        "times in seconds per call; train_step is timed on generated data and an "
        "epoch extrapolated from it; adam: in = the parameter count, no FLOPs counted; "
        "read: the bytes infer's weights take, read once, no FLOPs counted; pool, "
        "pool_wake: a pool run of empty tasks, back to back and after 2 ms idle";
    if (!json.write(tacit_bench::bench_json(result, note,
                                            subnormals ? &subnormal_report : nullptr))) {
      return tacit_cli::kExitFailure;
    }
  }
  return 0;
}
