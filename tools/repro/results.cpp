#include "repro/results.h"

#include <cstdio>

namespace repro {

namespace {

// Paper values: read off Figure 10 of the paper (100 runs); the report's
// table quotes them next to tacit's.
struct Fixed {
  const char* key;
  const char* label;
  const char* short_label[2];
  const char* name;
  double paper;
};

constexpr Fixed kReferenceInfo = {"reference", "reference (init)", {"reference", "(init)"},
                                  "reference", 0.100};
constexpr Fixed kTeacherInfo = {"teacher", "teacher", {"teacher", ""}, "teacher", 0.944};

Fixed student_fixed(StudentKind kind) {
  switch (kind) {
    case StudentKind::aux_same:
      return {"student_aux_same", "student, aux only, same init", {"aux only", "same init"},
              "aux same", 0.528};
    case StudentKind::all_same:
      return {"student_all_same", "student, all logits, same init",
              {"all logits", "same init"}, "all same", 0.913};
    case StudentKind::aux_cross:
      return {"student_aux_cross", "student, aux only, cross init",
              {"aux only", "cross init"}, "aux cross", 0.106};
    case StudentKind::all_cross:
      return {"student_all_cross", "student, all logits, cross init",
              {"all logits", "cross init"}, "all cross", 0.742};
    case StudentKind::head_aux:
      return {"student_head_aux", "student, aux only, same head", {"aux only", "same head"},
              "head aux", -1.0};
    case StudentKind::head_all:
      return {"student_head_all", "student, all logits, same head",
              {"all logits", "same head"}, "head all", -1.0};
    case StudentKind::perturbed:
      return {"student_perturbed", "student, aux only, perturbed", {"aux only", "perturbed"},
              "perturbed", -1.0};
    case StudentKind::matched:
      return {"student_matched", "student, aux only, matched init",
              {"aux only", "matched init"}, "matched", -1.0};
    case StudentKind::projected:
      return {"student_projected", "student, aux only, projected",
              {"aux only", "projected"}, "projected", -1.0};
    case StudentKind::liminal:
      return {"student_liminal", "student, aux only, liminal", {"aux only", "liminal"},
              "liminal", -1.0};
  }
  return {"student", "student", {"student", ""}, "student", -1.0};
}

}  // namespace

int condition_count(const Config& config) {
  return kFirstStudent + static_cast<int>(config.students.size());
}

bool paper_config(const Config& c) {
  return c.aux == 3 && c.hidden_layers == 2 && c.hidden[0] == 256 && c.hidden[1] == 256 &&
         c.activation == tacit::Activation::relu &&
         c.student_loss == tacit::DistillLoss::kl && c.temperature == 1.0 &&
         c.noise == subliminal::NoiseKind::uniform &&
         c.noise_images == subliminal::kNoiseImages && c.lr == 3e-4 &&
         c.teacher_epochs == 5 && c.student_epochs == 5 && c.batch == 1024;
}

ConditionInfo condition_info(const Config& config, int condition) {
  Fixed fixed = condition == kReference ? kReferenceInfo : kTeacherInfo;
  const Student* student = nullptr;
  if (condition >= kFirstStudent) {
    student = &config.students[static_cast<std::size_t>(condition - kFirstStudent)];
    fixed = student_fixed(student->kind);
  }
  ConditionInfo info;
  info.key = fixed.key;
  info.label = fixed.label;
  info.short_label[0] = fixed.short_label[0];
  info.short_label[1] = fixed.short_label[1];
  info.name = fixed.name;
  info.paper = paper_config(config) ? fixed.paper : -1.0;
  if (student != nullptr && student->kind == StudentKind::perturbed) {
    const std::string sigma = sigma_text(student->sigma);
    info.key += std::string("_") + sigma;
    info.label += std::string(" ") + sigma;
    info.short_label[1] = std::string("sigma ") + sigma;
    info.name += std::string(" ") + sigma;
  }
  return info;
}

void summarize_results(Results* results) {
  const int n = static_cast<int>(results->runs.size());
  std::vector<double> values(static_cast<std::size_t>(n));
  for (int c = 0; c < condition_count(results->config); ++c) {
    for (int r = 0; r < n; ++r) values[r] = results->runs[r].accuracy[c];
    results->summary[c] = subliminal::summarize(values.data(), n);
  }
}

std::vector<double> trajectory_progress(const Config& config) {
  std::vector<double> progress;
  const int k = config.points_per_epoch;
  if (k < 1) return progress;
  const long long steps = (static_cast<long long>(config.noise_images) + config.batch - 1) /
                          config.batch;
  progress.push_back(0.0);
  for (int e = 0; e < config.student_epochs; ++e) {
    for (int j = 1; j <= k; ++j) {
      progress.push_back(e + static_cast<double>((j * steps) / k) / static_cast<double>(steps));
    }
  }
  return progress;
}

TrajectorySummary summarize_trajectory(const Results& results, int student) {
  TrajectorySummary t;
  const std::size_t points = trajectory_progress(results.config).size();
  const int n = static_cast<int>(results.runs.size());
  std::vector<double> accuracy(static_cast<std::size_t>(n));
  for (std::size_t p = 0; p < points; ++p) {
    double alignment = 0.0;
    for (int r = 0; r < n; ++r) {
      const RunResult& run = results.runs[static_cast<std::size_t>(r)];
      accuracy[static_cast<std::size_t>(r)] = run.trajectory_accuracy[student][p];
      alignment += run.trajectory_alignment[student][p];
    }
    const subliminal::SummaryStats stats = subliminal::summarize(accuracy.data(), n);
    t.accuracy_mean.push_back(stats.mean);
    t.accuracy_ci95.push_back(stats.ci95);
    t.alignment_mean.push_back(n > 0 ? alignment / n : 0.0);
  }
  return t;
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
