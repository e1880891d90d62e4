// tacit/c_api.h: the same bits as the C++ short path it converts for, bad
// input refused with a message, and sizes that are exact at any alignment.
// (Compiling this file is the header's C++ check; tests/c_api_c99.c is its C one.)
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "data_files.h"
#include "tacit/c_api.h"
#include "tacit/export.h"
#include "tacit/hash.h"
#include "tacit/rng.h"
#include "tacit/trainer.h"

namespace {

using namespace tacit;

constexpr int kBatch = 16;
constexpr int kSteps = 5;
const int kWidths[] = {4, 8, 6, 3};
const int kActivations[] = {TACIT_TANH, TACIT_GELU};

bool mentions(tacit_status status, const char* text) {
  const std::string message = tacit_status_message(status);
  if (message.find(text) == std::string::npos) {
    MESSAGE("message: " << message << "; expected it to mention: " << std::string(text));
    return false;
  }
  return status.code != TACIT_OK;
}

struct Batch {
  std::vector<float> x = std::vector<float>(kBatch * 4);
  std::vector<float> targets = std::vector<float>(kBatch * 3);
  std::vector<std::int32_t> labels = std::vector<std::int32_t>(kBatch);
  explicit Batch(int step) {
    random_fill_uniform_pm1(7, 0, std::uint64_t{1000} * step, x.size(), x.data());
    random_fill_uniform_pm1(7, 1, std::uint64_t{1000} * step, targets.size(), targets.data());
    for (int i = 0; i < kBatch; ++i) labels[i] = (i * 7 + step) % 3;
  }
};

tacit_trainer_config c_config(int optimizer, int loss) {
  tacit_trainer_config c = tacit_trainer_config_default();
  c.widths = kWidths;
  c.count = 4;
  c.activations = kActivations;
  c.batch = kBatch;
  c.optimizer = optimizer;
  c.lr = 1e-2;
  c.momentum = 0.9;
  c.loss = loss;
  c.temperature = 2.0f;
  c.seed = 11;
  return c;
}

// A trainer in a vector the test owns, through the C API.
struct CTrainer {
  std::vector<unsigned char> memory;
  tacit_trainer* trainer = nullptr;
  explicit CTrainer(const tacit_trainer_config& config, std::size_t offset = 0)
      : memory(offset + tacit_trainer_bytes(&config)) {
    const tacit_status s = tacit_trainer_create(&config, memory.data() + offset,
                                                memory.size() - offset, &trainer);
    REQUIRE_MESSAGE(s.code == TACIT_OK, tacit_status_message(s));
  }
  tacit_status step(const Batch& b, int loss, float* value) {
    return loss == TACIT_CROSS_ENTROPY
               ? tacit_trainer_step_labels(trainer, b.x.data(), b.labels.data(), kBatch, value)
               : tacit_trainer_step_targets(trainer, b.x.data(), b.targets.data(), kBatch,
                                            value);
  }
  std::uint64_t hash() {
    const tacit_model* m = tacit_trainer_model(trainer);
    return hash_floats(tacit_model_params(m), tacit_model_param_count(m));
  }
};

}  // namespace

