#include "theorem/measure.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "common/cli.h"
#include "tacit/layers.h"
#include "tacit/loss.h"
#include "tacit/math.h"

namespace theorem {

namespace {

using namespace tacit;
using tacit_cli::require;

std::size_t floats(long rows, long cols) {
  return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
}

// Σ a_i·b_i in double, increasing i.
double dot(const float* a, const float* b, std::size_t n) {
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += static_cast<double>(a[i]) * b[i];
  return sum;
}

// to = float(double(from) + c·double(direction)), one rounding; then repack.
void move_along(const Mlp& from, const float* direction, double c, Mlp& to) {
  for (std::size_t i = 0; i < from.param_count; ++i) {
    to.params[i] = static_cast<float>(static_cast<double>(from.params[i]) +
                                      c * static_cast<double>(direction[i]));
  }
  mlp_pack(to);
}

void negate(float* values, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) values[i] = -values[i];
}

// L_T of the last forward through `digits`: tacit's float cross-entropy of
// each row alone, summed in double in row order, over the rows.
double teacher_loss(const Bench& bench, const Options& options) {
  const Matrix logits = mlp_logits(bench.digits, bench.digit_rows);
  const Matrix row_grad = matrix(bench.row_grad, 1, logits.cols);
  double total = 0.0;
  for (int r = 0; r < logits.rows; ++r) {
    const ConstMatrix row(logits.row(r), 1, logits.cols, logits.cols);
    float loss = 0.0f;
    require(softmax_cross_entropy(row, bench.labels + r, row_grad, &loss,
                                  Columns{0, options.classes}));
    total += loss;
  }
  return total / logits.rows;
}

double teacher_loss_at(const Compute& compute, const Options& options, const Mlp& model,
                       Bench& bench) {
  require(mlp_forward(compute, model, bench.digits, bench.digit_rows));
  return teacher_loss(bench, options);
}

// Writes the imitation loss's gradient into the student workspace's
// logits_grad and returns the loss.
float imitation_gradient(int loss, ConstMatrix teacher, const MlpWorkspace& student,
                         const Options& options, int rows) {
  const ConstMatrix logits = mlp_logits(student, rows);
  const Matrix grad = mlp_logits_grad(student, rows);
  const int outputs = logits.cols;
  const Columns aux{options.classes, outputs};
  float value = 0.0f;
  require(loss == kKl ? kl_divergence(logits, teacher, 1.0f, grad, &value, aux)
                      : squared_error(logits, teacher, grad, &value, aux));
  return value;
}

int widest_output(const MlpSpec& spec) {
  int widest = 0;
  for (int l = 1; l <= spec.layers; ++l) widest = spec.widths[l] > widest ? spec.widths[l] : widest;
  return widest;
}

// The logits' tangent J_xΔθ_T for every noise row, forward through θ₀'s
// pass in bench.noise: t_0 = 0, and per layer (x its input, y its output)
//   t_out = x·ΔWᵀ + Δb + t_in·Wᵀ,  then t_out *= (y > 0) for hidden layers.
// Returns the (rows, outputs) result, in one of bench.tangent.
ConstMatrix logit_tangent(const Compute& compute, Bench& bench) {
  const MlpSpec& spec = bench.spec;
  const int rows = bench.noise_rows;
  std::memcpy(bench.moved.params, bench.teacher_direction,
              sizeof(float) * bench.moved.param_count);
  mlp_pack(bench.moved);  // the direction as a model: its packed ΔWᵀ
  Matrix in;
  for (int l = 0; l < spec.layers; ++l) {
    const int fan_in = spec.widths[l];
    const int outputs = spec.widths[l + 1];
    const Matrix out = matrix(bench.tangent[l % 2], rows, outputs);
    dense_forward(compute, const_matrix(bench.noise.activations[l], rows, fan_in),
                  mlp_packed_weight(bench.moved, l), mlp_bias(bench.moved, l), out, false);
    if (l > 0) {
      const Matrix term = matrix(bench.tangent_term, rows, outputs);
      gemm(compute, in, false, mlp_packed_weight(bench.same, l), nullptr, term);
      for (int r = 0; r < rows; ++r) {
        for (int j = 0; j < outputs; ++j) out.row(r)[j] += term.row(r)[j];
      }
    }
    if (l + 1 < spec.layers) {
      relu_backward(const_matrix(bench.noise.activations[l + 1], rows, outputs), out);
    }
    in = out;
  }
  return in;
}

// E_x[dᵀ M d] for both losses, d = J_xΔθ_T over the imitated logits, p
// from θ₀'s logits in bench.noise; sums in double, in row then column order.
void leading_order(const Compute& compute, const Options& options, Bench& bench,
                   Trial* trial) {
  const int rows = bench.noise_rows;
  const int outputs = mlp_outputs(bench.spec);
  const ConstMatrix tangent = logit_tangent(compute, bench);
  const Matrix base = mlp_logits(bench.noise, rows);
  const int lo = options.classes;
  double kl = 0.0;
  double squares = 0.0;
  for (int r = 0; r < rows; ++r) {
    const float* s = base.row(r);
    const float* d = tangent.row(r);
    float max = s[lo];
    for (int j = lo + 1; j < outputs; ++j) max = s[j] > max ? s[j] : max;
    double sum = 0.0;
    for (int j = lo; j < outputs; ++j) sum += exp_f32(s[j] - max);
    double mean = 0.0;    // Σ p_j d_j
    double second = 0.0;  // Σ p_j d_j²
    for (int j = lo; j < outputs; ++j) {
      const double p = exp_f32(s[j] - max) / sum;
      mean += p * d[j];
      second += p * d[j] * d[j];
      squares += static_cast<double>(d[j]) * d[j];
    }
    kl += second - mean * mean;
  }
  trial->theory[kKl] = kl / rows;
  trial->theory[kMse] = 2.0 * squares / (static_cast<double>(rows) * (outputs - lo));
}

// ‖(θ_T − θ₀) − εΔθ_T‖ / ‖εΔθ_T‖ for θ_T in bench.moved.
double rounding_of_teacher(const Bench& bench, double epsilon) {
  double error = 0.0;
  double wanted = 0.0;
  for (std::size_t i = 0; i < bench.same.param_count; ++i) {
    const double step = epsilon * static_cast<double>(bench.teacher_direction[i]);
    const double got = static_cast<double>(bench.moved.params[i]) - bench.same.params[i];
    error += (got - step) * (got - step);
    wanted += step * step;
  }
  return wanted > 0.0 ? std::sqrt(error / wanted) : 0.0;
}

// Trial::logit_gap_ulps for the teacher's logits in bench.noise_teacher.
double logit_gap_ulps(const Bench& bench, const Options& options) {
  const ConstMatrix teacher = mlp_logits(bench.noise_teacher, bench.noise_rows);
  const ConstMatrix base = mlp_logits(bench.noise, bench.noise_rows);
  double squares = 0.0;
  double spacing = 0.0;
  for (int r = 0; r < base.rows; ++r) {
    for (int j = options.classes; j < base.cols; ++j) {
      const double gap = static_cast<double>(teacher.row(r)[j]) - base.row(r)[j];
      const float magnitude = std::fabs(base.row(r)[j]);
      squares += gap * gap;
      spacing += std::nextafter(magnitude, std::numeric_limits<float>::infinity()) -
                 magnitude;
    }
  }
  const double count = static_cast<double>(base.rows) * (base.cols - options.classes);
  return spacing > 0.0 ? std::sqrt(squares / count) / (spacing / count) : 0.0;
}

struct CellInput {
  int student_case;
  int loss;
  double epsilon;
};

// One student: its direction, the products, and L_T along its step.
void measure_cell(const Compute& compute, const Options& options, const CellInput& in,
                  const Trial& trial, Bench& bench, Cell* cell) {
  const bool same = in.student_case == kSameInit;
  const Mlp& student = same ? bench.same : bench.cross;
  MlpWorkspace& workspace = same ? bench.noise : bench.noise_cross;
  const std::size_t n = student.param_count;
  const ConstMatrix teacher = mlp_logits(bench.noise_teacher, bench.noise_rows);
  cell->imitation_loss =
      imitation_gradient(in.loss, teacher, workspace, options, bench.noise_rows);
  require(mlp_backward(compute, student, workspace, bench.noise_rows, bench.student_direction));
  negate(bench.student_direction, n);

  double product = 0.0;
  for (int l = 0; l < bench.spec.layers; ++l) {
    const std::size_t begin = mlp_weight_offset(bench.spec, l);
    const std::size_t end = mlp_weight_offset(bench.spec, l + 1);
    cell->layer_products[l] = dot(bench.student_direction + begin,
                                  bench.teacher_direction + begin, end - begin);
    product += cell->layer_products[l];
  }
  const double norm = std::sqrt(dot(bench.student_direction, bench.student_direction, n));
  cell->product = product;
  cell->per_epsilon =
      in.epsilon > 0.0 ? product / in.epsilon : std::numeric_limits<double>::quiet_NaN();
  cell->student_norm = norm;
  cell->cosine = norm > 0.0 && trial.teacher_norm > 0.0
                     ? product / (norm * trial.teacher_norm)
                     : 0.0;
  const double base = same ? trial.teacher_loss : trial.cross_teacher_loss;
  for (int a = 0; a < options.alpha_count; ++a) {
    if (norm == 0.0) {
      cell->loss_change[a] = 0.0;
      continue;
    }
    const double c = options.alphas[a] * trial.teacher_norm / norm;
    move_along(student, bench.student_direction, c, bench.moved);
    cell->loss_change[a] = teacher_loss_at(compute, options, bench.moved, bench) - base;
  }
}

Status check_labels(const Bench& bench, const Options& options) {
  for (int r = 0; r < bench.digit_rows; ++r) {
    if (bench.labels[r] < 0 || bench.labels[r] >= options.classes) {
      return Status::error("label %d of the teacher's batch is %d; expected "
                           "0 to %d", r, static_cast<int>(bench.labels[r]),
                           options.classes - 1);
    }
  }
  return Status::success();
}

}  // namespace

