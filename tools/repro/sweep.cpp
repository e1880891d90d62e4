#include "repro/sweep.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <iterator>
#include <utility>

#include "common/appendf.h"
#include "common/cli.h"
#include "common/json.h"
#include "common/model_io.h"
#include "repro/experiment.h"
#include "repro/outputs.h"
#include "repro/report.h"
#include "repro/svg.h"
#include "tacit/threads.h"

namespace repro {

namespace {

constexpr const char* kTool = "tacit-repro";
constexpr std::size_t kMaxValues = 64;

// --hidden 512-128: the flag's "512,128".
std::string dashes_to_commas(const Config&, const std::string& value) {
  std::string text = value;
  for (char& ch : text) {
    if (ch == '-') ch = ',';
  }
  return text;
}

// --students as given, with the one perturbed student's σ set to value.
std::string students_with_sigma(const Config& config, const std::string& value) {
  std::string text;
  for (const Student& s : config.students) {
    text += text.empty() ? "" : ",";
    text += s.kind == StudentKind::perturbed ? "perturbed:" + value : student_name(s);
  }
  return text;
}

struct Parameter {
  const char* name;  // --sweep NAME=...
  const char* flag;  // the flag each value is given to
  const char* shown;  // what the value is, in the report and the SVG
  // The flag's value for a sweep value; null: the value itself.
  std::string (*flag_value)(const Config& config, const std::string& value);
};

// The sweepable flags: one line each.
constexpr Parameter kParameters[] = {
    {"aux", "--aux", "--aux", nullptr},
    {"hidden", "--hidden", "--hidden", dashes_to_commas},
    {"activation", "--activation", "--activation", nullptr},
    {"sigma", "--students", "sigma of perturbed:SIGMA", students_with_sigma},
    {"lr", "--lr", "--lr", nullptr},
    {"temperature", "--temperature", "--temperature", nullptr},
    {"student-loss", "--student-loss", "--student-loss", nullptr},
    {"noise", "--noise", "--noise", nullptr},
};

const Parameter* find_parameter(const std::string& name) {
  for (const Parameter& p : kParameters) {
    if (name == p.name) return &p;
  }
  return nullptr;
}

std::string flag_value(const Parameter& p, const Config& config, const std::string& value) {
  return p.flag_value != nullptr ? p.flag_value(config, value) : value;
}

int perturbed_students(const Config& config) {
  int n = 0;
  for (const Student& s : config.students) n += s.kind == StudentKind::perturbed ? 1 : 0;
  return n;
}

}  // namespace

std::string sweep_names(std::size_t width) {
  std::string names, line;
  for (const Parameter& p : kParameters) {
    const std::string item = (line.empty() ? "" : " ") + std::string(p.name) +
                             (&p == &kParameters[std::size(kParameters) - 1] ? "" : ",");
    if (width > 0 && !line.empty() && line.size() + item.size() > width) {
      names += line + "\n";
      line = std::string(item, 1);
    } else {
      line += item;
    }
  }
  return names + line;
}

bool parse_sweep(const char* text, Config* config, std::string* why) {
  const std::string s = text;
  const std::size_t eq = s.find('=');
  const std::string name = s.substr(0, eq);
  if (find_parameter(name) == nullptr) {
    *why = "names no flag a sweep can set; NAME is one of " + sweep_names();
    return false;
  }
  std::vector<std::string> values;
  if (eq == std::string::npos || !tacit_cli::split_list(s.c_str() + eq + 1, ',', &values)) {
    *why = "has no values, or an empty one: NAME=V1,V2,...";
    return false;
  }
  if (values.size() > kMaxValues) {
    *why = "has more than " + std::to_string(kMaxValues) + " values";
    return false;
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (values[i] == values[j]) {
        *why = "lists '" + values[i] + "' twice";
        return false;
      }
    }
  }
  config->sweep_name = name;
  config->sweep_values = values;
  return true;
}

const char* sweep_flag(const Config& base) { return find_parameter(base.sweep_name)->flag; }

const char* sweep_label(const Config& base) { return find_parameter(base.sweep_name)->shown; }

Config sweep_config(const Config& base, std::size_t i) {
  const Parameter& p = *find_parameter(base.sweep_name);
  Config c = base;
  tacit_cli::require(apply_flag(p.flag, flag_value(p, base, base.sweep_values[i]).c_str(), &c)
                         ? tacit::Status::success()
                         : tacit::Status::error("sweep value %s was checked", p.flag));
  return c;
}

