/* tacit's C API: the short path of tacit/trainer.h for C (C99 and later)
 * and for C++, in one header. Each call converts its arguments and calls
 * the C++ function of the same name, so it gives the same bits.
 *
 *   tacit_trainer_config config = tacit_trainer_config_default();
 *   static const int widths[] = {2, 16, 3};
 *   config.widths = widths, config.count = 3;
 *   void* memory = malloc(tacit_trainer_bytes(&config));
 *   tacit_trainer* trainer;
 *   tacit_status s = tacit_trainer_create(&config, memory,
 *                                         tacit_trainer_bytes(&config), &trainer);
 *   if (s.code == 0) s = tacit_trainer_step_labels(trainer, x, labels, rows, NULL);
 *   if (s.code != 0) fprintf(stderr, "%s\n", tacit_status_message(s));
 *
 * Memory: a handle (tacit_trainer, tacit_model, tacit_pool) lives inside the
 * block of caller memory it was created in, of any alignment and at least
 * the bytes its size query gives; nothing else is allocated, except by a
 * pool: its threads and their scratch for products (tacit/threads.h).
 * Trainers and models need no destroy call: free or reuse their block when
 * done (the objects in it are trivially destructible). A pool runs threads
 * and must be destroyed (tacit_pool_destroy) after the last call that uses
 * it; it serves one caller at a time.
 *
 * Arrays are row-major: x is rows × inputs floats, out rows × outputs.
 * A call checks its arguments before it changes anything.
 *
 * Link: pkg-config --cflags --libs tacit (docs/EMBEDDING.md, "From C").
 */
#ifndef TACIT_C_API_H
#define TACIT_C_API_H

#include <stddef.h>
#include <stdint.h>

#include "tacit/version.h" /* TACIT_VERSION_*, TACIT_HAS_FILES, TACIT_HAS_THREADS */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------- */

/* What can fail returns a tacit_status: code 0 is success, any other code an
 * error (today always TACIT_ERROR; test code != 0). */
enum { TACIT_OK = 0, TACIT_ERROR = 1 };
typedef struct tacit_status {
  int code;
  void* detail_[2]; /* the C++ tacit::Status; read it through tacit_status_message */
} tacit_status;

/* "ok" for success; else the error's text, which names the call, the argument
 * and the value found. The call named is the C++ one a tacit_ function
 * converts for (trainer_step_labels for tacit_trainer_step_labels), or the
 * tacit_ function itself for what it checks on its own (null handles, the
 * size of memory). As in C++ (tacit/status.h) the text is kept per
 * thread: read it on the thread that got the status, before 4 more errors
 * are made there (after that it says the text was replaced). */
const char* tacit_status_message(tacit_status status);

/* TACIT_VERSION_STRING of the library linked in. */
const char* tacit_version_string(void);

/* ---- codes -------------------------------------------------------------- */

enum { TACIT_MAX_LAYERS = 8 }; /* count of widths is 2 to TACIT_MAX_LAYERS + 1 */
/* Activation of a hidden layer; the codes checkpoints store. */
enum { TACIT_RELU = 0, TACIT_TANH = 1, TACIT_SIGMOID = 2, TACIT_GELU = 3 };
enum { TACIT_ADAM = 0, TACIT_SGD = 1 };
/* cross-entropy takes labels (tacit_trainer_step_labels); squared error
 * target values and KL a teacher's logits (tacit_trainer_step_targets). */
enum { TACIT_CROSS_ENTROPY = 0, TACIT_SQUARED_ERROR = 1, TACIT_KL_DIVERGENCE = 2 };
/* W ~ N(0, 1/fan_in), b = 0; or PyTorch's nn.Linear default. */
enum { TACIT_INIT_NORMAL_FAN_IN = 0, TACIT_INIT_TORCH_DEFAULT = 1 };
enum { TACIT_LOGITS = 0, TACIT_PROBABILITIES = 1 };
/* Instruction sets; every one gives the same bits. TACIT_ISA_DEFAULT is the
 * best this CPU has (or the environment's TACIT_ISA); an ISA this build or
 * CPU lacks runs the portable code. */
