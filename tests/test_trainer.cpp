// The short path (trainer.h) against the calls it is built from: the same
// bits, every ISA and thread count, exact sizes, and a Status for every bad
// input it can be given.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "bits.h"
#include "data_files.h"
#include "isa_list.h"
#include "tacit/hash.h"
#include "tacit/rng.h"
#include "tacit/trainer.h"

using namespace tacit;
using test_bits::contains;
using test_bits::same_bits;

namespace {

constexpr int kRows = 8;

struct Data {
  std::vector<float> x;
  std::vector<std::int32_t> labels;
  std::vector<float> targets;
};

// Step s's batch: inputs in [-1, 1), labels in [0, classes), targets normal.
Data batch(const MlpSpec& spec, int step, int classes) {
  Data d;
  const int in = mlp_inputs(spec), out = mlp_outputs(spec);
  d.x.resize(static_cast<std::size_t>(kRows) * in);
  d.targets.resize(static_cast<std::size_t>(kRows) * out);
  random_fill_uniform_pm1(3, 0, static_cast<std::uint64_t>(step) * d.x.size(), d.x.size(),
                          d.x.data());
  random_fill_normal(3, 1, static_cast<std::uint64_t>(step) * d.targets.size(),
                     d.targets.size(), d.targets.data());
  for (int r = 0; r < kRows; ++r) d.labels.push_back((step * 5 + r * 3) % classes);
  return d;
}

MlpSpec small_spec(Activation hidden = Activation::relu) {
  const int widths[] = {5, 12, 9, 6};
  const Activation activations[] = {hidden, hidden};
  MlpSpec spec;
  REQUIRE(mlp_spec_activations(widths, 4, activations, &spec));
  return spec;
}

struct OwnedTrainer {
  std::vector<unsigned char> memory;
  Trainer trainer;
};

void create(const TrainerConfig& config, OwnedTrainer* t) {
  t->memory.assign(trainer_bytes(config), 0);
  REQUIRE(trainer_create(config, t->memory.data(), t->memory.size(), &t->trainer));
}

// Three steps through the trainer; returns its parameters.
std::vector<float> train_short(const TrainerConfig& config, std::vector<float>* losses) {
  OwnedTrainer t;
  create(config, &t);
  const int classes = (config.columns.hi < 0 ? mlp_outputs(config.spec) : config.columns.hi) -
                      config.columns.lo;
  for (int step = 0; step < 3; ++step) {
    const Data d = batch(config.spec, step, classes);
    float loss = -1.0f;
    if (config.loss == Loss::cross_entropy) {
      REQUIRE(trainer_step_labels(t.trainer, d.x.data(), d.labels.data(), kRows, &loss));
    } else {
      REQUIRE(trainer_step_targets(t.trainer, d.x.data(), d.targets.data(), kRows, &loss));
    }
    losses->push_back(loss);
  }
  const Mlp& m = t.trainer.model.mlp;
  return std::vector<float>(m.params, m.params + m.param_count);
}

// The same three steps through Mlp + TrainState + the train steps.
std::vector<float> train_long(const TrainerConfig& config, std::vector<float>* losses) {
  const MlpSpec& spec = config.spec;
  std::vector<unsigned char> memory(
      arena_buffer_bytes(mlp_bytes(spec) + train_state_bytes(spec, kRows, config.optimizer)));
  Arena arena(memory.data(), memory.size());
  Mlp mlp;
  TrainState state;
  REQUIRE(mlp_create(spec, arena, &mlp));
  if (config.optimizer == Optimizer::adam) {
    REQUIRE(train_state_create(spec, kRows, AdamConfig{config.lr, config.beta1, config.beta2,
                                                       config.eps},
                               arena, &state));
  } else {
    REQUIRE(train_state_create(spec, kRows, SgdConfig{config.lr, config.momentum}, arena,
                               &state));
  }
  mlp_init(mlp, config.init, config.seed);
  const int classes = (config.columns.hi < 0 ? mlp_outputs(spec) : config.columns.hi) -
                      config.columns.lo;
  for (int step = 0; step < 3; ++step) {
    const Data d = batch(spec, step, classes);
    std::copy(d.x.begin(), d.x.end(), mlp_input(state.workspace, kRows).data);
    float loss = -1.0f;
    const Compute compute{Isa::portable, nullptr};
    if (config.loss == Loss::cross_entropy) {
      REQUIRE(train_step_cross_entropy(compute, mlp, state, kRows, d.labels.data(), &loss,
                                       config.columns));
    } else {
      const bool kl = config.loss == Loss::kl_divergence;
      REQUIRE(train_step_distill(compute, mlp, state, kRows,
                                 const_matrix(d.targets.data(), kRows, mlp_outputs(spec)),
                                 kl ? DistillLoss::kl : DistillLoss::squared_error,
                                 kl ? config.temperature : 1.0f, &loss, config.columns));
    }
    losses->push_back(loss);
  }
  return std::vector<float>(mlp.params, mlp.params + mlp.param_count);
}

std::uint64_t params_hash(const Trainer& t) {
  return hash_floats(t.model.mlp.params, t.model.mlp.param_count);
}

}  // namespace

