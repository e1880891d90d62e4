#include "repro/report.h"

#include <cinttypes>
#include <cstdio>

#include "common/appendf.h"
#include "tacit/mnist.h"

namespace repro {

using tacit_tools::appendf;

namespace {

// The condition index of the first student of this kind, or -1.
int student_condition(const Config& config, StudentKind kind) {
  for (std::size_t s = 0; s < config.students.size(); ++s) {
    if (config.students[s].kind == kind) return kFirstStudent + static_cast<int>(s);
  }
  return -1;
}

// The paper column: Figure 10's value, or a dash where there is none.
std::string paper_text(double paper) {
  if (paper < 0.0) return "      \u2014";  // "—": three bytes, one column
  char text[16];
  std::snprintf(text, sizeof text, "%7.3f", paper);
  return text;
}

}  // namespace

bool has_aux_transfer(const Results& results) {
  return student_condition(results.config, StudentKind::aux_same) >= 0 &&
         student_condition(results.config, StudentKind::aux_cross) >= 0;
}

double aux_transfer(const Results& results) {
  const Config& c = results.config;
  return results.summary[student_condition(c, StudentKind::aux_same)].mean -
         results.summary[student_condition(c, StudentKind::aux_cross)].mean;
}

std::string results_report(const Results& results) {
  const Config& c = results.config;
  const int students = static_cast<int>(c.students.size());
  std::string out;
  appendf(&out, "tacit-repro: Figure 10 of Cloud et al., \"Subliminal learning\" (2025)\n");
  std::string model = widths_text(c);
  if (c.activation != tacit::Activation::relu) {
    model += std::string(", ") + tacit::activation_name(c.activation);
  }
  appendf(&out, "%d runs, seed %" PRIu64 "; MLP %s; Adam lr %g, batch %d\n", c.runs,
          c.seed, model.c_str(), c.lr, c.batch);
  appendf(&out, "teacher: %d epochs of cross-entropy on %d training images\n",
          c.teacher_epochs, results.train_images);
  appendf(&out, "students: %d epochs of %s on %d %s noise images\n", c.student_epochs,
          distill_loss_text(c).c_str(), c.noise_images, subliminal::noise_name(c.noise));
  if (has_student(c, StudentKind::matched)) {
    appendf(&out, "matched: %d epochs of matching the reference (all logits) first\n",
            c.match_epochs);
  }
  if (has_student(c, StudentKind::liminal)) {
    appendf(&out, "liminal: + %g x KL(reference || student), all logits, in epoch 1\n",
            c.liminal_weight);
  }
  if (needs_trait_gradient(c)) {
    appendf(&out, "trait gradient: cross-entropy on the digits of %d training images a step\n",
            c.trait_batch);
  }
  appendf(&out, "accuracy: argmax of the %d digit logits on %d test images\n\n",
          tacit::kMnistClasses, results.test_images);
  appendf(&out, "%-32s %7s  %-17s %7s %7s %7s\n", "condition", "mean", "95% CI", "min", "max",
          "paper");
  for (int k = 0; k < condition_count(c); ++k) {
    const subliminal::SummaryStats& s = results.summary[k];
    const ConditionInfo info = condition_info(c, k);
    appendf(&out, "%-32s %7.4f  %.4f .. %.4f  %7.4f %7.4f %s\n", info.label.c_str(), s.mean,
            s.mean - s.ci95, s.mean + s.ci95, s.min, s.max, paper_text(info.paper).c_str());
  }
  if (has_aux_transfer(results)) {
    appendf(&out, "\naux-only transfer (same init - cross init): %.4f\n",
            aux_transfer(results));
  } else {
    appendf(&out, "\n");
  }
  if (c.student_epochs > 0 && students > 0) {
    appendf(&out, "alignment after epoch %d, mean cos(theta_S - theta_S0, theta_T - theta_0):\n",
            c.student_epochs);
    const auto last = static_cast<std::size_t>(c.student_epochs - 1);
    for (int s = 0; s < students; ++s) {
      double sum = 0.0;
      for (const RunResult& run : results.runs) sum += run.alignment[s][last];
      appendf(&out, "  %-32s %8.5f\n", condition_info(c, kFirstStudent + s).label.c_str(),
              sum / static_cast<double>(results.runs.size()));
    }
  }
  const int matched = student_condition(c, StudentKind::matched);
  if (matched >= 0) {
    double before = 0.0, after = 0.0;
    for (const RunResult& run : results.runs) {
      before += run.match_distance[0];
      after += run.match_distance[1];
    }
    const auto n = static_cast<double>(results.runs.size());
    appendf(&out, "\nmatched: mean %s of the student to the reference on the noise, "
            "before %.5f, after matching %.5f\n",
            c.student_loss == tacit::DistillLoss::kl ? "KL" : "MSE", before / n, after / n);
  }
  bool gradients = false;
  for (int s = 0; s < students; ++s) gradients = gradients || !results.runs[0].gradient[s].empty();
  if (gradients) {
    appendf(&out, "\ninner product of the distillation and trait gradients, per epoch over "
            "steps and runs:\nmean (fraction positive)\n");
    for (int s = 0; s < students; ++s) {
      if (results.runs[0].gradient[s].empty()) continue;
      appendf(&out, "  %-33s", condition_info(c, kFirstStudent + s).label.c_str());
      for (std::size_t e = 0; e < results.runs[0].gradient[s].size(); ++e) {
        double mean = 0.0, positive = 0.0;
        for (const RunResult& run : results.runs) {
          mean += run.gradient[s][e].mean;
          positive += run.gradient[s][e].positive;
        }
        const auto n = static_cast<double>(results.runs.size());
        appendf(&out, " %.3g (%.2f)", mean / n, positive / n);
      }
      appendf(&out, "\n");
    }
  }
  if (c.count_subnormals) {
    appendf(&out, "\nsubnormal floats left by each training step (activations, logit "
            "gradients,\nhidden deltas, gradients, Adam moments, parameters), summed over steps:\n");
    const tacit_tools::SubnormalTally* tallies[] = {&results.teacher_subnormals,
                                                    &results.student_subnormals};
    const char* names[] = {"teachers", "students"};
    for (int i = 0; i < 2; ++i) {
      const tacit_tools::SubnormalTally& t = *tallies[i];
      appendf(&out, "  %-8s %lld of %lld values in %lld steps: %lld, %lld, %lld, %lld, %lld, %lld\n",
              names[i], t.found(), t.checked, t.steps, t.activations, t.logit_grads, t.deltas,
              t.grads, t.moments, t.params);
    }
  }
  appendf(&out, "\nweights-hash %016" PRIx64 "\n", results.weights_hash);
  return out;
}

std::string divergence_report(const Results& results) {
  std::string out;
  for (const RunResult& run : results.runs) {
    for (int c = 0; c < condition_count(results.config); ++c) {
      const ModelDivergence& d = run.divergence[c];
      if (!d.found) continue;
      tacit_tools::appendf(&out, "run %d, %s: %s\n", run.run,
                           condition_info(results.config, c).label.c_str(),
                           tacit_tools::divergence_text(d).c_str());
    }
  }
  return out;
}

}  // namespace repro
