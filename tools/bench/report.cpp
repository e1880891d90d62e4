#include "bench/report.h"

#include <algorithm>
#include <cstring>

#include "common/json.h"
#include "tacit/isa.h"
#include "tacit/threads.h"

namespace tacit_bench {

namespace {

constexpr double kTeacherEpochSamples = 60000;  // MNIST's training set

std::string shape_of(const Record& r) {
  char text[48];
  if (r.op == "adam") {
    std::snprintf(text, sizeof text, "%d params", r.in);
  } else if (r.op == "pool" || r.op == "pool_wake") {
    std::snprintf(text, sizeof text, "empty tasks");
  } else {
    std::snprintf(text, sizeof text, "%d->%d", r.in, r.out);
  }
  return text;
}

// The read row of the same ISA and thread count, or nullptr.
const Record* weights_read_of(const SuiteResult& result, const Record& infer) {
  for (const Record& r : result.records) {
    if (r.op == "read" && r.isa == infer.isa && r.threads == infer.threads) return &r;
  }
  return nullptr;
}

std::string note_of(const SuiteResult& result, const Record& r) {
  char text[96] = "";
  const double s = r.seconds.median;
  if ((r.op == "adam" || r.op == "read") && s > 0) {
    std::snprintf(text, sizeof text, "%.1f GB/s", r.bytes / s * 1e-9);
  } else if (r.op == "train_step" && s > 0) {
    const double rate = r.batch / s;
    std::snprintf(text, sizeof text, "%.0f samples/s, epoch %.2f s", rate,
                  kTeacherEpochSamples / rate);
  } else if (r.op == "pool") {
    std::snprintf(text, sizeof text, "a run handed to spinning workers");
  } else if (r.op == "pool_wake") {
    std::snprintf(text, sizeof text, "a run after 2 ms idle: workers asleep");
  } else if (r.op == "infer") {
    const Record* read = weights_read_of(result, r);
    if (read != nullptr && read->seconds.median > 0) {
      std::snprintf(text, sizeof text, "%.1f us/image, %.2fx reading its weights", s * 1e6,
                    s / read->seconds.median);
    } else {
      std::snprintf(text, sizeof text, "%.1f us/image", s * 1e6);
    }
  }
  return text;
}

std::string load_average() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (f == nullptr) return "";
  char line[128] = "";
  const bool got = std::fgets(line, sizeof line, f) != nullptr;
  std::fclose(f);
  if (!got) return "";
  line[std::strcspn(line, "\n")] = '\0';
  return line;
}

std::string key_of(const Record& r) {
  char text[160];
  std::snprintf(text, sizeof text, "%s %d %s %d %d %d", r.isa.c_str(), r.threads,
                r.op.c_str(), r.in, r.out, r.batch);
  return text;
}

double median_of(std::vector<double> v) { return summarize(std::move(v)).median; }

}  // namespace

void print_table(std::FILE* out, const SuiteResult& result) {
  std::fprintf(out, "peak FP32 FMA rate, GFLOP/s: median [min, max] of the samples; cpu%%:\n"
                    "process CPU time / (wall time x threads), below 100 when other\n"
                    "processes shared the cores\n");
  for (const Peak& p : result.peaks) {
    std::fprintf(out, "  %-8s x%d  %7.1f  [%.1f, %.1f]  cpu %3.0f%%\n", p.isa.c_str(), p.threads,
                 p.gflops.median, p.gflops.min, p.gflops.max,
                 100 * p.gflops.cpu_per_wall / p.threads);
  }
  const bool several = !result.records.empty() && result.records[0].processes > 1;
  std::fprintf(out,
               "\n%%peak: GFLOP/s at the median time / median peak; best%%: fastest sample /\n"
               "fastest peak sample%s\n",
               several ? "; worst%: the lowest process's %peak" : "");
  std::fprintf(out, "%-8s %3s %-10s %-14s %5s %10s %10s %10s %8s %6s %6s%s %5s  %s\n", "isa",
               "thr", "op", "shape", "batch", "median_us", "min_us", "max_us", "GFLOP/s",
               "%peak", "best%", several ? " worst%" : "", "cpu%", "");
  for (const Record& r : result.records) {
    char rate[16] = "-", share[16] = "-", best[16] = "-", worst[16] = "-";
    if (r.flops > 0) {
      std::snprintf(rate, sizeof rate, "%.2f", gflops_of(r));
      std::snprintf(share, sizeof share, "%.1f", 100 * fraction_of(r));
      std::snprintf(best, sizeof best, "%.1f", 100 * best_fraction_of(r));
      std::snprintf(worst, sizeof worst, "%.1f", 100 * r.worst_process_fraction);
    }
    std::fprintf(out, "%-8s %3d %-10s %-14s %5d %10.1f %10.1f %10.1f %8s %6s %6s", r.isa.c_str(),
                 r.threads, r.op.c_str(), shape_of(r).c_str(), r.batch, r.seconds.median * 1e6,
                 r.seconds.min * 1e6, r.seconds.max * 1e6, rate, share, best);
    if (several) std::fprintf(out, " %6s", worst);
    std::fprintf(out, " %5.0f", 100 * r.seconds.cpu_per_wall / r.threads);
    const std::string note = note_of(result, r);
    std::fprintf(out, "%s%s\n", note.empty() ? "" : "  ", note.c_str());
  }
}

