// Internal: the scratch a ThreadPool holds for products, one slot per
// thread, so that a kernel's panels (gemm_driver.h) never sit on a worker's
// stack. Slot i belongs to whichever thread runs index i of a run, and to
// the caller outside runs: a pool serves one caller at a time (threads.h).
#pragma once

#include "kernels/gemm_kernels.h"
#include "tacit/threads.h"

namespace tacit {
namespace detail {

struct PoolScratch {
  // Allocates pool.size() slots of gemm_scratch_floats_max() floats each
  // (none where no kernel wants scratch, or where the allocation fails:
  // products then run without it, slower, with the same bits).
  static void allocate(ThreadPool& pool);
  static void release(ThreadPool& pool);
  // Slot `index` of the pool's scratch; empty for an index past size().
  static kernels::GemmScratch slot(const ThreadPool& pool, int index);
};

}  // namespace detail
}  // namespace tacit
