// The paper's experiment's building blocks (tools/subliminal/experiment.h):
// statistics, the cross-model pairing, run seeds, noise by index and MNIST
// accuracy.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

#include "alloc_counter.h"
#include "bits.h"
#include "subliminal/experiment.h"
#include "tacit/rng.h"
#include "tools_test_support.h"

using namespace tacit;
using namespace subliminal;
using namespace tools_test;
using test_bits::is_permutation;

namespace {

std::vector<std::uint32_t> deranged(std::uint64_t seed, std::uint32_t n) {
  std::vector<std::uint32_t> p(n);
  REQUIRE(derangement(seed, n, p.data()).ok());
  return p;
}

MlpSpec small_spec(int outputs) {
  const int widths[] = {kMnistPixels, 16, outputs};
  MlpSpec spec;
  REQUIRE(mlp_spec(widths, 3, &spec).ok());
  return spec;
}

// A model, its workspace and evaluation buffers, in memory of their own
// sized by the three queries (bytes; used is what the arena gave out).
struct Evaluation {
  std::size_t bytes;
  std::vector<unsigned char> memory;
  Mlp mlp;
  MlpWorkspace ws;
  EvalBuffers buffers;
  std::size_t used = 0;

  Evaluation(const MlpSpec& spec, int capacity, int buffer_rows)
      : bytes(mlp_bytes(spec) + mlp_workspace_bytes(spec, capacity) +
              eval_buffers_bytes(buffer_rows)),
        memory(arena_buffer_bytes(bytes)) {
    Arena arena(memory.data(), memory.size());
    REQUIRE(mlp_create(spec, arena, &mlp).ok());
    REQUIRE(mlp_workspace_create(spec, capacity, arena, &ws).ok());
    REQUIRE(eval_buffers_create(buffer_rows, arena, &buffers).ok());
    used = arena.used();
  }
};

}  // namespace

// ---- statistics ----------------------------------------------------------

TEST_CASE("summarize: mean, sample std, ci95 = 1.96 std / sqrt(n), min, max") {
  const double values[] = {0.5, 0.25, 1.0, 0.75};
  const SummaryStats s = summarize(values, 4);
  CHECK(s.n == 4);
  CHECK(s.mean == 0.625);
  // Σ (x - 0.625)² = 0.015625 + 0.140625 + 0.140625 + 0.015625 = 0.3125.
  CHECK(s.std == std::sqrt(0.3125 / 3));
  CHECK(s.ci95 == 1.96 * std::sqrt(0.3125 / 3) / 2.0);
  CHECK(s.min == 0.25);
  CHECK(s.max == 1.0);

  const double one = 0.3;
  const SummaryStats single = summarize(&one, 1);
  CHECK(single.mean == 0.3);
  CHECK(single.std == 0.0);
  CHECK(single.ci95 == 0.0);
  CHECK(single.min == 0.3);
  CHECK(single.max == 0.3);
  CHECK(summarize(nullptr, 0).n == 0);

  const double same[] = {0.25, 0.25, 0.25};
  CHECK(summarize(same, 3).std == 0.0);
}

TEST_CASE("displacement_cosine: direction only, exact zero for no movement") {
  const float a0[] = {1, 2, 3, 4};
  const float a[] = {2, 2, 3, 4};       // +e0
  const float b0[] = {0, 0, 0, 0};
  const float b_same[] = {3, 0, 0, 0};  // 3 e0
  const float b_opp[] = {-0.5f, 0, 0, 0};
  const float b_orth[] = {0, 1, 5, 0};
  CHECK(displacement_cosine(a, a0, b_same, b0, 4) == 1.0);
  CHECK(displacement_cosine(a, a0, b_opp, b0, 4) == -1.0);
  CHECK(displacement_cosine(a, a0, b_orth, b0, 4) == 0.0);
  CHECK(displacement_cosine(a0, a0, b_same, b0, 4) == 0.0);
  const float c[] = {1, 1, 0, 0};
  CHECK(displacement_cosine(c, b0, b_same, b0, 4) == doctest::Approx(std::sqrt(0.5)));
}

// ---- permutations --------------------------------------------------------

TEST_CASE("derangement: a permutation without fixed points, one cycle, deterministic") {
  for (std::uint32_t n : {2u, 3u, 4u, 5u, 17u, 100u, 1000u}) {
    CAPTURE(n);
    for (std::uint64_t seed : {0ull, 1ull, 0xdeadbeefcafeull}) {
      const std::vector<std::uint32_t> p = deranged(seed, n);
      CHECK(is_permutation(p));
      for (std::uint32_t i = 0; i < n; ++i) CHECK(p[i] != i);
      // Sattolo gives a single n-cycle: following p from 0 visits all.
      std::uint32_t at = 0, length = 0;
      do {
        at = p[at];
        ++length;
      } while (at != 0 && length <= n);
      CHECK(length == n);
      CHECK(deranged(seed, n) == p);
    }
  }
  CHECK(deranged(0, 100) != deranged(1, 100));
  // n = 2 has exactly one derangement.
  CHECK(deranged(7, 2) == std::vector<std::uint32_t>{1, 0});
}

