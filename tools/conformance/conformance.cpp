#include "conformance/conformance.h"

#include <cstring>

#include "tacit/hash.h"
#include "tacit/init.h"
#include "tacit/mlp.h"
#include "tacit/rng.h"
#include "tacit/train.h"

namespace tacit_tools {

using namespace tacit;

namespace {

// 7 "digit" classes and 6 auxiliary logits; widths and batch chosen to hit
// partial vector tiles in every product.
constexpr int kWidths[] = {61, 47, 33, 13};
constexpr int kClasses = 7;
constexpr int kBatch = 19;
constexpr int kBatches = 4;  // the data set cycles through this many batches
constexpr std::uint32_t kInputStream = 1000;
constexpr std::uint32_t kLabelStream = 1001;
constexpr std::uint32_t kNoiseStream = 1002;

constexpr int kMixedWidths[] = {61, 47, 33, 29, 13};
constexpr Activation kMixedActivations[] = {Activation::tanh, Activation::gelu,
                                            Activation::sigmoid};

MlpSpec conformance_spec() {
  MlpSpec spec;
  mlp_spec(kWidths, 4, &spec);
  return spec;
}

MlpSpec mixed_spec() {
  MlpSpec spec;
  mlp_spec_activations(kMixedWidths, 5, kMixedActivations, &spec);
  return spec;
}

AdamConfig conformance_adam() {
  AdamConfig adam;
  adam.lr = 1e-2;
  return adam;
}

// x (kBatch, inputs) = batch `batch_index` (cycling) of the stream.
void fill_batch(std::uint64_t seed, std::uint32_t stream, int batch_index, Matrix x) {
  const auto size = static_cast<std::size_t>(x.rows) * x.cols;
  random_fill_uniform_pm1(seed, stream, static_cast<std::uint64_t>(batch_index % kBatches) * size,
                          size, x.data);
}

std::size_t run_bytes(const MlpSpec& spec) {
  return 2 * mlp_bytes(spec) + train_state_bytes(spec, kBatch) +
         mlp_workspace_bytes(spec, kBatch) +
         arena_block_bytes(sizeof(std::int32_t) * kBatch);
}

Status run(const Compute& compute, const ConformanceConfig& config, const MlpSpec& spec,
           const char* query, Arena& arena, ConformanceResult* result) {
  if (config.steps < 1) {
    return Status::error("conformance: steps is %d; expected >= 1", config.steps);
  }
  if (arena.remaining() < run_bytes(spec)) {
    return Status::error("conformance: arena has %zu bytes left; the run needs %zu "
                         "(%s)", arena.remaining(), run_bytes(spec), query);
  }
  Mlp teacher, student;
  TrainState state;
  MlpWorkspace teacher_ws;
  Status status = mlp_create(spec, arena, &teacher);
  if (status) status = mlp_create(spec, arena, &student);
  if (status) status = train_state_create(spec, kBatch, conformance_adam(), arena, &state);
  if (status) status = mlp_workspace_create(spec, kBatch, arena, &teacher_ws);
  if (!status) return status;
  auto* labels = static_cast<std::int32_t*>(arena.take(sizeof(std::int32_t) * kBatch));

  mlp_init(teacher, Init::normal_fan_in, config.seed);
  mlp_copy_params(teacher, student);

  ConformanceResult out;
  out.steps = config.steps;
  for (int step = 0; step < config.steps; ++step) {
    fill_batch(config.seed, kInputStream, step, mlp_input(state.workspace, kBatch));
    for (int r = 0; r < kBatch; ++r) {
      const auto index = static_cast<std::uint64_t>(step % kBatches) * kBatch + r;
      labels[r] = static_cast<std::int32_t>(random_u32(config.seed, kLabelStream, index) %
                                            kClasses);
    }
    float loss = 0.0f;
    const Status status =
        train_step_cross_entropy(compute, teacher, state, kBatch, labels, &loss,
                                 Columns{0, kClasses});
    if (!status) return status;
    if (step == 0) out.teacher_first_loss = loss;
    out.teacher_last_loss = loss;
  }

  adam_reset(state.adam);
  for (int step = 0; step < config.steps; ++step) {
    // The teacher and the student see the same noise: generated once.
    const Matrix noise = mlp_input(teacher_ws, kBatch);
    fill_batch(config.seed, kNoiseStream, step, noise);
    Status status = mlp_forward(compute, teacher, teacher_ws, kBatch);
    float loss = 0.0f;
    if (status) {
      status = train_step_distill(compute, student, state, noise, mlp_logits(teacher_ws, kBatch),
                                  DistillLoss::kl, 1.0f, &loss,
                                  Columns{kClasses, mlp_outputs(spec)});
    }
    if (!status) return status;
    if (step == 0) out.student_first_loss = loss;
    out.student_last_loss = loss;
  }
  out.hash = hash_floats(teacher.params, teacher.param_count);
  out.hash = hash_floats(student.params, student.param_count, out.hash);
  *result = out;
  return Status::success();
}

}  // namespace

std::size_t conformance_bytes(const ConformanceConfig&) {
  return run_bytes(conformance_spec());
}

Status conformance_run(const Compute& compute, const ConformanceConfig& config,
                       Arena& arena, ConformanceResult* result) {
  return run(compute, config, conformance_spec(), "conformance_bytes", arena, result);
}

std::size_t conformance_mixed_bytes(const ConformanceConfig&) {
  return run_bytes(mixed_spec());
}

Status conformance_mixed_run(const Compute& compute, const ConformanceConfig& config,
                             Arena& arena, ConformanceResult* result) {
  return run(compute, config, mixed_spec(), "conformance_mixed_bytes", arena, result);
}

}  // namespace tacit_tools
