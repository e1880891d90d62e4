// End-to-end comparisons against PyTorch (tests/data/, made by
// make_torch_reference.py): optimizers bit for bit, an MLP's logits, losses,
// gradients and three training steps within float tolerance.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "bits.h"
#include "data/torch_adam_sgd.h"
#include "data/torch_mlp.h"
#include "tacit/loss.h"
#include "tacit/mlp.h"
#include "tacit/optimizer.h"
#include "tacit/train.h"

using namespace tacit;
using test_bits::same_bits;
namespace ref = torch_reference;

namespace {

// |tacit - torch| <= 1e-5·max|torch| + 1e-5·|torch|: ~50x the float32 vs
// float64 differences the generator measured, far below any real bug.
void check_close(const char* what, const float* got, const float* want, int count) {
  CAPTURE(what);
  float scale = 0;
  for (int i = 0; i < count; ++i) scale = std::fmax(scale, std::fabs(want[i]));
  int bad = 0;
  for (int i = 0; i < count; ++i) {
    if (std::fabs(got[i] - want[i]) > 1e-5f * scale + 1e-5f * std::fabs(want[i])) {
      ++bad;
      MESSAGE(what << "[" << i << "]: tacit " << got[i] << ", torch " << want[i]);
    }
  }
  CHECK(bad == 0);
}

void run_adam(double lr, const float* params_ref, const float* m_ref, const float* v_ref) {
  std::vector<unsigned char> memory(arena_buffer_bytes(adam_bytes(ref::opt_n)));
  Arena arena(memory.data(), memory.size());
  AdamConfig config;
  config.lr = lr;
  Adam adam;
  REQUIRE(adam_create(config, ref::opt_n, arena, &adam).ok());
  std::vector<float> params(ref::opt_param0, ref::opt_param0 + ref::opt_n);
  for (int t = 0; t < ref::opt_steps; ++t) {
    CAPTURE(t);
    adam_step(adam, params.data(), ref::opt_grad + t * ref::opt_n);
    CHECK(same_bits(adam.m, m_ref + t * ref::opt_n, ref::opt_n));
    CHECK(same_bits(adam.v, v_ref + t * ref::opt_n, ref::opt_n));
    CHECK(same_bits(params.data(), params_ref + t * ref::opt_n, ref::opt_n));
  }
}

struct SmallNet {
  std::vector<unsigned char> memory;
  Arena arena;
  MlpSpec spec;
  Mlp mlp;
  TrainState state;

  explicit SmallNet(double lr) {
    const int widths[] = {ref::mlp_width0, ref::mlp_width1, ref::mlp_width2, ref::mlp_width3};
    REQUIRE(mlp_spec(widths, 4, &spec).ok());
    memory.resize(arena_buffer_bytes(mlp_bytes(spec) + train_state_bytes(spec, ref::mlp_batch)));
    arena = Arena(memory.data(), memory.size());
    AdamConfig adam;
    adam.lr = lr;
    REQUIRE(mlp_create(spec, arena, &mlp).ok());
    REQUIRE(train_state_create(spec, ref::mlp_batch, adam, arena, &state).ok());
    REQUIRE(mlp.param_count == static_cast<std::size_t>(ref::mlp_param_count));
    std::memcpy(mlp.params, ref::mlp_params, sizeof ref::mlp_params);
    mlp_pack(mlp);
    std::memcpy(mlp_input(state.workspace, ref::mlp_batch).data, ref::mlp_x, sizeof ref::mlp_x);
  }
};

}  // namespace

TEST_CASE("Adam equals torch.optim.Adam bit for bit") {
  run_adam(1e-2, ref::adam_lr1e2_param, ref::adam_lr1e2_exp_avg, ref::adam_lr1e2_exp_avg_sq);
  run_adam(3e-4, ref::adam_lr3e4_param, ref::adam_lr3e4_exp_avg, ref::adam_lr3e4_exp_avg_sq);
}

TEST_CASE("SGD, plain and with momentum, equals torch.optim.SGD bit for bit") {
  for (double momentum : {0.0, 0.9}) {
    CAPTURE(momentum);
    std::vector<unsigned char> memory(arena_buffer_bytes(sgd_bytes(ref::opt_n)));
    Arena arena(memory.data(), memory.size());
    SgdConfig config;
    config.lr = 0.1;
    config.momentum = momentum;
    Sgd sgd;
    REQUIRE(sgd_create(config, ref::opt_n, arena, &sgd).ok());
    std::vector<float> params(ref::opt_param0, ref::opt_param0 + ref::opt_n);
    const float* want = momentum == 0.0 ? ref::sgd_lr1e1_param : ref::sgd_momentum_lr1e1_param;
    for (int t = 0; t < ref::opt_steps; ++t) {
      CAPTURE(t);
      sgd_step(sgd, params.data(), ref::opt_grad + t * ref::opt_n);
      CHECK(same_bits(params.data(), want + t * ref::opt_n, ref::opt_n));
      if (momentum != 0.0) {
        CHECK(same_bits(sgd.velocity, ref::sgd_momentum_lr1e1_momentum_buffer + t * ref::opt_n,
                        ref::opt_n));
      }
    }
  }
}

