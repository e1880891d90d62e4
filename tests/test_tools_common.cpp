// What the programs share (tools/common/): numbers and JSON, the MNIST
// loader's messages, output files, and the subnormal tally.
#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "common/cli.h"
#include "common/divergence.h"
#include "common/json.h"
#include "common/model_io.h"
#include "common/output_file.h"
#include "common/subnormal_tally.h"
#include "common/synthetic_digits.h"
#include "data_files.h"
#include "tacit/init.h"
#include "tacit/train.h"
#include "tools_test_support.h"

#if defined(__unix__) || defined(__APPLE__)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

using namespace tacit;
using namespace tools_test;

// ---- writers -------------------------------------------------------------

TEST_CASE("format_number: shortest round trip, null for non-finite") {
  CHECK(tacit_tools::format_number(0.1) == "0.1");
  CHECK(tacit_tools::format_number(0.5281) == "0.5281");
  CHECK(tacit_tools::format_number(1e-8) == "1e-08");
  CHECK(tacit_tools::format_number(3e-4) == "0.0003");
  CHECK(tacit_tools::format_number(-2.0) == "-2");
  CHECK(tacit_tools::format_number(1.0 / 3) == "0.3333333333333333");
  CHECK(std::strtod(tacit_tools::format_number(0.1 + 0.2).c_str(), nullptr) == 0.1 + 0.2);
  CHECK(tacit_tools::format_number(std::nan("")) == "null");
  CHECK(tacit_tools::format_number(HUGE_VAL) == "null");
}

TEST_CASE("JsonWriter: structure, commas, indentation and escapes") {
  tacit_tools::JsonWriter json;
  json.begin_object();
  json.key("name");
  json.string("a \"quoted\" \\ path\n\ttab\x01");
  json.key("list");
  json.begin_array(true);
  json.number(0.5);
  json.integer(-3);
  json.unsigned_integer(18446744073709551615ull);
  json.end_array();
  json.key("empty");
  json.begin_object();
  json.end_object();
  json.key("nested");
  json.begin_array();
  json.boolean(true);
  json.null();
  json.end_array();
  CHECK_FALSE(json.complete());
  json.end_object();
  CHECK(json.complete());
  CHECK(json.text() ==
        "{\n"
        "  \"name\": \"a \\\"quoted\\\" \\\\ path\\n\\ttab\\u0001\",\n"
        "  \"list\": [0.5, -3, 18446744073709551615],\n"
        "  \"empty\": {},\n"
        "  \"nested\": [\n"
        "    true,\n"
        "    null\n"
        "  ]\n"
        "}\n");
  CHECK(tacit_tools::json_escape("caf\xc3\xa9") == "caf\xc3\xa9");
}

// The tools' MNIST loader says where a relative directory is and how the
// tools choose it; the library's message alone does not know.
TEST_CASE("load_mnist (tools): a missing directory's message says where and why") {
  tacit_tools::LoadedMnist data;
  const Status status = tacit_tools::load_mnist("no-such-dir/mnist", &data);
  REQUIRE_FALSE(status.ok());
  const std::string message = status.message();
  CHECK(contains(message, "no-such-dir/mnist: no such directory"));
  CHECK(contains(message, std::filesystem::absolute("no-such-dir/mnist").string()));
  CHECK(contains(message, "set by --data DIR or TACIT_MNIST_DIR"));
  // An absolute path is not repeated, so a long one still leaves room for
  // the hint in the Status's 256 characters.
  const std::string absolute =
      "/a-rather-long-directory-name/of-a-user/who-keeps/datasets/somewhere/mnist-copy";
  const Status far = tacit_tools::load_mnist(absolute.c_str(), &data);
  REQUIRE_FALSE(far.ok());
  CHECK(contains(far.message(), absolute + ": no such directory"));
  CHECK(contains(far.message(), "tools/fetch-mnist fills tacit's data/mnist)"));
}

namespace {

// An MLP and its training state for `capacity` rows, in memory of their own.
struct NetUnderTest {
  MlpSpec spec;
  std::vector<unsigned char> memory;
  Mlp mlp;
  TrainState state;

