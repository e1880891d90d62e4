// The machine's peak FP32 fused multiply-add rate per ISA, measured by the
// benchmark itself: independent FMA chains, enough of them to cover the
// latency of every FMA pipe, so the loop runs at the issue rate.
#pragma once

#include "bench/measure.h"
#include "bench/peak_loops.h"
#include "tacit/isa.h"
#include "tacit/threads.h"

namespace tacit_bench {

// Runs `iterations` rounds of the ISA's FMA loop on the calling thread and
// returns a value that depends on every FMA (so none can be dropped).
using PeakLoop = float (*)(long iterations);

using ReadLoop = float (*)(const float* data, long count);

struct PeakKernel {
  PeakLoop loop = nullptr;
  double flops_per_iteration = 0;  // 2 per FMA lane
  ReadLoop read = nullptr;         // see peak_loops.h
};

// False when the ISA's loop is not compiled in or this CPU lacks it.
// "portable" is std::fma on scalars as the build's baseline flags compile
// it (a libm call on x86-64 without -mfma): the portable kernel's ceiling.
bool peak_kernel(tacit::Isa isa, PeakKernel* kernel);

// GFLOP/s of `threads` copies of the loop running at once (pool size >=
// threads): `samples` samples of about `seconds` each.
Summary peak_gflops(const PeakKernel& kernel, tacit::ThreadPool& pool, int threads,
                    double seconds, int samples);

}  // namespace tacit_bench
