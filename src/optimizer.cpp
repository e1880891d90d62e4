#include "tacit/optimizer.h"

#include <cmath>
#include <cstring>

#include "fma_f32.h"
#include "kernels/adam_kernels.h"
#include "parallel.h"

namespace tacit {

std::size_t adam_bytes(std::size_t count) { return 2 * arena_floats_bytes(count); }

Status adam_create(const AdamConfig& config, std::size_t count, Arena& arena,
                   Adam* adam) {
  if (arena.remaining() < adam_bytes(count)) {
    return Status::error("adam: arena has %zu bytes left; %zu parameters need "
                         "%zu (adam_bytes)", arena.remaining(), count,
                         adam_bytes(count));
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
  if (arena.remaining() < sgd_bytes(count)) {
    return Status::error("sgd: arena has %zu bytes left; %zu parameters need "
                         "%zu (sgd_bytes)", arena.remaining(), count, sgd_bytes(count));
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
