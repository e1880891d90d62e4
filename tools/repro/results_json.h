// The results document tacit-repro writes with --json.
#pragma once

#include <cstdint>
#include <string>

#include "common/json.h"
#include "repro/results.h"

namespace repro {

// Runtime facts that are not part of the (deterministic) results.
struct ProfileSummary;

struct RunEnvironment {
  const char* isa = "";
  int threads = 1;
  const ProfileSummary* profile = nullptr;  // --profile: written under "timings"
};

// The --json document: config, environment, weights_hash, summary,
// alignment_summary, runs, timings.
std::string results_json(const Results& results, const RunEnvironment& environment);

// The document's parts, for the other documents that carry them (a shard's,
// a sweep's): each writes its member ("config", "summary", ...) into the
// object being written; write_run writes one element of "runs".
std::string hex64(std::uint64_t value);  // 16 lowercase hex digits
void write_config(tacit_tools::JsonWriter& json, const Results& results);
void write_summary(tacit_tools::JsonWriter& json, const Results& results);
void write_alignment_summary(tacit_tools::JsonWriter& json, const Results& results);
// With --points-per-epoch: "trajectory_summary".
void write_trajectory_summary(tacit_tools::JsonWriter& json, const Results& results);
void write_subnormals(tacit_tools::JsonWriter& json, const char* key,
                      const tacit_tools::SubnormalTally& tally);
void write_divergence(tacit_tools::JsonWriter& json, const Results& results);
// "subnormals" (teachers', students') under --count-subnormals, else nothing.
void write_subnormal_section(tacit_tools::JsonWriter& json, const Results& results);
// "timings": load and total seconds, the peak the runs are rated against,
// when asked (a shard leaves it to the merge) the mean run's seconds and
// the runs' summed FLOPs and speed (speed.h), and --profile's numbers.
void write_timings(tacit_tools::JsonWriter& json, const Results& results,
                   const RunEnvironment& environment, bool run_summary);
void write_run(tacit_tools::JsonWriter& json, const Config& config, const RunResult& run);

}  // namespace repro