TEST_CASE("the trainer gives the bits of the calls it is built from") {
  struct Case {
    const char* name;
    Optimizer optimizer;
    Loss loss;
    Columns columns;
    Activation hidden;
  };
  const Case cases[] = {
      {"adam cross-entropy", Optimizer::adam, Loss::cross_entropy, {}, Activation::relu},
      {"adam cross-entropy [0, 4)", Optimizer::adam, Loss::cross_entropy, {0, 4},
       Activation::tanh},
      {"sgd momentum squared error", Optimizer::sgd, Loss::squared_error, {}, Activation::gelu},
      {"sgd plain kl T=2 [2, 6)", Optimizer::sgd, Loss::kl_divergence, {2, 6},
       Activation::sigmoid},
      {"adam kl T=1", Optimizer::adam, Loss::kl_divergence, {}, Activation::relu},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    TrainerConfig config;
    config.spec = small_spec(c.hidden);
    config.batch = kRows;
    config.optimizer = c.optimizer;
    config.lr = 0.05;
    config.momentum = std::string(c.name).find("momentum") != std::string::npos ? 0.9 : 0.0;
    config.loss = c.loss;
    config.temperature = std::string(c.name).find("T=2") != std::string::npos ? 2.0f : 1.0f;
    config.columns = c.columns;
    config.seed = 11;
    std::vector<float> short_losses, long_losses;
    const std::vector<float> a = train_short(config, &short_losses);
    const std::vector<float> b = train_long(config, &long_losses);
    CHECK(same_bits(a, b));
    CHECK(same_bits(short_losses, long_losses));
    // It trained: the loss moved and every parameter is finite.
    CHECK(short_losses.back() != short_losses.front());
    for (float p : a) REQUIRE(std::isfinite(p));
  }
}

TEST_CASE("the trainer gives the same bits on every ISA and thread count") {
  TrainerConfig config;
  config.spec = small_spec(Activation::gelu);
  config.batch = kRows;
  std::uint64_t first = 0;
  for (Isa isa : test_isa::available_isas()) {
    for (int threads : {1, 2}) {
      CAPTURE(isa_name(isa));
      CAPTURE(threads);
      ThreadPool pool(threads);
      config.compute = Compute{isa, &pool};
      OwnedTrainer t;
      create(config, &t);
      for (int step = 0; step < 3; ++step) {
        const Data d = batch(config.spec, step, mlp_outputs(config.spec));
        REQUIRE(trainer_step_labels(t.trainer, d.x.data(), d.labels.data(), kRows));
      }
      if (first == 0) first = params_hash(t.trainer);
      CHECK(params_hash(t.trainer) == first);
    }
  }
}

