#include "repro/merge.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

#include "common/cli.h"
#include "common/json.h"
#include "common/json_read.h"
#include "common/output_file.h"
#include "repro/outputs.h"
#include "repro/results_json.h"
#include "repro/shard.h"
#include "subliminal/experiment.h"
#include "tacit/hash.h"
#include "tacit/activation.h"
#include "tacit/mnist.h"

namespace repro {

namespace {

using tacit_tools::JsonValue;
using Type = JsonValue::Type;

constexpr const char* kTool = "tacit-repro merge";

const char* type_name(Type type) {
  switch (type) {
    case Type::null: return "null";
    case Type::boolean: return "true or false";
    case Type::number: return "a number";
    case Type::string: return "a string";
    case Type::array: return "an array";
    case Type::object: return "an object";
  }
  return "?";
}

// Reads typed members, keeping the first error as "WHERE: why".
class Reader {
 public:
  std::string error;

  bool fail(const std::string& where, const std::string& why) {
    if (error.empty()) error = where + ": " + why;
    return false;
  }

  const JsonValue* get(const JsonValue& object, const char* key, Type type,
                       const std::string& where) {
    const JsonValue* v = object.find(key);
    if (v == nullptr) {
      fail(where, std::string("no \"") + key + "\"");
      return nullptr;
    }
    if (v->type != type) {
      fail(where + "." + key, std::string("is not ") + type_name(type));
      return nullptr;
    }
    return v;
  }

  bool whole(const JsonValue& object, const char* key, long long min, long long max,
             long long* out, const std::string& where) {
    const JsonValue* v = get(object, key, Type::number, where);
    if (v == nullptr) return false;
    if (!tacit_tools::json_int64(*v, min, max, out)) {
      return fail(where + "." + key, "'" + v->text + "' is not a whole number from " +
                                         std::to_string(min) + " to " + std::to_string(max));
    }
    return true;
  }

  bool whole(const JsonValue& object, const char* key, long long min, long long max, int* out,
             const std::string& where) {
    long long v = 0;
    if (!whole(object, key, min, max, &v, where)) return false;
    *out = static_cast<int>(v);
    return true;
  }

  bool unsigned64(const JsonValue& object, const char* key, std::uint64_t* out,
                  const std::string& where) {
    const JsonValue* v = get(object, key, Type::number, where);
    if (v == nullptr) return false;
    if (!tacit_tools::json_uint64(*v, out)) {
      return fail(where + "." + key, "'" + v->text + "' is not a whole number from 0 to 2^64-1");
    }
    return true;
  }

