#include "tacit/train.h"

namespace tacit {

std::size_t train_state_bytes(const MlpSpec& spec, int capacity) {
  const std::size_t params = mlp_param_count(spec);
  return mlp_workspace_bytes(spec, capacity) + arena_floats_bytes(params) +
         adam_bytes(params);
}

Status train_state_create(const MlpSpec& spec, int capacity, const AdamConfig& adam,
                          Arena& arena, TrainState* state) {
  const std::size_t needed = train_state_bytes(spec, capacity);
  if (arena.remaining() < needed) {
    return Status::error("train state: arena has %zu bytes left; a batch of %d "
                         "needs %zu (train_state_bytes)", arena.remaining(),
                         capacity, needed);
  }
  TrainState result;
  Status status = mlp_workspace_create(spec, capacity, arena, &result.workspace);
  if (!status) return status;
  result.grads = arena.take_floats(mlp_param_count(spec));
  status = adam_create(adam, mlp_param_count(spec), arena, &result.adam);
  if (!status) return status;
  *state = result;
  return Status::success();
}

namespace {

void backward_and_update(const Compute& compute, Mlp& mlp, TrainState& state,
                         int batch) {
  mlp_backward(compute, mlp, state.workspace, batch, state.grads);
  adam_step(compute, state.adam, mlp.params, state.grads);
  mlp_pack(compute, mlp);
}

}  // namespace

float train_step_cross_entropy(const Compute& compute, Mlp& mlp, TrainState& state,
                               int batch, const std::int32_t* labels, int lo, int hi) {
  mlp_forward(compute, mlp, state.workspace, batch);
  const float loss = softmax_cross_entropy(mlp_logits(state.workspace, batch), lo, hi,
                                           labels, mlp_logits_grad(state.workspace, batch));
  backward_and_update(compute, mlp, state, batch);
  return loss;
}

float train_step_distill(const Compute& compute, Mlp& mlp, TrainState& state,
                         int batch, ConstMatrix teacher_logits, int lo, int hi,
                         DistillLoss loss, float temperature) {
  mlp_forward(compute, mlp, state.workspace, batch);
  const ConstMatrix student = mlp_logits(state.workspace, batch);
  const Matrix grad = mlp_logits_grad(state.workspace, batch);
  const float value = loss == DistillLoss::kl
                          ? kl_divergence(teacher_logits, student, lo, hi, temperature, grad)
                          : squared_error(teacher_logits, student, lo, hi, grad);
  backward_and_update(compute, mlp, state, batch);
  return value;
}

}  // namespace tacit