  NetUnderTest(const std::vector<int>& widths, int capacity) {
    REQUIRE(mlp_spec(widths.data(), static_cast<int>(widths.size()), &spec).ok());
    memory.resize(arena_buffer_bytes(mlp_bytes(spec) + train_state_bytes(spec, capacity)));
    Arena arena(memory.data(), memory.size());
    REQUIRE(mlp_create(spec, arena, &mlp).ok());
    REQUIRE(train_state_create(spec, capacity, AdamConfig{}, arena, &state).ok());
  }
  NetUnderTest(const NetUnderTest&) = delete;
  NetUnderTest& operator=(const NetUnderTest&) = delete;
};

}  // namespace

TEST_CASE("tally_subnormals: counts each stored kind of value, only the step's rows") {
  const int capacity = 3, rows = 2;
  NetUnderTest net({4, 3, 5, 2}, capacity);
  Mlp& mlp = net.mlp;
  TrainState& state = net.state;
  MlpWorkspace& ws = state.workspace;
  const float tiny = 1e-40f;  // subnormal
  REQUIRE(std::fpclassify(tiny) == FP_SUBNORMAL);
  ws.activations[0][0] = tiny;       // the input batch: data, not counted
  ws.activations[1][0] = tiny;       // row 0 of layer 1's output
  ws.activations[3][3] = tiny;       // row 1 of the logits
  ws.activations[2][2 * 5] = tiny;   // row 2: past the step's rows
  ws.logits_grad[1] = tiny;
  // Layer 2's input gradient (width 5) is in delta[0], layer 1's (width 3)
  // in delta[1] (mlp_backward's ping-pong, last layer first; the next test
  // checks that against a real step).
  ws.delta[0][9] = tiny;
  ws.delta[1][5] = tiny;
  ws.delta[1][6] = tiny;             // past 2 rows of width 3
  state.grads[7] = tiny;
  state.adam.m[0] = tiny;
  state.adam.v[1] = tiny;
  state.adam.v[2] = -tiny;
  mlp.params[mlp.param_count - 1] = tiny;

  tacit_tools::SubnormalTally tally;
  tacit_tools::tally_subnormals(mlp, state, rows, &tally);
  CHECK(tally.steps == 1);
  CHECK(tally.activations == 2);
  CHECK(tally.logit_grads == 1);
  CHECK(tally.deltas == 2);
  CHECK(tally.grads == 1);
  CHECK(tally.moments == 3);
  CHECK(tally.params == 1);
  CHECK(tally.found() == 10);
  const long long params = static_cast<long long>(mlp.param_count);
  CHECK(tally.checked == rows * (3 + 5 + 2 + 2 + 5 + 3) + 4 * params);
  tacit_tools::tally_subnormals(mlp, state, rows, &tally);
  CHECK(tally.steps == 2);
  CHECK(tally.found() == 20);
}

// Every buffer the tally reads, marked subnormal to its full capacity, then
// one real training step on fewer rows: the step overwrites exactly what
// the tally should look at with normal values, so reading a wrong delta
// buffer, width or row count finds markers. Widths differ per layer (the
// wider layer 1 catches a swapped buffer) and depth covers 1 to 3 hidden
// layers (the 3-hidden-layer net overwrites delta[0] on the way).
TEST_CASE("tally_subnormals reads exactly what a real step wrote, 1 to 3 hidden layers") {
  const std::vector<std::vector<int>> nets = {{4, 6, 2}, {4, 6, 3, 2}, {4, 7, 3, 5, 2}};
  for (const std::vector<int>& widths : nets) {
    CAPTURE(widths.size());
    const int capacity = 3, rows = 2;
    NetUnderTest net(widths, capacity);
    const MlpSpec& spec = net.spec;
    Mlp& mlp = net.mlp;
    TrainState& state = net.state;
    mlp_init(mlp, Init::normal_fan_in, 5);
    MlpWorkspace& ws = state.workspace;
    const float marker = 1e-40f;
    const auto mark = [&](float* p, std::size_t n) { std::fill(p, p + n, marker); };
    const auto cap = static_cast<std::size_t>(capacity);
    for (int l = 1; l <= spec.layers; ++l) mark(ws.activations[l], cap * widths[l]);
    mark(ws.logits_grad, cap * widths.back());
    for (float* delta : ws.delta) mark(delta, cap * static_cast<std::size_t>(mlp_max_hidden_width(spec)));
    for (int i = 0; i < rows * widths[0]; ++i) ws.activations[0][i] = 0.25f + 0.1f * i;
    const std::int32_t labels[] = {0, 1};
    REQUIRE(train_step_cross_entropy(Compute{}, mlp, state, rows, labels, nullptr));

    tacit_tools::SubnormalTally tally;
    tacit_tools::tally_subnormals(mlp, state, rows, &tally);
    CHECK(tally.found() == 0);
    long long delta_values = 0;
    for (int l = 1; l <= 2 && l < spec.layers; ++l) delta_values += rows * widths[l];
    CHECK(tally.deltas == 0);
    // The markers are still there past what the step wrote: a tally that
    // read the whole buffers would have found them.
    long long left = 0;
    for (const float* delta : ws.delta) {
      for (int i = 0; i < capacity * mlp_max_hidden_width(spec); ++i) left += delta[i] == marker;
    }
    CHECK(left > 0);
    long long per_row = widths.back();  // logit gradients
    for (int l = 1; l <= spec.layers; ++l) per_row += widths[l];
    CHECK(tally.checked == rows * per_row + delta_values +
                               4 * static_cast<long long>(mlp.param_count));
  }
}

