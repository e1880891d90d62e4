// Persistent workers woken per run(); indices are claimed from an atomic
// counter. Which thread computes an index never matters for the result:
// callers give each index its own output elements.
// A training step runs a dozen products back to back, each a few hundred
// microseconds at batch 64: waking a sleeping thread through the kernel
// costs about as much. So workers, and the caller waiting for them, first
// spin for a short while (kSpinSeconds) on the atomics before sleeping on
// the condition variables.
#include "tacit/threads.h"

#include <new>

#include "pool_scratch.h"

#if defined(TACIT_THREADS)
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#endif

namespace tacit {

namespace detail {

#if defined(TACIT_GEMM_SCRATCH)
namespace {
constexpr std::size_t kScratchAlignment = 64;
constexpr std::size_t kFloatsPerAlignment = kScratchAlignment / sizeof(float);
}  // namespace
#endif

// Only where a kernel that wants scratch is compiled in: elsewhere (a
// bare-metal -Dthreads=false build, say) no pool links operator new.
void PoolScratch::allocate(ThreadPool& pool) {
#if defined(TACIT_GEMM_SCRATCH)
  const std::size_t floats = kernels::gemm_scratch_floats_max();
  if (floats == 0) return;
  const std::size_t stride = (floats + kFloatsPerAlignment - 1) / kFloatsPerAlignment *
                             kFloatsPerAlignment;
  void* memory = ::operator new(stride * sizeof(float) * static_cast<std::size_t>(pool.size_),
                                std::align_val_t{kScratchAlignment}, std::nothrow);
  if (memory == nullptr) return;
  pool.scratch_ = static_cast<float*>(memory);
  pool.scratch_stride_ = stride;
#else
  static_cast<void>(pool);
#endif
}

void PoolScratch::release(ThreadPool& pool) {
#if defined(TACIT_GEMM_SCRATCH)
  if (pool.scratch_ != nullptr) {
    ::operator delete(pool.scratch_, std::align_val_t{kScratchAlignment});
  }
#endif
  pool.scratch_ = nullptr;
  pool.scratch_stride_ = 0;
}

kernels::GemmScratch PoolScratch::slot(const ThreadPool& pool, int index) {
  kernels::GemmScratch scratch;
  if (pool.scratch_ != nullptr && index >= 0 && index < pool.size_) {
    scratch.data = pool.scratch_ + pool.scratch_stride_ * static_cast<std::size_t>(index);
    scratch.floats = pool.scratch_stride_;
  }
  return scratch;
}

}  // namespace detail

#if defined(TACIT_THREADS)

namespace {

// Long enough to cover the waits inside a training step at batch 1024:
// one thread's share of a product finishing 50-300 us before the other's
// (784 columns split 384 + 400; one vCPU slower than the other), and the
// serial work between products. With 50 us, a two-thread training step
// slept about 3 times in the caller and 2 in the worker; the wakeups made
// it 1-5% slower (Zen 3 VM, batch 1024, one process alternating steps with
// 50 us and with 0.2-5 ms spins, 200 pairs each: the longer spin faster in
// 126-146 of the pairs). At 1 ms, 400 steps slept 43 times in all. Each
// worker of an idle pool spins, using a core, for 1 ms after its last run
// before it sleeps. tacit-bench's pool_wake row idles 2 ms so that the
// workers it wakes are asleep: keep the spin well under that.
constexpr double kSpinSeconds = 1e-3;

// A hint to the core that this is a spin loop (cheaper for a sibling
// hyperthread and for power); nothing where no such hint exists.
inline void cpu_relax() {
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
  __builtin_ia32_pause();
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

// Spins until done() or about kSpinSeconds have passed; returns done().
template <typename Done>
bool spin_until(Done done) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration<double>(kSpinSeconds);
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() > deadline) return done();
  }
}

}  // namespace

struct ThreadPoolState {
  std::mutex mutex;
  std::condition_variable wake;
  std::condition_variable finished;
  std::vector<std::thread> workers;
  // The job of the current run. run() writes it only while no worker is
  // inside a run (active == 0 with open false); workers read it only
  // after seeing open true, which run() stores after writing it.
  void (*task)(void*, int) = nullptr;
  void* context = nullptr;
  int count = 0;
  std::atomic<unsigned long> generation{0};  // bumped by every run()
  std::atomic<bool> stopping{false};
  std::atomic<bool> open{false};  // the current run still takes workers
  std::atomic<int> next{0};       // the next index to claim
  std::atomic<int> done{0};       // indices finished
  std::atomic<int> active{0};     // workers inside the current run