TEST_CASE("the C API gives the C++ short path's bits: both optimizers, all three losses") {
  const int cases[][2] = {{TACIT_ADAM, TACIT_CROSS_ENTROPY}, {TACIT_SGD, TACIT_CROSS_ENTROPY},
                          {TACIT_ADAM, TACIT_SQUARED_ERROR}, {TACIT_SGD, TACIT_SQUARED_ERROR},
                          {TACIT_ADAM, TACIT_KL_DIVERGENCE}, {TACIT_SGD, TACIT_KL_DIVERGENCE}};
  for (const auto& c : cases) {
    CAPTURE(c[0]);
    CAPTURE(c[1]);
    const tacit_trainer_config cc = c_config(c[0], c[1]);
    CTrainer ct(cc);

    TrainerConfig config;
    REQUIRE(mlp_spec(kWidths, 4, &config.spec));
    REQUIRE(mlp_spec_set_activation(&config.spec, 0, Activation::tanh));
    REQUIRE(mlp_spec_set_activation(&config.spec, 1, Activation::gelu));
    config.batch = kBatch;
    config.optimizer = static_cast<Optimizer>(c[0]);
    config.lr = 1e-2;
    config.momentum = 0.9;
    config.loss = static_cast<Loss>(c[1]);
    config.temperature = 2.0f;
    config.seed = 11;
    std::vector<unsigned char> memory(trainer_bytes(config));
    Trainer trainer;
    REQUIRE(trainer_create(config, memory.data(), memory.size(), &trainer));

    CHECK(ct.hash() == hash_floats(trainer.model.mlp.params, trainer.model.mlp.param_count));
    for (int step = 0; step < kSteps; ++step) {
      const Batch b(step);
      float c_loss = 0, loss = 0;
      REQUIRE(ct.step(b, c[1], &c_loss).code == TACIT_OK);
      const Status status =
          c[1] == TACIT_CROSS_ENTROPY
              ? trainer_step_labels(trainer, b.x.data(), b.labels.data(), kBatch, &loss)
              : trainer_step_targets(trainer, b.x.data(), b.targets.data(), kBatch, &loss);
      REQUIRE(status.ok());
      CHECK(std::memcmp(&c_loss, &loss, sizeof loss) == 0);
    }
    CHECK(ct.hash() == hash_floats(trainer.model.mlp.params, trainer.model.mlp.param_count));
    const Batch b(99);
    for (int output : {TACIT_LOGITS, TACIT_PROBABILITIES}) {
      std::vector<float> c_out(kBatch * 3), out(kBatch * 3);
      REQUIRE(tacit_model_predict(tacit_trainer_model(ct.trainer), b.x.data(), kBatch, output,
                                  c_out.data()).code == TACIT_OK);
      REQUIRE(model_predict(trainer.model, b.x.data(), kBatch, static_cast<Output>(output),
                            out.data()));
      CHECK(std::memcmp(c_out.data(), out.data(), out.size() * sizeof(float)) == 0);
    }
  }
}

TEST_CASE("tacit_trainer_config_default is TrainerConfig's defaults") {
  const tacit_trainer_config c = tacit_trainer_config_default();
  const TrainerConfig d;
  CHECK(c.batch == d.batch);
  CHECK(c.optimizer == static_cast<int>(d.optimizer));
  CHECK(c.lr == d.lr);
  CHECK(c.momentum == d.momentum);
  CHECK(c.beta1 == d.beta1);
  CHECK(c.beta2 == d.beta2);
  CHECK(c.eps == d.eps);
  CHECK(c.loss == static_cast<int>(d.loss));
  CHECK(c.temperature == d.temperature);
  CHECK(c.columns_lo == d.columns.lo);
  CHECK(c.columns_hi == d.columns.hi);
  CHECK(c.init == static_cast<int>(d.init));
  CHECK(c.seed == d.seed);
  CHECK(c.compute.isa == TACIT_ISA_DEFAULT);
  CHECK(c.compute.pool == nullptr);
  CHECK(c.widths == nullptr);
  CHECK(std::string(tacit_version_string()) == TACIT_VERSION_STRING);
}

TEST_CASE("a pool of 2 threads gives the same bits as the calling thread alone") {
  std::vector<unsigned char> pool_memory(tacit_pool_bytes() + 3);
  tacit_pool* pool = nullptr;
  REQUIRE(tacit_pool_create(2, pool_memory.data() + 3, tacit_pool_bytes(), &pool).code ==
          TACIT_OK);
  tacit_trainer_config config = c_config(TACIT_ADAM, TACIT_CROSS_ENTROPY);
  CTrainer alone(config);
  config.compute.pool = pool;
  config.compute.isa = TACIT_ISA_PORTABLE;
  CTrainer pooled(config);
  for (int step = 0; step < kSteps; ++step) {
    const Batch b(step);
    REQUIRE(alone.step(b, TACIT_CROSS_ENTROPY, nullptr).code == TACIT_OK);
    REQUIRE(pooled.step(b, TACIT_CROSS_ENTROPY, nullptr).code == TACIT_OK);
  }
  CHECK(alone.hash() == pooled.hash());
  tacit_pool_destroy(pool);
}