TEST_CASE("trainer_bytes is exact at every alignment, and a byte less is refused by name") {
  TrainerConfig config;
  config.spec = small_spec();
  config.batch = 3;
  const std::size_t bytes = trainer_bytes(config);
  std::vector<unsigned char> memory(bytes + kArenaAlignment);
  for (std::size_t offset = 0; offset < kArenaAlignment; ++offset) {
    CAPTURE(offset);
    Trainer t;
    CHECK(trainer_create(config, memory.data() + offset, bytes, &t));
    const Status less = trainer_create(config, memory.data() + offset, bytes - 1, &t);
    REQUIRE_FALSE(less.ok());
    CHECK(contains(less, "trainer_bytes"));
  }
  Model m;
  const std::size_t model = model_bytes(config.spec, 3);
  CHECK(model_create(config.spec, 3, memory.data() + 1, model, &m));
  const Status short_model = model_create(config.spec, 3, memory.data() + 1, model - 1, &m);
  REQUIRE_FALSE(short_model.ok());
  CHECK(contains(short_model, "model_bytes"));
}

TEST_CASE("an arena too small names its size query and arena_buffer_bytes") {
  MlpSpec spec = small_spec();
  std::vector<unsigned char> memory(mlp_bytes(spec) + kArenaAlignment);
  // Deliberately one byte past a 64-byte boundary, holding exactly
  // mlp_bytes(spec): the alignment eats what the caller did not ask for.
  unsigned char* base = memory.data();
  while (reinterpret_cast<std::uintptr_t>(base) % kArenaAlignment != 1) ++base;
  Arena arena(base, mlp_bytes(spec));
  Mlp mlp;
  const Status s = mlp_create(spec, arena, &mlp);
  REQUIRE_FALSE(s.ok());
  CHECK(contains(s, "(mlp_bytes)"));
  CHECK(contains(s, "arena_buffer_bytes(mlp_bytes(...))"));
}

TEST_CASE("predictions: logits as mlp_forward gives them, probabilities as their softmax") {
  TrainerConfig config;
  config.spec = small_spec(Activation::tanh);
  config.batch = kRows;
  OwnedTrainer t;
  create(config, &t);
  const Data d = batch(config.spec, 0, 6);
  const int out = mlp_outputs(config.spec);
  std::vector<float> logits(static_cast<std::size_t>(kRows) * out), p(logits.size());
  REQUIRE(model_predict(t.trainer.model, d.x.data(), kRows, Output::logits, logits.data()));
  REQUIRE(model_predict(t.trainer.model, d.x.data(), kRows, Output::probabilities, p.data()));
  MlpWorkspace& ws = t.trainer.state.workspace;
  REQUIRE(mlp_forward(Compute{}, t.trainer.model.mlp, ws,
                      const_matrix(d.x.data(), kRows, mlp_inputs(config.spec))));
  CHECK(same_bits(logits.data(), mlp_logits(ws, kRows).data, logits.size()));
  std::vector<float> softmax(logits.size());
  REQUIRE(softmax_rows(const_matrix(logits.data(), kRows, out),
                       matrix(softmax.data(), kRows, out)));
  CHECK(same_bits(p, softmax));
  for (int r = 0; r < kRows; ++r) {
    double sum = 0.0;
    for (int j = 0; j < out; ++j) {
      const double reference =
          std::exp(static_cast<double>(logits[r * out + j])) /
          [&] {
            double s = 0.0;
            for (int k = 0; k < out; ++k) s += std::exp(static_cast<double>(logits[r * out + k]));
            return s;
          }();
      CHECK(std::fabs(p[r * out + j] - reference) < 1e-6);
      sum += p[r * out + j];
    }
    CHECK(std::fabs(sum - 1.0) < 1e-5);
  }
  // In place, as documented.
  std::vector<float> in_place = logits;
  REQUIRE(softmax_rows(const_matrix(in_place.data(), kRows, out),
                       matrix(in_place.data(), kRows, out)));
  CHECK(same_bits(in_place, softmax));
}

