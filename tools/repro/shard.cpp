#include "repro/shard.h"

#include <cinttypes>
#include <cstring>
#include <string>
#include <vector>

#include "common/appendf.h"
#include "common/cli.h"
#include "common/json.h"

namespace repro {

namespace {

constexpr const char* kTool = "tacit-repro";
constexpr std::uint64_t kFnvPrime = 0x100000001b3ull;  // tacit/hash.h's

// "A:B" or "I/N": two whole numbers from 0 to 10^6 around `separator`.
bool two_numbers(const std::string& text, char separator, long long* a, long long* b) {
  const std::size_t at = text.find(separator);
  if (at == std::string::npos) return false;
  return tacit_cli::parse_whole(text.substr(0, at).c_str(), 0, 1000000, a) &&
         tacit_cli::parse_whole(text.substr(at + 1).c_str(), 0, 1000000, b);
}

}  // namespace

bool resolve_run_range(Config* c) {
  c->first_run = 0;
  c->end_run = c->runs;
  if (!is_shard(*c)) return true;
  if (!c->run_range.empty() && !c->shard.empty()) {
    return tacit_cli::usage(kTool, "--run-range and --shard both choose the runs; give one");
  }
  long long a = 0, b = 0;
  if (!c->run_range.empty()) {
    if (!two_numbers(c->run_range, ':', &a, &b) || a >= b || b > c->runs) {
      return tacit_cli::usage(kTool, "--run-range: '%s' is not A:B with 0 <= A < B <= "
                              "--runs (%d)", c->run_range.c_str(), c->runs);
    }
    c->first_run = static_cast<int>(a);
    c->end_run = static_cast<int>(b);
  } else {
    if (!two_numbers(c->shard, '/', &a, &b) || b < 1 || a >= b || b > c->runs) {
      return tacit_cli::usage(kTool, "--shard: '%s' is not I/N with 0 <= I < N <= --runs (%d)",
                              c->shard.c_str(), c->runs);
    }
    // Shard I of N: runs [floor(I·runs/N), floor((I+1)·runs/N)), none empty.
    c->first_run = static_cast<int>(a * c->runs / b);
    c->end_run = static_cast<int>((a + 1) * c->runs / b);
  }
  const char* flag = !c->run_range.empty() ? "--run-range" : "--shard";
  if (c->json.empty()) {
    return tacit_cli::usage(kTool, "%s needs --json FILE: a shard's runs reach "
                            "tacit-repro merge only through it", flag);
  }
  if (!c->csv.empty() || !c->svg.empty() || !c->trajectory_svg.empty() ||
      c->expect_transfer) {
    return tacit_cli::usage(kTool, "%s: --csv, --svg, --trajectory-svg and --expect-transfer "
                            "are for all the runs; give them to tacit-repro merge", flag);
  }
  return true;
}

HashSegment::HashSegment() {
  for (int l = 0; l < 256; ++l) from_low[l] = static_cast<std::uint64_t>(l);
}

namespace {

struct HashLanes {
  std::uint64_t* from_low;
  const float* values;
  std::size_t count;
  int parts;
};

// Lanes [256·part/parts, 256·(part+1)/parts) of from_low over the values,
// worked on in a copy of the thread's own: the parts' ends would otherwise
// share a cache line that both threads write at every byte.
void hash_lanes(void* context, int part) {
  const HashLanes& h = *static_cast<const HashLanes*>(context);
  const int begin = 256 * part / h.parts, end = 256 * (part + 1) / h.parts;
  std::uint64_t lanes[256];
  for (int l = begin; l < end; ++l) lanes[l] = h.from_low[l];
  for (std::size_t i = 0; i < h.count; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, &h.values[i], sizeof bits);
    for (int byte = 0; byte < 4; ++byte) {  // little-endian, as hash_floats
      const std::uint64_t b = (bits >> (8 * byte)) & 0xffu;
      for (int l = begin; l < end; ++l) lanes[l] = (lanes[l] ^ b) * kFnvPrime;
    }
  }
  for (int l = begin; l < end; ++l) h.from_low[l] = lanes[l];
}

}  // namespace