  void work() {
    for (int index = next.fetch_add(1); index < count; index = next.fetch_add(1)) {
      task(context, index);
      if (done.fetch_add(1, std::memory_order_acq_rel) + 1 == count) notify_finished();
    }
  }

  // Under the mutex, so that run() cannot miss it between its check and
  // its wait.
  void notify_finished() {
    std::lock_guard<std::mutex> lock(mutex);
    finished.notify_one();
  }

  void worker_loop() {
    unsigned long seen = 0;
    for (;;) {
      const auto published = [&] {
        return stopping.load(std::memory_order_acquire) ||
               generation.load(std::memory_order_acquire) != seen;
      };
      if (!spin_until(published)) {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, published);
      }
      if (stopping.load(std::memory_order_acquire)) return;
      seen = generation.load(std::memory_order_acquire);
      // A worker that wakes late finds the run closed (or all indices
      // claimed) and goes back to sleep: run() never waits for a worker
      // that was not scheduled in time, only for those inside the run.
      // Sequentially consistent with run()'s close-then-check: either this
      // worker sees open false, or run() sees it active.
      active.fetch_add(1, std::memory_order_seq_cst);
      if (open.load(std::memory_order_seq_cst)) work();
      if (active.fetch_sub(1, std::memory_order_seq_cst) == 1) notify_finished();
    }
  }
};

namespace {

// Starts up to `workers` threads on s; returns how many started.
int start_workers(ThreadPoolState* s, int workers) {
#if defined(__cpp_exceptions)
  // A system that cannot start every thread leaves a smaller pool (size()
  // says how large), not an exception out of a constructor: the bits do
  // not depend on the size.
  try {
    s->workers.reserve(static_cast<unsigned>(workers));
    for (int i = 0; i < workers; ++i) s->workers.emplace_back([s] { s->worker_loop(); });
  } catch (...) {
  }
#else
  s->workers.reserve(static_cast<unsigned>(workers));
  for (int i = 0; i < workers; ++i) s->workers.emplace_back([s] { s->worker_loop(); });
#endif
  return static_cast<int>(s->workers.size());
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
  const int wanted = threads < 1 ? 1 : threads;
  if (wanted > 1) {
    state_ = new ThreadPoolState;
    size_ = 1 + start_workers(state_, wanted - 1);
  }
  detail::PoolScratch::allocate(*this);
}

ThreadPool::~ThreadPool() {
  if (state_ != nullptr) {
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      state_->stopping.store(true, std::memory_order_release);
    }
    state_->wake.notify_all();
    for (auto& worker : state_->workers) worker.join();
    delete state_;
  }
  detail::PoolScratch::release(*this);
}

void ThreadPool::run(int count, void (*task)(void*, int), void* context) {
  if (state_ == nullptr || count <= 1) {
    for (int i = 0; i < count; ++i) task(context, i);
    return;
  }
  ThreadPoolState& s = *state_;
  s.task = task;
  s.context = context;
  s.count = count;
  s.next.store(0, std::memory_order_relaxed);
  s.done.store(0, std::memory_order_relaxed);
  s.open.store(true, std::memory_order_seq_cst);
  {
    // Under the mutex, so that a worker about to sleep cannot miss it.
    std::lock_guard<std::mutex> lock(s.mutex);
    s.generation.fetch_add(1, std::memory_order_release);
  }
  s.wake.notify_all();
  s.work();
  // Indices a worker claimed finish there; then close the run and wait for
  // the workers still inside it (they find nothing left to claim).
  const auto all_done = [&] { return s.done.load(std::memory_order_acquire) == count; };
  if (!spin_until(all_done)) {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.finished.wait(lock, all_done);
  }
  s.open.store(false, std::memory_order_seq_cst);
  const auto none_inside = [&] { return s.active.load(std::memory_order_seq_cst) == 0; };
  if (!spin_until(none_inside)) {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.finished.wait(lock, none_inside);
  }
}

bool threads_enabled() { return true; }

int hardware_threads() {
  const unsigned hardware = std::thread::hardware_concurrency();
  return hardware == 0 ? 1 : static_cast<int>(hardware);
}

#else  // built with -Dthreads=false

ThreadPool::ThreadPool(int) {
  size_ = 1;
  detail::PoolScratch::allocate(*this);
}
// state_ stays null here; reading it keeps clang's -Wunused-private-field
// (an error under -Dwerror=true) quiet without a second class layout.
ThreadPool::~ThreadPool() {
  static_cast<void>(state_);
  detail::PoolScratch::release(*this);
}
void ThreadPool::run(int count, void (*task)(void*, int), void* context) {
  for (int i = 0; i < count; ++i) task(context, i);
}
bool threads_enabled() { return false; }
int hardware_threads() { return 1; }

#endif

}  // namespace tacit