const char* case_name(int student_case) {
  return student_case == kSameInit ? "same" : "cross";
}

const char* loss_name(int loss) { return loss == kKl ? "kl" : "mse"; }

Status options_check(const Options& options, const MlpSpec& spec) {
  const int outputs = mlp_outputs(spec);
  if (options.classes < 1 || options.classes >= outputs) {
    return Status::error("%d teacher classes of %d outputs; expected 1 to %d, "
                         "so that at least one logit is left to imitate",
                         options.classes, outputs, outputs - 1);
  }
  if (options.epsilon_count < 1 || options.epsilon_count > kMaxEpsilons ||
      options.alpha_count < 1 || options.alpha_count > kMaxAlphas) {
    return Status::error("%d epsilons and %d alphas; expected 1 to %d and 1 to %d",
                         options.epsilon_count, options.alpha_count, kMaxEpsilons,
                         kMaxAlphas);
  }
  for (int e = 0; e < options.epsilon_count; ++e) {
    if (!(options.epsilons[e] >= 0.0) || !std::isfinite(options.epsilons[e])) {
      return Status::error("epsilon %d is %g; expected a finite number >= 0", e,
                           options.epsilons[e]);
    }
  }
  for (int a = 0; a < options.alpha_count; ++a) {
    if (!(options.alphas[a] > 0.0) || !std::isfinite(options.alphas[a])) {
      return Status::error("alpha %d is %g; expected a finite number > 0", a,
                           options.alphas[a]);
    }
  }
  return Status::success();
}

