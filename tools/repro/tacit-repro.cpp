// tacit-repro: the deterministic reproduction of Figure 10 of Cloud et al.,
// "Subliminal learning" (2025). See --help, tools/repro/experiment.h for
// what one run does, and tools/subliminal/experiment.h for the random streams.
// Exit status: 0 done, 1 data or output file problem, 2 usage, 3 the
// --expect-transfer margin was not met, 4 a training diverged.
#include <chrono>
#include <cstdio>
#include <string>

#include "common/model_io.h"
#include "common/output_file.h"
#include "repro/config.h"
#include "repro/csv.h"
#include "repro/experiment.h"
#include "repro/results_json.h"
#include "repro/progress.h"
#include "repro/report.h"
#include "repro/svg.h"
#include "tacit/mnist.h"
#include "tacit/threads.h"

namespace {

using namespace repro;

int run(const Config& config) {
  // Opened before the run (a bad path fails now), in place only once written.
  tacit_tools::OutputFile json("tacit-repro"), csv("tacit-repro"), svg("tacit-repro"),
      trajectory("tacit-repro");
  if (!json.open(config.json) || !csv.open(config.csv) || !svg.open(config.svg) ||
      !trajectory.open(config.trajectory_svg)) {
    return kExitData;
  }
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
  const tacit::Compute compute{config.isa, &pool};
  const ProgressMode mode = progress_mode(config.quiet);
  if (mode != ProgressMode::silent) {
    std::fprintf(stderr, "tacit-repro: %d runs, isa %s, %d threads, data %s, %.1f MB of "
                 "models and buffers\n", config.runs, tacit::isa_name(config.isa),
                 pool.size(), config.data.c_str(), static_cast<double>(bytes) / 1e6);
  }
  Progress progress(mode, config.runs, steps_per_run(config, mnist.train.count));
  status = run_experiment(config, mnist, compute, arena, &progress, nullptr, &results);
  progress.finish();
  if (!status) {
    std::fprintf(stderr, "tacit-repro: %s\n", status.message());
    return kExitData;
  }
  results.total_seconds = since_start();

  const std::string report = results_report(results);
  std::fwrite(report.data(), 1, report.size(), stdout);
  std::fflush(stdout);
  if (mode != ProgressMode::silent) {
    std::fprintf(stderr, "tacit-repro: %s in all, %s per run\n",
                 format_duration(results.total_seconds).c_str(),
                 format_duration((results.total_seconds - results.load_seconds) / config.runs)
                     .c_str());
  }
  const RunEnvironment environment{tacit::isa_name(config.isa), pool.size()};
  bool written = json.write(results_json(results, environment));
  written = csv.write(results_csv(results)) && written;
  written = svg.write(bar_chart_svg(results_chart(results))) && written;
  if (config.points_per_epoch > 0) {
    written = trajectory.write(trajectory_svg(results)) && written;
  }
  if (!written) return kExitData;

  const std::string diverged = divergence_report(results);
  if (!diverged.empty()) {
    std::fprintf(stderr, "tacit-repro: training diverged (the table's figures for these "
                 "models mean little):\n%s", diverged.c_str());
    if (!config.allow_divergence) {
      std::fprintf(stderr, "tacit-repro: exit %d (--allow-divergence to exit 0)\n",
                   kExitDiverged);
      return kExitDiverged;
    }
  }

  if (config.expect_transfer && !(aux_transfer(results) >= config.transfer_margin)) {
    std::fprintf(stderr, "tacit-repro: expected the aux-only same-init student to beat the "
                 "cross-init one by at least %g; the difference of means is %.4f\n",
                 config.transfer_margin, aux_transfer(results));
    return kExitExpectation;
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  return tacit_cli::run_tool(argc, argv, parse_args, print_help, run);
}