TEST_CASE("bad input to the trainer gets a Status and changes nothing") {
  TrainerConfig config;
  config.spec = small_spec();
  config.batch = kRows;
  OwnedTrainer t;
  create(config, &t);
  Data d = batch(config.spec, 0, 6);
  const std::uint64_t before = params_hash(t.trainer);

  SUBCASE("a label outside the classes") {
    d.labels[2] = 7;
    const Status s = trainer_step_labels(t.trainer, d.x.data(), d.labels.data(), kRows);
    REQUIRE_FALSE(s.ok());
    CHECK(contains(s, "label 7 at row 2 is outside the 6 classes"));
  }
  SUBCASE("a negative label") {
    d.labels[0] = -1;
    CHECK_FALSE(trainer_step_labels(t.trainer, d.x.data(), d.labels.data(), kRows).ok());
  }
  SUBCASE("more rows than the batch it was made for") {
    const Status s = trainer_step_labels(t.trainer, d.x.data(), d.labels.data(), kRows + 1);
    REQUIRE_FALSE(s.ok());
    CHECK(contains(s, "9 rows; this one takes 1 to 8"));
  }
  SUBCASE("zero rows") {
    CHECK_FALSE(trainer_step_labels(t.trainer, d.x.data(), d.labels.data(), 0).ok());
  }
  SUBCASE("null inputs") {
    CHECK(contains(trainer_step_labels(t.trainer, nullptr, d.labels.data(), kRows), "x is null"));
    CHECK(contains(trainer_step_labels(t.trainer, d.x.data(), nullptr, kRows),
                   "labels is null"));
  }
  SUBCASE("targets to a cross-entropy trainer") {
    const Status s = trainer_step_targets(t.trainer, d.x.data(), d.targets.data(), kRows);
    REQUIRE_FALSE(s.ok());
    CHECK(contains(s, "trainer_step_labels"));
  }
  SUBCASE("a prediction beyond the rows") {
    std::vector<float> out(static_cast<std::size_t>(kRows + 1) * 6);
    CHECK_FALSE(
        model_predict(t.trainer.model, d.x.data(), kRows + 1, Output::logits, out.data()).ok());
  }
  CHECK(params_hash(t.trainer) == before);
  CHECK(t.trainer.state.adam.step == 0);
}

TEST_CASE("a trainer config that cannot work is refused at creation") {
  TrainerConfig good;
  good.spec = small_spec();
  std::vector<unsigned char> memory(trainer_bytes(good) + 4096);
  Trainer t;
  struct Bad {
    const char* expect;
    TrainerConfig config;
  };
  std::vector<Bad> bad;
  TrainerConfig c = good;
  c.batch = 0;
  bad.push_back({"batch: expected 1 to", c});
  c = good;
  c.loss = Loss::kl_divergence;
  c.temperature = 0.0f;
  bad.push_back({"temperature: expected a finite value > 0", c});
  c = good;
  c.columns = Columns{2, 7};
  bad.push_back({"columns [2, 7) of 6 outputs", c});
  c = good;
  c.lr = -1.0;
  bad.push_back({"lr: expected a finite value >= 0", c});
  c = good;
  c.beta2 = 1.0;
  bad.push_back({"beta2: expected a value in [0, 1)", c});
  c = good;
  c.optimizer = Optimizer::sgd;
  c.momentum = std::nan("");
  bad.push_back({"momentum: expected a finite value >= 0", c});
  c = good;
  c.spec = MlpSpec{};
  bad.push_back({"config.spec has no layers", c});
  for (const Bad& b : bad) {
    CAPTURE(b.expect);
    const Status s = trainer_create(b.config, memory.data(), memory.size(), &t);
    REQUIRE_FALSE(s.ok());
    CHECK(contains(s, b.expect));
  }
}

