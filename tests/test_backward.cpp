// Backward passes against central differences of an independent double
// model (tests/reference_mlp.h), weight by weight, for every loss.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

#include "reference_mlp.h"
#include "tacit/init.h"
#include "tacit/loss.h"
#include "tacit/math.h"
#include "tacit/mlp.h"

using namespace tacit;

namespace {

enum class LossKind { cross_entropy, kl, squared_error };

struct Case {
  std::vector<int> widths;
  int batch;
  LossKind loss;
  int lo, hi;
  float temperature;
  std::vector<Activation> activations = {};  // per hidden layer; empty: ReLU
};

float fixed_value(int i, int salt) {
  // Deterministic, irregular values in (-1, 1) without any generator.
  return static_cast<float>(std::sin(0.7 * i + 1.3 * salt) * 0.9);
}

void check_case(const Case& c) {
  CAPTURE(c.widths.size());
  CAPTURE(static_cast<int>(c.loss));
  CAPTURE(c.lo);
  CAPTURE(c.hi);
  CAPTURE(c.temperature);
  CAPTURE(c.activations.size());
  MlpSpec spec;
  REQUIRE(mlp_spec_activations(c.widths.data(), static_cast<int>(c.widths.size()),
                               c.activations.data(), &spec).ok());
  std::vector<int> codes;
  for (Activation a : c.activations) codes.push_back(static_cast<int>(a));
  std::vector<unsigned char> memory(arena_buffer_bytes(
      mlp_bytes(spec) + mlp_workspace_bytes(spec, c.batch)));
  Arena arena(memory.data(), memory.size());
  Mlp mlp;
  MlpWorkspace ws;
  REQUIRE(mlp_create(spec, arena, &mlp).ok());
  REQUIRE(mlp_workspace_create(spec, c.batch, arena, &ws).ok());
  mlp_init(mlp, Init::torch_default, 42);  // nonzero biases, so they are checked

  const int in = spec.widths[0];
  const int out = mlp_outputs(spec);
  Matrix x = mlp_input(ws, c.batch);
  std::vector<double> x_ref;
  for (int i = 0; i < c.batch * in; ++i) {
    x.data[i] = fixed_value(i, 1);
    x_ref.push_back(x.data[i]);
  }
  std::vector<float> teacher(static_cast<std::size_t>(c.batch) * out);
  std::vector<double> teacher_ref;
  for (int i = 0; i < c.batch * out; ++i) {
    teacher[i] = 2.0f * fixed_value(i, 2);
    teacher_ref.push_back(teacher[i]);
  }
  std::vector<std::int32_t> labels;
  for (int r = 0; r < c.batch; ++r) labels.push_back((r * 7 + 3) % (c.hi - c.lo));

  // tacit: forward, loss, backward.
  const Compute compute{Isa::portable, nullptr};
  REQUIRE(mlp_forward(compute, mlp, ws, c.batch));
  const ConstMatrix logits = mlp_logits(ws, c.batch);
  const Matrix grad = mlp_logits_grad(ws, c.batch);
  const ConstMatrix teacher_view = const_matrix(teacher.data(), c.batch, out);
  float loss = 0;
  const Columns columns{c.lo, c.hi};
  Status status;
  switch (c.loss) {
    case LossKind::cross_entropy:
      status = softmax_cross_entropy(logits, labels.data(), grad, &loss, columns);
      break;
    case LossKind::kl:
      status = kl_divergence(logits, teacher_view, c.temperature, grad, &loss, columns);
      break;
    case LossKind::squared_error:
      status = squared_error(logits, teacher_view, grad, &loss, columns);
      break;
  }
  REQUIRE(status);
  std::vector<float> grads(mlp.param_count);
  REQUIRE(mlp_backward(compute, mlp, ws, c.batch, grads.data()));

  // Reference: the same parameters in double.
  reference::Net net{c.widths, std::vector<double>(mlp.params, mlp.params + mlp.param_count),
                     codes};
  auto ref_loss = [&]() {
    const auto z = net.forward(x_ref, c.batch);
    switch (c.loss) {
      case LossKind::cross_entropy:
        return reference::cross_entropy(z, out, c.batch, c.lo, c.hi, labels.data());
      case LossKind::kl:
        return reference::kl(teacher_ref, z, out, c.batch, c.lo, c.hi, c.temperature);
      case LossKind::squared_error:
        return reference::squared_error(teacher_ref, z, out, c.batch, c.lo, c.hi);
    }
    return 0.0;
  };
  const double loss_ref = ref_loss();
  CHECK(std::fabs(loss - loss_ref) <= 1e-5 * std::fabs(loss_ref) + 1e-6);

  int mismatches = 0;
  double worst = 0;
  for (std::size_t i = 0; i < mlp.param_count; ++i) {
    const double saved = net.params[i];
    const double h = 1e-5;
    net.params[i] = saved + h;
    const double up = ref_loss();
    net.params[i] = saved - h;
    const double down = ref_loss();
    net.params[i] = saved;
    const double numeric = (up - down) / (2 * h);
    const double error = std::fabs(grads[i] - numeric);
    worst = std::fmax(worst, error);
    if (error > 1e-5 + 1e-3 * std::fabs(numeric)) {
      ++mismatches;
      MESSAGE("parameter " << i << ": tacit " << grads[i] << ", central difference "
                           << numeric);
    }
  }
  CHECK(mismatches == 0);
  // Not all zero: the check must have had something to compare.
  double norm = 0;
  for (float g : grads) norm += std::fabs(g);
  CHECK(norm > 1e-3);
}

}  // namespace

