// The golden hashes of tests/golden-hashes, by name: the one file that the
// tests, tests/consumer/run, tests/cortex-m/run and .ci/run all read.
// tests/meson.build passes its absolute path as TACIT_GOLDEN_HASHES.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace test_golden {

// The hash on the line `name hash`, or 0 (with the reason on stderr) when the
// file cannot be read or has no such line: no real hash is 0, so a test that
// compares against it fails and says why.
inline std::uint64_t golden_hash(const char* name) {
  std::FILE* file = std::fopen(TACIT_GOLDEN_HASHES, "r");
  if (file == nullptr) {
    std::fprintf(stderr, "golden_hash: cannot read %s\n", TACIT_GOLDEN_HASHES);
    return 0;
  }
  char line[256];
  std::uint64_t hash = 0;
  while (hash == 0 && std::fgets(line, sizeof line, file) != nullptr) {
    char key[64];
    char hex[32];
    if (line[0] == '#' || std::sscanf(line, "%63s %31s", key, hex) != 2) continue;
    if (std::strcmp(key, name) == 0) hash = std::strtoull(hex, nullptr, 16);
  }
  std::fclose(file);
  if (hash == 0) std::fprintf(stderr, "golden_hash: no '%s' in %s\n", name, TACIT_GOLDEN_HASHES);
  return hash;
}

}  // namespace test_golden
