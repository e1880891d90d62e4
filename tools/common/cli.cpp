#include "common/cli.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "common/output_file.h"
#include "tacit/threads.h"

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace tacit_cli {

namespace {

// The one piece of global state: what std::set_new_handler's function,
// which takes no arguments, names. Set once, at the start of main.
const char* g_out_of_memory_tool = "tacit";

[[noreturn]] void out_of_memory() {
  std::fflush(stdout);
  std::fprintf(stderr, "%s: out of memory\n", g_out_of_memory_tool);
  std::fflush(stderr);
  tacit_tools::remove_open_temporaries();  // _Exit runs no destructor
  std::_Exit(kExitFailure);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Skips a run of digits; how many there were.
int digits(const char** p) {
  int n = 0;
  while (is_digit(**p)) {
    ++*p;
    ++n;
  }
  return n;
}

// '-' then a letter or another '-': a flag, not a value ("-4", "-.5" are values).
bool looks_like_flag(const char* text) {
  return text[0] == '-' && text[1] != '\0' && !is_digit(text[1]) && text[1] != '.';
}

std::string range_text(long long min, long long max) {
  return "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
}

std::string bound_text(double v) {
  char text[40];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

template <typename T>
Flag whole_into(const char* name, long long min, long long max, T* target) {
  Flag flag;
  flag.name = name;
  flag.expect = range_text(min, max);
  flag.apply = [min, max, target](const char* value, std::string*) {
    long long v = 0;
    if (!parse_whole(value, min, max, &v)) return false;
    *target = static_cast<T>(v);
    return true;
  };
  return flag;
}

const Flag* find(const Command& command, const char* arg) {
  for (const Flag& flag : command.flags) {
    if (flag.name == arg || (!flag.alias.empty() && flag.alias == arg)) return &flag;
  }
  return nullptr;
}

}  // namespace

bool parse_whole(const char* text, long long min, long long max, long long* out) {
  const char* p = text;
  if (*p == '-' && min < 0) ++p;
  if (digits(&p) == 0 || *p != '\0') return false;
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (errno != 0 || value < min || value > max) return false;
  *out = value;
  return true;
}

bool parse_u64(const char* text, std::uint64_t* out) {
  const char* p = text;
  if (digits(&p) == 0 || *p != '\0') return false;
  errno = 0;
  const unsigned long long value = std::strtoull(text, nullptr, 10);
  if (errno != 0) return false;
  *out = value;
  return true;
}

bool parse_real(const char* text, double* out) {
  const char* p = text;
  if (*p == '-') ++p;
  int mantissa = digits(&p);
  if (*p == '.') {
    ++p;
    mantissa += digits(&p);
  }
  if (mantissa == 0) return false;
  if (*p == 'e' || *p == 'E') {
    ++p;
    if (*p == '+' || *p == '-') ++p;
    if (digits(&p) == 0) return false;
  }
  if (*p != '\0') return false;
  errno = 0;
  const double value = std::strtod(text, nullptr);
  if (errno == ERANGE && std::fabs(value) > 1.0) return false;  // overflow, not underflow
  if (!std::isfinite(value)) return false;
  *out = value;
  return true;
}

bool split_list(const char* text, char separator, std::vector<std::string>* items) {
  items->clear();
  std::string item;
  for (const char* p = text;; ++p) {
    if (*p == separator || *p == '\0') {
      if (item.empty()) return false;
      items->push_back(item);
      item.clear();
      if (*p == '\0') return true;
    } else {
      item += *p;
    }
  }
}

Flag on(const char* name, bool* target, const char* alias) {
  Flag flag;
  flag.name = name;
  flag.alias = alias;
  flag.apply = [target](const char*, std::string*) { return *target = true; };
  return flag;
}

Flag whole(const char* name, long long min, long long max, int* target) {
  return whole_into(name, min, max, target);
}

Flag whole(const char* name, long long min, long long max, long* target) {
  return whole_into(name, min, max, target);
}

Flag unsigned64(const char* name, std::uint64_t* target) {
  Flag flag;
  flag.name = name;
  flag.expect = "a whole number from 0 to 2^64-1";
  flag.apply = [target](const char* value, std::string*) { return parse_u64(value, target); };
  return flag;
}

Flag real(const char* name, Bound lo, Bound hi, double* target) {
  Flag flag;
  flag.name = name;
  flag.expect = "a number in " + std::string(lo.closed ? "[" : "(") + bound_text(lo.value) +
                ", " + bound_text(hi.value) + (hi.closed ? "]" : ")");
  flag.apply = [lo, hi, target](const char* value, std::string*) {
    double v = 0;
    if (!parse_real(value, &v)) return false;
    const bool above_lo = lo.closed ? v >= lo.value : v > lo.value;
    const bool below_hi = hi.closed ? v <= hi.value : v < hi.value;
    if (!above_lo || !below_hi) return false;
    *target = v;
    return true;
  };
  return flag;
}

Flag path(const char* name, std::string* target, const char* alias) {
  Flag flag;
  flag.name = name;
  flag.alias = alias;
  flag.expect = "a file name";
  flag.apply = [target](const char* value, std::string*) {
    if (value[0] == '\0') return false;
    *target = value;
    return true;
  };
  return flag;
}

std::string isa_names() {
  std::string names;
  for (int i = 0; i < tacit::isa_count(); ++i) {
    names += (i > 0 ? ", " : "") + std::string(tacit::isa_name(tacit::isa_at(i)));
  }
  return names;
}

Flag isa(tacit::Isa* target) {
  Flag flag;
  flag.name = "--isa";
  flag.isa_target = target;
  flag.expect = "one of " + isa_names();
  flag.apply = [target](const char* value, std::string* why) {
    tacit::Isa isa;
    if (!tacit::isa_parse(value, &isa)) return false;
    if (!tacit::isa_available(isa)) {
      *why = std::string("is not available on this machine or build; the best available is ") +
             tacit::isa_name(tacit::isa_best());
      return false;
    }
    *target = isa;
    return true;
  };
  return flag;
}

Flag whole_list(const char* name, long long min, long long max, std::vector<int>* target) {
  Flag flag;
  flag.name = name;
  flag.expect = "a comma-separated list of whole numbers from " + std::to_string(min) +
                " to " + std::to_string(max);
  flag.apply = [min, max, target](const char* value, std::string*) {
    std::vector<std::string> items;
    if (!split_list(value, ',', &items)) return false;
    std::vector<int> numbers;
    for (const std::string& item : items) {
      long long v = 0;
      if (!parse_whole(item.c_str(), min, max, &v)) return false;
      numbers.push_back(static_cast<int>(v));
    }
    *target = numbers;
    return true;
  };
  return flag;
}

Flag custom(const char* name, const char* expect, Apply apply) {
  Flag flag;
  flag.name = name;
  flag.expect = expect;
  flag.apply = std::move(apply);
  return flag;
}

bool help_requested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) return true;
  }
  return false;
}

