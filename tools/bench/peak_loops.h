// The peak-FMA loops, one per ISA, each in its own translation unit built
// for that ISA alone (tools/bench/meson.build). Declarations only, and no
// includes: an inline function compiled with -mavx512f could otherwise be
// the copy the linker keeps and run on a CPU without it.
#pragma once

namespace tacit_bench {

float peak_loop_portable(long iterations);
float peak_loop_avx2(long iterations);
float peak_loop_avx512(long iterations);
float peak_loop_neon(long iterations);
// Reads data[0, count) (count a multiple of 64) with the ISA's widest
// loads, each feeding the value returned, so none can be dropped: the rate
// at which a core streams operands from wherever they sit in the caches.
float read_loop_portable(const float* data, long count);
float read_loop_avx2(const float* data, long count);
float read_loop_avx512(const float* data, long count);
float read_loop_neon(const float* data, long count);
// FLOPs per iteration of each loop (2 per FMA lane).
extern const double kPeakFlopsPortable;
extern const double kPeakFlopsAvx2;
extern const double kPeakFlopsAvx512;
extern const double kPeakFlopsNeon;

}  // namespace tacit_bench
