// Every ISA's product against the contract's definition, bit for bit:
// c = init (or +0), then one fma per k in increasing k.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "isa_list.h"
#include "scoped_env.h"
#include "gemm_cases.h"
#include "kernels/gemm_kernels.h"
#include "kernels/isa_kernels.h"
#include "pool_scratch.h"
#include "tacit/layers.h"
#include "tacit/gemm.h"

using namespace tacit;
using test_isa::available_isas;
using namespace gemm_cases;

namespace {

// Without a pool, a kernel that wants scratch (AVX2's panels of a
// transposed A) runs without it; a pool of one thread gives it scratch.
// Both must equal the definition.
bool wants_scratch(Isa isa) {
  return kernels::isa_kernels(isa).gemm_scratch_floats != nullptr;
}

void check_operands(const Operands& o, bool with_init, bool relu, ThreadPool* pool) {
  const int m = o.m, n = o.n, k = o.k, ldc = o.ldc;
  const bool a_t = o.a_t;
  const float* init_ptr = with_init ? o.init.data() : nullptr;
  const auto expected = reference(o, init_ptr, relu);
  static ThreadPool one_thread(1);

  for (Isa isa : available_isas()) {
    ThreadPool* pools[2] = {pool, nullptr};
    const int runs = pool == nullptr && wants_scratch(isa) ? 2 : 1;
    if (runs == 2) pools[1] = &one_thread;
    for (int run = 0; run < runs; ++run) {
      ThreadPool* const run_pool = pools[run];
      const std::string isa_label = isa_name(isa);  // a const char* would log as an address
      const int threads = run_pool != nullptr ? run_pool->size() : 0;
      CAPTURE(isa_label);
      CAPTURE(threads);
      CAPTURE(m);
      CAPTURE(n);
      CAPTURE(k);
      CAPTURE(a_t);
      CAPTURE(with_init);
      CAPTURE(relu);
      std::vector<float> c(static_cast<std::size_t>(m) * ldc, -7.0f);
      Compute compute{isa, run_pool};
      gemm(compute, ConstMatrix(o.a.data(), a_t ? k : m, a_t ? m : k, o.lda), a_t,
           ConstMatrix(o.b.data(), k, n, o.ldb), init_ptr, Matrix{c.data(), m, n, ldc},
           relu ? Epilogue::relu : Epilogue::none);
      bool same = true;
      for (int i = 0; i < m && same; ++i) {
        same = same_floats(&c[static_cast<std::size_t>(i) * ldc],
                           &expected[static_cast<std::size_t>(i) * n], n);
        // The padding column past n must be untouched.
        if (ldc > n) same = same && c[static_cast<std::size_t>(i) * ldc + n] == -7.0f;
      }
      CHECK(same);
    }
  }
}

void check_shape(int m, int n, int k, bool a_t, bool with_init, bool relu,
                 ThreadPool* pool) {
  check_operands(operands(m, n, k, a_t), with_init, relu, pool);
}

const int kAwkward[] = {1, 7, 17, 255, 257, 1023, 1024};

}  // namespace

TEST_CASE("gemm equals the definition for every ISA, awkward shapes") {
  for (int s : kAwkward) {
    for (bool a_t : {false, true}) {
      check_shape(s, 19, 33, a_t, true, false, nullptr);
      check_shape(19, s, 33, a_t, false, true, nullptr);
      check_shape(21, 35, s, a_t, true, true, nullptr);
    }
  }
  for (int s : {1, 7, 17, 255, 257}) check_shape(s, s, s, false, true, true, nullptr);
}

TEST_CASE("gemm at the MLP's shapes, forward, dX and dW") {
  check_shape(1024, 256, 784, false, true, true, nullptr);   // forward, layer 1
  check_shape(1024, 13, 256, false, true, false, nullptr);   // forward, output
  check_shape(1024, 256, 13, false, false, false, nullptr);  // dX, output layer
  check_shape(256, 784, 1024, true, false, false, nullptr);  // dW, layer 1
  check_shape(13, 256, 1024, true, false, false, nullptr);   // dW, output
  check_shape(1, 256, 784, false, true, true, nullptr);      // one image
}

TEST_CASE("gemm with k = 0 gives the init row") {
  check_shape(5, 9, 0, false, true, false, nullptr);
  check_shape(5, 9, 0, true, false, false, nullptr);
}

TEST_CASE("gemm is identical on 1, 2 and 3 threads") {
  for (int threads : {2, 3}) {
    ThreadPool pool(threads);
    check_shape(1023, 257, 65, false, true, true, &pool);
    check_shape(255, 1023, 64, true, false, false, &pool);
    check_shape(7, 1024, 300, false, true, false, &pool);
  }
}

