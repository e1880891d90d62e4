// tacit-repro's flags: the paper's defaults, every knob, refusals and
// their messages.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "repro_test_support.h"
#include "repro/config.h"
#include "tools_test_support.h"

using namespace tacit;
using namespace subliminal;
using namespace tools_test;

// ---- flags ---------------------------------------------------------------

namespace {

using repro_test::parse;


}  // namespace

#if defined(TOOLS_TEST_HAVE_STDERR_CAPTURE)
TEST_CASE("flags: every refusal names the tool and points at --help") {
  const ScopedEnv no_isa("TACIT_ISA", nullptr);  // parsing reads it
  repro::Config c;
  for (const std::vector<const char*>& bad :
       std::vector<std::vector<const char*>>{{"--batch", "0"}, {"--runs"}, {"--seed", "-4"},
                                             {"--frobnicate"}}) {
    CAPTURE(bad[0]);
    const std::string message = stderr_of([&] { parse(bad, &c); });
    CHECK(message.rfind("tacit-repro: ", 0) == 0);
    CHECK(contains(message, "(try --help)\n"));
  }
}
#endif

// --temperature 1e-40 printed -nan alignments and every student at 0.0840.
TEST_CASE("flags: a temperature that float division cannot use is refused") {
  const ScopedEnv no_isa("TACIT_ISA", nullptr);  // parsing reads it
  repro::Config c;
  CHECK(parse({"--temperature", "1e-40"}, &c) == repro::ParseResult::usage_error);
  CHECK(parse({"--temperature", "1e-38"}, &c) == repro::ParseResult::usage_error);
  REQUIRE(parse({"--temperature", "1.2e-38"}, &c) == repro::ParseResult::run);
  CHECK(c.temperature == 1.2e-38);
  REQUIRE(parse({"--allow-divergence"}, &c) == repro::ParseResult::run);
  CHECK(c.allow_divergence);
}

// --json X --csv X would have two writers race for one file: refused
// before any work, however the two names spell it.
TEST_CASE("flags: two outputs naming the same file are a usage error") {
  const ScopedEnv no_isa("TACIT_ISA", nullptr);  // parsing reads it
  repro::Config c;
  for (const std::vector<const char*>& same :
       std::vector<std::vector<const char*>>{{"--json", "out", "--csv", "out"},
                                             {"--json", "out", "--svg", "./out"},
                                             {"--csv", "x/../out", "--svg", "out"}}) {
    CAPTURE(same[0]);
    CHECK(parse(same, &c) == repro::ParseResult::usage_error);
  }
  CHECK(parse({"--json", "out.json", "--csv", "out.csv", "--svg", "out.svg"}, &c) ==
        repro::ParseResult::run);
#if defined(TOOLS_TEST_HAVE_STDERR_CAPTURE)
  const std::string message = stderr_of([&] { parse({"--json", "a", "--csv", "./a"}, &c); });
  CHECK(message == "tacit-repro: --json and --csv name the same file (a and ./a); "
                   "each output needs its own (try --help)\n");
#endif
}

TEST_CASE("flags: --help wins over a TACIT_ISA that cannot be used") {
  const ScopedEnv bad_isa("TACIT_ISA", "sse9");
  repro::Config c;
  CHECK(parse({"--runs", "3", "--help"}, &c) == repro::ParseResult::help);
  CHECK(parse({"--runs", "3"}, &c) == repro::ParseResult::usage_error);
  // An explicit --isa needs no TACIT_ISA.
  REQUIRE(parse({"--runs", "3", "--isa", "portable"}, &c) == repro::ParseResult::run);
  CHECK(c.isa == Isa::portable);
}

