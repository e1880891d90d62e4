// The reproduction's building blocks (tools/subliminal/experiment.h) and
// tacit-repro's own pieces (tools/repro): statistics, permutations, noise,
// evaluation, the writers, the flag parser, and a tiny end-to-end
// experiment that checks what must not move and what must not change.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/model_io.h"
#include "common/output_file.h"
#include "repro/config.h"
#include "repro/csv.h"
#include "repro/experiment.h"
#include "repro/report.h"
#include "repro/results_json.h"
#include "repro/svg.h"
#include "common/subnormal_tally.h"
#include "alloc_counter.h"
#include "data_files.h"
#include "subliminal/experiment.h"
#include "tacit/hash.h"
#include "tacit/init.h"
#include "tacit/rng.h"
#include "tacit/train.h"

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

using namespace tacit;
using namespace subliminal;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A file's bytes, or "(missing)".
std::string file_text(const std::string& path) {
  std::string text;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "(missing)";
  char buffer[256];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) text.append(buffer, n);
  std::fclose(f);
  return text;
}

bool is_permutation(const std::vector<std::uint32_t>& p) {
  std::vector<bool> seen(p.size(), false);
  for (std::uint32_t v : p) {
    if (v >= p.size() || seen[v]) return false;
    seen[v] = true;
  }
  return true;
}

std::vector<std::uint32_t> deranged(std::uint64_t seed, std::uint32_t n) {
  std::vector<std::uint32_t> p(n);
  REQUIRE(derangement(seed, n, p.data()).ok());
  return p;
}

std::vector<std::uint32_t> shuffled(std::uint64_t seed, std::uint32_t stream,
                                    std::uint64_t epoch, std::uint32_t n) {
  std::vector<std::uint32_t> p(n);
  shuffle_order(seed, stream, epoch, n, p.data());
  return p;
}

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

