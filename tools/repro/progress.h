// Progress on stderr: a line rewritten in place when stderr is a terminal,
// one plain line per finished run otherwise (CI logs), nothing with --quiet.
// Timings live here and in the JSON, never on stdout.
#pragma once

#include <chrono>
#include <string>

#include "repro/results.h"

namespace repro {

enum class ProgressMode { silent, terminal, lines };

// terminal when stderr is one (POSIX isatty; elsewhere never), else lines;
// silent when quiet.
ProgressMode progress_mode(bool quiet);

// "1h02m", "3m07s", "12.3s".
std::string format_duration(double seconds);

class Progress {
 public:
  // units_per_run: the training steps of one run, the unit of the ETA.
  // first_run: the first run's number (a shard's runs start there).
  Progress(ProgressMode mode, int runs, long long units_per_run, int first_run = 0);

  // Where the run is; units_done counts steps finished in this run.
  // Redraws the terminal line at most every 0.2 s.
  void update(const char* phase, int run, int epoch, int epochs, long long units_done);
  void run_done(const Config& config, const RunResult& result);
  void finish();

  double elapsed() const;

 private:
  void draw(const char* phase, int run, int epoch, int epochs, double done_units);

  ProgressMode mode_;
  int runs_;
  int first_run_;
  long long units_per_run_;
  std::chrono::steady_clock::time_point start_;
  double last_draw_ = -1.0;
  bool line_open_ = false;
};

}  // namespace repro
