// What the tacit-repro suites share: the flag parser called as main would
// call it, and a tiny experiment on generated digits with every model it
// starts and ends recorded.
#pragma once

#include <doctest/doctest.h>

#include <vector>

#include "repro/config.h"
#include "repro/experiment.h"
#include "tacit/arena.h"
#include "tools_test_support.h"

namespace repro_test {

inline repro::ParseResult parse(std::vector<const char*> args, repro::Config* config) {
  args.insert(args.begin(), "tacit-repro");
  return repro::parse_args(static_cast<int>(args.size()), const_cast<char**>(args.data()),
                           config);
}

// The suites' tiny experiment: 784-24-20-10+3, lr 1e-2, batch 16, 40
// noise images (3 steps an epoch, the last one short), seed 11, with the
// given epochs and runs (run_tiny's 50 training and 30 test images).
inline repro::Config tiny_config(int teacher_epochs, int student_epochs, int runs) {
  repro::Config c;
  c.aux = 3;
  c.hidden_layers = 2;
  c.hidden[0] = 24;
  c.hidden[1] = 20;
  c.lr = 1e-2;
  c.batch = 16;
  c.teacher_epochs = teacher_epochs;
  c.student_epochs = student_epochs;
  c.noise_images = 40;
  c.runs = runs;
  c.seed = 11;
  return c;
}

// Every condition's parameters at the end of a run, and each student's as
// its distillation starts.
struct Snapshot {
  std::vector<float> params[repro::kMaxConditions];
  std::vector<float> start[repro::kMaxConditions];
};

struct Recorder {
  std::vector<Snapshot> runs;
  Snapshot& at(int run) {
    if (static_cast<int>(runs.size()) <= run) runs.resize(run + 1);
    return runs[run];
  }
  static void on_model(void* context, int run, int condition, const tacit::Mlp& model) {
    static_cast<Recorder*>(context)->at(run).params[condition].assign(
        model.params, model.params + model.param_count);
  }
  static void on_start(void* context, int run, int condition, const tacit::Mlp& model) {
    static_cast<Recorder*>(context)->at(run).start[condition].assign(
        model.params, model.params + model.param_count);
  }
};

struct TinyRun {
  repro::Results results;
  Recorder recorder;
  std::size_t used = 0;  // arena bytes the experiment took
};

// config on 50 training and 30 test images of tools_test::TinyMnist.
inline TinyRun run_tiny(const repro::Config& config, const tacit::Compute& compute) {
  tools_test::TinyMnist data(50, 30);
  const std::size_t bytes = repro::experiment_bytes(config, data.mnist.train.count);
  std::vector<unsigned char> memory(tacit::arena_buffer_bytes(bytes));
  tacit::Arena arena(memory.data(), memory.size());
  TinyRun out;
  repro::ModelObserver observer;
  observer.on_model = Recorder::on_model;
  observer.on_start = Recorder::on_start;
  observer.context = &out.recorder;
  const tacit::Status status = repro::run_experiment(config, data.mnist, compute, arena,
                                                     nullptr, &observer, &out.results);
  REQUIRE_MESSAGE(status.ok(), status.message());
  out.used = arena.used();
  return out;
}

}  // namespace repro_test
