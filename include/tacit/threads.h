// A fixed pool of worker threads. Work is split by output element only, so a
// result never depends on the number of threads (docs/STYLE.md, rule 6). Built
// with -Dthreads=false the pool runs everything on the calling thread and
// std::thread is not used at all.
#pragma once

#include <cstddef>

namespace tacit {

struct ThreadPoolState;
namespace detail {
struct PoolScratch;
}

class ThreadPool {
 public:
  // `threads` counts the caller too: ThreadPool(2) starts one worker.
  // Creating a pool allocates; run() never does. Where the system cannot
  // start them all (and the build has exceptions), the pool keeps the
  // workers it started: size() is the count to trust. The pool also holds
  // each thread's scratch for products (258 KiB a thread where AVX2 is
  // available, whichever ISA the products then use), so that none needs a
  // large stack frame: workers run on the platform's default thread stack
  // (docs/EMBEDDING.md, "Stack and threads"). A pool serves one caller at
  // a time: two threads must not compute with one pool at once. After a
  // run each worker spins for up to 1 ms, using a core, before it sleeps.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return size_; }

  // Calls task(context, index) for every index in [0, count) across the pool,
  // the calling thread included, and returns when all calls have returned.
  void run(int count, void (*task)(void* context, int index), void* context);

 private:
  friend struct detail::PoolScratch;
  int size_ = 1;
  ThreadPoolState* state_ = nullptr;
  float* scratch_ = nullptr;  // size_ slots of scratch_stride_ floats, 64-byte aligned
  std::size_t scratch_stride_ = 0;
};

// False when built with -Dthreads=false: every pool then has size 1.
bool threads_enabled();
// The hardware's concurrency (1 when unknown or when threads are disabled).
int hardware_threads();

}  // namespace tacit