// tacit-repro's --json/--csv/--svg and tacit-theorem's --json: a run that
// fails or stops early leaves an earlier result as it was.
TEST_CASE("OutputFile: fails early on a bad path, replaces PATH only when written") {
  data_test::TempDir dir;
  const std::string path = dir.write("figure10.json", {'k', 'e', 'e', 'p'});
  {
    tacit_tools::OutputFile unwritten("test");
    REQUIRE(unwritten.open(path));
    CHECK(file_text(path) == "keep");  // not truncated by open
    CHECK(dir.names().size() == 2);  // PATH and the new temporary
  }
  CHECK(file_text(path) == "keep");  // never written: untouched
  CHECK(dir.names() == std::vector<std::string>{"figure10.json"});
  {
    tacit_tools::OutputFile written("test");
    REQUIRE(written.open(path));
    CHECK(written.write("new result"));
  }
  CHECK(file_text(path) == "new result");
  CHECK(dir.names() == std::vector<std::string>{"figure10.json"});

  tacit_tools::OutputFile bad("test");
  CHECK_FALSE(bad.open(dir.file("no/such/dir/out.json")));
  CHECK_FALSE(bad.open(dir.path()));  // a directory is refused up front
  CHECK(dir.names() == std::vector<std::string>{"figure10.json"});
  tacit_tools::OutputFile none("test");
  CHECK(none.open(""));
  CHECK(none.write("ignored"));

  // Printed through stream(), put in place by commit().
  {
    tacit_tools::OutputFile streamed("test");
    REQUIRE(streamed.open(path));
    REQUIRE(streamed.stream() != nullptr);
    std::fprintf(streamed.stream(), "%d runs", 100);
    CHECK(file_text(path) == "new result");
    CHECK(streamed.commit());
  }
  CHECK(file_text(path) == "100 runs");
}

// If PATH cannot be replaced after all (here it became a directory), the
// finished result stays in the temporary, and the message names it.
TEST_CASE("OutputFile: a failed rename says where the finished result is") {
  data_test::TempDir dir;
  const std::string late = dir.file("late.json");
  tacit_tools::OutputFile blocked("test");
  REQUIRE(blocked.open(late));
  std::filesystem::create_directory(late);
#if defined(TOOLS_TEST_HAVE_STDERR_CAPTURE)
  bool written = true;
  const std::string message = stderr_of([&] { written = blocked.write("finished"); });
  CHECK_FALSE(written);
  const std::string marker = "the complete result is in ";
  const std::size_t at = message.find(marker);
  REQUIRE_MESSAGE(at != std::string::npos, message);
  const std::string kept = message.substr(at + marker.size(),
                                          message.find('\n', at) - at - marker.size());
  CHECK(file_text(kept) == "finished");
  CHECK(contains(message, "cannot replace " + late + ": "));
#else
  CHECK_FALSE(blocked.write("finished"));
#endif
  const std::vector<std::string> names = dir.names();
  REQUIRE(names.size() == 2);  // late.json/ and the kept result
  CHECK(names[0].rfind(".late.json.tmp-", 0) == 0);
  CHECK(file_text(dir.file(names[0])) == "finished");
}