enum { TACIT_ISA_DEFAULT = -1, TACIT_ISA_PORTABLE = 0, TACIT_ISA_AVX2 = 1,
       TACIT_ISA_AVX512 = 2, TACIT_ISA_NEON = 3 };

/* ---- threads ------------------------------------------------------------ */

/* A pool of `threads` threads (1 to TACIT_MAX_THREADS), the caller's
 * included (tacit/threads.h). With TACIT_HAS_THREADS 0 every pool runs on
 * the calling thread. Creating one starts its threads and allocates their
 * scratch for products (tacit/threads.h); a system that cannot start them
 * all gets an error, not a smaller pool. tacit_pool_destroy joins them. */
enum { TACIT_MAX_THREADS = 1024 };
typedef struct tacit_pool tacit_pool;
size_t tacit_pool_bytes(void);
tacit_status tacit_pool_create(int threads, void* memory, size_t bytes, tacit_pool** out);
void tacit_pool_destroy(tacit_pool* pool); /* null: nothing */

/* Where a model computes: the ISA and a pool (null: the calling thread only).
 * The pool must outlive every trainer and model that uses it. */
typedef struct tacit_compute {
  int isa; /* TACIT_ISA_* */
  tacit_pool* pool;
} tacit_compute;

/* ---- a model that predicts ---------------------------------------------- */

typedef struct tacit_model tacit_model;

/* A model of count widths (inputs, hidden..., outputs) whose hidden layer l
 * has activation activations[l] (count - 2 codes; null: all TACIT_RELU),
 * predicting up to `rows` rows per call. 0 when the widths, activations or
 * rows are refused (tacit_model_create says why). */
size_t tacit_model_bytes(const int* widths, int count, const int* activations, int rows);
/* Parameters zeroed: initialize (tacit_model_init) or read them
 * (tacit_model_read). compute null: TACIT_ISA_DEFAULT, no pool. */
tacit_status tacit_model_create(const int* widths, int count, const int* activations,
                                int rows, const tacit_compute* compute, void* memory,
                                size_t bytes, tacit_model** out);
/* Fills the parameters from init (TACIT_INIT_*) and seed. */
tacit_status tacit_model_init(tacit_model* model, int init, uint64_t seed);

/* out (rows, outputs) = the logits of x (rows, inputs), or their softmax
 * (TACIT_LOGITS, TACIT_PROBABILITIES). */
tacit_status tacit_model_predict(tacit_model* model, const float* x, int rows, int output,
                                 float* out);

int tacit_model_inputs(const tacit_model* model);
int tacit_model_outputs(const tacit_model* model);
/* The parameters in PyTorch's order: layer 0's W (out, in) then b (out),
 * then layer 1's, and so on (tacit/mlp.h). */
size_t tacit_model_param_count(const tacit_model* model);
const float* tacit_model_params(const tacit_model* model);

/* ---- checkpoints in memory (docs/FORMAT.md) ----------------------------- */

/* The exact size of the model's checkpoint. */
size_t tacit_checkpoint_bytes(const tacit_model* model);
tacit_status tacit_checkpoint_write(const tacit_model* model, unsigned char* out,
                                    size_t capacity);
/* Copies the parameters of the checkpoint (size bytes) into model, whose
 * widths and activations it must have; on failure model is unchanged. */
tacit_status tacit_model_read(tacit_model* model, const unsigned char* checkpoint,
                              size_t size);
/* *bytes = tacit_model_bytes of the checkpoint's widths and activations. */
tacit_status tacit_checkpoint_model_bytes(const unsigned char* checkpoint, size_t size,
                                          int rows, size_t* bytes);
/* tacit_model_create for the checkpoint's widths and activations, then
 * tacit_model_read. */
tacit_status tacit_checkpoint_read(const unsigned char* checkpoint, size_t size, int rows,
                                   const tacit_compute* compute, void* memory, size_t bytes,
                                   tacit_model** out);