TEST_CASE("relu epilogue maps -0 and NaN to +0") {
  const float a[2] = {-0.0f, 1.0f};
  const float b[1] = {1.0f};
  const float nan_init[1] = {std::nanf("")};
  for (Isa isa : available_isas()) {
    const std::string isa_label = isa_name(isa);  // a const char* would log as an address
    CAPTURE(isa_label);
    float c[2] = {5.0f, 5.0f};
    const float zero_init[1] = {-0.0f};
    // k = 1: -0 * 1 + -0 = -0, which relu must turn into +0.
    gemm(Compute{isa, nullptr}, ConstMatrix(a, 1, 1, 1), false,
         ConstMatrix(b, 1, 1, 1), zero_init, Matrix{c, 1, 1, 1}, Epilogue::relu);
    CHECK(c[0] == 0.0f);
    CHECK_FALSE(std::signbit(c[0]));
    gemm(Compute{isa, nullptr}, ConstMatrix(a + 1, 1, 1, 1), false,
         ConstMatrix(b, 1, 1, 1), nan_init, Matrix{c + 1, 1, 1, 1}, Epilogue::relu);
    CHECK(c[1] == 0.0f);
  }
}

// The SIMD kernels' edges: tiles are 4x32 (portable), 6x16 and 13x8 (AVX2), 8x32
// (AVX-512) and 8x12 (NEON); every row count up to two tiles and column
// counts around each vector and tile width end a tile in every possible
// place, partial vectors of every length included (AVX2 stores them in
// pieces of 4, 2 and 1), and the column past n must stay untouched.
TEST_CASE("gemm tile edges: every m to 18, n around vector and tile widths") {
  for (int m = 1; m <= 18; ++m) {
    for (int n : {1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 16, 17, 23, 24, 25, 31,
                  32, 33, 47, 48, 49, 63, 64, 65}) {
      const bool a_t = (m + n) % 2 == 1;
      check_shape(m, n, 9, a_t, n % 3 != 0, m % 2 == 0, nullptr);
    }
  }
}

// One or two rows of C (one image's inference) take 1 x 64 and 2 x 32 tiles
// on AVX2, reading B in place over all of k, and leave the last columns to
// the 6 x 16 tiles: column counts around 32 and 64 end them in every way.
TEST_CASE("gemm with one or two rows: wide tiles and their column tails") {
  for (int m : {1, 2}) {
    for (int n : {8, 31, 32, 33, 63, 64, 65, 79, 80, 81, 127, 128, 129, 200, 256}) {
      for (int k : {1, 7, 257, 784}) {
        const bool a_t = (n + k) % 2 == 1;
        check_shape(m, n, k, a_t, n % 3 != 0, n % 2 == 0, nullptr);
      }
    }
  }
  check_shape(1, 13, 256, false, true, false, nullptr);  // the output layer
  check_shape(2, 784, 256, false, false, false, nullptr);
}

// k is cut into blocks of 128 (AVX-512) or 256 (AVX2, NEON) and rows into
// blocks of 96 (258 for AVX2 with A stored transposed); partial sums cross
// block ends through C. AVX2 copies A stored transposed into panels a row
// block at a time when k >= 32, a thread has more than 16 columns and it
// is given scratch (check_operands runs each case with and without).
TEST_CASE("gemm across k-block and row-block ends") {
  for (int k : {127, 128, 129, 255, 256, 257, 383, 384, 385, 511, 512, 513, 1025}) {
    for (bool a_t : {false, true}) {
      check_shape(13, 45, k, a_t, true, true, nullptr);
      check_shape(1, 64, k, a_t, false, false, nullptr);  // B read in place
    }
  }
  for (int m : {95, 96, 97, 191, 192, 193}) {
    check_shape(m, 33, 300, false, true, false, nullptr);
    check_shape(m, 12, 129, true, false, true, nullptr);
    check_shape(m, 40, 70, true, false, true, nullptr);  // A packed (AVX2)
  }
  for (int m : {257, 258, 259, 300, 516, 517}) {
    check_shape(m, 40, 70, true, true, false, nullptr);  // A packed (AVX2)
    check_shape(m, 17, 20, true, false, true, nullptr);  // A read in place
  }
  check_shape(517, 40, 300, true, true, true, nullptr);  // init, relu, two k blocks
  ThreadPool pool(2);
  check_shape(517, 784, 257, true, false, false, &pool);  // columns split
  check_shape(600, 40, 70, true, true, true, &pool);      // rows split: 304 + 296
}