TEST_CASE("exactly the size query's bytes work at any alignment; one byte less is refused") {
  const tacit_trainer_config config = c_config(TACIT_SGD, TACIT_CROSS_ENTROPY);
  const std::size_t bytes = tacit_trainer_bytes(&config);
  const std::size_t model_bytes = tacit_model_bytes(kWidths, 4, kActivations, kBatch);
  REQUIRE(bytes > 0);
  REQUIRE(model_bytes > 0);
  CTrainer reference(config);
  REQUIRE(reference.step(Batch(0), TACIT_CROSS_ENTROPY, nullptr).code == TACIT_OK);
  for (std::size_t offset = 0; offset < 64; ++offset) {
    CAPTURE(offset);
    // Canaries after the block: nothing is written past the bytes given.
    std::vector<unsigned char> memory(offset + bytes + 64, 0xa5);
    tacit_trainer* trainer = nullptr;
    CHECK(mentions(tacit_trainer_create(&config, memory.data() + offset, bytes - 1, &trainer),
                   "(tacit_trainer_bytes)"));
    CHECK(trainer == nullptr);
    REQUIRE(tacit_trainer_create(&config, memory.data() + offset, bytes, &trainer).code ==
            TACIT_OK);
    const Batch b(0);
    REQUIRE(tacit_trainer_step_labels(trainer, b.x.data(), b.labels.data(), kBatch, nullptr)
                .code == TACIT_OK);
    const tacit_model* m = tacit_trainer_model(trainer);
    CHECK(hash_floats(tacit_model_params(m), tacit_model_param_count(m)) == reference.hash());
    for (std::size_t i = offset + bytes; i < memory.size(); ++i) REQUIRE(memory[i] == 0xa5);

    std::vector<unsigned char> model_memory(offset + model_bytes + 64, 0xa5);
    tacit_model* model = nullptr;
    CHECK(mentions(tacit_model_create(kWidths, 4, kActivations, kBatch, nullptr,
                                      model_memory.data() + offset, model_bytes - 1, &model),
                   "(tacit_model_bytes)"));
    CHECK(model == nullptr);
    REQUIRE(tacit_model_create(kWidths, 4, kActivations, kBatch, nullptr,
                               model_memory.data() + offset, model_bytes, &model).code ==
            TACIT_OK);
    std::vector<float> out(kBatch * 3);
    REQUIRE(tacit_model_predict(model, b.x.data(), kBatch, TACIT_LOGITS, out.data()).code ==
            TACIT_OK);
    for (std::size_t i = offset + model_bytes; i < model_memory.size(); ++i) {
      REQUIRE(model_memory[i] == 0xa5);
    }
  }
  std::vector<unsigned char> pool_memory(tacit_pool_bytes());
  tacit_pool* pool = nullptr;
  CHECK(mentions(tacit_pool_create(2, pool_memory.data(), pool_memory.size() - 1, &pool),
                 "(tacit_pool_bytes)"));
}

TEST_CASE("steps and predictions allocate nothing") {
  CTrainer t(c_config(TACIT_ADAM, TACIT_KL_DIVERGENCE));
  const Batch b(0);
  std::vector<float> out(kBatch * 3);
  const long before = data_test::alloc_count().calls;
  for (int step = 0; step < 3; ++step) {
    REQUIRE(t.step(b, TACIT_KL_DIVERGENCE, nullptr).code == TACIT_OK);
    REQUIRE(tacit_model_predict(tacit_trainer_model(t.trainer), b.x.data(), kBatch,
                                TACIT_PROBABILITIES, out.data()).code == TACIT_OK);
  }
  CHECK(data_test::alloc_count().calls == before);
}

