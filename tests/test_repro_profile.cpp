// --profile's table and JSON from a Profile with known tallies: every
// ratio is the one computed here by hand.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "common/json.h"
#include "common/json_read.h"
#include "repro/profile_report.h"

using tacit::Work;

namespace {

repro::ProfileSummary known() {
  repro::ProfileSummary s;
  s.seconds = 10.0;
  s.peak_gflops = 100.0;
  auto set = [&](Work w, long long calls, double seconds, double flops) {
    tacit::WorkTally& t = s.profile.work[static_cast<int>(w)];
    t.calls = calls;
    t.seconds = seconds;
    t.flops = flops;
  };
  set(Work::forward_product, 30, 4.0, 2.0e11);   // 50 GFLOP/s, 50% of peak
  set(Work::input_gradient, 20, 1.0, 8.0e10);    // 80 GFLOP/s
  set(Work::weight_gradient, 30, 3.0, 1.2e11);   // 40 GFLOP/s
  set(Work::optimizer, 10, 0.5, 0.0);
  set(Work::loss, 10, 0.5, 0.0);                 // 9 s inside calls: 1 s else
  return s;
}

double number(const tacit_tools::JsonValue& object, const char* key) {
  const tacit_tools::JsonValue* v = object.find(key);
  REQUIRE(v != nullptr);
  return std::strtod(v->text.c_str(), nullptr);
}

}  // namespace

TEST_CASE("--profile: the table gives each product's rate and share, and the floor") {
  const std::string text = repro::profile_text(known());
  INFO(text);
  CHECK(text.find("forward_product          30      4.000   40.0%     50.00   50.0%") !=
        std::string::npos);
  CHECK(text.find("input_gradient           20      1.000   10.0%     80.00   80.0%") !=
        std::string::npos);
  CHECK(text.find("everything else                  1.000   10.0%") != std::string::npos);
  // 400 GFLOP in 8 s of products, 40 GFLOP/s over the 10 s run, a 4 s floor.
  CHECK(text.find("products: 400 GFLOP at 50.00 GFLOP/s; the run: 40.00 GFLOP/s, 40.0% of "
                  "the peak 100.00 GFLOP/s; FLOP floor 4.00 s, the run 2.50x it") !=
        std::string::npos);
}

TEST_CASE("--profile: the JSON holds the same numbers") {
  tacit_tools::JsonWriter json;
  repro::write_profile(json, known());
  tacit_tools::JsonValue doc;
  std::string error;
  REQUIRE_MESSAGE(tacit_tools::json_parse(json.text(), &doc, &error), error);
  CHECK(number(doc, "flops") == 4.0e11);
  CHECK(number(doc, "gflops") == doctest::Approx(40.0));
  CHECK(number(doc, "fraction_of_peak") == doctest::Approx(0.4));
  CHECK(number(doc, "floor_seconds") == doctest::Approx(4.0));
  const tacit_tools::JsonValue* work = doc.find("work");
  REQUIRE(work != nullptr);
  const tacit_tools::JsonValue* dw = work->find("weight_gradient");
  REQUIRE(dw != nullptr);
  CHECK(number(*dw, "calls") == 30);
  CHECK(number(*dw, "gflops") == doctest::Approx(40.0));
  CHECK(number(*dw, "fraction_of_peak") == doctest::Approx(0.4));
  CHECK(work->find("loss")->find("gflops") == nullptr);  // no FLOPs counted there
  CHECK(number(*work->find("everything_else"), "seconds") == doctest::Approx(1.0));
}