TEST_CASE("cross-entropy backward matches central differences") {
  check_case({{9, 7, 6, 5}, 3, LossKind::cross_entropy, 0, 3, 1.0f});
  check_case({{9, 7, 6, 5}, 4, LossKind::cross_entropy, 0, 5, 1.0f});
  check_case({{4, 6}, 2, LossKind::cross_entropy, 1, 5, 1.0f});       // no hidden layer
  check_case({{5, 8, 3, 7, 4, 6}, 3, LossKind::cross_entropy, 2, 6, 1.0f});  // deep
}

TEST_CASE("KL distillation backward matches central differences") {
  check_case({{9, 7, 6, 5}, 3, LossKind::kl, 3, 5, 1.0f});  // aux logits only
  check_case({{9, 7, 6, 5}, 3, LossKind::kl, 0, 5, 1.0f});  // all logits
  check_case({{9, 7, 6, 5}, 3, LossKind::kl, 3, 5, 2.0f});  // temperature
  check_case({{9, 7, 6, 5}, 2, LossKind::kl, 1, 4, 0.5f});
  // More logits than kl_divergence keeps exps for (64): it computes the
  // teacher's again, and must get the same gradient.
  check_case({{6, 5, 70}, 2, LossKind::kl, 3, 70, 1.0f});
}

TEST_CASE("squared-error backward matches central differences") {
  check_case({{9, 7, 6, 5}, 3, LossKind::squared_error, 3, 5, 1.0f});
  check_case({{9, 7, 6, 5}, 4, LossKind::squared_error, 0, 5, 1.0f});
}

TEST_CASE("tanh, sigmoid and GELU backward match central differences") {
  const Activation t = Activation::tanh, s = Activation::sigmoid, g = Activation::gelu,
                   r = Activation::relu;
  for (Activation a : {t, s, g}) {
    CAPTURE(activation_name(a));
    check_case({{9, 7, 6, 5}, 3, LossKind::cross_entropy, 0, 5, 1.0f, {a, a}});
    check_case({{9, 7, 6, 5}, 3, LossKind::kl, 3, 5, 2.0f, {a, a}});
    check_case({{9, 7, 6, 5}, 4, LossKind::squared_error, 0, 5, 1.0f, {a, a}});
  }
  // Every pair of neighbours, ReLU among them, in one deep model.
  check_case({{5, 8, 3, 7, 4, 6, 5}, 3, LossKind::cross_entropy, 2, 5, 1.0f, {t, g, s, r, g}});
  check_case({{5, 8, 3, 7, 4, 6, 5}, 3, LossKind::kl, 0, 5, 1.0f, {g, r, t, s, t}});
}

