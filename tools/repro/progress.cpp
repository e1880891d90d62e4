#include "repro/progress.h"

#include <cstdio>

#include "common/cli.h"

namespace repro {

namespace {

constexpr double kRedrawSeconds = 0.2;

std::string accuracy_text(double accuracy) {
  char text[16];
  std::snprintf(text, sizeof text, "%.4f", accuracy);
  return text;
}

}  // namespace

ProgressMode progress_mode(bool quiet) {
  if (quiet) return ProgressMode::silent;
  return tacit_cli::stderr_is_terminal() ? ProgressMode::terminal : ProgressMode::lines;
}

std::string format_duration(double seconds) {
  char text[32];
  if (seconds < 0.0) seconds = 0.0;
  if (seconds < 60.0) {
    std::snprintf(text, sizeof text, "%.1fs", seconds);
  } else if (seconds < 3600.0) {
    const long s = static_cast<long>(seconds + 0.5);
    std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
  } else {
    const long m = static_cast<long>(seconds / 60.0 + 0.5);
    std::snprintf(text, sizeof text, "%ldh%02ldm", m / 60, m % 60);
  }
  return text;
}

Progress::Progress(ProgressMode mode, int runs, long long units_per_run, int first_run)
    : mode_(mode),
      runs_(runs),
      first_run_(first_run),
      units_per_run_(units_per_run < 1 ? 1 : units_per_run),
      start_(std::chrono::steady_clock::now()) {}

double Progress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(const char* phase, int run, int epoch, int epochs,
                      long long units_done) {
  if (mode_ != ProgressMode::terminal) return;
  const double now = elapsed();
  if (last_draw_ >= 0.0 && now - last_draw_ < kRedrawSeconds) return;
  last_draw_ = now;
  run -= first_run_;
  draw(phase, run, epoch, epochs,
       static_cast<double>(run) * units_per_run_ + static_cast<double>(units_done));
}

void Progress::draw(const char* phase, int run, int epoch, int epochs,
                    double done_units) {
  const double now = elapsed();
  const double total_units = static_cast<double>(runs_) * units_per_run_;
  std::string eta = "?";
  if (done_units > 0.0) eta = format_duration(now / done_units * (total_units - done_units));
  char epoch_text[48] = "";
  if (epochs > 0) std::snprintf(epoch_text, sizeof epoch_text, " epoch %d/%d", epoch, epochs);
  // \r and erase-to-end-of-line: the line is rewritten in place.
  std::fprintf(stderr, "\r\033[Krun %d/%d %s%s  elapsed %s  ETA %s", run + 1, runs_,
               phase, epoch_text, format_duration(now).c_str(), eta.c_str());
  std::fflush(stderr);
  line_open_ = true;
}

void Progress::run_done(const Config& config, const RunResult& result) {
  if (mode_ == ProgressMode::silent) return;
  const double now = elapsed();
  const int done = result.run - first_run_ + 1;
  const std::string eta = format_duration(now / done * (runs_ - done));
  if (mode_ == ProgressMode::terminal) {
    std::fprintf(stderr, "\r\033[K");
    line_open_ = false;
  }
  std::string accuracies = "teacher " + accuracy_text(result.accuracy[kTeacher]);
  for (int c = kFirstStudent; c < condition_count(config); ++c) {
    accuracies += ", " + condition_info(config, c).name + " " + accuracy_text(result.accuracy[c]);
  }
  std::fprintf(stderr, "tacit-repro: run %d/%d: %s (%s; elapsed %s, ETA %s)\n", done, runs_,
               accuracies.c_str(), format_duration(result.seconds.total).c_str(),
               format_duration(now).c_str(), eta.c_str());
  std::fflush(stderr);
}

void Progress::finish() {
  if (line_open_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    line_open_ = false;
  }
}

}  // namespace repro
