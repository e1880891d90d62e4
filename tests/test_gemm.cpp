// Every ISA's product against the contract's definition, bit for bit:
// c = init (or +0), then one std::fma per k in increasing k.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "tacit/gemm.h"

using namespace tacit;

namespace {

struct TestValues {
  std::uint64_t state;
  explicit TestValues(std::uint64_t seed) : state(seed * 2654435761u + 1) {}
  // Mixed signs and magnitudes, some exact zeros, so rounding differences
  // between orders would show.
  float next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const auto bits = static_cast<std::uint32_t>(state >> 33);
    if (bits % 17 == 0) return 0.0f;
    const float unit = static_cast<float>(bits % 2000001) / 1000000.0f - 1.0f;
    return unit * std::ldexp(1.0f, static_cast<int>(bits % 7) - 3);
  }
};

std::vector<float> values(std::size_t count, std::uint64_t seed) {
  TestValues gen(seed);
  std::vector<float> out(count);
  for (float& v : out) v = gen.next();
  return out;
}

// The definition, element by element.
std::vector<float> reference(const std::vector<float>& a, int lda, bool a_t,
                             const std::vector<float>& b, int ldb,
                             const float* init, int m, int n, int k, bool relu) {
  std::vector<float> c(static_cast<std::size_t>(m) * n);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      float acc = init ? init[j] : 0.0f;
      for (int kk = 0; kk < k; ++kk) {
        const float av = a_t ? a[static_cast<std::size_t>(kk) * lda + i]
                             : a[static_cast<std::size_t>(i) * lda + kk];
        acc = std::fma(av, b[static_cast<std::size_t>(kk) * ldb + j], acc);
      }
      if (relu) acc = acc > 0.0f ? acc : 0.0f;
      c[static_cast<std::size_t>(i) * n + j] = acc;
    }
  }
  return c;
}

std::vector<Isa> available_isas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::portable, Isa::avx2, Isa::avx512, Isa::neon}) {
    if (isa_available(isa)) out.push_back(isa);
  }
  return out;
}

void check_shape(int m, int n, int k, bool a_t, bool with_init, bool relu,
                 ThreadPool* pool) {
  // Padded leading dimensions, so strides are exercised too.
  const int lda = (a_t ? m : k) + 3;
  const int ldb = n + 5;
  const int ldc = n + 1;
  const auto a = values(static_cast<std::size_t>(a_t ? k : m) * lda + 1, 1 + m);
  const auto b = values(static_cast<std::size_t>(k) * ldb + 1, 2 + n);
  const auto init = values(static_cast<std::size_t>(n), 3 + k);
  const float* init_ptr = with_init ? init.data() : nullptr;
  const auto expected = reference(a, lda, a_t, b, ldb, init_ptr, m, n, k, relu);

  for (Isa isa : available_isas()) {
    CAPTURE(isa_name(isa));
    CAPTURE(m);
    CAPTURE(n);
    CAPTURE(k);
    CAPTURE(a_t);
    std::vector<float> c(static_cast<std::size_t>(m) * ldc, -7.0f);
    Compute compute{isa, pool};
    gemm(compute, ConstMatrix(a.data(), a_t ? k : m, a_t ? m : k, lda), a_t,
         ConstMatrix(b.data(), k, n, ldb), init_ptr, Matrix{c.data(), m, n, ldc},
         relu ? Epilogue::relu : Epilogue::none);
    bool same = true;
    for (int i = 0; i < m && same; ++i) {
      same = std::memcmp(&c[static_cast<std::size_t>(i) * ldc],
                         &expected[static_cast<std::size_t>(i) * n],
                         sizeof(float) * static_cast<std::size_t>(n)) == 0;
      // The padding column past n must be untouched.
      if (ldc > n) same = same && c[static_cast<std::size_t>(i) * ldc + n] == -7.0f;
    }
    CHECK(same);
  }
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
    CAPTURE(isa_name(isa));
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
