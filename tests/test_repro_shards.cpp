// Runs spread over processes: a shard computes exactly the runs one
// process would, the merge turns shards into the same bytes, and refuses
// what does not fit together.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"
#include "repro_test_support.h"
#include "repro/config.h"
#include "repro/csv.h"
#include "repro/experiment.h"
#include "repro/merge.h"
#include "repro/report.h"
#include "repro/results_json.h"
#include "repro/shard.h"
#include "repro/speed.h"
#include "repro/svg.h"
#include "tacit/hash.h"
#include "tacit/rng.h"
#include "tools_test_support.h"

using namespace tacit;
using namespace tools_test;

namespace {

using repro_test::parse;

repro::Config tiny_config() {
  repro::Config c = repro_test::tiny_config(2, 2, 5);
  c.count_subnormals = true;  // their tallies are merged too
  c.data = "tiny";
  return c;
}

// Runs [first, end) of config; with a hash segment, as a shard does.
repro::Results run_range(repro::Config config, int first, int end,
                         repro::HashSegment* hash = nullptr) {
  config.first_run = first;
  config.end_run = end;
  TinyMnist data(50, 30);
  std::vector<unsigned char> memory(
      arena_buffer_bytes(repro::experiment_bytes(config, data.mnist.train.count)));
  Arena arena(memory.data(), memory.size());
  repro::Results results;
  const repro::ModelObserver observer = repro::hash_segment_observer(hash);
  const Status status = repro::run_experiment(config, data.mnist, Compute{}, arena, nullptr,
                                              hash != nullptr ? &observer : nullptr, &results);
  REQUIRE_MESSAGE(status.ok(), status.message());
  return results;
}

const repro::RunEnvironment kEnvironment{"portable", 1};

std::string shard_text(const repro::Config& config, int first, int end) {
  repro::HashSegment hash;
  repro::Results results = run_range(config, first, end, &hash);
  results.config.run_range = std::to_string(first) + ":" + std::to_string(end);
  return repro::shard_json(results, hash, kEnvironment);
}

// The timings, the one part of the JSON no two processes share.
repro::Results without_timings(repro::Results results) {
  results.load_seconds = results.total_seconds = results.peak_gflops = 0.0;
  for (repro::RunResult& run : results.runs) {
    run.seconds = repro::RunTimes();
    run.speed = repro::RunSpeed();
  }
  return results;
}

std::string merge_error(const std::vector<repro::ShardText>& shards) {
  repro::Merged merged;
  std::string error;
  CHECK_FALSE(repro::merge_shards(shards, &merged, &error));
  return error;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("HashSegment: the weights hash of a stretch, from any starting state") {
  std::vector<float> values(97);
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = random_normal(5, 1, i) * (i % 7 == 0 ? 1e-30f : 1.0f);
  }
  repro::HashSegment first, second;
  first.add(values.data(), 40);
  second.add(values.data() + 40, 30);
  second.add(values.data() + 70, 27);
  for (const std::uint64_t start : {kHashStart, std::uint64_t{0}, std::uint64_t{255},
                                    std::uint64_t{0xffffffffffffffffull},
                                    std::uint64_t{0x123456789abcdef0ull}}) {
    CAPTURE(start);
    CHECK(second.apply(first.apply(start)) == hash_floats(values.data(), values.size(), start));
  }
  // A pool splits the 256 lanes; every lane and the multiplier come out the same.
  for (int threads : {2, 3, 4}) {
    CAPTURE(threads);
    tacit::ThreadPool pool(threads);
    repro::HashSegment split, serial;
    split.pool = &pool;
    split.add(values.data(), 40);
    CHECK(split.multiplier == first.multiplier);
    CHECK(std::equal(std::begin(split.from_low), std::end(split.from_low),
                     std::begin(first.from_low)));
    // A second add carries every lane on from where the first left it.
    split.add(values.data() + 40, 57);
    serial.add(values.data(), 40);
    serial.add(values.data() + 40, 57);
    CHECK(split.multiplier == serial.multiplier);
    CHECK(std::equal(std::begin(split.from_low), std::end(split.from_low),
                     std::begin(serial.from_low)));
  }
}

TEST_CASE("shards: each computes the runs one process does, and they merge to its bytes") {
  const repro::Config config = tiny_config();
  repro::Results whole = run_range(config, 0, config.runs);
  const std::vector<repro::ShardText> shards = {{"c.json", shard_text(config, 3, 5)},
                                                {"a.json", shard_text(config, 0, 2)},
                                                {"b.json", shard_text(config, 2, 3)}};
  repro::Merged merged;
  std::string error;
  REQUIRE_MESSAGE(repro::merge_shards(shards, &merged, &error), error);
  const repro::Results& m = merged.results;
  CHECK(merged.isa == "portable");
  CHECK(merged.threads == 1);
  CHECK(m.weights_hash == whole.weights_hash);
  REQUIRE(m.runs.size() == whole.runs.size());
  for (std::size_t r = 0; r < m.runs.size(); ++r) {
    CHECK(m.runs[r].weights_hash == whole.runs[r].weights_hash);
    CHECK(m.runs[r].cross_from == whole.runs[r].cross_from);
    CHECK(m.runs[r].flops > 0.0);
    CHECK(m.runs[r].flops == whole.runs[r].flops);
  }
  CHECK(m.teacher_subnormals.steps == whole.teacher_subnormals.steps);
  CHECK(m.student_subnormals.checked == whole.student_subnormals.checked);
  CHECK(repro::results_report(m) == repro::results_report(whole));
  CHECK(repro::results_csv(m) == repro::results_csv(whole));
  CHECK(repro::bar_chart_svg(repro::results_chart(m)) ==
        repro::bar_chart_svg(repro::results_chart(whole)));
  CHECK(repro::results_json(without_timings(m), kEnvironment) ==
        repro::results_json(without_timings(whole), kEnvironment));
  // A shard's own runs are the whole experiment's, to the bit.
  const repro::Results middle = run_range(config, 2, 4);
  CHECK(middle.runs[0].weights_hash == whole.runs[2].weights_hash);
  CHECK(middle.runs[1].alignment[2] == whole.runs[3].alignment[2]);
  CHECK(repro::shard_report(middle).find("runs 2 to 3 of 5") != std::string::npos);
}

TEST_CASE("merge: refuses overlapping, missing, mismatched and corrupt shards, naming them") {
  const repro::Config config = tiny_config();
  const std::string a = shard_text(config, 0, 2);
  const std::string b = shard_text(config, 2, 5);
  const std::string overlap = shard_text(config, 1, 3);
  CHECK(merge_error({{"a.json", a}, {"o.json", overlap}, {"b.json", b}}) ==
        "a.json (runs 0 to 1) and o.json (runs 1 to 2) overlap");
  CHECK(merge_error({{"b.json", b}}) == "runs 0 to 1 are in none of the files");
  CHECK(merge_error({{"a.json", a}}) == "runs 2 to 4 are in none of the files");
  CHECK(merge_error({{"a.json", a}, {"a2.json", a}, {"b.json", b}}) ==
        "a.json (runs 0 to 1) and a2.json (runs 0 to 1) overlap");
  CHECK(merge_error({{"a.json", a}, {"b.json", replaced(b, "\"seed\": 11", "\"seed\": 12")}}) ==
        "b.json: its config differs from a.json's in \"seed\" (12 here, 11 there); the shards "
        "of one experiment share every flag but --run-range, --shard, --threads, --isa, "
        "--data and the outputs");
  CHECK(merge_error({{"a.json", a}, {"b.json", b.substr(0, b.size() / 2)}})
            .rfind("b.json: not JSON: line ", 0) == 0);
  CHECK(merge_error({{"a.json", a}, {"b.json", "[]"}}) ==
        "b.json: document: is not tacit-repro's --json");
  repro::Results full = run_range(config, 0, config.runs);
  CHECK(merge_error({{"full.json", repro::results_json(full, kEnvironment)}}) ==
        "full.json: document: is not a shard's --json (it has no \"shard\"; a shard is "
        "written with --run-range or --shard)");
  CHECK(merge_error({{"a.json", replaced(a, "\"run\": 1,", "\"run\": 1, \"extra\": 2,")},
                     {"b.json", b}}) ==
        "a.json: runs[1]: does not come back the same when written again (a member or value "
        "this merge does not know)");
  const int partner = full.runs[0].cross_from;
  const std::string key = "\"cross_init_from_run\": ";
  CHECK(merge_error({{"a.json", replaced(a, key + std::to_string(partner),
                                         key + std::to_string(partner == 1 ? 2 : 1))},
                     {"b.json", b}}) ==
        "a.json: runs[0]: its seed or cross-init run is not the experiment's run 0's");
  CHECK(merge_error({{"a.json", replaced(a, "\"end_run\": 2", "\"end_run\": 3")},
                     {"b.json", b}}) ==
        "a.json (runs 0 to 2) and b.json (runs 2 to 4) overlap");
  CHECK(merge_error({{"a.json", replaced(a, "\"lr\": 0.01", "\"lr\": \"fast\"")},
                     {"b.json", b}}) == "a.json: config.lr: is not a number");
}

namespace {

// Figure 10's aux pair and every follow-up student, with every flag of
// theirs away from its default, trajectories and gradient alignment.
repro::Config students_config() {
  repro::Config c = tiny_config();
  std::string why;
  REQUIRE_MESSAGE(repro::parse_students("aux-same,aux-cross,head-all,perturbed:0.5,matched,"
                                        "projected,liminal", &c.students, &why), why);
  c.activation = Activation::tanh;
  c.match_epochs = 2;
  c.trait_batch = 8;
  c.liminal_weight = 0.5;
  c.points_per_epoch = 2;
  c.gradient_alignment = true;
  return c;
}

}  // namespace

TEST_CASE("shards: the students' flags, trajectories and gradients merge to one process's bytes") {
  const repro::Config config = students_config();
  const repro::Results whole = run_range(config, 0, config.runs);
  REQUIRE(whole.runs[0].trajectory_accuracy[0].size() == 1 + 2 * 2);
  REQUIRE(whole.runs[0].gradient[5].size() == 2);  // projected
  REQUIRE(whole.runs[0].match_loss.size() == 2);
  const std::vector<repro::ShardText> shards = {{"b.json", shard_text(config, 2, 5)},
                                                {"a.json", shard_text(config, 0, 2)}};
  repro::Merged merged;
  std::string error;
  REQUIRE_MESSAGE(repro::merge_shards(shards, &merged, &error), error);
  const repro::Results& m = merged.results;
  CHECK(m.config.students == config.students);
  CHECK(m.config.activation == Activation::tanh);
  CHECK(m.weights_hash == whole.weights_hash);
  CHECK(repro::results_report(m) == repro::results_report(whole));
  CHECK(repro::results_csv(m) == repro::results_csv(whole));
  CHECK(repro::bar_chart_svg(repro::results_chart(m)) ==
        repro::bar_chart_svg(repro::results_chart(whole)));
  CHECK(repro::trajectory_svg(m) == repro::trajectory_svg(whole));
  const std::string json = repro::results_json(without_timings(whole), kEnvironment);
  CHECK(repro::results_json(without_timings(m), kEnvironment) == json);
  for (const char* member : {"\"activation\": \"tanh\"", "\"liminal_weight\": 0.5",
                             "\"match_epochs\": 2", "\"trait_batch\": 8",
                             "\"points_per_epoch\": 2", "\"trajectory_summary\"",
                             "\"max_cosine_after_projection\"", "\"matching\"",
                             "\"student_perturbed_0.5\""}) {
    CAPTURE(member);
    CHECK(json.find(member) != std::string::npos);
  }

  // Shards of another configuration, one flag of the students' apart.
  const std::string a = shards[1].text;
  const auto differing = [&](repro::Config other, const char* member) {
    CAPTURE(member);
    const std::string error = merge_error({{"a.json", a}, {"b.json", shard_text(other, 2, 5)}});
    CHECK(error.rfind(std::string("b.json: its config differs from a.json's in \"") + member +
                          "\"", 0) == 0);
  };
  repro::Config other = config;
  other.activation = Activation::gelu;
  differing(other, "activation");
  other = config;
  other.students.pop_back();
  differing(other, "students");
  other = config;
  other.liminal_weight = 2.0;
  differing(other, "liminal_weight");
  other = config;
  other.match_epochs = 1;
  differing(other, "match_epochs");
  other = config;
  other.trait_batch = 16;
  differing(other, "trait_batch");
  other = config;
  other.points_per_epoch = 1;
  differing(other, "points_per_epoch");
  other = config;
  other.gradient_alignment = false;
  differing(other, "gradient_alignment");

  // A run's records of the students are read back exactly, or refused.
  const std::string b = shards[0].text;
  CHECK(merge_error({{"a.json", replaced(a, "\"trajectory\"", "\"trajectories\"")},
                     {"b.json", b}}) == "a.json: runs[0]: no \"trajectory\"");
  CHECK(merge_error({{"a.json", replaced(a, "\"max_cosine_after_projection\"", "\"after\"")},
                     {"b.json", b}})
            .rfind("a.json: runs[0].gradient_alignment.student_projected[0]: no ", 0) == 0);
  CHECK(merge_error({{"a.json", replaced(a, "\"distance_after\": ",
                                         "\"distance_after\": 1, \"extra\": ")},
                     {"b.json", b}}) ==
        "a.json: runs[0]: does not come back the same when written again (a member or value "
        "this merge does not know)");
}

namespace {


}  // namespace

TEST_CASE("flags: --run-range and --shard choose runs; bad ranges are usage errors") {
  const ScopedEnv no_isa("TACIT_ISA", nullptr);  // parsing reads it
  repro::Config c;
  REQUIRE(parse({"--runs", "10", "--run-range", "3:7", "--json", "s.json"}, &c) ==
          repro::ParseResult::run);
  CHECK(c.first_run == 3);
  CHECK(c.end_run == 7);
  CHECK(repro::is_shard(c));
  // Shard I of N: [floor(I·runs/N), floor((I+1)·runs/N)).
  const int expected[3][2] = {{0, 3}, {3, 6}, {6, 10}};
  for (int i = 0; i < 3; ++i) {
    const std::string shard = std::to_string(i) + "/3";
    REQUIRE(parse({"--shard", shard.c_str(), "--runs", "10", "--json", "s.json"}, &c) ==
            repro::ParseResult::run);
    CHECK(c.first_run == expected[i][0]);
    CHECK(c.end_run == expected[i][1]);
  }
  REQUIRE(parse({}, &c) == repro::ParseResult::run);
  CHECK(c.first_run == 0);
  CHECK(c.end_run == c.runs);
  CHECK_FALSE(repro::is_shard(c));
  for (const std::vector<const char*>& bad : std::vector<std::vector<const char*>>{
           {"--run-range", "3:2"}, {"--run-range", "2:2"}, {"--run-range", "0:11"},
           {"--run-range", "a:b"}, {"--run-range", "3"}, {"--run-range", "-1:2"},
           {"--run-range", "1:2:3"}, {"--shard", "3/3"}, {"--shard", "0/0"},
           {"--shard", "0/11"}, {"--shard", "1"}, {"--shard", "1/2/3"}}) {
    CAPTURE(bad[1]);
    std::vector<const char*> args = bad;
    for (const char* more : {"--runs", "10", "--json", "s.json"}) args.push_back(more);
    CHECK(parse(args, &c) == repro::ParseResult::usage_error);
  }
#if defined(TOOLS_TEST_HAVE_STDERR_CAPTURE)
  CHECK(stderr_of([&] { parse({"--shard", "2/2", "--json", "s"}, &c); }) ==
        "tacit-repro: --shard: '2/2' is not I/N with 0 <= I < N <= --runs (100) "
        "(try --help)\n");
  CHECK(stderr_of([&] { parse({"--shard", "0/2"}, &c); }) ==
        "tacit-repro: --shard needs --json FILE: a shard's runs reach tacit-repro merge only "
        "through it (try --help)\n");
  CHECK(parse({"--shard", "0/2", "--json", "s", "--points-per-epoch", "1", "--trajectory-svg",
               "t.svg"}, &c) == repro::ParseResult::usage_error);
  CHECK(stderr_of([&] { parse({"--shard", "0/2", "--json", "s", "--csv", "c"}, &c); }) ==
        "tacit-repro: --shard: --csv, --svg, --trajectory-svg and --expect-transfer are for "
        "all the runs; give them to tacit-repro merge (try --help)\n");
  CHECK(stderr_of([&] {
          parse({"--shard", "0/2", "--run-range", "0:1", "--json", "s"}, &c);
        }) == "tacit-repro: --run-range and --shard both choose the runs; give one "
              "(try --help)\n");
#endif
}

namespace {

// tacit-repro merge ARGS..., as main calls it.
int merge_main(std::vector<std::string> args) {
  args.insert(args.begin(), "merge");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(&arg[0]);
  argv.push_back(nullptr);
  return repro::merge_main(static_cast<int>(args.size()), argv.data());
}

void write_text(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(std::fwrite(text.data(), 1, text.size(), f) == text.size());
  std::fclose(f);
}

}  // namespace

TEST_CASE("merge: an output naming one of the input shards is a usage error") {
  data_test::TempDir dir;
  const repro::Config config = tiny_config();
  const std::string a = shard_text(config, 0, 2), b = shard_text(config, 2, 5);
  const std::string s0 = dir.file("s0.json"), s1 = dir.file("s1.json");
  write_text(s0, a);
  write_text(s1, b);
  const std::string dotted = dir.path() + "/./sub/../s0.json";
  const std::string linked = dir.file("link.json");
  std::error_code ec;
  std::filesystem::create_hard_link(s0, linked, ec);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{s0, s1, "--json", s0},
        std::vector<std::string>{s0, s1, "--csv", s1},
        std::vector<std::string>{s0, s1, "--svg", dotted},
        std::vector<std::string>{s0, s1, "--trajectory-svg", s0}}) {
    CAPTURE(args[3]);
    int exit = -1;
#if defined(TOOLS_TEST_HAVE_STDERR_CAPTURE)
    const std::string err = stderr_of([&] { exit = merge_main(args); });
    CHECK(contains(err, args[2] + " names an input file"));
#else
    exit = merge_main(args);
#endif
    CHECK(exit == 2);
    CHECK(file_text(s0) == a);
    CHECK(file_text(s1) == b);
  }
  if (!ec) {
    CHECK(merge_main({s0, s1, "--json", linked}) == 2);
    CHECK(file_text(s0) == a);
  }
  // Outputs elsewhere are fine.
  CHECK(merge_main({s0, s1, "--json", dir.file("merged.json")}) == 0);
  CHECK(file_text(s0) == a);
}

