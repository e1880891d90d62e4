// The experiment loop of tacit-repro: for each run, the reference, the
// teacher and the four students, trained and evaluated in fixed memory.
//
// Run r (seed R = experiment_run_seed(S, r), experiment.h's streams):
//   1. reference: mlp_init(normal_fan_in, R) = θ_0; its test accuracy.
//   2. teacher: θ_0, a fresh Adam, teacher_epochs over the training images
//      in shuffle_order(R, kTeacherShuffleStream, epoch), cross-entropy on
//      logits [0, 10); batches of `batch`, the last one short.
//   3. targets: the teacher's logits on noise images 0 .. noise_images-1.
//   4. students, in this order, each a fresh Adam from its init:
//      aux same (θ_0, KL/MSE on [10, 10+aux)), all same (θ_0, [0, 10+aux)),
//      aux cross and all cross (θ_0 of run π(r), π = derangement(S, runs)),
//      student_epochs over the noise images in
//      shuffle_order(R, kStudentShuffleStream, epoch): the four students see
//      the same images in the same order, so only init and loss differ.
//      After each epoch: displacement_cosine(θ_S, θ_S,0, θ_T, θ_0).
//   5. weights hash: hash_floats over reference, teacher, aux same, all
//      same, aux cross, all cross (parameters in mlp.h's layout), chained;
//      the experiment's hash chains every run's six in run order.
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

// Called with each final model; tests use it to look at weights.
struct ModelObserver {
  void (*on_model)(void* context, int run, int condition, const tacit::Mlp& model) =
      nullptr;
  void* context = nullptr;
};

// Runs runs [config.first_run, run_end(config)) of config.runs (all of
// them by default; each the same bits whatever the range) over `mnist`
// (train split for the teacher, test split for the accuracies), filling
// results (runs, hash, summary). The hash chains the range's models from
// kHashStart: the experiment's hash only for a range from run 0.
// `progress` and `observer` may be null. Allocates only results' vectors,
// before the first step.
tacit::Status run_experiment(const Config& config, const tacit::Mnist& mnist,
                             const tacit::Compute& compute, tacit::Arena& arena,
                             Progress* progress, const ModelObserver* observer,
                             Results* results);

// Training steps in one run: the unit of the progress ETA.
long long steps_per_run(const Config& config, int train_images);

}  // namespace repro
