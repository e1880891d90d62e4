// The stdout report: configuration, the table of the six conditions beside
// the paper's values, the final alignment, and the weights hash. Nothing
// machine-dependent (no timings, ISA or thread count), so the same flags
// print the same bytes everywhere.
#pragma once

#include <string>

#include "repro/results.h"

namespace repro {

std::string results_report(const Results& results);

// mean(aux-only same init) - mean(aux-only cross init).
double aux_transfer(const Results& results);

}  // namespace repro
