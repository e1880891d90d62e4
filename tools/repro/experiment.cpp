#include "repro/experiment.h"

#include <chrono>
#include <cstring>

#include "tacit/hash.h"
#include "tacit/init.h"
#include "tacit/rng.h"
#include "tacit/train.h"

namespace repro {

namespace {

using namespace tacit;
using namespace subliminal;

std::size_t u32_bytes(std::size_t count) {
  return arena_block_bytes(count * sizeof(std::uint32_t));
}

long long steps_per_epoch(long long images, int batch) { return (images + batch - 1) / batch; }

// Rows of the batch that starts at image `first`: a whole batch, or what is left.
int batch_rows(int images, int first, int batch) {
  return images - first < batch ? images - first : batch;
}

// Everything one run needs, carved from the arena once.
struct Workbench {
  MlpSpec spec;
  Mlp teacher;
  Mlp student;            // each student in turn; before them, builds θ_0 of π(r)
  float* init_same;       // θ_0 of this run
  float* init_cross;      // θ_0 of run π(r)
  TrainState state;       // shared by the teacher and every student
  EvalBuffers eval;       // test batches; indices also serve the target pass
  float* targets;         // (noise_images, outputs): the teacher's logits
  float* batch_targets;   // (batch, outputs): one batch of them, in batch order
  std::uint32_t* train_order;
  std::uint32_t* noise_order;
  std::uint32_t* pairing;  // π
};

class Clock {
 public:
  Clock() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
        .count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

Status create_workbench(const Config& config, int train_images, Arena& arena,
                        Workbench* w) {
  w->spec = config_spec(config);
  const int outputs = mlp_outputs(w->spec);
  const std::size_t params = mlp_param_count(w->spec);
  AdamConfig adam;
  adam.lr = config.lr;
  Status status = mlp_create(w->spec, arena, &w->teacher);
  if (status) status = mlp_create(w->spec, arena, &w->student);
  if (status) status = train_state_create(w->spec, config.batch, adam, arena, &w->state);
  if (status) status = eval_buffers_create(config.batch, arena, &w->eval);
  if (!status) return status;
  w->init_same = arena.take_floats(params);
  w->init_cross = arena.take_floats(params);
  w->targets = arena.take_floats(static_cast<std::size_t>(config.noise_images) * outputs);
  w->batch_targets = arena.take_floats(static_cast<std::size_t>(config.batch) * outputs);
  w->train_order = static_cast<std::uint32_t*>(
      arena.take(sizeof(std::uint32_t) * static_cast<std::size_t>(train_images)));
  w->noise_order = static_cast<std::uint32_t*>(
      arena.take(sizeof(std::uint32_t) * static_cast<std::size_t>(config.noise_images)));
  w->pairing = static_cast<std::uint32_t*>(
      arena.take(sizeof(std::uint32_t) * static_cast<std::size_t>(config.runs)));
  return derangement(config.seed, static_cast<std::uint32_t>(config.runs), w->pairing);
}

struct Loop {
  const Config& config;
  const Mnist& mnist;
  const Compute& compute;
  Progress* progress;
  const ModelObserver* observer;
  Workbench& w;
  Results& results;
  long long units_done = 0;  // steps finished in the current run

  void tally(const Mlp& model, int rows, tacit_tools::SubnormalTally* into) {
    if (config.count_subnormals) tacit_tools::tally_subnormals(model, w.state, rows, into);
  }

  void report(const char* phase, int run, int epoch, int epochs) {
    if (progress != nullptr) progress->update(phase, run, epoch, epochs, units_done);
  }

  void observe(int run, int condition, const Mlp& model) {
    if (observer != nullptr && observer->on_model != nullptr) {
      observer->on_model(observer->context, run, condition, model);
    }
  }

  Status accuracy(const Mlp& model, int* correct) {
    return mnist_correct(compute, model, w.state.workspace, mnist.test, w.eval, correct);
  }

