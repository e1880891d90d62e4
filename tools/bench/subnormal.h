// tacit-bench --subnormals: how many subnormal floats a training run of the
// paper's MLP produces, and what subnormal operands cost each ISA. The
// determinism contract keeps IEEE subnormals (no flush to zero), so both
// numbers decide whether a remedy is worth having.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "bench/suite.h"
#include "common/json.h"
#include "common/subnormal_tally.h"

namespace tacit_bench {

// One operation with a given share of subnormal operands, against the same
// operation with none.
struct SubnormalCost {
  std::string isa;
  std::string op;  // "forward 256->256 batch 64" or "adam 270093 params"
  double share = 0;  // of the operand's entries that are subnormal
  Summary seconds;
  double slowdown = 0;  // median over the median with share 0
};

// Subnormal values found in what a training step stores, summed over steps.
struct SubnormalCount {
  int batch = 0;
  tacit_tools::SubnormalTally tally;
  float first_loss = 0, last_loss = 0;
};

struct SubnormalReport {
  std::vector<SubnormalCost> costs;
  SubnormalCount count;
};

bool run_subnormals(const Options& options, SubnormalReport* report);
void print_subnormals(std::FILE* out, const SubnormalReport& report);
// The "subnormals" object's members, for bench_json.
void write_subnormals_json(tacit_tools::JsonWriter& json, const SubnormalReport& report);

}  // namespace tacit_bench
