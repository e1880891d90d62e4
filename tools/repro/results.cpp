#include "repro/results.h"

namespace repro {

namespace {

// Paper values: read off Figure 10 of the paper (100 runs); the report's
// table quotes them next to tacit's.
constexpr ConditionInfo kInfo[kConditions] = {
    {"reference", "reference (init)", {"reference", "(init)"}, 0.100},
    {"teacher", "teacher", {"teacher", ""}, 0.944},
    {"student_aux_same", "student, aux only, same init", {"aux only", "same init"}, 0.528},
    {"student_all_same", "student, all logits, same init", {"all logits", "same init"},
     0.913},
    {"student_aux_cross", "student, aux only, cross init", {"aux only", "cross init"},
     0.106},
    {"student_all_cross", "student, all logits, cross init", {"all logits", "cross init"},
     0.742},
};

}  // namespace

const ConditionInfo& condition_info(int condition) { return kInfo[condition]; }

bool condition_aux_only(int condition) {
  return condition == kAuxSame || condition == kAuxCross;
}

bool condition_cross(int condition) {
  return condition == kAuxCross || condition == kAllCross;
}

void summarize_results(Results* results) {
  const int n = static_cast<int>(results->runs.size());
  std::vector<double> values(static_cast<std::size_t>(n));
  for (int c = 0; c < kConditions; ++c) {
    for (int r = 0; r < n; ++r) values[r] = results->runs[r].accuracy[c];
    results->summary[c] = subliminal::summarize(values.data(), n);
  }
}

bool any_divergence(const Results& results) {
  for (const RunResult& run : results.runs) {
    for (const ModelDivergence& d : run.divergence) {
      if (d.found) return true;
    }
  }
  return false;
}

}  // namespace repro
