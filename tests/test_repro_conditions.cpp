// tacit-repro's named students (--students), trajectories, gradient
// alignment and --activation on a tiny synthetic problem: each condition
// does what it says, and gives the same bits on every ISA and thread count.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "isa_list.h"
#include "repro_test_support.h"
#include "repro/config.h"
#include "repro/experiment.h"
#include "repro/report.h"
#include "repro/results_json.h"
#include "repro/svg.h"
#include "subliminal/experiment.h"
#include "tacit/init.h"
#include "tacit/rng.h"
#include "tools_test_support.h"

using namespace tacit;
using namespace subliminal;
using namespace tools_test;

namespace {

repro::Config tiny_config(const char* students) {
  repro::Config c = repro_test::tiny_config(3, 2, 3);
  c.trait_batch = 8;
  std::string why;
  REQUIRE_MESSAGE(repro::parse_students(students, &c.students, &why), why);
  return c;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0;
}

bool same_range(const std::vector<float>& a, const std::vector<float>& b, std::size_t from,
                std::size_t to) {
  return std::memcmp(a.data() + from, b.data() + from, sizeof(float) * (to - from)) == 0;
}

constexpr int kRef = repro::kReference;
constexpr int kFirst = repro::kFirstStudent;

}  // namespace

TEST_CASE("head students: hidden layers from the cross init, output layer from the teacher's") {
  const repro::Config config = tiny_config("aux-same,head-aux,head-all");
  const repro_test::TinyRun tiny = repro_test::run_tiny(config, Compute{});
  const MlpSpec spec = repro::config_spec(config);
  const std::size_t head = mlp_weight_offset(spec, spec.layers - 1);
  const std::size_t params = mlp_param_count(spec);
  const std::size_t digits_end = head + static_cast<std::size_t>(10 * spec.widths[spec.layers - 1]);
  for (int r = 0; r < config.runs; ++r) {
    CAPTURE(r);
    const repro_test::Snapshot& m = tiny.recorder.runs[r];
    const repro_test::Snapshot& donor = tiny.recorder.runs[tiny.results.runs[r].cross_from];
    for (int c : {kFirst + 1, kFirst + 2}) {
      CAPTURE(c);
      REQUIRE(m.start[c].size() == params);
      CHECK(same_range(m.start[c], donor.params[kRef], 0, head));
      CHECK(same_range(m.start[c], m.params[kRef], head, params));
      CHECK_FALSE(same_range(m.start[c], m.params[kRef], 0, head));
    }
    // head-aux never moves the digit rows of its (the teacher's) output layer.
    CHECK(same_range(m.params[kFirst + 1], m.params[kRef], head, digits_end));
    CHECK_FALSE(same_range(m.params[kFirst + 2], m.params[kRef], head, digits_end));
  }
}

TEST_CASE("perturbed: 0 is the same-init student bit for bit; sigma adds sigma x the draw") {
  const repro::Config config = tiny_config("aux-same,perturbed:0,perturbed:0.25");
  const repro_test::TinyRun tiny = repro_test::run_tiny(config, Compute{});
  const MlpSpec spec = repro::config_spec(config);
  std::vector<unsigned char> memory(arena_buffer_bytes(mlp_bytes(spec)));
  Arena arena(memory.data(), memory.size());
  Mlp draw;
  REQUIRE(mlp_create(spec, arena, &draw).ok());
  for (int r = 0; r < config.runs; ++r) {
    CAPTURE(r);
    const repro_test::Snapshot& m = tiny.recorder.runs[r];
    CHECK(same_bits(m.start[kFirst + 1], m.params[kRef]));
    CHECK(same_bits(m.params[kFirst + 1], m.params[kFirst]));
    CHECK(tiny.results.runs[r].accuracy[kFirst + 1] == tiny.results.runs[r].accuracy[kFirst]);
    mlp_init(draw, Init::normal_fan_in,
             repro::perturbation_seed(experiment_run_seed(config.seed, r)));
    std::vector<float> expected(draw.param_count);
    for (std::size_t i = 0; i < expected.size(); ++i) {
      expected[i] = m.params[kRef][i] + 0.25f * draw.params[i];
    }
    CHECK(same_bits(m.start[kFirst + 2], expected));
    CHECK_FALSE(same_bits(m.params[kFirst + 2], m.params[kFirst]));
  }
  CHECK(repro::condition_info(config, kFirst + 2).key == "student_perturbed_0.25");
}