TEST_CASE("merge: shards whose perturbed students' sigmas differ in the 7th digit are refused") {
  repro::Config config = tiny_config();
  config.runs = 2;
  std::string why;
  REQUIRE(repro::parse_students("aux-same,perturbed:0.1234567", &config.students, &why));
  repro::Config other = config;
  REQUIRE(repro::parse_students("aux-same,perturbed:0.1234568", &other.students, &why));
  const std::string a = shard_text(config, 0, 1);
  CHECK(a.find("\"perturbed:0.1234567\"") != std::string::npos);
  CHECK(a.find("\"student_perturbed_0.1234567\"") != std::string::npos);
  const std::string error = merge_error({{"a.json", a}, {"b.json", shard_text(other, 1, 2)}});
  CHECK(error.rfind("b.json: its config differs from a.json's in \"students\"", 0) == 0);
  // And the same sigma merges.
  repro::Merged merged;
  REQUIRE_MESSAGE(repro::merge_shards({{"a.json", a}, {"b.json", shard_text(config, 1, 2)}},
                                      &merged, &why), why);
  CHECK(merged.results.config.students == config.students);
}

TEST_CASE("merge: shards without what --trajectory-svg or --expect-transfer needs are data errors") {
  data_test::TempDir dir;
  repro::Config config = tiny_config();
  config.runs = 2;
  std::string why;
  REQUIRE(repro::parse_students("aux-same,all-same", &config.students, &why));
  const std::string s0 = dir.file("s0.json"), s1 = dir.file("s1.json");
  write_text(s0, shard_text(config, 0, 1));
  write_text(s1, shard_text(config, 1, 2));
#if defined(TOOLS_TEST_HAVE_STDERR_CAPTURE)
  int exit = -1;
  CHECK(contains(stderr_of([&] {
                   exit = merge_main({s0, s1, "--trajectory-svg", dir.file("t.svg")});
                 }),
                 "--trajectory-svg: the shards have no trajectories"));
  CHECK(exit == 1);
  CHECK(contains(stderr_of([&] { exit = merge_main({s0, s1, "--expect-transfer", "0.1"}); }),
                 "the shards' --students do not name both"));
  CHECK(exit == 1);
#endif
  CHECK(merge_main({s0, s1, "--trajectory-svg", dir.file("t.svg")}) == 1);
  CHECK(merge_main({s0, s1, "--expect-transfer", "0.1"}) == 1);
  CHECK(merge_main({s0, s1}) == 0);
}

