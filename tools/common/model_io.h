// What the tools share for their inputs: a model loaded from a checkpoint
// file, and MNIST loaded from a directory, each in memory sized by the
// library's queries.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "common/divergence.h"
#include "tacit/arena.h"
#include "tacit/checkpoint.h"
#include "tacit/mnist.h"

namespace tacit_tools {

// Heap memory that reports failure instead of throwing or aborting: a valid
// file, or an experiment's models, may still be larger than this machine's
// memory.
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(std::size_t bytes) { allocate(bytes); }
  ~Buffer() { std::free(data_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  // Replaces the memory with `bytes` new ones; false if they cannot be had.
  bool allocate(std::size_t bytes) {
    std::free(data_);
    data_ = static_cast<unsigned char*>(std::malloc(bytes == 0 ? 1 : bytes));
    bytes_ = data_ != nullptr ? bytes : 0;
    return data_ != nullptr;
  }
  bool ok() const { return data_ != nullptr; }
  unsigned char* data() const { return data_; }
  std::size_t size() const { return bytes_; }
  tacit::Arena arena() const { return tacit::Arena(data_, bytes_); }

 private:
  unsigned char* data_ = nullptr;
  std::size_t bytes_ = 0;
};

// "784-256-256-13": a spec's widths, for what the tools print.
inline std::string widths_text(const tacit::MlpSpec& spec) {
  std::string text;
  for (int i = 0; i <= spec.layers; ++i) {
    text += (i > 0 ? "-" : "") + std::to_string(spec.widths[i]);
  }
  return text;
}

struct LoadedModel {
  Buffer memory;  // the model's arena, then the file's bytes
  tacit::Mlp mlp;

  // The checkpoint's bytes as read from the file: the memory's tail.
  const unsigned char* file() const {
    return memory.data() + memory.size() - tacit::checkpoint_bytes(mlp.spec);
  }
};

// Size first: the header says the spec, the file's size proves it
// (checkpoint_file_spec), the spec says the memory.
inline tacit::Status load_model(const char* path, LoadedModel* model) {
  using namespace tacit;
  MlpSpec spec;
  Status status = checkpoint_file_spec(path, &spec);
  if (!status) return status;
  const std::size_t file_bytes = checkpoint_bytes(spec);
  const std::size_t bytes = arena_buffer_bytes(mlp_bytes(spec)) + file_bytes;
  if (!model->memory.allocate(bytes)) {
    return Status::error("%s: cannot allocate %zu bytes for its model", path, bytes);
  }
  Arena arena(model->memory.data(), model->memory.size() - file_bytes);
  status = mlp_create(spec, arena, &model->mlp);
  if (!status) return status;
  // The file buffer is the memory's tail, past the arena.
  unsigned char* buffer = model->memory.data() + model->memory.size() - file_bytes;
  return checkpoint_load(path, buffer, file_bytes, model->mlp);
}

struct LoadedMnist {
  Buffer memory;
  tacit::Mnist mnist;
};

// DIR, else $TACIT_MNIST_DIR, else data/mnist.
inline const char* mnist_dir(const char* given) {
  if (given != nullptr) return given;
  const char* env = std::getenv("TACIT_MNIST_DIR");
  return env != nullptr && env[0] != '\0' ? env : "data/mnist";
}

inline tacit::Status load_mnist(const char* dir, LoadedMnist* data) {
  using namespace tacit;
  MnistInfo info;
  Status status = mnist_inspect(dir, &info);
  if (!status) {
    // How the tools pick the directory, where a relative one really is,
    // and what fills it: the library's message knows none of that. Kept
    // short: a Status holds 256 characters.
    std::string where;  // "= /absolute/path; " for a relative directory
    // Relative to the current directory: no root directory (Windows' "/x"
    // or "\x" has one but no drive, and is not absolute there).
    if (!std::filesystem::path(dir).has_root_directory()) {
      std::error_code ec;
      where = "= " + std::filesystem::absolute(dir, ec).string() + "; ";
    }
    return Status::error("%s (%sset by --data DIR or TACIT_MNIST_DIR; tools/fetch-mnist "
                         "fills tacit's data/mnist)", status.message(), where.c_str());
  }
  const std::size_t bytes = arena_buffer_bytes(mnist_bytes(info));
  if (!data->memory.allocate(bytes)) {
    return Status::error("%s: cannot allocate %zu bytes for MNIST", dir, bytes);
  }
  Arena arena = data->memory.arena();
  return mnist_load(dir, info, arena, &data->mnist);
}

// The training images DIR's headers count (mnist_inspect: the headers only,
// nothing loaded), or -1 if DIR cannot be inspected (loading says why).
inline int mnist_train_images(const char* dir) {
  tacit::MnistInfo info;
  if (!tacit::mnist_inspect(dir, &info).ok()) return -1;
  return info.count[static_cast<int>(tacit::MnistSplitId::train)];
}

// --batch N against the rows a workspace of the model may hold
// (mlp_max_batch: every buffer within kMlpMaxParams floats).
inline tacit::Status check_batch_fits(const tacit::MlpSpec& spec, long batch) {
  using namespace tacit;
  if (batch <= mlp_max_batch(spec)) return Status::success();
  return Status::error("--batch %ld: expected at most %d for this model (mlp_max_batch: "
                       "every buffer within kMlpMaxParams = %lu floats)", batch,
                       mlp_max_batch(spec), kMlpMaxParams);
}

// Every parameter finite; else names the first that is not: layer, W or b,
// row and column (W is (out, in), as in the file).
inline tacit::Status check_finite(const char* path, const tacit::Mlp& mlp) {
  using namespace tacit;
  for (int l = 0; l < mlp.spec.layers; ++l) {
    const auto in = static_cast<std::size_t>(mlp.spec.widths[l]);
    const auto out = static_cast<std::size_t>(mlp.spec.widths[l + 1]);
    const float* w = mlp.params + mlp_weight_offset(mlp.spec, l);
    const std::size_t i = first_non_finite(w, out * in);
    if (i < out * in) {
      return Status::error("%s: layer %d W[%zu][%zu] is %g; expected a finite float", path,
                           l, i / in, i % in, static_cast<double>(w[i]));
    }
    const float* b = mlp.params + mlp_bias_offset(mlp.spec, l);
    const std::size_t j = first_non_finite(b, out);
    if (j < out) {
      return Status::error("%s: layer %d b[%zu] is %g; expected a finite float", path, l, j,
                           static_cast<double>(b[j]));
    }
  }
  return Status::success();
}

// Checks that a model reads MNIST images and has digit logits 0-9.
inline tacit::Status check_mnist_model(const char* path, const tacit::MlpSpec& spec) {
  using namespace tacit;
  if (mlp_inputs(spec) != kMnistPixels) {
    return Status::error("%s: widths[0]: expected %d (MNIST's 28x28 pixels), found %d",
                         path, kMnistPixels, mlp_inputs(spec));
  }
  if (mlp_outputs(spec) < kMnistClasses) {
    return Status::error("%s: widths[%d]: expected at least %d outputs (the digit "
                         "logits), found %d", path, spec.layers, kMnistClasses,
                         mlp_outputs(spec));
  }
  return Status::success();
}

}  // namespace tacit_tools
