// Steady-state calls make zero heap allocations, counted by
// alloc_counter.cpp's replacement of the global allocation functions.
#include <doctest/doctest.h>

#include <vector>

#include "alloc_counter.h"
#include "tacit/init.h"
#include "tacit/mlp.h"
#include "tacit/rng.h"
#include "tacit/train.h"

using namespace tacit;

namespace {

void check_no_allocations(const MlpSpec& spec) {
  const int batch = 64;
  std::vector<unsigned char> memory(
      arena_buffer_bytes(2 * mlp_bytes(spec) + train_state_bytes(spec, batch) +
                         mlp_workspace_bytes(spec, batch)));
  Arena arena(memory.data(), memory.size());
  Mlp teacher, student;
  TrainState state;
  MlpWorkspace teacher_ws;
  REQUIRE(mlp_create(spec, arena, &teacher).ok());
  REQUIRE(mlp_create(spec, arena, &student).ok());
  REQUIRE(train_state_create(spec, batch, AdamConfig{}, arena, &state).ok());
  REQUIRE(mlp_workspace_create(spec, batch, arena, &teacher_ws).ok());
  mlp_init(teacher, Init::normal_fan_in, 1);
  mlp_copy_params(teacher, student);
  std::vector<std::int32_t> labels(batch, 3);

  for (int threads : {1, 2}) {
    ThreadPool pool(threads);  // creating a pool may allocate; running may not
    const Compute compute{isa_best(), &pool};
    const long before = data_test::alloc_count().calls;
    for (int step = 0; step < 2; ++step) {
      Matrix x = mlp_input(state.workspace, batch);
      random_fill_uniform_pm1(1, 5, 0, static_cast<std::size_t>(batch) * 784, x.data);
      const Columns digits{0, 10}, aux{10, 13};
      CHECK(train_step_cross_entropy(compute, teacher, state, batch, labels.data(), nullptr,
                                     digits));
      random_fill_normal(1, 6, 0, static_cast<std::size_t>(batch) * 784,
                         mlp_input(teacher_ws, batch).data);
      CHECK(mlp_forward(compute, teacher, teacher_ws, batch));
      CHECK(train_step_distill(compute, student, state, batch, mlp_logits(teacher_ws, batch),
                               DistillLoss::kl, 1.0f, nullptr, aux));
      CHECK(train_step_distill(compute, student, state, batch, mlp_logits(teacher_ws, batch),
                               DistillLoss::squared_error, 1.0f, nullptr, aux));
      std::int32_t predictions[64];
      CHECK(argmax_rows(mlp_logits(teacher_ws, batch), predictions, digits));
      adam_reset(state.adam);
    }
    CHECK(data_test::alloc_count().calls - before == 0);
  }
}

}  // namespace

TEST_CASE("training and inference steps allocate nothing") {
  const int widths[] = {784, 256, 256, 13};
  MlpSpec spec;
  REQUIRE(mlp_spec(widths, 4, &spec).ok());
  check_no_allocations(spec);
  for (Activation a : {Activation::tanh, Activation::sigmoid, Activation::gelu}) {
    CAPTURE(activation_name(a));
    const Activation hidden[] = {a, Activation::gelu};
    REQUIRE(mlp_spec_activations(widths, 4, hidden, &spec).ok());
    check_no_allocations(spec);
  }
}
