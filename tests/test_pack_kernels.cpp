// mlp_pack on every ISA and thread count, and each transpose kernel over
// shapes and row ranges that end an 8 x 8 block in every place: a
// transpose moves floats, so every bit (-0, NaN payloads) must arrive.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "bits.h"
#include "isa_list.h"
#include "gemm_cases.h"
#include "kernels/transpose_kernels.h"
#include "tacit/layers.h"
#include "tacit/mlp.h"

using namespace tacit;
using test_bits::same_bits;
using test_isa::available_isas;

namespace {

// Values with odd bit patterns mixed in: -0, a NaN with a payload, a subnormal.
std::vector<float> patterned(std::size_t count, std::uint64_t seed) {
  std::vector<float> v = gemm_cases::values(count, seed);
  const std::uint32_t nan_bits = 0x7fc01234u;
  for (std::size_t i = 0; i < count; i += 7) v[i] = -0.0f;
  for (std::size_t i = 3; i < count; i += 29) std::memcpy(&v[i], &nan_bits, sizeof nan_bits);
  for (std::size_t i = 5; i < count; i += 31) v[i] = 1e-40f;
  return v;
}

}  // namespace

TEST_CASE("mlp_pack: every ISA and thread count gives the transpose, bit for bit") {
  const std::vector<std::vector<int>> specs = {
      {784, 256, 256, 13}, {61, 47, 33, 13}, {5, 3}, {17, 9, 1}, {300, 257, 8}};
  for (const std::vector<int>& widths : specs) {
    MlpSpec spec;
    REQUIRE(mlp_spec(widths.data(), static_cast<int>(widths.size()), &spec).ok());
    std::vector<unsigned char> memory(arena_buffer_bytes(mlp_bytes(spec)));
    Arena arena(memory.data(), memory.size());
    Mlp mlp;
    REQUIRE(mlp_create(spec, arena, &mlp).ok());
    const std::vector<float> params = patterned(mlp.param_count, widths[0]);
    std::memcpy(mlp.params, params.data(), params.size() * sizeof(float));
    for (Isa isa : available_isas()) {
      for (int threads : {1, 2, 3}) {
        const std::string isa_label = isa_name(isa);
        CAPTURE(isa_label);
        CAPTURE(threads);
        CAPTURE(widths[0]);
        std::memset(mlp.packed, 0xAB, mlp.param_count * sizeof(float));
        ThreadPool pool(threads);
        mlp_pack(Compute{isa, &pool}, mlp);
        for (int l = 0; l < spec.layers; ++l) {
          const ConstMatrix w = mlp_weight(mlp, l);
          std::vector<float> want(static_cast<std::size_t>(w.rows) * w.cols);
          for (int r = 0; r < w.rows; ++r)
            for (int c = 0; c < w.cols; ++c) want[static_cast<std::size_t>(c) * w.rows + r] = w.row(r)[c];
          CHECK(same_bits(mlp_packed_weight(mlp, l).data, want.data(), want.size()));
        }
      }
    }
  }
}

// A kernel writes exactly the columns of dst that its source rows become.
TEST_CASE("transpose kernels: shapes, strides and row ranges") {
  for (Isa isa : available_isas()) {
    const kernels::TransposeKernel kernel = kernels::transpose_kernel_for(static_cast<int>(isa));
    // Rows up to 41 reach every path: pairs of 8-row blocks, one block, single rows.
    for (int rows : {1, 7, 8, 9, 16, 23, 24, 33, 41}) {
      for (int cols : {1, 5, 8, 13, 17, 32}) {
        for (int begin : {0, 1, 8, 16}) {
          for (int end : {rows, rows - 1, begin + 8}) {
            if (begin >= rows || end <= begin || end > rows) continue;
            const std::string isa_label = isa_name(isa);
            CAPTURE(isa_label);
            CAPTURE(rows);
            CAPTURE(cols);
            CAPTURE(begin);
            CAPTURE(end);
            const long src_stride = cols + 3, dst_stride = rows + 2;
            const std::vector<float> src = patterned(static_cast<std::size_t>(rows) * src_stride, 9);
            std::vector<float> dst(static_cast<std::size_t>(cols) * dst_stride, -7.0f);
            kernel({src.data(), rows, cols, src_stride, dst.data(), dst_stride}, begin, end);
            bool same = true;
            for (int j = 0; j < cols; ++j) {
              for (long i = 0; i < dst_stride; ++i) {
                const float got = dst[static_cast<std::size_t>(j * dst_stride + i)];
                const float want = i >= begin && i < end
                                       ? src[static_cast<std::size_t>(i * src_stride + j)]
                                       : -7.0f;
                same = same && std::memcmp(&got, &want, sizeof got) == 0;
              }
            }
            CHECK(same);
          }
        }
      }
    }
  }
}
