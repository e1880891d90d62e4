#include "repro/results_json.h"

#include <cinttypes>
#include <cstdio>

#include "common/json.h"
#include "tacit/mnist.h"

namespace repro {

using tacit_tools::JsonWriter;

namespace {

void numbers(JsonWriter& json, const std::vector<double>& values) {
  json.numbers(values.data(), values.size());
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
  json.key("data"); json.string(c.data.c_str());
  json.key("train_images"); json.integer(results.train_images);
  json.key("test_images"); json.integer(results.test_images);
  json.end_object();
}

void write_summary(JsonWriter& json, const Results& results) {
  json.key("summary");
  json.begin_object();
  for (int c = 0; c < kConditions; ++c) {
    const subliminal::SummaryStats& s = results.summary[c];
    json.key(condition_info(c).key);
    json.begin_object();
    json.key("mean"); json.number(s.mean);
    json.key("ci95"); json.number(s.ci95);
    json.key("std"); json.number(s.std);
    json.key("min"); json.number(s.min);
    json.key("max"); json.number(s.max);
    json.key("n"); json.integer(s.n);
    json.key("paper"); json.number(condition_info(c).paper);
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
  for (int s = 0; s < kStudents; ++s) {
    json.key(condition_info(kFirstStudent + s).key);
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
    for (int c = 0; c < kConditions; ++c) {
      const ModelDivergence& d = run.divergence[c];
      if (!d.found) continue;
      json.begin_object();
      json.key("run"); json.integer(run.run);
      json.key("condition"); json.string(condition_info(c).key);
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

void write_run(JsonWriter& json, const RunResult& run) {
  json.begin_object();
  json.key("run"); json.integer(run.run);
  json.key("seed"); json.unsigned_integer(run.seed);
  json.key("cross_init_from_run"); json.integer(run.cross_from);
  json.key("accuracy"); json.begin_object();
  for (int c = 0; c < kConditions; ++c) {
    json.key(condition_info(c).key);
    json.number(run.accuracy[c]);
  }
  json.end_object();
  json.key("correct"); json.begin_object();
  for (int c = 0; c < kConditions; ++c) {
    json.key(condition_info(c).key);
    json.integer(run.correct[c]);
  }
  json.end_object();
  json.key("weights_hash"); json.string(hex64(run.weights_hash).c_str());
  json.key("teacher_loss"); numbers(json, run.teacher_loss);
  json.key("student_loss"); json.begin_object();
  for (int s = 0; s < kStudents; ++s) {
    json.key(condition_info(kFirstStudent + s).key); numbers(json, run.student_loss[s]);
  }
  json.end_object();
  json.key("alignment"); json.begin_object();
  for (int s = 0; s < kStudents; ++s) {
    json.key(condition_info(kFirstStudent + s).key); numbers(json, run.alignment[s]);
  }
  json.end_object();
  json.key("seconds"); json.begin_object();
  json.key("reference"); json.number(run.seconds.reference);
  json.key("teacher"); json.number(run.seconds.teacher);
  json.key("targets"); json.number(run.seconds.targets);
  for (int s = 0; s < kStudents; ++s) {
    json.key(condition_info(kFirstStudent + s).key); json.number(run.seconds.students[s]);
  }
  json.key("total"); json.number(run.seconds.total);
  json.end_object();
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
  write_divergence(json, results);
  if (results.config.count_subnormals) {
    json.key("subnormals"); json.begin_object();
    write_subnormals(json, "teachers", results.teacher_subnormals);
    write_subnormals(json, "students", results.student_subnormals);
    json.end_object();
  }
  json.key("timings"); json.begin_object();
  json.key("load_seconds"); json.number(results.load_seconds);
  json.key("total_seconds"); json.number(results.total_seconds);
  double sum = 0.0;
  for (const RunResult& run : results.runs) sum += run.seconds.total;
  json.key("mean_run_seconds");
  json.number(results.runs.empty() ? 0.0 : sum / static_cast<double>(results.runs.size()));
  json.end_object();
  json.key("runs"); json.begin_array();
  for (const RunResult& run : results.runs) write_run(json, run);
  json.end_array();
  json.end_object();
  return json.text();
}

}  // namespace repro
