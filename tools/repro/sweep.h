// --sweep NAME=V1,V2,...: the whole experiment at each value of one flag,
// every other flag as given. One table of the sweepable names (sweep.cpp's
// kParameters, a line each) maps NAME to its flag; a value is set exactly
// as that flag on the command line would set it (apply_flag), with the
// same checks, before any work.
//
// Memory: one buffer, sized for the value that needs the most
// (experiment_bytes), holds every value's models in turn; what grows with
// the values and runs is only their results.
#pragma once

#include <string>
#include <vector>

#include "repro/config.h"
#include "repro/progress.h"
#include "repro/results.h"
#include "repro/results_json.h"
#include "tacit/gemm.h"
#include "tacit/mnist.h"

namespace repro {

// "aux, hidden, lr, ...": the names --sweep takes; with a width, broken
// into lines of at most that many characters.
std::string sweep_names(std::size_t width = 0);

// --sweep's value into config->sweep_name and sweep_values; false, with
// *why, if NAME is unknown or the list has an empty or repeated value.
bool parse_sweep(const char* text, Config* config, std::string* why);

// After parsing: every value is a valid setting of its flag, and the sweep
// is not combined with what it cannot be (--run-range, --shard,
// --expect-transfer). False, with the reason on stderr.
bool check_sweep(Config* config);

// The flag a sweep sets ("--aux"; "--students" for sigma), what its value
// is called in the report and the SVG ("--aux"; "sigma of perturbed:SIGMA"),
// and base with value i set.
const char* sweep_flag(const Config& base);
const char* sweep_label(const Config& base);
Config sweep_config(const Config& base, std::size_t i);

struct SweepPoint {
  std::string value;  // as given
  Results results;
};

struct Sweep {
  Config base;
  std::vector<SweepPoint> points;  // one per value, in the given order
  double total_seconds = 0.0;
};

// Runs the experiment at each of base's sweep values over `mnist`.
tacit::Status run_sweep(const Config& base, const tacit::Mnist& mnist,
                        const tacit::Compute& compute, ProgressMode mode, Sweep* sweep);

// stdout: the configuration, then per value every condition (mean, 95% CI,
// min, max; no paper column) and the value's weights-hash.
std::string sweep_report(const Sweep& sweep);
// --json: the sweep, and per value its config, weights hash, summary,
// alignment summary, divergence and every run's accuracies.
std::string sweep_json(const Sweep& sweep, const RunEnvironment& environment);
// --csv: "parameter,value,condition,n,mean,ci95,std,min,max", a row per
// value and condition.
std::string sweep_csv(const Sweep& sweep);
// --svg: accuracy against the value (evenly spaced, in the given order),
// one line per condition with its 95% CI band; no paper values.
std::string sweep_svg(const Sweep& sweep);

// tacit-repro with --sweep: loads MNIST, runs, writes; the exit status.
int sweep_main(const Config& config);

}  // namespace repro
