// What the tools' suites share: substring checks, a file's text, an
// environment variable set for a scope (scoped_env.h), what a call writes
// to stderr, and a small in-memory MNIST a teacher can learn.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "data_files.h"
#include "scoped_env.h"
#include "tacit/mnist.h"

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#define TOOLS_TEST_HAVE_STDERR_CAPTURE 1
#if !defined(__EMSCRIPTEN__)  // Emscripten's fork() always fails
#define TOOLS_TEST_HAVE_FORK 1
#endif
#endif

namespace tools_test {

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A file's bytes, or "(missing)".
inline std::string file_text(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "(missing)";
  std::fclose(f);
  const data_test::Bytes bytes = data_test::read_bytes(path);
  return std::string(bytes.begin(), bytes.end());
}

#if defined(TOOLS_TEST_HAVE_STDERR_CAPTURE)
// What f writes to stderr (POSIX file descriptors; the check is skipped
// elsewhere).
template <typename F>
inline std::string stderr_of(F f) {
  data_test::TempDir dir;
  const std::string path = dir.file("stderr.txt");
  std::fflush(stderr);
  const int saved = dup(fileno(stderr));
  std::FILE* sink = std::fopen(path.c_str(), "wb");
  REQUIRE(sink != nullptr);
  dup2(fileno(sink), fileno(stderr));
  f();
  std::fflush(stderr);
  dup2(saved, fileno(stderr));
  close(saved);
  std::fclose(sink);
  return file_text(path);
}
#endif

// A small in-memory MNIST: images from a pattern, labels cycling by a rule.
struct TinyMnist {
  std::vector<std::uint8_t> train_images, train_labels, test_images, test_labels;
  tacit::Mnist mnist;

  TinyMnist(int train_count, int test_count) {
    fill(train_count, 0, &train_images, &train_labels);
    fill(test_count, 1, &test_images, &test_labels);
    mnist.train = {tacit::MnistSplitId::train, train_count, train_images.data(),
                   train_labels.data()};
    mnist.test = {tacit::MnistSplitId::test, test_count, test_images.data(), test_labels.data()};
  }

  // Label-dependent stripes plus a little index noise, so a teacher can learn.
  static void fill(int count, int split, std::vector<std::uint8_t>* images,
                   std::vector<std::uint8_t>* labels) {
    images->resize(static_cast<std::size_t>(count) * tacit::kMnistPixels);
    labels->resize(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
      const int label = (i * 7 + split) % 10;
      (*labels)[i] = static_cast<std::uint8_t>(label);
      for (int p = 0; p < tacit::kMnistPixels; ++p) {
        const bool on = (p / 28) / 3 == label || (p * 13 + i * 31) % 101 == 0;
        (*images)[static_cast<std::size_t>(i) * tacit::kMnistPixels + p] = on ? 230 : 10;
      }
    }
  }
};

}  // namespace tools_test
