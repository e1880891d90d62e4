#include "tacit/infer.h"

#include "arena_internal.h"
#include "tacit/layers.h"

namespace tacit {

namespace {

std::size_t hidden_floats(const MlpSpec& spec, int capacity) {
  return static_cast<std::size_t>(capacity) * static_cast<std::size_t>(mlp_max_hidden_width(spec));
}

}  // namespace

MlpView mlp_view(const Mlp& mlp) {
  MlpView view;
  view.spec = mlp.spec;
  for (int l = 0; l < mlp.spec.layers; ++l) {
    view.weights_t[l] = mlp_packed_weight(mlp, l).data;
    view.biases[l] = mlp_bias(mlp, l);
  }
  return view;
}

Status mlp_view_create(const int* widths, int count, const float* const* weights_t,
                       const float* const* biases, MlpView* view) {
  return mlp_view_create(widths, count, nullptr, weights_t, biases, view);
}

Status mlp_view_create(const int* widths, int count, const int* activations,
                       const float* const* weights_t, const float* const* biases,
                       MlpView* view) {
  MlpView result;
  Status status = mlp_spec(widths, count, &result.spec);
  if (!status.ok()) return status;
  for (int l = 0; activations != nullptr && l + 1 < result.spec.layers; ++l) {
    Activation a;
    status = activation_from_code(activations[l], &a);
    if (!status.ok()) return Status::error("mlp view: activations[%d]: %s", l, status.message());
    result.spec.activation[l] = a;
  }
  for (int l = 0; l < result.spec.layers; ++l) {
    if (weights_t == nullptr || weights_t[l] == nullptr) {
      return Status::error("mlp view: weights_t[%d]: expected an array of %d x %d floats, "
                           "found null", l, widths[l], widths[l + 1]);
    }
    if (biases == nullptr || biases[l] == nullptr) {
      return Status::error("mlp view: biases[%d]: expected an array of %d floats, found "
                           "null", l, widths[l + 1]);
    }
    result.weights_t[l] = weights_t[l];
    result.biases[l] = biases[l];
  }
  *view = result;
  return Status::success();
}

std::size_t infer_workspace_bytes(const MlpSpec& spec, int capacity) {
  return 2 * arena_floats_bytes(hidden_floats(spec, capacity));
}

Status infer_workspace_create(const MlpSpec& spec, int capacity, Arena& arena,
                              InferWorkspace* workspace) {
  if (capacity < 1) {
    return Status::error("infer workspace: capacity: expected >= 1 rows, found %d",
                         capacity);
  }
  if (capacity > mlp_max_batch(spec)) {
    return Status::error("infer workspace: capacity: expected at most %d rows, found %d",
                         mlp_max_batch(spec), capacity);
  }
  const std::size_t needed = infer_workspace_bytes(spec, capacity);
  if (arena.remaining() < needed) {
    return arena_too_small("infer workspace", arena, needed, "infer_workspace_bytes");
  }
  InferWorkspace result;
  result.spec = spec;
  result.capacity = capacity;
  for (float*& buffer : result.hidden) buffer = arena.take_floats(hidden_floats(spec, capacity));
  *workspace = result;
  return Status::success();
}

Status mlp_infer(const Compute& compute, const MlpView& model, InferWorkspace& ws,
                 ConstMatrix x, Matrix logits) {
  const MlpSpec& spec = model.spec;
  const int rows = x.rows;
  if (spec.layers < 1) return Status::error("mlp_infer: the model view is empty");
  if (mlp_max_hidden_width(spec) > mlp_max_hidden_width(ws.spec)) {
    return Status::error("mlp_infer: the workspace holds hidden layers of up to %d; the "
                         "model's widest is %d (infer_workspace_bytes sizes one for it)",
                         mlp_max_hidden_width(ws.spec), mlp_max_hidden_width(spec));
  }
  if (rows < 1 || rows > ws.capacity) {
    return Status::error("mlp_infer: %d rows; the workspace holds 1 to %d "
                         "(infer_workspace_bytes sizes a larger one)", rows, ws.capacity);
  }
  if (x.data == nullptr || logits.data == nullptr) {
    return Status::error("mlp_infer: %s is null", x.data == nullptr ? "x" : "logits");
  }
  if (x.cols != mlp_inputs(spec) || x.stride < x.cols) {
    return Status::error("mlp_infer: x has %d columns (stride %d); the model takes %d "
                         "inputs", x.cols, x.stride, mlp_inputs(spec));
  }
  if (logits.rows != rows || logits.cols != mlp_outputs(spec) || logits.stride < logits.cols) {
    return Status::error("mlp_infer: logits are %dx%d (stride %d); expected %dx%d", logits.rows,
                         logits.cols, logits.stride, rows, mlp_outputs(spec));
  }
  ConstMatrix in = x;
  for (int l = 0; l < spec.layers; ++l) {
    const int out_width = spec.widths[l + 1];
    const bool last = l + 1 == spec.layers;
    const Matrix out = last ? logits : matrix(ws.hidden[l % 2], rows, out_width);
    const ConstMatrix wt = const_matrix(model.weights_t[l], spec.widths[l], out_width);
    if (last) {
      dense_forward(compute, in, wt, model.biases[l], out, false);
    } else {  // as mlp_forward, the activation in place
      dense_forward(compute, in, wt, model.biases[l], mlp_activation(spec, l), out, out);
    }
    in = out;
  }
  return Status::success();
}

}  // namespace tacit
