// tacit-repro's experiment end to end on a tiny configuration: what must
// not move, what must not change with ISA or threads, arena use, subnormal
// counts, refusals.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "isa_list.h"
#include "common/subnormal_tally.h"
#include "golden.h"
#include "repro_test_support.h"
#include "repro/config.h"
#include "repro/experiment.h"
#include "repro/report.h"
#include "repro/results_json.h"
#include "subliminal/experiment.h"
#include "tacit/hash.h"
#include "tacit/init.h"
#include "tacit/train.h"
#include "tools_test_support.h"

using namespace tacit;
using namespace subliminal;
using namespace tools_test;

// ---- the experiment, end to end, on a tiny configuration --------------------

namespace {

repro::Config tiny_config() { return repro_test::tiny_config(3, 2, 3); }

// Whether rows [lo, hi) of the output layer (W and b) are the same in a and b.
bool head_rows_equal(const MlpSpec& spec, const std::vector<float>& a,
                     const std::vector<float>& b, int lo, int hi) {
  const int last = spec.layers - 1;
  const int in = spec.widths[last];
  const float* wa = a.data() + mlp_weight_offset(spec, last);
  const float* wb = b.data() + mlp_weight_offset(spec, last);
  const std::size_t row_bytes = sizeof(float) * static_cast<std::size_t>(in);
  for (int r = lo; r < hi; ++r) {
    if (std::memcmp(wa + r * in, wb + r * in, row_bytes) != 0) return false;
  }
  const float* ba = a.data() + mlp_bias_offset(spec, last);
  const float* bb = b.data() + mlp_bias_offset(spec, last);
  return std::memcmp(ba + lo, bb + lo, sizeof(float) * static_cast<std::size_t>(hi - lo)) == 0;
}

bool layer0_equal(const MlpSpec& spec, const std::vector<float>& a,
                  const std::vector<float>& b) {
  return std::memcmp(a.data(), b.data(),
                     sizeof(float) * mlp_bias_offset(spec, 0)) == 0;
}

}  // namespace

TEST_CASE("tiny experiment: untouched heads stay exactly put, the rest moves") {
  for (DistillLoss loss : {DistillLoss::kl, DistillLoss::squared_error}) {
    repro::Config config = tiny_config();
    config.student_loss = loss;
    const repro_test::TinyRun run = repro_test::run_tiny(config, Compute{Isa::portable, nullptr});
    const MlpSpec spec = repro::config_spec(config);
    const int outputs = mlp_outputs(spec);
    REQUIRE(run.recorder.runs.size() == 3);
    for (int r = 0; r < 3; ++r) {
      CAPTURE(r);
      const repro_test::Snapshot& s = run.recorder.runs[r];
      const repro::RunResult& result = run.results.runs[r];
      const repro_test::Snapshot& donor = run.recorder.runs[result.cross_from];
      CHECK(result.cross_from != r);
      // The reference is the documented init of the run's seed.
      CHECK(result.seed == experiment_run_seed(config.seed, r));
      // Teacher: cross-entropy on the digits never touches the aux rows.
      CHECK(head_rows_equal(spec, s.params[repro::kTeacher], s.params[repro::kReference],
                            10, outputs));
      CHECK_FALSE(head_rows_equal(spec, s.params[repro::kTeacher],
                                  s.params[repro::kReference], 0, 10));
      CHECK_FALSE(layer0_equal(spec, s.params[repro::kTeacher], s.params[repro::kReference]));
      // Aux-only students: the digit rows are their init's, bit for bit.
      CHECK(head_rows_equal(spec, s.params[repro::kAuxSame], s.params[repro::kReference], 0,
                            10));
      CHECK(head_rows_equal(spec, s.params[repro::kAuxCross],
                            donor.params[repro::kReference], 0, 10));
      CHECK_FALSE(layer0_equal(spec, s.params[repro::kAuxSame], s.params[repro::kReference]));
      CHECK_FALSE(head_rows_equal(spec, s.params[repro::kAuxSame],
                                  s.params[repro::kReference], 10, outputs));
      // All-logits students move the digit rows too.
      CHECK_FALSE(head_rows_equal(spec, s.params[repro::kAllSame],
                                  s.params[repro::kReference], 0, 10));
      CHECK_FALSE(head_rows_equal(spec, s.params[repro::kAllCross],
                                  donor.params[repro::kReference], 0, 10));
      for (int k = 0; k < 4; ++k) {
        REQUIRE(result.alignment[k].size() == 2);
        REQUIRE(result.student_loss[k].size() == 2);
        for (double cosine : result.alignment[k]) CHECK(std::fabs(cosine) <= 1.0);
      }
      CHECK(result.teacher_loss.size() == 3);
      for (int c = 0; c < repro::condition_count(config); ++c) {
        CHECK(result.correct[c] >= 0);
        CHECK(result.correct[c] <= 30);
        CHECK(result.accuracy[c] == result.correct[c] / 30.0);
      }
      // The per-run hash chains the six models in Condition order.
      std::uint64_t hash = kHashStart;
      for (int c = 0; c < repro::condition_count(config); ++c) {
        hash = hash_floats(s.params[c].data(), s.params[c].size(), hash);
      }
      CHECK(result.weights_hash == hash);
    }
  }
}

