// Runs spread over processes and machines: a shard computes runs [A, B) of
// an experiment exactly as one process computing all of them would (run
// r's seed is experiment_run_seed(seed, r); its cross-init partner is
// π(r) of the derangement of all --runs, whose initialization is
// regenerated from that run's seed, never trained), and writes them to its
// --json for `tacit-repro merge` (repro/merge.h).
//
// The experiment's weights hash is FNV-1a (tacit/hash.h) over every final
// model of every run, in run order: a shard does not know the hash state
// its first run starts from. It records instead the hash as a function of
// that state. One FNV-1a step is h' = (h XOR b)·P = P·h + P·((l XOR b) - l)
// with l = h mod 256, and the next l depends only on l and b, so over a
// shard's N bytes
//     f(h) = F[l] + P^N·(h - l),   l = h mod 256,
// where F[l] is the hash of the shard's bytes started from the state l.
// A shard keeps P^N and the 256 values F: fixed memory, 256 times the
// hashing work of its models.
#pragma once

#include <cstdint>
#include <string>

#include "repro/config.h"
#include "repro/experiment.h"
#include "repro/results.h"
#include "repro/results_json.h"
#include "tacit/threads.h"

namespace repro {

// Resolves --run-range or --shard against --runs into first_run and
// end_run, and checks what a shard may be asked for (a --json; no --csv,
// --svg or --expect-transfer: those come from the merge). False, with the
// reason on stderr, on a usage error.
bool resolve_run_range(Config* config);

// The experiment's weights hash over a stretch of runs, as a function of
// the state before them.
class HashSegment {
 public:
  HashSegment();
  // Appends values (as hash_floats reads them) to the stretch: for each of
  // the 256 low bytes a state can start from, a multiply per byte (half a
  // second a paper-configuration run on one core), split across pool's
  // threads when there is one.
  void add(const float* values, std::size_t count);
  // The hash after the stretch, started from `state`.
  std::uint64_t apply(std::uint64_t state) const;

  std::uint64_t multiplier = 1;      // P^N mod 2^64
  std::uint64_t from_low[256] = {};  // F[l]: the stretch hashed from state l
  tacit::ThreadPool* pool = nullptr;  // splits the 256 lanes of add, if set
};

// An observer that adds every final model to *segment, in the hash's order.
ModelObserver hash_segment_observer(HashSegment* segment);

// The shard's stdout: which runs, and one line of accuracies per run.
std::string shard_report(const Results& results);

// The shard's --json: program, the shard's range and hash segment, config,
// environment, divergence, subnormals (with --count-subnormals), timings and
// every run's record, as in results_json.
std::string shard_json(const Results& results, const HashSegment& hash,
                       const RunEnvironment& environment);

}  // namespace repro
