#include "common/subnormal_tally.h"

#include <cmath>

namespace tacit_tools {

namespace {

long long count_subnormal(const float* p, std::size_t n) {
  long long c = 0;
  for (std::size_t i = 0; i < n; ++i) c += std::fpclassify(p[i]) == FP_SUBNORMAL;
  return c;
}

}  // namespace

void tally_subnormals(const tacit::Mlp& mlp, const tacit::TrainState& state, int rows,
                      SubnormalTally* tally) {
  const tacit::MlpSpec& spec = mlp.spec;
  const tacit::MlpWorkspace& ws = state.workspace;
  const auto b = static_cast<std::size_t>(rows);
  std::size_t checked = 0;
  for (int l = 1; l <= spec.layers; ++l) {
    const std::size_t n = b * static_cast<std::size_t>(spec.widths[l]);
    tally->activations += count_subnormal(ws.activations[l], n);
    checked += n;
  }
  const std::size_t logits = b * static_cast<std::size_t>(tacit::mlp_outputs(spec));
  tally->logit_grads += count_subnormal(ws.logits_grad, logits);
  checked += logits;
  // mlp_backward writes layer l's input gradient to delta[(layers - 1 - l) % 2],
  // last layer first, so after the step the two buffers hold those of
  // layers 1 and 2 (deeper layers' were overwritten on the way).
  for (int l = 1; l <= 2 && l < spec.layers; ++l) {
    const std::size_t n = b * static_cast<std::size_t>(spec.widths[l]);
    tally->deltas += count_subnormal(ws.delta[(spec.layers - 1 - l) % 2], n);
    checked += n;
  }
  const std::size_t params = mlp.param_count;
  tally->grads += count_subnormal(state.grads, params);
  tally->moments += count_subnormal(state.adam.m, params) + count_subnormal(state.adam.v, params);
  tally->params += count_subnormal(mlp.params, params);
  checked += 4 * params;
  tally->checked += static_cast<long long>(checked);
  ++tally->steps;
}

void write_tally_members(JsonWriter& json, const SubnormalTally& t) {
  json.key("steps"); json.integer(t.steps);
  json.key("checked"); json.integer(t.checked);
  json.key("found"); json.integer(t.found());
  json.key("activations"); json.integer(t.activations);
  json.key("logit_grads"); json.integer(t.logit_grads);
  json.key("deltas"); json.integer(t.deltas);
  json.key("grads"); json.integer(t.grads);
  json.key("moments"); json.integer(t.moments);
  json.key("params"); json.integer(t.params);
}

}  // namespace tacit_tools
