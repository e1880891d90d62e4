// tacit-theorem's measurement (tools/theorem) on a tiny MLP with synthetic
// inputs: Theorem 1's sign and limit, the teacher loss along the student's
// step, exact identities, and the determinism contract.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "common/synthetic_digits.h"
#include "data_files.h"
#include "scoped_env.h"
#include "theorem/config.h"
#include "theorem/measure.h"
#include "theorem/report.h"
#include "alloc_counter.h"
#include "tacit/init.h"
#include "tacit/rng.h"
#include "tacit/threads.h"

using namespace theorem;

namespace {

constexpr int kRows = 48;
constexpr int kClasses = 3;  // digit-like logits [0, 3); imitated ones [3, 5)

// Deterministic, irregular values in (-1, 1) without any generator.
float fixed_value(int i) { return static_cast<float>(std::sin(0.37 * i + 0.5) * 0.95); }

struct Fixture {
  tacit::MlpSpec spec;
  std::vector<unsigned char> memory;
  Bench bench;

  explicit Fixture(std::uint64_t seed = 7) {
    const int widths[] = {12, 20, 16, kClasses + 2};
    REQUIRE(tacit::mlp_spec(widths, 4, &spec).ok());
    const std::size_t bytes = bench_bytes(spec, kRows, kRows);
    memory.resize(tacit::arena_buffer_bytes(bytes));
    tacit::Arena arena(memory.data(), memory.size());
    REQUIRE(bench_create(spec, kRows, kRows, arena, &bench).ok());
    CHECK(arena.used() == bytes);  // the size query is exact
    tacit::mlp_init(bench.same, tacit::Init::normal_fan_in, seed);
    tacit::mlp_init(bench.cross, tacit::Init::normal_fan_in, seed + 1);
    const tacit::Matrix digits = tacit::mlp_input(bench.digits, kRows);
    for (int i = 0; i < kRows * digits.cols; ++i) digits.data[i] = fixed_value(i);
    for (int r = 0; r < kRows; ++r) bench.labels[r] = (r * 5 + 1) % kClasses;
    const tacit::Matrix noise = tacit::mlp_input(bench.noise, kRows);
    tacit::random_fill_uniform_pm1(seed, 0x200, 0, static_cast<std::size_t>(kRows) * noise.cols,
                                   noise.data);
  }

  Trial measure(const Options& options, const tacit::Compute& compute) {
    Trial trial;
    REQUIRE(measure_trial(compute, options, bench, &trial).ok());
    return trial;
  }
};

Options tiny_options() {
  Options options;
  options.classes = kClasses;
  options.epsilon_count = 4;
  const double epsilons[] = {1e-1, 1e-2, 1e-3, 0.0};
  for (int e = 0; e < 4; ++e) options.epsilons[e] = epsilons[e];
  options.alpha_count = 2;
  options.alphas[0] = 1e-3;
  options.alphas[1] = 1e-2;
  return options;
}

const tacit::Compute kPortable{tacit::Isa::portable, nullptr};

}  // namespace

TEST_CASE("same init: the product is positive and product/eps converges to the limit") {
  Fixture f;
  const Trial t = f.measure(tiny_options(), kPortable);
  for (int loss = 0; loss < kLosses; ++loss) {
    CAPTURE(loss);
    REQUIRE(t.theory[loss] > 0.0);
    for (int e = 0; e < 3; ++e) {
      CAPTURE(e);
      const Cell& cell = t.cells[kSameInit][loss][e];
      CHECK(cell.product > 0.0);
      CHECK(cell.cosine > 0.0);
      CHECK(cell.cosine <= 1.0);
    }
    const double r2 = t.cells[kSameInit][loss][1].per_epsilon;
    const double r3 = t.cells[kSameInit][loss][2].per_epsilon;
    CHECK(std::fabs(r2 / r3 - 1.0) < 0.005);
    // The backward-pass product against the forward-mode limit: independent
    // computations of the same number, closer as eps shrinks.
    const double dev1 = std::fabs(t.cells[kSameInit][loss][0].per_epsilon / t.theory[loss] - 1.0);
    const double dev3 = std::fabs(r3 / t.theory[loss] - 1.0);
    CHECK(dev3 < 0.001);
    CHECK(dev3 < dev1);
  }
}

TEST_CASE("same init: a small step along the student's direction lowers the teacher's loss") {
  Fixture f;
  const Options options = tiny_options();
  const Trial t = f.measure(options, kPortable);
  for (int a = 0; a < options.alpha_count; ++a) CHECK(t.teacher_change[a] < 0.0);
  for (int loss = 0; loss < kLosses; ++loss) {
    for (int e = 0; e < 3; ++e) {
      for (int a = 0; a < options.alpha_count; ++a) {
        CAPTURE(loss);
        CAPTURE(e);
        CAPTURE(a);
        const Cell& cell = t.cells[kSameInit][loss][e];
        CHECK(cell.loss_change[a] < 0.0);
        // To first order the change is -step·|dT|·cos; the step is a·|dT|.
        const double predicted =
            -options.alphas[a] * t.teacher_norm * t.teacher_norm * cell.cosine;
        CHECK(cell.loss_change[a] == doctest::Approx(predicted).epsilon(0.01));
      }
    }
  }
}