std::size_t bench_bytes(const MlpSpec& spec, int digit_rows, int noise_rows) {
  const std::size_t params = mlp_param_count(spec);
  const int outputs = mlp_outputs(spec);
  return 3 * mlp_bytes(spec) + mlp_workspace_bytes(spec, digit_rows) +
         arena_block_bytes(sizeof(std::int32_t) * static_cast<std::size_t>(digit_rows)) +
         3 * mlp_workspace_bytes(spec, noise_rows) + 2 * arena_floats_bytes(params) +
         3 * arena_floats_bytes(floats(noise_rows, widest_output(spec))) +
         arena_floats_bytes(outputs);
}

Status bench_create(const MlpSpec& spec, int digit_rows, int noise_rows, Arena& arena,
                    Bench* bench) {
  if (digit_rows < 1 || noise_rows < 1) {
    return Status::error("batches of %d digits and %d noise images; expected "
                         ">= 1 each", digit_rows, noise_rows);
  }
  const std::size_t needed = bench_bytes(spec, digit_rows, noise_rows);
  if (arena.remaining() < needed) {
    return Status::error("arena has %zu bytes left; the bench needs %zu "
                         "(bench_bytes)", arena.remaining(), needed);
  }
  Bench b;
  b.spec = spec;
  b.digit_rows = digit_rows;
  b.noise_rows = noise_rows;
  Status status = mlp_create(spec, arena, &b.same);
  if (status) status = mlp_create(spec, arena, &b.cross);
  if (status) status = mlp_create(spec, arena, &b.moved);
  if (status) status = mlp_workspace_create(spec, digit_rows, arena, &b.digits);
  if (status) status = mlp_workspace_create(spec, noise_rows, arena, &b.noise);
  if (status) status = mlp_workspace_create(spec, noise_rows, arena, &b.noise_cross);
  if (status) status = mlp_workspace_create(spec, noise_rows, arena, &b.noise_teacher);
  if (!status) return status;
  const std::size_t params = mlp_param_count(spec);
  b.labels = static_cast<std::int32_t*>(
      arena.take(sizeof(std::int32_t) * static_cast<std::size_t>(digit_rows)));
  b.teacher_direction = arena.take_floats(params);
  b.student_direction = arena.take_floats(params);
  for (float*& tangent : b.tangent) {
    tangent = arena.take_floats(floats(noise_rows, widest_output(spec)));
  }
  b.tangent_term = arena.take_floats(floats(noise_rows, widest_output(spec)));
  b.row_grad = arena.take_floats(static_cast<std::size_t>(mlp_outputs(spec)));
  *bench = b;
  return Status::success();
}

