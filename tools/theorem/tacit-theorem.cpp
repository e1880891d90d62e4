// tacit-theorem: Theorem 1 of Cloud et al., "Subliminal learning" (2025),
// measured on the paper's MLP and MNIST. See --help; tools/theorem/measure.h
// says what one trial computes, tools/theorem/report.h what is printed.
// Exit status: 0 done, 1 data or output file problem, 2 usage, 4 a trial
// diverged.
#include <chrono>
#include <cstdio>
#include <string>

#include "common/divergence.h"
#include "common/model_io.h"
#include "common/output_file.h"
#include "subliminal/experiment.h"
#include "tacit/init.h"
#include "tacit/rng.h"
#include "tacit/mnist.h"
#include "tacit/threads.h"
#include "theorem/config.h"
#include "theorem/measure.h"
#include "theorem/report.h"

namespace {

using namespace theorem;

// tacit-repro's noise set: its students' epoch-0 order is a shuffle of this
// many images, and trial k's noise batch is that order's first batch.
constexpr auto kNoiseImages = static_cast<std::uint32_t>(subliminal::kNoiseImages);

// Loads MNIST from config.data; it must hold a batch of training images.
int load_mnist(const Config& config, tacit_tools::LoadedMnist* data) {
  const tacit::Status status = tacit_tools::load_mnist(config.data.c_str(), data);
  if (!status) {
    std::fprintf(stderr, "tacit-theorem: %s\n", status.message());
    return kExitData;
  }
  if (data->mnist.train.count < config.batch) {
    std::fprintf(stderr, "tacit-theorem: %s has %d training images; --batch %d needs at "
                 "least that many\n", config.data.c_str(), data->mnist.train.count,
                 config.batch);
    return kExitData;
  }
  return kExitOk;
}

struct Orders {
  std::uint32_t* train = nullptr;    // (train images)
  std::uint32_t* noise = nullptr;    // (kNoiseImages)
  std::uint32_t* pairing = nullptr;  // (inits)
};

std::size_t u32_bytes(std::size_t count) {
  return tacit::arena_block_bytes(count * sizeof(std::uint32_t));
}

// Fills the bench with trial k's θ₀, θ₀', digits and noise.
tacit::Status prepare_trial(const Config& config, const tacit::Mnist& mnist,
                            const Orders& orders, tacit::ThreadPool* pool, int k,
                            Bench& bench, TrialRecord* record) {
  const std::uint64_t seed = subliminal::experiment_run_seed(config.seed, k);
  record->init = k;
  record->seed = seed;
  record->cross_from = static_cast<int>(orders.pairing[k]);
  tacit::mlp_init(bench.same, tacit::Init::normal_fan_in, seed);
  tacit::mlp_init(bench.cross, tacit::Init::normal_fan_in,
                  subliminal::experiment_run_seed(config.seed, record->cross_from));
  const auto n = static_cast<std::uint32_t>(mnist.train.count);
  tacit::shuffle_order(seed, subliminal::kTeacherShuffleStream, 0, n, orders.train);
  const tacit::Status status =
      tacit::mnist_gather(mnist.train, orders.train, config.batch,
                          tacit::mlp_input(bench.digits, config.batch).data, bench.labels);
  if (!status) return status;
  tacit::shuffle_order(seed, subliminal::kStudentShuffleStream, 0, kNoiseImages, orders.noise);
  subliminal::noise_gather(subliminal::NoiseKind::uniform, seed, orders.noise, config.batch,
                           tacit::kMnistPixels, tacit::mlp_input(bench.noise, config.batch).data,
                           pool);
  return tacit::Status::success();
}

int run(const Config& config) {
  // Opened before the measurement (a bad path fails now), in place once written.
  tacit_tools::OutputFile json("tacit-theorem");
  if (!json.open(config.json)) return kExitData;
  const auto start = std::chrono::steady_clock::now();
  const auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  tacit_tools::LoadedMnist data;
  const int loaded = load_mnist(config, &data);
  if (loaded != kExitOk) return loaded;
  const tacit::Mnist& mnist = data.mnist;

  tacit::MlpSpec spec;
  tacit::mlp_spec(subliminal::kPaperWidths, subliminal::kPaperWidthCount, &spec);
  const auto train_count = static_cast<std::size_t>(mnist.train.count);
  const std::size_t bytes = tacit::arena_buffer_bytes(
      bench_bytes(spec, config.batch, config.batch) + u32_bytes(train_count) +
      u32_bytes(kNoiseImages) + u32_bytes(static_cast<std::size_t>(config.inits)));
  tacit_tools::Buffer work(bytes);
  if (!work.ok()) {
    std::fprintf(stderr, "tacit-theorem: cannot allocate %zu bytes for the models\n", bytes);
    return kExitData;
  }
  tacit::Arena arena = work.arena();
  Bench bench;
  tacit::Status status = bench_create(spec, config.batch, config.batch, arena, &bench);
  Orders orders;
  orders.train = static_cast<std::uint32_t*>(arena.take(train_count * 4));
  orders.noise = static_cast<std::uint32_t*>(arena.take(kNoiseImages * 4));
  orders.pairing = static_cast<std::uint32_t*>(
      arena.take(static_cast<std::size_t>(config.inits) * 4));
  if (status) {
    status = subliminal::derangement(config.seed, static_cast<std::uint32_t>(config.inits),
                                orders.pairing);
  }
  if (!status) {
    std::fprintf(stderr, "tacit-theorem: %s\n", status.message());
    return kExitData;
  }

  tacit::ThreadPool pool(config.threads);
  const tacit::Compute compute{config.isa, &pool};
  const bool progress = !config.quiet && tacit_cli::stderr_is_terminal();
  Measurement m;
  m.widths = "784-256-256-10+3";
  m.layers = spec.layers;
  m.seed = config.seed;
  m.batch = config.batch;
  m.trials.resize(static_cast<std::size_t>(config.inits));
  for (int k = 0; k < config.inits; ++k) {
    if (progress) {
      const double elapsed = seconds();
      std::fprintf(stderr, "\rtacit-theorem: initialization %d/%d, %.0fs", k + 1,
                   config.inits, elapsed);
      if (k > 0) std::fprintf(stderr, ", about %.0fs left", elapsed / k * (config.inits - k));
      std::fprintf(stderr, "   ");
    }
    TrialRecord& record = m.trials[static_cast<std::size_t>(k)];
    status = prepare_trial(config, mnist, orders, &pool, k, bench, &record);
    if (status) status = measure_trial(compute, m.options, bench, &record.trial);
    if (status) record.diverged = trial_divergence(record.trial, m.options);
    if (!status) {
      if (progress) std::fprintf(stderr, "\n");
      std::fprintf(stderr, "tacit-theorem: %s\n", status.message());
      return kExitData;
    }
  }
  if (progress) {
    std::fprintf(stderr, "\rtacit-theorem: %d initializations in %.1fs (isa %s, %d threads)\n",
                 config.inits, seconds(), tacit::isa_name(config.isa), pool.size());
  }
  const std::string report = report_text(m);
  std::fwrite(report.data(), 1, report.size(), stdout);
  std::fflush(stdout);
  if (!config.json.empty()) {
    const Environment environment{tacit::isa_name(config.isa), pool.size(), seconds()};
    if (!json.write(report_json(m, environment))) return kExitData;
  }
  bool diverged = false;
  for (const TrialRecord& record : m.trials) {
    if (record.diverged.empty()) continue;
    std::fprintf(stderr, "tacit-theorem: initialization %d diverged: %s is not finite\n",
                 record.init, record.diverged.c_str());
    diverged = true;
  }
  if (diverged && !config.allow_divergence) {
    std::fprintf(stderr, "tacit-theorem: exit %d (--allow-divergence to exit 0)\n",
                 tacit_tools::kExitDiverged);
    return tacit_tools::kExitDiverged;
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  return tacit_cli::run_tool(argc, argv, parse_args, print_help, run);
}
