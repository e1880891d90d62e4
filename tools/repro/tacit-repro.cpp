// tacit-repro: the deterministic reproduction of Figure 10 of Cloud et al.,
// "Subliminal learning" (2025). See --help, tools/repro/experiment.h for
// what one run does, and tools/subliminal/experiment.h for the random streams.
// Exit status: 0 done, 1 data or output file problem, 2 usage, 3 the
// --expect-transfer margin was not met, 4 a training diverged.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "bench/peak.h"
#include "common/model_io.h"
#include "common/output_file.h"
#include "repro/config.h"
#include "repro/experiment.h"
#include "repro/merge.h"
#include "repro/outputs.h"
#include "repro/profile_report.h"
#include "repro/progress.h"
#include "repro/report.h"
#include "repro/shard.h"
#include "repro/speed.h"
#include "repro/sweep.h"
#include "tacit/mnist.h"
#include "tacit/threads.h"

namespace {

using namespace repro;

// tacit-bench's FMA peak for this ISA on every thread of the pool, in
// GFLOP/s (0 where tacit-bench has no loop for the ISA): about 0.2 s.
double measure_peak(tacit::Isa isa, tacit::ThreadPool& pool) {
  tacit_bench::PeakKernel kernel;
  if (!tacit_bench::peak_kernel(isa, &kernel)) return 0.0;
  tacit_bench::peak_gflops(kernel, pool, pool.size(), 0.05, 1);  // warm up
  return tacit_bench::peak_gflops(kernel, pool, pool.size(), 0.004, 25).median;
}

int run(const Config& config) {
  if (!config.sweep_name.empty()) return sweep_main(config);
  // Opened before the run (a bad path fails now), in place only once written.
  OutputFiles files;
  if (!files.open(config)) return kExitData;
  const auto start = std::chrono::steady_clock::now();
  const auto since_start = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  tacit_tools::LoadedMnist data;
  tacit::Status status = tacit_tools::load_mnist(config.data.c_str(), &data);
  if (!status) {
    std::fprintf(stderr, "tacit-repro: %s\n", status.message());
    return kExitData;
  }
  const tacit::Mnist& mnist = data.mnist;

  Results results;
  results.load_seconds = since_start();
  const std::size_t bytes = tacit::arena_buffer_bytes(experiment_bytes(config, mnist.train.count));
  tacit_tools::Buffer work(bytes);
  if (!work.ok()) {
    std::fprintf(stderr, "tacit-repro: cannot allocate %zu bytes for the models\n", bytes);
    return kExitData;
  }
  tacit::Arena arena = work.arena();
  tacit::ThreadPool pool(config.threads);
  ProfileSummary profile;
  profile.profile.clock = steady_seconds;
  // The runs' speed in --json is rated against it as --profile's is.
  if (config.profile || !config.json.empty()) {
    profile.peak_gflops = measure_peak(config.isa, pool);
  }
  const tacit::Compute compute{config.isa, &pool, config.profile ? &profile.profile : nullptr};
  const double runs_start = steady_seconds();
  const ProgressMode mode = progress_mode(config.quiet);
  if (mode != ProgressMode::silent) {
    std::fprintf(stderr, "tacit-repro: %d runs, isa %s, %d threads, data %s, %.1f MB of "
                 "models and buffers\n", config.runs, tacit::isa_name(config.isa),
                 pool.size(), config.data.c_str(), static_cast<double>(bytes) / 1e6);
  }
  const int runs = run_end(config) - config.first_run;
  Progress progress(mode, runs, steps_per_run(config, mnist.train.count), config.first_run);
  HashSegment hash;  // a shard's part of the weights hash
  hash.pool = &pool;
  const ModelObserver observer = hash_segment_observer(&hash);
  status = run_experiment(config, mnist, compute, arena, &progress,
                          is_shard(config) ? &observer : nullptr, &results);
  progress.finish();
  if (!status) {
    std::fprintf(stderr, "tacit-repro: %s\n", status.message());
    return kExitData;
  }
  results.total_seconds = since_start();
  profile.seconds = steady_seconds() - runs_start;
  // Again after the runs, keeping the larger: a neighbour that held a core
  // while one was measured can only have lowered it (on a shared VM a
  // two-thread peak of one core's rate would rate the runs above 100%).
  if (profile.peak_gflops > 0.0) {
    const double after = measure_peak(config.isa, pool);
    if (after > profile.peak_gflops) profile.peak_gflops = after;
  }
  rate_against_peak(profile.peak_gflops, &results);

  const RunEnvironment environment{tacit::isa_name(config.isa), pool.size(),
                                   config.profile ? &profile : nullptr};
  if (config.profile) {
    const std::string text = profile_text(profile);
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
  if (mode != ProgressMode::silent) {
    std::fprintf(stderr, "tacit-repro: %s in all, %s per run\n",
                 format_duration(results.total_seconds).c_str(),
                 format_duration((results.total_seconds - results.load_seconds) / runs)
                     .c_str());
  }
  if (!is_shard(config)) return deliver_results(config, results, environment, files);
  const std::string report = shard_report(results);
  std::fwrite(report.data(), 1, report.size(), stdout);
  std::fflush(stdout);
  if (!files.json.write(shard_json(results, hash, environment))) return kExitData;
  const std::string diverged = divergence_report(results);
  if (!diverged.empty()) {
    std::fprintf(stderr, "tacit-repro: training diverged (in the shard's --json; the merge "
                 "decides the exit status):\n%s", diverged.c_str());
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "merge") == 0) return merge_main(argc - 1, argv + 1);
  return tacit_cli::run_tool(argc, argv, parse_args, print_help, run);
}