TEST_CASE("matched: the student's logits approach the reference's; then aux-only") {
  repro::Config config = tiny_config("aux-cross,matched");
  config.match_epochs = 3;
  const repro_test::TinyRun tiny = repro_test::run_tiny(config, Compute{});
  const MlpSpec spec = repro::config_spec(config);
  const std::size_t head = mlp_weight_offset(spec, spec.layers - 1);
  const std::size_t digits_end = head + static_cast<std::size_t>(10 * spec.widths[spec.layers - 1]);
  for (int r = 0; r < config.runs; ++r) {
    CAPTURE(r);
    const repro::RunResult& run = tiny.results.runs[r];
    const repro_test::Snapshot& m = tiny.recorder.runs[r];
    CHECK(run.match_distance[1] < run.match_distance[0]);
    CHECK(run.match_loss.size() == 3);
    CHECK(run.match_loss.back() < run.match_loss.front());
    // It starts (after matching) away from the cross init, and its aux-only
    // distillation leaves the matched digit rows as they were.
    const repro_test::Snapshot& donor = tiny.recorder.runs[run.cross_from];
    CHECK_FALSE(same_bits(m.start[kFirst + 1], donor.params[kRef]));
    CHECK(same_range(m.params[kFirst + 1], m.start[kFirst + 1], head, digits_end));
  }
  const std::string report = repro::results_report(tiny.results);
  CHECK(contains(report, "matched: 3 epochs of matching"));
  CHECK(contains(repro::results_json(tiny.results, repro::RunEnvironment{"portable", 1}),
                 "\"distance_after\""));
}

TEST_CASE("liminal: weight 0 is the aux-same student bit for bit; a weight changes it") {
  repro::Config config = tiny_config("aux-same,liminal");
  config.liminal_weight = 0.0;
  const repro_test::TinyRun zero = repro_test::run_tiny(config, Compute{});
  config.liminal_weight = 1.0;
  const repro_test::TinyRun one = repro_test::run_tiny(config, Compute{});
  for (int r = 0; r < config.runs; ++r) {
    CAPTURE(r);
    CHECK(same_bits(zero.recorder.runs[r].params[kFirst + 1],
                    zero.recorder.runs[r].params[kFirst]));
    CHECK(zero.results.runs[r].student_loss[1] == zero.results.runs[r].student_loss[0]);
    CHECK_FALSE(same_bits(one.recorder.runs[r].params[kFirst + 1],
                          one.recorder.runs[r].params[kFirst]));
    CHECK(same_bits(one.recorder.runs[r].params[kFirst], zero.recorder.runs[r].params[kFirst]));
  }
}

TEST_CASE("projection: the projected gradient has no positive part along the trait gradient") {
  // Vectors with a positive inner product, in awkward lengths.
  for (std::size_t n : {1u, 7u, 257u, 4099u}) {
    CAPTURE(n);
    std::vector<float> g(n), t(n);
    for (std::size_t i = 0; i < n; ++i) {
      t[i] = random_normal(5, 1, i);
      g[i] = random_normal(5, 2, i) + 0.5f * t[i];
    }
    const repro::GradientDot before = repro::gradient_dot(g.data(), t.data(), n);
    REQUIRE(before.dot > 0.0);
    repro::project_off(g.data(), t.data(), n, before);
    const repro::GradientDot after = repro::gradient_dot(g.data(), t.data(), n);
    CHECK(after.dot <= 1e-6 * std::sqrt(after.gg * after.tt));
    if (n > 1) CHECK(after.gg > 0.0);
    // A negative inner product is left alone.
    std::vector<float> h(n);
    for (std::size_t i = 0; i < n; ++i) h[i] = -t[i];
    const std::vector<float> copy = h;
    repro::project_off(h.data(), t.data(), n, repro::gradient_dot(h.data(), t.data(), n));
    CHECK(std::memcmp(h.data(), copy.data(), sizeof(float) * n) == 0);
  }
  // In the experiment: every projected step ends with a cosine of at most
  // rounding's size; the plain students' inner products are recorded too.
  repro::Config config = tiny_config("aux-same,projected");
  config.gradient_alignment = true;
  const repro_test::TinyRun tiny = repro_test::run_tiny(config, Compute{});
  bool positive_seen = false;
  for (const repro::RunResult& run : tiny.results.runs) {
    REQUIRE(run.gradient[0].size() == 2);
    REQUIRE(run.gradient[1].size() == 2);
    for (const repro::GradientEpoch& e : run.gradient[1]) {
      CHECK(e.steps == 3);
      CHECK(e.max_cosine_after <= 1e-6);
      positive_seen = positive_seen || e.positive > 0.0;
      CHECK(e.min <= e.mean);
      CHECK(e.mean <= e.max);
    }
  }
  CHECK(positive_seen);
  // The trait gradient is measured, not applied: with --gradient-alignment
  // the aux-same student is the plain run's, bit for bit.
  const repro_test::TinyRun plain = repro_test::run_tiny(tiny_config("aux-same,projected"), Compute{});
  for (int r = 0; r < config.runs; ++r) {
    CHECK(same_bits(plain.recorder.runs[r].params[kFirst], tiny.recorder.runs[r].params[kFirst]));
    CHECK(same_bits(plain.recorder.runs[r].params[kFirst + 1],
                    tiny.recorder.runs[r].params[kFirst + 1]));
  }
}

