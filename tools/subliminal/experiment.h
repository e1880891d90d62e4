// Building blocks of the paper's experiment, shared by tacit-repro,
// tacit-theorem and tacit-train: per-run seeds, noise images addressed by
// index, the cross-model pairing, the teacher's training, test accuracy,
// summary statistics and displacement cosines. Built on libtacit's public
// API only; none of it is installed. Everything is a pure function of its
// arguments (no hidden state) and nothing here allocates.
//
// Random streams (rng.h addressing). Of the experiment seed S (--seed):
//   kRunSeedStream    run r's seed, indices 2r and 2r + 1 (experiment_run_seed)
//   kPairingStream    the cross-model derangement, indices [0, n - 1)
// Of a run's seed R:
//   streams [0, 2·kMaxLayers)  the run's reference init (init.h: weights
//                      stream 2·layer, biases 2·layer + 1)
//   kNoiseStream       noise image i = indices [i·P, (i + 1)·P), P pixels
//   kTeacherShuffleStream, kStudentShuffleStream
//                      epoch e's order = indices [e·n, e·n + n - 1)
//                      (tacit::shuffle_order)
//   kTraitStream       tacit-repro's trait batches: image i of a student's
//                      step k (0-based, over its epochs) is training image
//                      (u64(random_u32(R, kTraitStream, k·B + i))·n) >> 32,
//                      B = --trait-batch, n training images
//   kMatchShuffleStream  the matched student's matching epochs, as the
//                      shuffles above
//   kPerturbSeedStream indices 0, 1: the seed of the perturbed students'
//                      draw, (word 1 << 32) | word 0; the draw is
//                      mlp_init(normal_fan_in) of that seed
// The ranges are disjoint, so no two uses ever read the same random word.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tacit/arena.h"
#include "tacit/gemm.h"
#include "tacit/mlp.h"
#include "tacit/mnist.h"
#include "tacit/status.h"
#include "tacit/threads.h"
#include "tacit/train.h"

