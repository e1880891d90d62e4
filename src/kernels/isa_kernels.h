// Internal: one table of kernels per ISA (XNNPACK style). Each ISA has one
// entry, in src/kernels/isa_<name>.cpp, and dispatch.cpp lists the entries;
// isa.h's names, parsing and availability, and every *_kernel_for, read that
// list. Entry files are compiled without ISA flags and into every build (an
// ISA that is not compiled in keeps its name but no kernels), so available()
// runs on any CPU. Only the kernels they point to are built for their ISA.
#pragma once

#include "kernels/adam_kernels.h"
#include "kernels/gemm_kernels.h"
#include "kernels/math_kernels.h"
#include "kernels/philox_kernels.h"
#include "kernels/transpose_kernels.h"
#include "tacit/isa.h"

namespace tacit {
namespace kernels {

struct IsaKernels {
  Isa isa;
  const char* name;  // what isa_name prints and isa_parse and TACIT_ISA accept
  // Compiled in, and this CPU (and its OS) runs it. nullptr where the ISA is
  // not compiled in; the kernels are then nullptr too.
  bool (*available)() = nullptr;
  GemmKernel gemm = nullptr;
  // Floats of scratch the gemm kernel may use (GemmScratch); nullptr: none.
  // A pointer, so that the entries stay constant-initialized.
  const std::size_t* gemm_scratch_floats = nullptr;
  AdamKernel adam = nullptr;
  TransposeKernel transpose = nullptr;
  PhiloxUniformKernel philox = nullptr;  // nullptr: rng.cpp's scalar loop
  MathKernels math = {};
};

// The entries (isa_<name>.cpp).
extern const IsaKernels kIsaPortable;
extern const IsaKernels kIsaAvx2;
extern const IsaKernels kIsaAvx512;
extern const IsaKernels kIsaNeon;

// The entry of an available ISA; the portable one for any other, so that a
// kernel is never run on a CPU that lacks its instructions.
const IsaKernels& isa_kernels(Isa isa);

}  // namespace kernels
}  // namespace tacit
