// Optimizers over a flat parameter array, with PyTorch's update rules
// written out as IEEE float expressions in a fixed order, with fused
// multiply-adds exactly where PyTorch's vectorized CPU kernels have them
// (tests/data/README.md), so every build gives the same bits; on the stored
// torch 1.13 reference (3 steps, tests/test_torch.cpp) they match its CPU
// results bit for bit. Over long runs torch's pow-based β^t (libm) may differ
// from tacit's repeated multiplication in a last bit of a bias correction.
// State comes from an Arena (adam_bytes, sgd_bytes); steps never allocate.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tacit/arena.h"
#include "tacit/gemm.h"
#include "tacit/status.h"

namespace tacit {

// Hyperparameters in double, as Python hands them to PyTorch; each is
// rounded to float where PyTorch's float kernels round it.
struct AdamConfig {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

struct Adam {
  AdamConfig config;
  std::size_t count = 0;
  float* m = nullptr;  // first moment (PyTorch's exp_avg)
  float* v = nullptr;  // second moment (exp_avg_sq)
  std::int64_t step = 0;
  double beta1_power = 1.0;  // beta1^step, by repeated multiplication
  double beta2_power = 1.0;
};

std::size_t adam_bytes(std::size_t count);
Status adam_create(const AdamConfig& config, std::size_t count, Arena& arena,
                   Adam* adam);
// Zero moments and step: a fresh optimizer over the same memory.
void adam_reset(Adam& adam);
// step += 1, then for every i (as torch.optim.Adam, amsgrad off, no decay):
//   m = fma(1-β1, g, m·β1)
//   v = fma((1-β2)·g, g, v·β2)
//   p = p + (-step_size·m) / (sqrt(v) / sqrt(1-β2^t) + ε),  step_size = lr / (1-β1^t)
// with the bias corrections computed in double and rounded to float once.
// The elements are updated on compute's ISA (lanes across elements) and
// split between its threads: the same bits for every ISA and thread count.
void adam_step(const Compute& compute, Adam& adam, float* params, const float* grads);
// The same on the best ISA this CPU has (isa_best()), one thread.
void adam_step(Adam& adam, float* params, const float* grads);

struct SgdConfig {
  double lr = 1e-2;
  double momentum = 0.0;  // 0: plain SGD, no state used
};

struct Sgd {
  SgdConfig config;
  std::size_t count = 0;
  float* velocity = nullptr;  // PyTorch's momentum_buffer
  std::int64_t step = 0;
};

std::size_t sgd_bytes(std::size_t count);
Status sgd_create(const SgdConfig& config, std::size_t count, Arena& arena, Sgd* sgd);
void sgd_reset(Sgd& sgd);
// As torch.optim.SGD (dampening 0, no Nesterov, no decay):
//   b = g on the first step, else b = b·momentum + g;  p = fma(-lr, b, p)
// (with momentum 0: p = fma(-lr, g, p)).
void sgd_step(Sgd& sgd, float* params, const float* grads);

}  // namespace tacit
