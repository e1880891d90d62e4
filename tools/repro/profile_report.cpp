#include "repro/profile_report.h"

#include <chrono>
#include <cstdio>

namespace repro {

namespace {

bool is_product(int w) {
  return w == static_cast<int>(tacit::Work::forward_product) ||
         w == static_cast<int>(tacit::Work::input_gradient) ||
         w == static_cast<int>(tacit::Work::weight_gradient);
}

struct Totals {
  double measured = 0.0;  // seconds inside any tallied call
  double product_seconds = 0.0;
  double flops = 0.0;
};

Totals totals(const tacit::Profile& p) {
  Totals t;
  for (int w = 0; w < tacit::kWorkKinds; ++w) {
    t.measured += p.work[w].seconds;
    if (is_product(w)) t.product_seconds += p.work[w].seconds;
    t.flops += p.work[w].flops;
  }
  return t;
}

double ratio(double a, double b) { return b > 0.0 ? a / b : 0.0; }

}  // namespace

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string profile_text(const ProfileSummary& s) {
  const tacit::Profile& p = s.profile;
  const Totals t = totals(p);
  std::string out = "profile (wall time inside the run; GFLOP/s and %peak for products):\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-16s %10s %10s %7s %9s %7s\n", "work", "calls",
                "seconds", "share", "GFLOP/s", "%peak");
  out += line;
  for (int w = 0; w < tacit::kWorkKinds; ++w) {
    const tacit::WorkTally& k = p.work[w];
    const double gflops = ratio(k.flops, k.seconds) / 1e9;
    if (is_product(w)) {
      std::snprintf(line, sizeof line, "  %-16s %10lld %10.3f %6.1f%% %9.2f %6.1f%%\n",
                    tacit::work_name(static_cast<tacit::Work>(w)), k.calls, k.seconds,
                    100.0 * ratio(k.seconds, s.seconds), gflops,
                    100.0 * ratio(gflops, s.peak_gflops));
    } else {
      std::snprintf(line, sizeof line, "  %-16s %10lld %10.3f %6.1f%%\n",
                    tacit::work_name(static_cast<tacit::Work>(w)), k.calls, k.seconds,
                    100.0 * ratio(k.seconds, s.seconds));
    }
    out += line;
  }
  std::snprintf(line, sizeof line, "  %-16s %10s %10.3f %6.1f%%   (data, noise, accuracy "
                "counting, hashing)\n", "everything else", "", s.seconds - t.measured,
                100.0 * ratio(s.seconds - t.measured, s.seconds));
  out += line;
  const double floor = ratio(t.flops, s.peak_gflops * 1e9);
  std::snprintf(line, sizeof line,
                "  products: %.4g GFLOP at %.2f GFLOP/s; the run: %.2f GFLOP/s, %.1f%% of "
                "the peak %.2f GFLOP/s; FLOP floor %.2f s, the run %.2fx it\n",
                t.flops / 1e9, ratio(t.flops, t.product_seconds) / 1e9,
                ratio(t.flops, s.seconds) / 1e9,
                100.0 * ratio(ratio(t.flops, s.seconds) / 1e9, s.peak_gflops), s.peak_gflops,
                floor, ratio(s.seconds, floor));
  out += line;
  return out;
}

void write_profile(tacit_tools::JsonWriter& json, const ProfileSummary& s) {
  const tacit::Profile& p = s.profile;
  const Totals t = totals(p);
  json.begin_object();
  json.key("seconds"); json.number(s.seconds);
  json.key("peak_gflops"); json.number(s.peak_gflops);
  json.key("flops"); json.number(t.flops);
  json.key("gflops"); json.number(ratio(t.flops, s.seconds) / 1e9);
  json.key("fraction_of_peak"); json.number(ratio(ratio(t.flops, s.seconds) / 1e9, s.peak_gflops));
  json.key("floor_seconds"); json.number(ratio(t.flops, s.peak_gflops * 1e9));
  json.key("work"); json.begin_object();
  for (int w = 0; w < tacit::kWorkKinds; ++w) {
    const tacit::WorkTally& k = p.work[w];
    json.key(tacit::work_name(static_cast<tacit::Work>(w))); json.begin_object();
    json.key("calls"); json.integer(k.calls);
    json.key("seconds"); json.number(k.seconds);
    if (is_product(w)) {
      json.key("flops"); json.number(k.flops);
      json.key("gflops"); json.number(ratio(k.flops, k.seconds) / 1e9);
      json.key("fraction_of_peak"); json.number(ratio(ratio(k.flops, k.seconds) / 1e9, s.peak_gflops));
    }
    json.end_object();
  }
  json.key("everything_else"); json.begin_object();
  json.key("seconds"); json.number(s.seconds - t.measured);
  json.end_object();
  json.end_object();
  json.end_object();
}

}  // namespace repro
