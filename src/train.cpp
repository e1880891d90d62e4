#include "tacit/train.h"

#include "arena_internal.h"
#include "profile_internal.h"

namespace tacit {

std::size_t train_state_bytes(const MlpSpec& spec, int capacity, Optimizer optimizer) {
  const std::size_t params = mlp_param_count(spec);
  return mlp_workspace_bytes(spec, capacity) + arena_floats_bytes(params) +
         (optimizer == Optimizer::adam ? adam_bytes(params) : sgd_bytes(params));
}

namespace {

// The workspace and gradients, after the size check; the caller adds the
// optimizer.
Status create_common(const MlpSpec& spec, int capacity, Optimizer optimizer, Arena& arena,
                     TrainState* state) {
  const std::size_t needed = train_state_bytes(spec, capacity, optimizer);
  if (arena.remaining() < needed) {
    return arena_too_small("train state", arena, needed, "train_state_bytes");
  }
  Status status = mlp_workspace_create(spec, capacity, arena, &state->workspace);
  if (!status) return status;
  state->grads = arena.take_floats(mlp_param_count(spec));
  state->optimizer = optimizer;
  return Status::success();
}

// Everything after the loss: the loss has written mlp_logits_grad.
void backward_and_update(const Compute& compute, Mlp& mlp, TrainState& state, ConstMatrix x) {
  // Shapes were checked by the forward pass of this step.
  (void)mlp_backward(compute, mlp, state.workspace, x, state.grads);
  if (state.optimizer == Optimizer::adam) {
    adam_step(compute, state.adam, mlp.params, state.grads);
  } else {
    const ProfileScope scope(compute, Work::optimizer);
    sgd_step(state.sgd, mlp.params, state.grads);
  }
  mlp_pack(compute, mlp);
}

}  // namespace

Status train_state_create(const MlpSpec& spec, int capacity, const AdamConfig& adam,
                          Arena& arena, TrainState* state) {
  TrainState result;
  Status status = create_common(spec, capacity, Optimizer::adam, arena, &result);
  if (status) status = adam_create(adam, mlp_param_count(spec), arena, &result.adam);
  if (status) *state = result;
  return status;
}

Status train_state_create(const MlpSpec& spec, int capacity, const SgdConfig& sgd,
                          Arena& arena, TrainState* state) {
  TrainState result;
  Status status = create_common(spec, capacity, Optimizer::sgd, arena, &result);
  if (status) status = sgd_create(sgd, mlp_param_count(spec), arena, &result.sgd);
  if (status) *state = result;
  return status;
}

Status train_step_cross_entropy(const Compute& compute, Mlp& mlp, TrainState& state,
                                ConstMatrix x, const std::int32_t* labels, float* loss,
                                Columns columns) {
  Status status = mlp_forward(compute, mlp, state.workspace, x);
  if (status) {
    const ProfileScope scope(compute, Work::loss);
    status = softmax_cross_entropy(compute, mlp_logits(state.workspace, x.rows), labels,
                                   mlp_logits_grad(state.workspace, x.rows), loss, columns);
  }
  if (status) backward_and_update(compute, mlp, state, x);
  return status;
}

Status train_step_distill(const Compute& compute, Mlp& mlp, TrainState& state,
                          ConstMatrix x, ConstMatrix teacher_logits, DistillLoss kind,
                          float temperature, float* loss, Columns columns) {
  Status status = mlp_forward(compute, mlp, state.workspace, x);
  if (status) {
    const ProfileScope scope(compute, Work::loss);
    const ConstMatrix student = mlp_logits(state.workspace, x.rows);
    const Matrix grad = mlp_logits_grad(state.workspace, x.rows);
    status = kind == DistillLoss::kl
                 ? kl_divergence(compute, student, teacher_logits, temperature, grad, loss,
                                 columns)
                 : squared_error(compute, student, teacher_logits, grad, loss, columns);
  }
  if (status) backward_and_update(compute, mlp, state, x);
  return status;
}

// The workspace's own input rows, through the same steps.
Status train_step_cross_entropy(const Compute& compute, Mlp& mlp, TrainState& state,
                                int batch, const std::int32_t* labels, float* loss,
                                Columns columns) {
  return train_step_cross_entropy(compute, mlp, state, mlp_input(state.workspace, batch), labels,
                                  loss, columns);
}

Status train_step_distill(const Compute& compute, Mlp& mlp, TrainState& state, int batch,
                          ConstMatrix teacher_logits, DistillLoss kind, float temperature,
                          float* loss, Columns columns) {
  return train_step_distill(compute, mlp, state, mlp_input(state.workspace, batch), teacher_logits,
                            kind, temperature, loss, columns);
}

}  // namespace tacit