  // A number, or null (what the writer prints for NaN and infinities): NaN.
  bool real(const JsonValue& object, const char* key, double* out, const std::string& where) {
    const JsonValue* v = object.find(key);
    if (v != nullptr && v->type == Type::null) {
      *out = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
    v = get(object, key, Type::number, where);
    return v != nullptr && tacit_tools::json_double(*v, out);
  }

  bool hex(const JsonValue& value, std::uint64_t* out, const std::string& where) {
    if (value.type != Type::string || value.text.size() != 16 ||
        value.text.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return fail(where, "is not 16 lowercase hex digits in quotes");
    }
    *out = std::strtoull(value.text.c_str(), nullptr, 16);
    return true;
  }

  bool reals(const JsonValue& object, const char* key, std::size_t count,
             std::vector<double>* out, const std::string& where) {
    const JsonValue* v = get(object, key, Type::array, where);
    if (v == nullptr) return false;
    if (v->items.size() != count) {
      return fail(where + "." + key, "has " + std::to_string(v->items.size()) +
                                         " numbers; the config says " + std::to_string(count));
    }
    out->clear();
    for (const JsonValue& item : v->items) {
      double x = 0.0;
      if (!tacit_tools::json_double(item, &x)) {
        return fail(where + "." + key, "holds something that is not a number");
      }
      out->push_back(x);
    }
    return true;
  }
};

struct Shard {
  const ShardText* file = nullptr;
  JsonValue doc;
  const JsonValue* config = nullptr;
  int first = 0;
  int end = 0;
  HashSegment hash;
};

// The members write_config writes only when they are used (--activation,
// --students and the students' flags, --gradient-alignment,
// --points-per-epoch): each absent one keeps Config's default.
bool read_follow_up(Reader& in, const JsonValue& c, Config* config) {
  const std::string where = "config";
  if (const JsonValue* activation = c.find("activation")) {
    if (activation->type != Type::string ||
        !tacit::activation_parse(activation->text.c_str(), &config->activation)) {
      return in.fail("config.activation", "is not an activation's name");
    }
  }
  if (const JsonValue* students = c.find("students")) {
    if (students->type != Type::array) return in.fail("config.students", "is not an array");
    std::string list;
    for (const JsonValue& name : students->items) {
      if (name.type != Type::string) {
        return in.fail("config.students", "holds something that is not a string");
      }
      list += (list.empty() ? "" : ",") + name.text;
    }
    std::string why;
    if (!parse_students(list.c_str(), &config->students, &why)) {
      return in.fail("config.students", "'" + list + "': " + why);
    }
  }
  if ((c.find("match_epochs") != nullptr &&
       !in.whole(c, "match_epochs", 0, 100000, &config->match_epochs, where)) ||
      (c.find("trait_batch") != nullptr &&
       !in.whole(c, "trait_batch", 1, 1 << 20, &config->trait_batch, where)) ||
      (c.find("liminal_weight") != nullptr &&
       !in.real(c, "liminal_weight", &config->liminal_weight, where)) ||
      (c.find("points_per_epoch") != nullptr &&
       !in.whole(c, "points_per_epoch", 0, 1 << 20, &config->points_per_epoch, where))) {
    return false;
  }
  if (const JsonValue* gradients = c.find("gradient_alignment")) {
    if (gradients->type != Type::boolean) {
      return in.fail("config.gradient_alignment", "is not true or false");
    }
    config->gradient_alignment = gradients->boolean;
  }
  return true;
}

// The configuration a shard's "config" object and shard.count_subnormals
// describe.
bool read_config(Reader& in, const JsonValue& c, bool count_subnormals, Results* results) {
  Config& config = results->config;
  const std::string where = "config";
  if (!in.whole(c, "runs", 2, 1000000, &config.runs, where) ||
      !in.unsigned64(c, "seed", &config.seed, where) ||
      !in.whole(c, "aux", 1, 4096, &config.aux, where) ||
      !in.real(c, "lr", &config.lr, where) ||
      !in.whole(c, "batch", 1, 1 << 20, &config.batch, where) ||
      !in.whole(c, "teacher_epochs", 0, 100000, &config.teacher_epochs, where) ||
      !in.whole(c, "student_epochs", 0, 100000, &config.student_epochs, where) ||
      !in.whole(c, "noise_images", 1, std::numeric_limits<int>::max(), &config.noise_images,
                where) ||
      !in.real(c, "temperature", &config.temperature, where) ||
      !in.whole(c, "train_images", 1, std::numeric_limits<int>::max(), &results->train_images,
                where) ||
      !in.whole(c, "test_images", 1, std::numeric_limits<int>::max(), &results->test_images,
                where)) {
    return false;
  }
  const JsonValue* widths = in.get(c, "widths", Type::array, where);
  const JsonValue* noise = in.get(c, "noise", Type::string, where);
  const JsonValue* loss = in.get(c, "student_loss", Type::string, where);
  const JsonValue* data = in.get(c, "data", Type::string, where);
  if (widths == nullptr || noise == nullptr || loss == nullptr || data == nullptr) return false;
  const int hidden = static_cast<int>(widths->items.size()) - 2;
  if (hidden < 1 || hidden > kMaxHidden) {
    return in.fail("config.widths", "does not hold 1 to " + std::to_string(kMaxHidden) +
                                        " hidden widths");
  }
  config.hidden_layers = hidden;
  for (int i = 0; i < hidden; ++i) {
    long long w = 0;
    if (!tacit_tools::json_int64(widths->items[static_cast<std::size_t>(i) + 1], 1,
                                 tacit::kMlpMaxWidth, &w)) {
      return in.fail("config.widths", "holds a width that is not a whole number from 1 to " +
                                          std::to_string(tacit::kMlpMaxWidth));
    }
    config.hidden[i] = static_cast<int>(w);
  }
  if (!subliminal::noise_parse(noise->text.c_str(), &config.noise)) {
    return in.fail("config.noise", "'" + noise->text + "' is not uniform or normal");
  }
  if (loss->text == "kl" || loss->text == "mse") {
    config.student_loss =
        loss->text == "kl" ? tacit::DistillLoss::kl : tacit::DistillLoss::squared_error;
  } else {
    return in.fail("config.student_loss", "'" + loss->text + "' is not kl or mse");
  }
  config.data = data->text;
  if (!read_follow_up(in, c, &config)) return false;
  config.count_subnormals = count_subnormals;
  config.first_run = 0;
  config.end_run = config.runs;
  // What this merge cannot tell from the fields it reads shows up here: the
  // config it would write must be the shard's.
  tacit_tools::JsonWriter json;
  json.begin_object();
  write_config(json, *results);
  json.end_object();
  JsonValue again;
  std::string ignored;
  if (!tacit_tools::json_parse(json.text(), &again, &ignored) || *again.find("config") != c) {
    return in.fail("config", "does not come back the same when written again (a member or "
                             "value this merge does not know)");
  }
  return true;
}

int condition_of(const Config& config, const std::string& key) {
  for (int k = 0; k < condition_count(config); ++k) {
    if (key == condition_info(config, k).key) return k;
  }
  return -1;
}

// --points-per-epoch: per student, its accuracy and alignment at every point.
bool read_trajectories(Reader& in, const JsonValue& r, const Config& config,
                       const std::string& where, RunResult* run) {
  if (config.points_per_epoch == 0) return true;
  const JsonValue* trajectory = in.get(r, "trajectory", Type::object, where);
  if (trajectory == nullptr) return false;
  const std::size_t points = trajectory_progress(config).size();
  for (int s = 0; s < static_cast<int>(config.students.size()); ++s) {
    const std::string key = condition_info(config, kFirstStudent + s).key;
    const std::string at = where + ".trajectory";
    const JsonValue* student = in.get(*trajectory, key.c_str(), Type::object, at);
    if (student == nullptr ||
        !in.reals(*student, "accuracy", points, &run->trajectory_accuracy[s], at + "." + key) ||
        !in.reals(*student, "alignment", points, &run->trajectory_alignment[s],
                  at + "." + key)) {
      return false;
    }
  }
  return true;
}

// Per epoch, the inner products of the students that computed trait
// gradients: every student with --gradient-alignment, else the projected ones.
bool read_gradients(Reader& in, const JsonValue& r, const Config& config,
                    const std::string& where, RunResult* run) {
  const JsonValue* gradients = r.find("gradient_alignment");
  const std::string at = where + ".gradient_alignment";
  if (gradients != nullptr && gradients->type != Type::object) {
    return in.fail(at, "is not an object");
  }
  for (int s = 0; s < static_cast<int>(config.students.size()); ++s) {
    const bool projected =
        config.students[static_cast<std::size_t>(s)].kind == StudentKind::projected;
    const bool expected =
        config.student_epochs > 0 && (config.gradient_alignment || projected);
    const std::string key = condition_info(config, kFirstStudent + s).key;
    if (!expected) continue;  // a member there comes back as absent: refused
    const JsonValue* epochs =
        gradients == nullptr ? nullptr : in.get(*gradients, key.c_str(), Type::array, at);
    if (epochs == nullptr) return gradients == nullptr ? in.fail(at, "is missing") : false;
    if (static_cast<int>(epochs->items.size()) != config.student_epochs) {
      return in.fail(at + "." + key, "does not hold one record per student epoch");
    }
    for (std::size_t e = 0; e < epochs->items.size(); ++e) {
      const JsonValue& g = epochs->items[e];
      const std::string here = at + "." + key + "[" + std::to_string(e) + "]";
      if (g.type != Type::object) return in.fail(here, "is not an object");
      GradientEpoch out;
      long long steps = 0;
      if (!in.whole(g, "steps", 0, std::numeric_limits<long>::max(), &steps, here) ||
          !in.real(g, "mean", &out.mean, here) || !in.real(g, "min", &out.min, here) ||
          !in.real(g, "max", &out.max, here) || !in.real(g, "positive", &out.positive, here) ||
          !in.real(g, "mean_cosine", &out.mean_cosine, here) ||
          (projected &&
           !in.real(g, "max_cosine_after_projection", &out.max_cosine_after, here))) {
        return false;
      }
      out.steps = static_cast<long>(steps);
      run->gradient[s].push_back(out);
    }
  }
  return true;
}

// With a matched student: the matching's loss per epoch and its distances.
bool read_matching(Reader& in, const JsonValue& r, const Config& config,
                   const std::string& where, RunResult* run) {
  if (!has_student(config, StudentKind::matched)) return true;
  const JsonValue* matching = in.get(r, "matching", Type::object, where);
  const std::string at = where + ".matching";
  return matching != nullptr &&
         in.reals(*matching, "loss_by_epoch", static_cast<std::size_t>(config.match_epochs),
                  &run->match_loss, at) &&
         in.real(*matching, "distance_before", &run->match_distance[0], at) &&
         in.real(*matching, "distance_after", &run->match_distance[1], at);
}

bool read_run(Reader& in, const JsonValue& r, const Config& config, int test_images,
              const std::string& where, RunResult* run) {
  if (r.type != Type::object) return in.fail(where, "is not an object");
  const JsonValue* accuracy = in.get(r, "accuracy", Type::object, where);
  const JsonValue* correct = in.get(r, "correct", Type::object, where);
  const JsonValue* hash = in.get(r, "weights_hash", Type::string, where);
  const JsonValue* student_loss = in.get(r, "student_loss", Type::object, where);
  const JsonValue* alignment = in.get(r, "alignment", Type::object, where);
  const JsonValue* seconds = in.get(r, "seconds", Type::object, where);
  const JsonValue* speed = in.get(r, "speed", Type::object, where);
  long long flops = 0;
  if (accuracy == nullptr || correct == nullptr || hash == nullptr ||
      student_loss == nullptr || alignment == nullptr || seconds == nullptr ||
      speed == nullptr ||
      !in.whole(r, "run", 0, config.runs - 1, &run->run, where) ||
      !in.whole(r, "flops", 0, std::numeric_limits<long long>::max(), &flops, where) ||
      !in.unsigned64(r, "seed", &run->seed, where) ||
      !in.whole(r, "cross_init_from_run", 0, config.runs - 1, &run->cross_from, where) ||
      !in.hex(*hash, &run->weights_hash, where + ".weights_hash") ||
      !in.reals(r, "teacher_loss", static_cast<std::size_t>(config.teacher_epochs),
                &run->teacher_loss, where)) {
    return false;
  }
  run->flops = static_cast<double>(flops);
  const auto epochs = static_cast<std::size_t>(config.student_epochs);
  for (int k = 0; k < condition_count(config); ++k) {
    const std::string name = condition_info(config, k).key;
    const char* key = name.c_str();
    if (!in.real(*accuracy, key, &run->accuracy[k], where + ".accuracy") ||
        !in.whole(*correct, key, 0, test_images, &run->correct[k], where + ".correct")) {
      return false;
    }
    // Exactly as the experiment computes it.
    if (run->accuracy[k] != static_cast<double>(run->correct[k]) / test_images) {
      return in.fail(where + ".accuracy." + name,
                     "is " + accuracy->find(key)->text + ", not correct / test_images (" +
                         std::to_string(run->correct[k]) + " of " +
                         std::to_string(test_images) + ")");
    }
    if (k >= kFirstStudent) {
      const int s = k - kFirstStudent;
      if (!in.reals(*student_loss, key, epochs, &run->student_loss[s],
                    where + ".student_loss") ||
          !in.reals(*alignment, key, epochs, &run->alignment[s], where + ".alignment") ||
          !in.real(*seconds, key, &run->seconds.students[s], where + ".seconds")) {
        return false;
      }
    }
  }
  if (!read_trajectories(in, r, config, where, run) ||
      !read_gradients(in, r, config, where, run) || !read_matching(in, r, config, where, run)) {
    return false;
  }
  return in.real(*seconds, "reference", &run->seconds.reference, where + ".seconds") &&
         in.real(*seconds, "teacher", &run->seconds.teacher, where + ".seconds") &&
         in.real(*seconds, "targets", &run->seconds.targets, where + ".seconds") &&
         in.real(*seconds, "total", &run->seconds.total, where + ".seconds") &&
         in.real(*speed, "gflops", &run->speed.gflops, where + ".speed") &&
         in.real(*speed, "fraction_of_peak", &run->speed.fraction_of_peak, where + ".speed");
}

bool read_divergence(Reader& in, const JsonValue& list, const Shard& shard, Results* results) {
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    const JsonValue& d = list.items[i];
    const std::string where = "divergence[" + std::to_string(i) + "]";
    if (d.type != Type::object) return in.fail(where, "is not an object");
    int run = 0;
    const JsonValue* condition = in.get(d, "condition", Type::string, where);
    if (condition == nullptr || !in.whole(d, "run", shard.first, shard.end - 1, &run, where)) {
      return false;
    }
    const int k = condition_of(results->config, condition->text);
    if (k < 0) return in.fail(where + ".condition", "'" + condition->text + "' is unknown");
    ModelDivergence& out = results->runs[static_cast<std::size_t>(run)].divergence[k];
    out.found = true;
    if (!in.whole(d, "epoch", 0, std::numeric_limits<int>::max(), &out.epoch, where)) {
      return false;
    }
    if (d.find("non_finite_parameter") != nullptr) {
      if (!in.whole(d, "non_finite_parameter", 0, std::numeric_limits<long long>::max(),
                    &out.parameter, where)) {
        return false;
      }
    } else {
      long long step = 0;
      if (!in.whole(d, "step", 0, std::numeric_limits<long>::max(), &step, where) ||
          !in.real(d, "loss", &out.loss, where) ||
          !in.real(d, "loss_limit", &out.limit, where)) {
        return false;
      }
      out.step = static_cast<long>(step);
    }
  }
  return true;
}

bool read_tally(Reader& in, const JsonValue& object, const char* key,
                tacit_tools::SubnormalTally* sum) {
  const JsonValue* t = in.get(object, key, Type::object, "subnormals");
  if (t == nullptr) return false;
  long long* fields[] = {&sum->steps, &sum->checked, &sum->activations, &sum->logit_grads,
                         &sum->deltas, &sum->grads, &sum->moments, &sum->params};
  const char* names[] = {"steps", "checked", "activations", "logit_grads",
                         "deltas", "grads", "moments", "params"};
  for (int i = 0; i < 8; ++i) {
    long long v = 0;
    if (!in.whole(*t, names[i], 0, std::numeric_limits<long long>::max(), &v,
                  std::string("subnormals.") + key)) {
      return false;
    }
    *fields[i] += v;
  }
  return true;
}

// The shard's own members: its range and hash segment.
bool read_shard_header(Reader& in, Shard* shard, bool* count_subnormals) {
  const JsonValue& doc = shard->doc;
  const JsonValue* program = doc.find("program");
  if (doc.type != Type::object || program == nullptr || program->text != "tacit-repro") {
    return in.fail("document", "is not tacit-repro's --json");
  }
  const JsonValue* s = doc.find("shard");
  if (s == nullptr) {
    return in.fail("document", "is not a shard's --json (it has no \"shard\"; a shard is "
                               "written with --run-range or --shard)");
  }
  if (s->type != Type::object) return in.fail("shard", "is not an object");
  const JsonValue* subnormals = in.get(*s, "count_subnormals", Type::boolean, "shard");
  const JsonValue* multiplier = in.get(*s, "hash_multiplier", Type::string, "shard");
  const JsonValue* low = in.get(*s, "hash_from_low_byte", Type::array, "shard");
  if (subnormals == nullptr || multiplier == nullptr || low == nullptr ||
      !in.whole(*s, "first_run", 0, 1000000, &shard->first, "shard") ||
      !in.whole(*s, "end_run", 1, 1000000, &shard->end, "shard") ||
      !in.hex(*multiplier, &shard->hash.multiplier, "shard.hash_multiplier")) {
    return false;
  }
  *count_subnormals = subnormals->boolean;
  // What shard_json writes, and nothing else: a member this merge does not
  // know would be dropped without a word.
  for (const auto& member : doc.members) {
    const std::string& key = member.first;
    const bool known = key == "program" || key == "shard" || key == "config" || key == "isa" ||
                       key == "threads" || key == "divergence" || key == "timings" ||
                       key == "runs" || (key == "subnormals" && *count_subnormals);
    if (!known) {
      return in.fail("document", "has \"" + key + "\", which a shard's --json does not " +
                                     "(a member this merge does not know)");
    }
  }
  if (low->items.size() != 256) return in.fail("shard.hash_from_low_byte", "does not hold 256");
  for (int l = 0; l < 256; ++l) {
    if (!in.hex(low->items[static_cast<std::size_t>(l)], &shard->hash.from_low[l],
                "shard.hash_from_low_byte")) {
      return false;
    }
  }
  if (shard->first >= shard->end) return in.fail("shard", "first_run is not below end_run");
  shard->config = in.get(doc, "config", Type::object, "document");
  return shard->config != nullptr;
}

// The first member in which two configs differ (data's path aside), or "".
std::string config_difference(const JsonValue& a, const JsonValue& b) {
  for (const auto& member : a.members) {
    if (member.first == "data") continue;
    const JsonValue* other = b.find(member.first.c_str());
    if (other == nullptr || *other != member.second) return member.first;
  }
  for (const auto& member : b.members) {
    if (a.find(member.first.c_str()) == nullptr) return member.first;
  }
  return "";
}

std::string value_text(const JsonValue* v) {
  if (v == nullptr) return "absent";
  if (v->type == Type::string) return tacit_tools::json_quote(v->text.c_str());
  if (v->type == Type::number) return v->text;
  return type_name(v->type);
}

std::string range_text(const Shard& s) {
  return s.file->name + " (runs " + std::to_string(s.first) + " to " +
         std::to_string(s.end - 1) + ")";
}

// Every run of [0, runs) in exactly one shard; shards sorted by first run.
bool check_coverage(std::vector<Shard*>& shards, int runs, std::string* error) {
  std::sort(shards.begin(), shards.end(),
            [](const Shard* a, const Shard* b) { return a->first < b->first; });
  int next = 0;
  for (const Shard* s : shards) {
    if (s->first < next) {
      const Shard* before = nullptr;
      for (const Shard* t : shards) {
        if (t != s && t->first <= s->first && s->first < t->end) before = t;
      }
      *error = range_text(*before) + " and " + range_text(*s) + " overlap";
      return false;
    }
    if (s->first > next) {
      *error = "runs " + std::to_string(next) + " to " + std::to_string(s->first - 1) +
               " are in none of the files";
      return false;
    }
    next = s->end;
  }
  if (next < runs) {
    *error = "runs " + std::to_string(next) + " to " + std::to_string(runs - 1) +
             " are in none of the files";
    return false;
  }
  if (next > runs) {
    *error = range_text(*shards.back()) + " goes past the config's " +
             std::to_string(runs) + " runs";
    return false;
  }
  return true;
}

// The shards' FMA peaks as one: the peak at which all their runs' FLOPs
// take as long as each shard's FLOPs at its own peak (the peaks' harmonic
// mean weighted by FLOPs), so that flops / (peak·1e9) is the sum of the
// shards' FLOP floors. 0 when a shard measured none.
class PeakSum {
 public:
  void add(double flops, double peak_gflops) {
    flops_ += flops;
    if (peak_gflops > 0.0) {
      flops_per_peak_ += flops / peak_gflops;
    } else {
      every_shard_ = false;
    }
  }
  double peak_gflops() const {
    return every_shard_ && flops_per_peak_ > 0.0 ? flops_ / flops_per_peak_ : 0.0;
  }