TEST_CASE("bad input: a non-zero code and a message that names it") {
  CTrainer t(c_config(TACIT_ADAM, TACIT_CROSS_ENTROPY));
  Batch b(0);
  float loss = 0;
  const tacit_status ok = tacit_trainer_step_labels(t.trainer, b.x.data(), b.labels.data(),
                                                    kBatch, &loss);
  CHECK(ok.code == TACIT_OK);
  CHECK(std::string(tacit_status_message(ok)) == "ok");

  const std::uint64_t before = t.hash();
  b.labels[5] = 3;  // 3 outputs
  CHECK(mentions(tacit_trainer_step_labels(t.trainer, b.x.data(), b.labels.data(), kBatch,
                                           nullptr), "label"));
  b.labels[5] = 0;
  CHECK(mentions(tacit_trainer_step_labels(t.trainer, b.x.data(), b.labels.data(), kBatch + 1,
                                           nullptr), "17 rows"));
  CHECK(mentions(tacit_trainer_step_targets(t.trainer, b.x.data(), b.targets.data(), kBatch,
                                            nullptr), "takes labels (trainer_step_labels)"));
  CHECK(t.hash() == before);  // nothing refused changed the model

  // Null pointers.
  CHECK(mentions(tacit_trainer_step_labels(nullptr, b.x.data(), b.labels.data(), kBatch,
                                           nullptr), "tacit_trainer_step_labels: trainer is null"));
  CHECK(mentions(tacit_trainer_step_labels(t.trainer, nullptr, b.labels.data(), kBatch,
                                           nullptr), "x is null"));
  CHECK(mentions(tacit_trainer_step_labels(t.trainer, b.x.data(), nullptr, kBatch, nullptr),
                 "labels is null"));
  tacit_model* model = tacit_trainer_model(t.trainer);
  CHECK(mentions(tacit_model_predict(model, b.x.data(), kBatch, TACIT_LOGITS, nullptr),
                 "out is null"));
  CHECK(mentions(tacit_model_predict(nullptr, b.x.data(), kBatch, TACIT_LOGITS, nullptr),
                 "model is null"));
  CHECK(mentions(tacit_model_predict(model, b.x.data(), kBatch, 5, b.targets.data()),
                 "output: unknown code 5"));
  CHECK(mentions(tacit_trainer_create(nullptr, nullptr, 0, &t.trainer), "config is null"));
  tacit_trainer_config config = c_config(TACIT_ADAM, TACIT_CROSS_ENTROPY);
  CHECK(mentions(tacit_trainer_create(&config, nullptr, 0, nullptr), "out is null"));
  tacit_trainer* other = nullptr;
  CHECK(mentions(tacit_trainer_create(&config, nullptr, tacit_trainer_bytes(&config), &other),
                 "memory of 0 bytes"));
  CHECK(tacit_trainer_model(nullptr) == nullptr);

  // Configs: tacit_trainer_bytes gives 0, tacit_trainer_create the reason.
  const auto refused = [&](const tacit_trainer_config& c, const char* text) {
    std::vector<unsigned char> memory(1 << 16);
    tacit_trainer* trainer = nullptr;
    CHECK(tacit_trainer_bytes(&c) == 0);
    CHECK(mentions(tacit_trainer_create(&c, memory.data(), memory.size(), &trainer), text));
    CHECK(trainer == nullptr);
  };
  config.widths = nullptr;
  refused(config, "widths are null");
  config = c_config(TACIT_ADAM, TACIT_CROSS_ENTROPY);
  const int bad_activations[] = {TACIT_TANH, 9};
  config.activations = bad_activations;
  refused(config, "found 9");
  config = c_config(7, TACIT_CROSS_ENTROPY);
  refused(config, "optimizer: unknown code 7");
  config = c_config(TACIT_ADAM, 4);
  refused(config, "loss: unknown code 4");
  config = c_config(TACIT_ADAM, TACIT_CROSS_ENTROPY);
  config.batch = 0;
  refused(config, "batch");
  config = c_config(TACIT_ADAM, TACIT_CROSS_ENTROPY);
  config.compute.isa = 9;
  refused(config, "compute.isa");
  config = c_config(TACIT_ADAM, TACIT_CROSS_ENTROPY);
  config.columns_lo = 2, config.columns_hi = 1;
  refused(config, "columns");
  CHECK(tacit_model_bytes(kWidths, 4, kActivations, 0) == 0);
  CHECK(tacit_model_bytes(kWidths, 1, nullptr, 1) == 0);
  CHECK(mentions(tacit_model_init(model, 5, 0), "init: unknown code 5"));
  std::vector<unsigned char> pool_memory(tacit_pool_bytes());
  tacit_pool* pool = nullptr;
  CHECK(mentions(tacit_pool_create(0, pool_memory.data(), pool_memory.size(), &pool),
                 "threads"));
  CHECK(mentions(tacit_pool_create(TACIT_MAX_THREADS + 1, pool_memory.data(),
                                   pool_memory.size(), &pool),
                 "threads: expected 1 to 1024"));
  CHECK(pool == nullptr);
  // Creators with a null out refuse rather than write through it.
  std::vector<unsigned char> checkpoint(tacit_checkpoint_bytes(model));
  REQUIRE(tacit_checkpoint_write(model, checkpoint.data(), checkpoint.size()).code == TACIT_OK);
  std::vector<unsigned char> block(1 << 16);
  CHECK(mentions(tacit_checkpoint_read(checkpoint.data(), checkpoint.size(), 1, nullptr,
                                       block.data(), block.size(), nullptr),
                 "out"));
#if TACIT_HAS_FILES
  CHECK(mentions(tacit_model_load("any.tacit", 1, nullptr, block.data(), block.size(), nullptr),
                 "out"));
#endif
}

