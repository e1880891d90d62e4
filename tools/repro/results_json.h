// The results document tacit-repro writes with --json.
#pragma once

#include <string>

#include "repro/results.h"

namespace repro {

// Runtime facts that are not part of the (deterministic) results.
struct RunEnvironment {
  const char* isa = "";
  int threads = 1;
};

// The --json document: config, environment, weights_hash, summary,
// alignment_summary, runs, timings.
std::string results_json(const Results& results, const RunEnvironment& environment);

}  // namespace repro