// AVX2 computes 13 rows of C with A stored transposed (dW of a 13-output
// layer) in 13 x 8 tiles: their column tails, A packed into panels (k >= 32
// and more than 8 columns) or read in place, and k across block ends.
TEST_CASE("gemm with 13 rows of a transposed A: the 13 x 8 tiles") {
  for (int n : {1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 256}) {
    for (int k : {0, 1, 31, 32, 33, 255, 256, 257, 1024}) {
      check_shape(13, n, k, true, (n + k) % 2 == 0, n % 2 == 1, nullptr);
    }
  }
  ThreadPool pool(2);
  check_shape(13, 256, 1024, true, false, false, &pool);  // 13 rows per thread
  check_shape(13, 784, 300, true, true, true, &pool);
  check_shape(29, 29, 128, true, true, true, &pool);  // rows 16 to 28: A packed from row 16
}

TEST_CASE("gemm with subnormal values equals the definition") {
  for (bool a_t : {false, true}) {
    for (int k : {1, 33, 300}) {
      Operands o = operands(19, 45, k, a_t);
      make_subnormal(&o);
      check_operands(o, true, false, nullptr);
      check_operands(o, false, true, nullptr);
    }
  }
}

TEST_CASE("gemm propagates infinities and NaNs like the definition") {
  for (bool a_t : {false, true}) {
    for (int k : {1, 2, 17, 300}) {
      Operands o = operands(23, 37, k, a_t);
      make_nonfinite(&o);
      check_operands(o, true, false, nullptr);
      check_operands(o, true, true, nullptr);  // relu: NaN -> +0, exactly
      check_operands(o, false, false, nullptr);
    }
  }
}

// gemm.cpp only hands kernels rectangles on its split grain; a kernel must
// still compute any rectangle exactly and write nothing outside it.
TEST_CASE("each kernel writes exactly its rectangle of C") {
  const Operands o = operands(40, 70, 150, false);
  const Operands ot = operands(40, 70, 150, true);
  for (const Operands* op : {&o, &ot}) {
    kernels::GemmProblem p;
    p.m = op->m;
    p.n = op->n;
    p.k = op->k;
    p.a = op->a.data();
    p.lda = op->lda;
    p.a_transposed = op->a_t;
    p.b = op->b.data();
    p.ldb = op->ldb;
    p.init = op->init.data();
    p.ldc = op->ldc;
    p.relu = true;
    const auto full = reference(*op, op->init.data(), true);
    const kernels::GemmTile tiles[] = {
        {5, 30, 3, 50}, {0, 1, 69, 70}, {39, 40, 0, 70}, {7, 8, 13, 14}, {1, 38, 17, 66}};
    for (Isa isa : available_isas()) {
      for (const kernels::GemmTile& t : tiles) {
        const std::string isa_label = isa_name(isa);  // a const char* would log as an address
        CAPTURE(isa_label);
        CAPTURE(t.row_begin);
        CAPTURE(t.col_begin);
        CAPTURE(op->a_t);
        std::vector<float> c(static_cast<std::size_t>(p.m) * p.ldc, -7.0f);
        p.c = c.data();
        kernels::gemm_kernel_for(static_cast<int>(isa))(p, t, kernels::GemmScratch{});
        bool same = true;
        for (int i = 0; i < p.m; ++i) {
          for (int j = 0; j < p.ldc; ++j) {
            const float got = c[static_cast<std::size_t>(i) * p.ldc + j];
            const bool inside = i >= t.row_begin && i < t.row_end &&
                                j >= t.col_begin && j < t.col_end;
            const float want = inside ? full[static_cast<std::size_t>(i) * p.n + j] : -7.0f;
            same = same && std::memcmp(&got, &want, sizeof(float)) == 0;
          }
        }
        CHECK(same);
      }
    }
  }
}