bool check_sweep(Config* config) {
  if (config->sweep_name.empty()) return true;
  if (is_shard(*config)) {
    return tacit_cli::usage(kTool, "--sweep runs every run at each value; it cannot be "
                            "combined with --run-range or --shard");
  }
  if (config->expect_transfer || !config->trajectory_svg.empty()) {
    return tacit_cli::usage(kTool, "--expect-transfer and --trajectory-svg are for one "
                            "experiment, not a --sweep");
  }
  // What a sweep's outputs have no place for, refused rather than dropped.
  for (const auto& flag : {std::make_pair(config->profile, "--profile"),
                           std::make_pair(config->count_subnormals, "--count-subnormals"),
                           std::make_pair(config->gradient_alignment, "--gradient-alignment")}) {
    if (flag.first) {
      return tacit_cli::usage(kTool, "%s is for one experiment, not a --sweep (a sweep's "
                              "outputs do not report it)", flag.second);
    }
  }
  if (config->sweep_name == "sigma" && perturbed_students(*config) != 1) {
    return tacit_cli::usage(kTool, "--sweep sigma sets the sigma of the perturbed:SIGMA "
                            "student; --students names %d of them, not exactly one",
                            perturbed_students(*config));
  }
  const Parameter& p = *find_parameter(config->sweep_name);
  for (const std::string& value : config->sweep_values) {
    Config c = *config;
    if (!apply_flag(p.flag, flag_value(p, *config, value).c_str(), &c)) {
      return tacit_cli::usage(kTool, "--sweep %s: the value '%s' is refused (above)", p.name,
                              value.c_str());
    }
  }
  return true;
}

tacit::Status run_sweep(const Config& base, const tacit::Mnist& mnist,
                        const tacit::Compute& compute, ProgressMode mode, Sweep* sweep) {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t values = base.sweep_values.size();
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < values; ++i) {
    const std::size_t need =
        tacit::arena_buffer_bytes(experiment_bytes(sweep_config(base, i), mnist.train.count));
    if (need > bytes) bytes = need;
  }
  tacit_tools::Buffer work(bytes);
  if (!work.ok()) {
    return tacit::Status::error("cannot allocate %zu bytes for the models", bytes);
  }
  sweep->base = base;
  sweep->points.assign(values, SweepPoint());
  for (std::size_t i = 0; i < values; ++i) {
    const Config c = sweep_config(base, i);
    SweepPoint& point = sweep->points[i];
    point.value = base.sweep_values[i];
    if (mode != ProgressMode::silent) {
      std::fprintf(stderr, "tacit-repro: %s %s (value %zu of %zu)\n", sweep_label(base),
                   point.value.c_str(), i + 1, values);
    }
    tacit::Arena arena = work.arena();  // every value's models in the same memory
    Progress progress(mode, c.runs, steps_per_run(c, mnist.train.count));
    const tacit::Status status =
        run_experiment(c, mnist, compute, arena, &progress, nullptr, &point.results);
    progress.finish();
    if (!status) return status;
  }
  sweep->total_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return tacit::Status::success();
}

std::string sweep_report(const Sweep& sweep) {
  const Config& c = sweep.base;
  std::string out;
  std::string values;
  for (const std::string& v : c.sweep_values) values += (values.empty() ? "" : ", ") + v;
  tacit_tools::appendf(&out, "tacit-repro: the experiment at each %s of %s\n",
                       sweep_label(c), values.c_str());
  tacit_tools::appendf(&out, "%d runs a value, seed %" PRIu64 "; otherwise: MLP %s %s; Adam lr "
                       "%g, batch %d\n", c.runs, c.seed, widths_text(c).c_str(),
                       tacit::activation_name(c.activation), c.lr, c.batch);
  tacit_tools::appendf(&out, "teacher %d epochs; students %d epochs of %s on %d %s noise "
                       "images\n\n", c.teacher_epochs, c.student_epochs,
                       distill_loss_text(c).c_str(), c.noise_images,
                       subliminal::noise_name(c.noise));
  if (!default_students(c.students)) {
    tacit_tools::appendf(&out, "students: %s\n\n", student_list_text(c.students).c_str());
  }
  tacit_tools::appendf(&out, "%-12s %-32s %7s  %-17s %7s %7s\n", c.sweep_name.c_str(),
                       "condition", "mean", "95% CI", "min", "max");
  for (const SweepPoint& point : sweep.points) {
    const Config& config = point.results.config;
    for (int k = 0; k < condition_count(config); ++k) {
      const subliminal::SummaryStats& s = point.results.summary[k];
      tacit_tools::appendf(&out, "%-12s %-32s %7.4f  %.4f .. %.4f  %7.4f %7.4f\n",
                           k == 0 ? point.value.c_str() : "",
                           condition_info(config, k).label.c_str(), s.mean, s.mean - s.ci95,
                           s.mean + s.ci95, s.min, s.max);
    }
  }
  out += '\n';
  for (const SweepPoint& point : sweep.points) {
    tacit_tools::appendf(&out, "weights-hash %s=%s %016" PRIx64 "\n", c.sweep_name.c_str(),
                         point.value.c_str(), point.results.weights_hash);
  }
  return out;
}

