// IDX reading: every type code round-trips in host order, and every kind of
// bad file is refused with a message naming the file, the field, what was
// expected and what was found.
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "bits.h"
#include "data_files.h"
#include "tacit/idx.h"

using namespace tacit;
using data_test::Bytes;
using data_test::TempDir;
using test_bits::contains;

namespace {

// Reads a file through the public size-first path: header, buffer, load.
template <typename T>
std::vector<T> load_file(const std::string& path, IdxHeader* header) {
  REQUIRE(idx_read_header(path.c_str(), header).ok());
  REQUIRE(idx_payload_bytes(*header) % sizeof(T) == 0);
  std::vector<T> out(idx_payload_bytes(*header) / sizeof(T));
  const Status status =
      idx_load(path.c_str(), *header, out.data(), out.size() * sizeof(T));
  REQUIRE_MESSAGE(status.ok(), status.message());
  return out;
}

template <typename T>
std::vector<T> decode_memory(const Bytes& file, IdxHeader* header) {
  const Status status = idx_parse(file.data(), file.size(), "mem", header);
  REQUIRE_MESSAGE(status.ok(), status.message());
  std::vector<T> out(idx_payload_bytes(*header) / sizeof(T));
  idx_decode(*header, file.data(), out.data());
  return out;
}

template <typename T>
void check_round_trip(std::uint8_t code, const Bytes& payload,
                      const std::vector<T>& expected) {
  TempDir dir;
  const std::vector<std::uint32_t> dims = {
      static_cast<std::uint32_t>(expected.size())};
  const Bytes file = data_test::idx_file(code, dims, payload);
  const std::string path = dir.write("x.idx", file);
  IdxHeader header;
  const std::vector<T> from_file = load_file<T>(path, &header);
  CHECK(static_cast<std::uint8_t>(header.type) == code);
  CHECK(header.rank == 1);
  CHECK(header.dims[0] == expected.size());
  CHECK(header.elements == expected.size());
  CHECK(header.header_bytes == 8);
  CHECK(header.payload_bytes == payload.size());
  CHECK(header.file_bytes == file.size());
  CHECK(idx_type_bytes(header.type) == sizeof(T));
  IdxHeader memory_header;
  const std::vector<T> from_memory = decode_memory<T>(file, &memory_header);
  // Bit patterns, so that -0.0 or NaN could not hide behind ==.
  REQUIRE(from_file.size() == expected.size());
  REQUIRE(from_memory.size() == expected.size());
  CHECK(std::memcmp(from_file.data(), expected.data(),
                    expected.size() * sizeof(T)) == 0);
  CHECK(std::memcmp(from_memory.data(), expected.data(),
                    expected.size() * sizeof(T)) == 0);
}

Status read_crafted(const Bytes& bytes, std::string* path_out,
                    TempDir& dir) {
  *path_out = dir.write("crafted-idx", bytes);
  IdxHeader header;
  return idx_read_header(path_out->c_str(), &header);
}

}  // namespace

TEST_CASE("every IDX type code round-trips big-endian to host order") {
  check_round_trip<std::uint8_t>(0x08, {0, 1, 128, 255}, {0, 1, 128, 255});
  check_round_trip<std::int8_t>(0x09, {0x80, 0xFF, 0x00, 0x7F},
                                {-128, -1, 0, 127});
  check_round_trip<std::int16_t>(0x0B, {0xFF, 0xFE, 0x12, 0x34, 0x80, 0x00},
                                 {-2, 0x1234, -32768});
  check_round_trip<std::int32_t>(
      0x0C, {0xFF, 0xFF, 0xFF, 0xFE, 0x01, 0x02, 0x03, 0x04},
      {-2, 0x01020304});
  // 1.5f = 0x3FC00000, -2.0f = 0xC0000000, -0.0f = 0x80000000.
  check_round_trip<float>(
      0x0D, {0x3F, 0xC0, 0, 0, 0xC0, 0, 0, 0, 0x80, 0, 0, 0},
      {1.5f, -2.0f, -0.0f});
  // 1.5 = 0x3FF8..., -0.25 = 0xBFD0...
  check_round_trip<double>(
      0x0E, {0x3F, 0xF8, 0, 0, 0, 0, 0, 0, 0xBF, 0xD0, 0, 0, 0, 0, 0, 0},
      {1.5, -0.25});
  CHECK(std::string(idx_type_name(IdxType::i16)) == "i16");
  CHECK(idx_magic(IdxType::u8, 3) == 0x00000803u);
}