// A kernel that wants scratch packs a transposed A's panels there (never on
// the stack: a 258-row block of them is larger than musl's thread stacks),
// writes nothing past what its table entry asks for, and without enough of
// it reads A in place: the same bits every way.
TEST_CASE("a kernel packs into the scratch it is given, and only into that") {
  // 300 rows: two row blocks of AVX2's 258; k = 256, a whole k block, so
  // the first block's panels fill its scratch up to the slack.
  const Operands o = operands(300, 40, 256, true);
  const auto expected = reference(o, o.init.data(), false);
  kernels::GemmProblem p;
  p.m = o.m;
  p.n = o.n;
  p.k = o.k;
  p.a = o.a.data();
  p.lda = o.lda;
  p.a_transposed = true;
  p.b = o.b.data();
  p.ldb = o.ldb;
  p.init = o.init.data();
  p.ldc = o.ldc;
  int checked = 0;
  for (Isa isa : available_isas()) {
    const kernels::IsaKernels& entry = kernels::isa_kernels(isa);
    if (entry.gemm_scratch_floats == nullptr) continue;
    const std::string isa_label = isa_name(isa);
    CAPTURE(isa_label);
    const std::size_t wanted = *entry.gemm_scratch_floats;
    REQUIRE(wanted > 0);
    REQUIRE(wanted <= kernels::gemm_scratch_floats_max());
    constexpr std::size_t kGuard = 64;
    for (std::size_t given : {wanted, wanted - 1, std::size_t{0}}) {
      CAPTURE(given);
      std::vector<float> scratch(given + kGuard, -3.0f);
      std::vector<float> c(static_cast<std::size_t>(p.m) * p.ldc, -7.0f);
      p.c = c.data();
      // A float's alignment only: the kernels' panel stores are unaligned.
      const kernels::GemmScratch region{given > 0 ? scratch.data() : nullptr, given};
      entry.gemm(p, kernels::GemmTile{0, p.m, 0, p.n}, region);
      bool same = true;
      for (int i = 0; i < p.m; ++i) {
        same = same && same_floats(&c[static_cast<std::size_t>(i) * p.ldc],
                                   &expected[static_cast<std::size_t>(i) * p.n], p.n);
      }
      CHECK(same);
      std::size_t used = 0, past = 0;
      for (std::size_t i = 0; i < scratch.size(); ++i) {
        if (scratch[i] != -3.0f) (i < given ? used : past) += 1;
      }
      CHECK(past == 0);
      if (given == wanted) {
        CHECK(used > 0);  // packed: the panels were in the scratch
      } else {
        CHECK(used == 0);  // too little: A read in place
      }
    }
    ++checked;
  }
  // Where AVX2 runs, its entry asks for scratch: this case is not vacuous.
  if (isa_available(Isa::avx2)) CHECK(checked > 0);
}

TEST_CASE("a ThreadPool holds one aligned scratch slot per thread") {
  const std::size_t floats = kernels::gemm_scratch_floats_max();
  for (int threads : {1, 2, 3}) {
    CAPTURE(threads);
    ThreadPool pool(threads);
    for (int i = 0; i < pool.size(); ++i) {
      const kernels::GemmScratch slot = detail::PoolScratch::slot(pool, i);
      if (floats == 0) {
        CHECK(slot.data == nullptr);
        continue;
      }
      REQUIRE(slot.data != nullptr);
      CHECK(slot.floats >= floats);
      CHECK(reinterpret_cast<std::uintptr_t>(slot.data) % 64 == 0);
      if (i > 0) {
        const kernels::GemmScratch before = detail::PoolScratch::slot(pool, i - 1);
        CHECK(before.data + before.floats <= slot.data);  // no two threads share floats
      }
    }
    CHECK(detail::PoolScratch::slot(pool, pool.size()).data == nullptr);
    CHECK(detail::PoolScratch::slot(pool, -1).data == nullptr);
  }
}

TEST_CASE("the ISA list: every entry named once, parsed back, portable available") {
  REQUIRE(isa_count() >= 1);
  CHECK(isa_at(0) == Isa::portable);
  CHECK(isa_available(Isa::portable));
  CHECK(isa_available(isa_best()));
  for (int i = 0; i < isa_count(); ++i) {
    const std::string name = isa_name(isa_at(i));
    CAPTURE(name);
    Isa parsed = Isa::portable;
    CHECK(isa_parse(name.c_str(), &parsed));
    CHECK(parsed == isa_at(i));
    for (int j = 0; j < i; ++j) CHECK(isa_at(j) != isa_at(i));
    // An unavailable ISA falls back to the portable kernel, never to its own.
    if (!isa_available(isa_at(i))) {
      const bool portable = kernels::gemm_kernel_for(static_cast<int>(isa_at(i))) ==
                            kernels::gemm_kernel_for(static_cast<int>(Isa::portable));
      CHECK(portable);
    }
  }
  Isa unchanged = Isa::portable;
  CHECK_FALSE(isa_parse("sse2", &unchanged));
  CHECK_FALSE(isa_parse(nullptr, &unchanged));
}