TEST_CASE("tiny experiment: arena use equals experiment_bytes; same bits on every "
          "ISA and thread count") {
  const repro::Config config = tiny_config();
  const repro_test::TinyRun reference = repro_test::run_tiny(config, Compute{Isa::portable, nullptr});
  CHECK(reference.used == repro::experiment_bytes(config, 50));
  // Pinned, like the conformance hash: noise, shuffles, pairing, losses and
  // training of the whole pipeline in one number. A change that moves it
  // must say why in its commit (docs/STYLE.md).
  const std::uint64_t golden = test_golden::golden_hash("unit-tiny-experiment");
  REQUIRE(golden != 0);
  CHECK(reference.results.weights_hash == golden);
  ThreadPool pool(3);
  for (Isa isa : test_isa::available_isas()) {
    CAPTURE(isa_name(isa));
    const repro_test::TinyRun other = repro_test::run_tiny(config, Compute{isa, &pool});
    CHECK(other.results.weights_hash == reference.results.weights_hash);
    for (int r = 0; r < config.runs; ++r) {
      CHECK(other.results.runs[r].alignment[0] == reference.results.runs[r].alignment[0]);
      CHECK(other.results.runs[r].weights_hash == reference.results.runs[r].weights_hash);
    }
    CHECK(repro::results_report(other.results) == repro::results_report(reference.results));
  }
  // A different seed is a different experiment.
  repro::Config reseeded = config;
  reseeded.seed = 12;
  CHECK(repro_test::run_tiny(reseeded, Compute{}).results.weights_hash != reference.results.weights_hash);
}

TEST_CASE("tiny experiment: --count-subnormals tallies every step, reports them, "
          "changes no bit") {
  repro::Config config = tiny_config();
  const repro_test::TinyRun plain = repro_test::run_tiny(config, Compute{});
  CHECK_FALSE(contains(repro::results_report(plain.results), "subnormal"));
  CHECK_FALSE(contains(repro::results_json(plain.results, repro::RunEnvironment{"portable", 1}),
                       "subnormals"));
  CHECK(plain.results.teacher_subnormals.steps == 0);

  config.count_subnormals = true;
  const repro_test::TinyRun counted = repro_test::run_tiny(config, Compute{});
  CHECK(counted.results.weights_hash == plain.results.weights_hash);
  const tacit_tools::SubnormalTally& teachers = counted.results.teacher_subnormals;
  const tacit_tools::SubnormalTally& students = counted.results.student_subnormals;
  // 50 training images in batches of 16: 4 steps an epoch, 3 epochs, 3 runs;
  // 40 noise images: 3 steps an epoch, 2 epochs, 4 students, 3 runs.
  CHECK(teachers.steps == 36);
  CHECK(students.steps == 72);
  // Per step: activations 24 + 20 + 13, logit gradients 13, deltas 20 + 24
  // per row; gradients, m, v and parameters once. Rows: 16, 16, 16, 2 and
  // 16, 16, 8.
  const long long params = static_cast<long long>(
      mlp_param_count(repro::config_spec(config)));
  const long long per_row = 24 + 20 + 13 + 13 + 20 + 24;
  CHECK(teachers.checked == 9 * (50 * per_row + 4 * 4 * params));
  CHECK(students.checked == 24 * (40 * per_row + 3 * 4 * params));
  const std::string report = repro::results_report(counted.results);
  CHECK(contains(report, "teachers 0 of " + std::to_string(teachers.checked) +
                             " values in 36 steps"));
  CHECK(contains(report, "students 0 of " + std::to_string(students.checked) +
                             " values in 72 steps"));
  CHECK(contains(repro::results_json(counted.results, repro::RunEnvironment{"portable", 1}),
                 "\"subnormals\""));
}

