// Export (tacit/export.h): the header through a memory sink equals the
// file, has the size export_c_header_bytes says, reads back bit for bit
// (every float literal parsed with strtof), names each hidden layer's
// activation, and every refusal (a sink that fails, a non-finite
// parameter, a bad name) comes back as a Status that says what and where.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "bits.h"
#include "data_files.h"
#include "tacit/checkpoint.h"
#include "tacit/crc32.h"
#include "tacit/export.h"
#include "tacit/infer.h"
#include "tacit/init.h"

using namespace tacit;
using data_test::TempDir;
using test_bits::contains;
using test_bits::to_bits;

namespace {

struct Model {
  std::vector<unsigned char> memory;
  Arena arena;
  Mlp mlp;

  explicit Model(std::vector<int> widths, std::vector<Activation> activations = {},
                 std::uint64_t seed = 7) {
    MlpSpec spec;
    REQUIRE(mlp_spec_activations(widths.data(), static_cast<int>(widths.size()),
                                 activations.empty() ? nullptr : activations.data(), &spec)
                .ok());
    memory.resize(arena_buffer_bytes(mlp_bytes(spec)));
    arena = Arena(memory.data(), memory.size());
    REQUIRE(mlp_create(spec, arena, &mlp).ok());
    mlp_init(mlp, Init::torch_default, seed);
  }
};

// A sink into a string; with a limit, it refuses the write that would pass it.
struct Memory {
  std::string text;
  std::size_t limit = std::numeric_limits<std::size_t>::max();
  int calls = 0;
  int refused = 0;
};

bool write_memory(void* context, const char* bytes, std::size_t size) {
  auto& m = *static_cast<Memory*>(context);
  ++m.calls;
  if (m.text.size() + size > m.limit) {
    ++m.refused;
    return false;
  }
  m.text.append(bytes, size);
  return true;
}

ExportSink sink_of(Memory* m) {
  ExportSink sink;
  sink.context = m;
  sink.write = write_memory;
  return sink;
}

std::string exported(const Mlp& mlp, const ExportOptions& options = ExportOptions()) {
  Memory m;
  const Status status = export_c_header(mlp, options, sink_of(&m));
  REQUIRE_MESSAGE(status.ok(), status.message());
  return m.text;
}

// The values of array `name` ("tacit_model_w0t") read back with strtof,
// checking that each is a float literal as C spells it (a point or an
// exponent, then f).
std::vector<float> parse_array(const std::string& header, const std::string& name) {
  std::vector<float> values;
  const std::string start = "static const float " + name + "[";
  const std::size_t at = header.find(start);
  REQUIRE_MESSAGE(at != std::string::npos, name);
  const char* p = header.c_str() + header.find('{', at) + 1;
  const char* end = header.c_str() + header.find("};", at);
  while (true) {
    while (p < end && (*p == ' ' || *p == '\n')) ++p;
    if (p >= end) break;
    char* after = nullptr;
    const float v = std::strtof(p, &after);
    REQUIRE(after != p);
    const std::string literal(p, static_cast<std::size_t>(after - p));
    CHECK_MESSAGE(literal.find_first_of(".e") != std::string::npos, literal);
    REQUIRE(*after == 'f');
    REQUIRE(after[1] == ',');
    values.push_back(v);
    p = after + 2;
  }
  return values;
}

// Every value of count at data equals, bit for bit, the parsed ones.
void check_bits(const std::vector<float>& parsed, const float* data, std::size_t count) {
  REQUIRE(parsed.size() == count);
  std::size_t differ = 0;
  for (std::size_t i = 0; i < count; ++i) differ += to_bits(parsed[i]) == to_bits(data[i]) ? 0 : 1;
  CHECK(differ == 0);
}

}  // namespace

TEST_CASE("export: every float literal reads back as the model's bits (strtof)") {
  Model model({5, 7, 3}, {Activation::tanh});
  // Values whose shortest decimal needs all 9 digits, or that print
  // without a point, plus the edges of binary32.
  const float hard[] = {-0.0f, 0.0f, 1.0f, -2.0f, 1e10f, 0.1f, 16777216.0f, 16777217.0f,
                        std::numeric_limits<float>::denorm_min(),
                        -std::numeric_limits<float>::denorm_min(),
                        std::numeric_limits<float>::min(), std::numeric_limits<float>::max(),
                        -std::numeric_limits<float>::max(), 1.00000012f, 3.40282e38f,
                        0.333333343f, 123456792.0f, 5.87747175e-39f /* subnormal */};
  for (std::size_t i = 0; i < sizeof hard / sizeof hard[0]; ++i) model.mlp.params[i] = hard[i];
  mlp_pack(model.mlp);
  const std::string header = exported(model.mlp);
  for (int l = 0; l < model.mlp.spec.layers; ++l) {
    const ConstMatrix wt = mlp_packed_weight(model.mlp, l);
    check_bits(parse_array(header, "tacit_model_w" + std::to_string(l) + "t"), wt.data,
               static_cast<std::size_t>(wt.rows) * wt.cols);
    check_bits(parse_array(header, "tacit_model_b" + std::to_string(l)), mlp_bias(model.mlp, l),
               static_cast<std::size_t>(wt.cols));
  }
  // -0 keeps its sign, an integer gets its point.
  CHECK(header.find(" -0.0f,") != std::string::npos);
  CHECK(header.find(" 16777216.0f,") != std::string::npos);
}