// Two runs with the same --json (or one run given --json X --csv X): each
// writes its own temporary; whichever finishes last leaves its whole
// result, and neither reports a file that does not exist.
TEST_CASE("OutputFile: two writers of one path leave one whole result") {
  data_test::TempDir dir;
  const std::string path = dir.file("same.json");
  {
    tacit_tools::OutputFile first("test"), second("test");
    REQUIRE(first.open(path));
    REQUIRE(second.open(path));
    CHECK(first.write("{\"run\": \"first, with the longer text\"}"));
    CHECK(file_text(path) == "{\"run\": \"first, with the longer text\"}");
    CHECK(second.write("{\"run\": 2}"));
  }
  CHECK(file_text(path) == "{\"run\": 2}");
  CHECK(dir.names() == std::vector<std::string>{"same.json"});

  // A run that fails early (a bad --data) discards only its own temporary:
  // the run still going keeps its result.
  {
    tacit_tools::OutputFile going("test");
    REQUIRE(going.open(path));
    {
      tacit_tools::OutputFile failed("test");
      REQUIRE(failed.open(path));
    }
    CHECK(going.write("still here"));
  }
  CHECK(file_text(path) == "still here");
  CHECK(dir.names() == std::vector<std::string>{"same.json"});

  // One stream per writer, too: rows then JSON never interleave.
  {
    tacit_tools::OutputFile csv("test"), json("test");
    REQUIRE(csv.open(path));
    REQUIRE(json.open(path));
    std::fprintf(csv.stream(), "run,condition\n0,teacher\n");
    std::fprintf(json.stream(), "{}");
    CHECK(csv.commit());
    CHECK(json.commit());
  }
  CHECK(file_text(path) == "{}");
}

#if defined(__unix__) || defined(__APPLE__)
// The fixed PATH.tmp that outputs were once written through: a symbolic
// link planted there is left alone, and PATH becomes a regular file (the
// exclusive create itself: test_checkpoint's open_new_file test).
TEST_CASE("OutputFile: never follows or reuses an existing file") {
  data_test::TempDir dir;
  const std::string victim = dir.write("victim", {'s', 'e', 'c', 'r', 'e', 't'});
  const std::string path = dir.file("out.json");
  std::filesystem::create_symlink(victim, path + ".tmp");
  {
    tacit_tools::OutputFile probe("test");  // tacit-train's --save check
    REQUIRE(probe.open(path));
  }
  CHECK(file_text(victim) == "secret");
  {
    tacit_tools::OutputFile out("test");
    REQUIRE(out.open(path));
    CHECK(out.write("result"));
  }
  CHECK(file_text(victim) == "secret");
  CHECK(file_text(path) == "result");
  CHECK_FALSE(std::filesystem::is_symlink(path));
  CHECK(std::filesystem::is_symlink(path + ".tmp"));  // left alone, not ours
}


#endif

#if defined(TOOLS_TEST_HAVE_FORK)
namespace {

// Runs f in a child process; its exit status as waitpid gives it.
template <typename F>
int in_child(F f) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int code = f();
    std::fflush(nullptr);
    _exit(code);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return status;
}

}  // namespace

// Interrupted (Ctrl-C, kill): the temporaries go, PATH keeps what it held,
// and the exit status still says which signal ended the program.
TEST_CASE("OutputFile: SIGINT and SIGTERM remove the temporaries") {
  for (const int sig : {SIGINT, SIGTERM}) {
    CAPTURE(sig);
    data_test::TempDir dir;
    const std::string path = dir.write("out.json", {'o', 'l', 'd'});
    int ready[2];
    REQUIRE(pipe(ready) == 0);
    std::fflush(nullptr);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      tacit_tools::OutputFile json("test"), csv("test");
      if (!json.open(path) || !csv.open(dir.file("out.csv"))) _exit(3);
      std::fprintf(json.stream(), "half of it");
      std::fflush(json.stream());
      if (write(ready[1], "r", 1) != 1) _exit(3);
      for (;;) pause();
    }
    // Closed here first, so a child that exits early ends the read (0 bytes)
    // instead of leaving it to wait for the suite's timeout.
    close(ready[1]);
    char byte = 0;
    REQUIRE(read(ready[0], &byte, 1) == 1);
    close(ready[0]);
    REQUIRE(kill(pid, sig) == 0);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == sig);
    CHECK(dir.names() == std::vector<std::string>{"out.json"});
    CHECK(file_text(path) == "old");
  }
}