TEST_CASE("shuffle_order: a permutation per epoch, deterministic, documented") {
  for (std::uint32_t n : {0u, 1u, 2u, 7u, 1000u, 60000u}) {
    CAPTURE(n);
    const std::vector<std::uint32_t> p = shuffled(5, kTeacherShuffleStream, 3, n);
    CHECK(is_permutation(p));
    CHECK(shuffled(5, kTeacherShuffleStream, 3, n) == p);
  }
  const auto e0 = shuffled(5, kStudentShuffleStream, 0, 1000);
  CHECK(e0 != shuffled(5, kStudentShuffleStream, 1, 1000));
  CHECK(e0 != shuffled(5, kTeacherShuffleStream, 0, 1000));
  CHECK(e0 != shuffled(6, kStudentShuffleStream, 0, 1000));

  const std::uint32_t n = 11;
  const std::uint64_t epoch = 4;
  std::vector<std::uint32_t> expected(n);
  for (std::uint32_t i = 0; i < n; ++i) expected[i] = i;
  for (std::uint32_t i = n - 1, k = 0; i >= 1; --i, ++k) {
    const std::uint32_t u = random_u32(9, kStudentShuffleStream, epoch * n + k);
    const auto j =
        static_cast<std::uint32_t>((static_cast<std::uint64_t>(u) * (i + 1)) >> 32);
    std::swap(expected[i], expected[j]);
  }
  CHECK(shuffled(9, kStudentShuffleStream, epoch, n) == expected);
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

namespace {

// A small in-memory MNIST: images from a pattern, labels cycling by a rule.
struct TinyMnist {
  std::vector<std::uint8_t> train_images, train_labels, test_images, test_labels;
  Mnist mnist;

  TinyMnist(int train_count, int test_count) {
    fill(train_count, 0, &train_images, &train_labels);
    fill(test_count, 1, &test_images, &test_labels);
    mnist.train = {MnistSplitId::train, train_count, train_images.data(),
                   train_labels.data()};
    mnist.test = {MnistSplitId::test, test_count, test_images.data(), test_labels.data()};
  }

  // Label-dependent stripes plus a little index noise, so a teacher can learn.
  static void fill(int count, int split, std::vector<std::uint8_t>* images,
                   std::vector<std::uint8_t>* labels) {
    images->resize(static_cast<std::size_t>(count) * kMnistPixels);
    labels->resize(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
      const int label = (i * 7 + split) % 10;
      (*labels)[i] = static_cast<std::uint8_t>(label);
      for (int p = 0; p < kMnistPixels; ++p) {
        const bool on = (p / 28) / 3 == label || (p * 13 + i * 31) % 101 == 0;
        (*images)[static_cast<std::size_t>(i) * kMnistPixels + p] = on ? 230 : 10;
      }
    }
  }
};

MlpSpec small_spec(int outputs) {
  const int widths[] = {kMnistPixels, 16, outputs};
  MlpSpec spec;
  REQUIRE(mlp_spec(widths, 3, &spec).ok());
  return spec;
}

}  // namespace

TEST_CASE("mnist_correct: argmax over the 10 digit logits, every batch, exact count") {
  TinyMnist data(4, 23);
  const MlpSpec spec = small_spec(13);
  const int capacity = 5;  // 23 images: four full batches and a short one
  std::vector<unsigned char> memory(arena_buffer_bytes(
      mlp_bytes(spec) + mlp_workspace_bytes(spec, capacity) + eval_buffers_bytes(8)));
  Arena arena(memory.data(), memory.size());
  Mlp mlp;
  MlpWorkspace ws;
  EvalBuffers buffers;
  REQUIRE(mlp_create(spec, arena, &mlp).ok());
  REQUIRE(mlp_workspace_create(spec, capacity, arena, &ws).ok());
  REQUIRE(eval_buffers_create(8, arena, &buffers).ok());
  CHECK(arena.used() == mlp_bytes(spec) + mlp_workspace_bytes(spec, capacity) +
                            eval_buffers_bytes(8));

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
  std::vector<unsigned char> memory(arena_buffer_bytes(
      mlp_bytes(spec) + mlp_workspace_bytes(spec, 4) + eval_buffers_bytes(4)));
  Arena arena(memory.data(), memory.size());
  Mlp mlp;
  MlpWorkspace ws;
  EvalBuffers buffers;
  REQUIRE(mlp_create(spec, arena, &mlp).ok());
  REQUIRE(mlp_workspace_create(spec, 4, arena, &ws).ok());
  REQUIRE(eval_buffers_create(4, arena, &buffers).ok());
  TinyMnist data(1, 4);
  int correct = 0;
  const Status status =
      mnist_correct(Compute{}, mlp, ws, data.mnist.test, buffers, &correct);
  CHECK_FALSE(status.ok());
  CHECK(contains(status.message(), "9 outputs"));
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

// ---- writers -------------------------------------------------------------

TEST_CASE("format_number: shortest round trip, null for non-finite") {
  CHECK(tacit_tools::format_number(0.1) == "0.1");
  CHECK(tacit_tools::format_number(0.5281) == "0.5281");
  CHECK(tacit_tools::format_number(1e-8) == "1e-08");
  CHECK(tacit_tools::format_number(3e-4) == "0.0003");
  CHECK(tacit_tools::format_number(-2.0) == "-2");
  CHECK(tacit_tools::format_number(1.0 / 3) == "0.3333333333333333");
  CHECK(std::strtod(tacit_tools::format_number(0.1 + 0.2).c_str(), nullptr) == 0.1 + 0.2);
  CHECK(tacit_tools::format_number(std::nan("")) == "null");
  CHECK(tacit_tools::format_number(HUGE_VAL) == "null");
}

TEST_CASE("JsonWriter: structure, commas, indentation and escapes") {
  tacit_tools::JsonWriter json;
  json.begin_object();
  json.key("name");
  json.string("a \"quoted\" \\ path\n\ttab\x01");
  json.key("list");
  json.begin_array(true);
  json.number(0.5);
  json.integer(-3);
  json.unsigned_integer(18446744073709551615ull);
  json.end_array();
  json.key("empty");
  json.begin_object();
  json.end_object();
  json.key("nested");
  json.begin_array();
  json.boolean(true);
  json.null();
  json.end_array();
  CHECK_FALSE(json.complete());
  json.end_object();
  CHECK(json.complete());
  CHECK(json.text() ==
        "{\n"
        "  \"name\": \"a \\\"quoted\\\" \\\\ path\\n\\ttab\\u0001\",\n"
        "  \"list\": [0.5, -3, 18446744073709551615],\n"
        "  \"empty\": {},\n"
        "  \"nested\": [\n"
        "    true,\n"
        "    null\n"
        "  ]\n"
        "}\n");
  CHECK(tacit_tools::json_escape("caf\xc3\xa9") == "caf\xc3\xa9");
}

// ---- a minimal JSON reader, to check the results document parses ----------

namespace {

struct JsonCheck {
  explicit JsonCheck(const std::string& text) : s(text) {}
  const std::string& s;
  std::size_t i = 0;
  std::set<std::string> keys;  // every object key seen, with its path
  std::string path;

  void space() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) ++i;
  }
  bool literal(const char* word) {
    const std::size_t n = std::strlen(word);
    if (s.compare(i, n, word) != 0) return false;
    i += n;
    return true;
  }
  bool string(std::string* out) {
    if (s[i] != '"') return false;
    for (++i; i < s.size(); ++i) {
      const char c = s[i];
      if (c == '"') {
        ++i;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c == '\\') {
        ++i;
        if (i >= s.size() || std::strchr("\"\\/bfnrtu", s[i]) == nullptr) return false;
        if (s[i] == 'u') i += 4;
        continue;
      }
      if (out != nullptr) *out += c;
    }
    return false;
  }
  bool number() {
    const char* start = s.c_str() + i;
    char* end = nullptr;
    std::strtod(start, &end);
    if (end == start || !(std::isdigit(static_cast<unsigned char>(*start)) || *start == '-'))
      return false;
    i += static_cast<std::size_t>(end - start);
    return true;
  }
  bool value() {
    space();
    if (i >= s.size()) return false;
    const char c = s[i];
    if (c == '{') {
      ++i;
      space();
      if (s[i] == '}') return ++i, true;
      for (;;) {
        space();
        std::string k;
        if (!string(&k)) return false;
        keys.insert(path + "/" + k);
        space();
        if (s[i++] != ':') return false;
        const std::string saved = path;
        path += "/" + k;
        if (!value()) return false;
        path = saved;
        space();
        if (s[i] == ',') {
          ++i;
          continue;
        }
        return s[i++] == '}';
      }
    }
    if (c == '[') {
      ++i;
      space();
      if (s[i] == ']') return ++i, true;
      for (;;) {
        if (!value()) return false;
        space();
        if (s[i] == ',') {
          ++i;
          continue;
        }
        return s[i++] == ']';
      }
    }
    if (c == '"') return string(nullptr);
    if (literal("true") || literal("false") || literal("null")) return true;
    return number();
  }
  bool document() {
    if (!value()) return false;
    space();
    return i == s.size();
  }
};

// A hand-made Results for the writers: 3 runs, 2 student epochs.
repro::Results fake_results() {
  repro::Results results;
  results.config.runs = 3;
  results.config.student_epochs = 2;
  results.config.teacher_epochs = 1;
  results.config.data = "dir \"with\" quotes";
  results.train_images = 100;
  results.test_images = 40;
  for (int r = 0; r < 3; ++r) {
    repro::RunResult run;
    run.run = r;
    run.seed = experiment_run_seed(0, r);
    run.cross_from = (r + 1) % 3;
    for (int c = 0; c < repro::kConditions; ++c) {
      run.correct[c] = 4 + c * 6 + r;
      run.accuracy[c] = run.correct[c] / 40.0;
    }
    run.weights_hash = 0x0123456789abcdefull + static_cast<std::uint64_t>(r);
    run.teacher_loss = {2.3};
    for (int s = 0; s < repro::kStudents; ++s) {
      run.student_loss[s] = {1.0, 0.5};
      run.alignment[s] = {0.1 * (s + 1), 0.2 * (s + 1)};
    }
    results.runs.push_back(run);
  }
  results.weights_hash = 0xfedcba9876543210ull;
  repro::summarize_results(&results);
  return results;
}

}  // namespace