TEST_CASE("merge: refuses a run whose accuracy is not its correct / test_images, and unknown "
          "members of a shard") {
  const repro::Config config = tiny_config();
  const std::string b = shard_text(config, 2, 5);
  const auto tampered = [&](int condition, int delta_correct, double delta_accuracy) {
    repro::HashSegment hash;
    repro::Results results = run_range(config, 0, 2, &hash);
    results.config.run_range = "0:2";
    results.runs[1].correct[condition] += delta_correct;
    results.runs[1].accuracy[condition] += delta_accuracy;
    return repro::shard_json(results, hash, kEnvironment);
  };
  const std::string a = tampered(0, 0, 0.0);
  repro::Merged merged;
  std::string error;
  REQUIRE_MESSAGE(repro::merge_shards({{"a.json", a}, {"b.json", b}}, &merged, &error), error);
  const std::string key = repro::condition_info(config, 2).key;
  CHECK(merge_error({{"a.json", tampered(2, 1, 0.0)}, {"b.json", b}})
            .rfind("a.json: runs[1].accuracy." + key + ": is ", 0) == 0);
  CHECK(merge_error({{"a.json", tampered(2, 0, 1e-12)}, {"b.json", b}})
            .rfind("a.json: runs[1].accuracy." + key + ": is ", 0) == 0);
  // Top-level members a shard does not write.
  CHECK(merge_error({{"a.json", replaced(a, "\"program\": \"tacit-repro\",",
                                         "\"program\": \"tacit-repro\", \"extra\": 1,")},
                     {"b.json", b}}) ==
        "a.json: document: has \"extra\", which a shard's --json does not (a member this merge "
        "does not know)");
  CHECK(merge_error({{"a.json", replaced(a, "\"program\": \"tacit-repro\",",
                                         "\"program\": \"tacit-repro\", \"weights_hash\": "
                                         "\"0\",")},
                     {"b.json", b}})
            .rfind("a.json: document: has \"weights_hash\"", 0) == 0);
}

