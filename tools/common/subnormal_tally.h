// Counting the subnormal floats a training step leaves in memory: the
// determinism contract keeps IEEE subnormals (no flush to zero), so whether
// they arise, and where, decides whether any remedy is worth having.
// tacit-bench --subnormals counts them on generated data, tacit-repro
// --count-subnormals over the reproduction's own training.
#pragma once

#include "common/json.h"
#include "tacit/mlp.h"
#include "tacit/train.h"

namespace tacit_tools {

struct SubnormalTally {
  long long steps = 0;
  long long checked = 0;  // values looked at
  long long activations = 0;  // every layer's output (not the input batch)
  long long logit_grads = 0;
  long long deltas = 0;   // input gradients of layers 1 and 2 (what the two
                          // buffers hold after the step; deeper ones are
                          // overwritten on the way)
  long long grads = 0;
  long long moments = 0;  // Adam's m and v
  long long params = 0;   // after the update

  long long found() const {
    return activations + logit_grads + deltas + grads + moments + params;
  }
};

// Adds what the step just taken by train_step_* on `rows` rows left behind.
void tally_subnormals(const tacit::Mlp& mlp, const tacit::TrainState& state, int rows,
                      SubnormalTally* tally);

// The tally's members (steps, checked, found, then the count per kind) into
// the JSON object being written: tacit-repro's and tacit-bench's --json.
void write_tally_members(JsonWriter& json, const SubnormalTally& tally);

}  // namespace tacit_tools
