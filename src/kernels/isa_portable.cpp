// The portable entry of the kernel table (isa_kernels.h): plain C++, the
// definition every other entry's kernels equal bit for bit.
#include "kernels/isa_kernels.h"
#include "tacit/math.h"

namespace tacit {
namespace kernels {
namespace {

bool always() { return true; }

}  // namespace

extern const IsaKernels kIsaPortable = {
    Isa::portable, "portable", always, gemm_f32_portable, nullptr, adam_f32_portable,
    transpose_f32_portable, nullptr, {exp_f32, log_f32, exp_f32_array_portable, log_f32_array_portable}};

}  // namespace kernels
}  // namespace tacit