TEST_CASE("a multi-dimensional u8 file round-trips exactly") {
  TempDir dir;
  const Bytes file = data_test::u8_file({2, 3, 4}, 251);
  const std::string path = dir.write("cube", file);
  IdxHeader header;
  const std::vector<std::uint8_t> payload = load_file<std::uint8_t>(path, &header);
  CHECK(header.rank == 3);
  CHECK(header.dims[0] == 2);
  CHECK(header.dims[1] == 3);
  CHECK(header.dims[2] == 4);
  CHECK(header.elements == 24);
  CHECK(header.header_bytes == 16);
  CHECK(Bytes(payload.begin(), payload.end()) == Bytes(file.begin() + 16, file.end()));
  char dims[32];
  idx_format_dims(header, dims, sizeof dims);
  CHECK(std::string(dims) == "2x3x4");
}

TEST_CASE("a zero-sized dimension is a valid empty array") {
  TempDir dir;
  const std::string path =
      dir.write("empty", data_test::idx_header_bytes(0x08, {0, 28, 28}));
  IdxHeader header;
  REQUIRE(idx_read_header(path.c_str(), &header).ok());
  CHECK(header.elements == 0);
  CHECK(header.payload_bytes == 0);
  CHECK(idx_load(path.c_str(), header, nullptr, 0).ok());
}

TEST_CASE("a wrong magic is refused") {
  TempDir dir;
  std::string path;
  const Status status = read_crafted({0x01, 0x00, 0x08, 0x01, 0, 0, 0, 0}, &path, dir);
  CHECK_FALSE(status.ok());
  CHECK(contains(status, path + ": magic 0x01000801 is not IDX"));
  CHECK(contains(status, "first two bytes zero"));
  // Text, for instance a CSV given by mistake.
  const Status text = read_crafted({'5', ',', '0', ',', '0', '\n'}, &path, dir);
  CHECK(contains(text, "magic 0x352c302c is not IDX"));
}

TEST_CASE("an unknown type code is refused, naming the valid ones") {
  TempDir dir;
  for (std::uint8_t code : {0x00, 0x07, 0x0A, 0x0F, 0xFF}) {
    std::string path;
    const Status status =
        read_crafted({0x00, 0x00, code, 0x01, 0, 0, 0, 0}, &path, dir);
    CHECK_FALSE(status.ok());
    char expected[32];
    std::snprintf(expected, sizeof expected, "has type code 0x%02X", code);
    CHECK_MESSAGE(contains(status, expected), status.message());
    CHECK(contains(status, "expected 08 u8, 09 i8, 0B i16, 0C i32, 0D f32 or 0E f64"));
  }
}

TEST_CASE("zero dimensions are refused") {
  TempDir dir;
  std::string path;
  const Status status = read_crafted({0x00, 0x00, 0x08, 0x00, 1, 2, 3}, &path, dir);
  CHECK(contains(status, path + ": magic 0x00000800 declares 0 dimensions; expected at least 1"));
}

TEST_CASE("a header cut short is refused with the sizes") {
  TempDir dir;
  std::string path;
  const Status empty = read_crafted({}, &path, dir);
  CHECK(contains(empty, path + ": magic: expected 4 bytes, the file has 0"));
  const Status two = read_crafted({0, 0}, &path, dir);
  CHECK(contains(two, "magic: expected 4 bytes, the file has 2"));
  const Status dims = read_crafted({0, 0, 0x08, 0x03, 0, 0, 0, 1}, &path, dir);
  CHECK(contains(dims, "magic 0x00000803 needs 16 header bytes, the file has 8"));
}

TEST_CASE("sizes that overflow 64 bits are refused") {
  TempDir dir;
  std::string path;
  // 2^32-1 cubed elements overflow the count at the third dimension.
  const Status count = read_crafted(
      data_test::idx_header_bytes(0x08, {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu}),
      &path, dir);
  CHECK(contains(count, path + ": dimension 2 (4294967295) makes the element count overflow 64 bits"));
  // 2^62 f64 elements fit as a count but not as bytes.
  const Status bytes = read_crafted(
      data_test::idx_header_bytes(0x0E, {0x80000000u, 0x80000000u}), &path, dir);
  CHECK(contains(bytes, "4611686018427387904 f64 elements overflow a 64-bit byte count"));
  // A zero dimension after huge ones is an empty array, not an overflow.
  const Status zero = read_crafted(
      data_test::idx_header_bytes(0x08, {0xFFFFFFFFu, 0xFFFFFFFFu, 0}), &path, dir);
  CHECK(zero.ok());
}

