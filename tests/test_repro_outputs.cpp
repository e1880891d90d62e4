// tacit-repro's outputs: the results JSON (checked by a minimal reader),
// the CSV, the SVG chart and the report.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "repro/csv.h"
#include "repro/report.h"
#include "repro/results_json.h"
#include "repro/svg.h"
#include "tools_test_support.h"

using namespace subliminal;
using namespace tools_test;

// ---- a minimal JSON reader, to check the results document parses ----------

namespace {

struct JsonCheck {
  explicit JsonCheck(const std::string& text) : s(text) {}
  const std::string& s;
  std::size_t i = 0;
  std::set<std::string> keys;  // every object key seen, with its path
  std::string path;

  void space() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) ++i;
  }
  bool literal(const char* word) {
    const std::size_t n = std::strlen(word);
    if (s.compare(i, n, word) != 0) return false;
    i += n;
    return true;
  }
  bool string(std::string* out) {
    if (s[i] != '"') return false;
    for (++i; i < s.size(); ++i) {
      const char c = s[i];
      if (c == '"') {
        ++i;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c == '\\') {
        ++i;
        if (i >= s.size() || std::strchr("\"\\/bfnrtu", s[i]) == nullptr) return false;
        if (s[i] == 'u') i += 4;
        continue;
      }
      if (out != nullptr) *out += c;
    }
    return false;
  }
  bool number() {
    const char* start = s.c_str() + i;
    char* end = nullptr;
    std::strtod(start, &end);
    if (end == start || !(std::isdigit(static_cast<unsigned char>(*start)) || *start == '-'))
      return false;
    i += static_cast<std::size_t>(end - start);
    return true;
  }
  bool value() {
    space();
    if (i >= s.size()) return false;
    const char c = s[i];
    if (c == '{') {
      ++i;
      space();
      if (s[i] == '}') return ++i, true;
      for (;;) {
        space();
        std::string k;
        if (!string(&k)) return false;
        keys.insert(path + "/" + k);
        space();
        if (s[i++] != ':') return false;
        const std::string saved = path;
        path += "/" + k;
        if (!value()) return false;
        path = saved;
        space();
        if (s[i] == ',') {
          ++i;
          continue;
        }
        return s[i++] == '}';
      }
    }
    if (c == '[') {
      ++i;
      space();
      if (s[i] == ']') return ++i, true;
      for (;;) {
        if (!value()) return false;
        space();
        if (s[i] == ',') {
          ++i;
          continue;
        }
        return s[i++] == ']';
      }
    }
    if (c == '"') return string(nullptr);
    if (literal("true") || literal("false") || literal("null")) return true;
    return number();
  }
  bool document() {
    if (!value()) return false;
    space();
    return i == s.size();
  }
};

// A hand-made Results for the writers: 3 runs, 2 student epochs.
repro::Results fake_results() {
  repro::Results results;
  results.config.runs = 3;
  results.config.student_epochs = 2;
  results.config.teacher_epochs = 1;
  results.config.data = "dir \"with\" quotes";
  results.train_images = 100;
  results.test_images = 40;
  for (int r = 0; r < 3; ++r) {
    repro::RunResult run;
    run.run = r;
    run.seed = experiment_run_seed(0, r);
    run.cross_from = (r + 1) % 3;
    for (int c = 0; c < repro::condition_count(results.config); ++c) {
      run.correct[c] = 4 + c * 6 + r;
      run.accuracy[c] = run.correct[c] / 40.0;
    }
    run.weights_hash = 0x0123456789abcdefull + static_cast<std::uint64_t>(r);
    run.teacher_loss = {2.3};
    for (int s = 0; s < 4; ++s) {
      run.student_loss[s] = {1.0, 0.5};
      run.alignment[s] = {0.1 * (s + 1), 0.2 * (s + 1)};
    }
    results.runs.push_back(run);
  }
  results.weights_hash = 0xfedcba9876543210ull;
  repro::summarize_results(&results);
  return results;
}

}  // namespace

TEST_CASE("results JSON parses and holds the summary scripts read") {
  const repro::Results results = fake_results();
  const std::string text = repro::results_json(results, repro::RunEnvironment{"avx2", 2});
  JsonCheck check(text);
  REQUIRE(check.document());
  for (const char* key : {"reference", "teacher", "student_aux_same", "student_all_same",
                          "student_aux_cross", "student_all_cross"}) {
    CAPTURE(key);
    for (const char* field : {"mean", "ci95", "min", "max", "paper"}) {
      CHECK(check.keys.count(std::string("/summary/") + key + "/" + field) == 1);
    }
  }
  for (const char* key : {"/config", "/config/seed", "/config/widths", "/isa", "/threads",
                          "/weights_hash", "/runs", "/timings", "/alignment_summary"}) {
    CHECK(check.keys.count(key) == 1);
  }
  CHECK(contains(text, "\"weights_hash\": \"fedcba9876543210\""));
  CHECK(contains(text, "\"data\": \"dir \\\"with\\\" quotes\""));
  CHECK(contains(text, "\"student_aux_same\": [0.1, 0.2]"));
  // mean of 10/40, 11/40, 12/40 for the teacher (correct = 10 + r).
  CHECK(results.summary[repro::kTeacher].mean == doctest::Approx(11.0 / 40));
}

