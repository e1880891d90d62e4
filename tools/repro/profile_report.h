// --profile: where a run's time went, from the Profile its Compute carried
// (tacit/profile.h), against the FMA peak tacit-bench measures for the same
// ISA and thread count.
#pragma once

#include <string>

#include "common/json.h"
#include "tacit/profile.h"

namespace repro {

struct ProfileSummary {
  tacit::Profile profile;
  double seconds = 0.0;       // the runs' wall time (loading the data excluded)
  double peak_gflops = 0.0;   // 0: no peak measured for this ISA
};

// Seconds since an arbitrary origin, for Profile::clock.
double steady_seconds();

// A table: per kind of work its calls, seconds, share of the time, and for
// the products GFLOP/s and the fraction of peak; everything else (data,
// noise, evaluation, hashing); the products' FLOPs, the FLOP floor at the
// peak and the time's ratio to it.
std::string profile_text(const ProfileSummary& summary);
// The same numbers as one JSON object.
void write_profile(tacit_tools::JsonWriter& json, const ProfileSummary& summary);

}  // namespace repro