TEST_CASE("export: the header in memory equals the file, at the size export_c_header_bytes says") {
  Model model({784, 32, 10});
  ExportOptions options;
  options.name = "digits";
  options.source = "digits.tacit";
  const std::string header = exported(model.mlp, options);
  std::size_t bytes = 0;
  REQUIRE(export_c_header_bytes(model.mlp, options, &bytes).ok());
  CHECK(bytes == header.size());

  TempDir dir;
  const std::string path = dir.file("model.h");
  dir.write("model.h", {'o', 'l', 'd'});  // replaced whole
  const Status status = export_c_header_file(path.c_str(), model.mlp, options);
  REQUIRE_MESSAGE(status.ok(), status.message());
  const data_test::Bytes file = data_test::read_bytes(path);
  CHECK(std::string(file.begin(), file.end()) == header);
  CHECK(dir.names() == std::vector<std::string>{"model.h"});  // no temporary left

  // The first line and the macros; the CRC is the checkpoint's.
  std::vector<unsigned char> checkpoint(checkpoint_bytes(model.mlp.spec));
  REQUIRE(checkpoint_write(model.mlp, checkpoint.data(), checkpoint.size()).ok());
  char crc[16];
  std::snprintf(crc, sizeof crc, "0x%08lx",
                static_cast<unsigned long>(crc32(checkpoint.data(), checkpoint.size() - 4)));
  CHECK(header.rfind("// Generated by tacit::export_c_header from digits.tacit (checkpoint "
                     "crc32 " + std::string(crc) + "): do not edit.\n", 0) == 0);
  CHECK(header.find("#define DIGITS_CHECKPOINT_CRC32 " + std::string(crc) + "u\n") !=
        std::string::npos);
  CHECK(header.find("#define DIGITS_LAYERS 2\n#define DIGITS_INPUTS 784\n"
                    "#define DIGITS_OUTPUTS 10\n#define DIGITS_PARAMS 25450\n") !=
        std::string::npos);
  CHECK(header.find("#define DIGITS_ARENA_BYTES " +
                    std::to_string(arena_buffer_bytes(infer_workspace_bytes(model.mlp.spec, 1))) +
                    "\n") != std::string::npos);
  CHECK(header.find("static const int digits_widths[3] = {784, 32, 10};\n") !=
        std::string::npos);
  CHECK(header.find("#ifndef DIGITS_H_\n#define DIGITS_H_\n") != std::string::npos);
  const std::string end = "\n#endif  // DIGITS_H_\n";
  REQUIRE(header.size() >= end.size());
  CHECK(header.compare(header.size() - end.size(), end.size(), end) == 0);
}

TEST_CASE("export: a tanh/GELU/sigmoid model exports each hidden layer's activation code") {
  Model mixed({6, 5, 4, 3, 2}, {Activation::tanh, Activation::gelu, Activation::sigmoid});
  const std::string header = exported(mixed.mlp);
  CHECK(header.find("static const int tacit_model_activations[4] = {1, 3, 2, 0};"
                    "  // tanh, gelu, sigmoid\n") != std::string::npos);
  CHECK(header.find("// A 6-5-4-3-2 MLP") != std::string::npos);

  Model relu({6, 5, 2});
  CHECK(exported(relu.mlp).find("static const int tacit_model_activations[2] = {0, 0};"
                                "  // relu\n") != std::string::npos);
  Model gelu({6, 5, 2}, {Activation::gelu});
  CHECK(exported(gelu.mlp).find("tacit_model_activations[2] = {3, 0};  // gelu\n") !=
        std::string::npos);
  Model linear({6, 2});  // no hidden layer: the output layer's unread 0 only
  CHECK(exported(linear.mlp).find("tacit_model_activations[1] = {0};\n") != std::string::npos);
}

TEST_CASE("export: a sink that fails gives a Status with a message, and no later write") {
  Model model({20, 9, 3});
  const std::string whole = exported(model.mlp);
  for (std::size_t limit : {std::size_t{0}, std::size_t{100}, whole.size() / 2,
                            whole.size() - 1}) {
    CAPTURE(limit);
    Memory m;
    m.limit = limit;
    const Status status = export_c_header(model.mlp, ExportOptions(), sink_of(&m));
    REQUIRE_FALSE(status.ok());
    CHECK(contains(status, "export sink: a write was refused after"));
    CHECK(m.text.size() <= limit);
    CHECK(contains(status, "after " + std::to_string(m.text.size()) + " bytes"));
    CHECK(whole.compare(0, m.text.size(), m.text) == 0);  // a prefix of the header
    CHECK(m.refused == 1);  // the first refusal ends the export
  }
  ExportSink none;
  const Status status = export_c_header(model.mlp, ExportOptions(), none);
  CHECK(contains(status, "export sink: expected a write function, found null"));
}

