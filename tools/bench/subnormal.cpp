#include "bench/subnormal.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "bench/peak.h"
#include "common/cli.h"
#include "tacit/gemm.h"
#include "tacit/init.h"
#include "tacit/loss.h"
#include "tacit/mlp.h"
#include "tacit/optimizer.h"
#include "tacit/rng.h"
#include "tacit/train.h"

namespace tacit_bench {

namespace {

using tacit::Isa;

// Every `every`-th entry scaled by 2^-130: subnormal, sign and digits kept.
void make_subnormal(std::vector<float>* v, double share) {
  if (share <= 0) return;
  const auto every = static_cast<std::size_t>(std::lround(1.0 / share));
  for (std::size_t i = 0; i < v->size(); i += every) (*v)[i] = std::ldexp((*v)[i], -130);
}

const double kShares[] = {0.0, 0.01, 1.0};

void measure_costs(const Options& o, Isa isa, SubnormalReport* report) {
  const char* name = tacit::isa_name(isa);
  const tacit::Compute compute{isa, nullptr};
  // A hidden layer's forward product at batch 64, subnormal inputs.
  const int batch = 64, width = 256;
  std::vector<float> x(static_cast<std::size_t>(batch) * width), wt(width * width),
      y(x.size()), bias(width, 0.01f);
  tacit::random_fill_uniform_pm1(3, 1, 0, x.size(), x.data());
  tacit::random_fill_uniform_pm1(3, 2, 0, wt.size(), wt.data());
  double base = 0;
  for (double share : kShares) {
    std::vector<float> xs = x;
    make_subnormal(&xs, share);
    SubnormalCost c{name, "forward 256->256 batch 64", share, {}, 0};
    c.seconds = measure(o.plan, [&] {
      tacit::gemm(compute, tacit::ConstMatrix(xs.data(), batch, width, width), false,
                  tacit::ConstMatrix(wt.data(), width, width, width), bias.data(),
                  tacit::Matrix{y.data(), batch, width, width});
    });
    if (share == 0) base = c.seconds.median;
    c.slowdown = c.seconds.median / base;
    report->costs.push_back(c);
  }
  // Adam over the MLP's parameter count, subnormal gradients.
  const std::size_t n = 270093;
  std::vector<unsigned char> memory(tacit::arena_buffer_bytes(tacit::adam_bytes(n)));
  tacit::Arena arena(memory.data(), memory.size());
  tacit::Adam adam;
  if (!tacit::adam_create(tacit::AdamConfig{}, n, arena, &adam).ok()) return;
  std::vector<float> params(n, 0.1f), grads(n);
  for (double share : kShares) {
    tacit::random_fill_uniform_pm1(3, 5, 0, n, grads.data());
    for (float& g : grads) g *= 1e-3f;
    make_subnormal(&grads, share);
    tacit::adam_reset(adam);
    SubnormalCost c{name, "adam 270093 params", share, {}, 0};
    c.seconds = measure(o.plan, [&] { tacit::adam_step(compute, adam, params.data(), grads.data()); });
    if (share == 0) base = c.seconds.median;
    c.slowdown = c.seconds.median / base;
    report->costs.push_back(c);
  }
}

// Learnable generated data: pixels uniform in [0, 1), most of them 0 as in
// MNIST, labelled by a fixed random linear rule over 10 classes, so that
// the network grows confident (small softmax probabilities) as it learns.
void make_batch(int step, int batch, const std::vector<float>& rule, float* x,
                std::int32_t* labels) {
  const std::size_t pixels = 784;
  tacit::random_fill_uniform01(21, 1, static_cast<std::uint64_t>(step) * batch * pixels,
                               static_cast<std::size_t>(batch) * pixels, x);
  for (int i = 0; i < batch; ++i) {
    float* row = x + static_cast<std::size_t>(i) * pixels;
    for (std::size_t k = 0; k < pixels; ++k) row[k] = row[k] < 0.8f ? 0.0f : 5.0f * (row[k] - 0.8f);
    int best = 0;
    float best_score = -1e30f;
    for (int c = 0; c < 10; ++c) {
      float score = 0;
      for (std::size_t k = 0; k < pixels; ++k) score += rule[c * pixels + k] * row[k];
      if (score > best_score) best_score = score, best = c;
    }
    labels[i] = best;
  }
}

bool count_run(const Options& o, SubnormalCount* count) {
  const int widths[] = {784, 256, 256, 13};
  tacit::MlpSpec spec;
  if (!tacit::mlp_spec(widths, 4, &spec).ok()) return false;
  const int batch = o.train_batch;
  std::vector<unsigned char> memory(tacit::arena_buffer_bytes(
      tacit::mlp_bytes(spec) + tacit::train_state_bytes(spec, batch)));
  tacit::Arena arena(memory.data(), memory.size());
  tacit::AdamConfig adam;
  adam.lr = 3e-4;
  tacit::Mlp mlp;
  tacit::TrainState state;
  if (!tacit::mlp_create(spec, arena, &mlp).ok() ||
      !tacit::train_state_create(spec, batch, adam, arena, &state).ok())
    return false;
  tacit::mlp_init(mlp, tacit::Init::normal_fan_in, 0);
  std::vector<float> rule(10 * 784);
  tacit::random_fill_uniform_pm1(21, 2, 0, rule.size(), rule.data());
  std::vector<std::int32_t> labels(static_cast<std::size_t>(batch));
  tacit::ThreadPool pool(1);
  const tacit::Compute compute{tacit::isa_best(), &pool};
  tacit::MlpWorkspace& ws = state.workspace;
  count->batch = batch;
  // One 60000-sample epoch (59 steps at batch 1024); 5 steps with --quick.
  const int steps = o.quick ? 5 : (60000 + batch - 1) / batch;
  for (int step = 0; step < steps; ++step) {
    make_batch(step, batch, rule, tacit::mlp_input(ws, batch).data, labels.data());
    float loss = 0.0f;
    tacit_cli::require(tacit::train_step_cross_entropy(compute, mlp, state, batch,
                                                       labels.data(), &loss,
                                                       tacit::Columns{0, 10}));
    if (step == 0) count->first_loss = loss;
    count->last_loss = loss;
    tacit_tools::tally_subnormals(mlp, state, batch, &count->tally);
  }
  return true;
}

}  // namespace

bool run_subnormals(const Options& o, SubnormalReport* report) {
  for (const Isa isa : isas_to_measure(o)) measure_costs(o, isa, report);
  return count_run(o, &report->count);
}

void print_subnormals(std::FILE* out, const SubnormalReport& r) {
  std::fprintf(out, "\nsubnormal operands (1 thread): median time and slowdown against none\n");
  for (const SubnormalCost& c : r.costs) {
    std::fprintf(out, "  %-8s %-26s %5.1f%% subnormal %10.1f us  x%.2f\n", c.isa.c_str(),
                 c.op.c_str(), 100 * c.share, c.seconds.median * 1e6, c.slowdown);
  }
  const SubnormalCount& n = r.count;
  const tacit_tools::SubnormalTally& t = n.tally;
  std::fprintf(out,
               "subnormal values stored by %d training steps (batch %d, generated learnable "
               "data, loss %.3f -> %.3f), of %lld checked:\n"
               "  activations %lld, logit gradients %lld, hidden deltas %lld, gradients %lld, "
               "Adam moments %lld, parameters %lld\n",
               static_cast<int>(t.steps), n.batch, static_cast<double>(n.first_loss),
               static_cast<double>(n.last_loss), t.checked, t.activations, t.logit_grads,
               t.deltas, t.grads, t.moments, t.params);
}

void write_subnormals_json(tacit_tools::JsonWriter& json, const SubnormalReport& r) {
  json.key("costs"); json.begin_array();
  for (const SubnormalCost& c : r.costs) {
    json.begin_object();
    json.key("isa"); json.string(c.isa.c_str());
    json.key("op"); json.string(c.op.c_str());
    json.key("share"); json.number(c.share);
    json.key("seconds"); json.number(c.seconds.median);
    json.key("seconds_min"); json.number(c.seconds.min);
    json.key("seconds_max"); json.number(c.seconds.max);
    json.key("slowdown"); json.number(c.slowdown);
    json.end_object();
  }
  json.end_array();
  const SubnormalCount& n = r.count;
  const tacit_tools::SubnormalTally& t = n.tally;
  json.key("counts"); json.begin_object();
  tacit_tools::write_tally_members(json, t);
  json.key("batch"); json.integer(n.batch);
  json.key("first_loss"); json.number(n.first_loss);
  json.key("last_loss"); json.number(n.last_loss);
  json.end_object();
}

}  // namespace tacit_bench