void HashSegment::add(const float* values, std::size_t count) {
  HashLanes lanes{from_low, values, count, 1};
  if (pool != nullptr && pool->size() > 1) {
    lanes.parts = pool->size();
    pool->run(lanes.parts, hash_lanes, &lanes);
  } else {
    hash_lanes(&lanes, 0);
  }
  // P^(4·count) by squaring: a multiply per bit of the byte count, not per byte.
  std::uint64_t power = kFnvPrime;
  for (std::uint64_t bytes = 4 * static_cast<std::uint64_t>(count); bytes != 0; bytes >>= 1) {
    if ((bytes & 1u) != 0) multiplier *= power;
    power *= power;
  }
}

std::uint64_t HashSegment::apply(std::uint64_t state) const {
  const std::uint64_t low = state & 0xffu;
  return from_low[low] + multiplier * (state - low);
}

ModelObserver hash_segment_observer(HashSegment* segment) {
  ModelObserver observer;
  observer.context = segment;
  observer.on_model = [](void* context, int, int, const tacit::Mlp& model) {
    static_cast<HashSegment*>(context)->add(model.params, model.param_count);
  };
  return observer;
}

std::string shard_report(const Results& results) {
  const Config& c = results.config;
  std::string out;
  tacit_tools::appendf(&out, "tacit-repro: runs %d to %d of %d, seed %" PRIu64
                       " (a shard: tacit-repro merge\nturns the shards' --json files into "
                       "the table, figures and weights-hash)\n", c.first_run,
                       run_end(c) - 1, c.runs, c.seed);
  tacit_tools::appendf(&out, "MLP %s; teacher %d epochs, students %d epochs\n\n",
                       widths_text(c).c_str(), c.teacher_epochs, c.student_epochs);
  // A column per condition, as wide as its name (at least 8).
  const int conditions = condition_count(c);
  std::vector<std::string> names(static_cast<std::size_t>(conditions));
  tacit_tools::appendf(&out, "%5s %6s", "run", "cross");
  for (int k = 0; k < conditions; ++k) {
    names[static_cast<std::size_t>(k)] = condition_info(c, k).name;
    tacit_tools::appendf(&out, " %8s", names[static_cast<std::size_t>(k)].c_str());
  }
  out += '\n';
  for (const RunResult& run : results.runs) {
    tacit_tools::appendf(&out, "%5d %6d", run.run, run.cross_from);
    for (int k = 0; k < conditions; ++k) {
      const int width = static_cast<int>(names[static_cast<std::size_t>(k)].size());
      tacit_tools::appendf(&out, " %*.4f", width < 8 ? 8 : width, run.accuracy[k]);
    }
    out += '\n';
  }
  return out;
}

std::string shard_json(const Results& results, const HashSegment& hash,
                       const RunEnvironment& environment) {
  const Config& c = results.config;
  tacit_tools::JsonWriter json;
  json.begin_object();
  json.key("program"); json.string("tacit-repro");
  json.key("shard"); json.begin_object();
  json.key("first_run"); json.integer(c.first_run);
  json.key("end_run"); json.integer(run_end(c));
  json.key("count_subnormals"); json.boolean(c.count_subnormals);
  json.key("hash_multiplier"); json.string(hex64(hash.multiplier).c_str());
  json.key("hash_from_low_byte"); json.begin_array(true);
  for (const std::uint64_t f : hash.from_low) json.string(hex64(f).c_str());
  json.end_array();
  json.end_object();
  write_config(json, results);
  json.key("isa"); json.string(environment.isa);
  json.key("threads"); json.integer(environment.threads);
  write_divergence(json, results);
  write_subnormal_section(json, results);
  write_timings(json, results, environment, false);
  json.key("runs"); json.begin_array();
  for (const RunResult& run : results.runs) write_run(json, c, run);
  json.end_array();
  json.end_object();
  return json.text();
}

}  // namespace repro