TEST_CASE("flags: the paper's defaults, every knob, and refusals") {
  const ScopedEnv no_isa("TACIT_ISA", nullptr);  // parsing reads it
  const ScopedEnv no_mnist_dir("TACIT_MNIST_DIR", nullptr);
  repro::Config c;
  REQUIRE(parse({}, &c) == repro::ParseResult::run);
  CHECK(c.runs == 100);
  CHECK(c.seed == 0);
  CHECK(c.aux == 3);
  CHECK(repro::widths_text(c) == "784-256-256-10+3");
  CHECK(c.lr == 3e-4);
  CHECK(c.batch == 1024);
  CHECK(c.teacher_epochs == 5);
  CHECK(c.student_epochs == 5);
  CHECK(c.noise == NoiseKind::uniform);
  CHECK(c.noise_images == 60000);
  CHECK(c.student_loss == DistillLoss::kl);
  CHECK(c.temperature == 1.0);
  CHECK(c.threads == hardware_threads());
  CHECK(c.data == "data/mnist");
  CHECK_FALSE(c.quiet);
  CHECK_FALSE(c.expect_transfer);
  CHECK_FALSE(c.count_subnormals);

  REQUIRE(parse({"--aux", "10", "--hidden", "512", "--lr", "1e-3", "--batch", "64",
                 "--teacher-epochs", "2", "--student-epochs", "50", "--noise", "normal",
                 "--student-loss", "mse", "--temperature", "2.5", "--threads", "1",
                 "--isa", "portable", "--data", "x/y", "--seed", "99", "--runs", "3",
                 "--json", "a.json", "--csv", "a.csv", "--svg", "a.svg", "--quiet",
                 "--expect-transfer", "0.25"},
                &c) == repro::ParseResult::run);
  CHECK(repro::widths_text(c) == "784-512-512-10+10");
  CHECK(c.lr == 1e-3);
  CHECK(c.batch == 64);
  CHECK(c.teacher_epochs == 2);
  CHECK(c.student_epochs == 50);
  CHECK(c.noise == NoiseKind::normal);
  CHECK(c.student_loss == DistillLoss::squared_error);
  CHECK(c.temperature == 2.5);
  CHECK(c.threads == 1);
  CHECK(c.isa == Isa::portable);
  CHECK(c.data == "x/y");
  CHECK(c.seed == 99);
  CHECK(c.runs == 3);
  CHECK(c.json == "a.json");
  CHECK(c.csv == "a.csv");
  CHECK(c.svg == "a.svg");
  CHECK(c.quiet);
  CHECK(c.expect_transfer);
  CHECK(c.transfer_margin == 0.25);
  REQUIRE(parse({"--count-subnormals"}, &c) == repro::ParseResult::run);
  CHECK(c.count_subnormals);
  CHECK_FALSE(c.profile);
  REQUIRE(parse({"--profile"}, &c) == repro::ParseResult::run);
  CHECK(c.profile);

  REQUIRE(parse({"--hidden", "100,50,20"}, &c) == repro::ParseResult::run);
  CHECK(repro::widths_text(c) == "784-100-50-20-10+3");
  CHECK(parse({"--runs", "5", "--help"}, &c) == repro::ParseResult::help);

  for (const std::vector<const char*>& bad :
       std::vector<std::vector<const char*>>{{"--runs", "1"}, {"--runs"}, {"--lr", "0"},
                                             {"--lr", "nan"}, {"--batch", "0"},
                                             {"--noise", "pink"}, {"--student-loss", "l1"},
                                             {"--hidden", "256,"}, {"--hidden", "0"},
                                             {"--isa", "sse9"}, {"--temperature", "-1"},
                                             {"--seed", "-4"}, {"--json", ""},
                                             {"--frobnicate"}, {"extra"},
                                             {"--seed", " -1"}, {"--seed", " 5"},
                                             {"--seed", "+2"}, {"--seed", "5 "},
                                             {"--json", "-q"}, {"--csv", "--quiet"},
                                             {"--quiet", "-q"}, {"--runs", "3", "--runs", "4"},
                                             {"--lr", " 1e-3"}, {"--hidden", "256 "}}) {
    CAPTURE(bad[0]);
    CHECK(parse(bad, &c) == repro::ParseResult::usage_error);
  }
}

// Limits that depend on more than one flag are refused while parsing (exit
// 2, before MNIST is read), naming the limit; not after the data is loaded.
TEST_CASE("flags: the model's parameter limit and the batch it holds are usage errors") {
  const ScopedEnv no_isa("TACIT_ISA", nullptr);  // parsing reads it
  repro::Config c;
  // Two hidden layers of W: W^2 + 799 W + 13 parameters with --aux 3.
  CHECK(parse({"--hidden", "15989", "--data", "no-such-dir"}, &c) == repro::ParseResult::run);
  CHECK(parse({"--hidden", "15990", "--data", "no-such-dir"}, &c) ==
        repro::ParseResult::usage_error);
  CHECK(parse({"--hidden", "15989", "--aux", "10"}, &c) == repro::ParseResult::usage_error);
  // mlp_max_batch of 784-256-256-13: 2^28 / 784.
  CHECK(parse({"--batch", "342392"}, &c) == repro::ParseResult::run);
  CHECK(parse({"--batch", "342393"}, &c) == repro::ParseResult::usage_error);
  CHECK(parse({"--hidden", "15989", "--batch", "16789"}, &c) ==
        repro::ParseResult::usage_error);
#if defined(TOOLS_TEST_HAVE_STDERR_CAPTURE)
  const std::string hidden = stderr_of([&] { parse({"--hidden", "16384"}, &c); });
  CHECK(contains(hidden, "784-16384-16384-10+3"));
  CHECK(contains(hidden, "expected at most 268435456"));
  CHECK(contains(hidden, "(try --help)"));
  const std::string batch = stderr_of([&] { parse({"--batch", "1000000"}, &c); });
  CHECK(contains(batch, "--batch 1000000: expected at most 342392"));
#endif
}

