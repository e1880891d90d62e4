// What tacit-bench measures: the products of one dense layer at the MLP's
// shapes, an Adam step, a training step, one-image inference and a read of
// its weights, for each ISA and thread count asked for, each against that
// ISA's measured peak.
#pragma once

#include <string>
#include <vector>

#include "bench/measure.h"
#include "tacit/isa.h"

namespace tacit_bench {

struct Options {
  std::vector<tacit::Isa> isas;  // --isa, each with a peak loop here; empty: all of those
  std::vector<int> threads;       // empty: 1 and the hardware's count
  std::vector<int> batches{1, 64, 1024};
  int train_batch = 1024;
  SamplePlan plan;
  double peak_seconds = 0.004;  // per peak sample
  int peak_samples = 25;
  double warmup_seconds = 0.2;  // FMA work before the first measurement
  bool quiet = false;           // no progress on stderr
  bool quick = false;           // --quick: shorter side runs too
};

// One measured operation. op is forward, dx, dw, adam, train_step, infer or
// read (inference's weights read once); in/out/batch are 0 where they mean
// nothing (adam: in = parameter count).
struct Record {
  std::string isa;
  int threads = 1;
  std::string op;
  int in = 0, out = 0, batch = 0;
  double flops = 0;  // per call; 0 when not counted (adam)
  double bytes = 0;  // per call, adam and read only: what it reads and writes
  Summary seconds;
  double peak_gflops = 0;  // this ISA and thread count, this process: median
  double peak_best = 0;    // and the fastest sample
  // Filled when several processes are combined:
  int processes = 1;
  double worst_process_fraction = 0;  // lowest per-process fraction of peak
};

struct Peak {
  std::string isa;
  int threads = 1;
  Summary gflops;  // median, min and max over samples, in GFLOP/s
};

struct SuiteResult {
  std::vector<Peak> peaks;
  std::vector<Record> records;
};

// --isa's value into *isas: known ISAs with a peak loop on this machine and
// build; false, with *why, for any other.
bool parse_isa_list(const char* text, std::vector<tacit::Isa>* isas, std::string* why);

// options.isas, or every ISA with a peak loop here when it is empty.
std::vector<tacit::Isa> isas_to_measure(const Options& options);

// False (with a message on stderr) when memory could not be had or an ISA
// asked for is unknown or unavailable.
bool run_suite(const Options& options, SuiteResult* result);

double gflops_of(const Record& r);      // at the median time; 0 if not counted
double fraction_of(const Record& r);    // gflops / peak; 0 if not counted
// The fastest sample against the fastest peak sample: what the code does
// when no other process takes the core.
double best_fraction_of(const Record& r);

}  // namespace tacit_bench