TEST_CASE("export: a NaN or infinite parameter, or a bad name, is refused before any write") {
  Model model({4, 3, 2});
  Memory m;
  model.mlp.params[mlp_weight_offset(model.mlp.spec, 1) + 1 * 3 + 2] =
      std::numeric_limits<float>::quiet_NaN();
  ExportOptions options;
  options.source = "m.tacit";
  Status status = export_c_header(model.mlp, options, sink_of(&m));
  CHECK(contains(status, "m.tacit: layer 1 W[1][2] is nan; expected a finite float"));
  CHECK(m.calls == 0);
  model.mlp.params[mlp_weight_offset(model.mlp.spec, 1) + 5] = 0.5f;
  model.mlp.params[mlp_bias_offset(model.mlp.spec, 0) + 2] =
      -std::numeric_limits<float>::infinity();
  status = export_c_header(model.mlp, options, sink_of(&m));
  CHECK(contains(status, "m.tacit: layer 0 b[2] is -inf; expected a finite float"));
  CHECK(m.calls == 0);
  // The file version creates nothing.
  TempDir dir;
  status = export_c_header_file(dir.file("m.h").c_str(), model.mlp, options);
  CHECK(contains(status, "layer 0 b[2] is -inf"));
  CHECK(dir.names().empty());
  model.mlp.params[mlp_bias_offset(model.mlp.spec, 0) + 2] = 0.0f;

  for (const char* bad : {"", "9lives", "has-dash", "has space", "ü"}) {
    CAPTURE(bad);
    CHECK_FALSE(export_name_valid(bad));
    options.name = bad;
    status = export_c_header(model.mlp, options, sink_of(&m));
    CHECK(contains(status, "export name: expected a C identifier"));
    CHECK(contains(status, std::string("found \"") + bad + "\""));
  }
  CHECK(m.calls == 0);
  for (const char* good : {"_", "a", "Model_2", "tacit_model"}) CHECK(export_name_valid(good));
  CHECK_FALSE(export_name_valid(nullptr));
  options.name = "Net_v2";
  const std::string header = exported(model.mlp, options);
  CHECK(header.find("#define NET_V2_LAYERS 2\n") != std::string::npos);
  CHECK(header.find("static const float* const Net_v2_weights_t[2] = {Net_v2_w0t, Net_v2_w1t};\n"
                    "static const float* const Net_v2_biases[2] = {Net_v2_b0, Net_v2_b1};\n") !=
        std::string::npos);
  status = export_c_header_file("", model.mlp, options);
  CHECK(contains(status, "export path: expected a file name"));
}

namespace {

struct Extra {
  float values[3] = {0.25f, -1.0f, 3.0f};
  bool fail = false;
};

Status append_extra(void* context, ExportSink sink) {
  const Extra& extra = *static_cast<const Extra*>(context);
  if (extra.fail) return Status::error("extra: no data");
  return export_c_float_array(sink, "static const float tacit_model_extra", extra.values, 3,
                              "three of the caller's own");
}

}  // namespace

TEST_CASE("export: the caller's own arrays go in before the closing #endif") {
  Model model({3, 2});
  Extra extra;
  ExportOptions options;
  options.append = append_extra;
  options.append_context = &extra;
  const std::string plain = exported(model.mlp);
  const std::string header = exported(model.mlp, options);
  const std::string added =
      "\n// three of the caller's own\nstatic const float tacit_model_extra[3] = {\n"
      "    0.25f, -1.0f, 3.0f,\n};\n";
  const std::size_t end = plain.rfind("\n#endif");
  CHECK(header == plain.substr(0, end) + added + plain.substr(end));
  std::size_t bytes = 0;
  REQUIRE(export_c_header_bytes(model.mlp, options, &bytes).ok());
  CHECK(bytes == header.size());

  extra.fail = true;
  Memory m;
  CHECK(contains(export_c_header(model.mlp, options, sink_of(&m)), "extra: no data"));

  const float nan[] = {1.0f, std::nanf("")};
  Memory n;
  const Status status = export_c_float_array(sink_of(&n), "static const float x", nan, 2, "c");
  CHECK(contains(status, "static const float x: value 1 is nan; expected a finite float"));
  CHECK(n.calls == 0);
}

TEST_CASE("export: writing through a sink allocates nothing") {
  Model model({50, 20, 10}, {Activation::gelu});
  std::vector<char> buffer(1 << 20);
  struct Fixed {
    char* data;
    std::size_t used;
  } fixed{buffer.data(), 0};
  ExportSink sink;
  sink.context = &fixed;
  sink.write = [](void* context, const char* bytes, std::size_t size) {
    auto& f = *static_cast<Fixed*>(context);
    std::memcpy(f.data + f.used, bytes, size);
    f.used += size;
    return true;
  };
  const auto before = data_test::alloc_count();
  const Status status = export_c_header(model.mlp, ExportOptions(), sink);
  const auto after = data_test::alloc_count();
  REQUIRE(status.ok());
  CHECK(after.calls == before.calls);
  CHECK(fixed.used == exported(model.mlp).size());
}
