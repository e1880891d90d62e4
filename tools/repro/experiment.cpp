#include "repro/experiment.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "common/cli.h"

#include "tacit/hash.h"
#include "tacit/init.h"
#include "tacit/profile.h"
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

// What the configured students need beyond Figure 10's four.
struct Needs {
  bool student_init = false;      // head, perturbed, matched: a composed init
  bool reference_targets = false;  // matched, liminal: θ_0's logits on the noise
  bool penalty = false;           // liminal: reference and penalty batches
  bool trait = false;             // projected, --gradient-alignment
};

Needs needs_of(const Config& config) {
  Needs n;
  for (const Student& s : config.students) {
    n.student_init = n.student_init || s.kind == StudentKind::head_aux ||
                     s.kind == StudentKind::head_all || s.kind == StudentKind::perturbed ||
                     s.kind == StudentKind::matched;
    n.penalty = n.penalty || s.kind == StudentKind::liminal;
  }
  n.reference_targets = needs_reference_targets(config);
  n.trait = needs_trait_gradient(config);
  return n;
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
  // Needs:
  float* init_student = nullptr;   // (params) a composed init
  float* ref_targets = nullptr;    // (noise_images, outputs): θ_0's logits
  float* ref_batch = nullptr;      // (batch, outputs): one batch of them
  float* penalty_grad = nullptr;   // (batch, outputs): the KL penalty's logit gradient
  MlpWorkspace trait_workspace;    // (trait_batch rows)
  float* trait_grads = nullptr;    // (params)
  std::uint32_t* trait_indices = nullptr;
  std::int32_t* trait_labels = nullptr;
};

// Every tally's FLOPs: the products', the only work that counts any.
double counted_flops(const Profile& profile) {
  double flops = 0.0;
  for (const WorkTally& tally : profile.work) flops += tally.flops;
  return flops;
}

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
  const Needs needs = needs_of(config);
  const auto batch_floats = static_cast<std::size_t>(config.batch) * outputs;
  if (needs.student_init) w->init_student = arena.take_floats(params);
  if (needs.reference_targets) {
    w->ref_targets = arena.take_floats(static_cast<std::size_t>(config.noise_images) * outputs);
  }
  if (needs.penalty) {
    w->ref_batch = arena.take_floats(batch_floats);
    w->penalty_grad = arena.take_floats(batch_floats);
  }
  if (needs.trait) {
    status = mlp_workspace_create(w->spec, config.trait_batch, arena, &w->trait_workspace);
    if (!status) return status;
    w->trait_grads = arena.take_floats(params);
    const auto rows = static_cast<std::size_t>(config.trait_batch);
    w->trait_indices = static_cast<std::uint32_t*>(arena.take(sizeof(std::uint32_t) * rows));
    w->trait_labels = static_cast<std::int32_t*>(arena.take(sizeof(std::int32_t) * rows));
  }
  return derangement(config.seed, static_cast<std::uint32_t>(config.runs), w->pairing);
}

// Per epoch: the inner products of one student's steps.
struct GradientTally {
  long steps = 0;
  long positive = 0;
  double sum = 0.0;
  double cosine_sum = 0.0;
  double min = 0.0;
  double max = 0.0;
  double max_cosine_after = 0.0;
  long projected = 0;

  static double cosine(const GradientDot& d) {
    return d.tt > 0.0 && d.gg > 0.0 ? d.dot / (std::sqrt(d.gg) * std::sqrt(d.tt)) : 0.0;
  }
  void add_projected(const GradientDot& d) {
    const double c = cosine(d);
    max_cosine_after = projected == 0 || c > max_cosine_after ? c : max_cosine_after;
    ++projected;
  }
  void add(const GradientDot& d) {
    min = steps == 0 || d.dot < min ? d.dot : min;
    max = steps == 0 || d.dot > max ? d.dot : max;
    ++steps;
    positive += d.dot > 0.0;
    sum += d.dot;
    cosine_sum += cosine(d);
  }
  GradientEpoch result() const {
    GradientEpoch e;
    e.steps = steps;
    if (steps == 0) return e;
    const auto n = static_cast<double>(steps);
    e.mean = sum / n;
    e.min = min;
    e.max = max;
    e.positive = static_cast<double>(positive) / n;
    e.mean_cosine = cosine_sum / n;
    e.max_cosine_after = max_cosine_after;
    return e;
  }
};