std::string sweep_json(const Sweep& sweep, const RunEnvironment& environment) {
  const Config& c = sweep.base;
  tacit_tools::JsonWriter json;
  json.begin_object();
  json.key("program"); json.string("tacit-repro");
  json.key("sweep"); json.begin_object();
  json.key("name"); json.string(c.sweep_name.c_str());
  json.key("flag"); json.string(sweep_flag(c));
  json.key("values"); json.begin_array(true);
  for (const std::string& v : c.sweep_values) json.string(v.c_str());
  json.end_array();
  json.end_object();
  json.key("isa"); json.string(environment.isa);
  json.key("threads"); json.integer(environment.threads);
  json.key("points"); json.begin_array();
  for (const SweepPoint& point : sweep.points) {
    const Results& r = point.results;
    json.begin_object();
    json.key("value"); json.string(point.value.c_str());
    write_config(json, r);
    json.key("weights_hash"); json.string(hex64(r.weights_hash).c_str());
    write_summary(json, r);
    write_alignment_summary(json, r);
    if (r.config.points_per_epoch > 0) write_trajectory_summary(json, r);
    write_divergence(json, r);
    json.key("accuracy"); json.begin_object();
    std::vector<double> values(r.runs.size());
    for (int k = 0; k < condition_count(r.config); ++k) {
      for (std::size_t i = 0; i < r.runs.size(); ++i) values[i] = r.runs[i].accuracy[k];
      json.key(condition_info(r.config, k).key.c_str());
      json.numbers(values.data(), values.size());
    }
    json.end_object();
    json.end_object();
  }
  json.end_array();
  json.key("timings"); json.begin_object();
  json.key("total_seconds"); json.number(sweep.total_seconds);
  json.end_object();
  json.end_object();
  return json.text();
}

std::string sweep_csv(const Sweep& sweep) {
  std::string out = "parameter,value,condition,n,mean,ci95,std,min,max\n";
  for (const SweepPoint& point : sweep.points) {
    for (int k = 0; k < condition_count(point.results.config); ++k) {
      const subliminal::SummaryStats& s = point.results.summary[k];
      out += sweep.base.sweep_name + "," + point.value + "," +
             condition_info(point.results.config, k).key + "," +
             std::to_string(s.n);
      for (const double v : {s.mean, s.ci95, s.std, s.min, s.max}) {
        out += "," + tacit_tools::format_number(v);
      }
      out += '\n';
    }
  }
  return out;
}

namespace {

constexpr double kWidth = 900;
constexpr double kLeft = 80, kRight = 870, kTop = 80, kBottom = 450;

std::string num(double v) { return svg_number(v); }

double y_of(double v) {
  v = v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
  return kBottom - v * (kBottom - kTop);
}

void text(std::string& out, double x, double y, const char* anchor, int size,
          const std::string& body, const char* extra = "") {
  svg_text(out, x, y, anchor, size, body, extra);
}

void line(std::string& out, double x1, double y1, double x2, double y2, const char* stroke) {
  svg_line(out, x1, y1, x2, y2, stroke, 1.0);
}

// A line's legend: the condition's label, the same at every value but for
// a perturbed student under --sweep sigma, whose sigma is the x axis.
std::string line_label(const Sweep& sweep, int condition) {
  const Config& c = sweep.base;
  const int s = condition - kFirstStudent;
  if (c.sweep_name == "sigma" && s >= 0 &&
      c.students[static_cast<std::size_t>(s)].kind == StudentKind::perturbed) {
    return "student, aux only, perturbed (sigma on the x axis)";
  }
  return condition_info(c, condition).label;
}

}  // namespace

