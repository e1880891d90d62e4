// What tacit-repro measures: the conditions (reference, teacher, students), one record per run, and
// the summary over runs. The writers (report, JSON, CSV, SVG) read these.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "common/divergence.h"
#include "common/subnormal_tally.h"
#include "repro/config.h"
#include "repro/students.h"
#include "subliminal/experiment.h"

namespace repro {

// Conditions in the order the table, the files and the weights hash list
// them: the reference, the teacher, then config.students in their order.
// The named indices of the students are those of the default --students
// (Figure 10's four).
enum Condition : int {
  kReference = 0,  // the run's initialization, untrained
  kTeacher,        // trained on the digits
  kAuxSame,        // default students: aux logits only, the teacher's own init
  kAllSame,        //   all logits, the teacher's own init
  kAuxCross,       //   aux logits only, another run's init
  kAllCross,       //   all logits, another run's init
};
constexpr int kFirstStudent = kAuxSame;
constexpr int kMaxConditions = kFirstStudent + kMaxStudents;

// 2 + the number of students.
int condition_count(const Config& config);

struct ConditionInfo {
  std::string key;    // JSON and CSV: "student_aux_same", "student_perturbed_0.1"
  std::string label;  // the table: "student, aux only, same init"
  std::string short_label[2];  // the SVG's two label lines
  std::string name;   // progress lines: "aux same"; "teacher"
  double paper = -1.0;  // Figure 10's mean, read off the figure; < 0: none (see paper_config)
};
ConditionInfo condition_info(const Config& config, int condition);

// Whether config trains Figure 10's experiment: the paper's aux, hidden
// widths, activation, student loss, temperature, noise (kind and count), lr,
// epochs and batch. Only then does a Figure-10 condition show the paper's value.
bool paper_config(const Config& config);

struct RunTimes {
  double reference = 0.0;  // init + evaluation
  double teacher = 0.0;    // training + evaluation
  double targets = 0.0;    // the teacher's logits on the noise set
  double students[kMaxStudents] = {};  // matching included
  double total = 0.0;
};

// How fast a run went: a timing, like its seconds.
struct RunSpeed {
  double gflops = 0.0;  // the run's flops / seconds.total / 1e9
  // gflops over the FMA peak of the process that made the run (speed.h);
  // NaN (null in the JSON) where that process measured none
  double fraction_of_peak = std::numeric_limits<double>::quiet_NaN();
};

// The first sign that a model's training diverged (common/divergence.h).
using ModelDivergence = tacit_tools::Divergence;

// --gradient-alignment: over one epoch's steps, the inner product of the
// distillation gradient and the trait gradient (before any projection).
struct GradientEpoch {
  long steps = 0;
  double mean = 0.0;  // of the inner products, summed in step order
  double min = 0.0;
  double max = 0.0;
  double positive = 0.0;  // fraction of steps with a positive inner product
  double mean_cosine = 0.0;
  // projected: the largest cosine of the projected gradient with the trait
  // gradient (0 up to rounding: the projection leaves no positive part)
  double max_cosine_after = 0.0;
};

struct RunResult {
  int run = 0;
  std::uint64_t seed = 0;  // experiment_run_seed(config.seed, run)
  int cross_from = 0;      // the run whose init the cross-model students start from
  int correct[kMaxConditions] = {};
  double accuracy[kMaxConditions] = {};  // correct / test images
  std::uint64_t weights_hash = 0;     // the run's final models, in condition order
  std::vector<double> teacher_loss;   // per epoch: mean of the steps' batch losses
  std::vector<double> student_loss[kMaxStudents];
  // per epoch: cosine of (θ_S - θ_S,0) and (θ_T - θ_0), displacement_cosine
  std::vector<double> alignment[kMaxStudents];
  // --points-per-epoch K: test accuracy and alignment at the start and after
  // K evenly spaced steps of every epoch (1 + K·epochs points).
  std::vector<double> trajectory_accuracy[kMaxStudents];
  std::vector<double> trajectory_alignment[kMaxStudents];
  // Per epoch, when trait gradients were computed (--gradient-alignment, and
  // always for the projected student).
  std::vector<GradientEpoch> gradient[kMaxStudents];
  // matched: the mean distillation loss (all logits) of the student against
  // the reference on the noise images, before and after matching.
  double match_distance[2] = {0.0, 0.0};
  std::vector<double> match_loss;     // matched: per matching epoch
  ModelDivergence divergence[kMaxConditions];
  // Every product the run made through its Compute, 2·m·n·k each
  // (tacit/profile.h): a whole number, the same for every run of one
  // configuration on every ISA and thread count.
  double flops = 0.0;
  RunTimes seconds;
  RunSpeed speed;
};

struct Results {
  Config config;
  int train_images = 0;
  int test_images = 0;
  std::vector<RunResult> runs;
  std::uint64_t weights_hash = 0;  // every run's models chained, run by run
  subliminal::SummaryStats summary[kMaxConditions];
  double load_seconds = 0.0;
  double total_seconds = 0.0;
  double peak_gflops = 0.0;  // what the runs' speed is rated against (speed.h); 0: none
  // With config.count_subnormals: over every run's teacher steps, and over
  // every student step.
  tacit_tools::SubnormalTally teacher_subnormals;
  tacit_tools::SubnormalTally student_subnormals;
};

// --points-per-epoch K: where each trajectory point lies, in epochs: 0, then
// for each epoch e and j = 1..K, e + floor(j·S/K)/S, S the steps of an epoch
// (the point is taken after step floor(j·S/K) of the epoch).
std::vector<double> trajectory_progress(const Config& config);

// One student's trajectory over runs: at each point, the mean and 95% CI
// half-width of the accuracy, and the mean alignment.
struct TrajectorySummary {
  std::vector<double> accuracy_mean;
  std::vector<double> accuracy_ci95;
  std::vector<double> alignment_mean;
};
TrajectorySummary summarize_trajectory(const Results& results, int student);

// Whether any model of any run diverged.
bool any_divergence(const Results& results);

// Fills results->summary from results->runs.
void summarize_results(Results* results);

}  // namespace repro
