// Sizes, the golden hash of the determinism contract, and equality across
// ISAs and thread counts.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <cstring>
#include <vector>

#include "bits.h"
#include "golden.h"
#include "isa_list.h"
#include "conformance/conformance.h"
#include "tacit/init.h"
#include "tacit/mlp.h"
#include "tacit/train.h"

using namespace tacit;
using namespace tacit_tools;
using test_isa::available_isas;

namespace {

ConformanceResult run_conformance(Isa isa, int threads, int steps) {
  ConformanceConfig config;
  config.steps = steps;
  std::vector<unsigned char> memory(arena_buffer_bytes(conformance_bytes(config)));
  Arena arena(memory.data(), memory.size());
  ThreadPool pool(threads);
  ConformanceResult result;
  const Status status = conformance_run(Compute{isa, &pool}, config, arena, &result);
  REQUIRE_MESSAGE(status.ok(), status.message());
  // The size query is exact: the run used every byte it asked for.
  CHECK(arena.used() == conformance_bytes(config));
  return result;
}

ConformanceResult run_mixed(Isa isa, int threads) {
  ConformanceConfig config;
  std::vector<unsigned char> memory(arena_buffer_bytes(conformance_mixed_bytes(config)));
  Arena arena(memory.data(), memory.size());
  ThreadPool pool(threads);
  ConformanceResult result;
  const Status status = conformance_mixed_run(Compute{isa, &pool}, config, arena, &result);
  REQUIRE_MESSAGE(status.ok(), status.message());
  CHECK(arena.used() == conformance_mixed_bytes(config));
  return result;
}

MlpSpec paper_spec() {
  const int widths[] = {784, 256, 256, 13};
  MlpSpec spec;
  REQUIRE(mlp_spec(widths, 4, &spec).ok());
  return spec;
}

}  // namespace

TEST_CASE("golden hash: every ISA and thread count gives the same bits") {
  // The determinism contract in one number: tacit-conformance's default run
  // (50 steps per phase, seed 0), `conformance` in tests/golden-hashes. A
  // change that moves it must say why in its commit (docs/STYLE.md).
  const std::uint64_t golden = test_golden::golden_hash("conformance");
  REQUIRE(golden != 0);
  for (Isa isa : available_isas()) {
    for (int threads : {1, 2, 3}) {
      CAPTURE(isa_name(isa));
      CAPTURE(threads);
      const ConformanceResult result = run_conformance(isa, threads, 50);
      CHECK(result.hash == golden);
      // And it learned: the losses fell in both phases.
      CHECK(result.teacher_last_loss < 0.5f * result.teacher_first_loss);
      CHECK(result.student_last_loss < 0.5f * result.student_first_loss);
    }
  }
}

TEST_CASE("golden mixed-activation hash: every ISA and thread count gives the same bits") {
  // tanh, GELU and sigmoid hidden layers through the same training:
  // `hash-mixed` of tacit-conformance, `conformance-mixed` in tests/golden-hashes.
  const std::uint64_t golden = test_golden::golden_hash("conformance-mixed");
  REQUIRE(golden != 0);
  for (Isa isa : available_isas()) {
    for (int threads : {1, 2, 3}) {
      CAPTURE(isa_name(isa));
      CAPTURE(threads);
      const ConformanceResult result = run_mixed(isa, threads);
      CHECK(result.hash == golden);
      CHECK(result.teacher_last_loss < 0.5f * result.teacher_first_loss);
      CHECK(result.student_last_loss < 0.5f * result.student_first_loss);
    }
  }
}

TEST_CASE("size queries equal what creation takes, exactly") {
  const MlpSpec spec = paper_spec();
  for (int batch : {1, 64, 1000, 1024}) {
    const std::size_t model = mlp_bytes(spec);
    const std::size_t state = train_state_bytes(spec, batch);
    std::vector<unsigned char> memory(arena_buffer_bytes(model + state));
    Arena arena(memory.data(), memory.size());
    Mlp mlp;
    TrainState train;
    REQUIRE(mlp_create(spec, arena, &mlp).ok());
    CHECK(arena.used() == model);
    REQUIRE(train_state_create(spec, batch, AdamConfig{}, arena, &train).ok());
    CHECK(arena.used() == model + state);
  }
  CHECK(mlp_param_count(spec) == 784 * 256 + 256 + 256 * 256 + 256 + 256 * 13 + 13);
}

TEST_CASE("creation refuses an arena that is too small, naming the query") {
  const MlpSpec spec = paper_spec();
  std::vector<unsigned char> memory(arena_buffer_bytes(mlp_bytes(spec) - 64));
  Arena arena(memory.data(), memory.size());
  Mlp mlp;
  const Status status = mlp_create(spec, arena, &mlp);
  CHECK_FALSE(status.ok());
  CHECK(std::strstr(status.message(), "mlp_bytes") != nullptr);
  CHECK(arena.used() == 0);
}