TEST_CASE("merge: refuses a run whose flops are not run 0's") {
  const repro::Config config = tiny_config();
  // Runs [0, 2), the second's flops moved by `extra`.
  const auto shard = [&](double extra) {
    repro::HashSegment hash;
    repro::Results results = run_range(config, 0, 2, &hash);
    results.config.run_range = "0:2";
    results.runs[1].flops += extra;
    return std::make_pair(results, repro::shard_json(results, hash, kEnvironment));
  };
  const auto a = shard(0.0);
  const std::string b = shard_text(config, 2, 5);
  repro::Merged merged;
  std::string error;
  REQUIRE_MESSAGE(repro::merge_shards({{"a.json", a.second}, {"b.json", b}}, &merged, &error),
                  error);
  const std::string flops = std::to_string(static_cast<long long>(a.first.runs[1].flops));
  CHECK(merge_error({{"a.json", shard(2.0).second}, {"b.json", b}}) ==
        "a.json: runs[1].flops: is " +
            std::to_string(static_cast<long long>(a.first.runs[1].flops) + 2) +
            ", not run 0's " + flops +
            " (every run of one configuration makes the same products)");
  CHECK(merge_error({{"a.json", replaced(a.second, "\"flops\": " + flops,
                                         "\"flops\": " + flops + ".5")},
                     {"b.json", b}})
            .rfind("a.json: runs[0].flops: '" + flops + ".5' is not a whole number", 0) == 0);
}

