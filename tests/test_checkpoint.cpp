// Checkpoints (docs/FORMAT.md): the exact bytes of a small file (checked
// against Python's zlib and struct), bit-for-bit round trips in memory and
// on disk, and a refusal with a precise message for every kind of bad file,
// leaving the caller's model untouched.
#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "bits.h"
#include "data_files.h"
#include "file_io.h"
#include "tacit/checkpoint.h"
#include "tacit/crc32.h"
#include "tacit/hash.h"
#include "tacit/init.h"

using namespace tacit;
using data_test::Bytes;
using data_test::TempDir;
using test_bits::contains;

namespace {

// A model and the memory it lives in.
struct Model {
  std::vector<unsigned char> memory;
  Arena arena;
  Mlp mlp;

  explicit Model(std::vector<int> widths, std::uint64_t seed = 0,
                 std::vector<Activation> activations = {}) {
    MlpSpec spec;
    REQUIRE(mlp_spec_activations(widths.data(), static_cast<int>(widths.size()),
                                 activations.data(), &spec).ok());
    memory.resize(arena_buffer_bytes(mlp_bytes(spec)));
    arena = Arena(memory.data(), memory.size());
    REQUIRE(mlp_create(spec, arena, &mlp).ok());
    if (seed != 0) mlp_init(mlp, Init::torch_default, seed);
  }
  std::uint64_t hash() const {
    return hash_floats(mlp.params, mlp.param_count);
  }
};

Bytes write(const Mlp& mlp) {
  Bytes out(checkpoint_bytes(mlp.spec));
  const Status status = checkpoint_write(mlp, out.data(), out.size());
  REQUIRE_MESSAGE(status.ok(), status.message());
  return out;
}

void put_u32(Bytes& bytes, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<unsigned char>(v >> (8 * i));
}

// Rewrites the trailing CRC so that only the field under test is wrong.
void fix_crc(Bytes& bytes) {
  put_u32(bytes, bytes.size() - 4, crc32(bytes.data(), bytes.size() - 4));
}

// Loads `bytes` into a fresh model of `widths` from memory and from a file;
// both must fail with every piece of `expected` in the message and leave
// the model's parameters as they were.
void check_refused(const Bytes& bytes, std::vector<int> widths,
                   std::vector<std::string> expected,
                   std::vector<Activation> activations = {}) {
  Model model(widths, 7, activations);
  const std::uint64_t before = model.hash();
  const Status memory = checkpoint_read(bytes.data(), bytes.size(), "m.tacit", model.mlp);
  CHECK_FALSE(memory.ok());
  for (const std::string& piece : expected) {
    CHECK_MESSAGE(contains(memory, piece), (std::string(memory.message()) + " lacks " + piece));
  }
  CHECK(contains(memory, "m.tacit: "));
  CHECK(model.hash() == before);

  TempDir dir;
  const std::string path = dir.write("m.tacit", bytes);
  Bytes buffer(checkpoint_bytes(model.mlp.spec));
  const Status file = checkpoint_load(path.c_str(), buffer.data(), buffer.size(),
                                      model.mlp);
  CHECK_FALSE(file.ok());
  for (const std::string& piece : expected) {
    CHECK_MESSAGE(contains(file, piece), (std::string(file.message()) + " lacks " + piece));
  }
  CHECK(contains(file, path));
  CHECK(model.hash() == before);
}

}  // namespace

