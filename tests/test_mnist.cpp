// The MNIST directory on top of IDX: tiny crafted data sets for every
// refusal and for exact arena use; the real files when they are present.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "alloc_counter.h"
#include "bits.h"
#include "data_files.h"
#include "tacit/hash.h"
#include "tacit/mnist.h"
#include "tacit/threads.h"

using namespace tacit;
using data_test::Bytes;
using data_test::TempDir;
using test_bits::contains;

namespace {

// Pixels and labels derived from (split, index) so a test can say which
// image it got back.
std::uint8_t pixel_of(int split, int image, int p) {
  return static_cast<std::uint8_t>((split * 97 + image * 31 + p * 7) % 256);
}
std::uint8_t label_of(int split, int image) {
  return static_cast<std::uint8_t>((split * 3 + image * 7) % 10);
}

Bytes images_file(int split, int count) {
  Bytes payload(static_cast<std::size_t>(count) * kMnistPixels);
  for (int i = 0; i < count; ++i) {
    for (int p = 0; p < kMnistPixels; ++p) {
      payload[static_cast<std::size_t>(i) * kMnistPixels + p] = pixel_of(split, i, p);
    }
  }
  return data_test::idx_file(0x08, {static_cast<std::uint32_t>(count), 28, 28},
                             payload);
}

Bytes labels_file(int split, int count) {
  Bytes payload(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) payload[i] = label_of(split, i);
  return data_test::idx_file(0x08, {static_cast<std::uint32_t>(count)}, payload);
}

// train: 3 images, test: 2, under the canonical or the dotted names.
void write_tiny_mnist(const TempDir& dir, bool alt_names = false) {
  const int counts[2] = {3, 2};
  for (int s = 0; s < 2; ++s) {
    const auto id = static_cast<MnistSplitId>(s);
    const auto name = [&](MnistFile f) {
      return std::string(alt_names ? mnist_file_alt_name(id, f)
                                   : mnist_file_name(id, f));
    };
    dir.write(name(MnistFile::images), images_file(s, counts[s]));
    dir.write(name(MnistFile::labels), labels_file(s, counts[s]));
  }
}

Status inspect(const TempDir& dir, MnistInfo* info) {
  return mnist_inspect(dir.path().c_str(), info);
}

struct Loaded {
  std::vector<unsigned char> memory;
  Arena arena;
  Mnist mnist;
  MnistInfo info;
};

void load_tiny(const TempDir& dir, Loaded* out) {
  const Status inspected = inspect(dir, &out->info);
  REQUIRE_MESSAGE(inspected.ok(), inspected.message());
  out->memory.resize(arena_buffer_bytes(mnist_bytes(out->info)));
  out->arena = Arena(out->memory.data(), out->memory.size());
  const Status loaded =
      mnist_load(dir.path().c_str(), out->info, out->arena, &out->mnist);
  REQUIRE_MESSAGE(loaded.ok(), loaded.message());
}

}  // namespace

TEST_CASE("a tiny MNIST directory loads into exactly mnist_bytes of arena") {
  TempDir dir;
  write_tiny_mnist(dir);
  Loaded d;
  load_tiny(dir, &d);
  CHECK(d.info.count[0] == 3);
  CHECK(d.info.count[1] == 2);
  CHECK(mnist_bytes(d.info) == mnist_split_bytes(3) + mnist_split_bytes(2));
  CHECK(mnist_split_bytes(3) == arena_block_bytes(3 * 784) + arena_block_bytes(3));
  CHECK(d.arena.used() == mnist_bytes(d.info));
  for (int s = 0; s < 2; ++s) {
    const MnistSplit& split = d.mnist.split(static_cast<MnistSplitId>(s));
    CHECK(split.id == static_cast<MnistSplitId>(s));
    REQUIRE(split.count == d.info.count[s]);
    for (int i = 0; i < split.count; ++i) {
      CHECK(split.labels[i] == label_of(s, i));
      for (int p = 0; p < kMnistPixels; ++p) {
        REQUIRE(split.images[i * kMnistPixels + p] == pixel_of(s, i, p));
      }
    }
  }
  CHECK(std::string(d.info.file_name[1][1]) == "t10k-labels-idx1-ubyte");
  CHECK(std::string(mnist_split_name(MnistSplitId::test)) == "test");
}

TEST_CASE("the dotted spelling some mirrors use is found; canonical wins when both exist") {
  TempDir dir;
  write_tiny_mnist(dir, true);
  Loaded d;
  load_tiny(dir, &d);
  CHECK(std::string(d.info.file_name[0][0]) == "train-images.idx3-ubyte");
  CHECK(d.mnist.train.count == 3);
  dir.write("train-images-idx3-ubyte", images_file(0, 3));
  MnistInfo info;
  REQUIRE(inspect(dir, &info).ok());
  CHECK(std::string(info.file_name[0][0]) == "train-images-idx3-ubyte");
  CHECK(std::string(info.file_name[0][1]) == "train-labels.idx1-ubyte");
}

