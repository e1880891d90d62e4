// One training step = forward, loss, backward, optimizer step, repack. The
// state a trainer needs for a batch size and an optimizer comes from one
// size query. (trainer.h wraps all of it, the model included, in one call.)
#pragma once

#include <cstddef>
#include <cstdint>

#include "tacit/loss.h"
#include "tacit/mlp.h"
#include "tacit/optimizer.h"

namespace tacit {

enum class Optimizer { adam, sgd };

struct TrainState {
  MlpWorkspace workspace;
  float* grads = nullptr;  // the parameters' layout
  Optimizer optimizer = Optimizer::adam;
  Adam adam;  // used when optimizer is adam
  Sgd sgd;    // used when optimizer is sgd
};

// Workspace for `capacity` rows + gradients + the optimizer's state.
std::size_t train_state_bytes(const MlpSpec& spec, int capacity,
                              Optimizer optimizer = Optimizer::adam);
Status train_state_create(const MlpSpec& spec, int capacity, const AdamConfig& adam,
                          Arena& arena, TrainState* state);
Status train_state_create(const MlpSpec& spec, int capacity, const SgdConfig& sgd,
                          Arena& arena, TrainState* state);

enum class DistillLoss { kl, squared_error };

// Each step reads its batch from mlp_input(state.workspace, batch), writes
// the batch's mean loss before the update into *loss (if not null), and
// checks its arguments (batch, shapes, labels, columns) before it changes
// anything: on an error the model and the optimizer are as they were.

// Cross-entropy of the logit columns against labels in [0, columns' width).
Status train_step_cross_entropy(const Compute& compute, Mlp& mlp, TrainState& state,
                                int batch, const std::int32_t* labels, float* loss,
                                Columns columns = {});

// Imitation of teacher logits (batch, outputs) over the columns, by KL at a
// temperature or by squared error (which has no temperature: pass 1).
Status train_step_distill(const Compute& compute, Mlp& mlp, TrainState& state,
                          int batch, ConstMatrix teacher_logits, DistillLoss kind,
                          float temperature, float* loss, Columns columns = {});

// The same two steps on the caller's batch x (rows, inputs) where it is,
// with no copy into the workspace.
Status train_step_cross_entropy(const Compute& compute, Mlp& mlp, TrainState& state,
                                ConstMatrix x, const std::int32_t* labels, float* loss,
                                Columns columns = {});
Status train_step_distill(const Compute& compute, Mlp& mlp, TrainState& state,
                          ConstMatrix x, ConstMatrix teacher_logits, DistillLoss kind,
                          float temperature, float* loss, Columns columns = {});

}  // namespace tacit