TEST_CASE("losses refuse bad shapes, columns and labels without writing the gradient") {
  const float logits[2 * 3] = {0.1f, 0.2f, 0.3f, 1.0f, -1.0f, 0.0f};
  const float other[2 * 4] = {};
  const std::int32_t labels[2] = {0, 3};
  float grad[2 * 3] = {5, 5, 5, 5, 5, 5};
  const ConstMatrix z = const_matrix(logits, 2, 3);
  const Matrix g = matrix(grad, 2, 3);
  float loss = -1.0f;
  CHECK(contains(softmax_cross_entropy(z, labels, g, &loss),
                 "label 3 at row 1 is outside the 3 classes [0, 3)"));
  CHECK(contains(softmax_cross_entropy(z, labels, g, &loss, Columns{1, 4}),
                 "columns [1, 4) of 3-column logits"));
  CHECK(contains(kl_divergence(z, const_matrix(other, 2, 4), 1.0f, g, &loss),
                 "kl_divergence: teacher is 2x4 (stride 4); expected 2x3"));
  CHECK(contains(squared_error(z, const_matrix(other, 1, 3), g, &loss),
                 "squared_error: target is 1x3 (stride 3); expected 2x3"));
  CHECK(contains(squared_error(z, z, matrix(grad, 2, 2), &loss), "squared_error: grad is 2x2"));
  CHECK(contains(kl_divergence(z, z, -1.0f, g, &loss), "temperature"));
  for (float v : grad) CHECK(v == 5.0f);
  CHECK(loss == -1.0f);
}

TEST_CASE("forward, backward and inference refuse batches and shapes they cannot take") {
  const MlpSpec spec = small_spec();
  const int other_widths[] = {5, 12, 9, 7};
  MlpSpec other;
  REQUIRE(mlp_spec(other_widths, 4, &other));
  std::vector<unsigned char> memory(arena_buffer_bytes(
      mlp_bytes(spec) + mlp_workspace_bytes(other, 4) + mlp_workspace_bytes(spec, 4) +
      infer_workspace_bytes(spec, 4)));
  Arena arena(memory.data(), memory.size());
  Mlp mlp;
  MlpWorkspace ws, other_ws;
  InferWorkspace infer;
  REQUIRE(mlp_create(spec, arena, &mlp));
  REQUIRE(mlp_workspace_create(spec, 4, arena, &ws));
  REQUIRE(mlp_workspace_create(other, 4, arena, &other_ws));
  REQUIRE(infer_workspace_create(spec, 4, arena, &infer));
  std::vector<float> x(5 * 5), grads(mlp.param_count), logits(5 * 6);
  CHECK(contains(mlp_forward(Compute{}, mlp, ws, 5), "batch of 5 rows; the workspace holds 1 to 4"));
  CHECK(contains(mlp_forward(Compute{}, mlp, other_ws, 2),
                 "the workspace was made for a 5-12-9-7 model; this one is 5-12-9-6"));
  CHECK(contains(mlp_forward(Compute{}, mlp, ws, const_matrix(x.data(), 2, 4)),
                 "x has 4 columns"));
  CHECK(contains(mlp_backward(Compute{}, mlp, ws, 0, grads.data()), "batch of 0 rows"));
  CHECK(contains(mlp_backward(Compute{}, mlp, ws, 2, nullptr), "grads are null"));
  const MlpView view = mlp_view(mlp);
  CHECK(contains(mlp_infer(Compute{}, view, infer, const_matrix(x.data(), 5, 5),
                           matrix(logits.data(), 5, 6)),
                 "5 rows; the workspace holds 1 to 4"));
  CHECK(contains(mlp_infer(Compute{}, view, infer, const_matrix(x.data(), 2, 5),
                           matrix(logits.data(), 2, 5)),
                 "logits are 2x5"));
  CHECK(contains(mlp_infer(Compute{}, view, infer, const_matrix(x.data(), 2, 5),
                           matrix(logits.data(), 3, 6)),
                 "expected 2x6"));
  CHECK(mlp_infer(Compute{}, view, infer, const_matrix(x.data(), 2, 5),
                  matrix(logits.data(), 2, 6)));
}

