// The experiment loop of tacit-repro: for each run, the reference, the
// teacher and the students, trained and evaluated in fixed memory.
//
// Run r (seed R = experiment_run_seed(S, r), experiment.h's streams):
//   1. reference: mlp_init(normal_fan_in, R) = θ_0; its test accuracy.
//   2. teacher: θ_0, a fresh Adam, teacher_epochs over the training images
//      in shuffle_order(R, kTeacherShuffleStream, epoch), cross-entropy on
//      logits [0, 10); batches of `batch`, the last one short.
//   3. targets: the teacher's logits on noise images 0 .. noise_images-1
//      (and, for matched and liminal students, θ_0's logits on them).
//   4. students, in config.students' order, each a fresh Adam from its init
//      (θ_0, or θ_0 of run π(r), π = derangement(S, runs), or a mix: see
//      students.h), imitating logits [10, 10+aux) (aux) or [0, 10+aux)
//      (all) by KL/MSE, student_epochs over the noise images in
//      shuffle_order(R, kStudentShuffleStream, epoch): every student sees
//      the same images in the same order. After each epoch:
//      displacement_cosine(θ_S, θ_S,0, θ_T, θ_0), θ_S,0 the student's start
//      (the matched student's: after matching).
//   5. weights hash: hash_floats over reference, teacher and the students
//      in order (parameters in mlp.h's layout), chained; the experiment's
//      hash chains every run's models in run order.
#pragma once

#include <cstddef>
#include <cstdint>

#include "repro/config.h"
#include "repro/progress.h"
#include "repro/results.h"
#include "tacit/gemm.h"
#include "tacit/mlp.h"
#include "tacit/mnist.h"

namespace repro {

// Arena bytes the loop needs besides the data set (a pure size query).
std::size_t experiment_bytes(const Config& config, int train_images);

// Called with each final model, and with each student as its distillation
// starts (on_start: its init; the matched student's after matching); tests
// use it to look at weights.
struct ModelObserver {
  void (*on_model)(void* context, int run, int condition, const tacit::Mlp& model) =
      nullptr;
  void (*on_start)(void* context, int run, int condition, const tacit::Mlp& model) =
      nullptr;
  void* context = nullptr;
};

// The seed whose mlp_init(normal_fan_in) is run seed R's perturbation draw:
// (random_u32(R, kPerturbSeedStream, 1) << 32) | random_u32(R, kPerturbSeedStream, 0).
std::uint64_t perturbation_seed(std::uint64_t run_seed);

// Sums over n floats in double, in increasing index: Σ g·t, Σ t·t, Σ g·g.
struct GradientDot {
  double dot = 0.0;
  double tt = 0.0;
  double gg = 0.0;
};
GradientDot gradient_dot(const float* g, const float* t, std::size_t n);

// When d.dot > 0 and d.tt > 0 (d = gradient_dot(g, t, n)):
// g_i = float(double(g_i) - (d.dot / d.tt)·double(t_i)), g projected off t
// (up to the rounding of each g_i to float). Otherwise g stays as it is.
void project_off(float* g, const float* t, std::size_t n, const GradientDot& d);

// Runs runs [config.first_run, run_end(config)) of config.runs (all of
// them by default; each the same bits whatever the range) over `mnist`
// (train split for the teacher, test split for the accuracies), filling
// results (runs, hash, summary). The hash chains the range's models from
// kHashStart: the experiment's hash only for a range from run 0.
// `progress` and `observer` may be null. Each run's flops are counted in
// compute.profile when it has a clock (adding to its tallies as --profile
// wants), else in a Profile of the call's own. Allocates only results'
// vectors, before the first step.
tacit::Status run_experiment(const Config& config, const tacit::Mnist& mnist,
                             const tacit::Compute& compute, tacit::Arena& arena,
                             Progress* progress, const ModelObserver* observer,
                             Results* results);

// Training steps in one run: the unit of the progress ETA.
long long steps_per_run(const Config& config, int train_images);

}  // namespace repro
