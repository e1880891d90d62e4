// The activations' fixed sequences of binary32 operations (activation.h has
// them as formulas) and their elementwise passes.
#include "tacit/activation.h"

#include <cstdint>
#include <cstring>

#include "kernels/math_kernels.h"
#include "parallel.h"
#include "profile_internal.h"
#include "shape_check.h"
#include "tacit/isa.h"
#include "tacit/layers.h"
#include "tacit/math.h"

namespace tacit {

namespace {

constexpr float kGeluA = 0x1.988454p+0f;   // 2·√(2/π), rounded
constexpr float kGeluK = 0x1.6e4e26p-5f;   // 0.044715, rounded
constexpr float kGeluK3 = 0x1.12ba9ep-3f;  // 3·0.044715, rounded

const char* const kNames[kActivationCount] = {"relu", "tanh", "sigmoid", "gelu"};

std::uint32_t bits_of(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

float from_bits(std::uint32_t u) {
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

float abs_f32(float x) { return from_bits(bits_of(x) & 0x7fffffffu); }

// The formulas, over an exp and a log: tacit::exp_f32/log_f32, or the
// variants with inline FMAs (kernels/math_kernels.h), which give the same
// bits. The passes below take the FMA ones where the CPU has them: built
// without -mfma, every fma of the portable ones is a call into libm, and
// those calls made a tanh, sigmoid or GELU network's training several times
// slower than a ReLU one's.
using Math = kernels::MathKernels;

Math portable_math() { return kernels::math_kernels_for(static_cast<int>(Isa::portable)); }

float sigmoid_with(const Math& m, float x) {
  const float e = m.exp(-abs_f32(x));
  return x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

float tanh_with(const Math& m, float x) {
  const float a = abs_f32(x);
  float t;
  if (a > 9.0f) {
    t = 1.0f;
  } else {
    const float y = 2.0f * a;
    const float u = m.exp(y);
    const float e = u == 1.0f ? y : ((u - 1.0f) * y) / m.log(u);
    t = e / (e + 2.0f);
  }
  return from_bits(bits_of(t) | (bits_of(x) & 0x80000000u));
}

// w and s of gelu: the sigmoid of 2·√(2/π)·(x + 0.044715·x³).
float gelu_gate(const Math& m, float x) {
  const float cube = (x * x) * x;
  const float w = kGeluA * (x + kGeluK * cube);
  return sigmoid_with(m, w);
}

float gelu_with(const Math& m, float x) {
  const float s = gelu_gate(m, x);
  return s == 0.0f ? -0.0f : x * s;
}

float gelu_derivative_with(const Math& m, float x) {
  const float s = gelu_gate(m, x);
  const float q = s * (1.0f - s);
  if (q == 0.0f) return s;
  return s + (x * q) * (kGeluA * (1.0f + kGeluK3 * (x * x)));
}

// Elementwise passes read and write memory once: a second thread pays off
// from about 32 Ki elements, as for relu_backward (src/layers.cpp).
constexpr std::ptrdiff_t kMinParallelElements = std::ptrdiff_t{1} << 15;

template <typename F>
void forward_rows(ConstMatrix z, Matrix y, std::ptrdiff_t begin, std::ptrdiff_t end, F f) {
  for (std::ptrdiff_t r = begin; r < end; ++r) {
    const float* in = z.row(static_cast<int>(r));
    float* out = y.row(static_cast<int>(r));
    for (int j = 0; j < y.cols; ++j) out[j] = f(in[j]);
  }
}

// dx *= f'(v), with v a row of y or of z.
template <typename F>
void backward_rows(ConstMatrix v, Matrix dx, std::ptrdiff_t begin, std::ptrdiff_t end,
                   F derivative) {
  for (std::ptrdiff_t r = begin; r < end; ++r) {
    const float* in = v.row(static_cast<int>(r));
    float* d = dx.row(static_cast<int>(r));
    for (int j = 0; j < dx.cols; ++j) d[j] = derivative(in[j], d[j]);
  }
}

void forward_range(const Math& m, Activation a, ConstMatrix z, Matrix y, std::ptrdiff_t begin,
                   std::ptrdiff_t end) {
  switch (a) {
    case Activation::relu: return forward_rows(z, y, begin, end, relu_f32);
    case Activation::tanh:
      return forward_rows(z, y, begin, end, [&m](float x) { return tanh_with(m, x); });
    case Activation::sigmoid:
      return forward_rows(z, y, begin, end, [&m](float x) { return sigmoid_with(m, x); });
    case Activation::gelu:
      return forward_rows(z, y, begin, end, [&m](float x) { return gelu_with(m, x); });
  }
}

void backward_range(const Math& m, Activation a, ConstMatrix y, ConstMatrix z, Matrix dx,
                    std::ptrdiff_t begin, std::ptrdiff_t end) {
  switch (a) {
    case Activation::relu:  // activation_backward hands ReLU to relu_backward
      return;
    case Activation::tanh:
      return backward_rows(y, dx, begin, end,
                           [](float v, float d) { return d * (1.0f - v * v); });
    case Activation::sigmoid:
      return backward_rows(y, dx, begin, end,
                           [](float v, float d) { return d * (v * (1.0f - v)); });
    case Activation::gelu:
      return backward_rows(z, dx, begin, end,
                           [&m](float v, float d) { return d * gelu_derivative_with(m, v); });
  }
}

}  // namespace

const char* activation_name(Activation a) {
  const auto code = static_cast<unsigned>(a);
  return code < kActivationCount ? kNames[code] : "unknown";
}

Status activation_parse(const char* name, Activation* out) {
  for (int code = 0; code < kActivationCount; ++code) {
    if (name != nullptr && std::strcmp(name, kNames[code]) == 0) {
      *out = static_cast<Activation>(code);
      return Status::success();
    }
  }
  return Status::error("activation: expected relu, tanh, sigmoid or gelu, found \"%s\"",
                       name == nullptr ? "(null)" : name);
}

Status activation_from_code(long code, Activation* out) {
  if (code < 0 || code >= kActivationCount) {
    return Status::error("activation: expected a code from 0 to %d (0 relu, 1 tanh, "
                         "2 sigmoid, 3 gelu), found %ld", kActivationCount - 1, code);
  }
  *out = static_cast<Activation>(code);
  return Status::success();
}

bool activation_backward_needs_input(Activation a) { return a == Activation::gelu; }

float relu_f32(float x) { return x > 0.0f ? x : 0.0f; }

float sigmoid_f32(float x) { return sigmoid_with(portable_math(), x); }
float tanh_f32(float x) { return tanh_with(portable_math(), x); }
float gelu_f32(float x) { return gelu_with(portable_math(), x); }
float gelu_derivative_f32(float x) { return gelu_derivative_with(portable_math(), x); }

Status activation_forward(const Compute& compute, Activation a, ConstMatrix z, Matrix y) {
  Activation known;
  Status status = activation_from_code(static_cast<std::ptrdiff_t>(a), &known);
  if (status) status = shape_check::view("activation_forward", "y", y, -1, -1);
  if (status) status = shape_check::view("activation_forward", "z", z, y.rows, y.cols);
  if (!status) return status;
  const ProfileScope scope(compute, Work::activation);
  const Math math = kernels::math_kernels_for(static_cast<int>(compute.isa));
  detail::parallel_ranges(compute, y.rows, 1, static_cast<std::ptrdiff_t>(y.rows) * y.cols,
                          kMinParallelElements, [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
                            forward_range(math, a, z, y, begin, end);
                          });
  return status;
}

Status activation_backward(const Compute& compute, Activation a, ConstMatrix y,
                           ConstMatrix z, Matrix dx) {
  if (a == Activation::relu) return relu_backward(compute, y, dx);
  Activation known;
  Status status = activation_from_code(static_cast<long>(a), &known);
  if (status) status = shape_check::view("activation_backward", "dx", dx, -1, -1);
  if (status) status = shape_check::view("activation_backward", "y", y, dx.rows, dx.cols);
  if (status && activation_backward_needs_input(a)) {
    status = shape_check::view("activation_backward", "z", z, dx.rows, dx.cols);
  }
  if (!status) return status;
  const ProfileScope scope(compute, Work::activation);
  const Math math = kernels::math_kernels_for(static_cast<int>(compute.isa));
  detail::parallel_ranges(compute, dx.rows, 1, static_cast<std::ptrdiff_t>(dx.rows) * dx.cols,
                          kMinParallelElements, [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
                            backward_range(math, a, y, z, dx, begin, end);
                          });
  return status;
}

}  // namespace tacit
