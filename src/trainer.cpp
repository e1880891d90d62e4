#include "tacit/trainer.h"

#include <cmath>

#include "tacit/checkpoint.h"

namespace tacit {

const char* loss_name(Loss loss) {
  switch (loss) {
    case Loss::cross_entropy: return "cross_entropy";
    case Loss::squared_error: return "squared_error";
    case Loss::kl_divergence: return "kl_divergence";
  }
  return "unknown";
}

namespace {

// The checkpoint buffer exists only where files do.
std::size_t file_buffer_bytes(const MlpSpec& spec) {
  return TACIT_HAS_FILES ? arena_block_bytes(checkpoint_bytes(spec)) : 0;
}

// Size queries read widths[0..layers]: a spec with a layer count out of
// range (made by hand) sizes to 0, and create refuses it with the reason.
bool layers_in_range(const MlpSpec& spec) { return spec.layers >= 1 && spec.layers <= kMaxLayers; }

std::size_t model_arena_bytes(const MlpSpec& spec, int rows) {
  if (!layers_in_range(spec)) return 0;
  return mlp_bytes(spec) + infer_workspace_bytes(spec, rows) + file_buffer_bytes(spec);
}

Status check_memory(const char* what, void* memory, std::size_t bytes, std::size_t needed,
                    const char* size_query) {
  if (memory == nullptr || bytes < needed) {
    return Status::error("%s: memory of %zu bytes; expected at least %zu (%s)", what,
                         memory == nullptr ? std::size_t{0} : bytes, needed, size_query);
  }
  return Status::success();
}

Status create_model(const MlpSpec& spec, int rows, const Compute& compute, Arena& arena,
                    Model* model) {
  Model result;
  result.compute = compute;
  Status status = mlp_create(spec, arena, &result.mlp);
  if (status) status = infer_workspace_create(spec, rows, arena, &result.workspace);
  if (!status) return status;
  if (TACIT_HAS_FILES) {
    result.file_bytes = checkpoint_bytes(spec);
    result.file = static_cast<unsigned char*>(arena.take(result.file_bytes));
  }
  *model = result;
  return status;
}

Status check_rows(const char* call, int rows, int capacity, const void* x, const void* out,
                  const char* out_name) {
  if (rows < 1 || rows > capacity) {
    return Status::error("%s: %d rows; this one takes 1 to %d (the rows it was created "
                         "for)", call, rows, capacity);
  }
  if (x == nullptr) return Status::error("%s: x is null", call);
  if (out == nullptr) return Status::error("%s: %s is null", call, out_name);
  return Status::success();
}

}  // namespace

std::size_t model_bytes(const MlpSpec& spec, int rows) {
  if (!layers_in_range(spec)) return 0;
  return arena_buffer_bytes(model_arena_bytes(spec, rows));
}

Status model_create(const MlpSpec& spec, int rows, void* memory, std::size_t bytes,
                    Model* model, const Compute& compute) {
  const Status checked = mlp_spec_check(spec);
  if (!checked) return Status::error("model: %s", checked.message());
  if (rows < 1 || rows > mlp_max_batch(spec)) {
    return Status::error("model: rows: expected 1 to %d, found %d", mlp_max_batch(spec), rows);
  }
  Status status = check_memory("model", memory, bytes, model_bytes(spec, rows), "model_bytes");
  if (!status) return status;
  Arena arena(memory, bytes);
  return create_model(spec, rows, compute, arena, model);
}

Status model_predict(Model& model, const float* x, int rows, Output output, float* out) {
  const char* call = "model_predict";
  Status status = check_rows(call, rows, model.workspace.capacity, x, out, "out");
  if (status && output != Output::logits && output != Output::probabilities) {
    status = Status::error("%s: output: unknown code %d", call, static_cast<int>(output));
  }
  if (!status) return status;
  const Matrix logits = matrix(out, rows, mlp_outputs(model.mlp.spec));
  status = mlp_infer(model.compute, mlp_view(model.mlp), model.workspace,
                     const_matrix(x, rows, mlp_inputs(model.mlp.spec)), logits);
  if (status && output == Output::probabilities) status = softmax_rows(logits, logits);
  return status;
}

Status trainer_config_check(const TrainerConfig& c) {
  const MlpSpec& spec = c.spec;
  if (spec.layers < 1) {
    return Status::error("trainer: config.spec has no layers; set it with mlp_spec");
  }
  const Status checked = mlp_spec_check(spec);
  if (!checked) return Status::error("trainer: config.spec: %s", checked.message());
  if (c.batch < 1 || c.batch > mlp_max_batch(spec)) {
    return Status::error("trainer: batch: expected 1 to %d rows, found %d",
                         mlp_max_batch(spec), c.batch);
  }
  if (c.optimizer != Optimizer::adam && c.optimizer != Optimizer::sgd) {
    return Status::error("trainer: optimizer: unknown code %d", static_cast<int>(c.optimizer));
  }
  if (c.loss != Loss::cross_entropy && c.loss != Loss::squared_error &&
      c.loss != Loss::kl_divergence) {
    return Status::error("trainer: loss: unknown code %d", static_cast<int>(c.loss));
  }
  if (c.loss == Loss::kl_divergence && (!(c.temperature > 0.0f) || !std::isfinite(c.temperature))) {
    return Status::error("trainer: temperature: expected a finite value > 0, found %g",
                         static_cast<double>(c.temperature));
  }
  const int outputs = mlp_outputs(spec);
  const int hi = c.columns.hi < 0 ? outputs : c.columns.hi;
  if (c.columns.lo < 0 || c.columns.lo >= hi || hi > outputs) {
    return Status::error("trainer: columns [%d, %d) of %d outputs: expected 0 <= lo < hi <= "
                         "%d (Columns{} is every output)", c.columns.lo, hi, outputs, outputs);
  }
  if (c.init != Init::torch_default && c.init != Init::normal_fan_in) {
    return Status::error("trainer: init: unknown code %d", static_cast<int>(c.init));
  }
  return Status::success();
}

std::size_t trainer_bytes(const TrainerConfig& config) {
  if (!layers_in_range(config.spec)) return 0;
  return arena_buffer_bytes(model_arena_bytes(config.spec, config.batch) +
                            train_state_bytes(config.spec, config.batch, config.optimizer));
}

Status trainer_create(const TrainerConfig& config, void* memory, std::size_t bytes,
                      Trainer* trainer) {
  const MlpSpec& spec = config.spec;
  Status status = trainer_config_check(config);
  if (status) {
    status = check_memory("trainer", memory, bytes, trainer_bytes(config), "trainer_bytes");
  }
  if (!status) return status;
  Arena arena(memory, bytes);
  Trainer result;
  result.config = config;
  status = create_model(spec, config.batch, config.compute, arena, &result.model);
  if (status) {
    if (config.optimizer == Optimizer::adam) {
      AdamConfig adam;
      adam.lr = config.lr;
      adam.beta1 = config.beta1;
      adam.beta2 = config.beta2;
      adam.eps = config.eps;
      status = train_state_create(spec, config.batch, adam, arena, &result.state);
    } else {
      status = train_state_create(spec, config.batch, SgdConfig{config.lr, config.momentum},
                                  arena, &result.state);
    }
  }
  if (!status) return status;
  mlp_init(result.model.mlp, config.init, config.seed);
  *trainer = result;
  return Status::success();
}

Status trainer_step_labels(Trainer& trainer, const float* x, const std::int32_t* labels,
                           int rows, float* loss) {
  const char* call = "trainer_step_labels";
  const TrainerConfig& c = trainer.config;
  if (c.loss != Loss::cross_entropy) {
    return Status::error("%s: this trainer's loss is %s, which takes targets "
                         "(trainer_step_targets)", call, loss_name(c.loss));
  }
  const Status status = check_rows(call, rows, c.batch, x, labels, "labels");
  if (!status) return status;
  Mlp& mlp = trainer.model.mlp;
  return train_step_cross_entropy(c.compute, mlp, trainer.state,
                                  const_matrix(x, rows, mlp_inputs(mlp.spec)), labels, loss,
                                  c.columns);
}

Status trainer_step_targets(Trainer& trainer, const float* x, const float* targets, int rows,
                            float* loss) {
  const char* call = "trainer_step_targets";
  const TrainerConfig& c = trainer.config;
  if (c.loss == Loss::cross_entropy) {
    return Status::error("%s: this trainer's loss is cross_entropy, which takes labels "
                         "(trainer_step_labels)", call);
  }
  const Status status = check_rows(call, rows, c.batch, x, targets, "targets");
  if (!status) return status;
  Mlp& mlp = trainer.model.mlp;
  const int outputs = mlp_outputs(mlp.spec);
  const bool kl = c.loss == Loss::kl_divergence;
  return train_step_distill(c.compute, mlp, trainer.state,
                            const_matrix(x, rows, mlp_inputs(mlp.spec)),
                            const_matrix(targets, rows, outputs),
                            kl ? DistillLoss::kl : DistillLoss::squared_error,
                            kl ? c.temperature : 1.0f, loss, c.columns);
}

#if TACIT_HAS_FILES

Status model_save(const Model& model, const char* path) {
  return checkpoint_save(path, model.mlp, model.file, model.file_bytes);
}

Status model_load(Model& model, const char* path) {
  return checkpoint_load(path, model.file, model.file_bytes, model.mlp);
}

Status model_load(const char* path, int rows, void* memory, std::size_t bytes, Model* model,
                  const Compute& compute) {
  MlpSpec spec;
  Status status = checkpoint_file_spec(path, &spec);
  Model result;
  if (status) status = model_create(spec, rows, memory, bytes, &result, compute);
  if (status) status = model_load(result, path);
  if (status) *model = result;
  return status;
}

#endif  // TACIT_HAS_FILES

}  // namespace tacit
