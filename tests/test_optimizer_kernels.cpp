// The Adam step on every ISA and thread count against the portable loop,
// bit for bit, over lengths that end a vector (and a thread's share) in
// every possible place, with values that reach the subnormal range.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "bits.h"
#include "isa_list.h"
#include "gemm_cases.h"
#include "kernels/adam_kernels.h"
#include "tacit/optimizer.h"

using namespace tacit;
using test_bits::same_bits;
using test_isa::available_isas;

namespace {

struct State {
  std::vector<unsigned char> memory;
  Adam adam;
  std::vector<float> params;
};

State make_state(std::size_t count, const AdamConfig& config) {
  State s;
  s.memory.resize(arena_buffer_bytes(adam_bytes(count)));
  Arena arena(s.memory.data(), s.memory.size());
  REQUIRE(adam_create(config, count, arena, &s.adam).ok());
  s.params = gemm_cases::values(count, 11 + count);
  return s;
}

// Gradients of every size: some zero, some subnormal, most normal.
std::vector<float> gradients(std::size_t count, int step) {
  std::vector<float> g = gemm_cases::values(count, 100 + step * 7 + count);
  for (std::size_t i = 0; i < count; ++i) {
    if (i % 5 == 1) g[i] = std::ldexp(g[i], -130);  // subnormal
    if (i % 11 == 3) g[i] *= 1e-20f;                // squares underflow
  }
  return g;
}

}  // namespace

TEST_CASE("adam_step: every ISA and thread count equals the portable loop") {
  AdamConfig config;
  config.lr = 3e-4;
  const std::size_t lengths[] = {0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 255, 257,
                                 1023, 40000, 65537};
  for (std::size_t count : lengths) {
    for (Isa isa : available_isas()) {
      for (int threads : {1, 2, 3}) {
        const std::string isa_label = isa_name(isa);
        CAPTURE(isa_label);
        CAPTURE(count);
        CAPTURE(threads);
        State got = make_state(count, config);
        State want = make_state(count, config);
        ThreadPool pool(threads);
        for (int step = 0; step < 3; ++step) {
          const std::vector<float> g = gradients(count, step);
          adam_step(Compute{isa, &pool}, got.adam, got.params.data(), g.data());
          // The definition: the portable loop over all elements at once,
          // with the scalars adam_step forms (checked against PyTorch in
          // tests/test_torch.cpp).
          adam_step(Compute{Isa::portable, nullptr}, want.adam, want.params.data(), g.data());
        }
        CHECK(same_bits(got.params.data(), want.params.data(), count));
        CHECK(same_bits(got.adam.m, want.adam.m, count));
        CHECK(same_bits(got.adam.v, want.adam.v, count));
        CHECK(got.adam.step == 3);
      }
    }
  }
}

// A kernel updates exactly [begin, end), from any starting alignment.
TEST_CASE("adam kernels write exactly their range") {
  const std::size_t count = 203;
  const std::vector<float> grads = gradients(count, 1);
  kernels::AdamScalars s{0.9f, 0.999f, 0.1f, 0.001f, -3e-3f, 0.03f, 1e-8f};
  for (Isa isa : available_isas()) {
    for (long begin : {0L, 1L, 5L, 13L}) {
      for (long end : {begin, begin + 1, begin + 7, begin + 9, begin + 33, 203L}) {
        const std::string isa_label = isa_name(isa);
        CAPTURE(isa_label);
        CAPTURE(begin);
        CAPTURE(end);
        std::vector<float> p = gemm_cases::values(count, 1), m = gemm_cases::values(count, 2);
        std::vector<float> v = gemm_cases::values(count, 3);
        for (float& x : v) x = std::fabs(x);
        std::vector<float> p0 = p, m0 = m, v0 = v;
        std::vector<float> pw = p, mw = m, vw = v;
        kernels::adam_kernel_for(static_cast<int>(isa))({s, p.data(), grads.data(), m.data(), v.data()},
                                                        begin, end);
        kernels::adam_f32_portable({s, pw.data(), grads.data(), mw.data(), vw.data()}, begin, end);
        CHECK(same_bits(p.data(), pw.data(), count));
        CHECK(same_bits(m.data(), mw.data(), count));
        CHECK(same_bits(v.data(), vw.data(), count));
        // Outside the range nothing moved.
        CHECK(same_bits(p.data(), p0.data(), static_cast<std::size_t>(begin)));
        CHECK(same_bits(p.data() + end, p0.data() + end, count - static_cast<std::size_t>(end)));
        CHECK(same_bits(m.data() + end, m0.data() + end, count - static_cast<std::size_t>(end)));
        CHECK(same_bits(v.data() + end, v0.data() + end, count - static_cast<std::size_t>(end)));
      }
    }
  }
}

// A step count is 64 bits on every platform (long is 32 on 64-bit Windows).
static_assert(sizeof(tacit::Adam{}.step) == sizeof(std::int64_t), "Adam::step");
static_assert(sizeof(tacit::Sgd{}.step) == sizeof(std::int64_t), "Sgd::step");
