// tacit-repro: the deterministic reproduction of Figure 10 of Cloud et al.,
// "Subliminal learning" (2025). See --help, tools/repro/experiment.h for
// what one run does, and include/tacit/experiment.h for the random streams.
// Exit status: 0 done, 1 data or output file problem, 2 usage, 3 the
// --expect-transfer margin was not met.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "repro/config.h"
#include "repro/csv.h"
#include "repro/experiment.h"
#include "repro/json.h"
#include "repro/progress.h"
#include "repro/report.h"
#include "repro/svg.h"
#include "tacit/mnist.h"
#include "tacit/threads.h"

namespace {

using namespace repro;

// Heap memory that reports failure instead of throwing.
class Buffer {
 public:
  explicit Buffer(std::size_t bytes) : bytes_(bytes), data_(std::malloc(bytes ? bytes : 1)) {}
  ~Buffer() { std::free(data_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  bool ok() const { return data_ != nullptr; }
  tacit::Arena arena() const { return tacit::Arena(data_, bytes_); }

 private:
  std::size_t bytes_;
  void* data_;
};

// An output file opened before the run, so a bad path fails in a second,
// not after an hour of training.
class Output {
 public:
  Output() = default;
  ~Output() {
    if (file_ != nullptr) std::fclose(file_);
  }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  bool open(const std::string& path) {
    path_ = path;
    if (path.empty()) return true;
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr) {
      std::fprintf(stderr, "tacit-repro: cannot write %s: %s\n", path.c_str(),
                   std::strerror(errno));
    }
    return file_ != nullptr;
  }

  bool write(const std::string& text) {
    if (file_ == nullptr) return true;
    const bool written = std::fwrite(text.data(), 1, text.size(), file_) == text.size();
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!written || !closed) {
      std::fprintf(stderr, "tacit-repro: writing %s failed\n", path_.c_str());
      return false;
    }
    return true;
  }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

bool is_directory(const std::string& path) {
  std::error_code error;  // the non-throwing overload
  return std::filesystem::is_directory(path, error);
}

constexpr const char* kFetchHint =
    "fetch MNIST with tools/fetch-mnist (run from the repository; it fills "
    "data/mnist), or pass --data DIR";

// Reads and checks the four MNIST files into buffer.
int load_mnist(const Config& config, std::unique_ptr<Buffer>* buffer, tacit::Mnist* mnist) {
  if (!is_directory(config.data)) {
    std::fprintf(stderr, "tacit-repro: MNIST directory %s not found; %s\n",
                 config.data.c_str(), kFetchHint);
    return kExitData;
  }
  tacit::MnistInfo info;
  tacit::Status status = tacit::mnist_inspect(config.data.c_str(), &info);
  if (!status) {
    std::fprintf(stderr, "tacit-repro: %s\n", status.message());
    if (std::strstr(status.message(), "fetch-mnist") == nullptr) {
      std::fprintf(stderr, "tacit-repro: %s\n", kFetchHint);
    }
    return kExitData;
  }
  const std::size_t bytes = tacit::arena_buffer_bytes(tacit::mnist_bytes(info));
  buffer->reset(new Buffer(bytes));
  if (!(*buffer)->ok()) {
    std::fprintf(stderr, "tacit-repro: cannot allocate %zu bytes for MNIST\n", bytes);
    return kExitData;
  }
  tacit::Arena arena = (*buffer)->arena();
  status = tacit::mnist_load(config.data.c_str(), info, arena, mnist);
  if (!status) {
    std::fprintf(stderr, "tacit-repro: %s\n", status.message());
    return kExitData;
  }
  return kExitOk;
}

int run(const Config& config) {
  Output json, csv, svg;
  if (!json.open(config.json) || !csv.open(config.csv) || !svg.open(config.svg)) {
    return kExitData;
  }
  const auto start = std::chrono::steady_clock::now();
  const auto since_start = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::unique_ptr<Buffer> data;
  tacit::Mnist mnist;
  const int loaded = load_mnist(config, &data, &mnist);
  if (loaded != kExitOk) return loaded;

  Results results;
  results.load_seconds = since_start();
  const std::size_t bytes = tacit::arena_buffer_bytes(experiment_bytes(config, mnist.train.count));
  Buffer work(bytes);
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
  const tacit::Status status =
      run_experiment(config, mnist, compute, arena, &progress, nullptr, &results);
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
  if (!written) return kExitData;

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
  Config config;
  switch (parse_args(argc, argv, &config)) {
    case ParseResult::help:
      print_help();
      return kExitOk;
    case ParseResult::usage_error:
      return kExitUsage;
    case ParseResult::run:
      break;
  }
  return run(config);
}
