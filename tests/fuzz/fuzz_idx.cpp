// libFuzzer target for everything that reads IDX: the header parser and
// decoder in memory, the file loader, and the MNIST directory loader with
// the input standing in for one of its files. Beyond "no crash, no
// sanitizer report" it traps when an accepted input breaks an invariant.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tacit/idx.h"
#include "tacit/mnist.h"

namespace {

using namespace tacit;

std::string g_dir;  // this process's MNIST directory

void require(bool condition) {
  if (!condition) __builtin_trap();
}

void write_file(const std::string& path, const unsigned char* data,
                std::size_t size) {
  // A new file each time: ext4 flushes a truncated-and-rewritten file on
  // close (auto_da_alloc), which cost 10x in executions per second.
  std::remove(path.c_str());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  require(f != nullptr);
  if (size != 0) require(std::fwrite(data, 1, size, f) == size);
  require(std::fclose(f) == 0);
}

std::vector<unsigned char> u8_file(std::vector<std::uint32_t> dims) {
  std::vector<unsigned char> out = {0, 0, 0x08,
                                    static_cast<unsigned char>(dims.size())};
  std::size_t count = 1;
  for (std::uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.push_back(static_cast<unsigned char>(d >> shift));
    }
    count *= d;
  }
  out.resize(out.size() + count, 0);
  return out;
}

void write_u8(const std::string& name, std::vector<std::uint32_t> dims) {
  const std::vector<unsigned char> bytes = u8_file(std::move(dims));
  write_file(g_dir + "/" + name, bytes.data(), bytes.size());
}

void remove_dir() {
  std::error_code ec;
  std::filesystem::remove_all(g_dir, ec);
}

void fuzz_memory(const std::uint8_t* data, std::size_t size) {
  IdxHeader header;
  const Status prefix = idx_parse_header(data, size, "input", &header);
  IdxHeader whole;
  const Status status = idx_parse(data, size, "input", &whole);
  require(status.message()[0] != '\0');
  if (!status.ok()) return;
  require(prefix.ok());
  require(whole.file_bytes == size);
  require(whole.header_bytes + whole.payload_bytes == size);
  require(whole.payload_bytes == whole.elements * idx_type_bytes(whole.type));
  std::vector<unsigned char> payload(idx_payload_bytes(whole) + 1, 0xA5);
  idx_decode(whole, data, payload.data());
  require(payload.back() == 0xA5);  // wrote exactly payload_bytes
  if (idx_type_bytes(whole.type) == 1 && whole.payload_bytes != 0) {
    require(std::memcmp(payload.data(), data + whole.header_bytes,
                        idx_payload_bytes(whole)) == 0);
  }
  char dims[64];
  idx_format_dims(whole, dims, sizeof dims);
  require(std::strlen(dims) < sizeof dims);
  if (mnist_check_labels_header(whole, "input").ok()) {
    (void)mnist_check_labels(payload.data(), idx_payload_bytes(whole), "input");
  }
  (void)mnist_check_images_header(whole, "input");
}

// The input as the test split's images or labels (whichever its header
// says it is), beside a generated partner, so mnist_inspect and mnist_load
// see it in place. Both files are rewritten every time: no input depends
// on the one before.
void fuzz_directory(const std::uint8_t* data, std::size_t size) {
  IdxHeader header;
  const bool parsed = idx_parse_header(data, size, "input", &header).ok();
  const bool as_images = parsed && header.rank != 1;
  std::uint32_t partner_count = 1;
  if (parsed && header.dims[0] >= 1 && header.dims[0] <= 64) {
    partner_count = header.dims[0];
  }
  const char* input_name = as_images ? "t10k-images-idx3-ubyte"
                                     : "t10k-labels-idx1-ubyte";
  const std::string input_path = g_dir + "/" + input_name;
  write_file(input_path, data, size);
  if (as_images) {
    write_u8("t10k-labels-idx1-ubyte", {partner_count});
  } else {
    write_u8("t10k-images-idx3-ubyte", {partner_count, 28, 28});
  }

  // The single-file loader on the same bytes.
  IdxHeader from_file;
  if (idx_read_header(input_path.c_str(), &from_file).ok()) {
    require(from_file.file_bytes == size);
    std::vector<unsigned char> payload(idx_payload_bytes(from_file));
    require(idx_load(input_path.c_str(), from_file, payload.data(),
                     payload.size()).ok());
    if (idx_type_bytes(from_file.type) == 1 && !payload.empty()) {
      require(std::memcmp(payload.data(), data + from_file.header_bytes,
                          payload.size()) == 0);
    }
  }

  MnistInfo info;
  if (!mnist_inspect(g_dir.c_str(), &info).ok()) return;
  std::vector<unsigned char> memory(arena_buffer_bytes(mnist_bytes(info)));
  Arena arena(memory.data(), memory.size());
  Mnist mnist;
  if (!mnist_load(g_dir.c_str(), info, arena, &mnist).ok()) return;
  require(arena.used() == mnist_bytes(info));
  const MnistSplit& test = mnist.test;
  std::uint32_t indices[4];
  const int batch = test.count < 4 ? test.count : 4;
  for (int i = 0; i < batch; ++i) {
    indices[i] = static_cast<std::uint32_t>(test.count - 1 - i);
  }
  float images[4 * kMnistPixels];
  std::int32_t labels[4];
  require(mnist_gather(test, indices, batch, images, labels).ok());
  for (int i = 0; i < batch; ++i) {
    require(labels[i] >= 0 && labels[i] < kMnistClasses);
    for (int p = 0; p < kMnistPixels; ++p) {
      require(images[i * kMnistPixels + p] >= -1.0f &&
              images[i * kMnistPixels + p] <= 1.0f);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Memory-backed when the machine has it (Linux): the disk is the
  // bottleneck otherwise. TMPDIR, when set, wins.
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (std::getenv("TMPDIR") == nullptr &&
      std::filesystem::is_directory("/dev/shm", ec)) {
    base = "/dev/shm";
  }
  g_dir = (base / ("tacit_fuzz_idx_" + std::to_string(getpid()))).string();
  std::filesystem::create_directories(g_dir);
  std::atexit(remove_dir);
  // A valid train split: the input only ever replaces test files.
  write_u8("train-images-idx3-ubyte", {2, 28, 28});
  write_u8("train-labels-idx1-ubyte", {2});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  fuzz_memory(data, size);
  fuzz_directory(data, size);
  return 0;
}