TEST_CASE("flags: --students, the conditions' knobs, trajectories and --activation") {
  const ScopedEnv no_isa("TACIT_ISA", nullptr);  // parsing reads it
  repro::Config c;
  REQUIRE(parse({}, &c) == repro::ParseResult::run);
  CHECK(repro::default_students(c.students));
  CHECK(repro::student_list_text(c.students) == "aux-same,all-same,aux-cross,all-cross");
  CHECK(c.activation == Activation::relu);
  CHECK(c.match_epochs == 1);
  CHECK(c.trait_batch == 1024);
  CHECK(c.liminal_weight == 1.0);
  CHECK(c.points_per_epoch == 0);
  CHECK_FALSE(c.gradient_alignment);
  CHECK(c.trajectory_svg.empty());

  REQUIRE(parse({"--students", "liminal,perturbed:0.050,head-aux,head-all,matched,projected",
                 "--activation", "gelu", "--match-epochs", "3", "--trait-batch", "64",
                 "--liminal-weight", "0.5", "--points-per-epoch", "4", "--gradient-alignment",
                 "--trajectory-svg", "t.svg", "--svg", "b.svg"},
                &c) == repro::ParseResult::run);
  CHECK(repro::student_list_text(c.students) ==
        "liminal,perturbed:0.05,head-aux,head-all,matched,projected");
  CHECK(c.students[1].kind == repro::StudentKind::perturbed);
  CHECK(c.students[1].sigma == 0.05);
  CHECK(c.activation == Activation::gelu);
  CHECK(c.match_epochs == 3);
  CHECK(c.trait_batch == 64);
  CHECK(c.liminal_weight == 0.5);
  CHECK(c.points_per_epoch == 4);
  CHECK(c.gradient_alignment);
  CHECK(c.trajectory_svg == "t.svg");
  REQUIRE(parse({"--activation", "tanh"}, &c) == repro::ParseResult::run);
  CHECK(mlp_activation(repro::config_spec(c), 1) == Activation::tanh);
  REQUIRE(parse({"--points-per-epoch", "59"}, &c) == repro::ParseResult::run);

  for (const std::vector<const char*>& bad : std::vector<std::vector<const char*>>{
           {"--students", ""}, {"--students", "aux-same,"}, {"--students", "teacher"},
           {"--students", "aux-same,aux-same"}, {"--students", "perturbed"},
           {"--students", "perturbed:"}, {"--students", "perturbed:-1"},
           {"--students", "perturbed:nan"}, {"--students", "perturbed:2000"},
           {"--students", "matched:1"}, {"--students", "perturbed:0.1,perturbed:0.10"},
           {"--students", "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q"},
           {"--activation", "swish"}, {"--match-epochs", "-1"}, {"--trait-batch", "0"},
           {"--liminal-weight", "-0.5"}, {"--points-per-epoch", "-1"},
           // 60000 noise images in batches of 1024: 59 steps an epoch.
           {"--points-per-epoch", "60"},
           {"--trajectory-svg", "t.svg"},
           {"--points-per-epoch", "2", "--trajectory-svg", "x", "--json", "./x"},
           {"--students", "aux-same,all-same", "--expect-transfer", "0.2"},
           {"--students", "projected", "--trait-batch", "400000"}}) {
    CAPTURE(bad[0]);
    CAPTURE(bad.size() > 1 ? bad[1] : "");
    CHECK(parse(bad, &c) == repro::ParseResult::usage_error);
  }
  // A trait batch only matters where a trait gradient is computed.
  CHECK(parse({"--trait-batch", "400000"}, &c) == repro::ParseResult::run);
#if defined(TOOLS_TEST_HAVE_STDERR_CAPTURE)
  CHECK(stderr_of([&] { parse({"--students", "aux-same,hed-aux"}, &c); }) ==
        "tacit-repro: --students: 'aux-same,hed-aux' names 'hed-aux'; expected aux-same, "
        "all-same, aux-cross, all-cross, head-aux, head-all, perturbed:SIGMA, matched, "
        "projected or liminal (try --help)\n");
  CHECK(stderr_of([&] { parse({"--trajectory-svg", "t.svg"}, &c); }) ==
        "tacit-repro: --trajectory-svg needs --points-per-epoch K (K >= 1) (try --help)\n");
  CHECK(contains(stderr_of([&] { parse({"--points-per-epoch", "60"}, &c); }),
                 "--points-per-epoch is 60; an epoch of the students has 59 steps"));
#endif
}