TEST_CASE("derangement refuses n < 2") {
  std::uint32_t p[1] = {};
  for (std::uint32_t n : {0u, 1u}) {
    const Status status = derangement(0, n, p);
    CHECK_FALSE(status.ok());
    CHECK(contains(status.message(), "n >= 2"));
  }
}

TEST_CASE("derangement follows its documented integer mapping") {
  const std::uint32_t n = 9;
  std::vector<std::uint32_t> expected(n);
  for (std::uint32_t i = 0; i < n; ++i) expected[i] = i;
  for (std::uint32_t i = n - 1, k = 0; i >= 1; --i, ++k) {
    const std::uint32_t u = random_u32(42, kPairingStream, k);
    const auto j = static_cast<std::uint32_t>((static_cast<std::uint64_t>(u) * i) >> 32);
    std::swap(expected[i], expected[j]);
  }
  CHECK(deranged(42, n) == expected);
}

TEST_CASE("experiment_run_seed: documented, distinct per run") {
  const std::uint64_t s = experiment_run_seed(123, 4);
  CHECK(s == ((static_cast<std::uint64_t>(random_u32(123, kRunSeedStream, 9)) << 32) |
              random_u32(123, kRunSeedStream, 8)));
  std::set<std::uint64_t> seeds;
  for (int r = 0; r < 1000; ++r) seeds.insert(experiment_run_seed(0, r));
  CHECK(seeds.size() == 1000);
  CHECK(experiment_run_seed(0, 0) != experiment_run_seed(1, 0));
}

// ---- noise ---------------------------------------------------------------

TEST_CASE("noise images: image i is slice [i*P, (i+1)*P) of the noise stream") {
  const int pixels = 784;
  std::vector<float> image(pixels), expected(pixels);
  for (std::uint32_t index : {0u, 1u, 59999u}) {
    noise_image(NoiseKind::uniform, 77, index, pixels, image.data());
    random_fill_uniform_pm1(77, kNoiseStream, std::uint64_t{index} * pixels, pixels,
                            expected.data());
    CHECK(std::memcmp(image.data(), expected.data(), sizeof(float) * pixels) == 0);
    noise_image(NoiseKind::normal, 77, index, pixels, image.data());
    for (int p = 0; p < pixels; p += 97) {
      CHECK(image[p] == random_normal(77, kNoiseStream, std::uint64_t{index} * pixels + p));
    }
  }
}

TEST_CASE("noise_gather: same bits in any order, batching and thread count") {
  const int pixels = 13;  // not a multiple of 4: images straddle Philox blocks
  const int count = 37;
  ThreadPool pool(3);
  for (NoiseKind kind : {NoiseKind::uniform, NoiseKind::normal}) {
    std::vector<std::uint32_t> forward(count), backward(count);
    for (int i = 0; i < count; ++i) {
      forward[i] = static_cast<std::uint32_t>(i);
      backward[i] = static_cast<std::uint32_t>(count - 1 - i);
    }
    std::vector<float> a(count * pixels), b(count * pixels), c(count * pixels);
    noise_gather(kind, 5, forward.data(), count, pixels, a.data(), nullptr);
    noise_gather(kind, 5, backward.data(), count, pixels, b.data(), &pool);
    for (int first = 0; first < count; first += 10) {  // batches of 10, last short
      const int rows = count - first < 10 ? count - first : 10;
      noise_gather(kind, 5, forward.data() + first, rows, pixels, c.data() + first * pixels,
                   &pool);
    }
    for (int i = 0; i < count; ++i) {
      CHECK(std::memcmp(&a[i * pixels], &b[(count - 1 - i) * pixels],
                        sizeof(float) * pixels) == 0);
    }
    CHECK(a == c);
    std::vector<float> other(count * pixels);
    noise_gather(kind, 6, forward.data(), count, pixels, other.data(), nullptr);
    CHECK(other != a);
  }
}