TEST_CASE("mlp_spec refuses bad widths with a message") {
  MlpSpec spec;
  const int zero[] = {784, 0, 10};
  CHECK_FALSE(mlp_spec(zero, 3, &spec).ok());
  const int one[] = {784};
  CHECK_FALSE(mlp_spec(one, 1, &spec).ok());
  const int deep[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  const Status status = mlp_spec(deep, 10, &spec);
  CHECK_FALSE(status.ok());
  CHECK(std::strstr(status.message(), "10 widths") != nullptr);
}

TEST_CASE("initializers: same seed same bits, the paper's statistics") {
  const MlpSpec spec = paper_spec();
  std::vector<unsigned char> memory(arena_buffer_bytes(2 * mlp_bytes(spec)));
  Arena arena(memory.data(), memory.size());
  Mlp a, b;
  REQUIRE(mlp_create(spec, arena, &a).ok());
  REQUIRE(mlp_create(spec, arena, &b).ok());
  mlp_init(a, Init::normal_fan_in, 7);
  mlp_init(b, Init::normal_fan_in, 7);
  CHECK(std::memcmp(a.params, b.params, a.param_count * sizeof(float)) == 0);
  mlp_init(b, Init::normal_fan_in, 8);
  CHECK(std::memcmp(a.params, b.params, a.param_count * sizeof(float)) != 0);

  // Layer 0: weights with std 1/sqrt(784) = 1/28, zero biases.
  const ConstMatrix w = mlp_weight(a, 0);
  double sum = 0, squares = 0;
  const int n = w.rows * w.cols;
  for (int i = 0; i < n; ++i) {
    sum += w.data[i];
    squares += static_cast<double>(w.data[i]) * w.data[i];
  }
  const double mean = sum / n;
  const double std = std::sqrt(squares / n - mean * mean);
  CHECK(std::fabs(mean) < 5.0 / 28 / std::sqrt(n));
  CHECK(std::fabs(std - 1.0 / 28) < 0.01 / 28);
  for (int j = 0; j < 256; ++j) CHECK(mlp_bias(a, 0)[j] == 0.0f);

  // PyTorch's default: within ±1/sqrt(fan_in), biases too.
  mlp_init(b, Init::torch_default, 7);
  const ConstMatrix w2 = mlp_weight(b, 1);
  for (int i = 0; i < w2.rows * w2.cols; ++i) CHECK(std::fabs(w2.data[i]) <= 1.0f / 16);
  bool nonzero_bias = false;
  for (int j = 0; j < 256; ++j) nonzero_bias |= mlp_bias(b, 1)[j] != 0.0f;
  CHECK(nonzero_bias);
  // The packed copy is the transpose.
  const ConstMatrix packed = mlp_packed_weight(b, 1);
  CHECK(packed.data[3 * 256 + 5] == w2.data[5 * 256 + 3]);
}

TEST_CASE("argmax_rows picks the first maximum within the range") {
  const float logits[2 * 4] = {1.0f, 3.0f, 3.0f, 9.0f, -1.0f, -2.0f, -0.5f, 0.0f};
  std::int32_t out[2];
  REQUIRE(argmax_rows(const_matrix(logits, 2, 4), out, Columns{0, 3}));
  CHECK(out[0] == 1);
  CHECK(out[1] == 2);
  REQUIRE(argmax_rows(const_matrix(logits, 2, 4), out, Columns{1, 4}));
  CHECK(out[0] == 2);
  CHECK(out[1] == 2);
  REQUIRE(argmax_rows(const_matrix(logits, 2, 4), out));  // every column
  CHECK(out[0] == 3);
  CHECK(out[1] == 3);
}

TEST_CASE("argmax_rows refuses columns outside the logits") {
  const float logits[2 * 4] = {};
  std::int32_t out[2] = {-7, -7};
  for (const Columns bad : {Columns{0, 5}, Columns{-1, 2}, Columns{2, 2}, Columns{3, 1}}) {
    const Status s = argmax_rows(const_matrix(logits, 2, 4), out, bad);
    CHECK_FALSE(s.ok());
    CHECK(test_bits::contains(s, "argmax_rows: columns"));
  }
  CHECK(out[0] == -7);  // nothing written
}

TEST_CASE("sizes that would wrap a 32-bit size_t are refused at the spec and the batch") {
  // 2^20 x 2^20 weights: 2^40 parameters, within every width limit. mlp_spec
  // used to accept it, so a 32-bit target sized the model modulo 2^32.
  MlpSpec spec;
  const int huge[] = {1 << 20, 1 << 20};
  const Status status = mlp_spec(huge, 2, &spec);
  CHECK_FALSE(status.ok());
  CHECK(std::strstr(status.message(), "parameters; expected at most") != nullptr);
  const int largest[] = {(1 << 14) - 1, 1 << 14};  // (2^14 - 1 + 1) * 2^14 = kMlpMaxParams
  CHECK(mlp_spec(largest, 2, &spec).ok());

  const MlpSpec paper = paper_spec();
  CHECK(mlp_max_batch(paper) == static_cast<int>(kMlpMaxParams / 784));
  Arena empty;
  MlpWorkspace ws;
  const Status too_big = mlp_workspace_create(paper, mlp_max_batch(paper) + 1, empty, &ws);
  CHECK_FALSE(too_big.ok());
  CHECK(std::strstr(too_big.message(), "batch capacity") != nullptr);
}

TEST_CASE("backward's delta buffers are sized by the hidden layers only") {
  const MlpSpec paper = paper_spec();
  CHECK(mlp_max_hidden_width(paper) == 256);
  const int no_hidden[] = {784, 10};
  MlpSpec linear;
  REQUIRE(mlp_spec(no_hidden, 2, &linear).ok());
  CHECK(mlp_max_hidden_width(linear) == 0);
  // Activations of every layer + logits gradient + two deltas of 256 wide.
  const std::size_t batch = 64;
  CHECK(mlp_workspace_bytes(paper, 64) ==
        arena_floats_bytes(batch * 784) + 2 * arena_floats_bytes(batch * 256) +
            2 * arena_floats_bytes(batch * 13) + 2 * arena_floats_bytes(batch * 256));
}
