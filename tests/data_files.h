// Crafted IDX files for the data tests: bytes built by hand, big-endian as
// the format says, so a test states exactly what is on disk.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace data_test {

using Bytes = std::vector<unsigned char>;

inline void put_be32(Bytes& out, std::uint32_t v) {
  out.push_back(static_cast<unsigned char>(v >> 24));
  out.push_back(static_cast<unsigned char>(v >> 16));
  out.push_back(static_cast<unsigned char>(v >> 8));
  out.push_back(static_cast<unsigned char>(v));
}

// Magic and dimensions only.
inline Bytes idx_header_bytes(std::uint8_t type_code,
                              const std::vector<std::uint32_t>& dims) {
  Bytes out = {0, 0, type_code, static_cast<unsigned char>(dims.size())};
  for (std::uint32_t d : dims) put_be32(out, d);
  return out;
}

inline Bytes idx_file(std::uint8_t type_code,
                      const std::vector<std::uint32_t>& dims,
                      const Bytes& payload) {
  Bytes out = idx_header_bytes(type_code, dims);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// A u8 file whose payload is `count` bytes of value i % modulus.
inline Bytes u8_file(const std::vector<std::uint32_t>& dims, int modulus) {
  std::size_t count = 1;
  for (std::uint32_t d : dims) count *= d;
  Bytes payload(count);
  for (std::size_t i = 0; i < count; ++i) {
    payload[i] = static_cast<unsigned char>(i % static_cast<std::size_t>(modulus));
  }
  return idx_file(0x08, dims, payload);
}

// A file's bytes (empty if it cannot be read).
inline Bytes read_bytes(const std::string& path) {
  Bytes bytes;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return bytes;
  for (int c; (c = std::fgetc(f)) != EOF;) bytes.push_back(static_cast<unsigned char>(c));
  std::fclose(f);
  return bytes;
}

// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
 public:
  TempDir() {
    const auto stamp =
        std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::temp_directory_path() /
            ("tacit_data_test_" + std::to_string(stamp) + "_" +
             std::to_string(reinterpret_cast<std::uintptr_t>(this) % 100000));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string path() const { return path_.string(); }
  // DIR/NAME with '/', as the library joins a folder and a name (Windows
  // takes '/' too).
  std::string file(const std::string& name) const { return path_.string() + "/" + name; }
  // The names in the directory, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
  std::string write(const std::string& name, const Bytes& bytes) const {
    const std::string p = file(name);
    std::FILE* f = std::fopen(p.c_str(), "wb");
    if (f != nullptr) {
      if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f);
      std::fclose(f);
    }
    return p;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace data_test
