#include "subliminal/experiment.h"
#include "tacit/rng.h"

namespace subliminal {

using namespace tacit;

Status train_teacher_epoch(const Compute& compute, Mlp& teacher, TrainState& state,
                           const MnistSplit& train, std::uint64_t seed, int epoch,
                           int batch, std::uint32_t* order, std::int32_t* labels,
                           const TeacherStepHook* hook, double* mean_loss) {
  if (batch < 1 || batch > state.workspace.capacity) {
    return Status::error("teacher: batch is %d; expected 1 to the training state's %d rows",
                         batch, state.workspace.capacity);
  }
  shuffle_order(seed, kTeacherShuffleStream, static_cast<std::uint64_t>(epoch),
                static_cast<std::uint32_t>(train.count), order);
  double loss_sum = 0.0;
  long steps = 0;
  for (int first = 0; first < train.count; first += batch) {
    const int rows = train.count - first < batch ? train.count - first : batch;
    Status status = mnist_gather(compute, train, order + first, rows,
                                 mlp_input(state.workspace, rows).data, labels);
    float loss = 0.0f;
    if (status) {
      status = train_step_cross_entropy(compute, teacher, state, rows, labels, &loss,
                                        Columns{0, kMnistClasses});
    }
    if (!status) return status;
    loss_sum += loss;
    ++steps;
    if (hook != nullptr && hook->after_step != nullptr) {
      hook->after_step(hook->context, rows, loss);
    }
  }
  *mean_loss = steps > 0 ? loss_sum / static_cast<double>(steps) : 0.0;
  return Status::success();
}

}  // namespace subliminal
