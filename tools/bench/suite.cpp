#include "bench/suite.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "bench/peak.h"
#include "common/cli.h"
#include "tacit/gemm.h"
#include "tacit/init.h"
#include "tacit/layers.h"
#include "tacit/mlp.h"
#include "tacit/optimizer.h"
#include "tacit/rng.h"
#include "tacit/threads.h"
#include "tacit/train.h"

namespace tacit_bench {

namespace {

using tacit::Compute;
using tacit::ConstMatrix;
using tacit::Isa;
using tacit::Matrix;

struct Shape {
  int in, out;
  bool relu;  // hidden layers' forward has the ReLU epilogue
};
constexpr Shape kShapes[] = {{784, 256, true}, {256, 256, true}, {256, 13, false}};
const int kWidths[] = {784, 256, 256, 13};
constexpr int kClasses = 10;  // the teacher's cross-entropy covers the digit logits

// Buffers start on 4 KiB pages plus a different number of cache lines each,
// the same in every run: placement can neither vary between processes nor
// make two operands alias in the L1's sets or the 4 KiB store-forwarding check.
class Placement {
 public:
  explicit Placement(std::size_t bytes) : raw_(std::malloc(bytes + 4096)) {
    if (raw_ != nullptr) {
      const auto address = reinterpret_cast<std::uintptr_t>(raw_);
      base_ = static_cast<unsigned char*>(raw_) + ((4096 - address % 4096) % 4096);
      capacity_ = bytes;
    }
  }
  ~Placement() { std::free(raw_); }
  Placement(const Placement&) = delete;
  Placement& operator=(const Placement&) = delete;
  bool ok() const { return raw_ != nullptr; }

  float* floats(std::size_t count) {
    const std::size_t start = used_ + 64 * (3 * taken_++ % 64);
    const std::size_t end = (start + count * sizeof(float) + 4095) / 4096 * 4096;
    if (end > capacity_) return nullptr;
    used_ = end;
    return reinterpret_cast<float*>(base_ + start);
  }
  tacit::Arena arena(std::size_t bytes) {
    void* start = floats(bytes / sizeof(float) + 16);
    return tacit::Arena(start, start == nullptr ? 0 : bytes + 64);
  }

