// Linked into a second build of examples/train/train.cpp with
// -Wl,--wrap on trainer_step_labels and model_predict: counts the heap
// allocations made inside those calls (the program's setup, its vectors and
// thread pool, and the C library's FILE buffers for saving and loading lie
// outside them) and makes the program fail at exit unless the calls were
// made and none of them allocated.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "tacit/trainer.h"

namespace {

std::atomic<long> g_allocations{0};
long g_step_calls = 0, g_step_allocations = 0;
long g_predict_calls = 0, g_predict_allocations = 0;

void* counted(std::size_t size) {
  g_allocations.fetch_add(1);
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) std::abort();
  return p;
}

void report() {
  std::printf("allocations inside %ld trainer_step_labels calls: %ld; inside %ld "
              "model_predict calls: %ld\n", g_step_calls, g_step_allocations,
              g_predict_calls, g_predict_allocations);
  std::fflush(stdout);
  if (g_step_calls == 0 || g_predict_calls == 0 || g_step_allocations != 0 ||
      g_predict_allocations != 0) {
    std::_Exit(3);
  }
}

// Registered before main; also proves the counter counts.
const bool g_registered = [] {
  const long before = g_allocations.load();
  ::operator delete(::operator new(8));
  if (g_allocations.load() != before + 1) std::abort();
  return std::atexit(report) == 0;
}();

}  // namespace

void* operator new(std::size_t size) { return counted(size); }
void* operator new[](std::size_t size) { return counted(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return counted(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return counted(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

// The linker sends the example's calls here (--wrap=SYMBOL) and the
// __real_ names to the library; asm labels spell the mangled names.
tacit::Status real_step(tacit::Trainer&, const float*, const std::int32_t*, int, float*) __asm__(
    "__real__ZN5tacit19trainer_step_labelsERNS_7TrainerEPKfPKiiPf");
tacit::Status real_predict(tacit::Model&, const float*, int, tacit::Output, float*) __asm__(
    "__real__ZN5tacit13model_predictERNS_5ModelEPKfiNS_6OutputEPf");
tacit::Status wrapped_step(tacit::Trainer&, const float*, const std::int32_t*, int, float*) __asm__(
    "__wrap__ZN5tacit19trainer_step_labelsERNS_7TrainerEPKfPKiiPf");
tacit::Status wrapped_predict(tacit::Model&, const float*, int, tacit::Output, float*) __asm__(
    "__wrap__ZN5tacit13model_predictERNS_5ModelEPKfiNS_6OutputEPf");

tacit::Status wrapped_step(tacit::Trainer& t, const float* x, const std::int32_t* labels, int rows,
                           float* loss) {
  const long before = g_allocations.load();
  const tacit::Status status = real_step(t, x, labels, rows, loss);
  g_step_allocations += g_allocations.load() - before;
  ++g_step_calls;
  return status;
}

tacit::Status wrapped_predict(tacit::Model& m, const float* x, int rows, tacit::Output output,
                              float* out) {
  const long before = g_allocations.load();
  const tacit::Status status = real_predict(m, x, rows, output, out);
  g_predict_allocations += g_allocations.load() - before;
  ++g_predict_calls;
  return status;
}