 private:
  double flops_ = 0.0;
  double flops_per_peak_ = 0.0;
  bool every_shard_ = true;
};

// One shard's runs, divergence, tallies and timings into merged->results,
// its FLOPs and peak into *peaks.
bool read_shard_body(Reader& in, const Shard& shard, const std::vector<std::uint32_t>& pairing,
                     Merged* merged, PeakSum* peaks) {
  Results& results = merged->results;
  const Config& config = results.config;
  const JsonValue& doc = shard.doc;
  const JsonValue* runs = in.get(doc, "runs", Type::array, "document");
  const JsonValue* divergence = in.get(doc, "divergence", Type::array, "document");
  const JsonValue* timings = in.get(doc, "timings", Type::object, "document");
  if (runs == nullptr || divergence == nullptr || timings == nullptr) return false;
  if (static_cast<int>(runs->items.size()) != shard.end - shard.first) {
    return in.fail("runs", "holds " + std::to_string(runs->items.size()) +
                               " runs; the shard says " + std::to_string(shard.end - shard.first));
  }
  for (int r = shard.first; r < shard.end; ++r) {
    const std::string where = "runs[" + std::to_string(r - shard.first) + "]";
    const JsonValue& record = runs->items[static_cast<std::size_t>(r - shard.first)];
    RunResult& run = results.runs[static_cast<std::size_t>(r)];
    if (!read_run(in, record, config, results.test_images, where, &run)) return false;
    if (run.run != r) return in.fail(where + ".run", "is not " + std::to_string(r));
    if (run.seed != subliminal::experiment_run_seed(config.seed, r) ||
        run.cross_from != static_cast<int>(pairing[static_cast<std::size_t>(r)])) {
      return in.fail(where, "its seed or cross-init run is not the experiment's run " +
                                std::to_string(r) + "'s");
    }
    tacit_tools::JsonWriter json;
    write_run(json, config, run);
    JsonValue again;
    std::string ignored;
    if (!tacit_tools::json_parse(json.text(), &again, &ignored) || again != record) {
      return in.fail(where, "does not come back the same when written again (a member or "
                            "value this merge does not know)");
    }
    // Run 0 is read first: the shards come in the order of their runs.
    const double first_flops = results.runs[0].flops;
    if (run.flops != first_flops) {
      return in.fail(where + ".flops", "is " + record.find("flops")->text + ", not run 0's " +
                                           std::to_string(static_cast<long long>(first_flops)) +
                                           " (every run of one configuration makes the same "
                                           "products)");
    }
  }
  if (!read_divergence(in, *divergence, shard, &results)) return false;
  if (config.count_subnormals) {
    const JsonValue* sub = in.get(doc, "subnormals", Type::object, "document");
    if (sub == nullptr || !read_tally(in, *sub, "teachers", &results.teacher_subnormals) ||
        !read_tally(in, *sub, "students", &results.student_subnormals)) {
      return false;
    }
  }
  double load = 0.0, total = 0.0, peak = 0.0;
  if (!in.real(*timings, "load_seconds", &load, "timings") ||
      !in.real(*timings, "total_seconds", &total, "timings") ||
      !in.real(*timings, "peak_gflops", &peak, "timings")) {
    return false;
  }
  results.load_seconds += load;
  results.total_seconds += total;
  double flops = 0.0;
  for (int r = shard.first; r < shard.end; ++r) {
    flops += results.runs[static_cast<std::size_t>(r)].flops;
  }
  peaks->add(flops, peak);
  const JsonValue* isa = in.get(doc, "isa", Type::string, "document");
  int threads = 0;
  if (isa == nullptr || !in.whole(doc, "threads", 1, 1 << 20, &threads, "document")) {
    return false;
  }
  if (merged->isa.empty()) {
    merged->isa = isa->text;
    merged->threads = threads;
  } else {
    if (merged->isa != isa->text) merged->isa = "mixed";
    if (merged->threads != threads) merged->threads = 0;
  }
  return true;
}

}  // namespace

bool merge_shards(const std::vector<ShardText>& files, Merged* merged, std::string* error) {
  *merged = Merged();
  if (files.empty()) {
    *error = "no shards";
    return false;
  }
  std::vector<Shard> shards(files.size());
  std::vector<Shard*> order;
  bool count_subnormals = false;
  for (std::size_t i = 0; i < files.size(); ++i) {
    Shard& shard = shards[i];
    shard.file = &files[i];
    std::string why;
    if (!tacit_tools::json_parse(files[i].text, &shard.doc, &why)) {
      *error = files[i].name + ": not JSON: " + why;
      return false;
    }
    Reader in;
    bool subnormals = false;
    if (!read_shard_header(in, &shard, &subnormals) ||
        (i == 0 && !read_config(in, *shard.config, subnormals, &merged->results))) {
      *error = files[i].name + ": " + in.error;
      return false;
    }
    if (i == 0) count_subnormals = subnormals;
    const std::string member = config_difference(*shards[0].config, *shard.config);
    if (!member.empty() || subnormals != count_subnormals) {
      const std::string name = member.empty() ? "--count-subnormals" : "\"" + member + "\"";
      *error = files[i].name + ": its config differs from " + files[0].name + "'s in " + name +
               (member.empty() ? std::string()
                               : " (" + value_text(shard.config->find(member.c_str())) +
                                     " here, " +
                                     value_text(shards[0].config->find(member.c_str())) +
                                     " there)") +
               "; the shards of one experiment share every flag but --run-range, --shard, "
               "--threads, --isa, --data and the outputs";
      return false;
    }
    order.push_back(&shard);
  }
  Results& results = merged->results;
  const Config& config = results.config;
  if (!check_coverage(order, config.runs, error)) return false;

  std::vector<std::uint32_t> pairing(static_cast<std::size_t>(config.runs));
  const tacit::Status status =
      subliminal::derangement(config.seed, static_cast<std::uint32_t>(config.runs),
                              pairing.data());
  if (!status) {
    *error = status.message();
    return false;
  }
  results.runs.assign(static_cast<std::size_t>(config.runs), RunResult());
  results.weights_hash = tacit::kHashStart;
  PeakSum peaks;
  for (const Shard* shard : order) {
    Reader in;
    if (!read_shard_body(in, *shard, pairing, merged, &peaks)) {
      *error = shard->file->name + ": " + in.error;
      return false;
    }
    results.weights_hash = shard->hash.apply(results.weights_hash);
  }
  results.peak_gflops = peaks.peak_gflops();
  summarize_results(&results);
  return true;
}

namespace {

bool read_file(const std::string& path, std::string* text) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "%s: %s: cannot open: %s\n", kTool, path.c_str(), std::strerror(errno));
    return false;
  }
  char buffer[65536];
  std::size_t n = 0;
  text->clear();
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text->append(buffer, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) std::fprintf(stderr, "%s: %s: cannot read\n", kTool, path.c_str());
  return !failed;
}