 private:
  void* raw_;
  unsigned char* base_ = nullptr;
  std::size_t capacity_ = 0, used_ = 0;
  int taken_ = 0;
};

// uniform in [lo, hi): no subnormals, no zeros in practice.
void fill(float* out, std::size_t count, std::uint32_t stream, float lo, float hi) {
  tacit::random_fill_uniform01(7, stream, 0, count, out);
  for (std::size_t i = 0; i < count; ++i) out[i] = lo + (hi - lo) * out[i];
}

struct Buffers {
  float *x, *w, *wt, *bias, *y, *dy, *dx, *dw;
};

bool make_buffers(Placement& place, int max_batch, Buffers* b) {
  const std::size_t rows = static_cast<std::size_t>(max_batch);
  b->x = place.floats(rows * 784);
  b->w = place.floats(784 * 256);
  b->wt = place.floats(784 * 256);
  b->bias = place.floats(256);
  b->y = place.floats(rows * 256);
  b->dy = place.floats(rows * 256);
  b->dx = place.floats(rows * 784);
  b->dw = place.floats(784 * 256);
  if (!b->x || !b->w || !b->wt || !b->bias || !b->y || !b->dy || !b->dx || !b->dw)
    return false;
  fill(b->x, rows * 784, 1, 0.0f, 1.0f);  // pixels / ReLU outputs
  fill(b->w, 784 * 256, 2, -0.06f, 0.06f);
  fill(b->wt, 784 * 256, 3, -0.06f, 0.06f);
  fill(b->bias, 256, 4, -0.1f, 0.1f);
  fill(b->dy, rows * 256, 5, -1e-3f, 1e-3f);  // mean-loss gradients
  return true;
}

void note(const Options& o, const char* fmt, const char* isa, int threads, const char* op,
          int in, int out, int batch) {
  if (!o.quiet) std::fprintf(stderr, fmt, isa, threads, op, in, out, batch);
}

Record record(const char* isa, int threads, const char* op, int in, int out, int batch,
              double flops, double peak) {
  Record r;
  r.isa = isa;
  r.threads = threads;
  r.op = op;
  r.in = in;
  r.out = out;
  r.batch = batch;
  r.flops = flops;
  r.peak_gflops = peak;
  return r;
}

void bench_products(const Options& o, const Compute& compute, const Buffers& b,
                    double peak, SuiteResult* result) {
  const char* isa = tacit::isa_name(compute.isa);
  const int threads = compute.pool->size();
  for (int batch : o.batches) {
    for (const Shape& s : kShapes) {
      const double flops = 2.0 * batch * s.in * s.out;
      const ConstMatrix x(b.x, batch, s.in, s.in);
      const ConstMatrix w(b.w, s.out, s.in, s.in);
      const ConstMatrix wt(b.wt, s.in, s.out, s.out);
      const ConstMatrix dy(b.dy, batch, s.out, s.out);
      const char* ops[] = {"forward", "dx", "dw"};
      for (const char* op : ops) {
        note(o, "  %s x%d %s %d->%d batch %d\n", isa, threads, op, s.in, s.out, batch);
        Record r = record(isa, threads, op, s.in, s.out, batch, flops, peak);
        if (op[1] == 'o') {
          const Matrix y{b.y, batch, s.out, s.out};
          r.seconds = measure(o.plan, [&] {
            tacit::dense_forward(compute, x, wt, b.bias, y, s.relu);
          });
        } else if (op[1] == 'x') {
          const Matrix dx{b.dx, batch, s.in, s.in};
          r.seconds = measure(o.plan, [&] { tacit::dense_backward_input(compute, dy, w, dx); });
        } else {
          const Matrix dw{b.dw, s.out, s.in, s.in};
          r.seconds = measure(o.plan, [&] { tacit::gemm(compute, dy, true, x, nullptr, dw); });
        }
        result->records.push_back(r);
      }
    }
  }
}

double step_flops(const tacit::MlpSpec& spec, int batch) {
  double flops = 0;
  for (int l = 0; l < spec.layers; ++l) {
    const double product = 2.0 * batch * spec.widths[l] * spec.widths[l + 1];
    flops += (l == 0 ? 2 : 3) * product;  // forward, dW, dX (none for layer 0)
  }
  return flops;
}

double forward_flops(const tacit::MlpSpec& spec, int batch) {
  double flops = 0;
  for (int l = 0; l < spec.layers; ++l)
    flops += 2.0 * batch * spec.widths[l] * spec.widths[l + 1];
  return flops;
}

// Each thread reads its own contiguous part, on 64-float boundaries.
struct ReadTask {
  ReadLoop read;
  const float* data;
  long count;  // a multiple of 64
  int parts;
  float sink[kMaxThreads];
};

void run_read_task(void* context, int part) {
  auto& task = *static_cast<ReadTask*>(context);
  const long blocks = task.count / 64;
  const long begin = blocks * part / task.parts * 64;
  const long end = blocks * (part + 1) / task.parts * 64;
  task.sink[part] = task.read(task.data + begin, end - begin);
}

bool bench_network(const Options& o, const Compute& compute, ReadLoop read, double peak,
                   SuiteResult* result) {
  const char* isa = tacit::isa_name(compute.isa);
  const int threads = compute.pool->size();
  tacit::MlpSpec spec;
  if (!tacit::mlp_spec(kWidths, 4, &spec).ok()) return false;
  const int batch = o.train_batch;
  const std::size_t params = tacit::mlp_param_count(spec);
  const std::size_t bytes = tacit::mlp_bytes(spec) +
                            tacit::train_state_bytes(spec, batch) +
                            tacit::mlp_workspace_bytes(spec, 1) +
                            tacit::arena_floats_bytes(params) + tacit::adam_bytes(params);
  Placement place(bytes + (1 << 20));
  auto* labels = static_cast<std::int32_t*>(std::malloc(sizeof(std::int32_t) * batch));
  if (!place.ok() || labels == nullptr) {
    std::free(labels);
    return false;
  }
  tacit::Arena arena = place.arena(bytes);
  tacit::Mlp mlp;
  tacit::TrainState state;
  tacit::MlpWorkspace one;
  tacit::AdamConfig adam_config;
  adam_config.lr = 3e-4;
  tacit::Adam adam;
  bool ok = tacit::mlp_create(spec, arena, &mlp).ok() &&
            tacit::train_state_create(spec, batch, adam_config, arena, &state).ok() &&
            tacit::mlp_workspace_create(spec, 1, arena, &one).ok() &&
            tacit::adam_create(adam_config, params, arena, &adam).ok();
  float* grads = ok ? arena.take_floats(params) : nullptr;
  if (grads == nullptr) {
    std::free(labels);
    return false;
  }
  tacit::mlp_init(mlp, tacit::Init::normal_fan_in, 1);
  const tacit::Matrix input = tacit::mlp_input(state.workspace, batch);
  fill(input.data, static_cast<std::size_t>(batch) * 784, 11, 0.0f, 1.0f);
  for (int i = 0; i < batch; ++i)
    labels[i] = static_cast<std::int32_t>(tacit::random_u32(7, 12, i) % kClasses);
  fill(tacit::mlp_input(one, 1).data, 784, 13, 0.0f, 1.0f);
  fill(grads, params, 14, -1e-3f, 1e-3f);

  note(o, "  %s x%d %s %d->%d batch %d\n", isa, threads, "train_step", 784, 13, batch);
  Record r = record(isa, threads, "train_step", 784, 13, batch, step_flops(spec, batch), peak);
  r.seconds = measure(o.plan, [&] {
    tacit_cli::require(tacit::train_step_cross_entropy(compute, mlp, state, batch, labels,
                                                       nullptr, tacit::Columns{0, kClasses}));
  });
  result->records.push_back(r);

  note(o, "  %s x%d %s %d->%d batch %d\n", isa, threads, "infer", 784, 13, 1);
  r = record(isa, threads, "infer", 784, 13, 1, forward_flops(spec, 1), peak);
  r.seconds = measure(o.plan, [&] { tacit_cli::require(tacit::mlp_forward(compute, mlp, one, 1)); });
  result->records.push_back(r);

  // At batch 1 each weight is used once per image, so where the weights do
  // not fit the cores' caches inference cannot beat reading them: as many
  // bytes (the parameters: the forward reads their packed copy, which is as
  // large but has unwritten bias slots), on as many threads.
  note(o, "  %s x%d %s %d->%d batch %d\n", isa, threads, "read", 784, 13, 1);
  r = record(isa, threads, "read", 784, 13, 1, 0, peak);
  ReadTask task{read, mlp.params, static_cast<long>(params) / 64 * 64, threads, {}};
  r.bytes = sizeof(float) * static_cast<double>(task.count);
  r.seconds = measure(o.plan, [&] { compute.pool->run(threads, run_read_task, &task); });
  result->records.push_back(r);

  note(o, "  %s x%d %s %d->%d batch %d\n", isa, threads, "adam", 0, 0, 0);
  r = record(isa, threads, "adam", static_cast<int>(params), 0, 0, 0, peak);
  r.bytes = 7.0 * sizeof(float) * static_cast<double>(params);  // g, m, v, p in; m, v, p out
  r.seconds = measure(o.plan, [&] { tacit::adam_step(compute, adam, mlp.params, grads); });
  result->records.push_back(r);
  std::free(labels);
  return true;
}

void empty_task(void*, int) {}

// What handing work to the pool costs: a run of one empty task per thread,
// back to back (the workers still spinning from the last run: the case
// between a training step's products), and after 2 ms without work (the
// workers asleep on the condition variable: the case after a pause).
void bench_pool(const Options& o, const Compute& compute, SuiteResult* result) {
  tacit::ThreadPool& pool = *compute.pool;
  const int threads = pool.size();
  if (threads < 2) return;
  const char* isa = tacit::isa_name(compute.isa);
  note(o, "  %s x%d %s\n", isa, threads, "pool", 0, 0, 0);
  Record r = record(isa, threads, "pool", 0, 0, 0, 0, 0);
  r.seconds = measure(o.plan, [&] { pool.run(threads, empty_task, nullptr); });
  result->records.push_back(r);

  note(o, "  %s x%d %s\n", isa, threads, "pool_wake", 0, 0, 0);
  r = record(isa, threads, "pool_wake", 0, 0, 0, 0, 0);
  std::vector<double> seconds;
  for (int s = 0; s < o.plan.samples * 5; ++s) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const double t0 = now_seconds();
    pool.run(threads, empty_task, nullptr);
    seconds.push_back(now_seconds() - t0);
  }
  r.seconds = summarize(seconds);  // cpu_per_wall stays 0: the loop is mostly sleep
  result->records.push_back(r);
}

}  // namespace

