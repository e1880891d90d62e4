#include "tacit/mlp.h"

#include <cstdio>
#include <cstring>

#include "arena_internal.h"
#include "kernels/transpose_kernels.h"
#include "layers_internal.h"
#include "profile_internal.h"
#include "shape_check.h"
#include "tacit/layers.h"

namespace tacit {

namespace {

std::size_t floats(long rows, long cols) {
  return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
}

int out_width(const MlpSpec& spec, int layer) { return spec.widths[layer + 1]; }
int in_width(const MlpSpec& spec, int layer) { return spec.widths[layer]; }

// Whether hidden layer l keeps its pre-activation for backward.
bool keeps_pre_activation(const MlpSpec& spec, int layer) {
  return layer + 1 < spec.layers &&
         activation_backward_needs_input(spec.activation[layer]);
}

Status check_activations(const MlpSpec& spec, const char* what) {
  for (int l = 0; l + 1 < spec.layers; ++l) {
    if (static_cast<unsigned>(spec.activation[l]) >= static_cast<unsigned>(kActivationCount)) {
      return Status::error("%s: spec's activation[%d] is code %u; expected relu, tanh, "
                           "sigmoid or gelu (mlp_spec_set_activation)", what, l,
                           static_cast<unsigned>(spec.activation[l]));
    }
  }
  return Status::success();
}

}  // namespace

Status mlp_spec(const int* widths, int count, MlpSpec* spec) {
  if (count < 2 || count > kMaxLayers + 1) {
    return Status::error("mlp spec: %d widths given; expected 2 to %d (inputs, "
                         "hidden..., outputs)", count, kMaxLayers + 1);
  }
  MlpSpec result;
  result.layers = count - 1;
  for (int i = 0; i < count; ++i) {
    if (widths[i] < 1 || widths[i] > kMlpMaxWidth) {
      return Status::error("mlp spec: width %d is %d; expected 1 to %d", i,
                           widths[i], kMlpMaxWidth);
    }
    result.widths[i] = widths[i];
  }
  // In 64 bits, so that a 32-bit size_t can never wrap the count.
  unsigned long long params = 0;
  for (int l = 0; l + 1 < count; ++l)
    params += (static_cast<unsigned long long>(widths[l]) + 1) *
              static_cast<unsigned long long>(widths[l + 1]);
  if (params > kMlpMaxParams) {
    return Status::error("mlp spec: %llu parameters; expected at most %lu", params,
                         kMlpMaxParams);
  }
  *spec = result;
  return Status::success();
}

Status mlp_spec_activations(const int* widths, int count, const Activation* activations,
                            MlpSpec* spec) {
  MlpSpec result;
  Status status = mlp_spec(widths, count, &result);
  if (!status) return status;
  for (int l = 0; activations != nullptr && l + 1 < result.layers; ++l) {
    status = mlp_spec_set_activation(&result, l, activations[l]);
    if (!status) return status;
  }
  *spec = result;
  return Status::success();
}

Status mlp_spec_set_activation(MlpSpec* spec, int layer, Activation a) {
  if (layer < 0 || layer + 1 >= spec->layers) {
    return Status::error("mlp spec: activation of layer %d: expected a hidden layer, 0 "
                         "to %d (the last layer, %d, has none)", layer, spec->layers - 2,
                         spec->layers - 1);
  }
  if (static_cast<unsigned>(a) >= static_cast<unsigned>(kActivationCount)) {
    return Status::error("mlp spec: activation of layer %d: expected relu, tanh, sigmoid "
                         "or gelu, found code %u", layer, static_cast<unsigned>(a));
  }
  spec->activation[layer] = a;
  return Status::success();
}

Activation mlp_activation(const MlpSpec& spec, int layer) {
  return layer >= 0 && layer + 1 < spec.layers ? spec.activation[layer] : Activation::relu;
}

bool mlp_all_relu(const MlpSpec& spec) {
  for (int l = 0; l + 1 < spec.layers; ++l)
    if (spec.activation[l] != Activation::relu) return false;
  return true;
}

bool mlp_spec_equal(const MlpSpec& a, const MlpSpec& b) {
  if (a.layers != b.layers) return false;
  for (int i = 0; i <= a.layers; ++i)
    if (a.widths[i] != b.widths[i]) return false;
  for (int l = 0; l + 1 < a.layers; ++l)
    if (a.activation[l] != b.activation[l]) return false;
  return true;
}

int mlp_inputs(const MlpSpec& spec) { return spec.widths[0]; }
int mlp_outputs(const MlpSpec& spec) { return spec.widths[spec.layers]; }
int mlp_max_hidden_width(const MlpSpec& spec) {
  int widest = 0;
  for (int i = 1; i < spec.layers; ++i)
    widest = spec.widths[i] > widest ? spec.widths[i] : widest;
  return widest;
}

int mlp_max_batch(const MlpSpec& spec) {
  int widest = 1;
  for (int i = 0; i <= spec.layers; ++i)
    widest = spec.widths[i] > widest ? spec.widths[i] : widest;
  return static_cast<int>(kMlpMaxParams / static_cast<unsigned long>(widest));
}

std::size_t mlp_weight_offset(const MlpSpec& spec, int layer) {
  std::size_t offset = 0;
  for (int l = 0; l < layer; ++l)
    offset += floats(out_width(spec, l), in_width(spec, l)) + out_width(spec, l);
  return offset;
}

std::size_t mlp_bias_offset(const MlpSpec& spec, int layer) {
  return mlp_weight_offset(spec, layer) +
         floats(out_width(spec, layer), in_width(spec, layer));
}

std::size_t mlp_param_count(const MlpSpec& spec) {
  return mlp_weight_offset(spec, spec.layers);
}

std::size_t mlp_bytes(const MlpSpec& spec) {
  return 2 * arena_floats_bytes(mlp_param_count(spec));
}

Status mlp_spec_check(const MlpSpec& spec) {
  if (spec.layers < 1 || spec.layers > kMaxLayers) {
    return Status::error("spec has %d layers; expected 1 to %d (make it with mlp_spec)",
                         spec.layers, kMaxLayers);
  }
  const Status activations = check_activations(spec, "spec");
  if (!activations) return activations;
  // What mlp_spec checks, on the spec as it is now.
  MlpSpec rebuilt;
  return mlp_spec_activations(spec.widths, spec.layers + 1, spec.activation, &rebuilt);
}

Status mlp_create(const MlpSpec& spec, Arena& arena, Mlp* mlp) {
  if (spec.layers < 1 || spec.layers > kMaxLayers) {
    return Status::error("mlp: spec has %d layers; create it with mlp_spec()",
                         spec.layers);
  }
  const Status activations = check_activations(spec, "mlp");
  if (!activations) return activations;
  const Status checked = mlp_spec_check(spec);  // widths and the parameter limit
  if (!checked) return Status::error("mlp: %s", checked.message());
  if (arena.remaining() < mlp_bytes(spec)) {
    return arena_too_small("mlp", arena, mlp_bytes(spec), "mlp_bytes");
  }
  Mlp result;
  result.spec = spec;
  result.param_count = mlp_param_count(spec);
  result.params = arena.take_floats(result.param_count);
  result.packed = arena.take_floats(result.param_count);
  std::memset(result.params, 0, result.param_count * sizeof(float));
  mlp_pack(result);
  *mlp = result;
  return Status::success();
}

ConstMatrix mlp_weight(const Mlp& mlp, int layer) {
  return const_matrix(mlp.params + mlp_weight_offset(mlp.spec, layer),
                      out_width(mlp.spec, layer), in_width(mlp.spec, layer));
}

ConstMatrix mlp_packed_weight(const Mlp& mlp, int layer) {
  // The packed copy shares the params' offsets; its bias slots are unused.
  return const_matrix(mlp.packed + mlp_weight_offset(mlp.spec, layer),
                      in_width(mlp.spec, layer), out_width(mlp.spec, layer));
}

const float* mlp_bias(const Mlp& mlp, int layer) {
  return mlp.params + mlp_bias_offset(mlp.spec, layer);
}

namespace {

// Below this many parameters a second thread costs more than it saves.
constexpr std::size_t kMinParallelPack = 1 << 15;

struct PackSplit {
  kernels::TransposeKernel kernel;
  Mlp* mlp;
  int parts;
};

// Part `part` of every layer: a range of W's rows on 16-row boundaries (the
// SIMD kernel's pairs of blocks, a cache line of Wᵀ); each part writes its
// own columns of Wᵀ.
void run_pack_part(void* context, int part) {
  const auto& split = *static_cast<const PackSplit*>(context);
  Mlp& mlp = *split.mlp;
  for (int l = 0; l < mlp.spec.layers; ++l) {
    const int rows = out_width(mlp.spec, l);
    const int grains = (rows + 15) / 16;
    const int begin = grains * part / split.parts * 16;
    int end = grains * (part + 1) / split.parts * 16;
    end = end < rows ? end : rows;
    if (begin >= end) continue;
    const kernels::TransposeProblem problem{mlp.params + mlp_weight_offset(mlp.spec, l),
                                            rows, in_width(mlp.spec, l),
                                            in_width(mlp.spec, l),
                                            mlp.packed + mlp_weight_offset(mlp.spec, l),
                                            rows};
    split.kernel(problem, begin, end);
  }
}

}  // namespace

void mlp_pack(const Compute& compute, Mlp& mlp) {
  const ProfileScope scope(compute, Work::pack);
  PackSplit split{kernels::transpose_kernel_for(static_cast<int>(compute.isa)), &mlp, 1};
  if (compute.pool != nullptr && compute.pool->size() > 1 &&
      mlp.param_count >= kMinParallelPack) {
    split.parts = compute.pool->size();
    compute.pool->run(split.parts, run_pack_part, &split);
  } else {
    run_pack_part(&split, 0);
  }
}

void mlp_pack(Mlp& mlp) { mlp_pack(Compute{isa_best(), nullptr}, mlp); }

void mlp_copy_params(const Mlp& from, Mlp& to) {
  std::memcpy(to.params, from.params, from.param_count * sizeof(float));
  mlp_pack(to);
}

std::size_t mlp_workspace_bytes(const MlpSpec& spec, int capacity) {
  std::size_t bytes = 0;
  for (int i = 0; i <= spec.layers; ++i)
    bytes += arena_floats_bytes(floats(capacity, spec.widths[i]));
  bytes += arena_floats_bytes(floats(capacity, mlp_outputs(spec)));
  bytes += 2 * arena_floats_bytes(floats(capacity, mlp_max_hidden_width(spec)));
  for (int l = 0; l < spec.layers; ++l)
    if (keeps_pre_activation(spec, l)) bytes += arena_floats_bytes(floats(capacity, out_width(spec, l)));
  return bytes;
}

Status mlp_workspace_create(const MlpSpec& spec, int capacity, Arena& arena,
                            MlpWorkspace* workspace) {
  if (capacity < 1 || capacity > mlp_max_batch(spec)) {
    return Status::error("mlp workspace: batch capacity is %d; expected 1 to %d",
                         capacity, mlp_max_batch(spec));
  }
  const Status activations = check_activations(spec, "mlp workspace");
  if (!activations) return activations;
  const std::size_t needed = mlp_workspace_bytes(spec, capacity);
  if (arena.remaining() < needed) {
    return arena_too_small("mlp workspace", arena, needed, "mlp_workspace_bytes");
  }
  MlpWorkspace result;
  result.spec = spec;
  result.capacity = capacity;
  for (int i = 0; i <= spec.layers; ++i)
    result.activations[i] = arena.take_floats(floats(capacity, spec.widths[i]));
  result.logits_grad = arena.take_floats(floats(capacity, mlp_outputs(spec)));
  for (float*& delta : result.delta)
    delta = arena.take_floats(floats(capacity, mlp_max_hidden_width(spec)));
  for (int l = 0; l < spec.layers; ++l)
    if (keeps_pre_activation(spec, l))
      result.pre_activation[l] = arena.take_floats(floats(capacity, out_width(spec, l)));
  *workspace = result;
  return Status::success();
}

Matrix mlp_input(const MlpWorkspace& ws, int batch) {
  return matrix(ws.activations[0], batch, mlp_inputs(ws.spec));
}

Matrix mlp_logits(const MlpWorkspace& ws, int batch) {
  return matrix(ws.activations[ws.spec.layers], batch, mlp_outputs(ws.spec));
}

Matrix mlp_logits_grad(const MlpWorkspace& ws, int batch) {
  return matrix(ws.logits_grad, batch, mlp_outputs(ws.spec));
}

void mlp_spec_text(const MlpSpec& spec, char* out, std::size_t capacity) {
  if (out == nullptr || capacity == 0) return;
  if (spec.layers < 1 || spec.layers > kMaxLayers) {
    std::snprintf(out, capacity, "(a spec of %d layers)", spec.layers);
    return;
  }
  std::size_t used = 0;
  out[0] = '\0';
  const bool all_relu = mlp_all_relu(spec);
  for (int i = 0; i <= spec.layers && used < capacity; ++i) {
    const int n = std::snprintf(out + used, capacity - used, i == 0 ? "%d" : "-%d",
                                spec.widths[i]);
    if (n < 0) break;
    used += static_cast<std::size_t>(n);
    if (all_relu || i == 0 || i == spec.layers || used >= capacity) continue;
    const int m = std::snprintf(out + used, capacity - used, "(%s)",
                                activation_name(spec.activation[i - 1]));
    if (m < 0) break;
    used += static_cast<std::size_t>(m);
  }
}

namespace {

// What forward and backward check before they touch memory: a few integer
// compares per call, nothing in the loops.
Status check_pass(const char* pass, const Mlp& mlp, const MlpWorkspace& ws, int batch) {
  if (!mlp_spec_equal(mlp.spec, ws.spec)) {
    char model[64], workspace[64];
    mlp_spec_text(mlp.spec, model, sizeof model);
    mlp_spec_text(ws.spec, workspace, sizeof workspace);
    return Status::error("%s: the workspace was made for a %s model; this one is %s", pass,
                         workspace, model);
  }
  if (batch < 1 || batch > ws.capacity) {
    return Status::error("%s: batch of %d rows; the workspace holds 1 to %d "
                         "(mlp_workspace_bytes sizes a larger one)", pass, batch,
                         ws.capacity);
  }
  return Status::success();
}

Status check_input(const char* pass, const Mlp& mlp, ConstMatrix x) {
  if (x.data == nullptr) return Status::error("%s: x is null", pass);
  if (x.cols != mlp_inputs(mlp.spec) || x.stride < x.cols) {
    return Status::error("%s: x has %d columns (stride %d); the model takes %d inputs",
                         pass, x.cols, x.stride, mlp_inputs(mlp.spec));
  }
  return Status::success();
}

void forward(const Compute& compute, const Mlp& mlp, MlpWorkspace& ws, ConstMatrix input) {
  const MlpSpec& spec = mlp.spec;
  const int batch = input.rows;
  ConstMatrix x = input;
  for (int l = 0; l < spec.layers; ++l) {
    const Matrix y = matrix(ws.activations[l + 1], batch, out_width(spec, l));
    if (l + 1 == spec.layers) {  // the logits: no activation
      dense_forward(compute, x, mlp_packed_weight(mlp, l), mlp_bias(mlp, l), y, false);
      break;
    }
    // The pre-activation is kept where backward needs it, else y holds it.
    const Matrix z = ws.pre_activation[l] != nullptr
                         ? matrix(ws.pre_activation[l], batch, out_width(spec, l))
                         : y;
    dense_forward(compute, x, mlp_packed_weight(mlp, l), mlp_bias(mlp, l),
                  mlp_activation(spec, l), z, y);
    x = y;
  }
}

void backward(const Compute& compute, const Mlp& mlp, MlpWorkspace& ws, ConstMatrix input,
              float* grads) {
  const MlpSpec& spec = mlp.spec;
  const int batch = input.rows;
  const float* dy = ws.logits_grad;
  int next_delta = 0;
  bool bias_summed = false;  // the pass that wrote dy also wrote layer l's db
  for (int l = spec.layers - 1; l >= 0; --l) {
    const ConstMatrix dy_view = const_matrix(dy, batch, out_width(spec, l));
    const ConstMatrix x =
        l == 0 ? input : const_matrix(ws.activations[l], batch, in_width(spec, l));
    const Matrix dw =
        matrix(grads + mlp_weight_offset(spec, l), out_width(spec, l), in_width(spec, l));
    if (bias_summed) {
      const ProfileScope scope(compute, Work::weight_gradient,
                               product_flops(dw.rows, dw.cols, batch));
      (void)gemm(compute, dy_view, true, x, nullptr, dw);
    } else {
      dense_backward_params(compute, dy_view, x, dw, grads + mlp_bias_offset(spec, l));
    }
    if (l == 0) break;  // nobody needs the gradient of the input
    const Matrix dx = matrix(ws.delta[next_delta], batch, in_width(spec, l));
    dense_backward_input(compute, dy_view, mlp_weight(mlp, l), dx);
    // x is hidden layer l - 1's output, after its activation.
    const Activation activation = mlp_activation(spec, l - 1);
    if (activation == Activation::relu) {
      relu_backward_column_sums(compute, x, dx, grads + mlp_bias_offset(spec, l - 1));
      bias_summed = true;
    } else {
      const float* z = ws.pre_activation[l - 1];
      activation_backward(compute, activation, x,
                          z != nullptr ? const_matrix(z, batch, in_width(spec, l)) : x, dx);
      bias_summed = false;
    }
    dy = dx.data;
    next_delta = 1 - next_delta;
  }
}

}  // namespace

Status mlp_forward(const Compute& compute, const Mlp& mlp, MlpWorkspace& ws, int batch) {
  const Status status = check_pass("mlp_forward", mlp, ws, batch);
  if (status) forward(compute, mlp, ws, mlp_input(ws, batch));
  return status;
}

Status mlp_forward(const Compute& compute, const Mlp& mlp, MlpWorkspace& ws, ConstMatrix x) {
  Status status = check_pass("mlp_forward", mlp, ws, x.rows);
  if (status) status = check_input("mlp_forward", mlp, x);
  if (status) forward(compute, mlp, ws, x);
  return status;
}

Status mlp_backward(const Compute& compute, const Mlp& mlp, MlpWorkspace& ws, int batch,
                    float* grads) {
  Status status = check_pass("mlp_backward", mlp, ws, batch);
  if (status && grads == nullptr) status = Status::error("mlp_backward: grads are null");
  if (status) backward(compute, mlp, ws, mlp_input(ws, batch), grads);
  return status;
}

Status mlp_backward(const Compute& compute, const Mlp& mlp, MlpWorkspace& ws, ConstMatrix x,
                    float* grads) {
  Status status = check_pass("mlp_backward", mlp, ws, x.rows);
  if (status) status = check_input("mlp_backward", mlp, x);
  if (status && grads == nullptr) status = Status::error("mlp_backward: grads are null");
  if (status) backward(compute, mlp, ws, x, grads);
  return status;
}

Status argmax_rows(ConstMatrix logits, std::int32_t* out, Columns columns) {
  const int hi = columns.hi < 0 ? logits.cols : columns.hi;
  const int lo = columns.lo;
  if (lo < 0 || lo >= hi || hi > logits.cols) {
    return Status::error("argmax_rows: columns [%d, %d) of %d-column logits: expected "
                         "0 <= lo < hi <= %d", lo, hi, logits.cols, logits.cols);
  }
  const Status shape = shape_check::view("argmax_rows", "logits", logits, -1, -1);
  if (!shape) return shape;
  if (out == nullptr) return Status::error("argmax_rows: out is null");
  for (int r = 0; r < logits.rows; ++r) {
    const float* row = logits.row(r);
    int best = lo;
    for (int j = lo + 1; j < hi; ++j)
      if (row[j] > row[best]) best = j;
    out[r] = best - lo;
  }
  return Status::success();
}

}  // namespace tacit