struct Loop {
  const Config& config;
  const Mnist& mnist;
  const Compute& compute;
  Progress* progress;
  const ModelObserver* observer;
  Workbench& w;
  Results& results;
  const std::vector<std::string>& phase_names;  // per student, for progress
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

  // Rows [first, first + rows) of a noise-set table (noise_images, outputs)
  // in the order of `images`, into out (rows, outputs).
  void gather_rows(const float* table, const std::uint32_t* images, int rows, float* out) {
    const int outputs = mlp_outputs(w.spec);
    for (int r = 0; r < rows; ++r) {
      std::memcpy(out + static_cast<std::size_t>(r) * outputs,
                  table + static_cast<std::size_t>(images[r]) * outputs,
                  sizeof(float) * static_cast<std::size_t>(outputs));
    }
  }

  // The noise images in `images` into the workspace's input.
  void gather_noise(std::uint64_t seed, const std::uint32_t* images, int rows) {
    noise_gather(config.noise, seed, images, rows, kMnistPixels,
                 mlp_input(w.state.workspace, rows).data, compute.pool);
  }

  // The table's logits of model on every noise image (teacher targets, θ_0's).
  Status noise_logits(std::uint64_t seed, const Mlp& model, float* table) {
    const int outputs = mlp_outputs(w.spec);
    for (int first = 0; first < config.noise_images; first += config.batch) {
      const int rows = batch_rows(config.noise_images, first, config.batch);
      for (int r = 0; r < rows; ++r) w.eval.indices[r] = static_cast<std::uint32_t>(first + r);
      gather_noise(seed, w.eval.indices, rows);
      const Status status = mlp_forward(compute, model, w.state.workspace, rows);
      if (!status) return status;
      // The workspace's logits are rows x outputs with no gaps: one copy.
      const Matrix logits = mlp_logits(w.state.workspace, rows);
      std::memcpy(table + static_cast<std::size_t>(first) * outputs, logits.data,
                  sizeof(float) * static_cast<std::size_t>(rows) * outputs);
    }
    return Status::success();
  }

  Status distill_loss(ConstMatrix logits, ConstMatrix targets, Matrix grad, float* loss,
                      Columns columns) {
    return config.student_loss == DistillLoss::kl
               ? kl_divergence(compute, logits, targets, static_cast<float>(config.temperature),
                               grad, loss, columns)
               : squared_error(compute, logits, targets, grad, loss, columns);
  }

  // The mean over the noise images of the distillation loss (all logits) of
  // the student against table.
  Status noise_distance(std::uint64_t seed, const float* table, double* distance) {
    const int outputs = mlp_outputs(w.spec);
    double sum = 0.0;
    for (int first = 0; first < config.noise_images; first += config.batch) {
      const int rows = batch_rows(config.noise_images, first, config.batch);
      for (int r = 0; r < rows; ++r) w.eval.indices[r] = static_cast<std::uint32_t>(first + r);
      gather_noise(seed, w.eval.indices, rows);
      Status status = mlp_forward(compute, w.student, w.state.workspace, rows);
      float loss = 0.0f;
      if (status) {
        status = distill_loss(mlp_logits(w.state.workspace, rows),
                              const_matrix(table + static_cast<std::size_t>(first) * outputs,
                                           rows, outputs),
                              mlp_logits_grad(w.state.workspace, rows), &loss, Columns{});
      }
      if (!status) return status;
      sum += static_cast<double>(loss) * rows;
    }
    *distance = sum / config.noise_images;
    return Status::success();
  }

  // The trait gradient at the student's weights into w.trait_grads:
  // cross-entropy on the digits of step k's trait batch.
  void trait_gradient(std::uint64_t seed, long long k) {
    const int rows = config.trait_batch;
    const auto n = static_cast<std::uint64_t>(mnist.train.count);
    for (int i = 0; i < rows; ++i) {
      const std::uint64_t u = random_u32(seed, kTraitStream,
                                         static_cast<std::uint64_t>(k) * rows + i);
      w.trait_indices[i] = static_cast<std::uint32_t>((u * n) >> 32);
    }
    MlpWorkspace& ws = w.trait_workspace;
    tacit_cli::require(mnist_gather(compute, mnist.train, w.trait_indices, rows,
                                    mlp_input(ws, rows).data, w.trait_labels));
    tacit_cli::require(mlp_forward(compute, w.student, ws, rows));
    tacit_cli::require(softmax_cross_entropy(compute, mlp_logits(ws, rows), w.trait_labels,
                                             mlp_logits_grad(ws, rows), nullptr,
                                             Columns{0, kMnistClasses}));
    tacit_cli::require(mlp_backward(compute, w.student, ws, rows, w.trait_grads));
  }

