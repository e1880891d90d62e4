#include "repro/sweep.h"
namespace repro {
std::string sweep_names() { return "aux"; }
bool parse_sweep(const char*, Config*, std::string*) { return false; }
bool check_sweep(Config*) { return true; }
}  // namespace repro
