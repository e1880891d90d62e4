// What tacit-repro makes of an experiment's results, whether one process
// computed every run or `tacit-repro merge` put shards together: the report
// on stdout, --json, --csv, --svg and --trajectory-svg, then the exit
// status (a diverged training, --expect-transfer).
#pragma once

#include "common/output_file.h"
#include "repro/config.h"
#include "repro/results.h"
#include "repro/results_json.h"

namespace repro {

struct OutputFiles {
  tacit_tools::OutputFile json{"tacit-repro"}, csv{"tacit-repro"}, svg{"tacit-repro"},
      trajectory_svg{"tacit-repro"};

  // Opens the outputs config names (before any work: a bad path fails now).
  bool open(const Config& config) {
    return json.open(config.json) && csv.open(config.csv) && svg.open(config.svg) &&
           trajectory_svg.open(config.trajectory_svg);
  }
};

// Prints the report, writes the files (--trajectory-svg only with
// --points-per-epoch: parse_args and the merge refuse it otherwise), reports divergence on stderr; the
// exit status (kExitOk, kExitData, kExitDiverged, kExitExpectation) by
// config's allow_divergence and expect_transfer.
int deliver_results(const Config& config, const Results& results,
                    const RunEnvironment& environment, OutputFiles& files);

}  // namespace repro