TEST_CASE("crc32 is zlib's") {
  const unsigned char digits[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  CHECK(crc32(digits, 9) == 0xCBF43926u);  // the check value of CRC-32/ISO-HDLC
  CHECK(crc32(digits, 0) == 0u);
  CHECK(crc32_update(crc32(digits, 4), digits + 4, 5) == 0xCBF43926u);
}

TEST_CASE("a 2-1 model is exactly these 40 bytes (from Python's struct and zlib)") {
  Model model({2, 1});
  model.mlp.params[0] = 1.0f;
  model.mlp.params[1] = -2.5f;
  model.mlp.params[2] = 0.25f;
  const Bytes expected = {
      0x54, 0x41, 0x43, 0x49, 0x54, 0x4d, 0x4c, 0x50,  // "TACITMLP"
      0x01, 0x00, 0x00, 0x00,                          // version 1
      0x01, 0x00, 0x00, 0x00,                          // 1 layer
      0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // widths 2, 1
      0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0,  // W = 1.0, -2.5
      0x00, 0x00, 0x80, 0x3e,                          // b = 0.25
      0xd5, 0xb7, 0x85, 0x49,                          // zlib.crc32 = 0x4985b7d5
  };
  CHECK(checkpoint_bytes(model.mlp.spec) == 40);
  CHECK(write(model.mlp) == expected);
}

TEST_CASE("sizes: header, 4 bytes a parameter, CRC") {
  Model model({784, 256, 256, 13});
  CHECK(checkpoint_header_bytes(3) == 32);
  CHECK(checkpoint_bytes(model.mlp.spec) == 32 + 4 * 270093 + 4);
  CHECK(kCheckpointMaxHeaderBytes == 16 + 4 * (kMaxLayers + 1) + 4 * (kMaxLayers - 1));
  CHECK(checkpoint_header_bytes(3, 2) == 40);
}

TEST_CASE("round trip in memory: every bit, packed weights too, no allocation") {
  Model from({61, 47, 33, 13}, 42);
  // Values a decimal or a careless conversion would lose.
  from.mlp.params[0] = -0.0f;
  from.mlp.params[1] = std::numeric_limits<float>::denorm_min();
  from.mlp.params[2] = std::numeric_limits<float>::infinity();
  from.mlp.params[3] = -std::numeric_limits<float>::max();
  const std::uint32_t nan_bits = 0x7fc12345u;
  std::memcpy(&from.mlp.params[4], &nan_bits, 4);
  mlp_pack(from.mlp);
  Bytes bytes(checkpoint_bytes(from.mlp.spec));
  Model to({61, 47, 33, 13});

  const data_test::AllocCount before = data_test::alloc_count();
  REQUIRE(checkpoint_write(from.mlp, bytes.data(), bytes.size()).ok());
  MlpSpec spec;
  REQUIRE(checkpoint_parse_spec(bytes.data(), kCheckpointMaxHeaderBytes, "m", &spec).ok());
  const Status status = checkpoint_read(bytes.data(), bytes.size(), "m", to.mlp);
  const data_test::AllocCount after = data_test::alloc_count();
  REQUIRE_MESSAGE(status.ok(), status.message());
  CHECK(after.calls == before.calls);

  CHECK(spec.layers == 3);
  CHECK(spec.widths[0] == 61);
  CHECK(spec.widths[3] == 13);
  const std::size_t n = from.mlp.param_count;
  CHECK(std::memcmp(to.mlp.params, from.mlp.params, n * sizeof(float)) == 0);
  // The packed copy is refreshed: bias slots aside, it matches the source's.
  for (int l = 0; l < 3; ++l) {
    const ConstMatrix a = mlp_packed_weight(from.mlp, l);
    const ConstMatrix b = mlp_packed_weight(to.mlp, l);
    CHECK(std::memcmp(a.data, b.data, sizeof(float) * a.rows * a.cols) == 0);
  }
  CHECK(write(to.mlp) == bytes);
}

TEST_CASE("round trip through a file") {
  Model from({784, 256, 256, 13}, 3);
  TempDir dir;
  const std::string path = dir.file("teacher.tacit");
  Bytes buffer(checkpoint_bytes(from.mlp.spec));
  Status status = checkpoint_save(path.c_str(), from.mlp, buffer.data(), buffer.size());
  REQUIRE_MESSAGE(status.ok(), status.message());
  CHECK(std::filesystem::file_size(path) == checkpoint_bytes(from.mlp.spec));

  MlpSpec spec;
  status = checkpoint_file_spec(path.c_str(), &spec);
  REQUIRE_MESSAGE(status.ok(), status.message());
  Model to({784, 256, 256, 13});
  CHECK(mlp_bytes(spec) == mlp_bytes(to.mlp.spec));
  status = checkpoint_load(path.c_str(), buffer.data(), buffer.size(), to.mlp);
  REQUIRE_MESSAGE(status.ok(), status.message());
  CHECK(to.hash() == from.hash());
  CHECK(std::memcmp(to.mlp.params, from.mlp.params, 4 * from.mlp.param_count) == 0);
}

// checkpoint_save writes a new temporary next to PATH and renames it over
// PATH: an existing checkpoint is replaced whole, and one that cannot be
// replaced is left as it was, with no temporary file behind.
TEST_CASE("saving over a checkpoint replaces it whole, or leaves it as it was") {
  Model first({3, 4, 2}, 1), second({3, 4, 2}, 2);
  TempDir dir;
  const std::string path = dir.file("model.tacit");
  Bytes buffer(checkpoint_bytes(first.mlp.spec));
  REQUIRE(checkpoint_save(path.c_str(), first.mlp, buffer.data(), buffer.size()).ok());
  Status status = checkpoint_save(path.c_str(), second.mlp, buffer.data(), buffer.size());
  REQUIRE_MESSAGE(status.ok(), status.message());
  CHECK(dir.names() == std::vector<std::string>{"model.tacit"});
  Model loaded({3, 4, 2});
  REQUIRE(checkpoint_load(path.c_str(), buffer.data(), buffer.size(), loaded.mlp).ok());
  CHECK(loaded.hash() == second.hash());

  // A directory where the file should go: refused, the directory kept.
  const std::string taken = dir.file("taken");
  std::filesystem::create_directory(taken);
  status = checkpoint_save(taken.c_str(), first.mlp, buffer.data(), buffer.size());
  CHECK(contains(status, taken + ": cannot replace"));
  CHECK(std::filesystem::is_directory(taken));
  CHECK(dir.names() == std::vector<std::string>{"model.tacit", "taken"});

  // No folder to write in: the message names the temporary and the reason.
  const std::string nowhere = dir.file("no/such/model.tacit");
  status = checkpoint_save(nowhere.c_str(), first.mlp, buffer.data(), buffer.size());
  CHECK(contains(status, dir.file("no/such/.model.tacit.tmp-")));
  CHECK(contains(status, ": cannot create: "));
}

// The fixed PATH.tmp that checkpoints were once written through: another
// run's file there, or a symbolic link planted there, is left alone (the
// exclusive create itself is held by the next test).
TEST_CASE("saving never writes through an existing file or link") {
  Model model({3, 4, 2}, 1);
  TempDir dir;
  Bytes buffer(checkpoint_bytes(model.mlp.spec));
  const std::string path = dir.file("model.tacit");
  const std::string other = dir.write("model.tacit.tmp", {'r', 'u', 'n', ' ', '2'});
  Status status = checkpoint_save(path.c_str(), model.mlp, buffer.data(), buffer.size());
  REQUIRE_MESSAGE(status.ok(), status.message());
  CHECK(data_test::read_bytes(other) == Bytes{'r', 'u', 'n', ' ', '2'});
#if defined(__unix__) || defined(__APPLE__)
  const std::string victim = dir.write("victim", {'k', 'e', 'e', 'p'});
  const std::string linked = dir.file("linked.tacit");
  std::filesystem::create_symlink(victim, linked + ".tmp");
  status = checkpoint_save(linked.c_str(), model.mlp, buffer.data(), buffer.size());
  REQUIRE_MESSAGE(status.ok(), status.message());
  CHECK(data_test::read_bytes(victim) == Bytes{'k', 'e', 'e', 'p'});
  CHECK_FALSE(std::filesystem::is_symlink(linked));
  Model loaded({3, 4, 2});
  REQUIRE(checkpoint_load(linked.c_str(), buffer.data(), buffer.size(), loaded.mlp).ok());
  CHECK(loaded.hash() == model.hash());
#endif
}

// Every temporary (checkpoint_save's and the tools' OutputFile) is made by
// open_new_file: nothing of that name, not even a link, is ever opened.
TEST_CASE("open_new_file creates, or refuses a name that is taken") {
  TempDir dir;
  const std::string victim = dir.write("victim", {'k', 'e', 'e', 'p'});
  errno = 0;
  CHECK(tacit::file_detail::open_new_file(victim.c_str()) == nullptr);
  CHECK(errno == EEXIST);
  CHECK(data_test::read_bytes(victim) == Bytes{'k', 'e', 'e', 'p'});
#if defined(__unix__) || defined(__APPLE__)
  const std::string link = dir.file("link");
  std::filesystem::create_symlink(victim, link);
  CHECK(tacit::file_detail::open_new_file(link.c_str()) == nullptr);
  CHECK(data_test::read_bytes(victim) == Bytes{'k', 'e', 'e', 'p'});
  const std::string dangling = dir.file("dangling");
  std::filesystem::create_symlink(dir.file("would-be-created"), dangling);
  CHECK(tacit::file_detail::open_new_file(dangling.c_str()) == nullptr);
  CHECK_FALSE(std::filesystem::exists(dir.file("would-be-created")));
#endif
  const std::string fresh = dir.file("fresh");
  std::FILE* f = tacit::file_detail::open_new_file(fresh.c_str());
  REQUIRE(f != nullptr);
  CHECK(std::fclose(f) == 0);
  CHECK(std::filesystem::is_regular_file(fresh));
}

TEST_CASE("bad magic") {
  Bytes bytes = write(Model({3, 2}, 1).mlp);
  bytes[0] = 'G';
  bytes[1] = 0x01;
  check_refused(bytes, {3, 2}, {"magic", "expected \"TACITMLP\"", "found \"G\\x01CITMLP\""});
  check_refused({'P', 'K'}, {3, 2}, {"magic", "found \"PK\""});
}

TEST_CASE("version: newer and zero") {
  Bytes bytes = write(Model({3, 2}, 1).mlp);
  put_u32(bytes, 8, 3);
  fix_crc(bytes);
  check_refused(bytes, {3, 2}, {"version", "expected at most 2", "found 3", "newer"});
  put_u32(bytes, 8, 0);
  fix_crc(bytes);
  check_refused(bytes, {3, 2}, {"version", "expected 1 to 2", "found 0"});
}

TEST_CASE("layers and widths out of range") {
  Bytes bytes = write(Model({3, 2}, 1).mlp);
  put_u32(bytes, 12, 0);
  check_refused(bytes, {3, 2}, {"layers", "expected 1 to 8", "found 0"});
  put_u32(bytes, 12, 9);
  check_refused(bytes, {3, 2}, {"layers", "found 9"});
  bytes = write(Model({3, 2}, 1).mlp);
  put_u32(bytes, 20, 0);
  check_refused(bytes, {3, 2}, {"widths[1]", "expected 1 to 1048576", "found 0"});
  put_u32(bytes, 16, 0xFFFFFFFFu);
  check_refused(bytes, {3, 2}, {"widths[0]", "found 4294967295"});
}

TEST_CASE("widths that do not fit the caller's model") {
  const Bytes bytes = write(Model({784, 64, 13}, 1).mlp);
  check_refused(bytes, {784, 65, 13},
                {"widths[1]", "expected 65", "784-65-13", "found 64", "784-64-13"});
  check_refused(bytes, {784, 64, 64, 13},
                {"layers", "expected 3", "found 2"});
}

TEST_CASE("truncation, in the header and in the parameters") {
  const Bytes whole = write(Model({5, 4, 3}, 1).mlp);
  check_refused(Bytes(), {5, 4, 3}, {"truncated", "header needs 16 bytes", "found 0"});
  check_refused(Bytes(whole.begin(), whole.begin() + 5), {5, 4, 3},
                {"truncated", "found 5"});
  check_refused(Bytes(whole.begin(), whole.begin() + 20), {5, 4, 3},
                {"truncated", "header needs 28 bytes", "found 20"});
  const std::string size = std::to_string(whole.size());
  check_refused(Bytes(whole.begin(), whole.end() - 1), {5, 4, 3},
                {"truncated", "expected " + size + " bytes", "5-4-3",
                 "found " + std::to_string(whole.size() - 1)});
}

TEST_CASE("trailing bytes") {
  Bytes bytes = write(Model({5, 4, 3}, 1).mlp);
  const std::string size = std::to_string(bytes.size());
  bytes.push_back(0);
  bytes.push_back(0);
  check_refused(bytes, {5, 4, 3}, {"trailing bytes", "expected " + size + " bytes",
                                   "found " + std::to_string(bytes.size()), "(2 extra)"});
}

TEST_CASE("checksum mismatch: a flipped bit anywhere is found") {
  const Bytes good = write(Model({5, 4, 3}, 1).mlp);
  const std::uint32_t crc = crc32(good.data(), good.size() - 4);
  char stored[16];
  std::snprintf(stored, sizeof stored, "0x%08x", static_cast<unsigned>(crc));
  // A parameter bit: the stored CRC is now the one that disagrees.
  Bytes bytes = good;
  bytes[40] ^= 0x10;
  check_refused(bytes, {5, 4, 3}, {"crc32", "found " + std::string(stored), "corrupt"});
  // The CRC itself.
  bytes = good;
  bytes[bytes.size() - 1] ^= 0x80;
  check_refused(bytes, {5, 4, 3}, {"crc32", "expected " + std::string(stored)});
}

// A forged 28-byte header that declares a 784-341955 model must not be
// believed before the file's size agrees: callers allocate from the spec.
TEST_CASE("checkpoint_file_spec refuses a header its file is too short or long for") {
  Bytes header(checkpoint_header_bytes(1) + 4);  // and a CRC's 4 bytes
  std::memcpy(header.data(), kCheckpointMagic, sizeof kCheckpointMagic);
  put_u32(header, 8, 1);
  put_u32(header, 12, 1);
  put_u32(header, 16, 784);
  put_u32(header, 20, 341955);
  REQUIRE(header.size() == 28);
  TempDir dir;
  MlpSpec spec;
  Status status = checkpoint_file_spec(dir.write("forged.tacit", header).c_str(), &spec);
  CHECK_FALSE(status.ok());
  CHECK(contains(status, "truncated: expected 1073738728 bytes for a 784-341955 model, "
                         "found 28"));

  Model model({5, 4, 3}, 2);
  Bytes longer = write(model.mlp);
  longer.push_back(0);
  status = checkpoint_file_spec(dir.write("long.tacit", longer).c_str(), &spec);
  CHECK(contains(status, "trailing bytes: expected " +
                             std::to_string(longer.size() - 1) + " bytes for a 5-4-3 model"));
}

TEST_CASE("file errors name the path") {
  Model model({3, 2}, 1);
  Bytes buffer(checkpoint_bytes(model.mlp.spec));
  TempDir dir;
  const std::string missing = dir.file("missing.tacit");
  Status status = checkpoint_load(missing.c_str(), buffer.data(), buffer.size(), model.mlp);
  CHECK(contains(status, missing + ": cannot read: no such file"));
  MlpSpec spec;
  status = checkpoint_file_spec(dir.path().c_str(), &spec);
  CHECK(contains(status, "is a directory"));
  status = checkpoint_load(missing.c_str(), buffer.data(), buffer.size() - 1, model.mlp);
  CHECK(contains(status, "checkpoint buffer: expected " + std::to_string(buffer.size())));
  status = checkpoint_save((dir.path() + "/no/such/dir/x.tacit").c_str(), model.mlp,
                           buffer.data(), buffer.size());
  CHECK(contains(status, "cannot create"));
  status = checkpoint_write(model.mlp, buffer.data(), 3);
  CHECK(contains(status, "checkpoint buffer: expected " + std::to_string(buffer.size()) +
                             " bytes (checkpoint_bytes), found 3"));
}

TEST_CASE("a version 1 file in the repository still loads, bit for bit") {
  // tests/data/digits-784-32-10.tacit (tests/data/README.md); the build
  // passes the directory's absolute path, so any working directory works.
  const std::string path = std::string(TACIT_TEST_DATA_DIR) + "/digits-784-32-10.tacit";
  REQUIRE_MESSAGE(std::filesystem::exists(path), (path + " not found"));
  MlpSpec spec;
  Status status = checkpoint_file_spec(path.c_str(), &spec);
  REQUIRE_MESSAGE(status.ok(), status.message());
  REQUIRE(spec.layers == 2);
  CHECK(spec.widths[0] == 784);
  CHECK(spec.widths[1] == 32);
  CHECK(spec.widths[2] == 10);
  Model model({784, 32, 10});
  Bytes file(checkpoint_bytes(spec));
  status = checkpoint_load(path.c_str(), file.data(), file.size(), model.mlp);
  REQUIRE_MESSAGE(status.ok(), status.message());
  CHECK(model.hash() == 0xa59c6d1661930a94ull);  // hash_floats of its parameters
  CHECK(write(model.mlp) == file);
}

TEST_CASE("a 1-1-1 tanh model is version 2, exactly these 52 bytes (Python's struct, zlib)") {
  Model model({1, 1, 1}, 0, {Activation::tanh});
  model.mlp.params[0] = 0.5f;
  model.mlp.params[1] = 0.0f;
  model.mlp.params[2] = 2.0f;
  model.mlp.params[3] = -1.0f;
  const Bytes expected = {
      0x54, 0x41, 0x43, 0x49, 0x54, 0x4d, 0x4c, 0x50,  // "TACITMLP"
      0x02, 0x00, 0x00, 0x00,                          // version 2
      0x02, 0x00, 0x00, 0x00,                          // 2 layers
      0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // widths 1, 1,
      0x01, 0x00, 0x00, 0x00,                          //   1
      0x01, 0x00, 0x00, 0x00,                          // activations: tanh
      0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x00, 0x00,  // W0 = 0.5, b0 = 0
      0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x80, 0xbf,  // W1 = 2.0, b1 = -1
      0xa3, 0xb2, 0x75, 0xdb,                          // zlib.crc32 = 0xdb75b2a3
  };
  CHECK(checkpoint_version(model.mlp.spec) == 2);
  CHECK(checkpoint_bytes(model.mlp.spec) == 52);
  CHECK(write(model.mlp) == expected);
}

TEST_CASE("activations round trip; only a non-ReLU model is version 2") {
  const std::vector<Activation> mixed = {Activation::gelu, Activation::sigmoid,
                                         Activation::relu, Activation::tanh};
  Model from({61, 47, 33, 20, 15, 13}, 42, mixed);
  const Bytes bytes = write(from.mlp);
  CHECK(bytes[8] == 2);
  CHECK(bytes.size() == checkpoint_header_bytes(5, 2) + 4 * from.mlp.param_count + 4);
  MlpSpec spec;
  REQUIRE(checkpoint_parse_spec(bytes.data(), kCheckpointMaxHeaderBytes, "m", &spec).ok());
  CHECK(mlp_spec_equal(spec, from.mlp.spec));
  Model to({61, 47, 33, 20, 15, 13}, 0, mixed);
  REQUIRE(checkpoint_read(bytes.data(), bytes.size(), "m", to.mlp).ok());
  CHECK(to.hash() == from.hash());
  CHECK(write(to.mlp) == bytes);
  TempDir dir;
  const std::string path = dir.write("mixed.tacit", bytes);
  MlpSpec from_file;
  REQUIRE(checkpoint_file_spec(path.c_str(), &from_file).ok());
  CHECK(mlp_spec_equal(from_file, from.mlp.spec));
  CHECK(write(Model({61, 47, 33, 13}, 42).mlp)[8] == 1);  // all ReLU: version 1
}

TEST_CASE("version 2 refusals: unknown code, all ReLU, another model's activations") {
  const std::vector<Activation> tg = {Activation::tanh, Activation::gelu};
  const Bytes good = write(Model({5, 4, 3, 2}, 1, tg).mlp);
  const std::size_t codes = 16 + 4 * 4;
  Bytes bytes = good;
  put_u32(bytes, codes + 4, 4);
  fix_crc(bytes);
  check_refused(bytes, {5, 4, 3, 2},
                {"activations[1]: expected 0 to 3 (0 relu, 1 tanh, 2 sigmoid, 3 gelu), "
                 "found 4"}, tg);
  bytes = good;
  put_u32(bytes, codes + 4, 0xffffffffu);
  fix_crc(bytes);
  check_refused(bytes, {5, 4, 3, 2}, {"activations[1]", "found 4294967295"}, tg);
  bytes = good;
  put_u32(bytes, codes, 0);
  put_u32(bytes, codes + 4, 0);
  fix_crc(bytes);
  check_refused(bytes, {5, 4, 3, 2},
                {"version: expected 1 for a model whose hidden layers are all ReLU, found 2"},
                tg);
  check_refused(good, {5, 4, 3, 2},
                {"activations[0]: expected relu (the caller's model is 5-4-3-2), found tanh "
                 "(the file's is 5-4(tanh)-3(gelu)-2)"});
  check_refused(good, {5, 4, 3, 2},
                {"activations[1]: expected sigmoid (the caller's model is "
                 "5-4(tanh)-3(sigmoid)-2), found gelu"},
                {Activation::tanh, Activation::sigmoid});
  // A version-1 file never fits a model with other activations.
  check_refused(write(Model({5, 4, 3, 2}, 1).mlp), {5, 4, 3, 2},
                {"activations[0]: expected tanh", "found relu"}, tg);
  // The header is cut inside the activations.
  MlpSpec spec;
  const Status status = checkpoint_parse_spec(good.data(), codes + 2, "m", &spec);
  CHECK(contains(status, "truncated: the header needs 40 bytes, found 34"));
}
