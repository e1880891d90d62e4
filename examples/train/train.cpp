// Trains a 2-16-16-2 MLP to tell points in a circle from those outside; saves, reloads, scores it.
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <tacit/tacit.h>
using namespace tacit;
constexpr int kRows = 256;
void circle(std::uint32_t stream, std::uint64_t first, float* x, std::int32_t* labels) {
  random_fill_uniform_pm1(/*seed*/ 1, stream, first, 2 * kRows, x);  // points in [-1, 1)²
  for (int i = 0; i < kRows; ++i, x += 2) labels[i] = x[0] * x[0] + x[1] * x[1] < 0.5f;
}
int main(int argc, char** argv) {  // train PATH [THREADS]
  ThreadPool pool(argc > 2 ? std::atoi(argv[2]) : 1);
  TrainerConfig config;  // Adam, cross-entropy over every output, PyTorch's init, seed 0
  config.batch = kRows, config.lr = 1e-2, config.compute.pool = &pool;
  Status s = mlp_spec({2, 16, 16, 2}, &config.spec);
  std::vector<unsigned char> memory(trainer_bytes(config)), copy(model_bytes(config.spec, kRows));
  Trainer trainer;
  Model loaded;
  if (s) s = trainer_create(config, memory.data(), memory.size(), &trainer);
  float x[2 * kRows], p[2 * kRows];
  std::int32_t labels[kRows], correct = 0;
  for (int step = 0; s && step < 1000; ++step) {  // a fresh batch every step
    circle(/*stream*/ 0, std::uint64_t{2} * kRows * step, x, labels);
    s = trainer_step_labels(trainer, x, labels, kRows);
  }
  if (s) s = model_save(trainer.model, argv[1]);
  if (s) s = model_load(argv[1], kRows, copy.data(), copy.size(), &loaded, config.compute);
  circle(/*stream*/ 1, 0, x, labels);  // points it never saw
  if (s) s = model_predict(loaded, x, kRows, Output::probabilities, p);
  if (!s) return std::fprintf(stderr, "%s\n", s.message()), 1;
  for (int i = 0; i < kRows; ++i) correct += (p[2 * i + 1] > p[2 * i]) == labels[i];
  std::printf("accuracy of the reloaded model on new points: %d/%d\n", int(correct), kRows);
  return correct >= 0.95 * kRows ? 0 : 1;
}