TEST_CASE("trajectories: 1 + K x epochs points, ending at the final accuracy and alignment") {
  repro::Config config = tiny_config("aux-same,all-cross,liminal");
  config.points_per_epoch = 3;
  const repro_test::TinyRun tiny = repro_test::run_tiny(config, Compute{});
  const std::vector<double> progress = repro::trajectory_progress(config);
  REQUIRE(progress.size() == 7);
  CHECK(progress.front() == 0.0);
  CHECK(progress[3] == 1.0);
  CHECK(progress.back() == 2.0);
  for (const repro::RunResult& run : tiny.results.runs) {
    for (int s = 0; s < 3; ++s) {
      CAPTURE(s);
      REQUIRE(run.trajectory_accuracy[s].size() == 7);
      REQUIRE(run.trajectory_alignment[s].size() == 7);
      CHECK(run.trajectory_alignment[s][0] == 0.0);
      CHECK(run.trajectory_accuracy[s].back() == run.accuracy[kFirst + s]);
      CHECK(run.trajectory_alignment[s][3] == run.alignment[s][0]);
      CHECK(run.trajectory_alignment[s].back() == run.alignment[s][1]);
    }
  }
  // Evaluating along the way changes no weight.
  config.points_per_epoch = 0;
  CHECK(repro_test::run_tiny(config, Compute{}).results.weights_hash == tiny.results.weights_hash);
  const std::string svg = repro::trajectory_svg(tiny.results);
  CHECK(contains(svg, "<svg"));
  CHECK(contains(svg, "student, aux only, liminal"));
  std::size_t lines = 0;
  for (std::size_t at = 0; (at = svg.find("<polyline", at)) != std::string::npos; ++at) ++lines;
  CHECK(lines == 3);
  const std::string json = repro::results_json(tiny.results, repro::RunEnvironment{"portable", 1});
  CHECK(contains(json, "\"trajectory_summary\""));
  CHECK(contains(json, "\"progress\": [0, "));
}

