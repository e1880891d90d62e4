// Splits a product into rectangles of C, one per thread, and runs the ISA's
// kernel on each. Every C element is computed whole by one kernel call, so
// the split never changes a bit (docs/STYLE.md, rules 2 and 6).
#include "tacit/gemm.h"

#include "kernels/gemm_kernels.h"
#include "parallel.h"
#include "pool_scratch.h"
#include "shape_check.h"

namespace tacit {

namespace {

// Below this many multiply-adds, waking workers costs more than it saves.
constexpr std::int64_t kMinParallelWork = std::int64_t{1} << 16;
// Split boundaries on multiples of these keep every thread's tiles whole.
constexpr int kRowGrain = 16;
constexpr int kColGrain = 64;

struct SplitProduct {
  kernels::GemmKernel kernel;
  const kernels::GemmProblem* problem;
  const ThreadPool* pool;  // whose scratch slot `part` the part uses; may be null
  bool split_rows;
  int parts;
};

int split_point(int extent, int grain, int part, int parts) {
  return static_cast<int>(detail::split_point(extent, grain, part, parts));
}

void run_part(void* context, int part) {
  const auto& split = *static_cast<const SplitProduct*>(context);
  const kernels::GemmProblem& p = *split.problem;
  kernels::GemmTile tile{0, p.m, 0, p.n};
  if (split.split_rows) {
    tile.row_begin = split_point(p.m, kRowGrain, part, split.parts);
    tile.row_end = split_point(p.m, kRowGrain, part + 1, split.parts);
  } else {
    tile.col_begin = split_point(p.n, kColGrain, part, split.parts);
    tile.col_end = split_point(p.n, kColGrain, part + 1, split.parts);
  }
  if (tile.row_begin < tile.row_end && tile.col_begin < tile.col_end) {
    split.kernel(p, tile,
                 split.pool != nullptr ? detail::PoolScratch::slot(*split.pool, part)
                                       : kernels::GemmScratch{});
  }
}

}  // namespace

Status gemm(const Compute& compute, ConstMatrix a, bool a_transposed,
            ConstMatrix b, const float* init, Matrix c, Epilogue epilogue) {
  const int k = a_transposed ? a.rows : a.cols;
  Status status = shape_check::view("gemm", "C", c, -1, -1);
  if (status) {
    status = shape_check::view("gemm", a_transposed ? "A (transposed)" : "A", a,
                               a_transposed ? -1 : c.rows, a_transposed ? c.rows : -1);
  }
  if (status) status = shape_check::view("gemm", "B", b, k, c.cols);
  if (status && epilogue != Epilogue::none && epilogue != Epilogue::relu) {
    status = Status::error("gemm: epilogue: unknown code %d", static_cast<int>(epilogue));
  }
  if (!status) return status;
  kernels::GemmProblem p;
  p.m = c.rows;
  p.n = c.cols;
  p.k = k;
  p.a = a.data;
  p.lda = a.stride;
  p.a_transposed = a_transposed;
  p.b = b.data;
  p.ldb = b.stride;
  p.init = init;
  p.c = c.data;
  p.ldc = c.stride;
  p.relu = epilogue == Epilogue::relu;
  if (p.m <= 0 || p.n <= 0) return Status::success();

  SplitProduct split{kernels::gemm_kernel_for(static_cast<int>(compute.isa)), &p,
                     compute.pool, p.m >= p.n, 1};
  const std::int64_t work = static_cast<std::int64_t>(p.m) * p.n * (p.k > 0 ? p.k : 1);
  if (compute.pool != nullptr && compute.pool->size() > 1 &&
      work >= kMinParallelWork) {
    split.parts = compute.pool->size();
    compute.pool->run(split.parts, run_part, &split);
  } else {
    run_part(&split, 0);
  }
  return Status::success();
}

}  // namespace tacit
