#include "bench/peak.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <vector>

#include "bench/measure.h"

namespace tacit_bench {

const double kPeakFlopsPortable = 8 * 2;

// Eight scalar chains; whatever std::fma compiles to here (an instruction
// with -mfma, a call to libm's fmaf without) is what the portable kernel pays.
float peak_loop_portable(long iterations) {
  constexpr int kChains = 8;
  float acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = static_cast<float>(c);
  for (long i = 0; i < iterations; ++i) {
    for (int c = 0; c < kChains; ++c) acc[c] = std::fma(acc[c], 0.999f, 0.001f);
  }
  float sum = 0;
  for (int c = 0; c < kChains; ++c) sum += acc[c];
  return sum;
}

// Integer adds of the bits, in plain C++: whatever the compiler makes of it
// with the baseline's instructions (g++ vectorizes it, clang 14 does not).
float read_loop_portable(const float* data, long count) {
  std::uint32_t acc[8] = {};
  for (long i = 0; i < count; i += 8) {
    for (int c = 0; c < 8; ++c) {
      std::uint32_t bits;
      std::memcpy(&bits, data + i + c, sizeof bits);
      acc[c] += bits;
    }
  }
  std::uint32_t sum = 0;
  for (std::uint32_t a : acc) sum += a;
  return static_cast<float>(sum);
}

bool peak_kernel(tacit::Isa isa, PeakKernel* kernel) {
  if (!tacit::isa_available(isa)) return false;
  switch (isa) {
    case tacit::Isa::portable:
      *kernel = {peak_loop_portable, kPeakFlopsPortable, read_loop_portable};
      return true;
    case tacit::Isa::avx2:
#if defined(TACIT_BENCH_HAVE_AVX2)
      *kernel = {peak_loop_avx2, kPeakFlopsAvx2, read_loop_avx2};
      return true;
#else
      return false;
#endif
    case tacit::Isa::avx512:
#if defined(TACIT_BENCH_HAVE_AVX512)
      *kernel = {peak_loop_avx512, kPeakFlopsAvx512, read_loop_avx512};
      return true;
#else
      return false;
#endif
    case tacit::Isa::neon:
#if defined(TACIT_BENCH_HAVE_NEON)
      *kernel = {peak_loop_neon, kPeakFlopsNeon, read_loop_neon};
      return true;
#else
      return false;
#endif
  }
  return false;
}

namespace {

struct PeakTask {
  PeakLoop loop;
  long iterations;
  float sink[kMaxThreads];
};

void run_peak_task(void* context, int index) {
  auto& task = *static_cast<PeakTask*>(context);
  task.sink[index] = task.loop(task.iterations);
}

}  // namespace

Summary peak_gflops(const PeakKernel& kernel, tacit::ThreadPool& pool, int threads,
                    double seconds, int samples) {
  PeakTask task{kernel.loop, 10000, {}};
  // Calibrate on one thread, then run every copy at once.
  const double t0 = now_seconds();
  run_peak_task(&task, 0);
  const double elapsed = now_seconds() - t0;
  task.iterations = static_cast<long>(10000 * (seconds / (elapsed > 0 ? elapsed : 1e-6)));
  if (task.iterations < 1000) task.iterations = 1000;
  const double flops = static_cast<double>(threads) * static_cast<double>(task.iterations) *
                       kernel.flops_per_iteration;
  std::vector<double> rates;
  const double start = now_seconds();
  const std::clock_t cpu_start = std::clock();
  for (int s = 0; s < samples; ++s) {
    const double s0 = now_seconds();
    pool.run(threads, run_peak_task, &task);
    rates.push_back(flops / (now_seconds() - s0) * 1e-9);
  }
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  volatile float keep = task.sink[0];
  (void)keep;
  Summary summary = summarize(rates);
  summary.cpu_per_wall = cpu / (now_seconds() - start);
  return summary;
}

}  // namespace tacit_bench