std::string sweep_svg(const Sweep& sweep) {
  const Config& c = sweep.base;
  const int conditions = condition_count(c);  // the same at every value
  // The legend: three conditions a row below the axis.
  const double height = std::max(600.0, kBottom + 80 + ((conditions + 2) / 3) * 24.0);
  const std::string title = "Subliminal learning on MNIST: test accuracy against " +
                            std::string(sweep_label(c)) + ", " + std::to_string(c.runs) +
                            " runs a value";
  std::string out = svg_begin(kWidth, height, title);
  char subtitle[256];
  std::snprintf(subtitle, sizeof subtitle,
                "otherwise MLP %s %s, Adam lr %g, batch %d, teacher %d epochs, students %d "
                "epochs (%s), seed %llu (tacit-repro); bands: 95%% CI of the mean",
                widths_text(c).c_str(), tacit::activation_name(c.activation), c.lr, c.batch, c.teacher_epochs, c.student_epochs,
                loss_name(c.student_loss), static_cast<unsigned long long>(c.seed));
  text(out, kWidth / 2, 52, "middle", 12, subtitle);
  for (int i = 0; i <= 10; ++i) {
    const double y = y_of(i / 10.0);
    line(out, kLeft, y, kRight, y, i == 0 ? "#000000" : "#dddddd");
    text(out, kLeft - 8, y + 4, "end", 12, num(i / 10.0));
  }
  line(out, kLeft, kTop, kLeft, kBottom, "#000000");
  const std::string y_mid = num((kTop + kBottom) / 2);
  out += "  <text x=\"24\" y=\"" + y_mid + "\" text-anchor=\"middle\" font-size=\"14\" "
         "transform=\"rotate(-90 24 " + y_mid + ")\">test accuracy (digit logits, argmax)"
         "</text>\n";
  const std::size_t n = sweep.points.size();
  const double slot = (kRight - kLeft) / static_cast<double>(n);
  const auto x_of = [&](std::size_t i) { return kLeft + slot * (static_cast<double>(i) + 0.5); };
  for (std::size_t i = 0; i < n; ++i) {
    text(out, x_of(i), kBottom + 20, "middle", 13, sweep.points[i].value);
  }
  text(out, (kLeft + kRight) / 2, kBottom + 42, "middle", 14, sweep_label(c));
  for (int k = 0; k < conditions; ++k) {
    const char* color = condition_color(k);
    std::string band, upper, lower, means;
    for (std::size_t i = 0; i < n; ++i) {
      const subliminal::SummaryStats& s = sweep.points[i].results.summary[k];
      upper += num(x_of(i)) + "," + num(y_of(s.mean + s.ci95)) + " ";
      lower = num(x_of(i)) + "," + num(y_of(s.mean - s.ci95)) + " " + lower;
      means += (i > 0 ? " " : "") + num(x_of(i)) + "," + num(y_of(s.mean));
    }
    band = upper + lower;
    band.pop_back();
    out += "  <polygon points=\"" + band + "\" fill=\"" + color +
           "\" fill-opacity=\"0.25\" stroke=\"none\"/>\n";
    out += "  <polyline points=\"" + means + "\" fill=\"none\" stroke=\"" + color +
           "\" stroke-width=\"2.0\"/>\n";
    for (std::size_t i = 0; i < n; ++i) {
      out += "  <circle cx=\"" + num(x_of(i)) + "\" cy=\"" +
             num(y_of(sweep.points[i].results.summary[k].mean)) + "\" r=\"3.5\" fill=\"" +
             color + "\"/>\n";
    }
    const double lx = kLeft + 10 + (k % 3) * 260.0;
    const double ly = kBottom + 80 + (k / 3) * 24.0;
    out += "  <rect x=\"" + num(lx) + "\" y=\"" + num(ly - 10) + "\" width=\"24.0\" "
           "height=\"12.0\" fill=\"" + color + "\"/>\n";
    text(out, lx + 32, ly, "start", 12, line_label(sweep, k));
  }
  out += "</svg>\n";
  return out;
}

int sweep_main(const Config& config) {
  OutputFiles files;
  if (!files.open(config)) return kExitData;
  tacit_tools::LoadedMnist data;
  tacit::Status status = tacit_tools::load_mnist(config.data.c_str(), &data);
  if (!status) {
    std::fprintf(stderr, "tacit-repro: %s\n", status.message());
    return kExitData;
  }
  tacit::ThreadPool pool(config.threads);
  const tacit::Compute compute{config.isa, &pool};
  Sweep sweep;
  status = run_sweep(config, data.mnist, compute, progress_mode(config.quiet), &sweep);
  if (!status) {
    std::fprintf(stderr, "tacit-repro: %s\n", status.message());
    return kExitData;
  }
  const std::string report = sweep_report(sweep);
  std::fwrite(report.data(), 1, report.size(), stdout);
  std::fflush(stdout);
  const RunEnvironment environment{tacit::isa_name(config.isa), pool.size()};
  bool written = files.json.write(sweep_json(sweep, environment));
  written = files.csv.write(sweep_csv(sweep)) && written;
  written = files.svg.write(sweep_svg(sweep)) && written;
  if (!written) return kExitData;
  std::string diverged;
  for (const SweepPoint& point : sweep.points) {
    const std::string text = divergence_report(point.results);
    if (!text.empty()) diverged += std::string(sweep_label(config)) + " " + point.value + ":\n" + text;
  }
  if (!diverged.empty()) {
    std::fprintf(stderr, "tacit-repro: training diverged:\n%s", diverged.c_str());
    if (!config.allow_divergence) return kExitDiverged;
  }
  return kExitOk;
}

}  // namespace repro