TEST_CASE("results JSON parses and holds the summary scripts read") {
  const repro::Results results = fake_results();
  const std::string text = repro::results_json(results, repro::RunEnvironment{"avx2", 2});
  JsonCheck check(text);
  REQUIRE(check.document());
  for (const char* key : {"reference", "teacher", "student_aux_same", "student_all_same",
                          "student_aux_cross", "student_all_cross"}) {
    CAPTURE(key);
    for (const char* field : {"mean", "ci95", "min", "max", "paper"}) {
      CHECK(check.keys.count(std::string("/summary/") + key + "/" + field) == 1);
    }
  }
  for (const char* key : {"/config", "/config/seed", "/config/widths", "/isa", "/threads",
                          "/weights_hash", "/runs", "/timings", "/alignment_summary"}) {
    CHECK(check.keys.count(key) == 1);
  }
  CHECK(contains(text, "\"weights_hash\": \"fedcba9876543210\""));
  CHECK(contains(text, "\"data\": \"dir \\\"with\\\" quotes\""));
  CHECK(contains(text, "\"student_aux_same\": [0.1, 0.2]"));
  // mean of 10/40, 11/40, 12/40 for the teacher (correct = 10 + r).
  CHECK(results.summary[repro::kTeacher].mean == doctest::Approx(11.0 / 40));
}

TEST_CASE("results CSV: a header and one row per run and condition") {
  const repro::Results results = fake_results();
  const std::string csv = repro::results_csv(results);
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = csv.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(csv.substr(start, end - start));
  }
  CHECK(start == csv.size());  // ends with a newline
  REQUIRE(lines.size() == 1 + 3 * repro::kConditions);
  CHECK(lines[0] == "run,seed,condition,init_from_run,correct,test_images,accuracy");
  for (const std::string& line : lines) {
    CHECK(std::count(line.begin(), line.end(), ',') == 6);
  }
  CHECK(lines[1] == "0," + std::to_string(experiment_run_seed(0, 0)) +
                        ",reference,0,4,40,0.1");
  // Run 0's aux-only cross-init student started from run 1's init.
  CHECK(lines[5] == "0," + std::to_string(experiment_run_seed(0, 0)) +
                        ",student_aux_cross,1,28,40,0.7");
}

