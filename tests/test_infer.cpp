// Inference from read-only weights (infer.h) gives the bits of mlp_forward,
// for awkward shapes, every ISA this machine has and a thread pool, from
// memory exactly as large as its size query, allocating nothing.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "isa_list.h"
#include "tacit/infer.h"
#include "tacit/init.h"
#include "tacit/rng.h"

using namespace tacit;

namespace {

void check_same_bits(std::vector<int> widths, int rows,
                     std::vector<Activation> activations = {}) {
  CAPTURE(rows);
  CAPTURE(activations.size());
  MlpSpec spec;
  REQUIRE(mlp_spec_activations(widths.data(), static_cast<int>(widths.size()),
                               activations.data(), &spec).ok());
  std::vector<int> codes;
  for (Activation a : activations) codes.push_back(static_cast<int>(a));
  const std::size_t bytes = mlp_bytes(spec) + mlp_workspace_bytes(spec, rows) +
                            infer_workspace_bytes(spec, rows);
  std::vector<unsigned char> memory(arena_buffer_bytes(bytes));
  Arena arena(memory.data(), memory.size());
  Mlp mlp;
  MlpWorkspace forward;
  InferWorkspace infer;
  REQUIRE(mlp_create(spec, arena, &mlp).ok());
  REQUIRE(mlp_workspace_create(spec, rows, arena, &forward).ok());
  const std::size_t before_infer = arena.used();
  REQUIRE(infer_workspace_create(spec, rows, arena, &infer).ok());
  CHECK(arena.used() - before_infer == infer_workspace_bytes(spec, rows));
  CHECK(arena.used() == bytes);
  mlp_init(mlp, Init::torch_default, 11);

  // The weights as an exporter lays them out, in arrays of their own.
  std::vector<std::vector<float>> weights_t(spec.layers), biases(spec.layers);
  const float* weight_ptrs[kMaxLayers];
  const float* bias_ptrs[kMaxLayers];
  for (int l = 0; l < spec.layers; ++l) {
    const ConstMatrix wt = mlp_packed_weight(mlp, l);
    weights_t[l].assign(wt.data, wt.data + wt.rows * wt.cols);
    biases[l].assign(mlp_bias(mlp, l), mlp_bias(mlp, l) + wt.cols);
    weight_ptrs[l] = weights_t[l].data();
    bias_ptrs[l] = biases[l].data();
  }
  MlpView exported;
  REQUIRE(mlp_view_create(widths.data(), static_cast<int>(widths.size()),
                          codes.empty() ? nullptr : codes.data(), weight_ptrs, bias_ptrs,
                          &exported).ok());

  const int inputs = widths.front();
  const int outputs = widths.back();
  const Matrix x = mlp_input(forward, rows);
  random_fill_uniform_pm1(5, 0, 0, static_cast<std::size_t>(rows) * inputs, x.data);
  std::vector<float> logits(static_cast<std::size_t>(rows) * outputs);
  ThreadPool pool(2), pool3(3);
  // Every ISA and thread count gives the first one's bits, and inference
  // gives mlp_forward's.
  std::vector<float> first;
  for (Isa isa : test_isa::available_isas()) {
    for (ThreadPool* threads : {static_cast<ThreadPool*>(nullptr), &pool, &pool3}) {
      CAPTURE(isa_name(isa));
      CAPTURE(threads == nullptr ? 1 : threads->size());
      const Compute compute{isa, threads};
      mlp_forward(compute, mlp, forward, rows);
      const Matrix expected = mlp_logits(forward, rows);
      if (first.empty()) first.assign(expected.data, expected.data + logits.size());
      CHECK(std::memcmp(first.data(), expected.data, logits.size() * sizeof(float)) == 0);
      for (const MlpView& view : {mlp_view(mlp), exported}) {
        std::fill(logits.begin(), logits.end(), -1.0f);
        const long calls = data_test::alloc_count().calls;
        mlp_infer(compute, view, infer, x, matrix(logits.data(), rows, outputs));
        CHECK(data_test::alloc_count().calls == calls);
        CHECK(std::memcmp(logits.data(), expected.data, logits.size() * sizeof(float)) == 0);
      }
    }
  }
}

}  // namespace

TEST_CASE("mlp_infer equals mlp_forward bit for bit") {
  check_same_bits({784, 256, 256, 13}, 1);
  check_same_bits({784, 256, 256, 13}, 19);
  check_same_bits({61, 47, 33, 13}, 7);
  check_same_bits({17, 257, 255, 1, 3}, 17);
  check_same_bits({7, 1}, 1);  // no hidden layer: no scratch at all
}

TEST_CASE("mlp_infer equals mlp_forward bit for bit with every activation") {
  const Activation r = Activation::relu, t = Activation::tanh, s = Activation::sigmoid,
                   g = Activation::gelu;
  for (Activation a : {t, s, g}) {
    CAPTURE(activation_name(a));
    check_same_bits({784, 256, 256, 13}, 19, {a, a});
    check_same_bits({61, 47, 33, 13}, 7, {a, a});
  }
  check_same_bits({17, 257, 255, 1, 3}, 17, {g, t, s});
  check_same_bits({61, 47, 33, 29, 13}, 130, {t, r, g});  // parallel elementwise passes
}

TEST_CASE("views refuse an unknown activation code") {
  const int widths[] = {4, 3, 3, 2};
  const float w[12] = {};
  const float b[3] = {};
  const float* weights[] = {w, w, w};
  const float* biases[] = {b, b, b};
  const int codes[] = {3, 7};
  MlpView view;
  const Status status = mlp_view_create(widths, 4, codes, weights, biases, &view);
  CHECK(std::string(status.message()).find("mlp view: activations[1]: activation: expected "
                                           "a code from 0 to 3") != std::string::npos);
  const int good[] = {3, 1};
  REQUIRE(mlp_view_create(widths, 4, good, weights, biases, &view).ok());
  CHECK(view.spec.activation[0] == Activation::gelu);
  CHECK(view.spec.activation[1] == Activation::tanh);
}

TEST_CASE("the workspace is two buffers of the widest hidden layer") {
  const int widths[] = {784, 256, 300, 13};
  MlpSpec spec;
  REQUIRE(mlp_spec(widths, 4, &spec).ok());
  CHECK(infer_workspace_bytes(spec, 1) == 2 * arena_floats_bytes(300));
  CHECK(infer_workspace_bytes(spec, 3) == 2 * arena_floats_bytes(900));
  const int single[] = {784, 10};
  REQUIRE(mlp_spec(single, 2, &spec).ok());
  CHECK(infer_workspace_bytes(spec, 8) == 0);
}

TEST_CASE("views and workspaces refuse what cannot work") {
  const int widths[] = {4, 3, 2};
  const float w[12] = {};
  const float b[3] = {};
  const float* weights[] = {w, nullptr};
  const float* biases[] = {b, b};
  MlpView view;
  Status status = mlp_view_create(widths, 3, weights, biases, &view);
  CHECK(std::string(status.message()).find("weights_t[1]: expected an array of 3 x 2 floats, found null") != std::string::npos);
  MlpSpec spec;
  REQUIRE(mlp_spec(widths, 3, &spec).ok());
  InferWorkspace ws;
  Arena empty;
  status = infer_workspace_create(spec, 0, empty, &ws);
  CHECK(std::string(status.message()).find("capacity: expected >= 1 rows, found 0") != std::string::npos);
  status = infer_workspace_create(spec, 4, empty, &ws);
  CHECK(std::string(status.message()).find("infer_workspace_bytes") != std::string::npos);
}
