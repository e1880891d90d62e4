#include "tacit/optimizer.h"

#include <cmath>
#include <cstring>

#include "arena_internal.h"
#include "fma_f32.h"
#include "kernels/adam_kernels.h"
#include "parallel.h"
#include "profile_internal.h"

namespace tacit {

std::size_t adam_bytes(std::size_t count) { return 2 * arena_floats_bytes(count); }

namespace {

// PyTorch's own checks on the hyperparameters (torch.optim.Adam and SGD
// refuse the same values), plus finiteness.
Status check_at_least_zero(const char* optimizer, const char* name, double value) {
  if (!(value >= 0.0) || !std::isfinite(value)) {
    return Status::error("%s: %s: expected a finite value >= 0, found %g", optimizer, name,
                         value);
  }
  return Status::success();
}

Status check_beta(const char* name, double value) {
  if (!(value >= 0.0 && value < 1.0)) {
    return Status::error("adam: %s: expected a value in [0, 1), found %g", name, value);
  }
  return Status::success();
}

}  // namespace

Status adam_create(const AdamConfig& config, std::size_t count, Arena& arena,
                   Adam* adam) {
  Status status = check_at_least_zero("adam", "lr", config.lr);
  if (status) status = check_beta("beta1", config.beta1);
  if (status) status = check_beta("beta2", config.beta2);
  if (status) status = check_at_least_zero("adam", "eps", config.eps);
  if (!status) return status;
  if (arena.remaining() < adam_bytes(count)) {
    return arena_too_small("adam", arena, adam_bytes(count), "adam_bytes");
  }
  Adam result;
  result.config = config;
  result.count = count;
  result.m = arena.take_floats(count);
  result.v = arena.take_floats(count);
  adam_reset(result);
  *adam = result;
  return Status::success();
}

void adam_reset(Adam& adam) {
  std::memset(adam.m, 0, adam.count * sizeof(float));
  std::memset(adam.v, 0, adam.count * sizeof(float));
  adam.step = 0;
  adam.beta1_power = 1.0;
  adam.beta2_power = 1.0;
}

namespace {

// Below this many elements a second thread costs more than it saves.
constexpr std::ptrdiff_t kMinParallelElements = std::ptrdiff_t{1} << 15;
// Split points on whole cache lines, so two threads never write one line.
constexpr std::ptrdiff_t kElementGrain = 16;

}  // namespace

void adam_step(const Compute& compute, Adam& adam, float* params, const float* grads) {
  const ProfileScope scope(compute, Work::optimizer);
  const AdamConfig& c = adam.config;
  adam.step += 1;
  adam.beta1_power *= c.beta1;
  adam.beta2_power *= c.beta2;
  // Scalars as PyTorch forms them: in double, then used as float.
  kernels::AdamScalars s;
  s.beta1 = static_cast<float>(c.beta1);
  s.beta2 = static_cast<float>(c.beta2);
  s.one_minus_beta1 = static_cast<float>(1.0 - c.beta1);
  s.one_minus_beta2 = static_cast<float>(1.0 - c.beta2);
  s.neg_step_size = static_cast<float>(-c.lr / (1.0 - adam.beta1_power));
  s.bias_correction2_sqrt = static_cast<float>(std::sqrt(1.0 - adam.beta2_power));
  s.eps = static_cast<float>(c.eps);
  const kernels::AdamKernel kernel = kernels::adam_kernel_for(static_cast<int>(compute.isa));
  const kernels::AdamProblem problem{s, params, grads, adam.m, adam.v};
  const auto count = static_cast<std::ptrdiff_t>(adam.count);
  detail::parallel_ranges(
      compute, count, kElementGrain, count, kMinParallelElements,
      [&](std::ptrdiff_t begin, std::ptrdiff_t end) { kernel(problem, begin, end); });
}

void adam_step(Adam& adam, float* params, const float* grads) {
  adam_step(Compute{isa_best(), nullptr}, adam, params, grads);
}

std::size_t sgd_bytes(std::size_t count) { return arena_floats_bytes(count); }

Status sgd_create(const SgdConfig& config, std::size_t count, Arena& arena, Sgd* sgd) {
  Status status = check_at_least_zero("sgd", "lr", config.lr);
  if (status) status = check_at_least_zero("sgd", "momentum", config.momentum);
  if (!status) return status;
  if (arena.remaining() < sgd_bytes(count)) {
    return arena_too_small("sgd", arena, sgd_bytes(count), "sgd_bytes");
  }
  Sgd result;
  result.config = config;
  result.count = count;
  result.velocity = arena.take_floats(count);
  sgd_reset(result);
  *sgd = result;
  return Status::success();
}

void sgd_reset(Sgd& sgd) {
  std::memset(sgd.velocity, 0, sgd.count * sizeof(float));
  sgd.step = 0;
}

void sgd_step(Sgd& sgd, float* params, const float* grads) {
  const auto neg_lr = static_cast<float>(-sgd.config.lr);
  const auto momentum = static_cast<float>(sgd.config.momentum);
  sgd.step += 1;
  if (momentum == 0.0f) {
    for (std::size_t i = 0; i < sgd.count; ++i)
      params[i] = detail::fma_f32(neg_lr, grads[i], params[i]);
    return;
  }
  float* b = sgd.velocity;
  const bool first = sgd.step == 1;
  for (std::size_t i = 0; i < sgd.count; ++i) {
    b[i] = first ? grads[i] : b[i] * momentum + grads[i];
    params[i] = detail::fma_f32(neg_lr, b[i], params[i]);
  }
}

}  // namespace tacit
