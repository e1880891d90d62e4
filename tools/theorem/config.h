// tacit-theorem's flags and the command-line parser that sets them.
#pragma once

#include <cstdint>
#include <string>

#include "common/cli.h"
#include "tacit/isa.h"

namespace theorem {

// tacit_cli's 0 (done), 1 and 2 (a usage error).
using tacit_cli::kExitOk;
constexpr int kExitData = tacit_cli::kExitFailure;  // missing or invalid data, unwritable output

struct Config {
  int inits = 20;       // initializations (trials), >= 2 for the cross-init pairing
  int batch = 1024;     // digits for L_T and noise images for L_S, each
  std::uint64_t seed = 0;
  std::string data;                       // --data, else tacit_tools::mnist_dir()
  int threads = 1;                        // set to hardware_threads() by parse_args
  tacit::Isa isa = tacit::Isa::portable;  // TACIT_ISA, else the best: parse_args
  std::string json;
  bool quiet = false;
  bool allow_divergence = false;  // exit 0 even if a trial's numbers are not finite
};

using ParseResult = tacit_cli::ParseResult;

// Fills config from argv (threads = hardware_threads(), isa from TACIT_ISA
// or the best available, unless given). Prints why on a usage error.
ParseResult parse_args(int argc, char** argv, Config* config);

void print_help();

}  // namespace theorem
