// One training step = forward, loss, backward, optimizer step, repack. The
// state a trainer needs for a batch size comes from one size query.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tacit/loss.h"
#include "tacit/mlp.h"
#include "tacit/optimizer.h"

namespace tacit {

struct TrainState {
  MlpWorkspace workspace;
  float* grads = nullptr;  // the parameters' layout
  Adam adam;
};

// Workspace for `capacity` rows + gradients + Adam moments.
std::size_t train_state_bytes(const MlpSpec& spec, int capacity);
Status train_state_create(const MlpSpec& spec, int capacity, const AdamConfig& adam,
                          Arena& arena, TrainState* state);

enum class DistillLoss { kl, squared_error };

// Each step reads its batch from mlp_input(state.workspace, batch) and
// returns the batch's mean loss before the update.

// Cross-entropy of logit columns [lo, hi) against labels in [0, hi - lo).
float train_step_cross_entropy(const Compute& compute, Mlp& mlp, TrainState& state,
                               int batch, const std::int32_t* labels, int lo, int hi);

// Imitation of teacher logits (batch, outputs) over columns [lo, hi).
float train_step_distill(const Compute& compute, Mlp& mlp, TrainState& state,
                         int batch, ConstMatrix teacher_logits, int lo, int hi,
                         DistillLoss loss, float temperature);

}  // namespace tacit