Status measure_trial(const Compute& compute, const Options& options, Bench& bench,
                     Trial* trial) {
  Status status = options_check(options, bench.spec);
  if (status) status = check_labels(bench, options);
  if (!status) return status;
  Trial t;
  const std::size_t n = bench.same.param_count;
  const int digits = bench.digit_rows;
  const int noise = bench.noise_rows;

  // The teacher's direction and its own steps.
  require(mlp_forward(compute, bench.same, bench.digits, digits));
  t.teacher_loss = teacher_loss(bench, options);
  require(softmax_cross_entropy(mlp_logits(bench.digits, digits), bench.labels,
                                mlp_logits_grad(bench.digits, digits), nullptr,
                                Columns{0, options.classes}));
  require(mlp_backward(compute, bench.same, bench.digits, digits, bench.teacher_direction));
  negate(bench.teacher_direction, n);
  t.teacher_norm = std::sqrt(dot(bench.teacher_direction, bench.teacher_direction, n));
  t.cross_teacher_loss = teacher_loss_at(compute, options, bench.cross, bench);
  for (int a = 0; a < options.alpha_count; ++a) {
    move_along(bench.same, bench.teacher_direction, options.alphas[a], bench.moved);
    t.teacher_change[a] = teacher_loss_at(compute, options, bench.moved, bench) -
                          t.teacher_loss;
  }

  // Both students' passes over the noise, kept for every backward below.
  const std::size_t input_floats = floats(noise, mlp_inputs(bench.spec));
  std::memcpy(bench.noise_cross.activations[0], bench.noise.activations[0],
              sizeof(float) * input_floats);
  std::memcpy(bench.noise_teacher.activations[0], bench.noise.activations[0],
              sizeof(float) * input_floats);
  require(mlp_forward(compute, bench.same, bench.noise, noise));
  require(mlp_forward(compute, bench.cross, bench.noise_cross, noise));
  leading_order(compute, options, bench, &t);

  for (int e = 0; e < options.epsilon_count; ++e) {
    const double epsilon = options.epsilons[e];
    move_along(bench.same, bench.teacher_direction, epsilon, bench.moved);
    t.teacher_rounding[e] = rounding_of_teacher(bench, epsilon);
    // The teacher's logits stay in noise_teacher while `moved` is reused.
    require(mlp_forward(compute, bench.moved, bench.noise_teacher, noise));
    t.logit_gap_ulps[e] = logit_gap_ulps(bench, options);
    for (int c = 0; c < kCases; ++c) {
      for (int l = 0; l < kLosses; ++l) {
        measure_cell(compute, options, CellInput{c, l, epsilon}, t, bench,
                     &t.cells[c][l][e]);
      }
    }
  }
  *trial = t;
  return Status::success();
}

std::string trial_divergence(const Trial& trial, const Options& options) {
  const auto bad = [](double v) { return !std::isfinite(v); };
  if (bad(trial.teacher_loss)) return "teacher_loss";
  if (bad(trial.cross_teacher_loss)) return "cross_teacher_loss";
  if (bad(trial.teacher_norm)) return "teacher_norm";
  for (int c = 0; c < kCases; ++c) {
    for (int l = 0; l < kLosses; ++l) {
      for (int e = 0; e < options.epsilon_count; ++e) {
        const Cell& cell = trial.cells[c][l][e];
        const char* field = bad(cell.imitation_loss) ? "imitation_loss"
                            : bad(cell.product)      ? "product"
                            : bad(cell.cosine)       ? "cosine"
                            : bad(cell.student_norm) ? "student_norm"
                                                     : nullptr;
        if (field != nullptr) {
          return std::string("cells[") + case_name(c) + "][" + loss_name(l) + "][" +
                 std::to_string(e) + "]." + field;
        }
      }
    }
  }
  return "";
}

}  // namespace theorem
