#include "repro/speed.h"

namespace repro {

namespace {

double over_peak(double gflops, double peak_gflops) {
  return peak_gflops > 0.0 ? gflops / peak_gflops : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

void rate_against_peak(double peak_gflops, Results* results) {
  results->peak_gflops = peak_gflops;
  for (RunResult& run : results->runs) {
    run.speed.fraction_of_peak = over_peak(run.speed.gflops, peak_gflops);
  }
}

SpeedSummary summarize_speed(const Results& results) {
  SpeedSummary s;
  for (const RunResult& run : results.runs) {
    s.flops += run.flops;
    s.seconds += run.seconds.total;
  }
  s.gflops = s.seconds > 0.0 ? s.flops / s.seconds / 1e9 : 0.0;
  s.fraction_of_peak = over_peak(s.gflops, results.peak_gflops);
  return s;
}

}  // namespace repro