std::string bench_json(const SuiteResult& result, const std::string& note,
                       const SubnormalReport* subnormals) {
  tacit_tools::JsonWriter json;
  json.begin_object();
  json.key("machine"); json.begin_object();
  json.key("hardware_threads"); json.integer(tacit::hardware_threads());
  json.key("best_isa"); json.string(tacit::isa_name(tacit::isa_best()));
  json.key("loadavg"); json.string(load_average().c_str());
  json.key("note"); json.string(note.c_str());
  json.end_object();
  json.key("peaks"); json.begin_array();
  for (const Peak& p : result.peaks) {
    json.begin_object();
    json.key("isa"); json.string(p.isa.c_str());
    json.key("threads"); json.integer(p.threads);
    json.key("gflops"); json.number(p.gflops.median);
    json.key("gflops_min"); json.number(p.gflops.min);
    json.key("gflops_max"); json.number(p.gflops.max);
    json.key("samples"); json.integer(p.gflops.samples);
    json.key("cpu_per_wall"); json.number(p.gflops.cpu_per_wall);
    json.end_object();
  }
  json.end_array();
  json.key("results"); json.begin_array();
  for (const Record& r : result.records) {
    const bool counted = r.flops > 0;
    // Ops without FLOPs (adam, read) have no rate or fraction: null.
    const auto rate = [&](const char* key, double value) {
      json.key(key);
      if (counted) {
        json.number(value);
      } else {
        json.null();
      }
    };
    json.begin_object();
    json.key("isa"); json.string(r.isa.c_str());
    json.key("threads"); json.integer(r.threads);
    json.key("op"); json.string(r.op.c_str());
    json.key("in"); json.integer(r.in);
    json.key("out"); json.integer(r.out);
    json.key("batch"); json.integer(r.batch);
    json.key("seconds"); json.number(r.seconds.median);
    json.key("seconds_min"); json.number(r.seconds.min);
    json.key("seconds_max"); json.number(r.seconds.max);
    json.key("samples"); json.integer(r.seconds.samples);
    json.key("processes"); json.integer(r.processes);
    rate("gflops", gflops_of(r));
    rate("peak_gflops", r.peak_gflops);
    rate("fraction_of_peak", fraction_of(r));
    rate("fraction_of_peak_worst_process", r.worst_process_fraction);
    rate("fraction_of_peak_best", best_fraction_of(r));
    json.key("cpu_per_wall"); json.number(r.seconds.cpu_per_wall);
    if (r.op == "train_step" || r.op == "infer") {
      json.key("samples_per_second"); json.number(r.batch / r.seconds.median);
    }
    if (r.op == "adam") {
      json.key("params"); json.integer(r.in);
      json.key("bytes_per_second"); json.number(r.bytes / r.seconds.median);
    }
    if (r.op == "read") {
      json.key("bytes"); json.number(r.bytes);
      json.key("bytes_per_second"); json.number(r.bytes / r.seconds.median);
    }
    const Record* read = r.op == "infer" ? weights_read_of(result, r) : nullptr;
    if (read != nullptr) {
      json.key("weights_read_seconds"); json.number(read->seconds.median);
    }
    json.end_object();
  }
  json.end_array();
  if (subnormals != nullptr) {
    json.key("subnormals"); json.begin_object();
    write_subnormals_json(json, *subnormals);
    json.end_object();
  }
  json.end_object();
  return json.text();
}

