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
// FLOPs per iteration of each loop (2 per FMA lane).
extern const double kPeakFlopsPortable;
extern const double kPeakFlopsAvx2;
extern const double kPeakFlopsAvx512;
extern const double kPeakFlopsNeon;

}  // namespace tacit_bench