  // One phase being trained (the teacher, or one student): what every step
  // reports, tallies and is judged by.
  struct Phase {
    Phase(const char* name_, int run_, int epochs_, const Mlp& model_,
          tacit_tools::SubnormalTally* tally_)
        : name(name_), run(run_), epochs(epochs_), model(model_), tally(tally_) {}
    const char* name;  // for the progress line
    int run;
    int epochs;
    const Mlp& model;
    tacit_tools::SubnormalTally* tally;
    int epoch = 0;     // 0-based
    long step = 0;     // 1-based within the epoch, once taken
    tacit_tools::DivergenceWatch watch;
  };

  void begin_epoch(Phase& phase, int epoch) {
    phase.epoch = epoch;
    phase.step = 0;
    report(phase.name, phase.run, epoch + 1, phase.epochs);
  }

  void after_step(Phase& phase, int rows, float loss) {
    tally(phase.model, rows, phase.tally);
    ++units_done;
    phase.watch.step(loss, phase.epoch, ++phase.step);
    report(phase.name, phase.run, phase.epoch + 1, phase.epochs);
  }

  ModelDivergence end_phase(Phase& phase) {
    phase.watch.parameters(phase.model.params, phase.model.param_count, phase.epochs);
    return phase.watch.result();
  }

  Status train_teacher(int run, std::uint64_t seed, std::vector<double>* losses,
                       ModelDivergence* divergence) {
    Phase phase("teacher", run, config.teacher_epochs, w.teacher,
                &results.teacher_subnormals);
    struct StepContext {
      Loop* loop;
      Phase* phase;
    } context{this, &phase};
    TeacherStepHook hook;
    hook.context = &context;
    hook.after_step = [](void* c, int rows, float loss) {
      auto& step = *static_cast<StepContext*>(c);
      step.loop->after_step(*step.phase, rows, loss);
    };
    adam_reset(w.state.adam);
    for (int epoch = 0; epoch < config.teacher_epochs; ++epoch) {
      begin_epoch(phase, epoch);
      double mean_loss = 0.0;
      const Status status =
          train_teacher_epoch(compute, w.teacher, w.state, mnist.train, seed, epoch,
                              config.batch, w.train_order, w.eval.labels, &hook, &mean_loss);
      if (!status) return status;
      losses->push_back(mean_loss);
    }
    *divergence = end_phase(phase);
    return Status::success();
  }

  // targets row i = the teacher's logits on noise image i.
  Status compute_targets(int run, std::uint64_t seed) {
    const int outputs = mlp_outputs(w.spec);
    report("teacher targets", run, 0, 0);
    for (int first = 0; first < config.noise_images; first += config.batch) {
      const int rows = batch_rows(config.noise_images, first, config.batch);
      for (int r = 0; r < rows; ++r) w.eval.indices[r] = static_cast<std::uint32_t>(first + r);
      noise_gather(config.noise, seed, w.eval.indices, rows, kMnistPixels,
                   mlp_input(w.state.workspace, rows).data, compute.pool);
      const Status status = mlp_forward(compute, w.teacher, w.state.workspace, rows);
      if (!status) return status;
      // The workspace's logits are rows x outputs with no gaps: one copy.
      const Matrix logits = mlp_logits(w.state.workspace, rows);
      std::memcpy(w.targets + static_cast<std::size_t>(first) * outputs, logits.data,
                  sizeof(float) * static_cast<std::size_t>(rows) * outputs);
    }
    return Status::success();
  }