TEST_CASE("checkpoints: in memory and in files, read back bit for bit") {
  CTrainer t(c_config(TACIT_SGD, TACIT_SQUARED_ERROR));
  REQUIRE(t.step(Batch(0), TACIT_SQUARED_ERROR, nullptr).code == TACIT_OK);
  const tacit_model* model = tacit_trainer_model(t.trainer);
  std::vector<unsigned char> file(tacit_checkpoint_bytes(model));
  CHECK(mentions(tacit_checkpoint_write(model, file.data(), file.size() - 1), "checkpoint"));
  REQUIRE(tacit_checkpoint_write(model, file.data(), file.size()).code == TACIT_OK);

  std::size_t bytes = 0;
  REQUIRE(tacit_checkpoint_model_bytes(file.data(), file.size(), 2, &bytes).code == TACIT_OK);
  CHECK(bytes == tacit_model_bytes(kWidths, 4, kActivations, 2));
  std::vector<unsigned char> memory(bytes);
  tacit_model* copy = nullptr;
  REQUIRE(tacit_checkpoint_read(file.data(), file.size(), 2, nullptr, memory.data(),
                                memory.size(), &copy).code == TACIT_OK);
  CHECK(tacit_model_inputs(copy) == 4);
  CHECK(tacit_model_outputs(copy) == 3);
  CHECK(hash_floats(tacit_model_params(copy), tacit_model_param_count(copy)) == t.hash());

  // Into a model of the same spec; a corrupted one is refused, the model unchanged.
  std::vector<unsigned char> zeroed(tacit_model_bytes(kWidths, 4, kActivations, 1));
  tacit_model* target = nullptr;
  REQUIRE(tacit_model_create(kWidths, 4, kActivations, 1, nullptr, zeroed.data(), zeroed.size(),
                             &target).code == TACIT_OK);
  REQUIRE(tacit_model_init(target, TACIT_INIT_NORMAL_FAN_IN, 3).code == TACIT_OK);
  const std::uint64_t initialized =
      hash_floats(tacit_model_params(target), tacit_model_param_count(target));
  file[40] ^= 1;
  CHECK(mentions(tacit_model_read(target, file.data(), file.size()), "crc32"));
  CHECK(hash_floats(tacit_model_params(target), tacit_model_param_count(target)) == initialized);
  file[40] ^= 1;
  REQUIRE(tacit_model_read(target, file.data(), file.size()).code == TACIT_OK);
  CHECK(hash_floats(tacit_model_params(target), tacit_model_param_count(target)) == t.hash());

#if TACIT_HAS_FILES
  data_test::TempDir dir;
  const std::string path = dir.file("c.tacit");
  REQUIRE(tacit_model_save(model, path.c_str()).code == TACIT_OK);
  bytes = 0;
  REQUIRE(tacit_model_file_bytes(path.c_str(), kBatch, &bytes).code == TACIT_OK);
  CHECK(bytes == tacit_model_bytes(kWidths, 4, kActivations, kBatch));
  std::vector<unsigned char> loaded_memory(bytes + 5);
  tacit_model* loaded = nullptr;
  CHECK(mentions(tacit_model_load(path.c_str(), kBatch, nullptr, loaded_memory.data() + 5,
                                  bytes - 1, &loaded), "(tacit_model_bytes)"));
  REQUIRE(tacit_model_load(path.c_str(), kBatch, nullptr, loaded_memory.data() + 5, bytes,
                           &loaded).code == TACIT_OK);
  CHECK(hash_floats(tacit_model_params(loaded), tacit_model_param_count(loaded)) == t.hash());
  CHECK(mentions(tacit_model_file_bytes(dir.file("absent.tacit").c_str(), 1, &bytes),
                 "absent.tacit"));
#endif
}

