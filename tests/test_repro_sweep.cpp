// --sweep: the experiment at each value of one flag, its outputs one point
// per value and condition, and the flag's refusals.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/json_read.h"
#include "repro/config.h"
#include "repro/experiment.h"
#include "repro/sweep.h"
#include "tools_test_support.h"

using namespace tacit;
using namespace tools_test;

namespace {

repro::ParseResult parse(std::vector<const char*> args, repro::Config* config) {
  args.insert(args.begin(), "tacit-repro");
  return repro::parse_args(static_cast<int>(args.size()), const_cast<char**>(args.data()),
                           config);
}

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
        "hidden, lr, temperature, student-loss, noise (try --help)\n");
  CHECK(stderr_of([&] { parse({"--sweep", "aux=1,5000"}, &c); }) ==
        "tacit-repro: --aux: '5000' is not a whole number from 1 to 4096 (try --help)\n"
        "tacit-repro: --sweep aux: the value '5000' is refused (above) (try --help)\n");
#endif
}
