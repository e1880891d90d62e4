// Small helpers the tools share for parsing flags: strict numbers, clear
// messages. Header-only so each tool stays one file plus this.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tacit_cli {

// Parses a whole decimal integer in [min, max]; prints why not and returns false.
inline bool parse_long(const char* flag, const char* text, long min, long max, long* out) {
  if (text == nullptr) {
    std::fprintf(stderr, "%s needs a value\n", flag);
    return false;
  }
  errno = 0;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
    std::fprintf(stderr, "%s: '%s' is not a whole number from %ld to %ld\n", flag, text,
                 min, max);
    return false;
  }
  *out = value;
  return true;
}

inline bool parse_u64(const char* flag, const char* text, std::uint64_t* out) {
  if (text == nullptr) {
    std::fprintf(stderr, "%s needs a value\n", flag);
    return false;
  }
  errno = 0;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-') {
    std::fprintf(stderr, "%s: '%s' is not a whole number from 0 to 2^64-1\n", flag, text);
    return false;
  }
  *out = value;
  return true;
}

inline bool is_flag(const char* arg, const char* name) { return std::strcmp(arg, name) == 0; }

}  // namespace tacit_cli
