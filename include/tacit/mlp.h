// A multilayer perceptron of any depth: dense layers with an activation
// after each hidden one (ReLU unless set otherwise: activation.h) and none
// after the last (its outputs are logits).
//
// Memory: an Mlp is parameters plus their packed copy; an MlpWorkspace is
// the activations and gradient buffers for a batch of up to `capacity` rows.
// Both come from an Arena after a size query (mlp_bytes,
// mlp_workspace_bytes); forward and backward never allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "tacit/activation.h"
#include "tacit/arena.h"
#include "tacit/gemm.h"
#include "tacit/status.h"

namespace tacit {

constexpr int kMaxLayers = 8;
constexpr int kMlpMaxWidth = 1 << 20;
// Parameters are indexed and sized in size_t on every target, 32-bit
// firmware included: a spec past this is refused rather than wrapped.
constexpr unsigned long kMlpMaxParams = 1ul << 28;

// widths[0] inputs, widths[layers] outputs, e.g. {784, 256, 256, 13}.
// activation[l] follows hidden layer l (l < layers - 1); the entries from
// layers - 1 on stay relu and are never read (the last layer has none).
struct MlpSpec {
  int layers = 0;
  int widths[kMaxLayers + 1] = {};
  Activation activation[kMaxLayers] = {};
};

// Checks 1..kMaxLayers layers, every width in [1, kMlpMaxWidth] and at most
// kMlpMaxParams parameters. Every hidden layer gets ReLU.
Status mlp_spec(const int* widths, int count, MlpSpec* spec);
// The same from a list: mlp_spec({2, 16, 16, 2}, &spec).
inline Status mlp_spec(std::initializer_list<int> widths, MlpSpec* spec) {
  return mlp_spec(widths.begin(), static_cast<int>(widths.size()), spec);
}
// The same with hidden layer l's activation activations[l], for the
// count - 2 hidden layers (null: all ReLU, as mlp_spec).
Status mlp_spec_activations(const int* widths, int count, const Activation* activations,
                            MlpSpec* spec);
// Whether a spec (made by hand, or changed after mlp_spec) passes every
// check mlp_spec makes; each create function asks the same.
Status mlp_spec_check(const MlpSpec& spec);
// Sets hidden layer `layer`'s activation; refuses the output layer, a layer
// out of range and an unknown code.
Status mlp_spec_set_activation(MlpSpec* spec, int layer, Activation a);
// Hidden layer l's activation (relu for any other l).
Activation mlp_activation(const MlpSpec& spec, int layer);
// Whether every hidden layer is ReLU (the version-1 checkpoint's models).
bool mlp_all_relu(const MlpSpec& spec);
// Whether two specs have the same widths and hidden activations.
bool mlp_spec_equal(const MlpSpec& a, const MlpSpec& b);
// "784-256-256-13", with each hidden layer's activation after its width
// ("4-16(tanh)-3") unless all are ReLU; truncated to capacity bytes.
void mlp_spec_text(const MlpSpec& spec, char* out, std::size_t capacity);
int mlp_inputs(const MlpSpec& spec);
int mlp_outputs(const MlpSpec& spec);
// The widest hidden layer (0 for a model without one): what backward's
// delta buffers and inference's activation buffers hold.
int mlp_max_hidden_width(const MlpSpec& spec);
// The largest batch a workspace may hold: every buffer stays within
// kMlpMaxParams floats, so its size never wraps a 32-bit size_t.
int mlp_max_batch(const MlpSpec& spec);

// Parameters are one flat float array in PyTorch's order and layout:
// layer 0's W (out, in) then b (out), then layer 1's, and so on.
std::size_t mlp_param_count(const MlpSpec& spec);
std::size_t mlp_weight_offset(const MlpSpec& spec, int layer);
std::size_t mlp_bias_offset(const MlpSpec& spec, int layer);

struct Mlp {
  MlpSpec spec;
  std::size_t param_count = 0;
  float* params = nullptr;  // the model: what optimizers update and hashes cover
  float* packed = nullptr;  // per layer Wᵀ (in, out), derived by mlp_pack
};

std::size_t mlp_bytes(const MlpSpec& spec);
// The parameters are zeroed; initialize them (init.h) or load them.
Status mlp_create(const MlpSpec& spec, Arena& arena, Mlp* mlp);
// Refreshes the packed weights from params: call after params change.
// A pure copy: the ISA and threads of compute change its speed only.
void mlp_pack(const Compute& compute, Mlp& mlp);
// The same on the best ISA this CPU has, one thread.
void mlp_pack(Mlp& mlp);
void mlp_copy_params(const Mlp& from, Mlp& to);  // same spec; packs `to`

ConstMatrix mlp_weight(const Mlp& mlp, int layer);         // (out, in)
ConstMatrix mlp_packed_weight(const Mlp& mlp, int layer);  // (in, out)
const float* mlp_bias(const Mlp& mlp, int layer);          // (out)

struct MlpWorkspace {
  MlpSpec spec;
  int capacity = 0;  // batch rows
  // activations[0] is the input (capacity, widths[0]); activations[l + 1]
  // is layer l's output (after its activation for hidden layers, logits for
  // the last).
  float* activations[kMaxLayers + 1] = {};
  // pre_activation[l] (capacity, widths[l + 1]) is hidden layer l's output
  // before its activation, kept for backward where the activation needs it
  // (activation_backward_needs_input: GELU); null for every other layer.
  float* pre_activation[kMaxLayers] = {};
  float* logits_grad = nullptr;  // (capacity, outputs), written by a loss
  float* delta[2] = {};          // (capacity, max hidden width) ping-pong
};

std::size_t mlp_workspace_bytes(const MlpSpec& spec, int capacity);
Status mlp_workspace_create(const MlpSpec& spec, int capacity, Arena& arena,
                            MlpWorkspace* workspace);

// Views of the first `batch` rows.
Matrix mlp_input(const MlpWorkspace& workspace, int batch);
Matrix mlp_logits(const MlpWorkspace& workspace, int batch);
Matrix mlp_logits_grad(const MlpWorkspace& workspace, int batch);

// Reads mlp_input, fills every activation up to mlp_logits. Refuses a batch
// outside [1, workspace.capacity] and a workspace made for another spec.
Status mlp_forward(const Compute& compute, const Mlp& mlp, MlpWorkspace& workspace,
                   int batch);
// The same reading x (batch, inputs) where it is, not mlp_input: x must stay
// unchanged until the backward pass that follows, which takes it again.
Status mlp_forward(const Compute& compute, const Mlp& mlp, MlpWorkspace& workspace,
                   ConstMatrix x);
// Reads the activations of the last forward and mlp_logits_grad; writes the
// gradient of every parameter into grads (param_count floats, params' layout).
Status mlp_backward(const Compute& compute, const Mlp& mlp, MlpWorkspace& workspace,
                    int batch, float* grads);
// After mlp_forward(compute, mlp, workspace, x), with the same x.
Status mlp_backward(const Compute& compute, const Mlp& mlp, MlpWorkspace& workspace,
                    ConstMatrix x, float* grads);

// out[r] = the argmax over the columns of row r, counted from columns.lo;
// ties go to the lowest column.
Status argmax_rows(ConstMatrix logits, std::int32_t* out, Columns columns = {});

}  // namespace tacit