bool parse_isa_list(const char* text, std::vector<Isa>* isas, std::string* why) {
  std::vector<std::string> names;
  if (!tacit_cli::split_list(text, ',', &names)) return false;
  isas->clear();
  for (const std::string& name : names) {
    Isa isa;
    PeakKernel kernel;
    if (!tacit::isa_parse(name.c_str(), &isa)) {
      *why = "names " + name + "; expected a comma-separated list of " + tacit_cli::isa_names();
      return false;
    }
    if (!peak_kernel(isa, &kernel)) {
      *why = "names " + name + ", which is not available here; the best available is " +
             tacit::isa_name(tacit::isa_best());
      return false;
    }
    isas->push_back(isa);
  }
  return true;
}

std::vector<Isa> isas_to_measure(const Options& o) {
  if (!o.isas.empty()) return o.isas;
  std::vector<Isa> isas;
  for (int i = 0; i < tacit::isa_count(); ++i) {
    PeakKernel kernel;
    if (peak_kernel(tacit::isa_at(i), &kernel)) isas.push_back(tacit::isa_at(i));
  }
  return isas;
}

double gflops_of(const Record& r) {
  return r.flops > 0 && r.seconds.median > 0 ? r.flops / r.seconds.median * 1e-9 : 0;
}

double fraction_of(const Record& r) {
  return r.peak_gflops > 0 ? gflops_of(r) / r.peak_gflops : 0;
}