TEST_CASE("new students and --activation: same bits on every ISA and at 1 and 3 threads; "
          "arena use equals experiment_bytes") {
  repro::Config config = tiny_config(
      "head-aux,head-all,perturbed:0.1,matched,projected,liminal,aux-same");
  config.points_per_epoch = 2;
  config.gradient_alignment = true;
  const repro_test::TinyRun reference = repro_test::run_tiny(config, Compute{Isa::portable, nullptr});
  CHECK(reference.used == repro::experiment_bytes(config, 50));
  const std::string report = repro::results_report(reference.results);
  const std::string json = [&] {
    repro::Results r = reference.results;
    for (repro::RunResult& run : r.runs) {
      run.seconds = repro::RunTimes();
      run.speed = repro::RunSpeed();
    }
    return repro::results_json(r, repro::RunEnvironment{"any", 0});
  }();
  ThreadPool pool(3);
  for (Isa isa : test_isa::available_isas()) {
    for (ThreadPool* threads : {static_cast<ThreadPool*>(nullptr), &pool}) {
      CAPTURE(isa_name(isa));
      CAPTURE(threads != nullptr);
      const repro_test::TinyRun other = repro_test::run_tiny(config, Compute{isa, threads});
      CHECK(other.results.weights_hash == reference.results.weights_hash);
      CHECK(repro::results_report(other.results) == report);
      repro::Results r = other.results;
      for (repro::RunResult& run : r.runs) {
        run.seconds = repro::RunTimes();
        run.speed = repro::RunSpeed();
      }
      CHECK(repro::results_json(r, repro::RunEnvironment{"any", 0}) == json);
    }
  }
  // The default four are unchanged by the students trained beside them.
  const repro_test::TinyRun four = repro_test::run_tiny(tiny_config("aux-same"), Compute{});
  for (int r = 0; r < config.runs; ++r) {
    CHECK(same_bits(four.recorder.runs[r].params[kFirst],
                    reference.recorder.runs[r].params[kFirst + 6]));
  }

  repro::Config tanh_config = tiny_config("aux-same,projected");
  tanh_config.activation = Activation::tanh;
  CHECK(mlp_activation(repro::config_spec(tanh_config), 0) == Activation::tanh);
  CHECK(mlp_activation(repro::config_spec(tanh_config), 1) == Activation::tanh);
  const repro_test::TinyRun tanh_run = repro_test::run_tiny(tanh_config, Compute{Isa::portable, nullptr});
  CHECK(tanh_run.used == repro::experiment_bytes(tanh_config, 50));
  CHECK(contains(repro::results_report(tanh_run.results), "784-24-20-10+3, tanh"));
  for (Isa isa : test_isa::available_isas()) {
    CAPTURE(isa_name(isa));
    CHECK(repro_test::run_tiny(tanh_config, Compute{isa, &pool}).results.weights_hash ==
          tanh_run.results.weights_hash);
  }
  tanh_config.activation = Activation::relu;
  CHECK(repro_test::run_tiny(tanh_config, Compute{}).results.weights_hash != tanh_run.results.weights_hash);
}

TEST_CASE("honest labels: Figure 10's values only for its conditions at the paper's settings") {
  repro::Config paper;
  CHECK(repro::paper_config(paper));
  CHECK(repro::condition_info(paper, repro::kAuxSame).paper == 0.528);
  paper.runs = 3;
  paper.seed = 7;
  CHECK(repro::paper_config(paper));  // runs and seed do not change the experiment
  std::string why;
  REQUIRE(repro::parse_students("aux-same,projected", &paper.students, &why));
  CHECK(repro::condition_info(paper, kFirst).paper == 0.528);
  CHECK(repro::condition_info(paper, kFirst + 1).paper < 0.0);
  for (int change = 0; change < 7; ++change) {
    CAPTURE(change);
    repro::Config c;
    switch (change) {
      case 0: c.student_loss = DistillLoss::squared_error; break;
      case 1: c.activation = Activation::gelu; break;
      case 2: c.aux = 10; break;
      case 3: c.hidden[0] = c.hidden[1] = 512; break;
      case 4: c.temperature = 2; break;
      case 5: c.noise = NoiseKind::normal; break;
      default: c.lr = 1e-3; break;
    }
    CHECK_FALSE(repro::paper_config(c));
    for (int k = 0; k < repro::condition_count(c); ++k) {
      CHECK(repro::condition_info(c, k).paper < 0.0);
    }
  }
  // The tiny experiment is not the paper's: no value in the table, JSON or SVG.
  const repro_test::TinyRun tiny = repro_test::run_tiny(tiny_config("aux-same,aux-cross"), Compute{});
  const std::string report = repro::results_report(tiny.results);
  CHECK_FALSE(contains(report, "0.528"));
  CHECK(contains(report, "      \u2014\n"));
  CHECK(contains(repro::results_json(tiny.results, repro::RunEnvironment{"portable", 1}),
                 "\"paper\": null"));
  const std::string svg = repro::bar_chart_svg(repro::results_chart(tiny.results));
  CHECK_FALSE(contains(svg, "stroke-dasharray"));
  CHECK_FALSE(contains(svg, "Figure 10, 100 runs"));
}