  // One step of a student on the workspace's input rows against targets.
  // Students with nothing beyond Figure 10's step take train_step_distill;
  // the others the same calls spelled out, with their additions between.
  struct StepAdds {
    bool penalty = false;  // liminal's KL penalty (w.ref_batch holds the reference)
    bool trait = false;    // a trait gradient, its inner product into the tally
    bool project = false;  // and the projection
  };

  Status student_step(const StepAdds& adds, std::uint64_t seed, int rows, long long k,
                      ConstMatrix targets, Columns columns, GradientTally* tally,
                      float* loss) {
    const bool penalty = adds.penalty;
    const bool trait = adds.trait;
    if (!penalty && !trait) {
      return train_step_distill(compute, w.student, w.state, rows, targets,
                                config.student_loss, static_cast<float>(config.temperature),
                                loss, columns);
    }
    MlpWorkspace& ws = w.state.workspace;
    Status status = mlp_forward(compute, w.student, ws, rows);
    if (status) {
      status = distill_loss(mlp_logits(ws, rows), targets, mlp_logits_grad(ws, rows), loss,
                            columns);
    }
    if (!status) return status;
    if (penalty) {
      // + W · d KL(softmax(reference) ‖ softmax(student)) / d logits, all logits, T = 1.
      const int outputs = mlp_outputs(w.spec);
      const Matrix grad = mlp_logits_grad(ws, rows);
      const Matrix extra = matrix(w.penalty_grad, rows, outputs);
      tacit_cli::require(kl_divergence(compute, mlp_logits(ws, rows),
                                       const_matrix(w.ref_batch, rows, outputs), 1.0f, extra,
                                       nullptr, Columns{}));
      const auto weight = static_cast<float>(config.liminal_weight);
      for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < outputs; ++c) grad.row(r)[c] = grad.row(r)[c] + weight * extra.row(r)[c];
      }
    }
    tacit_cli::require(mlp_backward(compute, w.student, ws, rows, w.state.grads));
    if (trait) {
      trait_gradient(seed, k);
      const GradientDot d = gradient_dot(w.state.grads, w.trait_grads, w.student.param_count);
      tally->add(d);
      if (adds.project) {
        project_off(w.state.grads, w.trait_grads, w.student.param_count, d);
        tally->add_projected(gradient_dot(w.state.grads, w.trait_grads, w.student.param_count));
      }
    }
    adam_step(compute, w.state.adam, w.student.params, w.state.grads);
    mlp_pack(compute, w.student);
    return Status::success();
  }

  // A trajectory point: the student's test accuracy and alignment now.
  Status trajectory_point(int s, const float* init, RunResult* result) {
    int correct = 0;
    const Status status = accuracy(w.student, &correct);
    if (!status) return status;
    result->trajectory_accuracy[s].push_back(static_cast<double>(correct) / mnist.test.count);
    result->trajectory_alignment[s].push_back(displacement_cosine(
        w.student.params, init, w.teacher.params, w.init_same, w.student.param_count));
    return Status::success();
  }

  // epochs over the noise images (orders from `shuffle_stream`), imitating
  // table's logits over columns; a fresh Adam. With s >= 0, the student's
  // distillation proper: losses, alignment, trajectory and gradient records.
  Status distill(Phase& phase, std::uint64_t seed, const Student& student, int s,
                 std::uint32_t shuffle_stream, const float* table, Columns columns,
                 const float* init, RunResult* result, std::vector<double>* losses) {
    const int outputs = mlp_outputs(w.spec);
    const auto n = static_cast<std::uint32_t>(config.noise_images);
    const int k_points = s >= 0 ? config.points_per_epoch : 0;
    const long long steps = steps_per_epoch(config.noise_images, config.batch);
    adam_reset(w.state.adam);
    if (k_points > 0) {
      const Status status = trajectory_point(s, init, result);
      if (!status) return status;
    }
    long long k = 0;  // steps taken
    for (int epoch = 0; epoch < phase.epochs; ++epoch) {
      begin_epoch(phase, epoch);
      shuffle_order(seed, shuffle_stream, static_cast<std::uint64_t>(epoch), n, w.noise_order);
      double loss_sum = 0.0;
      GradientTally tally;
      int point = 1;  // the next trajectory point: after step (point·steps)/K
      for (int first = 0; first < config.noise_images; first += config.batch) {
        const int rows = batch_rows(config.noise_images, first, config.batch);
        const std::uint32_t* images = w.noise_order + first;
        gather_noise(seed, images, rows);
        gather_rows(table, images, rows, w.batch_targets);
        StepAdds adds;
        if (s >= 0) {
          adds.penalty = student.kind == StudentKind::liminal && epoch == 0;
          adds.project = student.kind == StudentKind::projected;
          adds.trait = adds.project || config.gradient_alignment;
        }
        if (adds.penalty) gather_rows(w.ref_targets, images, rows, w.ref_batch);
        float loss = 0.0f;
        Status status = student_step(adds, seed, rows, k,
                                     const_matrix(w.batch_targets, rows, outputs), columns,
                                     &tally, &loss);
        if (!status) return status;
        ++k;
        loss_sum += loss;
        after_step(phase, rows, loss);
        while (point <= k_points && phase.step == (point * steps) / k_points) {
          status = trajectory_point(s, init, result);
          if (!status) return status;
          ++point;
        }
      }
      losses->push_back(phase.step > 0 ? loss_sum / phase.step : 0.0);
      if (s >= 0) {
        result->alignment[s].push_back(displacement_cosine(
            w.student.params, init, w.teacher.params, w.init_same, w.student.param_count));
        if (tally.steps > 0) result->gradient[s].push_back(tally.result());
      }
    }
    return Status::success();
  }

  // The student's init into w.student (packed); returns where it is kept.
  const float* student_init(int run, std::uint64_t seed, const Student& student, int s,
                            RunResult* result, Status* status) {
    const std::size_t params = w.student.param_count;
    const float* init = student_uses_cross_init(student) ? w.init_cross : w.init_same;
    switch (student.kind) {
      case StudentKind::head_aux:
      case StudentKind::head_all: {
        // Hidden layers from π(r)'s init, the output layer (W, b) from θ_0.
        const std::size_t head = mlp_weight_offset(w.spec, w.spec.layers - 1);
        std::memcpy(w.init_student, w.init_cross, sizeof(float) * head);
        std::memcpy(w.init_student + head, w.init_same + head, sizeof(float) * (params - head));
        init = w.init_student;
        break;
      }
      case StudentKind::perturbed: {
        mlp_init(w.student, Init::normal_fan_in, perturbation_seed(seed));
        const auto sigma = static_cast<float>(student.sigma);
        for (std::size_t i = 0; i < params; ++i) {
          w.init_student[i] = w.init_same[i] + sigma * w.student.params[i];
        }
        init = w.init_student;
        break;
      }
      case StudentKind::matched: {
        std::memcpy(w.student.params, w.init_cross, sizeof(float) * params);
        mlp_pack(w.student);
        *status = noise_distance(seed, w.ref_targets, &result->match_distance[0]);
        if (!*status) return nullptr;
        Phase phase(phase_names[static_cast<std::size_t>(s)].c_str(), run,
                    config.match_epochs, w.student, &results.student_subnormals);
        *status = distill(phase, seed, student, -1, kMatchShuffleStream, w.ref_targets,
                          Columns{}, w.init_cross, result, &result->match_loss);
        if (!*status) return nullptr;
        result->divergence[kFirstStudent + s] = end_phase(phase);
        *status = noise_distance(seed, w.ref_targets, &result->match_distance[1]);
        if (!*status) return nullptr;
        std::memcpy(w.init_student, w.student.params, sizeof(float) * params);
        return w.init_student;
      }
      default: break;
    }
    std::memcpy(w.student.params, init, sizeof(float) * params);
    mlp_pack(w.student);
    return init;
  }

  Status train_student(int run, std::uint64_t seed, int s, RunResult* result) {
    const Student& student = config.students[static_cast<std::size_t>(s)];
    const int condition = kFirstStudent + s;
    const int outputs = mlp_outputs(w.spec);
    const int lo = student_aux_only(student) ? kMnistClasses : 0;
    Status status = Status::success();
    const float* init = student_init(run, seed, student, s, result, &status);
    if (!status) return status;
    if (observer != nullptr && observer->on_start != nullptr) {
      observer->on_start(observer->context, run, condition, w.student);
    }
    Phase phase(phase_names[static_cast<std::size_t>(s)].c_str(), run, config.student_epochs,
                w.student, &results.student_subnormals);
    status = distill(phase, seed, student, s, kStudentShuffleStream, w.targets,
                     Columns{lo, outputs}, init, result, &result->student_loss[s]);
    if (!status) return status;
    const ModelDivergence divergence = end_phase(phase);
    if (!result->divergence[condition].found) result->divergence[condition] = divergence;
    return Status::success();
  }

  Status run_one(int run, std::uint64_t* experiment_hash, RunResult* result) {
    const Clock total;
    const double flops_before = counted_flops(*compute.profile);
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
    report("teacher targets", run, 0, 0);
    status = noise_logits(seed, w.teacher, w.targets);
    if (!status) return status;
    if (w.ref_targets != nullptr) {
      // θ_0's logits, from the student model loaded with θ_0.
      std::memcpy(w.student.params, w.init_same, sizeof(float) * params);
      mlp_pack(w.student);
      status = noise_logits(seed, w.student, w.ref_targets);
      if (!status) return status;
    }
    result->seconds.targets = clock.seconds();

    // The cross init is run π(r)'s reference, regenerated from its seed.
    mlp_init(w.student, Init::normal_fan_in,
             experiment_run_seed(config.seed, result->cross_from));
    std::memcpy(w.init_cross, w.student.params, sizeof(float) * params);

    for (int s = 0; s < static_cast<int>(config.students.size()); ++s) {
      clock = Clock();
      const int condition = kFirstStudent + s;
      status = train_student(run, seed, s, result);
      if (!status) return status;
      report("evaluating", run, 0, 0);
      status = accuracy(w.student, &correct);
      if (!status) return status;
      finish_model(condition, w.student, correct);
      result->seconds.students[s] = clock.seconds();
    }
    result->weights_hash = hash;
    result->seconds.total = total.seconds();
    // The tallies are whole numbers below 2^53 (a day of products at 100
    // GFLOP/s), so their sums and this difference are exact.
    result->flops = counted_flops(*compute.profile) - flops_before;
    result->speed.gflops =
        result->seconds.total > 0.0 ? result->flops / result->seconds.total / 1e9 : 0.0;
    return Status::success();
  }
};

}  // namespace

