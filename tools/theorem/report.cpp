#include "report.h"

#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace theorem {

namespace {

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
void append(std::string* out, const char* format, ...) {
  char text[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(text, sizeof text, format, args);
  va_end(args);
  *out += text;
}

tacit::SummaryStats stats_of(const std::vector<double>& values) {
  return tacit::summarize(values.data(), static_cast<int>(values.size()));
}

const char* row_label(int student_case, int loss) {
  static const char* const kLabels[kCases][kLosses] = {{"KL, same init", "MSE, same init"},
                                                       {"KL, cross init", "MSE, cross init"}};
  return kLabels[student_case][loss];
}

// The shortest of %.15g..%.17g that reads back as the same double; null
// for NaN and infinities.
std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";
  char text[40];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  return text;
}

std::string json_array(const double* values, int count) {
  std::string out = "[";
  for (int i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    out += json_number(values[i]);
  }
  return out + "]";
}

std::string json_stats(const tacit::SummaryStats& s) {
  return "{\"mean\": " + json_number(s.mean) + ", \"min\": " + json_number(s.min) +
         ", \"max\": " + json_number(s.max) + "}";
}

void header(const Measurement& m, std::string* out) {
  const Options& o = m.options;
  const int k = static_cast<int>(m.trials.size());
  append(out, "tacit-theorem: Theorem 1 of Cloud et al. (2025), measured\n");
  append(out, "model %s, weights N(0, 1/fan_in), biases 0; %d initializations, seed "
              "%" PRIu64 "\n", m.widths.c_str(), k, m.seed);
  append(out, "teacher: dT = -grad L_T(theta0), L_T = cross-entropy of logits [0, %d) on "
              "%d MNIST training images; theta_T = theta0 + eps*dT\n", o.classes, m.batch);
  append(out, "student: dS = -grad L_S at its init, L_S = imitation of theta_T's other "
              "logits on %d uniform noise images (KL at T = 1, or squared error)\n",
         m.batch);
}

void alignment_table(const Measurement& m, std::string* out) {
  const Options& o = m.options;
  const int k = static_cast<int>(m.trials.size());
  append(out, "\nAlignment of the student's direction with the teacher's, over %d "
              "initializations.\n", k);
  append(out, "limit: the theorem's eps -> 0 value of dS.dT/eps, E[(J dT)' M (J dT)], "
              "with J dT computed forward (no backward pass);\n");
  append(out, "dev: |(dS.dT/eps)/limit - 1|, mean and largest over the initializations. "
              "Cross init: no limit (the theorem\npromises nothing). Each column is a mean "
              "over the initializations unless it says min or max.\n");
  append(out, "%-16s %-6s %10s %10s %10s %10s %8s %8s %7s %7s %7s %7s\n", "student", "eps",
         "dS.dT/eps", "min", "max", "limit", "dev", "dev max", "cos", "cos min", "cos max",
         "dS.dT>0");
  for (int c = 0; c < kCases; ++c) {
    for (int l = 0; l < kLosses; ++l) {
      for (int e = 0; e < o.epsilon_count; ++e) {
        const RowSummary r = summarize_row(m, c, l, e);
        append(out, "%-16s %-6s %10.3e %10.3e %10.3e ", e == 0 ? row_label(c, l) : "",
               format_small(o.epsilons[e]).c_str(), r.per_epsilon.mean, r.per_epsilon.min,
               r.per_epsilon.max);
        if (c == kSameInit) {
          append(out, "%10.3e %8.1e %8.1e ", r.theory.mean, r.deviation.mean,
                 r.deviation.max);
        } else {
          append(out, "%10s %8s %8s ", "-", "-", "-");
        }
        append(out, "%7.4f %7.4f %7.4f %4d/%d\n", r.cosine.mean, r.cosine.min,
               r.cosine.max, r.positive, k);
      }
    }
  }
}

void loss_table(const Measurement& m, std::string* out) {
  const Options& o = m.options;
  const int k = static_cast<int>(m.trials.size());
  append(out, "\nChange of the teacher's loss L_T after one step from the student's init "
              "along dS, as long as a teacher SGD step\nat learning rate a (a*|dT|): "
              "mean over the initializations [how many decreased]. First row: the\n"
              "teacher's own step a*dT.\n");
  append(out, "%-16s %-6s", "student", "eps");
  for (int a = 0; a < o.alpha_count; ++a) {
    append(out, "   %-19s", ("a = " + format_small(o.alphas[a])).c_str());
  }
  append(out, "\n%-16s %-6s", "teacher", "-");
  for (int a = 0; a < o.alpha_count; ++a) {
    std::vector<double> values;
    int decreased = 0;
    for (const TrialRecord& t : m.trials) {
      values.push_back(t.trial.teacher_change[a]);
      decreased += t.trial.teacher_change[a] < 0.0 ? 1 : 0;
    }
    append(out, "   %10.3e [%2d/%-2d]", stats_of(values).mean, decreased, k);
  }
  append(out, "\n");
  for (int c = 0; c < kCases; ++c) {
    for (int l = 0; l < kLosses; ++l) {
      for (int e = 0; e < o.epsilon_count; ++e) {
        const RowSummary r = summarize_row(m, c, l, e);
        append(out, "%-16s %-6s", e == 0 ? row_label(c, l) : "",
               format_small(o.epsilons[e]).c_str());
        for (int a = 0; a < o.alpha_count; ++a) {
          append(out, "   %10.3e [%2d/%-2d]", r.loss_change[a].mean, r.decreased[a], k);
        }
        append(out, "\n");
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
  append(out, "\nFloat resolution, means over the initializations. Teacher minus theta0 on "
              "the imitated logits, rms, in float\nspacings (ulps) of those logits; and "
              "|(theta_T - theta0) - eps*dT| / |eps*dT| with theta_T rounded to float:\n");
  for (int e = 0; e < o.epsilon_count; ++e) {
    append(out, "  eps %s: logit gap %9.1f ulps, theta_T rounding %.2e\n",
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
        append(out, "note: %s: the mean dev grows again, from %.1e at eps %s to %.1e at eps "
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
  const Options& o = m.options;
  std::string out = "{\n";
  append(&out, "  \"config\": {\"widths\": \"%s\", \"initializations\": %d, \"seed\": "
               "%" PRIu64 ", \"batch\": %d, \"classes\": %d,\n", m.widths.c_str(),
         static_cast<int>(m.trials.size()), m.seed, m.batch, o.classes);
  out += "    \"epsilons\": " + json_array(o.epsilons, o.epsilon_count) +
         ", \"alphas\": " + json_array(o.alphas, o.alpha_count) +
         ", \"noise\": \"uniform\", \"kl_temperature\": 1},\n";
  append(&out, "  \"environment\": {\"isa\": \"%s\", \"threads\": %d, \"seconds\": %s},\n",
         environment.isa, environment.threads, json_number(environment.seconds).c_str());

  out += "  \"summary\": [\n";
  bool first = true;
  for (int c = 0; c < kCases; ++c) {
    for (int l = 0; l < kLosses; ++l) {
      for (int e = 0; e < o.epsilon_count; ++e) {
        const RowSummary r = summarize_row(m, c, l, e);
        out += first ? "" : ",\n";
        first = false;
        append(&out, "    {\"case\": \"%s\", \"loss\": \"%s\", \"epsilon\": %s, "
                     "\"positive\": %d,\n", case_name(c), loss_name(l),
               json_number(o.epsilons[e]).c_str(), r.positive);
        out += "     \"per_epsilon\": " + json_stats(r.per_epsilon) +
               ", \"cosine\": " + json_stats(r.cosine);
        if (c == kSameInit) {
          out += ",\n     \"limit\": " + json_stats(r.theory) +
                 ", \"deviation\": " + json_stats(r.deviation);
        }
        out += ",\n     \"loss_change\": [";
        for (int a = 0; a < o.alpha_count; ++a) {
          append(&out, "%s{\"alpha\": %s, \"mean\": %s, \"decreased\": %d}",
                 a > 0 ? ", " : "", json_number(o.alphas[a]).c_str(),
                 json_number(r.loss_change[a].mean).c_str(), r.decreased[a]);
        }
        out += "]}";
      }
    }
  }
  out += "\n  ],\n  \"trials\": [\n";
  for (std::size_t i = 0; i < m.trials.size(); ++i) {
    const TrialRecord& record = m.trials[i];
    const Trial& t = record.trial;
    append(&out, "    {\"init\": %d, \"seed\": %" PRIu64 ", \"cross_from\": %d,\n",
           record.init, record.seed, record.cross_from);
    out += "     \"teacher_loss\": " + json_number(t.teacher_loss) +
           ", \"cross_teacher_loss\": " + json_number(t.cross_teacher_loss) +
           ", \"teacher_norm\": " + json_number(t.teacher_norm) + ",\n";
    out += "     \"teacher_change\": " + json_array(t.teacher_change, o.alpha_count) +
           ", \"limit\": {\"kl\": " + json_number(t.theory[kKl]) +
           ", \"mse\": " + json_number(t.theory[kMse]) + "},\n";
    out += "     \"teacher_rounding\": " + json_array(t.teacher_rounding, o.epsilon_count) +
           ", \"logit_gap_ulps\": " + json_array(t.logit_gap_ulps, o.epsilon_count) +
           ",\n     \"cells\": [\n";
    bool first_cell = true;
    for (int c = 0; c < kCases; ++c) {
      for (int l = 0; l < kLosses; ++l) {
        for (int e = 0; e < o.epsilon_count; ++e) {
          const Cell& cell = t.cells[c][l][e];
          out += first_cell ? "" : ",\n";
          first_cell = false;
          append(&out, "       {\"case\": \"%s\", \"loss\": \"%s\", \"epsilon\": %s, ",
                 case_name(c), loss_name(l), json_number(o.epsilons[e]).c_str());
          out += "\"product\": " + json_number(cell.product) +
                 ", \"per_epsilon\": " + json_number(cell.per_epsilon) +
                 ", \"cosine\": " + json_number(cell.cosine) +
                 ", \"student_norm\": " + json_number(cell.student_norm) +
                 ", \"imitation_loss\": " + json_number(cell.imitation_loss) +
                 ", \"layer_products\": " +
                 json_array(cell.layer_products, m.layers) +
                 ", \"loss_change\": " + json_array(cell.loss_change, o.alpha_count) + "}";
        }
      }
    }
    out += i + 1 < m.trials.size() ? "]},\n" : "]}\n";
  }
  out += "  ]\n}\n";
  return out;
}

}  // namespace theorem