namespace subliminal {

using tacit::Arena;
using tacit::Compute;
using tacit::Mlp;
using tacit::MlpWorkspace;
using tacit::MnistSplit;
using tacit::Status;
using tacit::ThreadPool;
using tacit::TrainState;

constexpr std::uint32_t kRunSeedStream = 0x100;
constexpr std::uint32_t kPairingStream = 0x101;
constexpr std::uint32_t kNoiseStream = 0x200;
constexpr std::uint32_t kTeacherShuffleStream = 0x300;
constexpr std::uint32_t kStudentShuffleStream = 0x301;
constexpr std::uint32_t kTraitStream = 0x302;
constexpr std::uint32_t kMatchShuffleStream = 0x303;
constexpr std::uint32_t kPerturbSeedStream = 0x400;

// ---- the paper's network and data ------------------------------------------

// 784 -> 256 -> 256 -> 10 + 3: two hidden ReLU layers, the 10 digit logits
// and 3 auxiliary ones.
constexpr int kPaperWidths[] = {tacit::kMnistPixels, 256, 256, tacit::kMnistClasses + 3};
constexpr int kPaperWidthCount = 4;
// Noise images a run's students learn from: as many as MNIST's training images.
constexpr int kNoiseImages = tacit::kMnistTrainCount;

// ---- seeds ---------------------------------------------------------------

// (random_u32(S, kRunSeedStream, 2r + 1) << 32) | random_u32(S, kRunSeedStream, 2r):
// independent-looking 64-bit seeds, run r's the same whatever --runs is.
std::uint64_t experiment_run_seed(std::uint64_t seed, int run);

// ---- noise ---------------------------------------------------------------

enum class NoiseKind {
  uniform,  // random_uniform_pm1: [-1, 1), like the scaled MNIST pixels
  normal,   // random_normal: N(0, 1)
};

const char* noise_name(NoiseKind kind);  // "uniform", "normal"
bool noise_parse(const char* name, NoiseKind* kind);

// out (pixels) = noise image `index` of the set seeded by `seed`: values
// [index·pixels, (index + 1)·pixels) of stream kNoiseStream. Nothing is
// stored, so a set of any size costs no memory and any order or batching of
// the same indices gives the same bits.
void noise_image(NoiseKind kind, std::uint64_t seed, std::uint32_t index, int pixels,
                 float* out);

// out (count, pixels), row r = noise_image(indices[r]). Rows are split into
// contiguous parts across `pool` (nullptr: the calling thread); each row is
// computed whole by one thread, so the split never changes a bit.
void noise_gather(NoiseKind kind, std::uint64_t seed, const std::uint32_t* indices,
                  int count, int pixels, float* out, ThreadPool* pool);

// ---- the cross-model pairing ---------------------------------------------

// perm (n) = a permutation with perm[i] != i for every i: Sattolo's
// algorithm, a uniformly random single n-cycle. From the identity, for
// i = n-1 down to 1, with k = n-1-i:
//   u = random_u32(seed, kPairingStream, k),  j = (u64(u)·i) >> 32  (j < i),
//   swap(perm[i], perm[j]).
// Refuses n < 2 (no derangement of one element exists).
Status derangement(std::uint64_t seed, std::uint32_t n, std::uint32_t* perm);

// ---- the teacher ---------------------------------------------------------

// Called after each of the teacher's steps with its rows and loss (progress,
// tallies, divergence).
struct TeacherStepHook {
  void (*after_step)(void* context, int rows, float loss) = nullptr;
  void* context = nullptr;
};

// Epoch `epoch` of the paper's teacher: the training images in
// tacit::shuffle_order(seed, kTeacherShuffleStream, epoch) into order
// (train.count), batches of `batch` rows (the last one short, labels into
// labels (batch)), cross-entropy on logits [0, 10), one step of `state`'s
// optimizer each. *mean_loss = the mean of the steps' losses. tacit-repro's
// teacher of run seed R and tacit-train --seed R are this, epoch after epoch,
// from mlp_init(normal_fan_in, R) and a fresh Adam.
Status train_teacher_epoch(const Compute& compute, Mlp& teacher, TrainState& state,
                           const MnistSplit& train, std::uint64_t seed, int epoch,
                           int batch, std::uint32_t* order, std::int32_t* labels,
                           const TeacherStepHook* hook, double* mean_loss);

// ---- evaluation ----------------------------------------------------------

// Per-batch index, label and prediction buffers for mnist_correct.
struct EvalBuffers {
  int capacity = 0;
  std::uint32_t* indices = nullptr;
  std::int32_t* labels = nullptr;
  std::int32_t* predictions = nullptr;
};

std::size_t eval_buffers_bytes(int capacity);
Status eval_buffers_create(int capacity, Arena& arena, EvalBuffers* buffers);

// *correct = how many of the split's images have argmax over logit columns
// [0, 10) equal to their label (ties to the lowest digit), in batches of up
// to min(workspace.capacity, buffers.capacity) rows, in index order.
// Refuses a model whose inputs are not 784 or whose outputs are fewer than 10.
Status mnist_correct(const Compute& compute, const Mlp& mlp, MlpWorkspace& workspace,
                     const MnistSplit& split, EvalBuffers& buffers, int* correct);

// ---- statistics ----------------------------------------------------------

struct SummaryStats {
  int n = 0;
  double mean = 0.0;  // Σ x / n, summed in index order
  double std = 0.0;   // sample standard deviation, Σ (x - mean)² / (n - 1); 0 if n < 2
  double ci95 = 0.0;  // half-width of the 95% CI of the mean: 1.96·std/√n
  double min = 0.0;
  double max = 0.0;
};

// n >= 1; n = 0 gives all zeros.
SummaryStats summarize(const double* values, int n);

// Cosine between the displacements (a - a0) and (b - b0), n floats each:
// each difference and product in double, summed in increasing index, then
// dot / (√(Σ da²)·√(Σ db²)). 0 when either displacement is zero.
double displacement_cosine(const float* a, const float* a0, const float* b,
                           const float* b0, std::size_t n);

}  // namespace subliminal