double best_fraction_of(const Record& r) {
  return r.flops > 0 && r.seconds.min > 0 && r.peak_best > 0
             ? r.flops / r.seconds.min * 1e-9 / r.peak_best
             : 0;
}

bool run_suite(const Options& o, SuiteResult* result) {
  const std::vector<Isa> isas = isas_to_measure(o);
  std::vector<int> thread_counts = o.threads;
  if (thread_counts.empty()) {
    thread_counts.push_back(1);
    if (tacit::hardware_threads() > 1) thread_counts.push_back(tacit::hardware_threads());
  }
  int max_batch = o.train_batch;
  for (int batch : o.batches) max_batch = batch > max_batch ? batch : max_batch;
  Placement place(static_cast<std::size_t>(max_batch) * (784 * 2 + 256 * 2) * 4 +
                  3 * 784 * 256 * 4 + (1 << 20));
  Buffers buffers;
  if (!place.ok() || !make_buffers(place, max_batch, &buffers)) {
    std::fprintf(stderr, "tacit-bench: out of memory for the operands\n");
    return false;
  }
  for (int threads : thread_counts) {
    tacit::ThreadPool pool(threads);
    for (Isa isa : isas) {
      PeakKernel kernel;
      peak_kernel(isa, &kernel);
      // Wide FMAs may run slowly at first (frequency licences, power gating).
      const double warm_end = now_seconds() + o.warmup_seconds;
      while (now_seconds() < warm_end) peak_gflops(kernel, pool, threads, 0.01, 1);
      Peak peak{tacit::isa_name(isa), pool.size(),
                peak_gflops(kernel, pool, threads, o.peak_seconds, o.peak_samples)};
      result->peaks.push_back(peak);
      if (!o.quiet) {
        std::fprintf(stderr, "peak %s x%d: %.1f GFLOP/s\n", peak.isa.c_str(), peak.threads,
                     peak.gflops.median);
      }
      const Compute compute{isa, &pool};
      const std::size_t first = result->records.size();
      bench_products(o, compute, buffers, peak.gflops.median, result);
      if (!bench_network(o, compute, kernel.read, peak.gflops.median, result)) {
        std::fprintf(stderr, "tacit-bench: out of memory for the network\n");
        return false;
      }
      bench_pool(o, compute, result);
      for (std::size_t i = first; i < result->records.size(); ++i)
        result->records[i].peak_best = peak.gflops.max;
    }
  }
  return true;
}

}  // namespace tacit_bench
