#include "repro/results_json.h"

#include <cinttypes>
#include <cstdio>

#include "common/json.h"
#include "repro/profile_report.h"
#include "repro/speed.h"
#include "tacit/mnist.h"

namespace repro {

using tacit_tools::JsonWriter;

namespace {

void numbers(JsonWriter& json, const std::vector<double>& values) {
  json.numbers(values.data(), values.size());
}

void gradient_epochs(JsonWriter& json, const std::vector<GradientEpoch>& epochs,
                     bool projected) {
  json.begin_array();
  for (const GradientEpoch& e : epochs) {
    json.begin_object();
    json.key("steps"); json.integer(e.steps);
    json.key("mean"); json.number(e.mean);
    json.key("min"); json.number(e.min);
    json.key("max"); json.number(e.max);
    json.key("positive"); json.number(e.positive);
    json.key("mean_cosine"); json.number(e.mean_cosine);
    if (projected) {
      json.key("max_cosine_after_projection"); json.number(e.max_cosine_after);
    }
    json.end_object();
  }
  json.end_array();
}

}  // namespace

std::string hex64(std::uint64_t value) {
  char text[20];
  std::snprintf(text, sizeof text, "%016" PRIx64, value);
  return text;
}

void write_config(JsonWriter& json, const Results& results) {
  const Config& c = results.config;
  const tacit::MlpSpec spec = config_spec(c);
  json.key("config");
  json.begin_object();
  json.key("runs"); json.integer(c.runs);
  json.key("seed"); json.unsigned_integer(c.seed);
  json.key("widths"); json.begin_array(true);
  for (int i = 0; i <= spec.layers; ++i) json.integer(spec.widths[i]);
  json.end_array();
  json.key("digits"); json.integer(tacit::kMnistClasses);
  json.key("aux"); json.integer(c.aux);
  json.key("init"); json.string("normal_fan_in");
  json.key("optimizer"); json.string("adam");
  json.key("lr"); json.number(c.lr);
  json.key("betas");
  json.begin_array(true);
  json.number(0.9);
  json.number(0.999);
  json.end_array();
  json.key("eps"); json.number(1e-8);
  json.key("batch"); json.integer(c.batch);
  json.key("teacher_epochs"); json.integer(c.teacher_epochs);
  json.key("student_epochs"); json.integer(c.student_epochs);
  json.key("noise"); json.string(subliminal::noise_name(c.noise));
  json.key("noise_images"); json.integer(c.noise_images);
  json.key("student_loss"); json.string(loss_name(c.student_loss));
  json.key("temperature"); json.number(c.temperature);
  // Keys of the follow-up options appear only when they are used, so the
  // paper's run writes the same document as before they existed.
  if (c.activation != tacit::Activation::relu) {
    json.key("activation"); json.string(tacit::activation_name(c.activation));
  }
  if (!default_students(c.students)) {
    json.key("students"); json.begin_array(true);
    for (const Student& s : c.students) json.string(student_name(s).c_str());
    json.end_array();
  }
  if (has_student(c, StudentKind::matched)) {
    json.key("match_epochs"); json.integer(c.match_epochs);
  }
  if (has_student(c, StudentKind::liminal)) {
    json.key("liminal_weight"); json.number(c.liminal_weight);
  }
  if (needs_trait_gradient(c)) {
    json.key("trait_batch"); json.integer(c.trait_batch);
  }
  if (c.gradient_alignment) {
    json.key("gradient_alignment"); json.boolean(true);
  }
  if (c.points_per_epoch > 0) {
    json.key("points_per_epoch"); json.integer(c.points_per_epoch);
  }
  json.key("data"); json.string(c.data.c_str());
  json.key("train_images"); json.integer(results.train_images);
  json.key("test_images"); json.integer(results.test_images);
  json.end_object();
}

void write_summary(JsonWriter& json, const Results& results) {
  json.key("summary");
  json.begin_object();
  for (int c = 0; c < condition_count(results.config); ++c) {
    const subliminal::SummaryStats& s = results.summary[c];
    const ConditionInfo info = condition_info(results.config, c);
    json.key(info.key.c_str());
    json.begin_object();
    json.key("mean"); json.number(s.mean);
    json.key("ci95"); json.number(s.ci95);
    json.key("std"); json.number(s.std);
    json.key("min"); json.number(s.min);
    json.key("max"); json.number(s.max);
    json.key("n"); json.integer(s.n);
    json.key("paper");
    if (info.paper >= 0.0) {
      json.number(info.paper);
    } else {
      json.null();
    }
    json.end_object();
  }
  json.end_object();
}

// Per student and epoch, the cosine's summary over runs.
void write_alignment_summary(JsonWriter& json, const Results& results) {
  json.key("alignment_summary");
  json.begin_object();
  const int epochs = results.config.student_epochs;
  std::vector<double> values(results.runs.size());
  for (int s = 0; s < static_cast<int>(results.config.students.size()); ++s) {
    json.key(condition_info(results.config, kFirstStudent + s).key.c_str());
    std::vector<double> means, cis;
    for (int e = 0; e < epochs; ++e) {
      for (std::size_t r = 0; r < results.runs.size(); ++r) {
        values[r] = results.runs[r].alignment[s][static_cast<std::size_t>(e)];
      }
      const subliminal::SummaryStats stats =
          subliminal::summarize(values.data(), static_cast<int>(values.size()));
      means.push_back(stats.mean);
      cis.push_back(stats.ci95);
    }
    json.begin_object();
    json.key("mean_by_epoch"); numbers(json, means);
    json.key("ci95_by_epoch"); numbers(json, cis);
    json.end_object();
  }
  json.end_object();
}

void write_subnormals(JsonWriter& json, const char* key, const tacit_tools::SubnormalTally& t) {
  json.key(key); json.begin_object();
  tacit_tools::write_tally_members(json, t);
  json.end_object();
}

// Every model whose training diverged (an empty list if none did).
void write_divergence(JsonWriter& json, const Results& results) {
  json.key("divergence"); json.begin_array();
  for (const RunResult& run : results.runs) {
    for (int c = 0; c < condition_count(results.config); ++c) {
      const ModelDivergence& d = run.divergence[c];
      if (!d.found) continue;
      json.begin_object();
      json.key("run"); json.integer(run.run);
      json.key("condition"); json.string(condition_info(results.config, c).key.c_str());
      json.key("epoch"); json.integer(d.epoch);
      if (d.parameter >= 0) {
        json.key("non_finite_parameter"); json.integer(d.parameter);
      } else {
        json.key("step"); json.integer(d.step);
        json.key("loss"); json.number(d.loss);  // null when not finite
        json.key("loss_limit"); json.number(d.limit);
      }
      json.end_object();
    }
  }
  json.end_array();
}

void write_run(JsonWriter& json, const Config& config, const RunResult& run) {
  const int conditions = condition_count(config);
  const int students = static_cast<int>(config.students.size());
  const auto key = [&](int c) { json.key(condition_info(config, c).key.c_str()); };
  json.begin_object();
  json.key("run"); json.integer(run.run);
  json.key("seed"); json.unsigned_integer(run.seed);
  json.key("cross_init_from_run"); json.integer(run.cross_from);
  json.key("accuracy"); json.begin_object();
  for (int c = 0; c < conditions; ++c) {
    key(c);
    json.number(run.accuracy[c]);
  }
  json.end_object();
  json.key("correct"); json.begin_object();
  for (int c = 0; c < conditions; ++c) {
    key(c);
    json.integer(run.correct[c]);
  }
  json.end_object();
  json.key("weights_hash"); json.string(hex64(run.weights_hash).c_str());
  json.key("teacher_loss"); numbers(json, run.teacher_loss);
  json.key("student_loss"); json.begin_object();
  for (int s = 0; s < students; ++s) {
    key(kFirstStudent + s); numbers(json, run.student_loss[s]);
  }
  json.end_object();
  json.key("alignment"); json.begin_object();
  for (int s = 0; s < students; ++s) {
    key(kFirstStudent + s); numbers(json, run.alignment[s]);
  }
  json.end_object();
  if (config.points_per_epoch > 0) {
    json.key("trajectory"); json.begin_object();
    for (int s = 0; s < students; ++s) {
      key(kFirstStudent + s);
      json.begin_object();
      json.key("accuracy"); numbers(json, run.trajectory_accuracy[s]);
      json.key("alignment"); numbers(json, run.trajectory_alignment[s]);
      json.end_object();
    }
    json.end_object();
  }
  bool gradients = false;
  for (int s = 0; s < students; ++s) gradients = gradients || !run.gradient[s].empty();
  if (gradients) {
    json.key("gradient_alignment"); json.begin_object();
    for (int s = 0; s < students; ++s) {
      if (run.gradient[s].empty()) continue;
      key(kFirstStudent + s);
      gradient_epochs(json, run.gradient[s],
                      config.students[static_cast<std::size_t>(s)].kind ==
                          StudentKind::projected);
    }
    json.end_object();
  }
  if (has_student(config, StudentKind::matched)) {
    json.key("matching"); json.begin_object();
    json.key("loss_by_epoch"); numbers(json, run.match_loss);
    json.key("distance_before"); json.number(run.match_distance[0]);
    json.key("distance_after"); json.number(run.match_distance[1]);
    json.end_object();
  }
  json.key("flops"); json.integer(static_cast<long long>(run.flops));
  json.key("seconds"); json.begin_object();
  json.key("reference"); json.number(run.seconds.reference);
  json.key("teacher"); json.number(run.seconds.teacher);
  json.key("targets"); json.number(run.seconds.targets);
  for (int s = 0; s < students; ++s) {
    key(kFirstStudent + s); json.number(run.seconds.students[s]);
  }
  json.key("total"); json.number(run.seconds.total);
  json.end_object();
  json.key("speed"); json.begin_object();
  json.key("gflops"); json.number(run.speed.gflops);
  json.key("fraction_of_peak"); json.number(run.speed.fraction_of_peak);
  json.end_object();
  json.end_object();
}

// --points-per-epoch: the progress (in epochs) of every point, and per
// student the mean and CI over runs of its accuracy and alignment there.
void write_trajectory_summary(JsonWriter& json, const Results& results) {
  const Config& c = results.config;
  json.key("trajectory_summary"); json.begin_object();
  json.key("progress"); numbers(json, trajectory_progress(c));
  for (int s = 0; s < static_cast<int>(c.students.size()); ++s) {
    json.key(condition_info(c, kFirstStudent + s).key.c_str());
    const TrajectorySummary t = summarize_trajectory(results, s);
    json.begin_object();
    json.key("accuracy_mean"); numbers(json, t.accuracy_mean);
    json.key("accuracy_ci95"); numbers(json, t.accuracy_ci95);
    json.key("alignment_mean"); numbers(json, t.alignment_mean);
    json.end_object();
  }
  json.end_object();
}

void write_subnormal_section(JsonWriter& json, const Results& results) {
  if (!results.config.count_subnormals) return;
  json.key("subnormals"); json.begin_object();
  write_subnormals(json, "teachers", results.teacher_subnormals);
  write_subnormals(json, "students", results.student_subnormals);
  json.end_object();
}

void write_timings(JsonWriter& json, const Results& results, const RunEnvironment& environment,
                   bool run_summary) {
  json.key("timings"); json.begin_object();
  json.key("load_seconds"); json.number(results.load_seconds);
  json.key("total_seconds"); json.number(results.total_seconds);
  json.key("peak_gflops");
  if (results.peak_gflops > 0.0) {
    json.number(results.peak_gflops);
  } else {
    json.null();
  }
  if (run_summary) {
    const SpeedSummary speed = summarize_speed(results);
    json.key("mean_run_seconds");
    json.number(results.runs.empty() ? 0.0
                                     : speed.seconds / static_cast<double>(results.runs.size()));
    json.key("flops"); json.integer(static_cast<long long>(speed.flops));
    json.key("gflops"); json.number(speed.gflops);
    json.key("fraction_of_peak"); json.number(speed.fraction_of_peak);
  }
  if (environment.profile != nullptr) {
    json.key("profile");
    write_profile(json, *environment.profile);
  }
  json.end_object();
}

std::string results_json(const Results& results, const RunEnvironment& environment) {
  JsonWriter json;
  json.begin_object();
  json.key("program"); json.string("tacit-repro");
  json.key("paper"); json.string("Cloud et al., Subliminal learning, arXiv 2507.14805, "
                                 "section 6.2, Figure 10");
  write_config(json, results);
  json.key("isa"); json.string(environment.isa);
  json.key("threads"); json.integer(environment.threads);
  json.key("weights_hash"); json.string(hex64(results.weights_hash).c_str());
  write_summary(json, results);
  write_alignment_summary(json, results);
  if (results.config.points_per_epoch > 0) write_trajectory_summary(json, results);
  write_divergence(json, results);
  write_subnormal_section(json, results);
  write_timings(json, results, environment, true);
  json.key("runs"); json.begin_array();
  for (const RunResult& run : results.runs) write_run(json, results.config, run);
  json.end_array();
  json.end_object();
  return json.text();
}

}  // namespace repro
