// What tacit-theorem prints: the summary tables on stdout (deterministic:
// no timings, no ISA) and the --json document with every trial's numbers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "theorem/measure.h"
#include "subliminal/experiment.h"

namespace theorem {

struct TrialRecord {
  int init = 0;
  std::uint64_t seed = 0;  // experiment_run_seed(seed, init)
  int cross_from = 0;      // the trial whose θ₀ the cross-init student starts from
  Trial trial;
  std::string diverged;    // trial_divergence(trial): "" for a sound trial
};

struct Measurement {
  Options options;
  std::string widths;  // "784-256-256-10+3"
  int layers = 0;      // dense layers: the length of each cell's layer_products
  std::uint64_t seed = 0;
  int batch = 0;
  std::vector<TrialRecord> trials;
};

// One table row: a student case and loss at one ε, over the trials.
struct RowSummary {
  subliminal::SummaryStats per_epsilon;
  subliminal::SummaryStats cosine;
  subliminal::SummaryStats theory;     // same init only
  subliminal::SummaryStats deviation;  // |per_epsilon / theory − 1|, same init only
  subliminal::SummaryStats loss_change[kMaxAlphas];
  int positive = 0;                // trials with Δθ_S·Δθ_T > 0
  int decreased[kMaxAlphas] = {};  // trials whose L_T went down
};

RowSummary summarize_row(const Measurement& m, int student_case, int loss, int epsilon);

// "1e-04" for 1e-4: ε and α as the tables print them.
std::string format_small(double value);

std::string report_text(const Measurement& m);

struct Environment {
  const char* isa = "";
  int threads = 1;
  double seconds = 0.0;
};

std::string report_json(const Measurement& m, const Environment& environment);

}  // namespace theorem