TEST_CASE("a file shorter or longer than its header says is refused") {
  TempDir dir;
  std::string path;
  Bytes file = data_test::u8_file({2, 28, 28}, 256);
  file.pop_back();
  const Status short_file = read_crafted(file, &path, dir);
  CHECK(contains(short_file, path + ": truncated: header (u8 2x28x28) says 1584 bytes, the file has 1583"));
  file.push_back(0);
  file.push_back(0);
  const Status long_file = read_crafted(file, &path, dir);
  CHECK(contains(long_file, path + ": too long: header (u8 2x28x28) says 1584 bytes, the file has 1585"));
  // The same refusals from memory.
  IdxHeader header;
  const Status memory = idx_parse(file.data(), file.size(), "buffer", &header);
  CHECK(contains(memory, "buffer: too long: header (u8 2x28x28) says 1584 bytes, the file has 1585"));
  file.resize(100);
  CHECK(contains(idx_parse(file.data(), file.size(), "buffer", &header),
                 "buffer: truncated"));
}

TEST_CASE("a header claiming 2 billion images in a small file allocates nothing for them") {
  TempDir dir;
  Bytes file = data_test::idx_header_bytes(0x08, {2000000000u, 28, 28});
  file.resize(file.size() + 1000, 7);
  const std::string path = dir.write("huge-claim", file);
  IdxHeader header;
  const data_test::AllocCount before = data_test::alloc_count();
  const Status status = idx_read_header(path.c_str(), &header);
  const data_test::AllocCount after = data_test::alloc_count();
  if (sizeof(std::size_t) >= 8) {
    CHECK(contains(status, "truncated: header (u8 2000000000x28x28) says 1568000000016 bytes, the file has 1016"));
  } else {  // 32-bit (wasm32): refused from the header alone
    CHECK(contains(status, "huge-claim: size 1568000000016 bytes does not fit this machine's size_t"));
  }
  // Path strings and error text only; nothing near the claimed size.
  CHECK(after.bytes - before.bytes < 64 * 1024);
}

TEST_CASE("a gzip file is refused with how to decompress it") {
  TempDir dir;
  std::string path;
  const Status status = read_crafted({0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0, 3}, &path, dir);
  CHECK(contains(status, path + ": gzip-compressed (starts with 1f 8b), expected raw IDX"));
  CHECK(contains(status, "gunzip -k FILE.gz"));
}

TEST_CASE("a directory, a missing file and an empty path are refused") {
  TempDir dir;
  IdxHeader header;
  const Status directory = idx_read_header(dir.path().c_str(), &header);
  CHECK(contains(directory, dir.path() + ": is a directory; expected an IDX file"));
  const std::string missing = dir.file("no-such-file");
  CHECK(contains(idx_read_header(missing.c_str(), &header),
                 missing + ": cannot read: no such file"));
  CHECK(contains(idx_read_header("", &header), "IDX path: expected a file name"));
  Bytes payload(8);
  CHECK(contains(idx_load(missing.c_str(), header, payload.data(), payload.size()),
                 "no such file"));
}

TEST_CASE("idx_load refuses a small buffer and a file changed since its header was read") {
  TempDir dir;
  const std::string path = dir.write("f", data_test::u8_file({4, 2}, 256));
  IdxHeader header;
  REQUIRE(idx_read_header(path.c_str(), &header).ok());
  Bytes payload(8, 0xAA);
  CHECK(contains(idx_load(path.c_str(), header, payload.data(), 7),
                 "payload buffer: expected 8 bytes, found 7"));
  CHECK(payload == Bytes(8, 0xAA));
  dir.write("f", data_test::u8_file({2, 4}, 256));
  CHECK(contains(idx_load(path.c_str(), header, payload.data(), payload.size()),
                 "changed since its header was read: expected u8 4x2, found u8 2x4"));
  dir.write("f", data_test::u8_file({4, 2, 1}, 256));
  CHECK(contains(idx_load(path.c_str(), header, payload.data(), payload.size()),
                 "expected u8 4x2, found u8 4x2x1"));
}

TEST_CASE("long dimension lists are cut visibly") {
  IdxHeader header;
  header.rank = 6;
  for (int d = 0; d < 6; ++d) header.dims[d] = 4000000000u;
  char out[32];
  idx_format_dims(header, out, sizeof out);
  CHECK(std::string(out) == "4000000000x4000000000...");
  header.rank = 255;
  char wide[1024];
  idx_format_dims(header, wide, sizeof wide);
  CHECK(std::string(wide).size() < sizeof wide);
}

TEST_CASE("a 255-dimensional header parses") {
  const Bytes file = data_test::idx_file(
      0x08, std::vector<std::uint32_t>(255, 1), {42});
  IdxHeader header;
  const Status status = idx_parse(file.data(), file.size(), "deep", &header);
  REQUIRE_MESSAGE(status.ok(), status.message());
  CHECK(header.rank == 255);
  CHECK(header.header_bytes == kIdxMaxHeaderBytes);
  CHECK(header.elements == 1);
}
