// The runs' FLOP rate: each run's product FLOPs over its seconds, against
// the FMA peak tacit-bench measures for the same ISA and thread count.
#pragma once

#include <limits>

#include "repro/results.h"

namespace repro {

// results->peak_gflops = peak_gflops, and each run's speed.fraction_of_peak
// against it (NaN when peak_gflops is not positive: no peak measured).
void rate_against_peak(double peak_gflops, Results* results);

struct SpeedSummary {
  double flops = 0.0;   // every run's, summed
  double seconds = 0.0;  // every run's seconds.total, summed
  double gflops = 0.0;  // flops / seconds / 1e9
  // gflops / results.peak_gflops, so seconds · fraction_of_peak is the
  // FLOP floor; NaN without a peak
  double fraction_of_peak = std::numeric_limits<double>::quiet_NaN();
};
SpeedSummary summarize_speed(const Results& results);

}  // namespace repro
