// Run-time choice of the kernels: the list of ISA entries (isa_kernels.h),
// what the CPU (and its OS) supports, and TACIT_ISA. A build never assumes
// its CPU.
#include <cstdlib>
#include <cstring>

#include "kernels/isa_kernels.h"
#include "tacit/isa.h"

namespace tacit {

namespace {

// Every ISA tacit knows, compiled in or not, slowest first: isa_best() is
// the last available one. Its order is also isa_at's and the one TACIT_ISA's
// error message names them in.
const kernels::IsaKernels* const kIsas[] = {
    &kernels::kIsaPortable,
    &kernels::kIsaAvx2,
    &kernels::kIsaAvx512,
    &kernels::kIsaNeon,
};
constexpr int kIsaCount = static_cast<int>(sizeof kIsas / sizeof kIsas[0]);

const kernels::IsaKernels* entry(Isa isa) {
  for (const kernels::IsaKernels* e : kIsas) {
    if (e->isa == isa) return e;
  }
  return nullptr;
}

// "portable, avx2, avx512 or neon"
void list_names(char* out, std::size_t capacity) {
  out[0] = '\0';
  for (int i = 0; i < kIsaCount; ++i) {
    const char* separator = i == 0 ? "" : i + 1 == kIsaCount ? " or " : ", ";
    std::strncat(out, separator, capacity - std::strlen(out) - 1);
    std::strncat(out, kIsas[i]->name, capacity - std::strlen(out) - 1);
  }
}

// TACIT_ISA, or nullptr when it is unset or empty: the one place it is read.
const char* isa_variable() {
  const char* value = std::getenv("TACIT_ISA");
  return value != nullptr && value[0] != '\0' ? value : nullptr;
}

}  // namespace

int isa_count() { return kIsaCount; }

Isa isa_at(int index) {
  return index >= 0 && index < kIsaCount ? kIsas[index]->isa : Isa::portable;
}

const char* isa_name(Isa isa) {
  const kernels::IsaKernels* e = entry(isa);
  return e != nullptr ? e->name : "unknown";
}

bool isa_parse(const char* name, Isa* isa) {
  for (const kernels::IsaKernels* e : kIsas) {
    if (name != nullptr && std::strcmp(name, e->name) == 0) {
      *isa = e->isa;
      return true;
    }
  }
  return false;
}

bool isa_available(Isa isa) {
  const kernels::IsaKernels* e = entry(isa);
  return e != nullptr && e->available != nullptr && e->available();
}

Isa isa_best() {
  for (int i = kIsaCount - 1; i >= 0; --i) {
    if (isa_available(kIsas[i]->isa)) return kIsas[i]->isa;
  }
  return Isa::portable;
}

Status isa_from_environment(Isa* isa) {
  const char* requested = isa_variable();
  if (requested == nullptr) {
    *isa = isa_best();
    return Status::success();
  }
  Isa parsed;
  if (!isa_parse(requested, &parsed)) {
    char names[128];
    list_names(names, sizeof names);
    return Status::error("TACIT_ISA=%s: unknown ISA; expected %s", requested, names);
  }
  if (!isa_available(parsed)) {
    return Status::error(
        "TACIT_ISA=%s: not available here (not compiled in, or this CPU lacks "
        "it); the best available is %s",
        requested, isa_name(isa_best()));
  }
  *isa = parsed;
  return Status::success();
}

// No Status here: every Compute{} calls this, and an error would take one
// of the thread's message slots (status.h) each time.
Isa isa_default() {
  const char* requested = isa_variable();
  Isa parsed;
  return requested != nullptr && isa_parse(requested, &parsed) && isa_available(parsed)
             ? parsed
             : isa_best();
}

namespace kernels {

const IsaKernels& isa_kernels(Isa isa) {
  return isa_available(isa) ? *entry(isa) : kIsaPortable;
}

GemmKernel gemm_kernel_for(int isa) { return isa_kernels(static_cast<Isa>(isa)).gemm; }
std::size_t gemm_scratch_floats_max() {
  std::size_t most = 0;
  for (const IsaKernels* e : kIsas) {
    const std::size_t* floats = e->gemm_scratch_floats;
    if (floats != nullptr && isa_available(e->isa) && *floats > most) most = *floats;
  }
  return most;
}
AdamKernel adam_kernel_for(int isa) { return isa_kernels(static_cast<Isa>(isa)).adam; }
TransposeKernel transpose_kernel_for(int isa) {
  return isa_kernels(static_cast<Isa>(isa)).transpose;
}
PhiloxUniformKernel philox_uniform_kernel_for(int isa) {
  return isa_kernels(static_cast<Isa>(isa)).philox;
}
MathKernels math_kernels_for(int isa) { return isa_kernels(static_cast<Isa>(isa)).math; }

}  // namespace kernels
}  // namespace tacit