void print_merge_help() {
  std::printf(
      "usage: tacit-repro merge [options] FILE...\n"
      "\n"
      "Combines the --json files of shards (tacit-repro --run-range A:B or --shard I/N,\n"
      "with the same other flags) into what one tacit-repro computing every run\n"
      "prints and writes: the report and weights-hash on stdout, --json, --csv, --svg\n"
      "and --trajectory-svg, byte for byte (the JSON's timings and machine aside:\n"
      "they are the shards' per-run seconds and speed, the sum of their load and\n"
      "total seconds, their FMA peaks as one (weighted by FLOPs), and their isa\n"
      "and threads, or \"mixed\" and 0 where they differ).\n"
      "Files may come in any order; every run must be in exactly one, and all must\n"
      "share one configuration (--students and the students' flags included).\n"
      "\n"
      "Options:\n"
      "  --json FILE          the experiment's results document\n"
      "  --csv FILE           one row per run and condition\n"
      "  --svg FILE           the bar chart\n"
      "  --trajectory-svg FILE  accuracy against training progress (shards computed\n"
      "                       with --points-per-epoch)\n"
      "  --expect-transfer M  exit 3 unless mean(aux-only same-init) minus\n"
      "                       mean(aux-only cross-init) is at least M\n"
      "  --allow-divergence   exit 0 even if a shard's training diverged\n"
      "  --help, -h           this text\n"
      "\n"
      "Exit status: 0 done, 1 a file that cannot be read, parsed or merged, shards\n"
      "without what --trajectory-svg or --expect-transfer needs, or an unwritable\n"
      "output, 2 usage error, 3 --expect-transfer not met, 4 a training\n"
      "diverged.\n");
}

}  // namespace

