// tacit-theorem's flags and the command-line parser that sets them.
#pragma once

#include <cstdint>
#include <string>

#include "tacit/isa.h"

namespace theorem {

constexpr int kExitOk = 0;
constexpr int kExitData = 1;   // missing or invalid data, unwritable output
constexpr int kExitUsage = 2;  // bad flags

struct Config {
  int inits = 20;       // initializations (trials), >= 2 for the cross-init pairing
  int batch = 1024;     // digits for L_T and noise images for L_S, each
  std::uint64_t seed = 0;
  std::string data = "data/mnist";
  int threads = 1;                        // set to hardware_threads() by parse_args
  tacit::Isa isa = tacit::Isa::portable;  // set to the best by parse_args
  std::string json;
  bool quiet = false;
};

enum class ParseResult { run, help, usage_error };

// Fills config from argv (threads = hardware_threads(), isa from TACIT_ISA
// or the best available, unless given). Prints why on a usage error.
ParseResult parse_args(int argc, char** argv, Config* config);

void print_help();

}  // namespace theorem
