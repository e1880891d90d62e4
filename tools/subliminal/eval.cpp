#include "subliminal/experiment.h"

namespace subliminal {

using namespace tacit;

std::size_t eval_buffers_bytes(int capacity) {
  const auto rows = static_cast<std::size_t>(capacity < 0 ? 0 : capacity);
  return arena_block_bytes(rows * sizeof(std::uint32_t)) +
         2 * arena_block_bytes(rows * sizeof(std::int32_t));
}

Status eval_buffers_create(int capacity, Arena& arena, EvalBuffers* buffers) {
  if (capacity < 1) {
    return Status::error("eval buffers: capacity is %d; expected >= 1", capacity);
  }
  if (arena.remaining() < eval_buffers_bytes(capacity)) {
    return Status::error("eval buffers: arena has %zu bytes left; %d rows need %zu "
                         "(eval_buffers_bytes)", arena.remaining(), capacity,
                         eval_buffers_bytes(capacity));
  }
  const auto rows = static_cast<std::size_t>(capacity);
  EvalBuffers result;
  result.capacity = capacity;
  result.indices = static_cast<std::uint32_t*>(arena.take(rows * sizeof(std::uint32_t)));
  result.labels = static_cast<std::int32_t*>(arena.take(rows * sizeof(std::int32_t)));
  result.predictions =
      static_cast<std::int32_t*>(arena.take(rows * sizeof(std::int32_t)));
  *buffers = result;
  return Status::success();
}

Status mnist_correct(const Compute& compute, const Mlp& mlp, MlpWorkspace& workspace,
                     const MnistSplit& split, EvalBuffers& buffers, int* correct) {
  if (mlp_inputs(mlp.spec) != kMnistPixels || mlp_outputs(mlp.spec) < kMnistClasses) {
    return Status::error("mnist accuracy: the model has %d inputs and %d outputs; "
                         "expected %d inputs and at least %d outputs",
                         mlp_inputs(mlp.spec), mlp_outputs(mlp.spec), kMnistPixels,
                         kMnistClasses);
  }
  const int batch = workspace.capacity < buffers.capacity ? workspace.capacity
                                                          : buffers.capacity;
  int hits = 0;
  for (int first = 0; first < split.count; first += batch) {
    const int rows = split.count - first < batch ? split.count - first : batch;
    for (int r = 0; r < rows; ++r) buffers.indices[r] = static_cast<std::uint32_t>(first + r);
    const Status status = mnist_gather(compute, split, buffers.indices, rows,
                                       mlp_input(workspace, rows).data, buffers.labels);
    if (!status) return status;
    Status pass = mlp_forward(compute, mlp, workspace, rows);
    if (pass) {
      pass = argmax_rows(mlp_logits(workspace, rows), buffers.predictions,
                         Columns{0, kMnistClasses});
    }
    if (!pass) return pass;
    for (int r = 0; r < rows; ++r) hits += buffers.predictions[r] == buffers.labels[r];
  }
  *correct = hits;
  return Status::success();
}

}  // namespace subliminal
