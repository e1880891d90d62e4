// A fixed, small training run whose final-weight hash is the same on every
// compiler, optimization level, ISA and thread count: the determinism
// contract in one number. A teacher learns generated labels with
// cross-entropy; a student from the same initialization imitates the
// teacher's auxiliary logits (KL) on generated noise. Awkward widths and
// batch exercise every kernel's edges. Written against libtacit's public
// headers only: tacit-conformance, the tests, the Cortex-M4 program and
// tests/consumer (which compiles this file against an installed tacit) all
// run this one definition.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tacit/arena.h"
#include "tacit/gemm.h"
#include "tacit/status.h"

namespace tacit_tools {

struct ConformanceConfig {
  std::uint64_t seed = 0;
  int steps = 50;  // per phase: teacher steps, then student steps
};

struct ConformanceResult {
  std::uint64_t hash = 0;  // over teacher then student parameters
  float teacher_first_loss = 0, teacher_last_loss = 0;
  float student_first_loss = 0, student_last_loss = 0;
  int steps = 0;
};

std::size_t conformance_bytes(const ConformanceConfig& config);
tacit::Status conformance_run(const tacit::Compute& compute,
                              const ConformanceConfig& config, tacit::Arena& arena,
                              ConformanceResult* result);

// The same training on a model with every other activation: 61-47-33-29-13
// with tanh, GELU and sigmoid after its hidden layers (`hash-mixed` of
// tacit-conformance, `conformance-mixed` in tests/golden-hashes).
std::size_t conformance_mixed_bytes(const ConformanceConfig& config);
tacit::Status conformance_mixed_run(const tacit::Compute& compute,
                                    const ConformanceConfig& config, tacit::Arena& arena,
                                    ConformanceResult* result);

}  // namespace tacit_tools