long long steps_per_run(const Config& config, int train_images) {
  long long student_epochs = 0;
  for (const Student& s : config.students) {
    student_epochs += config.student_epochs;
    if (s.kind == StudentKind::matched) student_epochs += config.match_epochs;
  }
  return config.teacher_epochs * steps_per_epoch(train_images, config.batch) +
         student_epochs * steps_per_epoch(config.noise_images, config.batch);
}

std::size_t experiment_bytes(const Config& config, int train_images) {
  const MlpSpec spec = config_spec(config);
  const std::size_t params = mlp_param_count(spec);
  const auto outputs = static_cast<std::size_t>(mlp_outputs(spec));
  const auto batch_floats = static_cast<std::size_t>(config.batch) * outputs;
  const auto noise_floats = static_cast<std::size_t>(config.noise_images) * outputs;
  std::size_t bytes = 2 * mlp_bytes(spec) + train_state_bytes(spec, config.batch) +
                      eval_buffers_bytes(config.batch) + 2 * arena_floats_bytes(params) +
                      arena_floats_bytes(noise_floats) + arena_floats_bytes(batch_floats) +
                      u32_bytes(static_cast<std::size_t>(train_images)) +
                      u32_bytes(static_cast<std::size_t>(config.noise_images)) +
                      u32_bytes(static_cast<std::size_t>(config.runs));
  const Needs needs = needs_of(config);
  if (needs.student_init) bytes += arena_floats_bytes(params);
  if (needs.reference_targets) bytes += arena_floats_bytes(noise_floats);
  if (needs.penalty) bytes += 2 * arena_floats_bytes(batch_floats);
  if (needs.trait) {
    const auto rows = static_cast<std::size_t>(config.trait_batch);
    bytes += mlp_workspace_bytes(spec, config.trait_batch) + arena_floats_bytes(params) +
             u32_bytes(rows) + arena_block_bytes(rows * sizeof(std::int32_t));
  }
  return bytes;
}

