// tacit-repro merge FILE...: the shards' --json documents (repro/shard.h)
// into what one process computing every run prints and writes: the same
// stdout, --json (but its timings), --csv, --svg and weights-hash, byte for
// byte, and the same exit status for divergence and --expect-transfer.
//
// It refuses, naming the file: a file it cannot read or parse, a document
// that is not a shard's, shards of different configurations (every flag
// but --run-range/--shard, --threads, --isa, --data's path and the
// outputs), overlapping runs and missing runs. Each run's record is read
// back and written again; a record that does not come back the same (a
// member this merge does not know, a seed or cross-init partner that is not
// the experiment's) is refused too, and so is a run whose flops are not
// run 0's: every run of one configuration makes the same products.
#pragma once

#include <string>
#include <vector>

#include "repro/results.h"

namespace repro {

struct ShardText {
  std::string name;  // for messages
  std::string text;  // the whole document
};

struct Merged {
  Results results;
  std::string isa;   // the shards' --isa, or "mixed"
  int threads = 0;   // the shards' --threads, or 0 if they differ
};

// The shards, in any order, into *merged (config, runs, weights hash,
// summary, tallies, timings summed over the shards, their FMA peaks as
// one). False with *error = "FILE: why".
bool merge_shards(const std::vector<ShardText>& shards, Merged* merged, std::string* error);

// The subcommand: argv[0] is "merge".
int merge_main(int argc, char** argv);

}  // namespace repro