// A full disk, or here a file size limit: the message gives the reason.
TEST_CASE("OutputFile: a failed write says why") {
  data_test::TempDir dir;
  const std::string path = dir.file("big.json");
  const std::string log = dir.file("stderr.txt");
  for (const bool streamed : {false, true}) {
    CAPTURE(streamed);
    const int status = in_child([&] {
      if (std::freopen(log.c_str(), "w", stderr) == nullptr) return 3;
      std::signal(SIGXFSZ, SIG_IGN);
      rlimit limit{};
      limit.rlim_cur = limit.rlim_max = 1000;
      if (setrlimit(RLIMIT_FSIZE, &limit) != 0) return 3;
      tacit_tools::OutputFile out("test");
      if (!out.open(path)) return 3;
      const std::string text(100000, 'x');
      if (streamed) {
        std::fputs(text.c_str(), out.stream());
        return out.commit() ? 0 : 1;
      }
      return out.write(text) ? 0 : 1;
    });
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 1);
    const std::string message = file_text(log);
    CHECK_MESSAGE(contains(message, std::strerror(EFBIG)), message);
    CHECK_MESSAGE(contains(message, "test: writing " + path), message);
    CHECK(dir.names() == std::vector<std::string>{"stderr.txt"});
  }
}
#endif

// ---- the flag parser -------------------------------------------------------

namespace {

tacit_cli::ParseResult parse_with(const tacit_cli::Command& command,
                                  std::vector<const char*> args) {
  args.insert(args.begin(), "tacit-test");
  return tacit_cli::parse(command, static_cast<int>(args.size()),
                          const_cast<char**>(args.data()));
}

}  // namespace

TEST_CASE("cli: numbers are strict: no spaces, no '+', no sign on unsigned, nothing after") {
  std::uint64_t u = 7;
  long long w = 0;
  double d = 0;
  for (const char* bad : {" -1", "-1", " 5", "5 ", "+2", "", "1x", "0x10", "1e3"}) {
    CAPTURE(bad);
    CHECK_FALSE(tacit_cli::parse_u64(bad, &u));
    CHECK_FALSE(tacit_cli::parse_whole(bad, 0, 1000000, &w));
  }
  CHECK(u == 7);
  CHECK(tacit_cli::parse_u64("18446744073709551615", &u));
  CHECK_FALSE(tacit_cli::parse_u64("18446744073709551616", &u));
  CHECK(tacit_cli::parse_whole("-4", -10, 10, &w));
  CHECK(w == -4);
  CHECK_FALSE(tacit_cli::parse_whole("-4", 0, 10, &w));
  for (const char* bad : {" 1", "1 ", "+1", "nan", "inf", "0x1p-3", "1e", ".", "-", "1e+"}) {
    CAPTURE(bad);
    CHECK_FALSE(tacit_cli::parse_real(bad, &d));
  }
  for (const char* good : {"1", "-0.5", ".5", "3e-4", "2.", "1E+2"}) {
    CAPTURE(good);
    CHECK(tacit_cli::parse_real(good, &d));
  }
  std::vector<std::string> items;
  CHECK_FALSE(tacit_cli::split_list("784-10-", '-', &items));
  CHECK_FALSE(tacit_cli::split_list("1,,2", ',', &items));
  CHECK(tacit_cli::split_list("784-32-10", '-', &items));
  CHECK(items == std::vector<std::string>{"784", "32", "10"});
}