TEST_CASE("a labels file with an images magic is refused as the issue words it") {
  TempDir dir;
  write_tiny_mnist(dir);
  const std::string path = dir.write("t10k-labels-idx1-ubyte", images_file(1, 2));
  MnistInfo info;
  const Status status = inspect(dir, &info);
  CHECK(std::string(status.message()) ==
        path + ": magic 0x00000803 means a 3-dimensional u8 array; labels need 0x00000801");
}

TEST_CASE("images of the wrong type, rank or size are refused") {
  TempDir dir;
  write_tiny_mnist(dir);
  MnistInfo info;
  const std::string path = dir.write("train-images-idx3-ubyte",
                                     data_test::u8_file({3, 27, 28}, 256));
  CHECK(contains(inspect(dir, &info),
                 path + ": image size: expected 28x28, found 27x28"));
  dir.write("train-images-idx3-ubyte",
            data_test::idx_file(0x09, {1, 28, 28}, Bytes(784)));
  CHECK(contains(inspect(dir, &info),
                 "magic 0x00000903 means a 3-dimensional i8 array; images need 0x00000803"));
  dir.write("train-images-idx3-ubyte", labels_file(0, 3));
  CHECK(contains(inspect(dir, &info),
                 "magic 0x00000801 means a 1-dimensional u8 array; images need 0x00000803"));
  dir.write("train-images-idx3-ubyte", images_file(0, 0));
  CHECK(contains(inspect(dir, &info), "count: expected at least 1 image, found 0"));
}

TEST_CASE("counts that differ within a split are refused") {
  TempDir dir;
  write_tiny_mnist(dir);
  dir.write("t10k-labels-idx1-ubyte", labels_file(1, 3));
  MnistInfo info;
  const Status status = inspect(dir, &info);
  CHECK(contains(status, dir.path() + ": test split: expected as many labels as images; "
                 "t10k-images-idx3-ubyte has 2 images, t10k-labels-idx1-ubyte has 3 labels"));
}

TEST_CASE("a label of 10 or more is refused at load") {
  TempDir dir;
  write_tiny_mnist(dir);
  const std::string path = dir.write(
      "train-labels-idx1-ubyte", data_test::idx_file(0x08, {3}, {9, 10, 0}));
  MnistInfo info;
  REQUIRE(inspect(dir, &info).ok());
  std::vector<unsigned char> memory(arena_buffer_bytes(mnist_bytes(info)));
  Arena arena(memory.data(), memory.size());
  Mnist mnist;
  CHECK(std::string(mnist_load(dir.path().c_str(), info, arena, &mnist).message()) ==
        path + ": label 1: expected 0..9, found 10");
}

TEST_CASE("missing, compressed and misplaced files are refused with what to do") {
  TempDir dir;
  MnistInfo info;
  const std::string missing = dir.file("absent");
  CHECK(contains(mnist_inspect(missing.c_str(), &info),
                 missing + ": no such directory; expected the directory of the four "
                           "MNIST files"));
  write_tiny_mnist(dir);
  const std::string file = dir.file("train-images-idx3-ubyte");
  CHECK(contains(mnist_inspect(file.c_str(), &info), "is not a directory"));
  std::filesystem::rename(dir.file("t10k-images-idx3-ubyte"),
                          dir.file("t10k-images-idx3-ubyte.gz"));
  CHECK(contains(inspect(dir, &info),
                 "found t10k-images-idx3-ubyte.gz but no t10k-images-idx3-ubyte; "
                 "decompress it"));
  std::filesystem::remove(dir.file("t10k-images-idx3-ubyte.gz"));
  CHECK(contains(inspect(dir, &info),
                 "no t10k-images-idx3-ubyte (nor t10k-images.idx3-ubyte); expected the "
                 "four MNIST files"));
  std::filesystem::create_directory(dir.file("t10k-images-idx3-ubyte"));
  CHECK(contains(inspect(dir, &info), "t10k-images-idx3-ubyte: is a directory"));
}