int merge_main(int argc, char** argv) {
  Config flags;
  std::string first;
  std::vector<std::string> more;
  using namespace tacit_cli;
  const Command command{kTool,
                        {path("--json", &flags.json), path("--csv", &flags.csv),
                         path("--svg", &flags.svg),
                         path("--trajectory-svg", &flags.trajectory_svg),
                         real("--expect-transfer", at_least(-1), at_most(1),
                              &flags.transfer_margin)
                             .marks(&flags.expect_transfer),
                         on("--allow-divergence", &flags.allow_divergence)},
                        {{"FILE", &first}},
                        &more};
  const int exit = exit_unless_run(parse(command, argc, argv), print_merge_help);
  if (exit >= 0) return exit;
  if (!tacit_tools::distinct_outputs(kTool, {{"--json", flags.json},
                                             {"--csv", flags.csv},
                                             {"--svg", flags.svg},
                                             {"--trajectory-svg", flags.trajectory_svg}})) {
    return kExitUsage;
  }
  more.insert(more.begin(), first);
  // An output naming an input would replace a shard before (or while) it is read.
  for (const tacit_tools::OutputFlag& output : {tacit_tools::OutputFlag{"--json", flags.json},
                                                tacit_tools::OutputFlag{"--csv", flags.csv},
                                                tacit_tools::OutputFlag{"--svg", flags.svg},
                                                tacit_tools::OutputFlag{"--trajectory-svg",
                                                                        flags.trajectory_svg}}) {
    if (output.path.empty()) continue;
    for (const std::string& input : more) {
      if (!tacit_tools::same_file(output.path, input)) continue;
      const std::string names =
          output.path == input ? input : output.path + " and " + input;
      tacit_cli::usage(kTool, "%s names an input file (%s); the output would replace a shard",
                       output.flag, names.c_str());
      return kExitUsage;
    }
  }
  OutputFiles files;
  if (!files.open(flags)) return kExitData;
  std::vector<ShardText> shards(more.size());
  for (std::size_t i = 0; i < more.size(); ++i) {
    shards[i].name = more[i];
    if (!read_file(more[i], &shards[i].text)) return kExitData;
  }
  Merged merged;
  std::string error;
  if (!merge_shards(shards, &merged, &error)) {
    std::fprintf(stderr, "%s: %s\n", kTool, error.c_str());
    return kExitData;
  }
  Config config = merged.results.config;
  if (!flags.trajectory_svg.empty() && config.points_per_epoch == 0) {
    std::fprintf(stderr, "%s: --trajectory-svg: the shards have no trajectories (they were "
                 "computed without --points-per-epoch)\n", kTool);
    return kExitData;
  }
  if (flags.expect_transfer && !(has_student(config, StudentKind::aux_same) &&
                                 has_student(config, StudentKind::aux_cross))) {
    std::fprintf(stderr, "%s: --expect-transfer compares aux-same with aux-cross; the "
                 "shards' --students do not name both\n", kTool);
    return kExitData;
  }
  config.json = flags.json;
  config.csv = flags.csv;
  config.svg = flags.svg;
  config.trajectory_svg = flags.trajectory_svg;
  config.expect_transfer = flags.expect_transfer;
  config.transfer_margin = flags.transfer_margin;
  config.allow_divergence = flags.allow_divergence;
  const RunEnvironment environment{merged.isa.c_str(), merged.threads};
  return deliver_results(config, merged.results, environment, files);
}

}  // namespace repro