#if defined(TOOLS_TEST_HAVE_STDERR_CAPTURE)
TEST_CASE("cli: a table's flags, their refusals and messages") {
  const ScopedEnv no_isa("TACIT_ISA", nullptr);  // parsing reads it
  using namespace tacit_cli;
  std::uint64_t seed = 0;
  int batch = 1;
  double lr = 1;
  std::string json, model;
  bool quiet = false;
  tacit::Isa chosen = tacit::Isa::portable;
  std::vector<int> threads;
  const Command command{"tacit-test", {
      unsigned64("--seed", &seed), whole("--batch", 1, 64, &batch),
      real("--lr", above(0), at_most(1), &lr), path("--json", &json),
      on("--quiet", &quiet, "-q"), isa(&chosen), whole_list("--threads", 1, 8, &threads)},
      {{"MODEL", &model}}};
  CHECK(parse_with(command, {"m", "--seed", "5", "--batch", "64", "--lr", "1", "--json",
                             "out.json", "-q", "--threads", "1,8"}) == ParseResult::run);
  CHECK(seed == 5);
  CHECK(model == "m");
  CHECK(threads == std::vector<int>{1, 8});
  const struct {
    std::vector<const char*> args;
    const char* message;
  } refusals[] = {
      {{"m", "--seed", " -1"}, "tacit-test: --seed: ' -1' is not a whole number from 0 to 2^64-1"},
      {{"m", "--seed", "+2"}, "--seed: '+2' is not a whole number"},
      {{"m", "--seed", " 5"}, "--seed: ' 5' is not"},
      {{"m", "--batch", "-4"}, "--batch: '-4' is not a whole number from 1 to 64"},
      {{"m", "--lr", "0"}, "--lr: '0' is not a number in (0, 1]"},
      {{"m", "--json", "-q"}, "--json needs a value; '-q' looks like a flag"},
      {{"m", "--json", "--quiet"}, "looks like a flag"},
      {{"m", "--json"}, "--json needs a value"},
      {{"m", "-q", "--quiet"}, "--quiet: given twice"},
      {{"m", "--seed", "1", "--seed", "2"}, "--seed: given twice"},
      {{"m", "--threads", "1,"}, "--threads: '1,' is not a comma-separated list"},
      {{"m", "--isa", "sse9"}, "--isa: 'sse9' is not one of portable"},
      {{"m", "--x"}, "tacit-test: unknown argument '--x'"},
      {{"m", "extra"}, "unknown argument 'extra'"},
      {{}, "tacit-test: expected MODEL"}};
  for (const auto& refusal : refusals) {
    CAPTURE(refusal.message);
    ParseResult result = ParseResult::run;
    const std::string message = stderr_of([&] { result = parse_with(command, refusal.args); });
    CHECK(result == ParseResult::usage_error);
    CHECK(contains(message, refusal.message));
    CHECK(contains(message, " (try --help)\n"));
  }
}
#endif

TEST_CASE("cli: --help or -h anywhere wins, over bad flags and a bad TACIT_ISA") {
  using namespace tacit_cli;
  const ScopedEnv bad_isa("TACIT_ISA", "sse9");
  tacit::Isa chosen = tacit::Isa::portable;
  const Command command{"tacit-test", {isa(&chosen)}};
  CHECK(parse_with(command, {"--bogus", "--help"}) == ParseResult::help);
  CHECK(parse_with(command, {"--isa", "-h"}) == ParseResult::help);
  CHECK(parse_with(command, {}) == ParseResult::usage_error);
}

TEST_CASE("LossWatch: not finite, or above 100 x max(1, the first loss), is divergence") {
  tacit_tools::LossWatch watch;
  CHECK_FALSE(watch.diverged(2.5));  // the first step sets the bound: 250
  CHECK(watch.limit() == 250.0);
  CHECK_FALSE(watch.diverged(249.0));
  CHECK(watch.diverged(251.0));
  CHECK(watch.diverged(std::nan("")));
  tacit_tools::LossWatch small;
  CHECK_FALSE(small.diverged(0.01));  // a bound of 100 x 1
  CHECK_FALSE(small.diverged(99.0));
  CHECK(small.diverged(101.0));
  tacit_tools::LossWatch first;
  CHECK(first.diverged(INFINITY));
  const float values[] = {1.0f, -2.0f, NAN, INFINITY};
  CHECK(tacit_tools::first_non_finite(values, 2) == 2);
  CHECK(tacit_tools::first_non_finite(values, 4) == 2);
  CHECK(tacit_tools::first_non_finite(values + 3, 1) == 0);
}

