// Each run's product FLOPs, against a count made by hand from the widths and
// the run's shape, and the speed --json rates against the FMA peak.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "common/json_read.h"
#include "isa_list.h"
#include "repro_test_support.h"
#include "repro/config.h"
#include "repro/profile_report.h"
#include "repro/results_json.h"
#include "repro/speed.h"
#include "repro/students.h"
#include "tacit/profile.h"
#include "tacit/threads.h"

using namespace tacit;
using tacit_tools::JsonValue;

namespace {

// 50 training and 30 test images (run_tiny's), 40 noise images: 3 steps
// of 16, 16 and 8 an epoch.
constexpr int kTrain = 50;
constexpr int kTest = 30;

repro::Config tiny_config() { return repro_test::tiny_config(2, 3, 2); }

// Products by hand, 2·m·n·k each, for the widths 784-24-20-13: a forward
// pass of n rows costs 2·n·P (P the weights of every layer), a training step
// 2·n·(2P + P_up): forward, dW of every layer, and dX of every layer but the
// first (nobody needs the input's gradient).
constexpr double kP = 784.0 * 24 + 24.0 * 20 + 20.0 * 13;
constexpr double kPUp = 24.0 * 20 + 20.0 * 13;
double forward(double rows) { return 2.0 * rows * kP; }
double step(double rows) { return 2.0 * rows * (2.0 * kP + kPUp); }

double number(const JsonValue& object, const char* key) {
  const JsonValue* v = object.find(key);
  REQUIRE(v != nullptr);
  REQUIRE(v->type == JsonValue::Type::number);
  return std::strtod(v->text.c_str(), nullptr);
}

JsonValue parsed(const std::string& text) {
  JsonValue doc;
  std::string error;
  REQUIRE_MESSAGE(tacit_tools::json_parse(text, &doc, &error), error);
  return doc;
}

}  // namespace

TEST_CASE("flops: each run's are the products counted by hand") {
  SUBCASE("Figure 10's four students") {
    const repro::Config c = tiny_config();
    // Test-set passes of the reference, the teacher and 4 students; the
    // teacher's steps; its targets on the noise; the students' steps.
    const double expected = 6 * forward(kTest) + c.teacher_epochs * step(kTrain) +
                            forward(c.noise_images) + 4 * c.student_epochs * step(c.noise_images);
    const repro_test::TinyRun tiny = repro_test::run_tiny(c, Compute{Isa::portable, nullptr});
    for (const repro::RunResult& run : tiny.results.runs) CHECK(run.flops == expected);
  }
  SUBCASE("matched and projected students") {
    repro::Config c = tiny_config();
    std::string why;
    REQUIRE(repro::parse_students("aux-same,matched,projected", &c.students, &why));
    c.match_epochs = 2;
    c.trait_batch = 8;
    const double students = 3 * c.student_epochs * step(c.noise_images);
    // θ_0's targets; the matched student's distance before and after its
    // matching epochs.
    const double matched = 3 * forward(c.noise_images) + c.match_epochs * step(c.noise_images);
    // A trait gradient at each of the projected student's 3 steps an epoch.
    const double trait = c.student_epochs * 3 * step(c.trait_batch);
    const double expected = 5 * forward(kTest) + c.teacher_epochs * step(kTrain) +
                            forward(c.noise_images) + students + matched + trait;
    const repro_test::TinyRun tiny = repro_test::run_tiny(c, Compute{Isa::portable, nullptr});
    for (const repro::RunResult& run : tiny.results.runs) CHECK(run.flops == expected);
  }
}

TEST_CASE("flops: the same on every ISA and thread count, and what the caller's Profile "
          "tallied") {
  const repro::Config c = tiny_config();
  const repro_test::TinyRun one = repro_test::run_tiny(c, Compute{Isa::portable, nullptr});
  ThreadPool pool(2);
  for (Isa isa : test_isa::available_isas()) {
    CAPTURE(isa_name(isa));
    Profile profile;
    profile.clock = repro::steady_seconds;
    const repro_test::TinyRun two = repro_test::run_tiny(c, Compute{isa, &pool, &profile});
    double runs = 0.0;
    for (std::size_t r = 0; r < two.results.runs.size(); ++r) {
      CHECK(two.results.runs[r].flops > 0.0);
      CHECK(two.results.runs[r].flops == one.results.runs[r].flops);
      runs += two.results.runs[r].flops;
    }
    CHECK(runs == profile.work[static_cast<int>(Work::forward_product)].flops +
                      profile.work[static_cast<int>(Work::input_gradient)].flops +
                      profile.work[static_cast<int>(Work::weight_gradient)].flops);
  }
}

TEST_CASE("--json: every run's flops and speed, the peak, and their summary") {
  repro_test::TinyRun tiny = repro_test::run_tiny(tiny_config(), Compute{});
  repro::rate_against_peak(100.0, &tiny.results);
  const JsonValue doc =
      parsed(repro::results_json(tiny.results, repro::RunEnvironment{"portable", 1}));
  const JsonValue* runs = doc.find("runs");
  REQUIRE(runs != nullptr);
  REQUIRE(runs->items.size() == 2);
  double flops = 0.0;
  for (std::size_t r = 0; r < runs->items.size(); ++r) {
    const repro::RunResult& run = tiny.results.runs[r];
    const JsonValue& record = runs->items[r];
    // A whole number, digit for digit.
    CHECK(record.find("flops")->text == std::to_string(static_cast<long long>(run.flops)));
    const JsonValue* speed = record.find("speed");
    REQUIRE(speed != nullptr);
    CHECK(number(*speed, "gflops") > 0.0);
    CHECK(number(*speed, "gflops") == run.flops / run.seconds.total / 1e9);
    CHECK(number(*speed, "fraction_of_peak") == number(*speed, "gflops") / 100.0);
    flops += run.flops;
  }
  const JsonValue* timings = doc.find("timings");
  REQUIRE(timings != nullptr);
  CHECK(number(*timings, "peak_gflops") == 100.0);
  CHECK(number(*timings, "flops") == flops);
  const double seconds =
      tiny.results.runs[0].seconds.total + tiny.results.runs[1].seconds.total;
  CHECK(number(*timings, "gflops") == flops / seconds / 1e9);
  CHECK(number(*timings, "fraction_of_peak") == number(*timings, "gflops") / 100.0);

  // No peak measured (an ISA without tacit-bench's loop): null, not 0.
  repro::rate_against_peak(0.0, &tiny.results);
  const JsonValue none =
      parsed(repro::results_json(tiny.results, repro::RunEnvironment{"portable", 1}));
  CHECK(none.find("timings")->find("peak_gflops")->type == JsonValue::Type::null);
  CHECK(none.find("timings")->find("fraction_of_peak")->type == JsonValue::Type::null);
  CHECK(none.find("runs")->items[0].find("speed")->find("fraction_of_peak")->type ==
        JsonValue::Type::null);
}
