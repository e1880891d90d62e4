// Persistent workers woken per run(); indices are claimed from an atomic
// counter. Which thread computes an index never matters for the result:
// callers give each index its own output elements.
#include "tacit/threads.h"

#if defined(TACIT_THREADS)
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>
#endif

namespace tacit {

#if defined(TACIT_THREADS)

struct ThreadPoolState {
  std::mutex mutex;
  std::condition_variable wake;
  std::condition_variable finished;
  std::vector<std::thread> workers;
  unsigned long generation = 0;
  bool stopping = false;
  void (*task)(void*, int) = nullptr;
  void* context = nullptr;
  int count = 0;
  std::atomic<int> next{0};
  int workers_busy = 0;

  void work_until_empty() {
    for (int index = next.fetch_add(1); index < count; index = next.fetch_add(1)) {
      task(context, index);
    }
  }

  void worker_loop() {
    unsigned long seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] { return stopping || generation != seen; });
        if (stopping) return;
        seen = generation;
      }
      work_until_empty();
      std::lock_guard<std::mutex> lock(mutex);
      if (--workers_busy == 0) finished.notify_one();
    }
  }
};

ThreadPool::ThreadPool(int threads) {
  size_ = threads < 1 ? 1 : threads;
  if (size_ == 1) return;
  state_ = new ThreadPoolState;
  state_->workers.reserve(static_cast<unsigned>(size_ - 1));
  for (int i = 1; i < size_; ++i) {
    state_->workers.emplace_back([s = state_] { s->worker_loop(); });
  }
}

ThreadPool::~ThreadPool() {
  if (state_ == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  for (auto& worker : state_->workers) worker.join();
  delete state_;
}

void ThreadPool::run(int count, void (*task)(void*, int), void* context) {
  if (state_ == nullptr || count <= 1) {
    for (int i = 0; i < count; ++i) task(context, i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->task = task;
    state_->context = context;
    state_->count = count;
    state_->next.store(0);
    state_->workers_busy = size_ - 1;
    ++state_->generation;
  }
  state_->wake.notify_all();
  state_->work_until_empty();
  std::unique_lock<std::mutex> lock(state_->mutex);
  state_->finished.wait(lock, [&] { return state_->workers_busy == 0; });
}

bool threads_enabled() { return true; }

int hardware_threads() {
  const unsigned hardware = std::thread::hardware_concurrency();
  return hardware == 0 ? 1 : static_cast<int>(hardware);
}

#else  // built with -Dthreads=false

ThreadPool::ThreadPool(int) { size_ = 1; }
ThreadPool::~ThreadPool() = default;
void ThreadPool::run(int count, void (*task)(void*, int), void* context) {
  for (int i = 0; i < count; ++i) task(context, i);
}
bool threads_enabled() { return false; }
int hardware_threads() { return 1; }

#endif

}  // namespace tacit