bool write_lines(const std::string& path, const SuiteResult& result) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  for (const Peak& p : result.peaks) {
    std::fprintf(f, "peak %s %d %.17g %.17g %.17g %d %.17g\n", p.isa.c_str(), p.threads,
                 p.gflops.median, p.gflops.min, p.gflops.max, p.gflops.samples,
                 p.gflops.cpu_per_wall);
  }
  for (const Record& r : result.records) {
    std::fprintf(f, "record %s %d %s %d %d %d %.17g %.17g %.17g %.17g %.17g %.17g %.17g %d "
                    "%.17g\n",
                 r.isa.c_str(), r.threads, r.op.c_str(), r.in, r.out, r.batch, r.flops,
                 r.bytes, r.peak_gflops, r.peak_best, r.seconds.median, r.seconds.min,
                 r.seconds.max, r.seconds.samples, r.seconds.cpu_per_wall);
  }
  return std::fclose(f) == 0;
}

bool read_lines(const std::string& path, SuiteResult* result) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  char line[512];
  bool ok = true;
  while (ok && std::fgets(line, sizeof line, f) != nullptr) {
    char isa[32], op[32];
    if (std::strncmp(line, "peak ", 5) == 0) {
      Peak p;
      ok = std::sscanf(line, "peak %31s %d %lf %lf %lf %d %lf", isa, &p.threads,
                       &p.gflops.median, &p.gflops.min, &p.gflops.max, &p.gflops.samples,
                       &p.gflops.cpu_per_wall) == 7;
      p.isa = isa;
      result->peaks.push_back(p);
    } else {
      Record r;
      ok = std::sscanf(line, "record %31s %d %31s %d %d %d %lf %lf %lf %lf %lf %lf %lf %d %lf",
                       isa, &r.threads, op, &r.in, &r.out, &r.batch, &r.flops, &r.bytes,
                       &r.peak_gflops, &r.peak_best, &r.seconds.median, &r.seconds.min,
                       &r.seconds.max, &r.seconds.samples, &r.seconds.cpu_per_wall) == 15;
      r.isa = isa;
      r.op = op;
      r.worst_process_fraction = fraction_of(r);
      result->records.push_back(r);
    }
  }
  std::fclose(f);
  return ok;
}

SuiteResult combine(const std::vector<SuiteResult>& processes) {
  SuiteResult out;
  if (processes.empty()) return out;
  const SuiteResult& first = processes[0];
  for (const Peak& p : first.peaks) {
    std::vector<double> medians, cpu;
    Peak merged = p;
    merged.gflops.samples = 0;
    for (const SuiteResult& proc : processes) {
      for (const Peak& q : proc.peaks) {
        if (q.isa != p.isa || q.threads != p.threads) continue;
        medians.push_back(q.gflops.median);
        cpu.push_back(q.gflops.cpu_per_wall);
        merged.gflops.min = std::min(merged.gflops.min, q.gflops.min);
        merged.gflops.max = std::max(merged.gflops.max, q.gflops.max);
        merged.gflops.samples += q.gflops.samples;
      }
    }
    merged.gflops.median = median_of(medians);
    merged.gflops.cpu_per_wall = median_of(cpu);
    out.peaks.push_back(merged);
  }
  for (const Record& r : first.records) {
    const std::string key = key_of(r);
    std::vector<double> medians, peaks, cpu;
    Record merged = r;
    merged.processes = 0;
    merged.seconds.samples = 0;
    merged.worst_process_fraction = 1e300;
    for (const SuiteResult& proc : processes) {
      for (const Record& q : proc.records) {
        if (key_of(q) != key) continue;
        medians.push_back(q.seconds.median);
        peaks.push_back(q.peak_gflops);
        cpu.push_back(q.seconds.cpu_per_wall);
        merged.peak_best = std::max(merged.peak_best, q.peak_best);
        merged.seconds.min = std::min(merged.seconds.min, q.seconds.min);
        merged.seconds.max = std::max(merged.seconds.max, q.seconds.max);
        merged.seconds.samples += q.seconds.samples;
        merged.processes += 1;
        merged.worst_process_fraction = std::min(merged.worst_process_fraction, fraction_of(q));
      }
    }
    merged.seconds.median = median_of(medians);
    merged.peak_gflops = median_of(peaks);
    merged.seconds.cpu_per_wall = median_of(cpu);
    out.records.push_back(merged);
  }
  return out;
}

}  // namespace tacit_bench
