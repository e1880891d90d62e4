#include "repro/outputs.h"

#include <cstdio>
#include <string>

#include "repro/csv.h"
#include "repro/report.h"
#include "repro/svg.h"

namespace repro {

int deliver_results(const Config& config, const Results& results,
                    const RunEnvironment& environment, OutputFiles& files) {
  const std::string report = results_report(results);
  std::fwrite(report.data(), 1, report.size(), stdout);
  std::fflush(stdout);
  bool written = files.json.write(results_json(results, environment));
  written = files.csv.write(results_csv(results)) && written;
  written = files.svg.write(bar_chart_svg(results_chart(results))) && written;
  if (config.points_per_epoch > 0) {
    written = files.trajectory_svg.write(trajectory_svg(results)) && written;
  }
  if (!written) return kExitData;

  const std::string diverged = divergence_report(results);
  if (!diverged.empty()) {
    std::fprintf(stderr, "tacit-repro: training diverged (the table's figures for these "
                 "models mean little):\n%s", diverged.c_str());
    if (!config.allow_divergence) {
      std::fprintf(stderr, "tacit-repro: exit %d (--allow-divergence to exit 0)\n",
                   kExitDiverged);
      return kExitDiverged;
    }
  }

  if (config.expect_transfer && !(aux_transfer(results) >= config.transfer_margin)) {
    std::fprintf(stderr, "tacit-repro: expected the aux-only same-init student to beat the "
                 "cross-init one by at least %g; the difference of means is %.4f\n",
                 config.transfer_margin, aux_transfer(results));
    return kExitExpectation;
  }
  return kExitOk;
}

}  // namespace repro
