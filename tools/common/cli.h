// The one command-line parser every tool uses: a program lists its flags
// and positional arguments in a table (a Command) and parse() fills their
// targets, strictly, with the same messages and exit codes everywhere:
//
//   tacit_cli::Command command{"tacit-x", {
//       tacit_cli::whole("--batch", 1, 65536, &c.batch),
//       tacit_cli::path("--json", &c.json),
//       tacit_cli::on("--quiet", &c.quiet, "-q")}};
//   switch (tacit_cli::parse(command, argc, argv)) { ... }
//
// The parser's rules, for every tool:
// - --help or -h anywhere (even as a flag's value, after a bad flag or with
//   a bad TACIT_ISA) means help: ParseResult::help, exit 0.
// - A usage error prints "TOOL: why (try --help)" on stderr: ParseResult::
//   usage_error, exit 2. Runtime failures (exit 1) are the programs' own.
// - Numbers are strict: digits only, '-' only on signed values, no '+', no
//   spaces, nothing after the number; then the range.
// - A value that looks like a flag ('-' then a letter or '-') is refused, so
//   `--json -q` does not write a file named -q; `-4` still reaches the
//   number check.
// - Each flag may be given once; a second one is a usage error.
// - An argument that does not start with '-' is positional.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "tacit/isa.h"
#include "tacit/status.h"  // TACIT_PRINTF_FORMAT
#include "tacit/threads.h"

namespace tacit_cli {

enum class ParseResult { run, help, usage_error };

// The exit statuses of every tool: success, a failure at run time, a usage
// error (a bad flag, value or argument).
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// What a tool's main does with its parse: prints help and gives kExitOk,
// gives kExitUsage after a usage error (already explained on stderr), or -1
// to go on and run:
//   if (const int exit = exit_unless_run(parse(...), print_help); exit >= 0) return exit;
int exit_unless_run(ParseResult result, void (*print_help)());

// From now on a failed allocation (operator new) prints "TOOL: out of
// memory" on stderr and exits kExitFailure, with or without exceptions in
// the build, where std::bad_alloc would abort the program. Every tool's
// main calls it first (run_tool does, named by argv[0]'s last component).
void exit_on_out_of_memory(const char* tool);

// A whole tool's main: parse(argc, argv, &options), then help (exit 0), a
// usage error (exit 2) or run(options)'s exit status.
template <typename Options>
int run_tool(int argc, char** argv, ParseResult (*parse)(int, char**, Options*),
             void (*print_help)(), int (*run)(const Options&)) {
  exit_on_out_of_memory(argc > 0 ? argv[0] : "tacit");
  Options options;
  const int exit = exit_unless_run(parse(argc, argv, &options), print_help);
  return exit >= 0 ? exit : run(options);
}

// ---- strict text to values (also what custom flags build on) -------------

// A whole decimal number in [min, max]: an optional '-' (only where min < 0),
// then digits and nothing else.
bool parse_whole(const char* text, long long min, long long max, long long* out);
// Digits only, 0 to 2^64-1.
bool parse_u64(const char* text, std::uint64_t* out);
// A finite decimal number: -?(D+[.D*]|.D+)([eE][+-]?D+)?, nothing else.
bool parse_real(const char* text, double* out);
// Items of text between separators; false if any item is empty ("1,,2", "1,").
bool split_list(const char* text, char separator, std::vector<std::string>* items);

// ---- the table -------------------------------------------------------------

// Applies a value; false if it is not acceptable. *why, if set, replaces
// "is not EXPECT" in the message.
using Apply = std::function<bool(const char* value, std::string* why)>;

struct Flag {
  std::string name;     // "--seed"
  std::string alias;    // "-q", or empty
  std::string expect;   // "a whole number from 1 to 256"; empty for a switch
  Apply apply;          // a switch gets nullptr as its value
  bool* given = nullptr;  // set true when the flag is seen
  tacit::Isa* isa_target = nullptr;  // isa(): set from TACIT_ISA when --isa is not given

