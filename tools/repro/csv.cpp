#include "repro/csv.h"

#include <cinttypes>
#include <cstdio>

#include "common/json.h"

namespace repro {

std::string results_csv(const Results& results) {
  std::string out = "run,seed,condition,init_from_run,correct,test_images,accuracy\n";
  const Config& config = results.config;
  for (const RunResult& run : results.runs) {
    for (int c = 0; c < condition_count(config); ++c) {
      const bool cross =
          c >= kFirstStudent &&
          student_uses_cross_init(config.students[static_cast<std::size_t>(c - kFirstStudent)]);
      char line[192];
      std::snprintf(line, sizeof line, "%d,%" PRIu64 ",", run.run, run.seed);
      out += line;
      out += condition_info(config, c).key;
      std::snprintf(line, sizeof line, ",%d,%d,%d,", cross ? run.cross_from : run.run,
                    run.correct[c], results.test_images);
      out += line;
      out += tacit_tools::format_number(run.accuracy[c]);
      out += '\n';
    }
  }
  return out;
}

}  // namespace repro
