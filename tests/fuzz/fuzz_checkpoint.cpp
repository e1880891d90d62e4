// libFuzzer target for the checkpoint loader, in memory and through a file.
// Random bytes rarely carry a right CRC, so each input is also tried with
// its last four bytes replaced by the CRC of the rest: that way the fuzzer
// reaches the decoder, not only the checksum test. Beyond "no crash, no
// sanitizer report" it traps when an accepted input breaks an invariant:
// an accepted file must be exactly what checkpoint_write makes of the
// loaded model, and a refused one must leave the model untouched.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "tacit/checkpoint.h"
#include "tacit/crc32.h"
#include "tacit/hash.h"

namespace {

using namespace tacit;

// Larger claims are refused by checkpoint_read for want of a matching
// model; building models that big would only slow the fuzzer down.
constexpr std::size_t kMaxFuzzParams = 1 << 16;

std::string g_path;  // this process's checkpoint file

void require(bool condition) {
  if (!condition) __builtin_trap();
}

void write_file(const unsigned char* data, std::size_t size) {
  std::remove(g_path.c_str());
  std::FILE* f = std::fopen(g_path.c_str(), "wb");
  require(f != nullptr);
  if (size != 0) require(std::fwrite(data, 1, size, f) == size);
  require(std::fclose(f) == 0);
}

void fuzz_one(const unsigned char* data, std::size_t size) {
  write_file(data, size);  // the same bytes for every file check below
  MlpSpec spec;
  const Status header = checkpoint_parse_spec(data, size, "input", &spec);
  require(header.message()[0] != '\0');
  MlpSpec from_file;
  if (!header.ok()) {
    // A header refused in memory is refused in a file too.
    require(!checkpoint_file_spec(g_path.c_str(), &from_file).ok());
    return;
  }
  // A header is believed from a file only when the file's size agrees:
  // callers allocate from the spec it returns.
  require(checkpoint_file_spec(g_path.c_str(), &from_file).ok() ==
          (size == checkpoint_bytes(spec)));
  if (mlp_param_count(spec) > kMaxFuzzParams) return;

  std::vector<unsigned char> memory(arena_buffer_bytes(mlp_bytes(spec)));
  Arena arena(memory.data(), memory.size());
  Mlp mlp;
  require(mlp_create(spec, arena, &mlp).ok());
  for (std::size_t i = 0; i < mlp.param_count; ++i) mlp.params[i] = 0.5f;
  const std::uint64_t before = hash_floats(mlp.params, mlp.param_count);

  const Status status = checkpoint_read(data, size, "input", mlp);
  std::vector<unsigned char> buffer(checkpoint_bytes(spec));
  if (!status.ok()) {
    require(hash_floats(mlp.params, mlp.param_count) == before);
  } else {
    require(size == checkpoint_bytes(spec));
    require(checkpoint_write(mlp, buffer.data(), buffer.size()).ok());
    require(std::memcmp(buffer.data(), data, size) == 0);
  }

  // The file loader agrees with the memory one.
  for (std::size_t i = 0; i < mlp.param_count; ++i) mlp.params[i] = 0.5f;
  const Status file = checkpoint_load(g_path.c_str(), buffer.data(), buffer.size(), mlp);
  require(file.ok() == status.ok());
  if (!file.ok()) require(hash_floats(mlp.params, mlp.param_count) == before);
}

void remove_file() { std::remove(g_path.c_str()); }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (std::getenv("TMPDIR") == nullptr && std::filesystem::is_directory("/dev/shm", ec)) {
    base = "/dev/shm";
  }
  g_path = (base / ("tacit_fuzz_checkpoint_" + std::to_string(getpid()))).string();
  std::atexit(remove_file);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz_one(data, size);
  if (size >= 4) {
    std::vector<unsigned char> fixed(data, data + size);
    const std::uint32_t crc = crc32(fixed.data(), size - 4);
    for (int i = 0; i < 4; ++i) fixed[size - 4 + i] = static_cast<unsigned char>(crc >> (8 * i));
    fuzz_one(fixed.data(), size);
  }
  return 0;
}