TEST_CASE("losses leave the gradient zero outside their columns") {
  const float logits[2 * 5] = {0.1f, -2.0f, 3.0f, 0.5f, 0.25f, 1.0f, 1.0f, 1.0f, -1.0f, 2.0f};
  const float teacher[2 * 5] = {1.0f, 0.0f, -1.0f, 2.0f, 0.5f, 0.0f, 0.0f, 0.0f, 3.0f, -3.0f};
  const std::int32_t labels[2] = {1, 0};
  float grad[2 * 5];
  for (int which = 0; which < 3; ++which) {
    for (float& g : grad) g = 99.0f;
    const ConstMatrix s = const_matrix(logits, 2, 5);
    const ConstMatrix t = const_matrix(teacher, 2, 5);
    const Columns aux{3, 5};
    Status status;
    if (which == 0) status = softmax_cross_entropy(s, labels, matrix(grad, 2, 5), nullptr, aux);
    if (which == 1) status = kl_divergence(s, t, 1.0f, matrix(grad, 2, 5), nullptr, aux);
    if (which == 2) status = squared_error(s, t, matrix(grad, 2, 5), nullptr, aux);
    REQUIRE(status);
    for (int r = 0; r < 2; ++r)
      for (int j = 0; j < 3; ++j) CHECK(grad[r * 5 + j] == 0.0f);
    CHECK(grad[3] != 0.0f);
  }
}

TEST_CASE("KL of identical distributions is zero with zero gradient") {
  const float logits[3] = {0.3f, -1.0f, 2.0f};
  float grad[3];
  float loss = -1.0f;
  REQUIRE(kl_divergence(const_matrix(logits, 1, 3), const_matrix(logits, 1, 3), 1.0f,
                        matrix(grad, 1, 3), &loss));
  CHECK(std::fabs(loss) < 1e-6f);
  for (float g : grad) CHECK(g == 0.0f);
}

