#include "theorem/report.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "common/appendf.h"
#include "common/json.h"

namespace theorem {

namespace {

using tacit_tools::appendf;
using tacit_tools::JsonWriter;

subliminal::SummaryStats stats_of(const std::vector<double>& values) {
  return subliminal::summarize(values.data(), static_cast<int>(values.size()));
}

const char* row_label(int student_case, int loss) {
  static const char* const kLabels[kCases][kLosses] = {{"KL, same init", "MSE, same init"},
                                                       {"KL, cross init", "MSE, cross init"}};
  return kLabels[student_case][loss];
}

void numbers(JsonWriter& json, const double* values, int count) {
  json.numbers(values, static_cast<std::size_t>(count));
}

void stats(JsonWriter& json, const char* key, const subliminal::SummaryStats& s) {
  json.key(key);
  json.begin_object();
  json.key("mean"); json.number(s.mean);
  json.key("min"); json.number(s.min);
  json.key("max"); json.number(s.max);
  json.end_object();
}

void write_config(JsonWriter& json, const Measurement& m) {
  const Options& o = m.options;
  json.key("config");
  json.begin_object();
  json.key("widths"); json.string(m.widths.c_str());
  json.key("initializations"); json.integer(static_cast<long long>(m.trials.size()));
  json.key("seed"); json.unsigned_integer(m.seed);
  json.key("batch"); json.integer(m.batch);
  json.key("classes"); json.integer(o.classes);
  json.key("epsilons"); numbers(json, o.epsilons, o.epsilon_count);
  json.key("alphas"); numbers(json, o.alphas, o.alpha_count);
  json.key("noise"); json.string("uniform");
  json.key("kl_temperature"); json.integer(1);
  json.end_object();
}

void write_summary(JsonWriter& json, const Measurement& m) {
  const Options& o = m.options;
  json.key("summary");
  json.begin_array();
  for (int c = 0; c < kCases; ++c) {
    for (int l = 0; l < kLosses; ++l) {
      for (int e = 0; e < o.epsilon_count; ++e) {
        const RowSummary r = summarize_row(m, c, l, e);
        json.begin_object();
        json.key("case"); json.string(case_name(c));
        json.key("loss"); json.string(loss_name(l));
        json.key("epsilon"); json.number(o.epsilons[e]);
        json.key("positive"); json.integer(r.positive);
        stats(json, "per_epsilon", r.per_epsilon);
        stats(json, "cosine", r.cosine);
        if (c == kSameInit) {
          stats(json, "limit", r.theory);
          stats(json, "deviation", r.deviation);
        }
        json.key("loss_change");
        json.begin_array();
        for (int a = 0; a < o.alpha_count; ++a) {
          json.begin_object();
          json.key("alpha"); json.number(o.alphas[a]);
          json.key("mean"); json.number(r.loss_change[a].mean);
          json.key("decreased"); json.integer(r.decreased[a]);
          json.end_object();
        }
        json.end_array();
        json.end_object();
      }
    }
  }
  json.end_array();
}

void write_cell(JsonWriter& json, const Measurement& m, int c, int l, int e,
                const Cell& cell) {
  const Options& o = m.options;
  json.begin_object();
  json.key("case"); json.string(case_name(c));
  json.key("loss"); json.string(loss_name(l));
  json.key("epsilon"); json.number(o.epsilons[e]);
  json.key("product"); json.number(cell.product);
  json.key("per_epsilon"); json.number(cell.per_epsilon);
  json.key("cosine"); json.number(cell.cosine);
  json.key("student_norm"); json.number(cell.student_norm);
  json.key("imitation_loss"); json.number(cell.imitation_loss);
  json.key("layer_products"); numbers(json, cell.layer_products, m.layers);
  json.key("loss_change"); numbers(json, cell.loss_change, o.alpha_count);
  json.end_object();
}

void write_trial(JsonWriter& json, const Measurement& m, const TrialRecord& record) {
  const Options& o = m.options;
  const Trial& t = record.trial;
  json.begin_object();
  json.key("init"); json.integer(record.init);
  json.key("seed"); json.unsigned_integer(record.seed);
  json.key("cross_from"); json.integer(record.cross_from);
  json.key("teacher_loss"); json.number(t.teacher_loss);
  json.key("cross_teacher_loss"); json.number(t.cross_teacher_loss);
  json.key("teacher_norm"); json.number(t.teacher_norm);
  json.key("teacher_change"); numbers(json, t.teacher_change, o.alpha_count);
  json.key("limit");
  json.begin_object();
  json.key("kl"); json.number(t.theory[kKl]);
  json.key("mse"); json.number(t.theory[kMse]);
  json.end_object();
  json.key("teacher_rounding"); numbers(json, t.teacher_rounding, o.epsilon_count);
  json.key("logit_gap_ulps"); numbers(json, t.logit_gap_ulps, o.epsilon_count);
  json.key("cells");
  json.begin_array();
  for (int c = 0; c < kCases; ++c) {
    for (int l = 0; l < kLosses; ++l) {
      for (int e = 0; e < o.epsilon_count; ++e) write_cell(json, m, c, l, e, t.cells[c][l][e]);
    }
  }
  json.end_array();
  json.end_object();
}

void header(const Measurement& m, std::string* out) {
  const Options& o = m.options;
  const int k = static_cast<int>(m.trials.size());
  appendf(out, "tacit-theorem: Theorem 1 of Cloud et al. (2025), measured\n");
  appendf(out, "model %s, weights N(0, 1/fan_in), biases 0; %d initializations, seed "
               "%" PRIu64 "\n", m.widths.c_str(), k, m.seed);
  appendf(out, "teacher: dT = -grad L_T(theta0), L_T = cross-entropy of logits [0, %d) on "
               "%d MNIST training images; theta_T = theta0 + eps*dT\n", o.classes, m.batch);
  appendf(out, "student: dS = -grad L_S at its init, L_S = imitation of theta_T's other "
               "logits on %d uniform noise images (KL at T = 1, or squared error)\n",
          m.batch);
}

void alignment_table(const Measurement& m, std::string* out) {
  const Options& o = m.options;
  const int k = static_cast<int>(m.trials.size());
  appendf(out, "\nAlignment of the student's direction with the teacher's, over %d "
               "initializations.\n", k);
  appendf(out, "limit: the theorem's eps -> 0 value of dS.dT/eps, E[(J dT)' M (J dT)], "
               "with J dT computed forward (no backward pass);\n");
  appendf(out, "dev: |(dS.dT/eps)/limit - 1|, mean and largest over the initializations. "
               "Cross init: no limit (the theorem\npromises nothing). Each column is a mean "
               "over the initializations unless it says min or max.\n");
  appendf(out, "%-16s %-6s %10s %10s %10s %10s %8s %8s %7s %7s %7s %7s\n", "student", "eps",
          "dS.dT/eps", "min", "max", "limit", "dev", "dev max", "cos", "cos min", "cos max",
          "dS.dT>0");
  for (int c = 0; c < kCases; ++c) {
    for (int l = 0; l < kLosses; ++l) {
      for (int e = 0; e < o.epsilon_count; ++e) {
        const RowSummary r = summarize_row(m, c, l, e);
        appendf(out, "%-16s %-6s %10.3e %10.3e %10.3e ", e == 0 ? row_label(c, l) : "",
                format_small(o.epsilons[e]).c_str(), r.per_epsilon.mean, r.per_epsilon.min,
                r.per_epsilon.max);
        if (c == kSameInit) {
          appendf(out, "%10.3e %8.1e %8.1e ", r.theory.mean, r.deviation.mean,
                  r.deviation.max);
        } else {
          appendf(out, "%10s %8s %8s ", "-", "-", "-");
        }
        appendf(out, "%7.4f %7.4f %7.4f %4d/%d\n", r.cosine.mean, r.cosine.min,
                r.cosine.max, r.positive, k);
      }
    }
  }
}

void loss_table(const Measurement& m, std::string* out) {
  const Options& o = m.options;
  const int k = static_cast<int>(m.trials.size());
  appendf(out, "\nChange of the teacher's loss L_T after one step from the student's init "
               "along dS, as long as a teacher SGD step\nat learning rate a (a*|dT|): "
               "mean over the initializations [how many decreased]. First row: the\n"
               "teacher's own step a*dT.\n");
  appendf(out, "%-16s %-6s", "student", "eps");
  for (int a = 0; a < o.alpha_count; ++a) {
    appendf(out, "   %-19s", ("a = " + format_small(o.alphas[a])).c_str());
  }
  appendf(out, "\n%-16s %-6s", "teacher", "-");
  for (int a = 0; a < o.alpha_count; ++a) {
    std::vector<double> values;
    int decreased = 0;
    for (const TrialRecord& t : m.trials) {
      values.push_back(t.trial.teacher_change[a]);
      decreased += t.trial.teacher_change[a] < 0.0 ? 1 : 0;
    }
    appendf(out, "   %10.3e [%2d/%-2d]", stats_of(values).mean, decreased, k);
  }
  appendf(out, "\n");
  for (int c = 0; c < kCases; ++c) {
    for (int l = 0; l < kLosses; ++l) {
      for (int e = 0; e < o.epsilon_count; ++e) {
        const RowSummary r = summarize_row(m, c, l, e);
        appendf(out, "%-16s %-6s", e == 0 ? row_label(c, l) : "",
                format_small(o.epsilons[e]).c_str());
        for (int a = 0; a < o.alpha_count; ++a) {
          appendf(out, "   %10.3e [%2d/%-2d]", r.loss_change[a].mean, r.decreased[a], k);
        }
        appendf(out, "\n");
      }
    }
  }
}

// How small the teacher's displacement is against float resolution, and
// where the same-init deviation from the limit stops shrinking: the
// numbers say it, not prose.
void precision_notes(const Measurement& m, std::string* out) {
  const Options& o = m.options;
  std::vector<double> gaps[kMaxEpsilons];
  std::vector<double> rounding[kMaxEpsilons];
  for (const TrialRecord& t : m.trials) {
    for (int e = 0; e < o.epsilon_count; ++e) {
      gaps[e].push_back(t.trial.logit_gap_ulps[e]);
      rounding[e].push_back(t.trial.teacher_rounding[e]);
    }
  }
  appendf(out, "\nFloat resolution, means over the initializations. Teacher minus theta0 on "
               "the imitated logits, rms, in float\nspacings (ulps) of those logits; and "
               "|(theta_T - theta0) - eps*dT| / |eps*dT| with theta_T rounded to float:\n");
  for (int e = 0; e < o.epsilon_count; ++e) {
    appendf(out, "  eps %s: logit gap %9.1f ulps, theta_T rounding %.2e\n",
            format_small(o.epsilons[e]).c_str(), stats_of(gaps[e]).mean,
            stats_of(rounding[e]).mean);
  }
  for (int l = 0; l < kLosses; ++l) {
    double previous = 0.0;
    for (int e = 0; e < o.epsilon_count; ++e) {
      const double dev = summarize_row(m, kSameInit, l, e).deviation.mean;
      if (e > 0 && o.epsilons[e] < o.epsilons[e - 1] && dev > previous) {
        // The O(eps) term, scaled down from the largest eps in proportion.
        const double trend = summarize_row(m, kSameInit, l, 0).deviation.mean *
                             o.epsilons[e] / o.epsilons[0];
        appendf(out, "note: %s: the mean dev grows again, from %.1e at eps %s to %.1e at eps "
                     "%s, where the O(eps) trend from eps\n      %s predicts %.1e and the logit "
                     "gap is only %.0f ulps: float rounding, not the theorem's O(eps) term,\n"
                     "      sets the deviation there.\n",
                row_label(kSameInit, l), previous, format_small(o.epsilons[e - 1]).c_str(),
                dev, format_small(o.epsilons[e]).c_str(), format_small(o.epsilons[0]).c_str(),
                trend, stats_of(gaps[e]).mean);
      }
      previous = dev;
    }
  }
}

// Column padding leaves spaces at line ends; drop them.
std::string trim_lines(const std::string& text) {
  std::string out;
  std::size_t pending = 0;
  for (char c : text) {
    if (c == ' ') {
      ++pending;
      continue;
    }
    if (c != '\n') out.append(pending, ' ');
    pending = 0;
    out += c;
  }
  return out;
}

}  // namespace

std::string format_small(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0e", value);
  return text;
}

RowSummary summarize_row(const Measurement& m, int student_case, int loss, int epsilon) {
  RowSummary r;
  std::vector<double> per_epsilon, cosine, theory, deviation;
  std::vector<double> change[kMaxAlphas];
  for (const TrialRecord& record : m.trials) {
    const Trial& t = record.trial;
    const Cell& cell = t.cells[student_case][loss][epsilon];
    per_epsilon.push_back(cell.per_epsilon);
    cosine.push_back(cell.cosine);
    r.positive += cell.product > 0.0 ? 1 : 0;
    if (student_case == kSameInit) {
      theory.push_back(t.theory[loss]);
      deviation.push_back(std::fabs(cell.per_epsilon / t.theory[loss] - 1.0));
    }
    for (int a = 0; a < m.options.alpha_count; ++a) {
      change[a].push_back(cell.loss_change[a]);
      r.decreased[a] += cell.loss_change[a] < 0.0 ? 1 : 0;
    }
  }
  r.per_epsilon = stats_of(per_epsilon);
  r.cosine = stats_of(cosine);
  r.theory = stats_of(theory);
  r.deviation = stats_of(deviation);
  for (int a = 0; a < m.options.alpha_count; ++a) r.loss_change[a] = stats_of(change[a]);
  return r;
}

std::string report_text(const Measurement& m) {
  std::string out;
  header(m, &out);
  alignment_table(m, &out);
  loss_table(m, &out);
  precision_notes(m, &out);
  return trim_lines(out);
}

std::string report_json(const Measurement& m, const Environment& environment) {
  JsonWriter json;
  json.begin_object();
  write_config(json, m);
  json.key("environment");
  json.begin_object();
  json.key("isa"); json.string(environment.isa);
  json.key("threads"); json.integer(environment.threads);
  json.key("seconds"); json.number(environment.seconds);
  json.end_object();
  write_summary(json, m);
  // Trials whose numbers ran away (common/divergence.h): an empty list if none.
  json.key("divergence");
  json.begin_array();
  for (const TrialRecord& record : m.trials) {
    if (record.diverged.empty()) continue;
    json.begin_object();
    json.key("init"); json.integer(record.init);
    json.key("not_finite"); json.string(record.diverged.c_str());
    json.end_object();
  }
  json.end_array();
  json.key("trials");
  json.begin_array();
  for (const TrialRecord& record : m.trials) write_trial(json, m, record);
  json.end_array();
  json.end_object();
  return json.text();
}

}  // namespace theorem
