// Timing: repeated samples of a callable, summarized by median and range.
// Each sample times enough calls to last about `sample_seconds`, so timer
// resolution never matters; the first call of all warms caches and pages.
#pragma once

#include <chrono>
#include <ctime>
#include <vector>

namespace tacit_bench {

// --threads takes at most this many; per-thread result slots are sized by it.
constexpr int kMaxThreads = 256;

struct Summary {
  double median = 0, min = 0, max = 0;  // seconds per call
  int samples = 0;
  // Process CPU time over wall time while sampling: about the thread count
  // on an idle machine, less when other processes took the cores.
  double cpu_per_wall = 0;
};

Summary summarize(std::vector<double> values);

struct SamplePlan {
  double sample_seconds = 0.002;
  int samples = 11;
  int min_samples = 3;
  double budget_seconds = 2.0;  // stop after this many seconds once min_samples are in
};

inline double now_seconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

template <typename Call>
Summary measure(const SamplePlan& plan, Call&& call) {
  const double warm_start = now_seconds();
  call();
  const double first = now_seconds() - warm_start;
  long calls = first > 0 ? static_cast<long>(plan.sample_seconds / first) : 1000;
  if (calls < 1) calls = 1;
  std::vector<double> per_call;
  per_call.reserve(static_cast<std::size_t>(plan.samples));
  const double start = now_seconds();
  const std::clock_t cpu_start = std::clock();
  for (int s = 0; s < plan.samples; ++s) {
    const double t0 = now_seconds();
    for (long c = 0; c < calls; ++c) call();
    per_call.push_back((now_seconds() - t0) / static_cast<double>(calls));
    if (s + 1 >= plan.min_samples && now_seconds() - start > plan.budget_seconds) break;
  }
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const double wall = now_seconds() - start;
  Summary summary = summarize(per_call);
  summary.cpu_per_wall = wall > 0 ? cpu / wall : 0;
  return summary;
}

}  // namespace tacit_bench