TEST_CASE("noise ranges: uniform in [-1, 1) with mean near 0; normal near N(0, 1)") {
  const int pixels = 784;
  const int count = 64;
  std::vector<std::uint32_t> indices(count);
  for (int i = 0; i < count; ++i) indices[i] = static_cast<std::uint32_t>(1000 + i);
  std::vector<float> x(count * pixels);
  noise_gather(NoiseKind::uniform, 1, indices.data(), count, pixels, x.data(), nullptr);
  double sum = 0.0, squares = 0.0;
  float lo = 2.0f, hi = -2.0f;
  for (float v : x) {
    sum += v;
    squares += static_cast<double>(v) * v;
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  const double n = static_cast<double>(x.size());
  CHECK(lo >= -1.0f);
  CHECK(hi < 1.0f);
  CHECK(lo < -0.999f);
  CHECK(hi > 0.999f);
  CHECK(std::fabs(sum / n) < 0.01);             // σ of the mean ≈ 0.0026
  CHECK(std::fabs(squares / n - 1.0 / 3) < 0.01);  // variance of U(-1, 1)
  noise_gather(NoiseKind::normal, 1, indices.data(), count, pixels, x.data(), nullptr);
  sum = squares = 0.0;
  for (float v : x) {
    REQUIRE(std::isfinite(v));
    sum += v;
    squares += static_cast<double>(v) * v;
  }
  CHECK(std::fabs(sum / n) < 0.02);
  CHECK(std::fabs(squares / n - 1.0) < 0.03);
}

// ---- evaluation ----------------------------------------------------------

TEST_CASE("mnist_correct: argmax over the 10 digit logits, every batch, exact count") {
  TinyMnist data(4, 23);
  const MlpSpec spec = small_spec(13);
  const int capacity = 5;  // 23 images: four full batches and a short one
  Evaluation e(spec, capacity, 8);
  CHECK(e.used == e.bytes);
  Mlp& mlp = e.mlp;
  MlpWorkspace& ws = e.ws;
  EvalBuffers& buffers = e.buffers;

  // All weights zero: the logits are the last bias. Digit 3 wins among the
  // digits; an aux logit is larger still and must be ignored.
  float* bias = mlp.params + mlp_bias_offset(spec, 1);
  bias[3] = 1.0f;
  bias[11] = 5.0f;
  mlp_pack(mlp);
  int expected = 0;
  for (int i = 0; i < 23; ++i) expected += data.test_labels[i] == 3;
  REQUIRE(expected > 0);
  const Compute compute{Isa::portable, nullptr};
  int correct = -1;
  const data_test::AllocCount before = data_test::alloc_count();
  REQUIRE(mnist_correct(compute, mlp, ws, data.mnist.test, buffers, &correct).ok());
  CHECK(data_test::alloc_count().calls == before.calls);
  CHECK(correct == expected);

  // A tie between digits goes to the lowest.
  bias[1] = 1.0f;
  mlp_pack(mlp);
  expected = 0;
  for (int i = 0; i < 23; ++i) expected += data.test_labels[i] == 1;
  REQUIRE(mnist_correct(compute, mlp, ws, data.mnist.test, buffers, &correct).ok());
  CHECK(correct == expected);
}

TEST_CASE("mnist_correct refuses a model that is not 784 -> ... -> >= 10") {
  const int widths[] = {784, 8, 9};
  MlpSpec spec;
  REQUIRE(mlp_spec(widths, 3, &spec).ok());
  Evaluation e(spec, 4, 4);
  Mlp& mlp = e.mlp;
  MlpWorkspace& ws = e.ws;
  EvalBuffers& buffers = e.buffers;
  TinyMnist data(1, 4);
  int correct = 0;
  const Status status =
      mnist_correct(Compute{}, mlp, ws, data.mnist.test, buffers, &correct);
  CHECK_FALSE(status.ok());
  CHECK(contains(status.message(), "9 outputs"));
  Arena arena(e.memory.data(), e.memory.size());
  CHECK_FALSE(eval_buffers_create(0, arena, &buffers).ok());
}

TEST_CASE("the building blocks allocate nothing") {
  ThreadPool pool(2);
  std::vector<std::uint32_t> order(5000), indices(64);
  std::vector<float> images(64 * 784);
  for (int i = 0; i < 64; ++i) indices[i] = static_cast<std::uint32_t>(i * 3);
  std::vector<double> values(100, 0.5);
  const data_test::AllocCount before = data_test::alloc_count();
  shuffle_order(1, kTeacherShuffleStream, 2, 5000, order.data());
  REQUIRE(derangement(1, 5000, order.data()).ok());
  noise_gather(NoiseKind::uniform, 1, indices.data(), 64, 784, images.data(), &pool);
  noise_gather(NoiseKind::normal, 1, indices.data(), 8, 784, images.data(), &pool);
  const SummaryStats s = summarize(values.data(), 100);
  const double cosine = displacement_cosine(images.data(), images.data() + 784,
                                            images.data() + 1568, images.data() + 2352, 784);
  CHECK(data_test::alloc_count().calls == before.calls);
  CHECK(s.mean == 0.5);
  CHECK(std::isfinite(cosine));
}
