// Trains a 2-16-16-2 MLP to tell points inside a circle from points outside,
// saves it, loads it back, and checks that the copy predicts the same bits.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include <tacit/checkpoint.h>
#include <tacit/init.h>
#include <tacit/rng.h>
#include <tacit/train.h>

using namespace tacit;

// n points uniform in [-1, 1)² into x (n, 2), labelled 1 inside x² + y² < 0.5.
void circle(std::uint32_t stream, std::uint64_t first, int n, Matrix x, std::int32_t* labels) {
  random_fill_uniform_pm1(/*seed*/ 1, stream, first, 2 * static_cast<std::size_t>(n), x.data);
  for (int i = 0; i < n; ++i) {
    const float* p = x.row(i);
    labels[i] = p[0] * p[0] + p[1] * p[1] < 0.5f;
  }
}

int fail(const Status& s) {
  std::fprintf(stderr, "%s\n", s.message());
  return 1;
}

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "circle.tacit";
  const int widths[] = {2, 16, 16, 2}, batch = 256;
  MlpSpec spec;
  Status s = mlp_spec(widths, 4, &spec);
  // Size first: one block of memory for the model, a copy and the training state.
  std::vector<unsigned char> memory(
      arena_buffer_bytes(2 * mlp_bytes(spec) + train_state_bytes(spec, batch)));
  std::vector<unsigned char> file(checkpoint_bytes(spec));
  Arena arena(memory.data(), memory.size());
  Mlp model, copy;
  TrainState train;
  if (s) s = mlp_create(spec, arena, &model);
  if (s) s = mlp_create(spec, arena, &copy);
  if (s) s = train_state_create(spec, batch, AdamConfig{/*lr*/ 1e-2}, arena, &train);
  if (!s) return fail(s);

  const Compute compute{isa_best()};  // the widest SIMD kernel here, one thread
  const Matrix x = mlp_input(train.workspace, batch), logits = mlp_logits(train.workspace, batch);
  std::vector<std::int32_t> labels(batch), predicted(batch);
  mlp_init(model, Init::torch_default, /*seed*/ 1);
  for (int step = 0; step < 1000; ++step) {  // a fresh batch every step
    circle(/*stream*/ 0, std::uint64_t{2} * batch * step, batch, x, labels.data());
    train_step_cross_entropy(compute, model, train, batch, labels.data(), 0, 2);
  }
  // Accuracy on points it never saw.
  circle(/*stream*/ 1, 0, batch, x, labels.data());
  mlp_forward(compute, model, train.workspace, batch);
  argmax_rows(logits, 0, 2, predicted.data());
  int correct = 0;
  for (int i = 0; i < batch; ++i) correct += predicted[i] == labels[i];
  const std::vector<float> trained(logits.data, logits.data + 2 * batch);

  // Save, load into the copy, and predict the same points again.
  s = checkpoint_save(path, model, file.data(), file.size());
  if (s) s = checkpoint_load(path, file.data(), file.size(), copy);
  if (!s) return fail(s);
  mlp_forward(compute, copy, train.workspace, batch);
  const bool same = std::memcmp(trained.data(), logits.data, trained.size() * sizeof(float)) == 0;
  std::printf("accuracy %d/%d on new points; reloaded from %s: %s logits\n", correct, batch,
              path, same ? "the same" : "DIFFERENT");
  return correct >= 0.95 * batch && same ? 0 : 1;
}