// Compute{} meant the portable kernel, about 6 times slower than AVX2, and
// TACIT_ISA reached only programs that asked isa_from_environment.
TEST_CASE("Compute{} runs on TACIT_ISA's ISA, else the best this CPU has") {
  {
    const tools_test::ScopedEnv unset("TACIT_ISA", nullptr);
    CHECK(Compute{}.isa == isa_best());
  }
  {
    const tools_test::ScopedEnv portable("TACIT_ISA", "portable");
    CHECK(Compute{}.isa == Isa::portable);
  }
  const tools_test::ScopedEnv unusable("TACIT_ISA", "sse9");  // the best, as without it
  CHECK(Compute{}.isa == isa_best());
  // And quietly: an unusable TACIT_ISA must not make errors that take the
  // thread's message slots (status.h) from the caller's own.
  const Status mine = Status::error("the caller's error");
  for (int i = 0; i < 2 * Status::kMessageSlots; ++i) CHECK(Compute{}.isa == isa_best());
  CHECK(std::string(mine.message()) == "the caller's error");
  CHECK(Compute{}.isa == isa_default());
}

TEST_CASE("gemm and the layer functions refuse shapes that do not fit, writing nothing") {
  std::vector<float> a(6 * 5, 1.0f), b(5 * 4, 1.0f), c(6 * 4, 7.0f), bias(4, 0.0f);
  const Compute compute{};
  auto untouched = [&] {
    for (float v : c) {
      if (v != 7.0f) return false;
    }
    return true;
  };
  auto message = [](const Status& s) { return std::string(s.message()); };
  // A (6, 5) · B (5, 4) = C (6, 4) is right; each line below breaks one shape.
  CHECK(message(gemm(compute, const_matrix(a.data(), 6, 5), false, const_matrix(b.data(), 4, 4),
                     nullptr, matrix(c.data(), 6, 4)))
            .find("gemm: B is 4x4") != std::string::npos);
  CHECK(message(gemm(compute, const_matrix(a.data(), 5, 5), false, const_matrix(b.data(), 5, 4),
                     nullptr, matrix(c.data(), 6, 4)))
            .find("gemm: A is 5x5") != std::string::npos);
  CHECK(message(gemm(compute, const_matrix(a.data(), 5, 6), true, const_matrix(b.data(), 5, 4),
                     nullptr, matrix(c.data(), 5, 4)))
            .find("A (transposed) is 5x6") != std::string::npos);
  CHECK(message(gemm(compute, ConstMatrix(a.data(), 6, 5, 4), false,
                     const_matrix(b.data(), 5, 4), nullptr, matrix(c.data(), 6, 4)))
            .find("stride 4") != std::string::npos);
  CHECK(message(gemm(compute, const_matrix(nullptr, 6, 5), false, const_matrix(b.data(), 5, 4),
                     nullptr, matrix(c.data(), 6, 4)))
            .find("A is null") != std::string::npos);
  CHECK(untouched());
  CHECK(message(dense_forward(compute, const_matrix(a.data(), 6, 5),
                              const_matrix(b.data(), 5, 4), nullptr, matrix(c.data(), 6, 4),
                              false))
            .find("b is null") != std::string::npos);
  CHECK(message(dense_forward(compute, const_matrix(a.data(), 6, 5),
                              const_matrix(b.data(), 5, 4), bias.data(), Activation::tanh,
                              matrix(c.data(), 6, 4), matrix(c.data(), 6, 3)))
            .find("dense_forward: y is 6x3") != std::string::npos);
  CHECK(message(dense_forward(compute, const_matrix(a.data(), 6, 5),
                              const_matrix(b.data(), 5, 4), bias.data(),
                              static_cast<Activation>(9), matrix(c.data(), 6, 4),
                              matrix(c.data(), 6, 4)))
            .find("9") != std::string::npos);
  CHECK(untouched());
  CHECK(message(dense_backward_params(compute, const_matrix(a.data(), 6, 5),
                                      const_matrix(b.data(), 5, 4), matrix(c.data(), 5, 4),
                                      bias.data()))
            .find("x is 5x4") != std::string::npos);
  CHECK(message(column_sums(const_matrix(a.data(), 6, 5), nullptr)).find("sums is null") !=
        std::string::npos);
  CHECK(message(relu_backward(const_matrix(a.data(), 5, 5), matrix(c.data(), 6, 4)))
            .find("relu_backward: y is 5x5") != std::string::npos);
  CHECK(message(activation_backward(compute, Activation::gelu, const_matrix(a.data(), 6, 4),
                                    ConstMatrix(), matrix(c.data(), 6, 4)))
            .find("activation_backward: z") != std::string::npos);
  CHECK(untouched());
  // And the right shapes work.
  CHECK(gemm(compute, const_matrix(a.data(), 6, 5), false, const_matrix(b.data(), 5, 4),
             nullptr, matrix(c.data(), 6, 4)));
  CHECK(c[0] == 5.0f);
}
