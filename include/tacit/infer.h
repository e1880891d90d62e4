// Inference from weights that stay where they are: read-only arrays in flash
// (a header from export.h or tools/tacit-export) or a trained Mlp's packed copy. Only the
// hidden activations need writable memory: two ping-pong buffers of the
// widest hidden layer, sized by infer_workspace_bytes (whatever the
// activations: each is applied in place). mlp_infer gives the
// same bits as mlp_forward on the same weights, in every ISA.
#pragma once

#include <cstddef>

#include "tacit/arena.h"
#include "tacit/gemm.h"
#include "tacit/mlp.h"
#include "tacit/status.h"

namespace tacit {

struct MlpView {
  MlpSpec spec;
  // Layer l: Wᵀ (widths[l], widths[l + 1]) row-major, and b (widths[l + 1]).
  const float* weights_t[kMaxLayers] = {};
  const float* biases[kMaxLayers] = {};
};

// A view of a model in memory (its packed weights); valid while mlp is.
MlpView mlp_view(const Mlp& mlp);
// A view of arrays laid out as above, e.g. tacit-export's; checks the widths
// (as mlp_spec) and that no pointer is null. Every hidden layer is ReLU.
Status mlp_view_create(const int* widths, int count, const float* const* weights_t,
                       const float* const* biases, MlpView* view);
// The same with hidden layer l's activation given by its code (Activation:
// 0 relu, 1 tanh, 2 sigmoid, 3 gelu) in activations[l], l < count - 2 (null:
// all ReLU); an unknown code is refused.
Status mlp_view_create(const int* widths, int count, const int* activations,
                       const float* const* weights_t, const float* const* biases,
                       MlpView* view);

struct InferWorkspace {
  MlpSpec spec;
  int capacity = 0;         // rows
  float* hidden[2] = {};    // (capacity, widest hidden layer) each
};

std::size_t infer_workspace_bytes(const MlpSpec& spec, int capacity);
Status infer_workspace_create(const MlpSpec& spec, int capacity, Arena& arena,
                              InferWorkspace* workspace);

// x (rows, inputs), logits (rows, outputs), 1 <= rows <= workspace.capacity;
// other shapes, and a workspace too narrow for the model's hidden layers,
// are refused before anything is written. Allocates nothing; with
// compute.pool == nullptr it runs on the calling thread.
Status mlp_infer(const Compute& compute, const MlpView& model, InferWorkspace& workspace,
                 ConstMatrix x, Matrix logits);

}  // namespace tacit