TEST_CASE("training and prediction through the trainer allocate nothing") {
  TrainerConfig config;
  config.spec = small_spec(Activation::gelu);
  config.batch = kRows;
  config.optimizer = Optimizer::sgd;
  config.momentum = 0.5;
  config.loss = Loss::kl_divergence;
  OwnedTrainer t;
  create(config, &t);
  const Data d = batch(config.spec, 0, 6);
  std::vector<float> out(static_cast<std::size_t>(kRows) * 6);
  const long before = data_test::alloc_count().calls;
  for (int step = 0; step < 3; ++step) {
    CHECK(trainer_step_targets(t.trainer, d.x.data(), d.targets.data(), kRows));
    CHECK(model_predict(t.trainer.model, d.x.data(), kRows, Output::probabilities, out.data()));
  }
  CHECK(data_test::alloc_count().calls - before == 0);
}

#if TACIT_HAS_FILES
TEST_CASE("model_save and model_load round-trip a trained model bit for bit") {
  TrainerConfig config;
  config.spec = small_spec(Activation::sigmoid);
  config.batch = kRows;
  OwnedTrainer t;
  create(config, &t);
  const Data d = batch(config.spec, 0, 6);
  REQUIRE(trainer_step_labels(t.trainer, d.x.data(), d.labels.data(), kRows));
  data_test::TempDir dir;
  const std::string path = dir.file("m.tacit");
  REQUIRE(model_save(t.trainer.model, path.c_str()));
  std::vector<unsigned char> memory(model_bytes(config.spec, 2));
  Model loaded;
  REQUIRE(model_load(path.c_str(), 2, memory.data(), memory.size(), &loaded));
  CHECK(mlp_spec_equal(loaded.mlp.spec, config.spec));
  CHECK(hash_floats(loaded.mlp.params, loaded.mlp.param_count) == params_hash(t.trainer));
  std::vector<float> a(2 * 6), b(2 * 6);
  REQUIRE(model_predict(t.trainer.model, d.x.data(), 2, Output::logits, a.data()));
  REQUIRE(model_predict(loaded, d.x.data(), 2, Output::logits, b.data()));
  CHECK(same_bits(a, b));
  // Too little memory for the file's model: refused by name.
  const Status small = model_load(path.c_str(), 2, memory.data(), memory.size() - 1, &loaded);
  REQUIRE_FALSE(small.ok());
  CHECK(contains(small, "model_bytes"));
}
#endif

TEST_CASE("a spec made or changed by hand is checked before it is read") {
  TrainerConfig config;
  config.spec = small_spec();
  std::vector<unsigned char> memory(trainer_bytes(config));
  Trainer t;
  Model m;
  config.spec.layers = kMaxLayers + 3;  // widths[] has kMaxLayers + 1 entries
  CHECK(trainer_bytes(config) == 0);
  CHECK(model_bytes(config.spec, 2) == 0);
  CHECK(contains(trainer_create(config, memory.data(), memory.size(), &t), "layers"));
  CHECK(contains(model_create(config.spec, 2, memory.data(), memory.size(), &m), "layers"));
  config.spec = small_spec();
  config.spec.widths[1] = 0;
  CHECK(contains(trainer_create(config, memory.data(), memory.size(), &t), "config.spec"));
  config.spec = small_spec();
  config.spec.activation[0] = static_cast<Activation>(7);
  CHECK(contains(model_create(config.spec, 2, memory.data(), memory.size(), &m), "7"));
  CHECK(mlp_spec_check(small_spec()));
  char text[4] = {'x', 'x', 'x', 'x'};
  mlp_spec_text(small_spec(), text, 0);  // nothing written
  CHECK(text[0] == 'x');
  mlp_spec_text(small_spec(), text, sizeof text);
  CHECK(std::string(text) == "5-1");
}
