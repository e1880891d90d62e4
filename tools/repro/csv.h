// --csv: one row per run and condition, for spreadsheets and R/pandas.
#pragma once

#include <string>

#include "repro/results.h"

namespace repro {

// Header "run,seed,condition,init_from_run,correct,test_images,accuracy",
// then runs in order, conditions in Condition order. init_from_run is the
// run whose initialization the model started from (π(run) for the
// cross-model students). Fields never need quoting.
std::string results_csv(const Results& results);

}  // namespace repro