TEST_CASE("the experiment refuses fewer than 2 runs and a short arena") {
  repro::Config config = tiny_config();
  TinyMnist data(50, 30);
  std::vector<unsigned char> memory(arena_buffer_bytes(repro::experiment_bytes(config, 50)));
  Arena arena(memory.data(), memory.size() - 128);
  repro::Results results;
  Status status = repro::run_experiment(config, data.mnist, Compute{}, arena, nullptr,
                                        nullptr, &results);
  CHECK_FALSE(status.ok());
  CHECK(contains(status.message(), "experiment_bytes"));
  config.runs = 1;
  Arena full(memory.data(), memory.size());
  status = repro::run_experiment(config, data.mnist, Compute{}, full, nullptr, nullptr,
                                 &results);
  CHECK_FALSE(status.ok());
  CHECK(contains(status.message(), "at least 2"));
}

// tacit-train --seed R runs these calls (tools/train/tacit-train.cpp): the
// same teacher as tacit-repro's run whose seed is R, bit for bit.
TEST_CASE("tacit-train's teacher is the reproduction's teacher of the same seed") {
  const repro::Config config = tiny_config();
  const repro_test::TinyRun tiny = repro_test::run_tiny(config, Compute{});
  TinyMnist data(50, 30);
  const MlpSpec spec = repro::config_spec(config);
  std::vector<unsigned char> memory(arena_buffer_bytes(
      mlp_bytes(spec) + train_state_bytes(spec, config.batch) + eval_buffers_bytes(config.batch) +
      arena_block_bytes(sizeof(std::uint32_t) * 50)));
  Arena arena(memory.data(), memory.size());
  AdamConfig adam;
  adam.lr = config.lr;
  Mlp teacher;
  TrainState state;
  EvalBuffers eval;
  REQUIRE(mlp_create(spec, arena, &teacher).ok());
  REQUIRE(train_state_create(spec, config.batch, adam, arena, &state).ok());
  REQUIRE(eval_buffers_create(config.batch, arena, &eval).ok());
  auto* order = static_cast<std::uint32_t*>(arena.take(sizeof(std::uint32_t) * 50));
  for (int run = 0; run < config.runs; ++run) {
    CAPTURE(run);
    mlp_init(teacher, Init::normal_fan_in, experiment_run_seed(config.seed, run));
    adam_reset(state.adam);
    for (int epoch = 0; epoch < config.teacher_epochs; ++epoch) {
      double loss = 0.0;
      REQUIRE(train_teacher_epoch(Compute{}, teacher, state, data.mnist.train,
                                  experiment_run_seed(config.seed, run), epoch, config.batch,
                                  order, eval.labels, nullptr, &loss)
                  .ok());
      CHECK(loss == tiny.results.runs[run].teacher_loss[epoch]);
    }
    const std::vector<float>& expected = tiny.recorder.runs[run].params[repro::kTeacher];
    CHECK(std::memcmp(teacher.params, expected.data(), sizeof(float) * expected.size()) == 0);
  }
}

// --lr 1000 sent the teacher's loss to 1e15 at chance accuracy, silently.
TEST_CASE("a diverging training is found, reported and in the JSON; a healthy one is not") {
  repro::Config config = tiny_config();
  const repro_test::TinyRun healthy = repro_test::run_tiny(config, Compute{});
  CHECK_FALSE(repro::any_divergence(healthy.results));
  CHECK(repro::divergence_report(healthy.results).empty());
  CHECK(contains(repro::results_json(healthy.results, repro::RunEnvironment{"portable", 1}),
                 "\"divergence\": []"));

  config.lr = 1000;
  const repro_test::TinyRun wild = repro_test::run_tiny(config, Compute{});
  REQUIRE(repro::any_divergence(wild.results));
  const repro::ModelDivergence& teacher = wild.results.runs[0].divergence[repro::kTeacher];
  CHECK(teacher.found);
  CHECK(teacher.epoch == 1);
  const std::string report = repro::divergence_report(wild.results);
  CHECK(contains(report, "run 0, teacher: epoch 1, step "));
  CHECK(contains(repro::results_json(wild.results, repro::RunEnvironment{"portable", 1}),
                 "\"condition\": \"teacher\""));
  // The verdict is bits, like everything else: the same on every ISA.
  for (Isa isa : test_isa::available_isas()) {
    CAPTURE(isa_name(isa));
    const repro_test::TinyRun other = repro_test::run_tiny(config, Compute{isa, nullptr});
    CHECK(repro::divergence_report(other.results) == report);
  }
}
