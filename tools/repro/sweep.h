#pragma once
#include <string>
#include "repro/config.h"
namespace repro {
std::string sweep_names();
bool parse_sweep(const char* text, Config* config, std::string* why);
bool check_sweep(Config* config);
}  // namespace repro
