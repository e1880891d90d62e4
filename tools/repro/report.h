// The stdout report: configuration, the table of the conditions beside
// the paper's values (where the configuration is the paper's), the final
// alignment, and the weights hash. Nothing
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

// Whether the students include aux-same and aux-cross, and then
// mean(aux-only same init) - mean(aux-only cross init).
bool has_aux_transfer(const Results& results);
double aux_transfer(const Results& results);

}  // namespace repro