TEST_CASE("exact identities: eps = 0 and the output layer") {
  Fixture f;
  const Trial t = f.measure(tiny_options(), kPortable);
  const int zero = 3;  // epsilons[3] = 0: the teacher is theta0, bit for bit
  const int last = f.spec.layers - 1;
  for (int loss = 0; loss < kLosses; ++loss) {
    CAPTURE(loss);
    const Cell& same = t.cells[kSameInit][loss][zero];
    CHECK(same.student_norm == 0.0);  // the student already imitates exactly
    CHECK(same.product == 0.0);
    CHECK(same.imitation_loss == 0.0);
    CHECK(std::isnan(same.per_epsilon));
    for (double change : same.loss_change) CHECK(change == 0.0);
    // Another init imitating theta0 has somewhere to go.
    CHECK(t.cells[kCrossInit][loss][zero].student_norm > 0.0);
    // dT is zero on the imitated rows of the output layer and dS on the
    // teacher's rows, so all the alignment lives in the hidden layers.
    for (int c = 0; c < kCases; ++c) {
      for (int e = 0; e < 4; ++e) CHECK(t.cells[c][loss][e].layer_products[last] == 0.0);
    }
  }
}

TEST_CASE("a trial has the same bits on every ISA and thread count, and allocates nothing") {
  const Options options = tiny_options();
  Fixture reference;
  const Trial a = reference.measure(options, kPortable);
  tacit::ThreadPool pool(2);
  const tacit::Compute best{tacit::isa_best(), &pool};
  Fixture other;
  const data_test::AllocCount before = data_test::alloc_count();
  Trial b;
  REQUIRE(measure_trial(best, options, other.bench, &b).ok());
  CHECK(data_test::alloc_count().calls == before.calls);
  CHECK(std::memcmp(&a, &b, sizeof(Trial)) == 0);
}

TEST_CASE("bad options and labels are refused with a reason") {
  Fixture f;
  Options options = tiny_options();
  Trial t;
  options.classes = 5;  // nothing left to imitate
  CHECK(!measure_trial(kPortable, options, f.bench, &t).ok());
  options = tiny_options();
  options.epsilons[1] = -1e-2;
  CHECK(!measure_trial(kPortable, options, f.bench, &t).ok());
  options = tiny_options();
  f.bench.labels[7] = kClasses;
  const tacit::Status status = measure_trial(kPortable, options, f.bench, &t);
  REQUIRE(!status.ok());
  CHECK(std::strstr(status.message(), "label 7") != nullptr);
}

TEST_CASE("summaries count positive products and decreases per row") {
  Fixture f;
  Measurement m;
  m.options = tiny_options();
  m.widths = "12-20-16-3+2";
  m.layers = f.spec.layers;
  for (int k = 0; k < 3; ++k) {
    Fixture g(static_cast<std::uint64_t>(11 + k));
    TrialRecord record;
    record.init = k;
    record.trial = g.measure(m.options, kPortable);
    m.trials.push_back(record);
  }
  // A cross-init product of the wrong sign, planted.
  m.trials[1].trial.cells[kCrossInit][kKl][0].product = -1.0;
  m.trials[1].trial.cells[kCrossInit][kKl][0].loss_change[0] = 1.0;
  const RowSummary same = summarize_row(m, kSameInit, kKl, 1);
  CHECK(same.positive == 3);
  CHECK(same.decreased[0] == 3);
  CHECK(same.deviation.max < 0.05);
  const RowSummary cross = summarize_row(m, kCrossInit, kKl, 0);
  CHECK(cross.positive <= 2);
  CHECK(cross.decreased[0] <= 2);
  const std::string text = report_text(m);
  CHECK(text.find("KL, same init") != std::string::npos);
  CHECK(text == report_text(m));
}

TEST_CASE("a trial whose numbers are not finite is named; a sound one is not") {
  Fixture f;
  const Options options = tiny_options();
  CHECK(trial_divergence(f.measure(options, kPortable), options).empty());
  // A parameter that ran away poisons the teacher's loss and every product.
  f.bench.same.params[0] = std::numeric_limits<float>::infinity();
  tacit::mlp_pack(f.bench.same);
  CHECK(trial_divergence(f.measure(options, kPortable), options) == "teacher_loss");
  Trial trial = f.measure(options, kPortable);
  trial.teacher_loss = 1.0;
  trial.cross_teacher_loss = 1.0;
  trial.teacher_norm = 1.0;
  for (auto& by_loss : trial.cells) {
    for (auto& by_epsilon : by_loss) {
      for (Cell& cell : by_epsilon) cell = Cell();
    }
  }
  trial.cells[kCrossInit][kMse][2].cosine = std::nan("");
  CHECK(trial_divergence(trial, options) == "cells[cross][mse][2].cosine");
}

// --batch against the data: the MNIST headers' training count is read while
// parsing, so too few digits is a usage error (exit 2) before any loading.
TEST_CASE("flags: a batch larger than the training images is a usage error") {
  const tools_test::ScopedEnv no_isa("TACIT_ISA", nullptr);  // parsing reads it
  data_test::TempDir dir;
  REQUIRE(tacit_tools::write_synthetic_digits(dir.path().c_str()));  // 1 training digit
  const std::string data = dir.path();
  const auto parse = [&](const char* batch) {
    std::vector<const char*> args = {"tacit-theorem", "--data", data.c_str(), "--batch",
                                     batch};
    Config config;
    return parse_args(static_cast<int>(args.size()), const_cast<char**>(args.data()), &config);
  };
  CHECK(parse("1") == ParseResult::run);
  CHECK(parse("2") == ParseResult::usage_error);
  // A directory that cannot be read is loading's to explain (exit 1).
  std::vector<const char*> args = {"tacit-theorem", "--data", "no-such-dir", "--batch", "2"};
  Config config;
  CHECK(parse_args(static_cast<int>(args.size()), const_cast<char**>(args.data()), &config) ==
        ParseResult::run);
}
