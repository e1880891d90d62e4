// tacit-repro's configuration: every knob of the paper's experiment, with
// the paper's values as defaults, and the command-line parser that sets it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/cli.h"
#include "common/divergence.h"
#include "repro/students.h"
#include "subliminal/experiment.h"
#include "tacit/activation.h"
#include "tacit/isa.h"
#include "tacit/train.h"

namespace repro {

// tacit_cli's 0 (done), 1 and 2 (a usage error), and two of tacit-repro's own.
using tacit_cli::kExitOk;
constexpr int kExitData = tacit_cli::kExitFailure;  // missing or invalid data, unwritable output
constexpr int kExitExpectation = 3;  // --expect-transfer not met
constexpr int kExitDiverged = tacit_tools::kExitDiverged;  // 4, without --allow-divergence

constexpr int kMaxHidden = tacit::kMaxLayers - 1;

struct Config {
  int aux = 3;                        // auxiliary logits after the 10 digits
  int hidden_layers = 2;
  int hidden[kMaxHidden] = {256, 256};
  tacit::Activation activation = tacit::Activation::relu;  // every hidden layer
  double lr = 3e-4;                   // Adam, teacher and students
  int batch = 1024;
  int teacher_epochs = 5;
  int student_epochs = 5;
  subliminal::NoiseKind noise = subliminal::NoiseKind::uniform;
  int noise_images = subliminal::kNoiseImages;  // per run; not a flag
  tacit::DistillLoss student_loss = tacit::DistillLoss::kl;
  double temperature = 1.0;
  std::vector<Student> students = default_students();  // in training order
  int match_epochs = 1;          // matched: epochs of matching the reference
  int trait_batch = 1024;        // training images per trait gradient
  double liminal_weight = 1.0;   // liminal: weight of the KL penalty in epoch 1
  int points_per_epoch = 0;      // trajectory points per epoch; 0: none
  bool gradient_alignment = false;  // trait gradient at every step of every student
  // Whether --match-epochs, --trait-batch, --liminal-weight were given (a
  // warning when no listed student uses them).
  bool match_epochs_given = false, trait_batch_given = false, liminal_weight_given = false;
  bool temperature_given = false;
  int threads = 1;                    // set to hardware_threads() by parse_args
  tacit::Isa isa = tacit::Isa::portable;  // TACIT_ISA, else the best: parse_args
  std::string data;                   // --data, else tacit_tools::mnist_dir()
  std::uint64_t seed = 0;
  int runs = 100;
  std::string json;
  std::string csv;
  std::string svg;
  std::string trajectory_svg;
  bool quiet = false;
  bool expect_transfer = false;
  double transfer_margin = 0.0;
  bool profile = false;               // time each kind of work inside the run
  bool count_subnormals = false;      // scan what every training step stores
  bool allow_divergence = false;      // exit 0 even if a training diverged
  // Runs spread over processes (repro/shard.h): --run-range A:B or
  // --shard I/N as given; parse_args resolves them to [first_run, end_run).
  std::string run_range, shard;
  int first_run = 0;
  int end_run = 0;                    // 0: runs
  // --sweep NAME=V1,V2,... (repro/sweep.h): the flag's name and its values.
  std::string sweep_name;
  std::vector<std::string> sweep_values;
};

// The runs this process computes: [first_run, run_end(config)).
inline int run_end(const Config& config) {
  return config.end_run > 0 ? config.end_run : config.runs;
}
// Whether this process computes part of the runs (its --json is a shard's).
inline bool is_shard(const Config& config) {
  return !config.run_range.empty() || !config.shard.empty();
}

const char* loss_name(tacit::DistillLoss loss);  // "kl", "mse"

// The MLP's widths {784, hidden..., 10 + aux}.
tacit::MlpSpec config_spec(const Config& config);

// "256,256" or "256-256-10+3"-style text for messages and reports.
std::string widths_text(const Config& config);

// "KL (T = 1)" or "MSE": the students' loss for reports (squared error has
// no temperature).
std::string distill_loss_text(const Config& config);

// Whether a student of config needs the trait gradient at every step, and
// the reference network's logits on the noise images.
bool needs_trait_gradient(const Config& config);
bool needs_reference_targets(const Config& config);
bool has_student(const Config& config, StudentKind kind);

using ParseResult = tacit_cli::ParseResult;

// Fills config from argv (defaults first: threads = hardware_threads(), isa
// from TACIT_ISA or the best available). Prints the reason for a usage
// error on stderr.
ParseResult parse_args(int argc, char** argv, Config* config);

// Sets one flag on *config as the command line would, with the same checks
// (and the limits that depend on several flags); false, with the reason on
// stderr, if the value is refused. A sweep sets its values this way.
bool apply_flag(const char* flag, const char* value, Config* config);

void print_help();

}  // namespace repro
