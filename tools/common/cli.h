// Small helpers the tools share for parsing flags: strict numbers, clear
// messages. Header-only so each tool stays one file plus this.
#pragma once

#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tacit/isa.h"
#include "tacit/threads.h"

namespace tacit_cli {

// Prints "TOOL: why (try --help)" on stderr; false, for `return usage(...)`.
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
inline bool usage(const char* tool, const char* format, ...) {
  std::fprintf(stderr, "%s: ", tool);
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fprintf(stderr, " (try --help)\n");
  return false;
}

// Parses a whole decimal integer in [min, max]; prints why not (as
// "TOOL: FLAG: ... (try --help)") and returns false.
inline bool parse_long(const char* tool, const char* flag, const char* text, long min,
                       long max, long* out) {
  if (text == nullptr) return usage(tool, "%s needs a value", flag);
  errno = 0;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
    return usage(tool, "%s: '%s' is not a whole number from %ld to %ld", flag, text, min,
                 max);
  }
  *out = value;
  return true;
}

// parse_long for a range that fits an int.
inline bool parse_int(const char* tool, const char* flag, const char* text, long min,
                      long max, int* out) {
  long value = 0;
  if (!parse_long(tool, flag, text, min, max, &value)) return false;
  *out = static_cast<int>(value);
  return true;
}

inline bool parse_u64(const char* tool, const char* flag, const char* text,
                      std::uint64_t* out) {
  if (text == nullptr) return usage(tool, "%s needs a value", flag);
  errno = 0;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-') {
    return usage(tool, "%s: '%s' is not a whole number from 0 to 2^64-1", flag, text);
  }
  *out = value;
  return true;
}

// --isa's value: an ISA by name that this machine and build can run; the
// refusal names the best one that can.
inline bool parse_isa(const char* tool, const char* text, tacit::Isa* isa) {
  if (text == nullptr) return usage(tool, "%s needs a value", "--isa");
  if (!tacit::isa_parse(text, isa)) {
    return usage(tool, "--isa: '%s' is not one of portable, avx2, avx512, neon", text);
  }
  if (!tacit::isa_available(*isa)) {
    return usage(tool, "--isa: %s is not available on this machine or build; the best "
                 "available is %s", text, tacit::isa_name(tacit::isa_best()));
  }
  return true;
}

// A file or directory name: anything but empty.
inline bool parse_path(const char* tool, const char* flag, const char* text,
                       std::string* out) {
  if (text == nullptr || text[0] == '\0') return usage(tool, "%s needs a file name", flag);
  *out = text;
  return true;
}

// The ISA before any --isa: TACIT_ISA if set, else the best here. Prints
// why TACIT_ISA cannot be used.
inline bool default_isa(const char* tool, tacit::Isa* isa) {
  const tacit::Status status = tacit::isa_from_environment(isa);
  if (!status) std::fprintf(stderr, "%s: %s\n", tool, status.message());
  return status.ok();
}

// threads, or 1 (saying so) where the build has no threads.
inline int usable_threads(const char* tool, int threads) {
  if (threads > 1 && !tacit::threads_enabled()) {
    std::fprintf(stderr, "%s: this build has no threads (-Dthreads=false); running on 1\n",
                 tool);
    return 1;
  }
  return threads;
}

inline bool is_flag(const char* arg, const char* name) { return std::strcmp(arg, name) == 0; }

// --help or -h anywhere: every tool prints its help then, before looking
// at anything else (a bad TACIT_ISA or flag must not hide the help).
inline bool help_requested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (is_flag(argv[i], "--help") || is_flag(argv[i], "-h")) return true;
  }
  return false;
}

enum class ParseResult { run, help, usage_error };

// The command line of a tool whose flags all come before a run, into a
// Config with `threads` and `isa` members. Defaults first: threads =
// hardware_threads(), isa = TACIT_ISA, else the best here. --help or -h
// anywhere means help; otherwise each argument goes through
// parse_one(arg, value, &c, &consumed), value being the next argument or
// null and consumed how many of the two it took. Last, threads are made
// usable on this build. *config is set only for a run.
template <typename Config, typename ParseOne>
ParseResult parse_config(const char* tool, int argc, char** argv, ParseOne parse_one,
                         Config* config) {
  if (help_requested(argc, argv)) return ParseResult::help;
  Config c;
  c.threads = tacit::hardware_threads();
  if (!default_isa(tool, &c.isa)) return ParseResult::usage_error;
  for (int i = 1; i < argc;) {
    int consumed = 1;
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (!parse_one(argv[i], value, &c, &consumed)) return ParseResult::usage_error;
    i += consumed;
  }
  c.threads = usable_threads(tool, c.threads);
  *config = c;
  return ParseResult::run;
}

}  // namespace tacit_cli