  Status train_student(int run, std::uint64_t seed, int condition, const float* init,
                       RunResult* result) {
    static const char* const kPhase[kStudents] = {
        "student aux same", "student all same", "student aux cross", "student all cross"};
    const int s = condition - kFirstStudent;
    const int outputs = mlp_outputs(w.spec);
    const int lo = condition_aux_only(condition) ? kMnistClasses : 0;
    const auto n = static_cast<std::uint32_t>(config.noise_images);
    std::memcpy(w.student.params, init, sizeof(float) * w.student.param_count);
    mlp_pack(w.student);
    adam_reset(w.state.adam);
    Phase phase(kPhase[s], run, config.student_epochs, w.student,
                &results.student_subnormals);
    for (int epoch = 0; epoch < config.student_epochs; ++epoch) {
      begin_epoch(phase, epoch);
      shuffle_order(seed, kStudentShuffleStream, static_cast<std::uint64_t>(epoch), n,
                    w.noise_order);
      double loss_sum = 0.0;
      for (int first = 0; first < config.noise_images; first += config.batch) {
        const int rows = batch_rows(config.noise_images, first, config.batch);
        const std::uint32_t* images = w.noise_order + first;
        noise_gather(config.noise, seed, images, rows, kMnistPixels,
                     mlp_input(w.state.workspace, rows).data, compute.pool);
        for (int r = 0; r < rows; ++r) {
          std::memcpy(w.batch_targets + static_cast<std::size_t>(r) * outputs,
                      w.targets + static_cast<std::size_t>(images[r]) * outputs,
                      sizeof(float) * static_cast<std::size_t>(outputs));
        }
        float loss = 0.0f;
        const Status status = train_step_distill(
            compute, w.student, w.state, rows, const_matrix(w.batch_targets, rows, outputs),
            config.student_loss, static_cast<float>(config.temperature), &loss,
            Columns{lo, outputs});
        if (!status) return status;
        loss_sum += loss;
        after_step(phase, rows, loss);
      }
      result->student_loss[s].push_back(phase.step > 0 ? loss_sum / phase.step : 0.0);
      result->alignment[s].push_back(displacement_cosine(
          w.student.params, init, w.teacher.params, w.init_same, w.student.param_count));
    }
    result->divergence[condition] = end_phase(phase);
    return Status::success();
  }

