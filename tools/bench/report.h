// tacit-bench's outputs: the table, the JSON file, and the line format in
// which worker processes hand their results to the parent, which combines
// several processes into one median and a worst-process figure.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "bench/subnormal.h"
#include "bench/suite.h"

namespace tacit_bench {

void print_table(std::FILE* out, const SuiteResult& result);

// {"machine": ..., "peaks": [...], "results": [...]}, and "subnormals":
// {...} when given (common/json.h's writer).
std::string bench_json(const SuiteResult& result, const std::string& note,
                       const SubnormalReport* subnormals);

bool write_lines(const std::string& path, const SuiteResult& result);
bool read_lines(const std::string& path, SuiteResult* result);

// One result per (isa, threads, op, shape): median of the processes'
// medians, the extremes over all samples, and the lowest and highest
// per-process fraction of peak (each process against its own peak).
SuiteResult combine(const std::vector<SuiteResult>& processes);

}  // namespace tacit_bench
