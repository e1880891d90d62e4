// The activations of hidden layers (ReLU, tanh, sigmoid, GELU), as scalar
// functions and as elementwise passes over a batch, forward and backward.
//
// Each function is one fixed sequence of IEEE binary32 operations (each
// rounded to nearest; no fma, the build uses -ffp-contract=off) and tacit's
// own exp_f32/log_f32 (math.h), so every compiler, ISA and thread count gets
// the same bits. The passes run this scalar code element by element, split by
// rows over a pool, for every ISA alike. With |x|, x·y, 1/x the binary32
// operations, and exp, log meaning exp_f32, log_f32:
//
//   relu(x)    = x > 0 ? x : +0                 (so -0 and NaN give +0)
//   sigmoid(x) = e = exp(-|x|);  x >= 0 ? 1 / (1 + e) : e / (1 + e)
//   tanh(x)    = |x| > 9: 1 (with x's sign); else, with y = 2·|x| (exact),
//                u = exp(y), E = u == 1 ? y : ((u - 1)·y) / log(u)  (e^y - 1,
//                Kahan's expm1: the rounding of u cancels), t = E / (E + 2);
//                tanh = t with the sign bit of x (tanh(-0) = -0)
//   gelu(x)    = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), computed as
//                x·σ(2·√(2/π)·(x + 0.044715·x³)), the same function (because
//                (1 + tanh z)/2 = σ(2z)) without tanh's cancellation at -1:
//                w = A·(x + K·((x·x)·x)), s = sigmoid(w),
//                gelu = s == 0 ? -0 : x·s      (so gelu(-inf) = -0)
//                A = 0x1.988454p+0 (2·√(2/π) rounded), K = 0x1.6e4e26p-5
//                (0.044715 rounded)
//
// Derivatives, as backward multiplies them into the incoming gradient d
// (dx = d·f'), from the output y where that suffices:
//
//   relu:    y > 0 ? d : +0
//   tanh:    d·(1 - y·y)
//   sigmoid: d·(y·(1 - y))
//   gelu:    from the input x: w and s as above, q = s·(1 - s),
//            g' = q == 0 ? s : s + (x·q)·(A·(1 + K3·(x·x))), K3 = 0x1.12ba9ep-3
//            (3·0.044715 rounded); d·g'
//
// Accuracy against double references of the same float input, measured by
// tests/test_activation.cpp over every 1021st float and dense windows:
// sigmoid within 2.3 ulp, tanh within 3.3 ulp; gelu within 2.7 ulp on
// [-1, ∞) and within 3.1·(1 + |w|·(1 - σ(w))) ulp everywhere: on the
// negative tail the function itself amplifies the rounding of w (gelu(-5)
// ≈ -1.5e-7 has condition number about 35). gelu' within 17·2⁻²³ absolute.
#pragma once

#include <cstdint>

#include "tacit/gemm.h"
#include "tacit/matrix.h"
#include "tacit/status.h"

namespace tacit {

// The codes are what checkpoints (docs/FORMAT.md) and exported headers store.
enum class Activation : std::uint8_t { relu = 0, tanh = 1, sigmoid = 2, gelu = 3 };
constexpr int kActivationCount = 4;

// "relu", "tanh", "sigmoid", "gelu"; "unknown" for a code out of range.
const char* activation_name(Activation a);
// The activation named `name` (as activation_name spells it), or an error
// naming the value found and the names expected.
Status activation_parse(const char* name, Activation* out);
// The activation with code `code`, or an error naming the code found.
Status activation_from_code(long code, Activation* out);
// Whether backward needs the pre-activation input (GELU), not only the output.
bool activation_backward_needs_input(Activation a);

float relu_f32(float x);
float sigmoid_f32(float x);
float tanh_f32(float x);
float gelu_f32(float x);
// The derivative of gelu at x, as above.
float gelu_derivative_f32(float x);

// Shapes and the code are checked first; a mismatch is an error Status.
// z (B, n) -> y (B, n) = f(z); y may be z (in place). Split by rows over
// compute's pool; any split gives the same bits.
Status activation_forward(const Compute& compute, Activation a, ConstMatrix z, Matrix y);

// dx (B, n) *= f' (in place). y (B, n) is the forward's output; z (B, n) its
// input, read only when activation_backward_needs_input(a) (else may be
// empty). Split by rows over compute's pool.
Status activation_backward(const Compute& compute, Activation a, ConstMatrix y,
                           ConstMatrix z, Matrix dx);

}  // namespace tacit
