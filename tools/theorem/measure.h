// Theorem 1 of Cloud et al. (2025), section 6.1, measured for one
// initialization: the teacher's first-step direction, the student's
// imitation direction, their dot product and what the student's step does
// to the teacher's loss.
//
// With θ₀ the shared init, the teacher direction is Δθ_T = −∇L_T(θ₀)
// (cross-entropy over logits [0, classes) of labelled inputs), and for each
// ε the teacher is θ_T = θ₀ + εΔθ_T. A student at θ_S0 (θ₀, or another
// init θ₀' in the cross case) imitates θ_T's logits [classes, outputs) on
// a batch of other inputs; its direction is Δθ_S = −∇L_S(θ_S0), with
// L_S = KL(softmax(θ_T's logits) ‖ softmax(student's)) at temperature 1 or
// the mean squared error of the logits (tacit's kl_divergence and
// squared_error). In the same-init case the theorem gives, to leading
// order, Δθ_S·Δθ_T = ε·E_x[(J_xΔθ_T)ᵀ M(x) (J_xΔθ_T)] with
//   KL:  M = diag(p) − ppᵀ,  p = softmax of θ₀'s imitated logits,
//   MSE: M = (2/m)·I,        m = outputs − classes,
// and E_x the batch mean: `theory` below, with J_xΔθ_T computed forward
// (the tangent of θ₀'s pass along Δθ_T, θ₀'s ReLU masks), never from a
// backward pass.
//
// Numerics: every gradient is tacit's float backward; every dot product,
// norm and loss sum is accumulated in double in increasing index (losses:
// tacit's float per-row loss, summed in row order). Parameters moved along
// a direction are float(double(θ) + c·double(Δ)), rounded once. So a trial
// gives the same bits for every ISA and thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tacit/arena.h"
#include "tacit/gemm.h"
#include "tacit/mlp.h"
#include "tacit/status.h"

namespace theorem {

constexpr int kMaxEpsilons = 8;
constexpr int kMaxAlphas = 4;

// Where the student starts.
enum Case { kSameInit = 0, kCrossInit = 1 };
constexpr int kCases = 2;
// What it imitates with.
enum Loss { kKl = 0, kMse = 1 };
constexpr int kLosses = 2;

const char* case_name(int student_case);  // "same", "cross"
const char* loss_name(int loss);          // "kl", "mse"

struct Options {
  int classes = 10;  // L_T over logits [0, classes); L_S over [classes, outputs)
  int epsilon_count = 4;
  double epsilons[kMaxEpsilons] = {1e-1, 1e-2, 1e-3, 1e-4};
  // Student steps for the change of L_T: θ_S0 + a·(‖Δθ_T‖/‖Δθ_S‖)·Δθ_S,
  // a step as long as a teacher SGD step at learning rate a.
  int alpha_count = 3;
  double alphas[kMaxAlphas] = {1e-3, 1e-2, 1e-1};
};

// Checks classes in [1, outputs) and 1..kMax counts of finite, non-negative
// epsilons and positive alphas.
tacit::Status options_check(const Options& options, const tacit::MlpSpec& spec);

// One student direction against the teacher's.
struct Cell {
  double imitation_loss = 0.0;  // L_S at the student's init (tacit's float loss)
  double product = 0.0;         // Δθ_S·Δθ_T
  double per_epsilon = 0.0;     // product / ε (NaN for ε = 0)
  double cosine = 0.0;          // 0 when either direction is zero
  double student_norm = 0.0;    // ‖Δθ_S‖
  double layer_products[tacit::kMaxLayers] = {};  // the product over layer l's W and b
  // L_T(θ_S0 + a·(‖Δθ_T‖/‖Δθ_S‖)·Δθ_S) − L_T(θ_S0) per alpha; 0 if Δθ_S = 0.
  double loss_change[kMaxAlphas] = {};
};

struct Trial {
  double teacher_loss = 0.0;        // L_T(θ₀)
  double cross_teacher_loss = 0.0;  // L_T(θ₀')
  double teacher_norm = 0.0;        // ‖Δθ_T‖
  double teacher_change[kMaxAlphas] = {};  // L_T(θ₀ + aΔθ_T) − L_T(θ₀)
  double theory[kLosses] = {};      // E_x[(J_xΔθ_T)ᵀ M (J_xΔθ_T)], same init
  // ‖(θ_T − θ₀) − εΔθ_T‖ / ‖εΔθ_T‖ with θ_T in float: how much of the
  // teacher's displacement rounding to float changed.
  double teacher_rounding[kMaxEpsilons] = {};
  // The teacher's imitated logits minus θ₀'s on the noise, root mean
  // square, over the mean float spacing (ulp) of θ₀'s: how many float steps
  // the difference the student sees spans.
  double logit_gap_ulps[kMaxEpsilons] = {};
  Cell cells[kCases][kLosses][kMaxEpsilons];
};

// Models and buffers for trials with up to digit_rows labelled inputs and
// noise_rows imitation inputs.
struct Bench {
  tacit::MlpSpec spec;
  int digit_rows = 0;
  int noise_rows = 0;
  tacit::Mlp same;   // θ₀: the caller fills params and packs (mlp_init does)
  tacit::Mlp cross;  // θ₀', likewise
  tacit::Mlp moved;  // θ_T and the stepped models, in turn
  tacit::MlpWorkspace digits;  // the caller fills mlp_input(digits, digit_rows)
  std::int32_t* labels = nullptr;  // (digit_rows), each in [0, classes): the caller's
  tacit::MlpWorkspace noise;   // the caller fills mlp_input(noise, noise_rows); θ₀'s pass
  tacit::MlpWorkspace noise_cross;    // θ₀' on the same inputs
  tacit::MlpWorkspace noise_teacher;  // θ_T on them
  float* teacher_direction = nullptr;  // Δθ_T
  float* student_direction = nullptr;  // Δθ_S of the cell being measured
  // (noise_rows, widest layer output) each: the tangent J·Δθ_T layer by layer.
  float* tangent[2] = {};
  float* tangent_term = nullptr;
  float* row_grad = nullptr;           // (1, outputs): per-row loss scratch
};

std::size_t bench_bytes(const tacit::MlpSpec& spec, int digit_rows, int noise_rows);
tacit::Status bench_create(const tacit::MlpSpec& spec, int digit_rows, int noise_rows,
                           tacit::Arena& arena, Bench* bench);

// Measures one trial from the bench's θ₀, θ₀', digits, labels and noise.
// Overwrites every other buffer of the bench. Never allocates.
tacit::Status measure_trial(const tacit::Compute& compute, const Options& options,
                            Bench& bench, Trial* trial);

// The name of the first of a trial's losses, norms, products and cosines
// that is not finite ("teacher_loss", "cells[same][kl][2].product"), or ""
// when all are: a measurement whose numbers ran away (common/divergence.h).
// per_epsilon may be NaN by definition (ε = 0) and is not judged.
std::string trial_divergence(const Trial& trial, const Options& options);

}  // namespace theorem