  Status run_one(int run, std::uint64_t* experiment_hash, RunResult* result) {
    const Clock total;
    units_done = 0;
    result->run = run;
    result->seed = experiment_run_seed(config.seed, run);
    result->cross_from = static_cast<int>(w.pairing[run]);
    const std::uint64_t seed = result->seed;
    const std::size_t params = w.teacher.param_count;
    std::uint64_t hash = kHashStart;
    const auto finish_model = [&](int condition, const Mlp& model, int correct) {
      result->correct[condition] = correct;
      result->accuracy[condition] = static_cast<double>(correct) / mnist.test.count;
      hash = hash_floats(model.params, params, hash);
      *experiment_hash = hash_floats(model.params, params, *experiment_hash);
      observe(run, condition, model);
    };

    Clock clock;
    int correct = 0;
    mlp_init(w.teacher, Init::normal_fan_in, seed);
    std::memcpy(w.init_same, w.teacher.params, sizeof(float) * params);
    report("reference", run, 0, 0);
    Status status = accuracy(w.teacher, &correct);
    if (!status) return status;
    finish_model(kReference, w.teacher, correct);
    result->seconds.reference = clock.seconds();

    clock = Clock();
    status = train_teacher(run, seed, &result->teacher_loss, &result->divergence[kTeacher]);
    if (status) status = accuracy(w.teacher, &correct);
    if (!status) return status;
    finish_model(kTeacher, w.teacher, correct);
    result->seconds.teacher = clock.seconds();

    clock = Clock();
    status = compute_targets(run, seed);
    if (!status) return status;
    result->seconds.targets = clock.seconds();

    // The cross init is run π(r)'s reference, regenerated from its seed.
    mlp_init(w.student, Init::normal_fan_in,
             experiment_run_seed(config.seed, result->cross_from));
    std::memcpy(w.init_cross, w.student.params, sizeof(float) * params);

    for (int s = 0; s < kStudents; ++s) {
      clock = Clock();
      const int condition = kFirstStudent + s;
      const float* init = condition_cross(condition) ? w.init_cross : w.init_same;
      status = train_student(run, seed, condition, init, result);
      if (!status) return status;
      report("evaluating", run, 0, 0);
      status = accuracy(w.student, &correct);
      if (!status) return status;
      finish_model(condition, w.student, correct);
      result->seconds.students[s] = clock.seconds();
    }
    result->weights_hash = hash;
    result->seconds.total = total.seconds();
    return Status::success();
  }
};

}  // namespace

long long steps_per_run(const Config& config, int train_images) {
  return config.teacher_epochs * steps_per_epoch(train_images, config.batch) +
         static_cast<long long>(kStudents) * config.student_epochs *
             steps_per_epoch(config.noise_images, config.batch);
}

std::size_t experiment_bytes(const Config& config, int train_images) {
  const MlpSpec spec = config_spec(config);
  const std::size_t params = mlp_param_count(spec);
  const auto outputs = static_cast<std::size_t>(mlp_outputs(spec));
  return 2 * mlp_bytes(spec) + train_state_bytes(spec, config.batch) +
         eval_buffers_bytes(config.batch) + 2 * arena_floats_bytes(params) +
         arena_floats_bytes(static_cast<std::size_t>(config.noise_images) * outputs) +
         arena_floats_bytes(static_cast<std::size_t>(config.batch) * outputs) +
         u32_bytes(static_cast<std::size_t>(train_images)) +
         u32_bytes(static_cast<std::size_t>(config.noise_images)) +
         u32_bytes(static_cast<std::size_t>(config.runs));
}

Status run_experiment(const Config& config, const Mnist& mnist, const Compute& compute,
                      Arena& arena, Progress* progress, const ModelObserver* observer,
                      Results* results) {
  if (config.runs < 2) {
    return Status::error("--runs is %d; the cross-model students need "
                         "another run's init, so at least 2", config.runs);
  }
  if (config.first_run < 0 || config.first_run >= run_end(config) ||
      run_end(config) > config.runs) {
    return Status::error("runs %d to %d are not within the %d runs", config.first_run,
                         run_end(config) - 1, config.runs);
  }
  if (config.noise_images < 1 || mnist.train.count < 1 || mnist.test.count < 1) {
    return Status::error("%d noise images, %d training images, %d test "
                         "images; each must be at least 1", config.noise_images,
                         mnist.train.count, mnist.test.count);
  }
  const std::size_t needed = experiment_bytes(config, mnist.train.count);
  if (arena.remaining() < needed) {
    return Status::error("arena has %zu bytes left; the experiment needs "
                         "%zu (experiment_bytes)", arena.remaining(), needed);
  }
  Workbench w;
  Status status = create_workbench(config, mnist.train.count, arena, &w);
  if (!status) return status;

  results->config = config;
  results->train_images = mnist.train.count;
  results->test_images = mnist.test.count;
  const int first = config.first_run;  // this process's runs: [first, run_end)
  results->runs.assign(static_cast<std::size_t>(run_end(config) - first), RunResult());
  for (RunResult& run : results->runs) {
    run.teacher_loss.reserve(static_cast<std::size_t>(config.teacher_epochs));
    for (int s = 0; s < kStudents; ++s) {
      run.student_loss[s].reserve(static_cast<std::size_t>(config.student_epochs));
      run.alignment[s].reserve(static_cast<std::size_t>(config.student_epochs));
    }
  }

  results->teacher_subnormals = tacit_tools::SubnormalTally();
  results->student_subnormals = tacit_tools::SubnormalTally();
  Loop loop{config, mnist, compute, progress, observer, w, *results, 0};
  std::uint64_t hash = kHashStart;
  for (int run = first; run < run_end(config); ++run) {
    RunResult& result = results->runs[static_cast<std::size_t>(run - first)];
    status = loop.run_one(run, &hash, &result);
    if (!status) return status;
    if (progress != nullptr) progress->run_done(result);
  }
  results->weights_hash = hash;
  summarize_results(results);
  return Status::success();
}

}  // namespace repro
