// The stdout report: configuration, the table of the six conditions beside
// the paper's values, the final alignment, and the weights hash. Nothing
// machine-dependent (no timings, ISA or thread count), so the same flags
// print the same bytes everywhere.
#pragma once

#include <string>

#include "repro/results.h"

namespace repro {

std::string results_report(const Results& results);

// One line per model whose training diverged, for stderr: "run 3, student,
// aux only, same init: epoch 2, step 17: loss 1e+15 is above ...". Empty if
// none did.
std::string divergence_report(const Results& results);

// mean(aux-only same init) - mean(aux-only cross init).
double aux_transfer(const Results& results);

}  // namespace repro