TEST_CASE("students: a perturbed student's name carries its sigma exactly") {
  repro::Config c;
  REQUIRE(parse({"--students", "perturbed:0.1,perturbed:0.1234567,perturbed:0.10000001,"
                 "perturbed:1e-300,perturbed:0"}, &c) == repro::ParseResult::run);
  CHECK(repro::student_list_text(c.students) ==
        "perturbed:0.1,perturbed:0.1234567,perturbed:0.10000001,perturbed:1e-300,perturbed:0");
  CHECK(c.students[1].sigma == 0.1234567);
  // Every name reads back as the sigma it names, bit for bit.
  for (const double sigma : {0.1, 0.1234567, 0.1234568, 1.0 / 3.0, 0.1 + 0.2, 999.9999999999999,
                             5e-324, 0.0}) {
    CAPTURE(sigma);
    repro::Student s{repro::StudentKind::perturbed};
    s.sigma = sigma;
    std::vector<repro::Student> back;
    std::string why;
    REQUIRE_MESSAGE(repro::parse_students(repro::student_name(s).c_str(), &back, &why), why);
    REQUIRE(back.size() == 1);
    CHECK(back[0].sigma == sigma);
    CHECK(repro::student_name(back[0]) == repro::student_name(s));
  }
  CHECK(repro::sigma_text(0.1) == "0.1");
  CHECK(repro::sigma_text(0.1 + 0.2) == "0.30000000000000004");
  // One sigma, however spelled, is one student; -0 is 0.
  CHECK(parse({"--students", "perturbed:0.1,perturbed:0.1000"}, &c) ==
        repro::ParseResult::usage_error);
  CHECK(parse({"--students", "perturbed:0,perturbed:-0"}, &c) == repro::ParseResult::usage_error);
}

#if defined(TOOLS_TEST_HAVE_STDERR_CAPTURE)
TEST_CASE("flags: a student's flag no listed student uses is warned about, not refused") {
  repro::Config c;
  repro::ParseResult result = repro::ParseResult::usage_error;
  CHECK(stderr_of([&] { result = parse({"--match-epochs", "2"}, &c); }) ==
        "tacit-repro: warning: --match-epochs is given but no student in --students uses it "
        "(matched does)\n");
  CHECK(result == repro::ParseResult::run);
  CHECK(stderr_of([&] { result = parse({"--liminal-weight", "0.5"}, &c); }) ==
        "tacit-repro: warning: --liminal-weight is given but no student in --students uses "
        "it (liminal does)\n");
  CHECK(result == repro::ParseResult::run);
  CHECK(contains(stderr_of([&] { result = parse({"--trait-batch", "64"}, &c); }),
                 "warning: --trait-batch is given but no student in --students uses it"));
  CHECK(result == repro::ParseResult::run);
  // Used: no word.
  CHECK(stderr_of([&] {
          result = parse({"--students", "matched,liminal,projected", "--match-epochs", "2",
                          "--liminal-weight", "0.5", "--trait-batch", "64"}, &c);
        }).empty());
  CHECK(result == repro::ParseResult::run);
  CHECK(stderr_of([&] { parse({"--gradient-alignment", "--trait-batch", "64"}, &c); }).empty());
  CHECK(stderr_of([&] { parse({}, &c); }).empty());
}

TEST_CASE("flags: a temperature with the squared-error loss, which has none, is warned about") {
  repro::Config c;
  repro::ParseResult result = repro::ParseResult::usage_error;
  CHECK(stderr_of([&] {
          result = parse({"--student-loss", "mse", "--temperature", "2"}, &c);
        }) == "tacit-repro: warning: --temperature sets the temperature, which only the KL "
              "loss uses; --student-loss mse has none\n");
  CHECK(result == repro::ParseResult::run);
  CHECK(contains(stderr_of([&] {
                   parse({"--student-loss", "mse", "--sweep", "temperature=1,2"}, &c);
                 }), "warning: --sweep sweeps the temperature"));
  CHECK(stderr_of([&] { parse({"--temperature", "2"}, &c); }).empty());
  CHECK(stderr_of([&] {
          parse({"--temperature", "2", "--sweep", "student-loss=kl,mse"}, &c);
        }).empty());
}
#endif