void exit_on_out_of_memory(const char* tool) {
  const char* slash = std::strrchr(tool, '/');
  g_out_of_memory_tool = slash != nullptr ? slash + 1 : tool;
  std::set_new_handler(out_of_memory);
}

int exit_unless_run(ParseResult result, void (*print_help)()) {
  switch (result) {
    case ParseResult::help:
      print_help();
      return kExitOk;
    case ParseResult::usage_error:
      return kExitUsage;
    case ParseResult::run:
      break;
  }
  return -1;
}

ParseResult parse(const Command& command, int argc, char** argv) {
  if (help_requested(argc, argv)) return ParseResult::help;
  const char* tool = command.tool;
  std::vector<const Flag*> seen;
  std::size_t positionals = 0;
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    if (arg[0] != '-' || arg[1] == '\0') {
      if (positionals < command.positionals.size()) {
        *command.positionals[positionals++].target = arg;
      } else if (command.more != nullptr) {
        command.more->push_back(arg);
      } else {
        usage(tool, "unknown argument '%s'", arg);
        return ParseResult::usage_error;
      }
      continue;
    }
    const Flag* flag = find(command, arg);
    if (flag == nullptr) {
      usage(tool, "unknown argument '%s'", arg);
      return ParseResult::usage_error;
    }
    for (const Flag* earlier : seen) {
      if (earlier == flag) {
        usage(tool, "%s: given twice; give each flag once", flag->name.c_str());
        return ParseResult::usage_error;
      }
    }
    seen.push_back(flag);
    if (flag->given != nullptr) *flag->given = true;
    const char* value = nullptr;
    if (!flag->expect.empty()) {
      value = i + 1 < argc ? argv[++i] : nullptr;
      if (value == nullptr) {
        usage(tool, "%s needs a value", arg);
        return ParseResult::usage_error;
      }
      if (looks_like_flag(value)) {
        usage(tool, "%s needs a value; '%s' looks like a flag", arg, value);
        return ParseResult::usage_error;
      }
    }
    std::string why;
    if (!flag->apply(value, &why)) {
      usage(tool, "%s: '%s' %s", arg, value,
            why.empty() ? ("is not " + flag->expect).c_str() : why.c_str());
      return ParseResult::usage_error;
    }
  }
  if (positionals < command.positionals.size()) {
    usage(tool, "expected %s", command.positionals[positionals].name);
    return ParseResult::usage_error;
  }
  // Without --isa: TACIT_ISA, else the best here (an explicit --isa wins
  // over an unusable TACIT_ISA).
  for (const Flag& flag : command.flags) {
    if (flag.isa_target == nullptr ||
        std::find(seen.begin(), seen.end(), &flag) != seen.end()) {
      continue;
    }
    const tacit::Status status = tacit::isa_from_environment(flag.isa_target);
    if (!status) {
      std::fprintf(stderr, "%s: %s\n", tool, status.message());
      return ParseResult::usage_error;
    }
  }
  return ParseResult::run;
}

bool usage(const char* tool, const char* format, ...) {
  std::fprintf(stderr, "%s: ", tool);
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fprintf(stderr, " (try --help)\n");
  return false;
}

void require(const tacit::Status& status) {
  if (status) return;
  std::fprintf(stderr, "internal error: %s\n", status.message());
  std::abort();
}

bool stderr_is_terminal() {
#if defined(__unix__) || defined(__APPLE__)
  return isatty(STDERR_FILENO) == 1;
#else
  return false;
#endif
}

int usable_threads(const char* tool, int threads) {
  if (threads > 1 && !tacit::threads_enabled()) {
    std::fprintf(stderr, "%s: this build has no threads (-Dthreads=false); running on 1\n",
                 tool);
    return 1;
  }
  return threads;
}

}  // namespace tacit_cli