  // Also sets *flag when the flag is given (--expect-transfer sets expect_transfer).
  Flag marks(bool* flag) && {
    given = flag;
    return std::move(*this);
  }
};

// A switch: sets *target true.
Flag on(const char* name, bool* target, const char* alias = "");
// A whole number in [min, max] into an int, long or long long.
Flag whole(const char* name, long long min, long long max, int* target);
Flag whole(const char* name, long long min, long long max, long* target);
Flag unsigned64(const char* name, std::uint64_t* target);

struct Bound {
  double value;
  bool closed;  // the bound itself is admitted
};
inline Bound above(double v) { return {v, false}; }
inline Bound at_least(double v) { return {v, true}; }
inline Bound below(double v) { return {v, false}; }
inline Bound at_most(double v) { return {v, true}; }
// A finite number between lo and hi, e.g. real("--lr", above(0), at_most(1), &lr).
Flag real(const char* name, Bound lo, Bound hi, double* target);

// A file or directory name: not empty, not flag-like.
Flag path(const char* name, std::string* target, const char* alias = "");

// One of a list of names, each standing for a value.
template <typename T>
Flag choice(const char* name, std::initializer_list<std::pair<const char*, T>> options,
            T* target) {
  std::vector<std::pair<std::string, T>> list;
  std::string expect = "one of";
  for (const auto& option : options) {
    expect += (list.empty() ? " " : ", ") + std::string(option.first);
    list.emplace_back(option.first, option.second);
  }
  Flag flag;
  flag.name = name;
  flag.expect = expect;
  flag.apply = [list, target](const char* value, std::string*) {
    for (const auto& option : list) {
      if (option.first == value) {
        *target = option.second;
        return true;
      }
    }
    return false;
  };
  return flag;
}

// "portable, avx2, avx512, neon": every ISA the library knows (isa_at).
std::string isa_names();

// --isa NAME: an ISA this machine and build can run. Without --isa, parse()
// sets *target from TACIT_ISA, else the best available (an unusable
// TACIT_ISA is then a usage error; --isa wins over it).
Flag isa(tacit::Isa* target);
// Comma-separated whole numbers in [min, max] ("1,64,1024").
Flag whole_list(const char* name, long long min, long long max, std::vector<int>* target);
// Anything else: apply decides; expect says what it wants ("a shape like 784-32-10").
Flag custom(const char* name, const char* expect, Apply apply);

struct Positional {
  const char* name;     // "MODEL", for "expected MODEL"
  std::string* target;
};

struct Command {
  const char* tool;  // the messages' prefix: "tacit-idx" or "tacit-idx info"
  std::vector<Flag> flags;
  std::vector<Positional> positionals = {};          // each required, in order
  std::vector<std::string>* more = nullptr;         // further positionals, if any
};

// --help or -h anywhere in argv[1..argc).
bool help_requested(int argc, char** argv);

// Parses argv[1..argc) with command's table (argv[0] is the program).
ParseResult parse(const Command& command, int argc, char** argv);

// Prints "TOOL: why (try --help)" on stderr; false, for `return usage(...)`.
TACIT_PRINTF_FORMAT(2, 3)
bool usage(const char* tool, const char* format, ...);

// Whether stderr is a terminal, where progress may redraw one line in
// place (false where C++17 has no portable way to tell: plain lines).
bool stderr_is_terminal();

// For library calls whose arguments this program has already checked (shapes
// fixed at setup, labels validated on load): an error is a bug here, so it
// is printed and the program aborts, rather than carried through code that
// cannot act on it.
void require(const tacit::Status& status);

// threads, or 1 (saying so) where the build has no threads.
int usable_threads(const char* tool, int threads);

// The command line of a tool whose Config has `threads` and `isa`:
// threads default to hardware_threads() and are made usable on this build
// after parsing; table(&c) gives the flags into c. *config is set only
// for a run.
template <typename Config>
ParseResult parse_config(const char* tool, int argc, char** argv,
                         Command (*table)(Config*), Config* config) {
  Config c;
  c.threads = tacit::hardware_threads();
  const ParseResult result = parse(table(&c), argc, argv);
  if (result != ParseResult::run) return result;
  c.threads = usable_threads(tool, c.threads);
  *config = c;
  return result;
}

}  // namespace tacit_cli