TEST_CASE("MLP forward matches PyTorch: hidden activations and logits") {
  SmallNet net(1e-2);
  mlp_forward(Compute{isa_best(), nullptr}, net.mlp, net.state.workspace, ref::mlp_batch);
  check_close("hidden1", net.state.workspace.activations[1], ref::mlp_hidden1, 20);
  check_close("hidden2", net.state.workspace.activations[2], ref::mlp_hidden2, 16);
  check_close("logits", net.state.workspace.activations[3], ref::mlp_logits, 20);
}

TEST_CASE("losses and every parameter gradient match PyTorch") {
  struct Case {
    const char* name;
    int loss;  // 0 CE, 1 KL, 2 MSE
    int lo, hi;
    float temperature;
    float want_loss;
    const float* want_logits_grad;
    const float* want_grad;
  };
  const Case cases[] = {
      {"ce", 0, 0, ref::mlp_digits, 1, ref::mlp_ce_loss, ref::mlp_ce_logits_grad, ref::mlp_ce_grad},
      {"kl_aux_t1", 1, ref::mlp_aux_begin, ref::mlp_aux_end, 1, ref::mlp_kl_aux_t1_loss,
       ref::mlp_kl_aux_t1_logits_grad, ref::mlp_kl_aux_t1_grad},
      {"kl_aux_t2", 1, ref::mlp_aux_begin, ref::mlp_aux_end, 2, ref::mlp_kl_aux_t2_loss,
       ref::mlp_kl_aux_t2_logits_grad, ref::mlp_kl_aux_t2_grad},
      {"kl_all_t1", 1, 0, ref::mlp_width3, 1, ref::mlp_kl_all_t1_loss,
       ref::mlp_kl_all_t1_logits_grad, ref::mlp_kl_all_t1_grad},
      {"mse_aux", 2, ref::mlp_aux_begin, ref::mlp_aux_end, 1, ref::mlp_mse_aux_loss,
       ref::mlp_mse_aux_logits_grad, ref::mlp_mse_aux_grad},
  };
  const std::int32_t labels[4] = {ref::mlp_labels[0], ref::mlp_labels[1], ref::mlp_labels[2],
                                  ref::mlp_labels[3]};
  for (const Case& c : cases) {
    CAPTURE(c.name);
    SmallNet net(1e-2);
    const Compute compute{isa_best(), nullptr};
    MlpWorkspace& ws = net.state.workspace;
    REQUIRE(mlp_forward(compute, net.mlp, ws, ref::mlp_batch));
    const ConstMatrix logits = mlp_logits(ws, ref::mlp_batch);
    const ConstMatrix teacher = const_matrix(ref::mlp_teacher, ref::mlp_batch, ref::mlp_width3);
    const Matrix grad = mlp_logits_grad(ws, ref::mlp_batch);
    float loss = 0;
    const Columns columns{c.lo, c.hi};
    Status status;
    if (c.loss == 0) status = softmax_cross_entropy(logits, labels, grad, &loss, columns);
    if (c.loss == 1) status = kl_divergence(logits, teacher, c.temperature, grad, &loss, columns);
    if (c.loss == 2) status = squared_error(logits, teacher, grad, &loss, columns);
    REQUIRE(status);
    check_close("loss", &loss, &c.want_loss, 1);
    check_close("logits_grad", grad.data, c.want_logits_grad, 20);
    std::vector<float> grads(net.mlp.param_count);
    REQUIRE(mlp_backward(compute, net.mlp, ws, ref::mlp_batch, grads.data()));
    check_close("param grads", grads.data(), c.want_grad, ref::mlp_param_count);
  }
}

TEST_CASE("three Adam steps of cross-entropy training match PyTorch") {
  SmallNet net(1e-2);
  const std::int32_t labels[4] = {ref::mlp_labels[0], ref::mlp_labels[1], ref::mlp_labels[2],
                                  ref::mlp_labels[3]};
  for (int step = 0; step < ref::mlp_train_steps; ++step) {
    float loss = 0.0f;
    REQUIRE(train_step_cross_entropy(Compute{isa_best(), nullptr}, net.mlp, net.state,
                                     ref::mlp_batch, labels, &loss, Columns{0, ref::mlp_digits}));
    check_close("training loss", &loss, &ref::mlp_train_loss[step], 1);
  }
  check_close("parameters after training", net.mlp.params, ref::mlp_train_params,
              ref::mlp_param_count);
  // The auxiliary rows never receive a gradient, so Adam leaves them exactly.
  for (int i = ref::mlp_w3_offset + 3 * 4; i < ref::mlp_b3_offset; ++i)
    CHECK(net.mlp.params[i] == ref::mlp_params[i]);
}