// A symbolic link in place of a file is reported as what it is: not as a
// missing file (the loader looked for the name and found the link).
TEST_CASE("a dangling symbolic link or a loop names the real cause") {
  TempDir dir;
  write_tiny_mnist(dir);
  MnistInfo info;
  const std::string images = dir.file("train-images-idx3-ubyte");
  std::filesystem::remove(images);
  std::error_code ec;
  std::filesystem::create_symlink(dir.file("gone"), images, ec);
  if (ec) {
    MESSAGE("symbolic links unavailable here: " << ec.message());
    return;
  }
  Status status = inspect(dir, &info);
  CHECK(contains(status, images + ": cannot read: a symbolic link to " + dir.file("gone") +
                             ", which does not exist"));
  std::filesystem::remove(images);
  std::filesystem::create_symlink(images, images, ec);
  REQUIRE_FALSE(ec);
  status = inspect(dir, &info);
  CHECK_FALSE(status.ok());
  CHECK_FALSE(contains(status, "no train-images-idx3-ubyte"));
  CHECK(contains(status, images + ": cannot read: "));
}

TEST_CASE("mnist_load refuses a short arena and files changed since mnist_inspect") {
  TempDir dir;
  write_tiny_mnist(dir);
  MnistInfo info;
  REQUIRE(inspect(dir, &info).ok());
  std::vector<unsigned char> memory(arena_buffer_bytes(mnist_bytes(info)));
  Arena small(memory.data(), mnist_bytes(info) - 64);
  Mnist mnist;
  CHECK(contains(mnist_load(dir.path().c_str(), info, small, &mnist),
                 "arena: expected"));
  dir.write("t10k-images-idx3-ubyte", images_file(1, 4));
  dir.write("t10k-labels-idx1-ubyte", labels_file(1, 4));
  Arena arena(memory.data(), memory.size());
  CHECK(contains(mnist_load(dir.path().c_str(), info, arena, &mnist),
                 "count: expected 2 (as mnist_inspect found), found 4"));
  MnistInfo blank;
  CHECK(contains(mnist_load(dir.path().c_str(), blank, arena, &mnist),
                 "not from mnist_inspect"));
}

TEST_CASE("pixel scaling matches torchvision's float32 ToTensor+Normalize bit for bit") {
  CHECK(mnist_pixel_to_float(0) == -1.0f);
  CHECK(mnist_pixel_to_float(255) == 1.0f);
  // FNV-1a 64 over the little-endian bit patterns of p = 0..255, computed
  // independently in Python by rounding each of the three operations to
  // binary32: x = f32(p)/255; (x - 0.5)/0.5.
  float scaled[256];
  for (int p = 0; p < 256; ++p) scaled[p] = mnist_pixel_to_float(static_cast<std::uint8_t>(p));
  const std::uint64_t hash = hash_floats(scaled, 256);
  CHECK(hash == 0x68583d384cfeacceull);
  const float v128 = mnist_pixel_to_float(128);
  std::uint32_t bits128;
  std::memcpy(&bits128, &v128, 4);
  CHECK(bits128 == 0x3b808100u);
}

TEST_CASE("mnist_gather converts a shuffled batch without allocating") {
  TempDir dir;
  write_tiny_mnist(dir);
  Loaded d;
  load_tiny(dir, &d);
  const std::uint32_t indices[4] = {2, 0, 2, 1};
  std::vector<float> images(4 * kMnistPixels, 99.0f);
  std::int32_t labels[4] = {-1, -1, -1, -1};
  const data_test::AllocCount before = data_test::alloc_count();
  const Status status = mnist_gather(d.mnist.train, indices, 4, images.data(), labels);
  const data_test::AllocCount after = data_test::alloc_count();
  REQUIRE(status.ok());
  CHECK(after.calls == before.calls);
  for (int i = 0; i < 4; ++i) {
    const int image = static_cast<int>(indices[i]);
    CHECK(labels[i] == label_of(0, image));
    for (int p = 0; p < kMnistPixels; ++p) {
      const float expected =
          (static_cast<float>(pixel_of(0, image, p)) / 255.0f - 0.5f) / 0.5f;
      REQUIRE(images[static_cast<std::size_t>(i) * kMnistPixels + p] == expected);
    }
  }
}

// A pool splits the images; 200 of them (enough to be split) come out as
// one thread writes them, and a refused index still writes nothing.
TEST_CASE("mnist_gather: any pool gives the one-thread bits") {
  TempDir dir;
  write_tiny_mnist(dir);
  Loaded d;
  load_tiny(dir, &d);
  constexpr int kCount = 200;
  std::vector<std::uint32_t> indices(kCount);
  for (int i = 0; i < kCount; ++i) {
    indices[static_cast<std::size_t>(i)] = static_cast<std::uint32_t>((i * 7) % 3);
  }
  std::vector<float> expected(static_cast<std::size_t>(kCount) * kMnistPixels, 99.0f);
  std::vector<std::int32_t> expected_labels(kCount, -1);
  REQUIRE(mnist_gather(d.mnist.train, indices.data(), kCount, expected.data(),
                       expected_labels.data()).ok());
  for (int threads : {1, 2, 3, 4}) {
    CAPTURE(threads);
    ThreadPool pool(threads);
    const Compute compute{Isa::portable, &pool};
    std::vector<float> images(expected.size(), 99.0f);
    std::vector<std::int32_t> labels(kCount, -1);
    REQUIRE(mnist_gather(compute, d.mnist.train, indices.data(), kCount, images.data(),
                         labels.data()).ok());
    CHECK(std::memcmp(images.data(), expected.data(), sizeof(float) * images.size()) == 0);
    CHECK(labels == expected_labels);
    const std::uint32_t last = indices[kCount - 1];
    indices[kCount - 1] = 3;  // past the 3-image split
    std::fill(images.begin(), images.end(), 99.0f);
    CHECK_FALSE(mnist_gather(compute, d.mnist.train, indices.data(), kCount, images.data(),
                             labels.data()).ok());
    CHECK(images[0] == 99.0f);
    indices[kCount - 1] = last;
  }
}