std::uint64_t perturbation_seed(std::uint64_t run_seed) {
  return (static_cast<std::uint64_t>(random_u32(run_seed, kPerturbSeedStream, 1)) << 32) |
         random_u32(run_seed, kPerturbSeedStream, 0);
}

GradientDot gradient_dot(const float* g, const float* t, std::size_t n) {
  GradientDot d;
  for (std::size_t i = 0; i < n; ++i) {
    const double gi = g[i];
    const double ti = t[i];
    d.dot += gi * ti;
    d.tt += ti * ti;
    d.gg += gi * gi;
  }
  return d;
}

void project_off(float* g, const float* t, std::size_t n, const GradientDot& d) {
  if (!(d.dot > 0.0) || !(d.tt > 0.0)) return;
  const double c = d.dot / d.tt;
  for (std::size_t i = 0; i < n; ++i) {
    g[i] = static_cast<float>(static_cast<double>(g[i]) - c * static_cast<double>(t[i]));
  }
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
  if (config.students.size() > static_cast<std::size_t>(kMaxStudents)) {
    return Status::error("%zu students; at most %d", config.students.size(), kMaxStudents);
  }
  const long long steps = steps_per_epoch(config.noise_images, config.batch);
  if (config.points_per_epoch < 0 || config.points_per_epoch > steps) {
    return Status::error("--points-per-epoch is %d; expected 0 to the %lld steps of an epoch",
                         config.points_per_epoch, steps);
  }
  Workbench w;
  Status status = create_workbench(config, mnist.train.count, arena, &w);
  if (!status) return status;

  results->config = config;
  results->train_images = mnist.train.count;
  results->test_images = mnist.test.count;
  const int students = static_cast<int>(config.students.size());
  const auto epochs = static_cast<std::size_t>(config.student_epochs);
  const std::size_t points =
      config.points_per_epoch > 0 ? 1 + static_cast<std::size_t>(config.points_per_epoch) * epochs
                                  : 0;
  const int first = config.first_run;  // this process's runs: [first, run_end)
  results->runs.assign(static_cast<std::size_t>(run_end(config) - first), RunResult());
  for (RunResult& run : results->runs) {
    run.teacher_loss.reserve(static_cast<std::size_t>(config.teacher_epochs));
    run.match_loss.reserve(static_cast<std::size_t>(config.match_epochs));
    for (int s = 0; s < students; ++s) {
      run.student_loss[s].reserve(epochs);
      run.alignment[s].reserve(epochs);
      run.trajectory_accuracy[s].reserve(points);
      run.trajectory_alignment[s].reserve(points);
      run.gradient[s].reserve(epochs);
    }
  }
  std::vector<std::string> phase_names;
  for (int s = 0; s < students; ++s) {
    phase_names.push_back("student " + condition_info(config, kFirstStudent + s).name);
  }

  results->teacher_subnormals = tacit_tools::SubnormalTally();
  results->student_subnormals = tacit_tools::SubnormalTally();
  // Every run counts its FLOPs in a Profile: the caller's when it keeps
  // one, else this one, whose clock stands still (only the FLOPs are wanted).
  Profile flop_counter;
  flop_counter.clock = [] { return 0.0; };
  Compute counted = compute;
  if (counted.profile == nullptr || counted.profile->clock == nullptr) {
    counted.profile = &flop_counter;
  }
  Loop loop{config, mnist, counted, progress, observer, w, *results, phase_names, 0};
  std::uint64_t hash = kHashStart;
  for (int run = first; run < run_end(config); ++run) {
    RunResult& result = results->runs[static_cast<std::size_t>(run - first)];
    status = loop.run_one(run, &hash, &result);
    if (!status) return status;
    if (progress != nullptr) progress->run_done(config, result);
  }
  results->weights_hash = hash;
  summarize_results(results);
  return Status::success();
}

}  // namespace repro
