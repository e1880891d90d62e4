// Which instruction set computes the products. Every variant gives the same
// bits (docs/ARCHITECTURE.md, "Kernels"); the choice only changes speed.
#pragma once

#include "tacit/status.h"

namespace tacit {

enum class Isa { portable, avx2, avx512, neon };

// Every ISA this library knows, compiled in or not: isa_at(0) ..
// isa_at(isa_count() - 1), portable first (an index out of range gives
// portable). Tests that hold every variant to the same bits walk this list.
int isa_count();
Isa isa_at(int index);

const char* isa_name(Isa isa);
// Accepts the names isa_name prints.
bool isa_parse(const char* name, Isa* isa);
// Compiled into this build and supported by this CPU (and its OS).
bool isa_available(Isa isa);
// The fastest available one.
Isa isa_best();
// TACIT_ISA if set (an error if it names an unknown or unavailable ISA),
// otherwise isa_best().
Status isa_from_environment(Isa* isa);
// What Compute{} runs on: isa_from_environment's ISA, or isa_best() when
// TACIT_ISA cannot be used (tools report that through isa_from_environment).
Isa isa_default();

}  // namespace tacit
