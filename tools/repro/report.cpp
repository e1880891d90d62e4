#include "repro/report.h"

#include <cinttypes>

#include "common/appendf.h"
#include "tacit/mnist.h"

namespace repro {

using tacit_tools::appendf;

double aux_transfer(const Results& results) {
  return results.summary[kAuxSame].mean - results.summary[kAuxCross].mean;
}

std::string results_report(const Results& results) {
  const Config& c = results.config;
  std::string out;
  appendf(&out, "tacit-repro: Figure 10 of Cloud et al., \"Subliminal learning\" (2025)\n");
  appendf(&out, "%d runs, seed %" PRIu64 "; MLP %s; Adam lr %g, batch %d\n", c.runs,
          c.seed, widths_text(c).c_str(), c.lr, c.batch);
  appendf(&out, "teacher: %d epochs of cross-entropy on %d training images\n",
          c.teacher_epochs, results.train_images);
  appendf(&out, "students: %d epochs of %s (T = %g) on %d %s noise images\n",
          c.student_epochs, c.student_loss == tacit::DistillLoss::kl ? "KL" : "MSE",
          c.temperature, c.noise_images, subliminal::noise_name(c.noise));
  appendf(&out, "accuracy: argmax of the %d digit logits on %d test images\n\n",
          tacit::kMnistClasses, results.test_images);
  appendf(&out, "%-32s %7s  %-17s %7s %7s %7s\n", "condition", "mean", "95% CI", "min", "max",
          "paper");
  for (int k = 0; k < kConditions; ++k) {
    const subliminal::SummaryStats& s = results.summary[k];
    appendf(&out, "%-32s %7.4f  %.4f .. %.4f  %7.4f %7.4f %7.3f\n", condition_info(k).label,
            s.mean, s.mean - s.ci95, s.mean + s.ci95, s.min, s.max, condition_info(k).paper);
  }
  appendf(&out, "\naux-only transfer (same init - cross init): %.4f\n", aux_transfer(results));
  if (c.student_epochs > 0) {
    appendf(&out, "alignment after epoch %d, mean cos(theta_S - theta_S0, theta_T - theta_0):\n",
            c.student_epochs);
    const auto last = static_cast<std::size_t>(c.student_epochs - 1);
    for (int s = 0; s < kStudents; ++s) {
      double sum = 0.0;
      for (const RunResult& run : results.runs) sum += run.alignment[s][last];
      appendf(&out, "  %-32s %8.5f\n", condition_info(kFirstStudent + s).label,
              sum / static_cast<double>(results.runs.size()));
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
    for (int c = 0; c < kConditions; ++c) {
      const ModelDivergence& d = run.divergence[c];
      if (!d.found) continue;
      tacit_tools::appendf(&out, "run %d, %s: %s\n", run.run, condition_info(c).label,
                           tacit_tools::divergence_text(d).c_str());
    }
  }
  return out;
}

}  // namespace repro
