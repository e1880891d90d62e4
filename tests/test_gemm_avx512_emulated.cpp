// The AVX-512 kernel on a CPU without AVX-512: compiled against SIMDe's
// emulation (avx512_on_avx2.cpp) and held to the contract's definition bit
// for bit, over the same edges as test_gemm.cpp. Where the CPU has AVX-512,
// test_gemm.cpp runs the real thing as well.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "gemm_cases.h"
#include "kernels/adam_kernels.h"
#include "kernels/gemm_kernels.h"

namespace tacit {
namespace kernels {
void gemm_f32_8x32_avx512_emulated(const GemmProblem& problem, const GemmTile& tile,
                                   GemmScratch scratch);
void adam_f32_avx512_emulated(const AdamProblem& problem, std::ptrdiff_t begin,
                              std::ptrdiff_t end);
}  // namespace kernels
}  // namespace tacit

using namespace gemm_cases;
using tacit::kernels::GemmProblem;
using tacit::kernels::GemmScratch;
using tacit::kernels::GemmTile;

namespace {

bool cpu_runs_emulation() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

// Runs the kernel over all of C in one call, then again in up to four
// rectangles cut at odd places (gemm.cpp cuts on its own grain; the kernel
// must not care), and checks every element and the padding column.
void check_kernel(const Operands& o, bool with_init, bool relu) {
  CAPTURE(o.m);
  CAPTURE(o.n);
  CAPTURE(o.k);
  CAPTURE(o.a_t);
  CAPTURE(with_init);
  CAPTURE(relu);
  GemmProblem p;
  p.m = o.m;
  p.n = o.n;
  p.k = o.k;
  p.a = o.a.data();
  p.lda = o.lda;
  p.a_transposed = o.a_t;
  p.b = o.b.data();
  p.ldb = o.ldb;
  p.init = with_init ? o.init.data() : nullptr;
  p.ldc = o.ldc;
  p.relu = relu;
  const auto expected = reference(o, p.init, relu);
  const int row_cut = o.m / 3;
  const int col_cut = o.n * 2 / 5;
  for (bool split : {false, true}) {
    CAPTURE(split);
    std::vector<float> c(static_cast<std::size_t>(o.m) * o.ldc, -7.0f);
    p.c = c.data();
    if (split) {
      for (const GemmTile& t :
           {GemmTile{0, row_cut, 0, col_cut}, GemmTile{0, row_cut, col_cut, o.n},
            GemmTile{row_cut, o.m, 0, col_cut}, GemmTile{row_cut, o.m, col_cut, o.n}}) {
        if (t.row_begin < t.row_end && t.col_begin < t.col_end) {
          tacit::kernels::gemm_f32_8x32_avx512_emulated(p, t, GemmScratch{});
        }
      }
    } else {
      tacit::kernels::gemm_f32_8x32_avx512_emulated(p, GemmTile{0, o.m, 0, o.n}, GemmScratch{});
    }
    bool same = true;
    for (int i = 0; i < o.m && same; ++i) {
      same = same_floats(&c[static_cast<std::size_t>(i) * o.ldc],
                         &expected[static_cast<std::size_t>(i) * o.n], o.n) &&
             c[static_cast<std::size_t>(i) * o.ldc + o.n] == -7.0f;
    }
    CHECK(same);
  }
}

void check_shape(int m, int n, int k, bool a_t, bool with_init, bool relu) {
  check_kernel(operands(m, n, k, a_t), with_init, relu);
}

}  // namespace

TEST_CASE("emulated AVX-512 kernel equals the definition") {
  if (!cpu_runs_emulation()) {
    MESSAGE("skipped: the emulation needs AVX2 and FMA");
    return;
  }
  SUBCASE("every m to 18, n around vector and tile widths") {
    for (int m = 1; m <= 18; ++m) {
      for (int n : {1, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65}) {
        check_shape(m, n, 9, (m + n) % 2 == 1, n % 3 != 0, m % 2 == 0);
      }
    }
  }
  SUBCASE("k-block and row-block ends") {
    for (int k : {0, 1, 127, 128, 129, 255, 256, 257, 1025}) {
      for (bool a_t : {false, true}) {
        check_shape(13, 45, k, a_t, true, true);
        check_shape(1, 64, k, a_t, false, false);
      }
    }
    for (int m : {95, 96, 97, 191, 193}) check_shape(m, 33, 130, m % 2 == 0, true, false);
  }
  SUBCASE("awkward and MLP shapes") {
    for (int s : {7, 255, 257, 1023}) {
      check_shape(s, 19, 33, s % 2 == 1, true, false);
      check_shape(19, s, 33, false, false, true);
      check_shape(21, 35, s, true, true, true);
    }
    check_shape(1024, 256, 784, false, true, true);
    check_shape(256, 784, 1024, true, false, false);
  }
  SUBCASE("subnormal, infinite and NaN values") {
    for (bool a_t : {false, true}) {
      for (int k : {1, 2, 17, 300}) {
        Operands o = operands(23, 37, k, a_t);
        make_nonfinite(&o);
        check_kernel(o, true, false);
        check_kernel(o, true, true);
        Operands s = operands(19, 45, k, a_t);
        make_subnormal(&s);
        check_kernel(s, true, false);
      }
    }
  }
}

TEST_CASE("emulated AVX-512 Adam kernel equals the portable loop") {
  if (!cpu_runs_emulation()) {
    MESSAGE("skipped: the emulation needs AVX2 and FMA");
    return;
  }
  using tacit::kernels::AdamProblem;
  const tacit::kernels::AdamScalars s{0.9f, 0.999f, 0.1f, 0.001f, -3e-3f, 0.03f, 1e-8f};
  const int count = 203;
  std::vector<float> grads = values(count, 9);
  for (int i = 0; i < count; i += 5) grads[i] = std::ldexp(grads[i], -130);  // subnormal
  for (long begin : {0L, 1L, 13L}) {
    for (long end : {begin, begin + 1, begin + 15, begin + 16, begin + 17, 203L}) {
      CAPTURE(begin);
      CAPTURE(end);
      std::vector<float> p = values(count, 1), m = values(count, 2), v = values(count, 3);
      for (float& x : v) x = std::fabs(x);
      std::vector<float> pw = p, mw = m, vw = v;
      for (int step = 0; step < 3; ++step) {
        tacit::kernels::adam_f32_avx512_emulated(
            AdamProblem{s, p.data(), grads.data(), m.data(), v.data()}, begin, end);
        tacit::kernels::adam_f32_portable(
            AdamProblem{s, pw.data(), grads.data(), mw.data(), vw.data()}, begin, end);
      }
      CHECK(std::memcmp(p.data(), pw.data(), sizeof(float) * count) == 0);
      CHECK(std::memcmp(m.data(), mw.data(), sizeof(float) * count) == 0);
      CHECK(std::memcmp(v.data(), vw.data(), sizeof(float) * count) == 0);
    }
  }
}