// ---- limits and refusals the tools share -----------------------------------

TEST_CASE("check_batch_fits: the model's mlp_max_batch, named in the refusal") {
  MlpSpec spec;
  const int teacher[] = {784, 256, 256, 13};
  REQUIRE(mlp_spec(teacher, 4, &spec).ok());
  CHECK(tacit_tools::check_batch_fits(spec, 342392).ok());
  const Status refused = tacit_tools::check_batch_fits(spec, 342393);
  REQUIRE_FALSE(refused.ok());
  CHECK(contains(refused.message(), "--batch 342393: expected at most 342392"));
  // One wide layer leaves fewer rows than tacit-train's default batch.
  const int wide[] = {784, 300000, 10};
  REQUIRE(mlp_spec(wide, 3, &spec).ok());
  CHECK(tacit_tools::check_batch_fits(spec, 894).ok());
  CHECK_FALSE(tacit_tools::check_batch_fits(spec, 1024).ok());
}

TEST_CASE("mnist_train_images: the headers' count, -1 for a directory it cannot read") {
  data_test::TempDir dir;
  REQUIRE(tacit_tools::write_synthetic_digits(dir.path().c_str()));
  CHECK(tacit_tools::mnist_train_images(dir.path().c_str()) == 1);
  CHECK(tacit_tools::mnist_train_images("no-such-dir/mnist") == -1);
}

TEST_CASE("check_finite: names the first NaN or infinity by layer, W or b, row and column") {
  MlpSpec spec;
  const int widths[] = {3, 4, 2};
  REQUIRE(mlp_spec(widths, 3, &spec).ok());
  std::vector<unsigned char> memory(arena_buffer_bytes(mlp_bytes(spec)));
  Arena arena(memory.data(), memory.size());
  Mlp mlp;
  REQUIRE(mlp_create(spec, arena, &mlp).ok());
  CHECK(tacit_tools::check_finite("m.tacit", mlp).ok());
  mlp.params[mlp_bias_offset(spec, 1) + 1] = -INFINITY;
  Status status = tacit_tools::check_finite("m.tacit", mlp);
  REQUIRE_FALSE(status.ok());
  CHECK(std::string(status.message()) == "m.tacit: layer 1 b[1] is -inf; expected a finite float");
  // Layer 1's W (2, 4): row 1, column 2; found before the bias.
  mlp.params[mlp_weight_offset(spec, 1) + 1 * 4 + 2] = NAN;
  status = tacit_tools::check_finite("m.tacit", mlp);
  REQUIRE_FALSE(status.ok());
  CHECK(contains(status.message(), "m.tacit: layer 1 W[1][2] is "));
  CHECK(contains(status.message(), "nan"));
}

#if defined(TOOLS_TEST_HAVE_FORK) && !defined(__SANITIZE_ADDRESS__)
// (AddressSanitizer reports a failed allocation itself and aborts.)
TEST_CASE("exit_on_out_of_memory: a failed new is a message and exit 1, not an abort") {
  data_test::TempDir dir;
  const std::string path = dir.file("stderr.txt");
  const int wstatus = in_child([&] {
    if (std::freopen(path.c_str(), "w", stderr) == nullptr) return 99;
    tacit_cli::exit_on_out_of_memory("build/tools/tacit-test");
    // An output being written: its temporary must not outlive the exit.
    static tacit_tools::OutputFile out("tacit-test");
    if (!out.open(dir.file("out.json"))) return 96;
    // More than any machine has: operator new fails, calls the handler.
    // (A direct call: a new-expression's allocation may be elided.)
    volatile std::size_t huge = ~static_cast<std::size_t>(0) / 4;
    void* volatile p = ::operator new(huge);
    return p != nullptr ? 98 : 97;  // not reached
  });
  REQUIRE(WIFEXITED(wstatus));
  CHECK(WEXITSTATUS(wstatus) == tacit_cli::kExitFailure);
  CHECK(file_text(path) == "tacit-test: out of memory\n");
  CHECK(dir.names() == std::vector<std::string>{"stderr.txt"});
}
#endif