namespace {

// One row's softmax over [lo, hi) at temperature T in the steps loss.h's
// functions promise: the max over T, each z/T less it, exp_f32 of each,
// their sum in increasing j from +0, log_f32 of the sum.
struct RowSoftmax {
  std::vector<float> shifted, exps;
  float sum = 0.0f, log_sum = 0.0f;
  RowSoftmax(const float* z, int lo, int hi, float t) {
    float m = z[lo];
    for (int j = lo + 1; j < hi; ++j) m = z[j] > m ? z[j] : m;
    const float max = m / t;
    for (int j = lo; j < hi; ++j) {
      shifted.push_back(z[j] / t - max);
      exps.push_back(exp_f32(shifted.back()));
      sum += exps.back();
    }
    log_sum = log_f32(sum);
  }
};

bool same_float(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

// The library computes the softmaxes of blocks of rows at once (one exp and
// one log call per block; a row wider than the block's 512-float buffers
// passes through them in pieces): every row must still get the bits of the
// row-by-row steps, for widths (hi - lo) on either side of the buffer's
// size and of twice it, and blocks of up to 32 rows.
TEST_CASE("cross-entropy, KL and softmax_rows in blocks of rows give the row-by-row bits") {
  for (const int cols : {1, 3, 13, 64, 100, 514, 515, 516, 1027, 1028, 1100}) {
    for (const int rows : {1, 33, 70}) {
      const int lo = cols > 3 ? 2 : 0;
      const int hi = cols > 3 ? cols - 1 : cols;
      for (const float t : {1.0f, 2.0f, 0.3f}) {
        CAPTURE(cols);
        CAPTURE(rows);
        CAPTURE(t);
        std::vector<float> z(static_cast<std::size_t>(rows) * cols);
        std::vector<float> teacher(z.size());
        for (std::size_t i = 0; i < z.size(); ++i) {
          z[i] = 8.0f * fixed_value(static_cast<int>(i), 1);
          teacher[i] = 8.0f * fixed_value(static_cast<int>(i), 2);
        }
        // Teacher probabilities that are exactly 0 (KL skips their terms),
        // and student logits far below the rest (their exps underflow), in
        // the first row, a row that starts a block of 32 and the last row.
        for (const int r : {0, 32, rows - 1}) {
          if (r >= rows) continue;
          const std::size_t row = static_cast<std::size_t>(r) * cols;
          teacher[row + static_cast<std::size_t>(hi - 1)] = -1e30f;
          teacher[row + static_cast<std::size_t>(lo + (hi - lo) / 2)] = -1e30f;
          z[row + static_cast<std::size_t>(lo)] = -1e30f;
        }
        std::vector<std::int32_t> labels(static_cast<std::size_t>(rows));
        for (int r = 0; r < rows; ++r) labels[static_cast<std::size_t>(r)] = (5 * r) % (hi - lo);

        std::vector<float> ce_grad(z.size(), 7.0f), kl_grad(z.size(), 7.0f);
        float ce_loss = -1.0f, kl_loss = -1.0f;
        const ConstMatrix zm = const_matrix(z.data(), rows, cols);
        const Columns columns{lo, hi};
        REQUIRE(softmax_cross_entropy(zm, labels.data(), matrix(ce_grad.data(), rows, cols),
                                      &ce_loss, columns));
        REQUIRE(kl_divergence(zm, const_matrix(teacher.data(), rows, cols), t,
                              matrix(kl_grad.data(), rows, cols), &kl_loss, columns));

        // softmax_rows, out of place and in place.
        std::vector<float> probabilities(z.size(), 7.0f), in_place = z;
        REQUIRE(softmax_rows(zm, matrix(probabilities.data(), rows, cols), columns));
        REQUIRE(softmax_rows(const_matrix(in_place.data(), rows, cols),
                             matrix(in_place.data(), rows, cols), columns));

        double ce_total = 0.0, kl_total = 0.0;
        std::size_t differ = 0;
        const float batch = static_cast<float>(rows);
        const float scale = t * batch;
        for (int r = 0; r < rows; ++r) {
          const float* zr = z.data() + static_cast<std::size_t>(r) * cols;
          const float* tr = teacher.data() + static_cast<std::size_t>(r) * cols;
          const float* ce = ce_grad.data() + static_cast<std::size_t>(r) * cols;
          const float* kl = kl_grad.data() + static_cast<std::size_t>(r) * cols;
          const RowSoftmax ce_s(zr, lo, hi, 1.0f), ss(zr, lo, hi, t), ts(tr, lo, hi, t);
          const int target = labels[static_cast<std::size_t>(r)];
          float kl_row = 0.0f;
          for (int j = lo; j < hi; ++j) {
            const std::size_t k = static_cast<std::size_t>(j - lo);
            const float p = ce_s.exps[k] / ce_s.sum;
            differ += !same_float(ce[j], (j - lo == target ? p - 1.0f : p) / batch);
            const std::size_t at = static_cast<std::size_t>(r) * cols + static_cast<std::size_t>(j);
            differ += !same_float(probabilities[at], p) + !same_float(in_place[at], p);
            const float p_t = ts.exps[k] / ts.sum;
            const float p_s = ss.exps[k] / ss.sum;
            if (p_t > 0.0f) {
              kl_row += p_t * ((ts.shifted[k] - ts.log_sum) - (ss.shifted[k] - ss.log_sum));
            }
            differ += !same_float(kl[j], (p_s - p_t) / scale);
          }
          for (int j = 0; j < cols; ++j) {
            const std::size_t at = static_cast<std::size_t>(r) * cols + static_cast<std::size_t>(j);
            if (j < lo || j >= hi) {
              differ += ce[j] != 0.0f || kl[j] != 0.0f;
              differ += probabilities[at] != 0.0f || in_place[at] != 0.0f;
            }
          }
          ce_total += static_cast<double>(ce_s.log_sum - ce_s.shifted[static_cast<std::size_t>(target)]);
          kl_total += static_cast<double>(kl_row);
        }
        CHECK(differ == 0);
        CHECK(same_float(ce_loss, static_cast<float>(ce_total / rows)));
        CHECK(same_float(kl_loss, static_cast<float>(kl_total / rows)));
      }
    }
  }
}
