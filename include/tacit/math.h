// tacit's own transcendentals (docs/STYLE.md, determinism contract rule 4).
// The C library's expf/logf differ between libm versions and platforms; these
// are built only from IEEE binary32 + - * /, std::fma written out in a fixed
// sequence, and bit manipulation, so every compiler and ISA gets the same bits.
// Measured against a long double reference over all 2^32 inputs: exp within
// 0.5095 ulp and log within 0.5092 ulp; not correctly rounded for about 3 in
// 10^4 of the inputs where exp is not simply 0, 1 or +inf, and 4 in 10^5 of
// the positive floats for log; see docs/ARCHITECTURE.md.
#pragma once

namespace tacit {

// e^x for every float: overflow gives +inf, underflow goes through the
// subnormals (rounded once, to nearest) to +0; exp(-inf) = +0, exp(+inf) =
// +inf, NaN gives NaN.
float exp_f32(float x);

// Natural log: log(±0) = -inf, log(x < 0) = NaN (also for -inf),
// log(+inf) = +inf, NaN gives NaN; subnormal inputs are exact-scaled first.
float log_f32(float x);

}  // namespace tacit
