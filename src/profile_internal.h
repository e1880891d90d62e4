// Internal: times one call into compute.profile's tally for its kind of
// work, from construction to destruction; does nothing without a profile.
#pragma once

#include "tacit/gemm.h"
#include "tacit/profile.h"

namespace tacit {

class ProfileScope {
 public:
  ProfileScope(const Compute& compute, Work work, double flops = 0.0)
      : profile_(compute.profile != nullptr && compute.profile->clock != nullptr
                     ? compute.profile
                     : nullptr),
        work_(work),
        flops_(flops),
        start_(profile_ != nullptr ? profile_->clock() : 0.0) {}
  ~ProfileScope() {
    if (profile_ == nullptr) return;
    WorkTally& tally = profile_->work[static_cast<int>(work_)];
    tally.calls += 1;
    tally.seconds += profile_->clock() - start_;
    tally.flops += flops_;
  }
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

 private:
  Profile* profile_;
  Work work_;
  double flops_;
  double start_;
};

// 2·m·n·k of a product C (m, n) with inner dimension k.
inline double product_flops(int m, int n, int k) {
  return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
}

}  // namespace tacit
