// The short path: a model with what it needs to train and to predict, in
// one block of the caller's memory sized by one query. Everything here is
// built from the rest of the API (mlp.h, train.h, infer.h) and gives the
// same bits as those calls; use them for what this does not cover.
//
//   TrainerConfig config;                         // Adam, cross-entropy
//   mlp_spec({2, 16, 3}, &config.spec);
//   std::vector<unsigned char> memory(trainer_bytes(config));
//   Trainer trainer;
//   trainer_create(config, memory.data(), memory.size(), &trainer);
//   trainer_step_labels(trainer, x, labels, rows);   // as often as needed
//   model_predict(trainer.model, x, rows, Output::probabilities, out);
//   model_save(trainer.model, "model.tacit");
//
// Inputs are read where they are: x is rows × inputs floats, row-major.
// Every call checks its arguments before it changes anything and reports a
// bad one as a Status.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tacit/infer.h"
#include "tacit/init.h"
#include "tacit/train.h"
#include "tacit/version.h"

namespace tacit {

enum class Loss {
  cross_entropy,  // against labels: trainer_step_labels
  squared_error,  // against target values: trainer_step_targets
  kl_divergence,  // against a teacher's logits at config.temperature: trainer_step_targets
};
const char* loss_name(Loss loss);

enum class Output { logits, probabilities };

// ---- a model that predicts ---------------------------------------------------

struct Model {
  Mlp mlp;                   // what the lower-level calls take
  InferWorkspace workspace;  // up to workspace.capacity rows per call
  Compute compute;
  // Where model_save and model_load build and check a checkpoint
  // (checkpoint_bytes(mlp.spec)); absent in builds without files.
  unsigned char* file = nullptr;
  std::size_t file_bytes = 0;
};

// Bytes of a buffer (of any alignment) for model_create: the model, its
// inference workspace and, in builds with files, one checkpoint's bytes.
std::size_t model_bytes(const MlpSpec& spec, int rows);
// Parameters zeroed: initialize (mlp_init) or load them.
Status model_create(const MlpSpec& spec, int rows, void* memory, std::size_t bytes,
                    Model* model, const Compute& compute = Compute{});

// out (rows, outputs) = the logits of x (rows, inputs), or their softmax.
Status model_predict(Model& model, const float* x, int rows, Output output, float* out);

#if TACIT_HAS_FILES  // tacit/version.h: declared only where built
// checkpoint_save / checkpoint_load through the model's own buffer.
Status model_save(const Model& model, const char* path);
Status model_load(Model& model, const char* path);
// model_create for the spec of the checkpoint at path (checkpoint_file_spec
// reads it; size memory with model_bytes of that spec), then model_load.
Status model_load(const char* path, int rows, void* memory, std::size_t bytes, Model* model,
                  const Compute& compute = Compute{});
#endif

// ---- a model that trains -----------------------------------------------------

struct TrainerConfig {
  MlpSpec spec;    // from mlp_spec
  int batch = 32;  // the most rows one step or one prediction takes
  Optimizer optimizer = Optimizer::adam;
  double lr = 1e-3;
  double momentum = 0.0;                         // sgd
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // adam
  Loss loss = Loss::cross_entropy;
  float temperature = 1.0f;  // kl_divergence only
  Columns columns;           // the logits the loss reads: every one by default
  Init init = Init::torch_default;
  std::uint64_t seed = 0;
  Compute compute;  // the best ISA here, on the calling thread
};

struct Trainer {
  TrainerConfig config;
  Model model;
  TrainState state;
};

// The checks trainer_create makes of a config before it looks at memory.
Status trainer_config_check(const TrainerConfig& config);
// Bytes of a buffer (of any alignment) for trainer_create, for a config
// that trainer_config_check accepts.
std::size_t trainer_bytes(const TrainerConfig& config);
// The model initialized by config.init and config.seed, and its optimizer.
Status trainer_create(const TrainerConfig& config, void* memory, std::size_t bytes,
                      Trainer* trainer);

// One step on x (rows, inputs) against labels (rows) in [0, the columns'
// width): the loss must be cross_entropy.
Status trainer_step_labels(Trainer& trainer, const float* x, const std::int32_t* labels,
                           int rows, float* loss = nullptr);
// One step on x against targets (rows, outputs): target values for
// squared_error, a teacher's logits for kl_divergence.
Status trainer_step_targets(Trainer& trainer, const float* x, const float* targets,
                            int rows, float* loss = nullptr);

}  // namespace tacit