TEST_CASE("mnist_gather refuses an index past the split and writes nothing") {
  TempDir dir;
  write_tiny_mnist(dir);
  Loaded d;
  load_tiny(dir, &d);
  const std::uint32_t indices[2] = {0, 2};
  std::vector<float> images(2 * kMnistPixels, 99.0f);
  std::int32_t labels[2] = {-1, -1};
  const Status status = mnist_gather(d.mnist.test, indices, 2, images.data(), labels);
  CHECK(std::string(status.message()) ==
        "mnist_gather: index 1: expected < 2 (the test split), found 2");
  CHECK(images[0] == 99.0f);
  CHECK(labels[0] == -1);
}

// Runs only where the real data is: TACIT_MNIST_DIR, or data/mnist seen
// from the repository root or from a build directory inside it.
TEST_CASE("the real MNIST files, when present, load with their known contents") {
  std::string dir;
  const char* env = std::getenv("TACIT_MNIST_DIR");
  for (const std::string& candidate :
       {std::string(env != nullptr ? env : ""), std::string("data/mnist"),
        std::string("../data/mnist")}) {
    std::error_code ec;
    if (!candidate.empty() && std::filesystem::is_directory(candidate, ec)) {
      dir = candidate;
      break;
    }
  }
  if (dir.empty()) {
    // CI fetches the data first and sets TACIT_REQUIRE_MNIST=1, so that a
    // lost path cannot turn this test into a silent pass.
    const char* required = std::getenv("TACIT_REQUIRE_MNIST");
    if (required != nullptr && required[0] == '1') {
      FAIL("TACIT_REQUIRE_MNIST=1 but no MNIST directory (TACIT_MNIST_DIR, data/mnist)");
    }
    MESSAGE("real MNIST not found (set TACIT_MNIST_DIR or run tools/fetch-mnist); not checked");
    return;
  }
  MnistInfo info;
  const Status inspected = mnist_inspect(dir.c_str(), &info);
  REQUIRE_MESSAGE(inspected.ok(), inspected.message());
  CHECK(info.count[0] == kMnistTrainCount);
  CHECK(info.count[1] == kMnistTestCount);
  std::vector<unsigned char> memory(arena_buffer_bytes(mnist_bytes(info)));
  Arena arena(memory.data(), memory.size());
  Mnist mnist;
  const Status loaded = mnist_load(dir.c_str(), info, arena, &mnist);
  REQUIRE_MESSAGE(loaded.ok(), loaded.message());
  CHECK(arena.used() == mnist_bytes(info));
  // Reference figures computed with Python straight from the files.
  const int first_train[10] = {5, 0, 4, 1, 9, 2, 1, 3, 1, 4};
  const int first_test[10] = {7, 2, 1, 0, 4, 1, 4, 9, 5, 9};
  const int train_hist[10] = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
  const int test_hist[10] = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};
  int hist[2][10] = {};
  for (int s = 0; s < 2; ++s) {
    const MnistSplit& split = mnist.split(static_cast<MnistSplitId>(s));
    for (int i = 0; i < split.count; ++i) ++hist[s][split.labels[i]];
  }
  std::uint64_t pixel_sum[2] = {0, 0};
  for (int s = 0; s < 2; ++s) {
    const MnistSplit& split = mnist.split(static_cast<MnistSplitId>(s));
    for (std::size_t i = 0; i < static_cast<std::size_t>(split.count) * kMnistPixels; ++i) {
      pixel_sum[s] += split.images[i];
    }
  }
  for (int k = 0; k < 10; ++k) {
    CHECK(mnist.train.labels[k] == first_train[k]);
    CHECK(mnist.test.labels[k] == first_test[k]);
    CHECK(hist[0][k] == train_hist[k]);
    CHECK(hist[1][k] == test_hist[k]);
  }
  CHECK(pixel_sum[0] == 1567298545u);
  CHECK(pixel_sum[1] == 264923200u);
}
