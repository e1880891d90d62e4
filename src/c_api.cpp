// tacit/c_api.h: each call converts its C arguments and calls the C++
// short path (tacit/trainer.h), the one implementation.
#include "tacit/c_api.h"

#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>

#include "tacit/checkpoint.h"
#include "tacit/export.h"
#include "tacit/init.h"
#include "tacit/threads.h"
#include "tacit/trainer.h"

// A handle names the C++ object it stands for; both live in the caller's
// block, so neither needs a destructor.
struct tacit_model {
  tacit::Model* model;
};
struct tacit_trainer {
  tacit::Trainer trainer;
  tacit_model model;  // names trainer.model
};
struct tacit_pool {
  explicit tacit_pool(int threads) : pool(threads) {}
  tacit::ThreadPool pool;
};

namespace {

using namespace tacit;

// A standalone model: its handle, then the Model it names.
struct ModelBlock {
  tacit_model handle;
  Model model;
};

static_assert(std::is_trivially_destructible<ModelBlock>::value, "freeing the block is enough");
static_assert(std::is_trivially_destructible<tacit_trainer>::value, "freeing the block is enough");
static_assert(std::is_trivially_copyable<Status>::value &&
                  sizeof(Status) <= sizeof(tacit_status::detail_),
              "a Status travels inside a tacit_status");
static_assert(TACIT_MAX_LAYERS == kMaxLayers, "the C header's layer limit");
static_assert(TACIT_ADAM == static_cast<int>(Optimizer::adam) &&
                  TACIT_SGD == static_cast<int>(Optimizer::sgd),
              "optimizer codes");
static_assert(TACIT_CROSS_ENTROPY == static_cast<int>(Loss::cross_entropy) &&
                  TACIT_SQUARED_ERROR == static_cast<int>(Loss::squared_error) &&
                  TACIT_KL_DIVERGENCE == static_cast<int>(Loss::kl_divergence),
              "loss codes");
static_assert(TACIT_INIT_NORMAL_FAN_IN == static_cast<int>(Init::normal_fan_in) &&
                  TACIT_INIT_TORCH_DEFAULT == static_cast<int>(Init::torch_default),
              "init codes");
static_assert(TACIT_LOGITS == static_cast<int>(Output::logits) &&
                  TACIT_PROBABILITIES == static_cast<int>(Output::probabilities),
              "output codes");
static_assert(TACIT_ISA_PORTABLE == static_cast<int>(Isa::portable) &&
                  TACIT_ISA_AVX2 == static_cast<int>(Isa::avx2) &&
                  TACIT_ISA_AVX512 == static_cast<int>(Isa::avx512) &&
                  TACIT_ISA_NEON == static_cast<int>(Isa::neon),
              "ISA codes");

tacit_status to_c(const Status& status) {
  tacit_status result{};
  result.code = status.ok() ? TACIT_OK : TACIT_ERROR;
  std::memcpy(result.detail_, &status, sizeof(Status));
  return result;
}

Status from_c(const tacit_status& status) {
  Status result;
  if (status.code != TACIT_OK) std::memcpy(&result, status.detail_, sizeof(Status));
  return result;
}

// The first address in memory aligned for T, and the bytes left after a T
// there (the caller has checked that bytes covers sizeof(T) + alignof(T) - 1).
template <typename T>
T* place(void* memory, std::size_t bytes, void** rest, std::size_t* rest_bytes) {
  const std::uintptr_t start = reinterpret_cast<std::uintptr_t>(memory);
  const std::uintptr_t aligned = (start + alignof(T) - 1) & ~std::uintptr_t{alignof(T) - 1};
  const std::size_t used = static_cast<std::size_t>(aligned - start) + sizeof(T);
  *rest = static_cast<unsigned char*>(memory) + used;
  *rest_bytes = bytes - used;
  return reinterpret_cast<T*>(aligned);
}

template <typename T>
constexpr std::size_t handle_bytes() {
  return sizeof(T) + alignof(T) - 1;
}

Status check_memory(const char* call, void* memory, std::size_t bytes, std::size_t needed,
                    const char* size_query) {
  if (memory == nullptr || bytes < needed) {
    return Status::error("%s: memory of %zu bytes; expected at least %zu (%s)", call,
                         memory == nullptr ? std::size_t{0} : bytes, needed, size_query);
  }
  return Status::success();
}

Status c_spec(const int* widths, int count, const int* activations, MlpSpec* spec) {
  if (widths == nullptr) return Status::error("mlp spec: widths are null");
  Status status = mlp_spec(widths, count, spec);
  for (int l = 0; status && activations != nullptr && l < count - 2; ++l) {
    Activation a;
    status = activation_from_code(activations[l], &a);
    if (status) status = mlp_spec_set_activation(spec, l, a);
  }
  return status;
}

Status c_compute(const tacit_compute* c, Compute* compute) {
  *compute = Compute{};
  if (c == nullptr) return Status::success();
  if (c->isa != TACIT_ISA_DEFAULT && (c->isa < 0 || c->isa >= isa_count())) {
    return Status::error("compute.isa: expected -1 (the default) or 0 to %d, found %d",
                         isa_count() - 1, c->isa);
  }
  if (c->isa != TACIT_ISA_DEFAULT) compute->isa = static_cast<Isa>(c->isa);
  compute->pool = c->pool == nullptr ? nullptr : &c->pool->pool;
  return Status::success();
}

Status c_config(const tacit_trainer_config* c, TrainerConfig* config) {
  if (c == nullptr) return Status::error("config is null");
  Status status = c_spec(c->widths, c->count, c->activations, &config->spec);
  if (status) status = c_compute(&c->compute, &config->compute);
  if (!status) return status;
  config->batch = c->batch;
  config->optimizer = static_cast<Optimizer>(c->optimizer);  // trainer_create checks codes
  config->lr = c->lr;
  config->momentum = c->momentum;
  config->beta1 = c->beta1;
  config->beta2 = c->beta2;
  config->eps = c->eps;
  config->loss = static_cast<Loss>(c->loss);
  config->temperature = c->temperature;
  config->columns = Columns{c->columns_lo, c->columns_hi};
  config->init = static_cast<Init>(c->init);
  config->seed = c->seed;
  return Status::success();
}

bool rows_fit(const MlpSpec& spec, int rows) { return rows >= 1 && rows <= mlp_max_batch(spec); }

Status null_error(const char* call, const char* what) {
  return Status::error("%s: %s is null", call, what);
}

// Creates a ModelBlock in memory, the model by model_create(spec, rows).
Status create_model_block(const char* call, const MlpSpec& spec, int rows,
                          const tacit_compute* c, void* memory, std::size_t bytes,
                          tacit_model** out) {
  if (out == nullptr) return null_error(call, "out");
  Compute compute;
  Status status = c_compute(c, &compute);
  if (status && !rows_fit(spec, rows)) {
    status = Status::error("%s: rows: expected 1 to %d, found %d", call, mlp_max_batch(spec),
                           rows);
  }
  if (status) {
    status = check_memory(call, memory, bytes, handle_bytes<ModelBlock>() + model_bytes(spec, rows),
                          "tacit_model_bytes");
  }
  if (!status) return status;
  void* rest;
  std::size_t rest_bytes;
  ModelBlock* block = place<ModelBlock>(memory, bytes, &rest, &rest_bytes);
  Model model;
  status = model_create(spec, rows, rest, rest_bytes, &model, compute);
  if (!status) return status;
  block = new (block) ModelBlock{};
  block->model = model;
  block->handle.model = &block->model;
  *out = &block->handle;
  return status;
}

#define TACIT_CHECK_HANDLE(handle, call)                          \
  if ((handle) == nullptr) return to_c(null_error(call, #handle))

struct CSink {
  int (*write)(void* context, const char* bytes, size_t size);
  void* context;
};

bool write_to_c_sink(void* context, const char* bytes, std::size_t size) {
  const CSink* sink = static_cast<const CSink*>(context);
  return sink->write(sink->context, bytes, size) != 0;
}

ExportOptions export_options(const char* name) {
  ExportOptions options;
  if (name != nullptr) options.name = name;
  options.generator = "tacit_model_export";
  return options;
}

}  // namespace

extern "C" {

const char* tacit_status_message(tacit_status status) { return from_c(status).message(); }

const char* tacit_version_string(void) { return version_string(); }

// ---- threads ------------------------------------------------------------------

size_t tacit_pool_bytes(void) { return handle_bytes<tacit_pool>(); }

tacit_status tacit_pool_create(int threads, void* memory, size_t bytes, tacit_pool** out) {
  const char* call = "tacit_pool_create";
  if (out == nullptr) return to_c(null_error(call, "out"));
  Status status = check_memory(call, memory, bytes, tacit_pool_bytes(), "tacit_pool_bytes");
  if (status && (threads < 1 || threads > TACIT_MAX_THREADS)) {
    status = Status::error("%s: threads: expected 1 to %d, found %d", call, TACIT_MAX_THREADS,
                           threads);
  }
  if (!status) return to_c(status);
  void* rest;
  std::size_t rest_bytes;
  tacit_pool* pool = place<tacit_pool>(memory, bytes, &rest, &rest_bytes);
  new (pool) tacit_pool(threads);
  const int started = pool->pool.size();
  if (started != threads && threads_enabled()) {
    pool->~tacit_pool();
    return to_c(Status::error("%s: the system started %d of the %d threads asked for", call,
                              started, threads));
  }
  *out = pool;
  return to_c(status);
}

void tacit_pool_destroy(tacit_pool* pool) {
  if (pool != nullptr) pool->~tacit_pool();
}

// ---- models -------------------------------------------------------------------

size_t tacit_model_bytes(const int* widths, int count, const int* activations, int rows) {
  MlpSpec spec;
  if (!c_spec(widths, count, activations, &spec) || !rows_fit(spec, rows)) return 0;
  return handle_bytes<ModelBlock>() + model_bytes(spec, rows);
}

tacit_status tacit_model_create(const int* widths, int count, const int* activations, int rows,
                                const tacit_compute* compute, void* memory, size_t bytes,
                                tacit_model** out) {
  MlpSpec spec;
  Status status = c_spec(widths, count, activations, &spec);
  if (status) {
    status = create_model_block("tacit_model_create", spec, rows, compute, memory, bytes, out);
  }
  return to_c(status);
}

tacit_status tacit_model_init(tacit_model* model, int init, uint64_t seed) {
  TACIT_CHECK_HANDLE(model, "tacit_model_init");
  if (init != TACIT_INIT_NORMAL_FAN_IN && init != TACIT_INIT_TORCH_DEFAULT) {
    return to_c(Status::error("tacit_model_init: init: unknown code %d", init));
  }
  mlp_init(model->model->mlp, static_cast<Init>(init), seed);
  return to_c(Status::success());
}

tacit_status tacit_model_predict(tacit_model* model, const float* x, int rows, int output,
                                 float* out) {
  TACIT_CHECK_HANDLE(model, "tacit_model_predict");
  return to_c(model_predict(*model->model, x, rows, static_cast<Output>(output), out));
}

int tacit_model_inputs(const tacit_model* model) {
  return model == nullptr ? 0 : mlp_inputs(model->model->mlp.spec);
}
int tacit_model_outputs(const tacit_model* model) {
  return model == nullptr ? 0 : mlp_outputs(model->model->mlp.spec);
}
size_t tacit_model_param_count(const tacit_model* model) {
  return model == nullptr ? 0 : model->model->mlp.param_count;
}
const float* tacit_model_params(const tacit_model* model) {
  return model == nullptr ? nullptr : model->model->mlp.params;
}

// ---- checkpoints in memory ----------------------------------------------------

size_t tacit_checkpoint_bytes(const tacit_model* model) {
  return model == nullptr ? 0 : checkpoint_bytes(model->model->mlp.spec);
}

tacit_status tacit_checkpoint_write(const tacit_model* model, unsigned char* out,
                                    size_t capacity) {
  TACIT_CHECK_HANDLE(model, "tacit_checkpoint_write");
  if (out == nullptr) return to_c(null_error("tacit_checkpoint_write", "out"));
  return to_c(checkpoint_write(model->model->mlp, out, capacity));
}

tacit_status tacit_model_read(tacit_model* model, const unsigned char* checkpoint,
                              size_t size) {
  TACIT_CHECK_HANDLE(model, "tacit_model_read");
  if (checkpoint == nullptr) return to_c(null_error("tacit_model_read", "checkpoint"));
  return to_c(checkpoint_read(checkpoint, size, "checkpoint", model->model->mlp));
}

tacit_status tacit_checkpoint_model_bytes(const unsigned char* checkpoint, size_t size,
                                          int rows, size_t* bytes) {
  const char* call = "tacit_checkpoint_model_bytes";
  if (checkpoint == nullptr) return to_c(null_error(call, "checkpoint"));
  if (bytes == nullptr) return to_c(null_error(call, "bytes"));
  MlpSpec spec;
  Status status = checkpoint_parse_spec(checkpoint, size, "checkpoint", &spec);
  if (status && !rows_fit(spec, rows)) {
    status = Status::error("%s: rows: expected 1 to %d, found %d", call, mlp_max_batch(spec),
                           rows);
  }
  if (status) *bytes = handle_bytes<ModelBlock>() + model_bytes(spec, rows);
  return to_c(status);
}

tacit_status tacit_checkpoint_read(const unsigned char* checkpoint, size_t size, int rows,
                                   const tacit_compute* compute, void* memory, size_t bytes,
                                   tacit_model** out) {
  const char* call = "tacit_checkpoint_read";
  if (out == nullptr) return to_c(null_error(call, "out"));
  if (checkpoint == nullptr) return to_c(null_error(call, "checkpoint"));
  MlpSpec spec;
  Status status = checkpoint_parse_spec(checkpoint, size, "checkpoint", &spec);
  tacit_model* model = nullptr;
  if (status) status = create_model_block(call, spec, rows, compute, memory, bytes, &model);
  if (status) status = checkpoint_read(checkpoint, size, "checkpoint", model->model->mlp);
  if (status) *out = model;
  return to_c(status);
}


tacit_status tacit_model_export(const tacit_model* model, const char* name,
                                int (*write)(void* context, const char* bytes, size_t size),
                                void* context) {
  TACIT_CHECK_HANDLE(model, "tacit_model_export");
  if (write == nullptr) return to_c(null_error("tacit_model_export", "write"));
  CSink sink{write, context};
  return to_c(export_c_header(model->model->mlp, export_options(name),
                              ExportSink{&sink, write_to_c_sink}));
}

#if TACIT_HAS_FILES

tacit_status tacit_model_export_file(const tacit_model* model, const char* name,
                                     const char* path) {
  TACIT_CHECK_HANDLE(model, "tacit_model_export_file");
  if (path == nullptr) return to_c(null_error("tacit_model_export_file", "path"));
  return to_c(export_c_header_file(path, model->model->mlp, export_options(name)));
}

tacit_status tacit_model_save(const tacit_model* model, const char* path) {
  TACIT_CHECK_HANDLE(model, "tacit_model_save");
  if (path == nullptr) return to_c(null_error("tacit_model_save", "path"));
  return to_c(model_save(*model->model, path));
}

tacit_status tacit_model_file_bytes(const char* path, int rows, size_t* bytes) {
  const char* call = "tacit_model_file_bytes";
  if (path == nullptr) return to_c(null_error(call, "path"));
  if (bytes == nullptr) return to_c(null_error(call, "bytes"));
  MlpSpec spec;
  Status status = checkpoint_file_spec(path, &spec);
  if (status && !rows_fit(spec, rows)) {
    status = Status::error("%s: rows: expected 1 to %d, found %d", call, mlp_max_batch(spec),
                           rows);
  }
  if (status) *bytes = handle_bytes<ModelBlock>() + model_bytes(spec, rows);
  return to_c(status);
}

tacit_status tacit_model_load(const char* path, int rows, const tacit_compute* compute,
                              void* memory, size_t bytes, tacit_model** out) {
  const char* call = "tacit_model_load";
  if (out == nullptr) return to_c(null_error(call, "out"));
  if (path == nullptr) return to_c(null_error(call, "path"));
  MlpSpec spec;
  Status status = checkpoint_file_spec(path, &spec);
  tacit_model* model = nullptr;
  if (status) status = create_model_block(call, spec, rows, compute, memory, bytes, &model);
  if (status) status = model_load(*model->model, path);
  if (status) *out = model;
  return to_c(status);
}

#endif  // TACIT_HAS_FILES

// ---- trainers -----------------------------------------------------------------

tacit_trainer_config tacit_trainer_config_default(void) {
  const TrainerConfig d;
  tacit_trainer_config c{};
  c.widths = nullptr;
  c.count = 0;
  c.activations = nullptr;
  c.batch = d.batch;
  c.optimizer = static_cast<int>(d.optimizer);
  c.lr = d.lr;
  c.momentum = d.momentum;
  c.beta1 = d.beta1;
  c.beta2 = d.beta2;
  c.eps = d.eps;
  c.loss = static_cast<int>(d.loss);
  c.temperature = d.temperature;
  c.columns_lo = d.columns.lo;
  c.columns_hi = d.columns.hi;
  c.init = static_cast<int>(d.init);
  c.seed = d.seed;
  c.compute.isa = TACIT_ISA_DEFAULT;
  c.compute.pool = nullptr;
  return c;
}

size_t tacit_trainer_bytes(const tacit_trainer_config* config) {
  TrainerConfig c;
  if (!c_config(config, &c) || !trainer_config_check(c)) return 0;
  return handle_bytes<tacit_trainer>() + trainer_bytes(c);
}

tacit_status tacit_trainer_create(const tacit_trainer_config* config, void* memory,
                                  size_t bytes, tacit_trainer** out) {
  const char* call = "tacit_trainer_create";
  if (out == nullptr) return to_c(null_error(call, "out"));
  TrainerConfig c;
  Status status = c_config(config, &c);
  if (!status) return to_c(Status::error("%s: config: %s", call, status.message()));
  status = trainer_config_check(c);
  if (status) {
    status = check_memory(call, memory, bytes, tacit_trainer_bytes(config),
                          "tacit_trainer_bytes");
  }
  if (!status) return to_c(status);
  void* rest;
  std::size_t rest_bytes;
  tacit_trainer* handle = place<tacit_trainer>(memory, bytes, &rest, &rest_bytes);
  Trainer trainer;
  status = trainer_create(c, rest, rest_bytes, &trainer);
  if (!status) return to_c(status);
  handle = new (handle) tacit_trainer{};
  handle->trainer = trainer;
  handle->model.model = &handle->trainer.model;
  *out = handle;
  return to_c(status);
}

tacit_status tacit_trainer_step_labels(tacit_trainer* trainer, const float* x,
                                       const int32_t* labels, int rows, float* loss) {
  TACIT_CHECK_HANDLE(trainer, "tacit_trainer_step_labels");
  return to_c(trainer_step_labels(trainer->trainer, x, labels, rows, loss));
}

tacit_status tacit_trainer_step_targets(tacit_trainer* trainer, const float* x,
                                        const float* targets, int rows, float* loss) {
  TACIT_CHECK_HANDLE(trainer, "tacit_trainer_step_targets");
  return to_c(trainer_step_targets(trainer->trainer, x, targets, rows, loss));
}

tacit_model* tacit_trainer_model(tacit_trainer* trainer) {
  return trainer == nullptr ? nullptr : &trainer->model;
}

}  // extern "C"