TEST_CASE("results CSV: a header and one row per run and condition") {
  const repro::Results results = fake_results();
  const std::string csv = repro::results_csv(results);
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = csv.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(csv.substr(start, end - start));
  }
  CHECK(start == csv.size());  // ends with a newline
  REQUIRE(lines.size() == 1 + 3 * 6);
  CHECK(lines[0] == "run,seed,condition,init_from_run,correct,test_images,accuracy");
  for (const std::string& line : lines) {
    CHECK(std::count(line.begin(), line.end(), ',') == 6);
  }
  CHECK(lines[1] == "0," + std::to_string(experiment_run_seed(0, 0)) +
                        ",reference,0,4,40,0.1");
  // Run 0's aux-only cross-init student started from run 1's init.
  CHECK(lines[5] == "0," + std::to_string(experiment_run_seed(0, 0)) +
                        ",student_aux_cross,1,28,40,0.7");
}

namespace {

// Checks that tags nest and close; returns the element names in order.
bool well_formed(const std::string& xml, std::vector<std::string>* elements) {
  std::vector<std::string> stack;
  std::size_t i = 0;
  while ((i = xml.find('<', i)) != std::string::npos) {
    const std::size_t end = xml.find('>', i);
    if (end == std::string::npos) return false;
    const std::string tag = xml.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.empty()) return false;
    if (tag[0] == '?') {
      if (tag.back() != '?') return false;
      continue;
    }
    if (tag[0] == '/') {
      if (stack.empty() || stack.back() != tag.substr(1)) return false;
      stack.pop_back();
      continue;
    }
    const std::string name = tag.substr(0, tag.find_first_of(" /"));
    if (std::count(tag.begin(), tag.end(), '"') % 2 != 0) return false;
    elements->push_back(name);
    if (tag.back() != '/') stack.push_back(name);
    if (stack.empty() && tag.back() == '/') return false;  // a lone root
  }
  // Text between tags holds no raw '<' or '&' except entities.
  for (std::size_t a = 0; (a = xml.find('&', a)) != std::string::npos; ++a) {
    const std::size_t semi = xml.find(';', a);
    if (semi == std::string::npos || semi - a > 6) return false;
  }
  return stack.empty();
}

}  // namespace

TEST_CASE("bar chart SVG: well formed, one bar, whisker and paper mark per condition") {
  repro::BarChart chart;
  chart.title = "A <title> & \"quotes\"";
  chart.y_label = "accuracy";
  for (int i = 0; i < 3; ++i) {
    repro::Bar bar;
    bar.label[0] = "bar " + std::to_string(i);
    bar.label[1] = i == 1 ? "" : "second & line";
    bar.mean = 0.2 * (i + 1);
    bar.ci95 = i == 2 ? 0.0 : 0.05;
    bar.paper = i == 0 ? -1.0 : 0.5;
    bar.color = "#123456";
    chart.bars.push_back(bar);
  }
  const std::string svg = repro::bar_chart_svg(chart);
  std::vector<std::string> elements;
  REQUIRE(well_formed(svg, &elements));
  REQUIRE(!elements.empty());
  CHECK(elements[0] == "svg");
  CHECK(contains(svg, "xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(contains(svg, "A &lt;title&gt; &amp; &quot;quotes&quot;"));
  CHECK(contains(svg, "second &amp; line"));
  CHECK_FALSE(contains(svg, "<title>A <"));
  // A background rect plus one per bar.
  CHECK(std::count(elements.begin(), elements.end(), "rect") == 4);
  // Dashed paper marks: two bars have one, plus the legend's.
  std::size_t dashed = 0;
  for (std::size_t at = 0; (at = svg.find("stroke-dasharray", at)) != std::string::npos; ++at)
    ++dashed;
  CHECK(dashed == 3);
  CHECK(contains(svg, ">0.200</text>"));
  CHECK(contains(svg, ">0.600</text>"));

  const repro::Results results = fake_results();
  const std::string figure = repro::bar_chart_svg(repro::results_chart(results));
  elements.clear();
  REQUIRE(well_formed(figure, &elements));
  CHECK(std::count(elements.begin(), elements.end(), "rect") == 1 + 6);
  CHECK(contains(figure, "over 3 runs"));
}

TEST_CASE("report: a table in condition order and the weights hash, no timings") {
  const std::string report = repro::results_report(fake_results());
  std::size_t at = 0;
  const repro::Config config;
  for (int c = 0; c < repro::condition_count(config); ++c) {
    const std::size_t next = report.find(repro::condition_info(config, c).label, at);
    REQUIRE(next != std::string::npos);
    at = next + 1;
  }
  CHECK(contains(report, "\nweights-hash fedcba9876543210\n"));
  CHECK_FALSE(contains(report, "second"));
  CHECK_FALSE(contains(report, "avx"));
}

TEST_CASE("report: the students' loss, with a temperature only where it has one") {
  repro::Results results = fake_results();
  CHECK(contains(repro::results_report(results), "epochs of KL (T = 1) on"));
  results.config.temperature = 2.0f;
  CHECK(contains(repro::results_report(results), "epochs of KL (T = 2) on"));
  results.config.student_loss = tacit::DistillLoss::squared_error;
  const std::string report = repro::results_report(results);
  CHECK(contains(report, "epochs of MSE on"));
  CHECK_FALSE(contains(report, "T = "));
}
