#include "repro/csv.h"

#include <cinttypes>
#include <cstdio>

#include "common/json.h"

namespace repro {

std::string results_csv(const Results& results) {
  std::string out = "run,seed,condition,init_from_run,correct,test_images,accuracy\n";
  for (const RunResult& run : results.runs) {
    for (int c = 0; c < kConditions; ++c) {
      char line[192];
      std::snprintf(line, sizeof line, "%d,%" PRIu64 ",%s,%d,%d,%d,", run.run, run.seed,
                    condition_info(c).key, condition_cross(c) ? run.cross_from : run.run,
                    run.correct[c], results.test_images);
      out += line;
      out += tacit_tools::format_number(run.accuracy[c]);
      out += '\n';
    }
  }
  return out;
}

}  // namespace repro