TEST_CASE("merge: carries each run's speed as its shard wrote it, and rates the runs against "
          "the shards' peaks as one") {
  const repro::Config config = tiny_config();
  // Runs [first, end) rated against `peak`.
  const auto shard = [&](int first, int end, double peak) {
    repro::HashSegment hash;
    repro::Results results = run_range(config, first, end, &hash);
    results.config.run_range = std::to_string(first) + ":" + std::to_string(end);
    repro::rate_against_peak(peak, &results);
    return std::make_pair(results, repro::shard_json(results, hash, kEnvironment));
  };
  const auto a = shard(0, 2, 100.0);
  const auto b = shard(2, 5, 50.0);
  repro::Merged merged;
  std::string error;
  REQUIRE_MESSAGE(repro::merge_shards({{"a.json", a.second}, {"b.json", b.second}}, &merged,
                                      &error),
                  error);
  const repro::Results& m = merged.results;
  for (std::size_t r = 0; r < 5; ++r) {
    const repro::RunResult& written = r < 2 ? a.first.runs[r] : b.first.runs[r - 2];
    CHECK(m.runs[r].speed.gflops == written.speed.gflops);
    CHECK(m.runs[r].speed.fraction_of_peak == written.speed.fraction_of_peak);
  }
  // Every run makes F FLOPs: 2F at 100 GFLOP/s and 3F at 50 take as long
  // as 5F at 5 / (2/100 + 3/50) = 62.5 GFLOP/s.
  CHECK(m.peak_gflops == doctest::Approx(62.5));
  const repro::SpeedSummary speed = repro::summarize_speed(m);
  CHECK(speed.flops == 5 * m.runs[0].flops);
  CHECK(speed.fraction_of_peak == speed.gflops / m.peak_gflops);
  // A shard without a peak leaves the merge none.
  repro::Merged unrated;
  REQUIRE(repro::merge_shards({{"a.json", a.second}, {"b.json", shard(2, 5, 0.0).second}},
                              &unrated, &error));
  CHECK(unrated.results.peak_gflops == 0.0);
  CHECK(std::isnan(unrated.results.runs[3].speed.fraction_of_peak));
}
