// What tacit-repro measures: the six conditions, one record per run, and
// the summary over runs. The writers (report, JSON, CSV, SVG) read these.
#pragma once

#include <cstdint>
#include <vector>

#include "common/divergence.h"
#include "common/subnormal_tally.h"
#include "repro/config.h"
#include "subliminal/experiment.h"

namespace repro {

// In the order the table, the files and the weights hash list them.
enum Condition : int {
  kReference = 0,  // the run's initialization, untrained
  kTeacher,        // trained on the digits
  kAuxSame,        // student: aux logits only, the teacher's own init
  kAllSame,        // student: all logits, the teacher's own init
  kAuxCross,       // student: aux logits only, another run's init
  kAllCross,       // student: all logits, another run's init
};
constexpr int kConditions = 6;
constexpr int kStudents = 4;  // kAuxSame + s, s in [0, 4): the training order
constexpr int kFirstStudent = kAuxSame;

struct ConditionInfo {
  const char* key;    // JSON and CSV: "student_aux_same"
  const char* label;  // the table: "student, aux only, same init"
  const char* short_label[2];  // the SVG's two label lines
  double paper;       // Figure 10's mean, read off the figure
};
const ConditionInfo& condition_info(int condition);

// Whether a student condition imitates the aux logits only, and whether it
// starts from another run's initialization.
bool condition_aux_only(int condition);
bool condition_cross(int condition);

struct RunTimes {
  double reference = 0.0;  // init + evaluation
  double teacher = 0.0;    // training + evaluation
  double targets = 0.0;    // the teacher's logits on the noise set
  double students[kStudents] = {};
  double total = 0.0;
};

// The first sign that a model's training diverged (common/divergence.h).
using ModelDivergence = tacit_tools::Divergence;

struct RunResult {
  int run = 0;
  std::uint64_t seed = 0;  // experiment_run_seed(config.seed, run)
  int cross_from = 0;      // the run whose init the cross-model students start from
  int correct[kConditions] = {};
  double accuracy[kConditions] = {};  // correct / test images
  std::uint64_t weights_hash = 0;     // the run's six final models, in Condition order
  std::vector<double> teacher_loss;   // per epoch: mean of the steps' batch losses
  std::vector<double> student_loss[kStudents];
  // per epoch: cosine of (θ_S - θ_S,0) and (θ_T - θ_0), displacement_cosine
  std::vector<double> alignment[kStudents];
  ModelDivergence divergence[kConditions];
  RunTimes seconds;
};



struct Results {
  Config config;
  int train_images = 0;
  int test_images = 0;
  std::vector<RunResult> runs;
  std::uint64_t weights_hash = 0;  // every run's six models chained, run by run
  subliminal::SummaryStats summary[kConditions];
  double load_seconds = 0.0;
  double total_seconds = 0.0;
  // With config.count_subnormals: over every run's teacher steps, and over
  // every student step.
  tacit_tools::SubnormalTally teacher_subnormals;
  tacit_tools::SubnormalTally student_subnormals;
};

// Whether any model of any run diverged.
bool any_divergence(const Results& results);

// Fills results->summary from results->runs.
void summarize_results(Results* results);

}  // namespace repro
