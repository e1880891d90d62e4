// The portable exp_f32/log_f32: the steps of math_impl.h with std::fma.
#include "tacit/math.h"

#include <cmath>

#define TACIT_MATH_FMA(a, b, c) std::fma(a, b, c)
#include "math_impl.h"

namespace tacit {

float exp_f32(float x) { return exp_body(x); }
float log_f32(float x) { return log_body(x); }

}  // namespace tacit