namespace {

int append_to_string(void* context, const char* bytes, size_t size) {
  static_cast<std::string*>(context)->append(bytes, size);
  return 1;
}

int refuse_after_100(void* context, const char* bytes, size_t size) {
  std::string* out = static_cast<std::string*>(context);
  if (out->size() + size > 100) return 0;
  out->append(bytes, size);
  return 1;
}

}  // namespace

TEST_CASE("tacit_model_export writes the library's header, through a C callback or a file") {
  CTrainer t(c_config(TACIT_ADAM, TACIT_CROSS_ENTROPY));
  const tacit_model* model = tacit_trainer_model(t.trainer);
  std::string from_c;
  REQUIRE(tacit_model_export(model, "circle", append_to_string, &from_c).code == TACIT_OK);
  // The C++ call with the same options gives the same bytes.
  ExportOptions options;
  options.name = "circle";
  options.generator = "tacit_model_export";
  std::string from_cpp;
  const ExportSink sink{&from_cpp, [](void* context, const char* bytes, std::size_t size) {
                          static_cast<std::string*>(context)->append(bytes, size);
                          return true;
                        }};
  // The C++ call on a model with the trainer's spec and parameters.
  MlpSpec spec;
  const Activation hidden[] = {Activation::tanh, Activation::gelu};
  REQUIRE(mlp_spec_activations(kWidths, 4, hidden, &spec));
  std::vector<unsigned char> memory(model_bytes(spec, 1));
  Model copy;
  REQUIRE(model_create(spec, 1, memory.data(), memory.size(), &copy));
  std::memcpy(copy.mlp.params, tacit_model_params(model),
              sizeof(float) * tacit_model_param_count(model));
  mlp_pack(copy.mlp);
  REQUIRE(export_c_header(copy.mlp, options, sink));
  CHECK(from_c == from_cpp);
  CHECK(from_c.find("CIRCLE_") != std::string::npos);

  std::string partial;
  const tacit_status refused = tacit_model_export(model, "circle", refuse_after_100, &partial);
  CHECK(refused.code != TACIT_OK);
  CHECK(std::string(tacit_status_message(refused)).size() > 0);
  CHECK(mentions(tacit_model_export(model, "not a name", append_to_string, &partial), "name"));
  CHECK(mentions(tacit_model_export(model, "circle", nullptr, nullptr), "write"));
#if TACIT_HAS_FILES
  data_test::TempDir dir;
  const std::string path = dir.file("circle.h");
  REQUIRE(tacit_model_export_file(model, "circle", path.c_str()).code == TACIT_OK);
  std::ifstream in(path, std::ios::binary);
  const std::string from_file((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
  CHECK(from_file == from_c);
#endif
}
