// A Profile on a Compute tallies every kind of work of a training step with
// the caller's clock, counts each product's FLOPs exactly, and changes no bit.
#include <doctest/doctest.h>

#include <vector>

#include "tacit/hash.h"
#include "tacit/profile.h"
#include "tacit/rng.h"
#include "tacit/trainer.h"

using namespace tacit;

namespace {

// Each reading one second after the last: a call's tally gains exactly 1.
double g_ticks = 0.0;
double tick() { return g_ticks += 1.0; }

std::uint64_t train(const Compute& compute, Activation hidden) {
  TrainerConfig config;
  const int widths[] = {6, 10, 8, 4};
  const Activation activations[] = {hidden, hidden};
  REQUIRE(mlp_spec_activations(widths, 4, activations, &config.spec));
  config.batch = 5;
  config.compute = compute;
  std::vector<unsigned char> memory(trainer_bytes(config));
  Trainer t;
  REQUIRE(trainer_create(config, memory.data(), memory.size(), &t));
  std::vector<float> x(5 * 6);
  random_fill_uniform_pm1(1, 0, 0, x.size(), x.data());
  const std::int32_t labels[5] = {0, 1, 2, 3, 0};
  REQUIRE(trainer_step_labels(t, x.data(), labels, 5));
  return hash_floats(t.model.mlp.params, t.model.mlp.param_count);
}

}  // namespace

TEST_CASE("a profile tallies each kind of work of a step, with exact product FLOPs") {
  for (Activation hidden : {Activation::relu, Activation::gelu}) {
    CAPTURE(activation_name(hidden));
    Profile profile;
    profile.clock = tick;
    Compute compute;
    compute.profile = &profile;
    const std::uint64_t profiled = train(compute, hidden);
    CHECK(train(Compute{}, hidden) == profiled);  // the same bits without it

    auto calls = [&](Work w) { return profile.work[static_cast<int>(w)].calls; };
    auto flops = [&](Work w) { return profile.work[static_cast<int>(w)].flops; };
    // The step's repack (mlp_init's own, in trainer_create, takes no Compute).
    CHECK(calls(Work::pack) == 1);
    CHECK(calls(Work::forward_product) == 3);
    CHECK(calls(Work::weight_gradient) == 3);
    // A hidden ReLU layer's bias gradient is summed in its backward pass
    // (counted as activation); only the output layer's has a pass of its own.
    CHECK(calls(Work::bias_gradient) == (hidden == Activation::relu ? 1 : 3));
    CHECK(calls(Work::input_gradient) == 2);  // none for the input layer
    CHECK(calls(Work::loss) == 1);
    CHECK(calls(Work::optimizer) == 1);
    // ReLU runs in the product's epilogue forward; every hidden layer has a
    // backward pass, and GELU a forward pass too.
    CHECK(calls(Work::activation) == (hidden == Activation::relu ? 2 : 4));
    const double forward = 2.0 * 5 * (6 * 10 + 10 * 8 + 8 * 4);
    CHECK(flops(Work::forward_product) == forward);
    CHECK(flops(Work::weight_gradient) == forward);
    CHECK(flops(Work::input_gradient) == 2.0 * 5 * (10 * 8 + 8 * 4));
    CHECK(flops(Work::loss) == 0.0);
    for (int w = 0; w < kWorkKinds; ++w) {
      CAPTURE(work_name(static_cast<Work>(w)));
      CHECK(profile.work[w].seconds == static_cast<double>(profile.work[w].calls));
    }
  }
}

TEST_CASE("a profile without a clock measures nothing") {
  Profile profile;
  Compute compute;
  compute.profile = &profile;
  train(compute, Activation::tanh);
  for (const WorkTally& t : profile.work) CHECK(t.calls == 0);
}