/* ---- export: the model as a C header (tacit/export.h) ------------------- */

/* Writes the header tacit-export writes, through write(context, bytes,
 * size), which returns nonzero when it took the bytes. name is the symbol
 * prefix (NULL: "tacit_model"); a bad name or a parameter that is not
 * finite is refused before anything is written. */
tacit_status tacit_model_export(const tacit_model* model, const char* name,
                                int (*write)(void* context, const char* bytes, size_t size),
                                void* context);

#if TACIT_HAS_FILES /* tacit/version.h: declared only where built */
/* The same into the file at path, replaced whole or not at all. */
tacit_status tacit_model_export_file(const tacit_model* model, const char* name,
                                     const char* path);

/* ---- checkpoint files --------------------------------------------------- */

/* Replaces the file at path whole or not at all (tacit/checkpoint.h). */
tacit_status tacit_model_save(const tacit_model* model, const char* path);
/* *bytes = tacit_model_bytes of the widths and activations of the file at path. */
tacit_status tacit_model_file_bytes(const char* path, int rows, size_t* bytes);
/* tacit_model_create for the file's widths and activations, then its
 * parameters. */
tacit_status tacit_model_load(const char* path, int rows, const tacit_compute* compute,
                              void* memory, size_t bytes, tacit_model** out);
#endif

/* ---- a model that trains ------------------------------------------------ */

typedef struct tacit_trainer tacit_trainer;

typedef struct tacit_trainer_config {
  const int* widths;      /* count widths: inputs, hidden..., outputs */
  int count;
  const int* activations; /* count - 2 TACIT_RELU...; null: all TACIT_RELU */
  int batch;              /* the most rows one step or one prediction takes */
  int optimizer;          /* TACIT_ADAM, TACIT_SGD */
  double lr;
  double momentum;        /* TACIT_SGD */
  double beta1, beta2, eps; /* TACIT_ADAM */
  int loss;               /* TACIT_CROSS_ENTROPY, TACIT_SQUARED_ERROR, TACIT_KL_DIVERGENCE */
  float temperature;      /* TACIT_KL_DIVERGENCE */
  int columns_lo, columns_hi; /* the logits the loss reads, [lo, hi); hi -1: to the last */
  int init;               /* TACIT_INIT_* */
  uint64_t seed;
  tacit_compute compute;
} tacit_trainer_config;

/* tacit::TrainerConfig's defaults: batch 32, Adam (lr 1e-3, 0.9, 0.999,
 * 1e-8), cross-entropy over every output, PyTorch's init, seed 0,
 * TACIT_ISA_DEFAULT without a pool; widths null. */
tacit_trainer_config tacit_trainer_config_default(void);

/* 0 when the widths, activations or batch are refused (tacit_trainer_create
 * says why). */
size_t tacit_trainer_bytes(const tacit_trainer_config* config);
/* The model initialized by config->init and config->seed, and its optimizer.
 * The config is copied; its arrays are not kept. */
tacit_status tacit_trainer_create(const tacit_trainer_config* config, void* memory,
                                  size_t bytes, tacit_trainer** out);

/* One step on x (rows, inputs) against labels (rows) in [0, the columns'
 * width); the loss must be TACIT_CROSS_ENTROPY. loss: the batch's mean loss
 * before the update (null: not wanted). */
tacit_status tacit_trainer_step_labels(tacit_trainer* trainer, const float* x,
                                       const int32_t* labels, int rows, float* loss);
/* One step on x against targets (rows, outputs): target values for
 * TACIT_SQUARED_ERROR, a teacher's logits for TACIT_KL_DIVERGENCE. */
tacit_status tacit_trainer_step_targets(tacit_trainer* trainer, const float* x,
                                        const float* targets, int rows, float* loss);

/* The trainer's model, for every tacit_model_* and tacit_checkpoint_* call;
 * it lives in the trainer's memory. */
tacit_model* tacit_trainer_model(tacit_trainer* trainer);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TACIT_C_API_H */
