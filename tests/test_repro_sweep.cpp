// --sweep: the experiment at each value of one flag, its outputs one point
// per value and condition, and the flag's refusals.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/json_read.h"
#include "repro_test_support.h"
#include "repro/config.h"
#include "repro/experiment.h"
#include "repro/sweep.h"
#include "tools_test_support.h"

using namespace tacit;
using namespace tools_test;

namespace {

using repro_test::parse;


int count(const std::string& text, const std::string& part) {
  int n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("sweep: runs the experiment at each value; one point per value and condition") {
  const ScopedEnv no_isa("TACIT_ISA", nullptr);
  repro::Config base;
  REQUIRE(parse({"--sweep", "hidden=12,16-8-8", "--runs", "2", "--batch", "16",
                 "--teacher-epochs", "1", "--student-epochs", "2", "--lr", "0.01",
                 "--threads", "1"}, &base) == repro::ParseResult::run);
  base.noise_images = 20;
  TinyMnist data(40, 20);
  repro::Sweep sweep;
  const Status status = repro::run_sweep(base, data.mnist, Compute{base.isa, nullptr},
                                         repro::ProgressMode::silent, &sweep);
  REQUIRE_MESSAGE(status.ok(), status.message());
  REQUIRE(sweep.points.size() == 2);
  CHECK(sweep.points[0].value == "12");
  CHECK(sweep.points[0].results.config.hidden_layers == 2);
  CHECK(sweep.points[0].results.config.hidden[1] == 12);
  CHECK(sweep.points[1].results.config.hidden_layers == 3);
  CHECK(sweep.points[1].results.config.hidden[0] == 16);
  // Each point is the experiment at that value, bit for bit.
  repro::Config at_value = repro::sweep_config(base, 1);
  std::vector<unsigned char> memory(
      arena_buffer_bytes(repro::experiment_bytes(at_value, data.mnist.train.count)));
  Arena arena(memory.data(), memory.size());
  repro::Results alone;
  REQUIRE(repro::run_experiment(at_value, data.mnist, Compute{base.isa, nullptr}, arena,
                                nullptr, nullptr, &alone).ok());
  CHECK(alone.weights_hash == sweep.points[1].results.weights_hash);

  const int conditions = repro::condition_count(base);  // 6: Figure 10's
  const std::string csv = repro::sweep_csv(sweep);
  CHECK(count(csv, "\n") == 1 + 2 * conditions);
  CHECK(count(csv, "hidden,16-8-8,") == conditions);
  const std::string svg = repro::sweep_svg(sweep);
  CHECK(count(svg, "<polyline ") == conditions);
  CHECK(count(svg, "<polygon ") == conditions);  // the CI bands
  CHECK(count(svg, "<circle ") == 2 * conditions);
  const std::string report = repro::sweep_report(sweep);
  CHECK(count(report, "weights-hash hidden=") == 2);
  tacit_tools::JsonValue doc;
  std::string error;
  REQUIRE_MESSAGE(tacit_tools::json_parse(repro::sweep_json(sweep, {"portable", 1}), &doc,
                                          &error), error);
  const tacit_tools::JsonValue* points = doc.find("points");
  REQUIRE(points != nullptr);
  REQUIRE(points->items.size() == 2);
  for (const tacit_tools::JsonValue& point : points->items) {
    CHECK(point.find("summary")->members.size() == static_cast<std::size_t>(conditions));
    CHECK(point.find("accuracy")->find("teacher")->items.size() == 2);
  }
}

TEST_CASE("flags: --sweep refuses unknown names, empty lists and bad values") {
  const ScopedEnv no_isa("TACIT_ISA", nullptr);
  repro::Config c;
  REQUIRE(parse({"--sweep", "student-loss=kl,mse"}, &c) == repro::ParseResult::run);
  CHECK(c.sweep_name == "student-loss");
  CHECK(c.sweep_values == std::vector<std::string>{"kl", "mse"});
  CHECK(repro::sweep_config(c, 1).student_loss == DistillLoss::squared_error);
  REQUIRE(parse({"--sweep", "lr=1e-3,3e-4"}, &c) == repro::ParseResult::run);
  CHECK(repro::sweep_config(c, 0).lr == 1e-3);
  for (const char* bad : {"frobnicate=1", "aux", "aux=", "aux=1,,2", "aux=1,", "aux=1,1",
                          "aux=0", "hidden=8-0", "noise=pink", "lr=-1", "=1"}) {
    CAPTURE(bad);
    CHECK(parse({"--sweep", bad}, &c) == repro::ParseResult::usage_error);
  }
  CHECK(parse({"--sweep", "aux=1,2", "--shard", "0/2", "--json", "s"}, &c) ==
        repro::ParseResult::usage_error);
  CHECK(parse({"--sweep", "aux=1,2", "--expect-transfer", "0.2"}, &c) ==
        repro::ParseResult::usage_error);
#if defined(TOOLS_TEST_HAVE_STDERR_CAPTURE)
  CHECK(stderr_of([&] { parse({"--sweep", "depth=1"}, &c); }) ==
        "tacit-repro: --sweep: 'depth=1' names no flag a sweep can set; NAME is one of aux, "
        "hidden, activation, sigma, lr, temperature, student-loss, noise (try --help)\n");
  CHECK(stderr_of([&] { parse({"--sweep", "aux=1,5000"}, &c); }) ==
        "tacit-repro: --aux: '5000' is not a whole number from 1 to 4096 (try --help)\n"
        "tacit-repro: --sweep aux: the value '5000' is refused (above) (try --help)\n");
#endif
}

TEST_CASE("sweep: sigma sets the one perturbed student's sigma; activation every layer's") {
  const ScopedEnv no_isa("TACIT_ISA", nullptr);
  repro::Config base;
  REQUIRE(parse({"--sweep", "sigma=0,0.5", "--students", "aux-same,perturbed:0.1,aux-cross",
                 "--runs", "2", "--batch", "16", "--teacher-epochs", "1", "--student-epochs",
                 "1", "--lr", "0.01", "--hidden", "12", "--threads", "1"}, &base) ==
          repro::ParseResult::run);
  base.noise_images = 20;
  for (std::size_t i = 0; i < 2; ++i) {
    const repro::Config c = repro::sweep_config(base, i);
    REQUIRE(c.students.size() == 3);
    CHECK(c.students[0].kind == repro::StudentKind::aux_same);
    CHECK(c.students[1].kind == repro::StudentKind::perturbed);
    CHECK(c.students[1].sigma == (i == 0 ? 0.0 : 0.5));
    CHECK(c.students[2].kind == repro::StudentKind::aux_cross);
  }
  TinyMnist data(40, 20);
  repro::Sweep sweep;
  REQUIRE(repro::run_sweep(base, data.mnist, Compute{base.isa, nullptr},
                           repro::ProgressMode::silent, &sweep).ok());
  // The point at 0.5 is the experiment with --students ...,perturbed:0.5,...
  repro::Config at_value = base;
  at_value.sweep_name.clear();
  std::string why;
  REQUIRE(repro::parse_students("aux-same,perturbed:0.5,aux-cross", &at_value.students, &why));
  std::vector<unsigned char> memory(
      arena_buffer_bytes(repro::experiment_bytes(at_value, data.mnist.train.count)));
  Arena arena(memory.data(), memory.size());
  repro::Results alone;
  REQUIRE(repro::run_experiment(at_value, data.mnist, Compute{base.isa, nullptr}, arena,
                                nullptr, nullptr, &alone).ok());
  CHECK(alone.weights_hash == sweep.points[1].results.weights_hash);
  CHECK(sweep.points[0].results.weights_hash != sweep.points[1].results.weights_hash);
  const std::string csv = repro::sweep_csv(sweep);
  CHECK(count(csv, "\n") == 1 + 2 * 5);
  CHECK(count(csv, "sigma,0.5,student_perturbed_0.5,") == 1);
  CHECK(count(csv, "sigma,0,student_perturbed_0,") == 1);
  const std::string svg = repro::sweep_svg(sweep);
  CHECK(count(svg, "<polyline ") == 5);
  CHECK(count(svg, "student, aux only, perturbed (sigma on the x axis)") == 1);
  CHECK(count(svg, "test accuracy against sigma of perturbed:SIGMA") == 2);  // title, <title>
  const std::string report = repro::sweep_report(sweep);
  CHECK(count(report, "the experiment at each sigma of perturbed:SIGMA of 0, 0.5") == 1);
  CHECK(count(report, "students: aux-same,perturbed:0.1,aux-cross") == 1);
  CHECK(count(report, "student, aux only, perturbed 0.5") == 1);

  repro::Config activation;
  REQUIRE(parse({"--sweep", "activation=tanh,gelu,relu"}, &activation) ==
          repro::ParseResult::run);
  CHECK(repro::sweep_config(activation, 0).activation == Activation::tanh);
  CHECK(repro::sweep_config(activation, 1).activation == Activation::gelu);
  CHECK(repro::sweep_config(activation, 2).activation == Activation::relu);
}

TEST_CASE("flags: --sweep sigma needs exactly one perturbed student; activation a known name") {
  const ScopedEnv no_isa("TACIT_ISA", nullptr);
  repro::Config c;
  for (const std::vector<const char*>& bad :
       {std::vector<const char*>{"--sweep", "sigma=0.1,0.2"},
        {"--sweep", "sigma=0.1,0.2", "--students", "perturbed:0.1,perturbed:0.3"},
        {"--sweep", "sigma=0.1,-1", "--students", "perturbed:0.1"},
        {"--sweep", "sigma=0.1,2000", "--students", "perturbed:0.1"},
        {"--sweep", "sigma=0.1,x", "--students", "perturbed:0.1"},
        {"--sweep", "activation=relu,swish"}}) {
    CAPTURE(bad[1]);
    CHECK(parse(bad, &c) == repro::ParseResult::usage_error);
  }
  CHECK(parse({"--sweep", "aux=1,2", "--points-per-epoch", "1", "--trajectory-svg", "t.svg"},
              &c) == repro::ParseResult::usage_error);
#if defined(TOOLS_TEST_HAVE_STDERR_CAPTURE)
  CHECK(stderr_of([&] { parse({"--sweep", "sigma=0.1,0.2"}, &c); }) ==
        "tacit-repro: --sweep sigma sets the sigma of the perturbed:SIGMA student; --students "
        "names 0 of them, not exactly one (try --help)\n");
#endif
}

TEST_CASE("sweep: the report and SVG show no paper values; the JSON only where Figure 10's") {
  // Two points at the paper's flags but --aux (3: Figure 10's experiment,
  // 5: not), their summaries filled in without training.
  repro::Sweep sweep;
  REQUIRE(parse({"--sweep", "aux=3,5"}, &sweep.base) == repro::ParseResult::run);
  for (std::size_t i = 0; i < 2; ++i) {
    repro::SweepPoint point;
    point.value = sweep.base.sweep_values[i];
    point.results.config = repro::sweep_config(sweep.base, i);
    for (int k = 0; k < repro::condition_count(point.results.config); ++k) {
      point.results.summary[k].mean = 0.25 + 0.1 * k;
      point.results.summary[k].n = 2;
    }
    sweep.points.push_back(point);
  }
  CHECK(repro::paper_config(sweep.points[0].results.config));
  CHECK_FALSE(repro::paper_config(sweep.points[1].results.config));
  for (const std::string& text : {repro::sweep_report(sweep), repro::sweep_svg(sweep),
                                  repro::sweep_csv(sweep)}) {
    CHECK(text.find("paper") == std::string::npos);
    CHECK(text.find("0.528") == std::string::npos);
    CHECK(text.find("Figure 10") == std::string::npos);
  }
  tacit_tools::JsonValue doc;
  std::string error;
  REQUIRE(tacit_tools::json_parse(repro::sweep_json(sweep, {"portable", 1}), &doc, &error));
  const auto paper = [&](std::size_t point) {
    return doc.find("points")->items[point].find("summary")->find("student_aux_same")->find(
        "paper");
  };
  CHECK(paper(0)->text == "0.528");
  CHECK(paper(1)->type == tacit_tools::JsonValue::Type::null);
}

TEST_CASE("flags: --sweep refuses --profile, --count-subnormals and --gradient-alignment") {
  const ScopedEnv no_isa("TACIT_ISA", nullptr);
  repro::Config c;
  for (const char* flag : {"--profile", "--count-subnormals", "--gradient-alignment"}) {
    CAPTURE(flag);
    CHECK(parse({"--sweep", "aux=1,2", flag}, &c) == repro::ParseResult::usage_error);
#if defined(TOOLS_TEST_HAVE_STDERR_CAPTURE)
    CHECK(stderr_of([&] { parse({"--sweep", "aux=1,2", flag}, &c); }) ==
          std::string("tacit-repro: ") + flag +
              " is for one experiment, not a --sweep (a sweep's outputs do not report it) "
              "(try --help)\n");
#endif
    CHECK(parse({flag}, &c) == repro::ParseResult::run);
  }
  CHECK(parse({"--sweep", "aux=1,2"}, &c) == repro::ParseResult::run);
}