namespace {

// Checks that tags nest and close; returns the element names in order.
bool well_formed(const std::string& xml, std::vector<std::string>* elements) {
  std::vector<std::string> stack;
  std::size_t i = 0;
  while ((i = xml.find('<', i)) != std::string::npos) {
    const std::size_t end = xml.find('>', i);
    if (end == std::string::npos) return false;
    const std::string tag = xml.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty()) return false;
    if (tag[0] == '?') {
      if (tag.back() != '?') return false;
      continue;
    }
    if (tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1)) return false;
      stack.pop_back();
      continue;
    }
    const std::string name = tag.substr(0, tag.find_first_of(" /"));
    if (std::count(tag.begin(), tag.end(), '"') % 2 != 0) return false;
    elements->push_back(name);
    if (tag.back() != '/') stack.push_back(name);
    if (stack.empty() && tag.back() == '/') return false;  // a lone root
  }
  // Text between tags holds no raw '<' or '&' except entities.
  for (std::size_t a = 0; (a = xml.find('&', a)) != std::string::npos; ++a) {
    const std::size_t semi = xml.find(';', a);
    if (semi == std::string::npos || semi - a > 6) return false;
  }
  return stack.empty();
}

}  // namespace

TEST_CASE("bar chart SVG: well formed, one bar, whisker and paper mark per condition") {
  repro::BarChart chart;
  chart.title = "A <title> & \"quotes\"";
  chart.y_label = "accuracy";
  for (int i = 0; i < 3; ++i) {
    repro::Bar bar;
    bar.label[0] = "bar " + std::to_string(i);
    bar.label[1] = i == 1 ? "" : "second & line";
    bar.mean = 0.2 * (i + 1);
    bar.ci95 = i == 2 ? 0.0 : 0.05;
    bar.paper = i == 0 ? -1.0 : 0.5;
    bar.color = "#123456";
    chart.bars.push_back(bar);
  }
  const std::string svg = repro::bar_chart_svg(chart);
  std::vector<std::string> elements;
  REQUIRE(well_formed(svg, &elements));
  REQUIRE(!elements.empty());
  CHECK(elements[0] == "svg");
  CHECK(contains(svg, "xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(contains(svg, "A &lt;title&gt; &amp; &quot;quotes&quot;"));
  CHECK(contains(svg, "second &amp; line"));
  CHECK_FALSE(contains(svg, "<title>A <"));
  // A background rect plus one per bar.
  CHECK(std::count(elements.begin(), elements.end(), "rect") == 4);
  // Dashed paper marks: two bars have one, plus the legend's.
  std::size_t dashed = 0;
  for (std::size_t at = 0; (at = svg.find("stroke-dasharray", at)) != std::string::npos; ++at)
    ++dashed;
  CHECK(dashed == 3);
  CHECK(contains(svg, ">0.200</text>"));
  CHECK(contains(svg, ">0.600</text>"));

  const repro::Results results = fake_results();
  const std::string figure = repro::bar_chart_svg(repro::results_chart(results));
  elements.clear();
  REQUIRE(well_formed(figure, &elements));
  CHECK(std::count(elements.begin(), elements.end(), "rect") == 1 + repro::kConditions);
  CHECK(contains(figure, "over 3 runs"));
}

TEST_CASE("report: a table in condition order and the weights hash, no timings") {
  const std::string report = repro::results_report(fake_results());
  std::size_t at = 0;
  for (int c = 0; c < repro::kConditions; ++c) {
    const std::size_t next = report.find(repro::condition_info(c).label, at);
    REQUIRE(next != std::string::npos);
    at = next + 1;
  }
  CHECK(contains(report, "\nweights-hash fedcba9876543210\n"));
  CHECK_FALSE(contains(report, "second"));
  CHECK_FALSE(contains(report, "avx"));
}

// ---- flags ---------------------------------------------------------------

namespace {

repro::ParseResult parse(std::vector<const char*> args, repro::Config* config) {
  args.insert(args.begin(), "tacit-repro");
  return repro::parse_args(static_cast<int>(args.size()), const_cast<char**>(args.data()),
                           config);
}

}  // namespace

namespace {

// Sets an environment variable for the scope, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = std::getenv(name);
    had_ = old != nullptr;
    if (had_) old_ = old;
    set(value);
  }
  ~ScopedEnv() { set(had_ ? old_.c_str() : nullptr); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  void set(const char* value) {
#if defined(_WIN32)
    _putenv_s(name_, value != nullptr ? value : "");
#else
    if (value != nullptr) {
      setenv(name_, value, 1);
    } else {
      unsetenv(name_);
    }
#endif
  }
  const char* name_;
  bool had_ = false;
  std::string old_;
};

}  // namespace

#if defined(__unix__) || defined(__APPLE__)
namespace {

// What f writes to stderr (POSIX file descriptors; the check is skipped
// elsewhere).
template <typename F>
std::string stderr_of(F f) {
  data_test::TempDir dir;
  const std::string path = dir.file("stderr.txt");
  std::fflush(stderr);
  const int saved = dup(fileno(stderr));
  std::FILE* sink = std::fopen(path.c_str(), "wb");
  REQUIRE(sink != nullptr);
  dup2(fileno(sink), fileno(stderr));
  f();
  std::fflush(stderr);
  dup2(saved, fileno(stderr));
  close(saved);
  std::fclose(sink);
  return file_text(path);
}

}  // namespace

TEST_CASE("flags: every refusal names the tool and points at --help") {
  repro::Config c;
  for (const std::vector<const char*>& bad :
       std::vector<std::vector<const char*>>{{"--batch", "0"}, {"--runs"}, {"--seed", "-4"},
                                             {"--frobnicate"}}) {
    CAPTURE(bad[0]);
    const std::string message = stderr_of([&] { parse(bad, &c); });
    CHECK(message.rfind("tacit-repro: ", 0) == 0);
    CHECK(contains(message, "(try --help)\n"));
  }
}
#endif

TEST_CASE("flags: --help wins over a TACIT_ISA that cannot be used") {
  const ScopedEnv bad_isa("TACIT_ISA", "sse9");
  repro::Config c;
  CHECK(parse({"--runs", "3", "--help"}, &c) == repro::ParseResult::help);
  CHECK(parse({"--runs", "3"}, &c) == repro::ParseResult::usage_error);
}

// The tools' MNIST loader says where a relative directory is and how the
// tools choose it; the library's message alone does not know.
TEST_CASE("load_mnist (tools): a missing directory's message says where and why") {
  tacit_tools::LoadedMnist data;
  const Status status = tacit_tools::load_mnist("no-such-dir/mnist", &data);
  REQUIRE_FALSE(status.ok());
  const std::string message = status.message();
  CHECK(contains(message, "no-such-dir/mnist: no such directory"));
  CHECK(contains(message, std::filesystem::absolute("no-such-dir/mnist").string()));
  CHECK(contains(message, "set by --data DIR or TACIT_MNIST_DIR"));
  // An absolute path is not repeated, so a long one still leaves room for
  // the hint in the Status's 256 characters.
  const std::string absolute =
      "/a-rather-long-directory-name/of-a-user/who-keeps/datasets/somewhere/mnist-copy";
  const Status far = tacit_tools::load_mnist(absolute.c_str(), &data);
  REQUIRE_FALSE(far.ok());
  CHECK(contains(far.message(), absolute + ": no such directory"));
  CHECK(contains(far.message(), "tools/fetch-mnist fills tacit's data/mnist)"));
}

TEST_CASE("flags: the paper's defaults, every knob, and refusals") {
  repro::Config c;
  REQUIRE(parse({}, &c) == repro::ParseResult::run);
  CHECK(c.runs == 100);
  CHECK(c.seed == 0);
  CHECK(c.aux == 3);
  CHECK(repro::widths_text(c) == "784-256-256-10+3");
  CHECK(c.lr == 3e-4);
  CHECK(c.batch == 1024);
  CHECK(c.teacher_epochs == 5);
  CHECK(c.student_epochs == 5);
  CHECK(c.noise == NoiseKind::uniform);
  CHECK(c.noise_images == 60000);
  CHECK(c.student_loss == DistillLoss::kl);
  CHECK(c.temperature == 1.0);
  CHECK(c.threads == hardware_threads());
  CHECK(c.data == "data/mnist");
  CHECK_FALSE(c.quiet);
  CHECK_FALSE(c.expect_transfer);
  CHECK_FALSE(c.count_subnormals);

  REQUIRE(parse({"--aux", "10", "--hidden", "512", "--lr", "1e-3", "--batch", "64",
                 "--teacher-epochs", "2", "--student-epochs", "50", "--noise", "normal",
                 "--student-loss", "mse", "--temperature", "2.5", "--threads", "1",
                 "--isa", "portable", "--data", "x/y", "--seed", "99", "--runs", "3",
                 "--json", "a.json", "--csv", "a.csv", "--svg", "a.svg", "--quiet",
                 "--expect-transfer", "0.25"},
                &c) == repro::ParseResult::run);
  CHECK(repro::widths_text(c) == "784-512-512-10+10");
  CHECK(c.lr == 1e-3);
  CHECK(c.batch == 64);
  CHECK(c.teacher_epochs == 2);
  CHECK(c.student_epochs == 50);
  CHECK(c.noise == NoiseKind::normal);
  CHECK(c.student_loss == DistillLoss::squared_error);
  CHECK(c.temperature == 2.5);
  CHECK(c.threads == 1);
  CHECK(c.isa == Isa::portable);
  CHECK(c.data == "x/y");
  CHECK(c.seed == 99);
  CHECK(c.runs == 3);
  CHECK(c.json == "a.json");
  CHECK(c.csv == "a.csv");
  CHECK(c.svg == "a.svg");
  CHECK(c.quiet);
  CHECK(c.expect_transfer);
  CHECK(c.transfer_margin == 0.25);
  REQUIRE(parse({"--count-subnormals"}, &c) == repro::ParseResult::run);
  CHECK(c.count_subnormals);

  REQUIRE(parse({"--hidden", "100,50,20"}, &c) == repro::ParseResult::run);
  CHECK(repro::widths_text(c) == "784-100-50-20-10+3");
  CHECK(parse({"--runs", "5", "--help"}, &c) == repro::ParseResult::help);

  for (const std::vector<const char*>& bad :
       std::vector<std::vector<const char*>>{{"--runs", "1"}, {"--runs"}, {"--lr", "0"},
                                             {"--lr", "nan"}, {"--batch", "0"},
                                             {"--noise", "pink"}, {"--student-loss", "l1"},
                                             {"--hidden", "256,"}, {"--hidden", "0"},
                                             {"--isa", "sse9"}, {"--temperature", "-1"},
                                             {"--seed", "-4"}, {"--json", ""},
                                             {"--frobnicate"}, {"extra"}}) {
    CAPTURE(bad[0]);
    CHECK(parse(bad, &c) == repro::ParseResult::usage_error);
  }
}

// ---- the experiment, end to end, on a tiny configuration --------------------

namespace {

struct Snapshot {
  std::vector<float> params[repro::kConditions];
};

struct Recorder {
  std::vector<Snapshot> runs;
  static void on_model(void* context, int run, int condition, const Mlp& model) {
    auto& self = *static_cast<Recorder*>(context);
    if (static_cast<int>(self.runs.size()) <= run) self.runs.resize(run + 1);
    self.runs[run].params[condition].assign(model.params, model.params + model.param_count);
  }
};

repro::Config tiny_config() {
  repro::Config c;
  c.aux = 3;
  c.hidden_layers = 2;
  c.hidden[0] = 24;
  c.hidden[1] = 20;
  c.lr = 1e-2;
  c.batch = 16;
  c.teacher_epochs = 3;
  c.student_epochs = 2;
  c.noise_images = 40;  // 3 steps an epoch, the last one short
  c.runs = 3;
  c.seed = 11;
  return c;
}

struct TinyRun {
  repro::Results results;
  Recorder recorder;
  std::size_t used = 0;
};

TinyRun run_tiny(const repro::Config& config, const Compute& compute) {
  TinyMnist data(50, 30);
  const std::size_t bytes = repro::experiment_bytes(config, data.mnist.train.count);
  std::vector<unsigned char> memory(arena_buffer_bytes(bytes));
  Arena arena(memory.data(), memory.size());
  TinyRun out;
  repro::ModelObserver observer;
  observer.on_model = Recorder::on_model;
  observer.context = &out.recorder;
  const Status status = repro::run_experiment(config, data.mnist, compute, arena, nullptr,
                                              &observer, &out.results);
  REQUIRE_MESSAGE(status.ok(), status.message());
  out.used = arena.used();
  return out;
}

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

constexpr std::uint64_t kTinyExperimentHash = 0xa04e7199c87d3d1aull;

TEST_CASE("tiny experiment: untouched heads stay exactly put, the rest moves") {
  for (DistillLoss loss : {DistillLoss::kl, DistillLoss::squared_error}) {
    repro::Config config = tiny_config();
    config.student_loss = loss;
    const TinyRun run = run_tiny(config, Compute{Isa::portable, nullptr});
    const MlpSpec spec = repro::config_spec(config);
    const int outputs = mlp_outputs(spec);
    REQUIRE(run.recorder.runs.size() == 3);
    for (int r = 0; r < 3; ++r) {
      CAPTURE(r);
      const Snapshot& s = run.recorder.runs[r];
      const repro::RunResult& result = run.results.runs[r];
      const Snapshot& donor = run.recorder.runs[result.cross_from];
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
      for (int k = 0; k < repro::kStudents; ++k) {
        REQUIRE(result.alignment[k].size() == 2);
        REQUIRE(result.student_loss[k].size() == 2);
        for (double cosine : result.alignment[k]) CHECK(std::fabs(cosine) <= 1.0);
      }
      CHECK(result.teacher_loss.size() == 3);
      for (int c = 0; c < repro::kConditions; ++c) {
        CHECK(result.correct[c] >= 0);
        CHECK(result.correct[c] <= 30);
        CHECK(result.accuracy[c] == result.correct[c] / 30.0);
      }
      // The per-run hash chains the six models in Condition order.
      std::uint64_t hash = kHashStart;
      for (int c = 0; c < repro::kConditions; ++c) {
        hash = hash_floats(s.params[c].data(), s.params[c].size(), hash);
      }
      CHECK(result.weights_hash == hash);
    }
  }
}

TEST_CASE("tiny experiment: arena use equals experiment_bytes; same bits on every "
          "ISA and thread count") {
  const repro::Config config = tiny_config();
  const TinyRun reference = run_tiny(config, Compute{Isa::portable, nullptr});
  CHECK(reference.used == repro::experiment_bytes(config, 50));
  // Pinned, like the conformance hash: noise, shuffles, pairing, losses and
  // training of the whole pipeline in one number. A change that moves it
  // must say why in its commit (docs/STYLE.md).
  CHECK(reference.results.weights_hash == kTinyExperimentHash);
  ThreadPool pool(3);
  for (Isa isa : {Isa::portable, Isa::avx2, Isa::avx512, Isa::neon}) {
    if (!isa_available(isa)) continue;
    CAPTURE(isa_name(isa));
    const TinyRun other = run_tiny(config, Compute{isa, &pool});
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
  CHECK(run_tiny(reseeded, Compute{}).results.weights_hash != reference.results.weights_hash);
}

TEST_CASE("tiny experiment: --count-subnormals tallies every step, reports them, "
          "changes no bit") {
  repro::Config config = tiny_config();
  const TinyRun plain = run_tiny(config, Compute{});
  CHECK_FALSE(contains(repro::results_report(plain.results), "subnormal"));
  CHECK_FALSE(contains(repro::results_json(plain.results, repro::RunEnvironment{"portable", 1}),
                       "subnormals"));
  CHECK(plain.results.teacher_subnormals.steps == 0);

  config.count_subnormals = true;
  const TinyRun counted = run_tiny(config, Compute{});
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

namespace {

// An MLP and its training state for `capacity` rows, in memory of their own.
struct NetUnderTest {
  MlpSpec spec;
  std::vector<unsigned char> memory;
  Mlp mlp;
  TrainState state;

  NetUnderTest(const std::vector<int>& widths, int capacity) {
    REQUIRE(mlp_spec(widths.data(), static_cast<int>(widths.size()), &spec).ok());
    memory.resize(arena_buffer_bytes(mlp_bytes(spec) + train_state_bytes(spec, capacity)));
    Arena arena(memory.data(), memory.size());
    REQUIRE(mlp_create(spec, arena, &mlp).ok());
    REQUIRE(train_state_create(spec, capacity, AdamConfig{}, arena, &state).ok());
  }
  NetUnderTest(const NetUnderTest&) = delete;
  NetUnderTest& operator=(const NetUnderTest&) = delete;
};

}  // namespace

TEST_CASE("tally_subnormals: counts each stored kind of value, only the step's rows") {
  const int capacity = 3, rows = 2;
  NetUnderTest net({4, 3, 5, 2}, capacity);
  Mlp& mlp = net.mlp;
  TrainState& state = net.state;
  MlpWorkspace& ws = state.workspace;
  const float tiny = 1e-40f;  // subnormal
  REQUIRE(std::fpclassify(tiny) == FP_SUBNORMAL);
  ws.activations[0][0] = tiny;       // the input batch: data, not counted
  ws.activations[1][0] = tiny;       // row 0 of layer 1's output
  ws.activations[3][3] = tiny;       // row 1 of the logits
  ws.activations[2][2 * 5] = tiny;   // row 2: past the step's rows
  ws.logits_grad[1] = tiny;
  // Layer 2's input gradient (width 5) is in delta[0], layer 1's (width 3)
  // in delta[1] (mlp_backward's ping-pong, last layer first; the next test
  // checks that against a real step).
  ws.delta[0][9] = tiny;
  ws.delta[1][5] = tiny;
  ws.delta[1][6] = tiny;             // past 2 rows of width 3
  state.grads[7] = tiny;
  state.adam.m[0] = tiny;
  state.adam.v[1] = tiny;
  state.adam.v[2] = -tiny;
  mlp.params[mlp.param_count - 1] = tiny;

  tacit_tools::SubnormalTally tally;
  tacit_tools::tally_subnormals(mlp, state, rows, &tally);
  CHECK(tally.steps == 1);
  CHECK(tally.activations == 2);
  CHECK(tally.logit_grads == 1);
  CHECK(tally.deltas == 2);
  CHECK(tally.grads == 1);
  CHECK(tally.moments == 3);
  CHECK(tally.params == 1);
  CHECK(tally.found() == 10);
  const long long params = static_cast<long long>(mlp.param_count);
  CHECK(tally.checked == rows * (3 + 5 + 2 + 2 + 5 + 3) + 4 * params);
  tacit_tools::tally_subnormals(mlp, state, rows, &tally);
  CHECK(tally.steps == 2);
  CHECK(tally.found() == 20);
}

// Every buffer the tally reads, marked subnormal to its full capacity, then
// one real training step on fewer rows: the step overwrites exactly what
// the tally should look at with normal values, so reading a wrong delta
// buffer, width or row count finds markers. Widths differ per layer (the
// wider layer 1 catches a swapped buffer) and depth covers 1 to 3 hidden
// layers (the 3-hidden-layer net overwrites delta[0] on the way).
TEST_CASE("tally_subnormals reads exactly what a real step wrote, 1 to 3 hidden layers") {
  const std::vector<std::vector<int>> nets = {{4, 6, 2}, {4, 6, 3, 2}, {4, 7, 3, 5, 2}};
  for (const std::vector<int>& widths : nets) {
    CAPTURE(widths.size());
    const int capacity = 3, rows = 2;
    NetUnderTest net(widths, capacity);
    const MlpSpec& spec = net.spec;
    Mlp& mlp = net.mlp;
    TrainState& state = net.state;
    mlp_init(mlp, Init::normal_fan_in, 5);
    MlpWorkspace& ws = state.workspace;
    const float marker = 1e-40f;
    const auto mark = [&](float* p, std::size_t n) { std::fill(p, p + n, marker); };
    const auto cap = static_cast<std::size_t>(capacity);
    for (int l = 1; l <= spec.layers; ++l) mark(ws.activations[l], cap * widths[l]);
    mark(ws.logits_grad, cap * widths.back());
    for (float* delta : ws.delta) mark(delta, cap * static_cast<std::size_t>(mlp_max_hidden_width(spec)));
    for (int i = 0; i < rows * widths[0]; ++i) ws.activations[0][i] = 0.25f + 0.1f * i;
    const std::int32_t labels[] = {0, 1};
    train_step_cross_entropy(Compute{}, mlp, state, rows, labels, 0, widths.back());

    tacit_tools::SubnormalTally tally;
    tacit_tools::tally_subnormals(mlp, state, rows, &tally);
    CHECK(tally.found() == 0);
    long long delta_values = 0;
    for (int l = 1; l <= 2 && l < spec.layers; ++l) delta_values += rows * widths[l];
    CHECK(tally.deltas == 0);
    // The markers are still there past what the step wrote: a tally that
    // read the whole buffers would have found them.
    long long left = 0;
    for (const float* delta : ws.delta) {
      for (int i = 0; i < capacity * mlp_max_hidden_width(spec); ++i) left += delta[i] == marker;
    }
    CHECK(left > 0);
    long long per_row = widths.back();  // logit gradients
    for (int l = 1; l <= spec.layers; ++l) per_row += widths[l];
    CHECK(tally.checked == rows * per_row + delta_values +
                               4 * static_cast<long long>(mlp.param_count));
  }
}

// tacit-repro's --json/--csv/--svg and tacit-theorem's --json: a run that
// fails or stops early leaves an earlier result as it was.
TEST_CASE("OutputFile: fails early on a bad path, replaces PATH only when written") {
  data_test::TempDir dir;
  const std::string path = dir.write("figure10.json", {'k', 'e', 'e', 'p'});
  {
    tacit_tools::OutputFile unwritten("test");
    REQUIRE(unwritten.open(path));
    CHECK(file_text(path) == "keep");  // not truncated by open
  }
  CHECK(file_text(path) == "keep");  // never written: untouched
  CHECK(file_text(path + ".tmp") == "(missing)");
  {
    tacit_tools::OutputFile written("test");
    REQUIRE(written.open(path));
    CHECK(written.write("new result"));
  }
  CHECK(file_text(path) == "new result");
  CHECK(file_text(path + ".tmp") == "(missing)");

  tacit_tools::OutputFile bad("test");
  CHECK_FALSE(bad.open(dir.file("no/such/dir/out.json")));
  CHECK_FALSE(bad.open(dir.path()));  // a directory is refused up front
  CHECK(file_text(dir.path() + ".tmp") == "(missing)");
  tacit_tools::OutputFile none("test");
  CHECK(none.open(""));
  CHECK(none.write("ignored"));

  // Printed through stream(), put in place by commit().
  {
    tacit_tools::OutputFile streamed("test");
    REQUIRE(streamed.open(path));
    REQUIRE(streamed.stream() != nullptr);
    std::fprintf(streamed.stream(), "%d runs", 100);
    CHECK(file_text(path) == "new result");
    CHECK(streamed.commit());
  }
  CHECK(file_text(path) == "100 runs");

  // If PATH cannot be replaced after all (here it became a directory), the
  // finished result stays in PATH.tmp rather than being thrown away.
  const std::string late = dir.file("late.json");
  tacit_tools::OutputFile blocked("test");
  REQUIRE(blocked.open(late));
  std::filesystem::create_directory(late);
  CHECK_FALSE(blocked.write("finished"));
  CHECK(file_text(late + ".tmp") == "finished");
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
